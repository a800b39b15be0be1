// Package benchdata is what the SDK's benchmarks measure against: the recorded payloads the
// loopback servers send, and the raw baseline's plain structs, the decode a careful engineer
// writes with net/http and encoding/json (strings, json.Number amounts, time.Time). bench/
// compares with them end to end; the API packages' decode benchmarks compare their decoders
// alone with the same structs and bytes, so both stand on one baseline.
package benchdata

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"time"
)

//go:embed testdata/*.json
var testdata embed.FS

// Record returns the recorded payload name (crm_billing.json, epilot_event.json,
// encounters_invoice.json, clinic_invoice.json, clinic_summary.json), compacted as a server
// sends it.
func Record(name string) []byte {
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	return out.Bytes()
}

// CRMBilling is a crm billing resource (GET /billings/{id} answers {"data": CRMBilling}).
type CRMBilling struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		UniqueID    string      `json:"unique_id"`
		MeetingID   string      `json:"meeting_id"`
		Amount      json.Number `json:"amount"`
		Currency    string      `json:"currency"`
		PayerName   string      `json:"payer_name"`
		PayerEmail  string      `json:"payer_email"`
		PayerType   string      `json:"payer_type"`
		BillingType string      `json:"billing_type"`
		Status      string      `json:"status"`
		Notes       string      `json:"notes"`
		SessionDate string      `json:"session_date"`
		DueAt       *time.Time  `json:"due_at"`
		CreatedAt   time.Time   `json:"created_at"`
		UpdatedAt   time.Time   `json:"updated_at"`
	} `json:"attributes"`
}

// EpilotEvent is an epilot billing event.
type EpilotEvent struct {
	ID                   string      `json:"_id"`
	Title                string      `json:"_title"`
	Org                  string      `json:"_org"`
	Schema               string      `json:"_schema"`
	Tags                 []string    `json:"_tags"`
	CreatedAt            time.Time   `json:"_created_at"`
	UpdatedAt            time.Time   `json:"_updated_at"`
	Type                 string      `json:"type"`
	BillingAmount        int64       `json:"billing_amount"`
	BillingAmountDecimal json.Number `json:"billing_amount_decimal"`
	BillingCurrency      string      `json:"billing_currency"`
	BookingDate          string      `json:"booking_date"`
	DueDate              string      `json:"due_date"`
	Direction            string      `json:"direction"`
	Status               string      `json:"status"`
	ExternalID           string      `json:"external_id"`
	Contract             struct {
		Relation []struct {
			EntityID string   `json:"entity_id"`
			Tags     []string `json:"_tags"`
			Schema   string   `json:"_schema"`
		} `json:"$relation"`
	} `json:"contract"`
	Note         string `json:"note"`
	InternalNote string `json:"internal_note"`
}

// EncountersInvoice is a HapiHub billing invoice.
type EncountersInvoice struct {
	ID              string   `json:"id"`
	Facility        string   `json:"facility"`
	Type            string   `json:"type"`
	Subject         string   `json:"subject"`
	SubjectType     string   `json:"subjectType"`
	SubjectTags     []string `json:"subjectTags"`
	OR              string   `json:"or"`
	TaxComplication string   `json:"taxComplication"`
	Notes           string   `json:"notes"`
	Discounts       []struct {
		ID         string      `json:"id"`
		Code       string      `json:"code"`
		Name       string      `json:"name"`
		Amount     json.Number `json:"amount"`
		Percentage json.Number `json:"percentage"`
	} `json:"discounts"`
	Tags          []string    `json:"tags"`
	CoverageTypes []string    `json:"coverageTypes"`
	Total         json.Number `json:"total"`
	Paid          json.Number `json:"paid"`
	Balance       json.Number `json:"balance"`
	Status        string      `json:"status"`
	FinalizedAt   int64       `json:"finalizedAt"`
	FinalizedBy   string      `json:"finalizedBy"`
	CreatedAt     int64       `json:"createdAt"`
	CreatedBy     string      `json:"createdBy"`
}

// ClinicInvoice is a Bio Ecko invoice with its line items and payments.
type ClinicInvoice struct {
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

// ClinicSummary is one row of the Bio Ecko invoice list.
type ClinicSummary struct {
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
