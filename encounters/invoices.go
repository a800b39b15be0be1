package encounters

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// InvoiceType is what an invoice bills. Unknown values from the server decode
// as is; IsKnown tells them apart.
type InvoiceType string

// Invoice types documented by the HapiHub apiDoc.
const (
	InvoiceTypeMedicalEncounter     InvoiceType = "medical-encounter"
	InvoiceTypeInventoryTransaction InvoiceType = "inventory-transaction"
)

// IsKnown reports whether t is a documented value.
func (t InvoiceType) IsKnown() bool {
	return t == InvoiceTypeMedicalEncounter || t == InvoiceTypeInventoryTransaction
}

// InvoiceStatus is the server-computed payment status of an invoice.
type InvoiceStatus string

// Invoice statuses (virtual, computed by HapiHub from the payments).
const (
	InvoiceStatusPaid   InvoiceStatus = "paid"
	InvoiceStatusUnpaid InvoiceStatus = "unpaid"
)

// IsKnown reports whether s is a documented value.
func (s InvoiceStatus) IsKnown() bool { return s == InvoiceStatusPaid || s == InvoiceStatusUnpaid }

// TaxComplication says whether prices include tax.
type TaxComplication string

// Tax complications documented by the apiDoc.
const (
	TaxInclusive TaxComplication = "inclusive"
	TaxExclusive TaxComplication = "exclusive"
)

// IsKnown reports whether t is a documented value.
func (t TaxComplication) IsKnown() bool { return t == TaxInclusive || t == TaxExclusive }

// Discount is an invoice-level discount: an amount or a percentage.
type Discount struct {
	ID         string            `json:"id,omitempty"`
	Promo      string            `json:"promo,omitempty"`
	Code       string            `json:"code,omitempty"`
	Name       string            `json:"name,omitempty"`
	Amount     *polybill.Decimal `json:"amount,omitempty"`
	Percentage *polybill.Decimal `json:"percentage,omitempty"`
}

// Invoice is a BillingInvoice: a customer's or patient's payables. Invoices
// are drafts until finalized. Paid, Balance and Status are computed by the
// server from the item payments.
type Invoice struct {
	polybill.FieldProblems `json:"-"`
	ID                     string          `json:"id"`
	Facility               string          `json:"facility"`
	Type                   InvoiceType     `json:"type"`
	Subject                string          `json:"subject"`
	SubjectType            string          `json:"subjectType"`
	SubjectTags            []string        `json:"subjectTags"`
	OR                     string          `json:"or"`
	TaxComplication        TaxComplication `json:"taxComplication"`
	Notes                  string          `json:"notes"`
	Discounts              []Discount      `json:"discounts"`
	Tags                   []string        `json:"tags"`
	ActionCode             string          `json:"actionCode"`
	CoverageTypes          []string        `json:"coverageTypes"`
	// Total is the sum of the items' payable amounts (ASSUMPTION: not in the
	// apiDoc field list; zero when the server does not send it).
	Total       polybill.Decimal `json:"total"`
	Paid        polybill.Decimal `json:"paid"`
	Balance     polybill.Decimal `json:"balance"`
	Status      InvoiceStatus    `json:"status"`
	FinalizedAt time.Time        `json:"-" wire:"finalizedAt,millis"`
	FinalizedBy string           `json:"finalizedBy"`
	CreatedAt   time.Time        `json:"-" wire:"createdAt,millis"`
	CreatedBy   string           `json:"createdBy"`
	Populated   Populated        `json:"$populated"`
	// Raw is the record exactly as the server sent it, unknown fields included.
	Raw json.RawMessage `json:"-" wire:",raw"`
}

// Finalized reports whether the invoice is no longer a draft.
func (i *Invoice) Finalized() bool { return !i.FinalizedAt.IsZero() }

// UnmarshalJSON reads the record as the client does (see the package doc).
func (i *Invoice) UnmarshalJSON(b []byte) error { return decode(b, i) }

// CreateInvoiceParams are the fields of a new invoice. Facility and Type are
// required. For medical billing prefer EncounterService.Create with Invoice
// set: the invoice then shares the encounter's id.
type CreateInvoiceParams struct {
	// ID is optional; for medical billing it is the encounter id.
	ID              string
	Facility        string
	Type            InvoiceType
	Subject         string
	SubjectType     string
	SubjectTags     []string
	OR              string
	TaxComplication TaxComplication
	Notes           string
	Discounts       []Discount
	Tags            []string
	ActionCode      string
	CreatedAt       time.Time
}

// invoiceCreate, discountWire and invoicePatch are the request bodies (InvoiceCreate, Discount
// and InvoicePatch in openapi/encounters.yaml), keys in the spec's alphabetical order; unset
// fields are omitted.
type invoiceCreate struct {
	ActionCode      string          `json:"actionCode,omitempty"`
	CreatedAt       *int64          `json:"createdAt,omitempty"` // epoch milliseconds
	Discounts       []discountWire  `json:"discounts,omitempty"`
	Facility        string          `json:"facility"`
	ID              string          `json:"id,omitempty"`
	Notes           string          `json:"notes,omitempty"`
	OR              string          `json:"or,omitempty"`
	Subject         string          `json:"subject,omitempty"`
	SubjectTags     []string        `json:"subjectTags,omitempty"`
	SubjectType     string          `json:"subjectType,omitempty"`
	Tags            []string        `json:"tags,omitempty"`
	TaxComplication TaxComplication `json:"taxComplication,omitempty"`
	Type            InvoiceType     `json:"type"`
}

type discountWire struct {
	Amount     *polybill.Decimal `json:"amount,omitempty"`
	Code       string            `json:"code,omitempty"`
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name,omitempty"`
	Percentage *polybill.Decimal `json:"percentage,omitempty"`
	Promo      string            `json:"promo,omitempty"`
}

type invoicePatch struct {
	Unset           map[string]int  `json:"$unset,omitempty"`
	Finalize        bool            `json:"finalize,omitempty"`
	Notes           string          `json:"notes,omitempty"`
	OR              string          `json:"or,omitempty"`
	Tags            []string        `json:"tags,omitempty"`
	TaxComplication TaxComplication `json:"taxComplication,omitempty"`
}

func (p *CreateInvoiceParams) wire() (*invoiceCreate, error) {
	switch {
	case p.Facility == "":
		return nil, transport.InvalidParam(API, "facility", "required")
	case !p.Type.IsKnown():
		return nil, transport.InvalidParam(API, "type", "must be %q or %q, got %q", InvoiceTypeMedicalEncounter, InvoiceTypeInventoryTransaction, p.Type)
	case p.TaxComplication != "" && !p.TaxComplication.IsKnown():
		return nil, transport.InvalidParam(API, "taxComplication", "unknown value %q", p.TaxComplication)
	}
	discounts, err := wireDiscounts(p.Discounts)
	if err != nil {
		return nil, err
	}
	return &invoiceCreate{
		ID: p.ID, Facility: p.Facility, Type: p.Type,
		Subject: p.Subject, SubjectType: p.SubjectType, SubjectTags: p.SubjectTags,
		OR: p.OR, Notes: p.Notes, Discounts: discounts, Tags: p.Tags,
		ActionCode: p.ActionCode, CreatedAt: msPtr(p.CreatedAt), TaxComplication: p.TaxComplication,
	}, nil
}

func wireDiscounts(ds []Discount) ([]discountWire, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	out := make([]discountWire, len(ds))
	for i, d := range ds {
		if (d.Amount == nil) == (d.Percentage == nil) {
			return nil, transport.InvalidParam(API, "discounts", "discount %d needs exactly one of amount or percentage", i)
		}
		if d.Amount != nil && d.Amount.Sign() < 0 || d.Percentage != nil && d.Percentage.Sign() < 0 {
			return nil, transport.InvalidParam(API, "discounts", "discount %d is negative", i)
		}
		out[i] = discountWire{ID: d.ID, Promo: d.Promo, Code: d.Code, Name: d.Name, Amount: number(d.Amount), Percentage: number(d.Percentage)}
	}
	return out, nil
}

// PatchInvoiceParams changes an invoice. Zero fields are left alone; list
// fields to clear in Unset.
type PatchInvoiceParams struct {
	OR              string
	Notes           string
	Tags            []string
	TaxComplication TaxComplication
	Unset           Unset
}

// InvoiceService is the billing-invoices service.
type InvoiceService struct{ c *Client }

var invoicesService = serviceOps{
	find:   transport.Op("findInvoices", "/billing-invoices"),
	get:    transport.Op("getInvoice", "/billing-invoices/{id}"),
	create: transport.Op("createInvoice", "/billing-invoices"),
	patch:  transport.Op("patchInvoice", "/billing-invoices/{id}"),
	remove: transport.Op("removeInvoice", "/billing-invoices/{id}"),
}

// List returns every invoice matching q, fetching pages lazily over $skip.
func (s *InvoiceService) List(ctx context.Context, q *Query, opts ...polybill.RequestOption) iter.Seq2[Invoice, error] {
	return listAll[Invoice](ctx, s.c, invoicesService, q, opts)
}

// Find returns one page of invoices (Feathers find).
func (s *InvoiceService) Find(ctx context.Context, q *Query, opts ...polybill.RequestOption) (*polybill.Page[Invoice], error) {
	return findPage[Invoice](ctx, s.c, invoicesService, q, opts)
}

// Get returns one invoice; q may carry $populate or $select.
func (s *InvoiceService) Get(ctx context.Context, id string, q *Query, opts ...polybill.RequestOption) (*Invoice, error) {
	return getOne[Invoice](ctx, s.c, invoicesService, id, q, opts)
}

// Create creates a draft invoice. A create is not retried once it may have
// reached the server (HapiHub has no idempotency key for invoices).
func (s *InvoiceService) Create(ctx context.Context, p CreateInvoiceParams, opts ...polybill.RequestOption) (*Invoice, error) {
	body, err := p.wire()
	if err != nil {
		return nil, err
	}
	return createOne[Invoice](ctx, s.c, invoicesService, body, transport.UnsafeWrite, opts)
}

// Patch changes an invoice.
func (s *InvoiceService) Patch(ctx context.Context, id string, p PatchInvoiceParams, opts ...polybill.RequestOption) (*Invoice, error) {
	if p.TaxComplication != "" && !p.TaxComplication.IsKnown() {
		return nil, transport.InvalidParam(API, "taxComplication", "unknown value %q", p.TaxComplication)
	}
	if err := p.Unset.validate(); err != nil {
		return nil, err
	}
	body := invoicePatch{OR: p.OR, Notes: p.Notes, Tags: p.Tags, Unset: p.Unset.wire(), TaxComplication: p.TaxComplication}
	return patchOne[Invoice](ctx, s.c, invoicesService, id, body, opts)
}

// Finalize finalizes the invoice and, by cascade, its items
// (PATCH {finalize: true}). Items can no longer be added; payments still can.
func (s *InvoiceService) Finalize(ctx context.Context, id string, opts ...polybill.RequestOption) (*Invoice, error) {
	t := true
	return patchOne[Invoice](ctx, s.c, invoicesService, id, invoicePatch{Finalize: t}, opts)
}

// Delete removes a draft invoice with its items and their payments. HapiHub
// refuses to delete a finalized invoice.
//
// A retried delete whose retry finds the record already gone (404) succeeded: the first
// attempt removed it and its answer was lost. It returns nil, nil (not ErrNotFound).
func (s *InvoiceService) Delete(ctx context.Context, id string, opts ...polybill.RequestOption) (*Invoice, error) {
	return removeOne[Invoice](ctx, s.c, invoicesService, id, opts)
}
