package clinic

import (
	"encoding/json"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// The invoice list (ListInvoices) and the invoice detail (GetInvoice, and the reconciliation
// of RecordPayment) are the hot paths of this package. encoding/json re-validates every nested
// level of them (Invoice, LineItem, Payment and InvoiceSummary each call json.Unmarshal on their
// own bytes). The fast decoders below split the bytes with jsonscan and read each known field
// straight from its sub-slice. They handle the shapes the API sends; anything they are not sure
// to read exactly as encoding/json would (null, escapes, a repeated key, a key differing only
// in case from a known one, a value of an unexpected type, the rarer envelope keys) makes them
// return jsonscan.ErrDecline, and the same bytes are decoded the old way, so results and errors
// never depend on which path ran. fastdecode_internal_test.go checks that the two paths agree.

// ---- the list page ----

var (
	pageFields = jsonscan.NewFields("data", "items", "invoices", "meta", "pagination")
	metaFields = jsonscan.NewFields("total", "total_count", "total_pages", "last_page", "page", "current_page")
	// summaryFields are InvoiceSummary's JSON keys.
	summaryFields = jsonscan.NewFields("id", "invoice_number", "patient_id", "patient_name", "branch_id", "total", "paid", "balance", "status", "date")
)

// decodeInvoicePageFast is decodeInvoicePage's fast path: a bare array, or an object with a
// data array and an optional meta object (items, invoices and pagination are rare: declined).
// perPage only sizes the slice.
func decodeInvoicePageFast(trimmed []byte, perPage int) (items []InvoiceSummary, meta *listMeta, err error) {
	if len(trimmed) > 0 && trimmed[0] == '[' {
		items, err := summariesFast(trimmed, perPage)
		return items, nil, err
	}
	var seenData bool
	err = pageFields.Object(trimmed, func(k, v []byte) error {
		var err error
		switch string(k) {
		case "data":
			seenData = true
			items, err = summariesFast(v, perPage)
		case "meta":
			meta, err = metaFast(v)
		default:
			err = jsonscan.ErrDecline
		}
		return err
	}, nil)
	if err == nil && !seenData {
		err = jsonscan.ErrDecline
	}
	return items, meta, err
}

func metaFast(v []byte) (*listMeta, error) {
	m := new(listMeta)
	err := metaFields.Object(v, func(k, v []byte) error {
		n := new(int)
		if err := jsonscan.Int(v, n); err != nil {
			return err
		}
		switch string(k) {
		case "total":
			m.Total = n
		case "total_count":
			m.TotalCount = n
		case "total_pages":
			m.TotalPages = n
		case "last_page":
			m.LastPage = n
		case "page":
			m.Page = n
		default:
			m.CurrentPage = n
		}
		return nil
	}, nil)
	return m, err
}

func summariesFast(v []byte, perPage int) ([]InvoiceSummary, error) {
	return list(v, perPage, summaryFast)
}

// summaryFast decodes one summary as InvoiceSummary.UnmarshalJSON does, or declines.
func summaryFast(b []byte) (InvoiceSummary, error) {
	var s InvoiceSummary
	err := summaryFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "id":
			return jsonscan.String(v, &s.ID)
		case "invoice_number":
			return jsonscan.String(v, &s.InvoiceNumber)
		case "patient_id":
			return jsonscan.String(v, &s.PatientID)
		case "patient_name":
			return jsonscan.String(v, &s.PatientName)
		case "branch_id":
			return jsonscan.String(v, &s.BranchID)
		case "total":
			return decimal(v, &s.Total)
		case "paid":
			return decimal(v, &s.Paid)
		case "balance":
			return decimal(v, &s.Balance)
		case "status":
			return enum(v, invoiceStatuses, &s.Status)
		default: // date
			return date(v, &s.Date)
		}
	}, nil)
	if err != nil {
		return InvoiceSummary{}, err
	}
	s.Raw = append(json.RawMessage(nil), b...)
	return s, nil
}

// ---- the invoice detail ----

var (
	// invoiceFields are the keys Invoice.UnmarshalJSON reads: Invoice's own and its variants.
	invoiceFields = jsonscan.NewFields("id", "invoice_number", "date", "status", "currency", "patient", "branch",
		"line_items", "sub_total", "discount", "tax", "grand_total", "paid", "balance", "payments",
		"total", "patient_id", "patient_name", "branch_id")
	partyFields    = jsonscan.NewFields("id", "name")
	taxFields      = jsonscan.NewFields("cgst", "sgst", "igst", "total")
	lineItemFields = jsonscan.NewFields("service_name", "department", "quantity", "rate", "discount", "tax", "amount")
	paymentFields  = jsonscan.NewFields("id", "invoice_id", "amount", "payment_mode", "reference", "payment_date", "recorded_at")
)

// invoiceFast decodes an invoice as Invoice.UnmarshalJSON's encoding/json path does, or
// declines.
func invoiceFast(b []byte) (Invoice, error) {
	var inv Invoice
	var v variants
	err := invoiceFields.Object(b, func(k, val []byte) error {
		var err error
		switch string(k) {
		case "id":
			err = jsonscan.String(val, &inv.ID)
		case "invoice_number":
			err = jsonscan.String(val, &inv.InvoiceNumber)
		case "date":
			err = date(val, &inv.Date)
		case "status":
			err = enum(val, invoiceStatuses, &inv.Status)
		case "currency":
			err = enum(val, currencies, &inv.Currency)
		case "patient":
			err = partyFast(val, &inv.Patient)
		case "branch":
			err = partyFast(val, &inv.Branch)
		case "line_items":
			inv.LineItems, err = list(val, jsonscan.CountElements(val), lineItemFast)
		case "sub_total":
			err = decimal(val, &inv.SubTotal)
		case "discount":
			err = decimal(val, &inv.Discount)
		case "tax":
			err = taxFast(val, &inv.Tax)
		case "grand_total":
			err = decimal(val, &inv.GrandTotal)
		case "paid":
			err = decimal(val, &inv.Paid)
		case "balance":
			err = decimal(val, &inv.Balance)
		case "payments":
			inv.Payments, err = list(val, jsonscan.CountElements(val), paymentFast)
		case "total":
			v.Total = new(polybill.Decimal)
			err = decimal(val, v.Total)
		case "patient_id":
			err = jsonscan.String(val, &v.PatientID)
		case "patient_name":
			err = jsonscan.String(val, &v.PatientName)
		default: // branch_id
			err = jsonscan.String(val, &v.BranchID)
		}
		return err
	}, nil)
	if err != nil {
		return Invoice{}, err
	}
	v.apply(&inv)
	inv.Raw = append(json.RawMessage(nil), b...)
	return inv, nil
}

func partyFast(b []byte, p *Party) error {
	return partyFields.Object(b, func(k, v []byte) error {
		if string(k) == "id" {
			return jsonscan.String(v, &p.ID)
		}
		return jsonscan.String(v, &p.Name)
	}, nil)
}

func taxFast(b []byte, t *TaxBreakdown) error {
	return taxFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "cgst":
			return decimal(v, &t.CGST)
		case "sgst":
			return decimal(v, &t.SGST)
		case "igst":
			return decimal(v, &t.IGST)
		default: // total
			return decimal(v, &t.Total)
		}
	}, nil)
}

// lineItemFast decodes a line item as LineItem.UnmarshalJSON does, or declines.
func lineItemFast(b []byte) (LineItem, error) {
	var l LineItem
	err := lineItemFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "service_name":
			return jsonscan.String(v, &l.ServiceName)
		case "department":
			return jsonscan.String(v, &l.Department)
		case "quantity":
			return decimal(v, &l.Quantity)
		case "rate":
			return decimal(v, &l.Rate)
		case "discount":
			return decimal(v, &l.Discount)
		case "tax":
			return decimal(v, &l.Tax)
		default: // amount
			return decimal(v, &l.Amount)
		}
	}, nil)
	if err != nil {
		return LineItem{}, err
	}
	l.Raw = append(json.RawMessage(nil), b...)
	return l, nil
}

// paymentFast decodes a payment as Payment.UnmarshalJSON does, or declines.
func paymentFast(b []byte) (Payment, error) {
	var p Payment
	err := paymentFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "id":
			return jsonscan.String(v, &p.ID)
		case "invoice_id":
			return jsonscan.String(v, &p.InvoiceID)
		case "amount":
			return decimal(v, &p.Amount)
		case "payment_mode":
			return enum(v, paymentModes, &p.Mode)
		case "reference":
			return jsonscan.String(v, &p.Reference)
		case "payment_date":
			return date(v, &p.PaymentDate)
		default: // recorded_at
			var s string
			if err := jsonscan.String(v, &s); err != nil {
				return err
			}
			p.RecordedAt = parseRecordedAt(s)
			return nil
		}
	}, nil)
	if err != nil {
		return Payment{}, err
	}
	p.Raw = append(json.RawMessage(nil), b...)
	return p, nil
}

// parseRecordedAt is Payment's reading of recorded_at, for both paths: a timestamp that is not
// RFC 3339 must not cost the caller the payment (it stays in Raw), so it reads as zero.
func parseRecordedAt(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// ---- leaf readers ----

// list reads the JSON array v with one per element into a new slice of capacity n (a hint);
// an empty array is an empty, non-nil slice, as encoding/json decodes it.
func list[T any](v []byte, n int, one func([]byte) (T, error)) ([]T, error) {
	out := make([]T, 0, n)
	err := jsonscan.Elements(v, func(e []byte) error {
		x, err := one(e)
		if err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

var (
	invoiceStatuses = []InvoiceStatus{InvoiceStatusDraft, InvoiceStatusFinalized, InvoiceStatusPaid, InvoiceStatusPartiallyPaid, InvoiceStatusCancelled}
	paymentModes    = []PaymentMode{PaymentModeCash, PaymentModeCard, PaymentModeUPI, PaymentModeNEFT, PaymentModeCheque, PaymentModeOnline, PaymentModeInsurance}
	currencies      = []polybill.Currency{Currency}
)

// enum reads a plain JSON string like jsonscan.String, but returns the constant among known
// that it spells instead of allocating a copy: statuses and modes repeat on every record.
func enum[S ~string](v []byte, known []S, s *S) error {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		inner := v[1 : len(v)-1]
		for _, k := range known {
			if string(inner) == string(k) { // the constants hold no quote or backslash
				*s = k
				return nil
			}
		}
	}
	return jsonscan.String(v, s)
}

// decimal reads v with Decimal.UnmarshalJSON, which encoding/json calls for the same bytes;
// its errors decline so the slow path reports them.
func decimal(v []byte, d *polybill.Decimal) error {
	if d.UnmarshalJSON(v) != nil {
		return jsonscan.ErrDecline
	}
	return nil
}

// date reads v as Date.UnmarshalJSON does. That method decodes its string with json.Unmarshal
// and then tries two time layouts; the common case, a plain "YYYY-MM-DD" naming a real day, is
// read here directly, and anything else goes to Date.UnmarshalJSON itself.
func date(v []byte, d *Date) error {
	if len(v) == len(`"2006-01-02"`) && v[0] == '"' && v[11] == '"' && v[5] == '-' && v[8] == '-' {
		y, okY := digits(v[1:5])
		m, okM := digits(v[6:8])
		dd, okD := digits(v[9:11])
		if okY && okM && okD && 1 <= m && m <= 12 && 1 <= dd && dd <= daysIn(time.Month(m), y) {
			*d = Date{Year: y, Month: time.Month(m), Day: dd}
			return nil
		}
	}
	if d.UnmarshalJSON(v) != nil {
		return jsonscan.ErrDecline
	}
	return nil
}

// digits reads an unsigned decimal of ASCII digits only.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn is the length of month m of year y in the proleptic Gregorian calendar, as time.Parse
// checks it.
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
