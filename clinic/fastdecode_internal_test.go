package clinic

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// compactFixture reads a ../bench/testdata file compacted, as the bench server sends it.
func compactFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("../bench/testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// benchPage is a page of n bench summaries in the bench server's envelope.
func benchPage(tb testing.TB, n int) []byte {
	item := compactFixture(tb, "clinic_summary.json")
	page := []byte(`{"data":[`)
	for i := range n {
		if i > 0 {
			page = append(page, ',')
		}
		page = append(page, item...)
	}
	return append(page, `],"meta":{"page":1,"per_page":100,"total":100000,"total_pages":1000}}`...)
}

// rawInvoice and rawSummary are the bench's raw baseline: encoding/json into plain structs.
type rawInvoice struct {
	ID            string `json:"id"`
	InvoiceNumber string `json:"invoice_number"`
	Date          string `json:"date"`
	Status        string `json:"status"`
	Currency      string `json:"currency"`
	Patient       struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"patient"`
	Branch struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"branch"`
	LineItems []struct {
		ServiceName string      `json:"service_name"`
		Department  string      `json:"department"`
		Quantity    json.Number `json:"quantity"`
		Rate        json.Number `json:"rate"`
		Discount    json.Number `json:"discount"`
		Tax         json.Number `json:"tax"`
		Amount      json.Number `json:"amount"`
	} `json:"line_items"`
	SubTotal json.Number `json:"sub_total"`
	Discount json.Number `json:"discount"`
	Tax      struct {
		CGST  json.Number `json:"cgst"`
		SGST  json.Number `json:"sgst"`
		IGST  json.Number `json:"igst"`
		Total json.Number `json:"total"`
	} `json:"tax"`
	GrandTotal json.Number `json:"grand_total"`
	Paid       json.Number `json:"paid"`
	Balance    json.Number `json:"balance"`
	Payments   []struct {
		ID          string      `json:"id"`
		InvoiceID   string      `json:"invoice_id"`
		Amount      json.Number `json:"amount"`
		Mode        string      `json:"payment_mode"`
		Reference   string      `json:"reference"`
		PaymentDate string      `json:"payment_date"`
		RecordedAt  time.Time   `json:"recorded_at"`
	} `json:"payments"`
}

type rawSummary struct {
	ID            string      `json:"id"`
	InvoiceNumber string      `json:"invoice_number"`
	PatientID     string      `json:"patient_id"`
	PatientName   string      `json:"patient_name"`
	BranchID      string      `json:"branch_id"`
	Total         json.Number `json:"total"`
	Paid          json.Number `json:"paid"`
	Balance       json.Number `json:"balance"`
	Status        string      `json:"status"`
	Date          string      `json:"date"`
}

// BenchmarkDecodeInvoice decodes the bench invoice as the transport does (json.Unmarshal into
// an Invoice) and as the bench's raw side does (a json.Decoder into a plain struct).
func BenchmarkDecodeInvoice(b *testing.B) {
	body := compactFixture(b, "clinic_invoice.json")
	b.Run("sdk", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var inv Invoice
			if err := json.Unmarshal(body, &inv); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var inv rawInvoice
			if err := json.NewDecoder(bytes.NewReader(body)).Decode(&inv); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodePage decodes one 100-summary page as listInvoicesPage does (the transport's
// json.Unmarshal into a RawMessage, then decodeInvoicePage) and as the bench's raw side does.
func BenchmarkDecodePage(b *testing.B) {
	page := benchPage(b, maxPerPage)
	b.Run("sdk", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			var body json.RawMessage
			if err := json.Unmarshal(page, &body); err != nil {
				b.Fatal(err)
			}
			if _, err := decodeInvoicePage(body, 1, maxPerPage); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			var doc struct {
				Data []rawSummary `json:"data"`
				Meta struct {
					TotalPages int `json:"total_pages"`
				} `json:"meta"`
			}
			if err := json.NewDecoder(bytes.NewReader(page)).Decode(&doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
