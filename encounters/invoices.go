package encounters

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters/internal/oapi"
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

func (p *CreateInvoiceParams) wire() (*oapi.InvoiceCreate, error) {
	switch {
	case p.Facility == "":
		return nil, transport.InvalidParam(apiName, "facility", "required")
	case !p.Type.IsKnown():
		return nil, transport.InvalidParam(apiName, "type", "must be %q or %q, got %q", InvoiceTypeMedicalEncounter, InvoiceTypeInventoryTransaction, p.Type)
	case p.TaxComplication != "" && !p.TaxComplication.IsKnown():
		return nil, transport.InvalidParam(apiName, "taxComplication", "unknown value %q", p.TaxComplication)
	}
	discounts, err := wireDiscounts(p.Discounts)
	if err != nil {
		return nil, err
	}
	w := &oapi.InvoiceCreate{
		ID: ptr(p.ID), Facility: p.Facility, Type: oapi.InvoiceType(p.Type),
		Subject: ptr(p.Subject), SubjectType: ptr(p.SubjectType), SubjectTags: slicePtr(p.SubjectTags),
		Or: ptr(p.OR), Notes: ptr(p.Notes), Discounts: discounts, Tags: slicePtr(p.Tags),
		ActionCode: ptr(p.ActionCode), CreatedAt: msPtr(p.CreatedAt),
	}
	if p.TaxComplication != "" {
		tc := oapi.TaxComplication(p.TaxComplication)
		w.TaxComplication = &tc
	}
	return w, nil
}

func wireDiscounts(ds []Discount) (*[]oapi.Discount, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	out := make([]oapi.Discount, len(ds))
	for i, d := range ds {
		if (d.Amount == nil) == (d.Percentage == nil) {
			return nil, transport.InvalidParam(apiName, "discounts", "discount %d needs exactly one of amount or percentage", i)
		}
		if d.Amount != nil && d.Amount.Sign() < 0 || d.Percentage != nil && d.Percentage.Sign() < 0 {
			return nil, transport.InvalidParam(apiName, "discounts", "discount %d is negative", i)
		}
		out[i] = oapi.Discount{ID: ptr(d.ID), Promo: ptr(d.Promo), Code: ptr(d.Code), Name: ptr(d.Name), Amount: d.Amount, Percentage: d.Percentage}
	}
	return &out, nil
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

func unsetWire[E ~int](u Unset) *map[string]E {
	if len(u) == 0 {
		return nil
	}
	m := make(map[string]E, len(u))
	for f, v := range u.wire() {
		m[f] = E(v)
	}
	return &m
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
		return nil, transport.InvalidParam(apiName, "taxComplication", "unknown value %q", p.TaxComplication)
	}
	if err := p.Unset.validate(); err != nil {
		return nil, err
	}
	body := oapi.InvoicePatch{Or: ptr(p.OR), Notes: ptr(p.Notes), Tags: slicePtr(p.Tags), Unset: unsetWire[oapi.InvoicePatchUnset](p.Unset)}
	if p.TaxComplication != "" {
		tc := oapi.TaxComplication(p.TaxComplication)
		body.TaxComplication = &tc
	}
	return patchOne[Invoice](ctx, s.c, invoicesService, id, body, opts)
}

// Finalize finalizes the invoice and, by cascade, its items
// (PATCH {finalize: true}). Items can no longer be added; payments still can.
func (s *InvoiceService) Finalize(ctx context.Context, id string, opts ...polybill.RequestOption) (*Invoice, error) {
	t := true
	return patchOne[Invoice](ctx, s.c, invoicesService, id, oapi.InvoicePatch{Finalize: &t}, opts)
}

// Delete removes a draft invoice with its items and their payments. HapiHub
// refuses to delete a finalized invoice.
//
// A retried delete whose retry finds the record already gone (404) succeeded: the first
// attempt removed it and its answer was lost. It returns nil, nil (not ErrNotFound).
func (s *InvoiceService) Delete(ctx context.Context, id string, opts ...polybill.RequestOption) (*Invoice, error) {
	return removeOne[Invoice](ctx, s.c, invoicesService, id, opts)
}
