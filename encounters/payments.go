package encounters

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
	"github.com/polybill/polybill-go/internal/transport"
)

// PaymentType says who pays. Only private and action-code count toward what
// the patient paid; coverage types count toward the insurer's or corporate
// partner's share.
type PaymentType string

// Payment types documented by the apiDoc.
const (
	PaymentPrivate                  PaymentType = "private"
	PaymentInsuranceCoverage        PaymentType = "insurance-coverage"
	PaymentCorporatePartnerCoverage PaymentType = "corporate-partner-coverage"
	PaymentRefund                   PaymentType = "refund"
	PaymentActionCode               PaymentType = "action-code"
	PaymentSOA                      PaymentType = "soa"
)

// IsKnown reports whether t is a documented value.
func (t PaymentType) IsKnown() bool {
	switch t {
	case PaymentPrivate, PaymentInsuranceCoverage, PaymentCorporatePartnerCoverage, PaymentRefund, PaymentActionCode, PaymentSOA:
		return true
	}
	return false
}

// Payment is a BillingPayment: one payment on one item.
type Payment struct {
	polybill.FieldProblems `json:"-"`
	ID                     string           `json:"id"`
	Item                   string           `json:"item"`
	ItemType               string           `json:"itemType"`
	Invoice                string           `json:"invoice"`
	Target                 string           `json:"target"`
	Facility               string           `json:"facility"`
	Idemp                  string           `json:"idemp"`
	Type                   PaymentType      `json:"type"`
	Subtype                string           `json:"subtype"`
	PaymentMethod          string           `json:"paymentMethod"`
	PaymentMethodType      string           `json:"paymentMethodType"`
	PaymentMethodName      string           `json:"paymentMethodName"`
	Ref                    string           `json:"ref"`
	Amount                 polybill.Decimal `json:"amount"`
	Coverage               string           `json:"coverage"`
	Notes                  string           `json:"notes"`
	Metadata               map[string]any   `json:"metadata"`
	VoidedAt               time.Time        `json:"-" wire:"voidedAt,millis"`
	VoidedBy               string           `json:"voidedBy"`
	VoidReason             string           `json:"voidReason"`
	CreatedAt              time.Time        `json:"-" wire:"createdAt,millis"`
	CreatedBy              string           `json:"createdBy"`
	Populated              Populated        `json:"$populated"`
	Raw                    json.RawMessage  `json:"-" wire:",raw"`
}

// UnmarshalJSON reads the record as the client does (see the package doc).
func (p *Payment) UnmarshalJSON(b []byte) error { return decode(b, p) }

// CreatePaymentParams are the fields of a new payment. Item, Type,
// PaymentMethod and a positive Amount are required.
type CreatePaymentParams struct {
	Item              string
	ItemType          string
	Target            string // SOA id, for SOA payments
	Type              PaymentType
	Subtype           string // government or hmo
	PaymentMethod     string // payment-method code, e.g. "CASH"
	PaymentMethodType string
	PaymentMethodName string
	Ref               string
	Amount            polybill.Decimal
	Coverage          string
	Notes             string
	Metadata          map[string]any
	// Idemp is the idempotency key HapiHub stores on the payment. Leave it
	// empty to have one generated, or set it with polybill.WithIdempotencyKey
	// (both at once must agree).
	// It is fixed before the first attempt, so every retry carries the same key.
	// Reusing a key for a different payment (another item, amount, method…) is
	// refused with a 409: errors.Is(err, polybill.ErrConflict).
	Idemp string
}

// paymentCreate and paymentPatch are the request bodies (PaymentCreate and PaymentPatch in
// openapi/encounters.yaml), keys in the spec's alphabetical order; unset fields are omitted,
// idemp never.
type paymentCreate struct {
	Amount            polybill.Decimal `json:"amount"`
	Coverage          string           `json:"coverage,omitempty"`
	Idemp             string           `json:"idemp"`
	Item              string           `json:"item"`
	ItemType          string           `json:"itemType,omitempty"`
	Metadata          map[string]any   `json:"metadata,omitempty"`
	Notes             string           `json:"notes,omitempty"`
	PaymentMethod     string           `json:"paymentMethod,omitempty"`
	PaymentMethodName string           `json:"paymentMethodName,omitempty"`
	PaymentMethodType string           `json:"paymentMethodType,omitempty"`
	Ref               string           `json:"ref,omitempty"`
	Subtype           string           `json:"subtype,omitempty"`
	Target            string           `json:"target,omitempty"`
	Type              PaymentType      `json:"type"`
}

type paymentPatch struct {
	Unset    map[string]int `json:"$unset,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
	Notes    string         `json:"notes,omitempty"`
	Ref      string         `json:"ref,omitempty"`
}

func (p *CreatePaymentParams) wire(idemp string) (*paymentCreate, error) {
	switch {
	case p.Item == "":
		return nil, transport.InvalidParam(API, "item", "required")
	case !p.Type.IsKnown():
		return nil, transport.InvalidParam(API, "type", "unknown payment type %q", p.Type)
	case p.PaymentMethod == "":
		return nil, transport.InvalidParam(API, "paymentMethod", "required (a payment-method code such as CASH)")
	}
	if err := requireMoney("amount", p.Amount, true); err != nil {
		return nil, err
	}
	return &paymentCreate{
		Item: p.Item, ItemType: p.ItemType, Target: p.Target, Type: p.Type, Subtype: p.Subtype,
		PaymentMethod: p.PaymentMethod, PaymentMethodType: p.PaymentMethodType, PaymentMethodName: p.PaymentMethodName,
		Ref: p.Ref, Amount: p.Amount.Unquoted(), Coverage: p.Coverage, Notes: p.Notes, Metadata: p.Metadata, Idemp: idemp,
	}, nil
}

// newIdemp returns a random UUID v4 from crypto/rand.
func newIdemp() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// PatchPaymentParams changes a payment's notes, reference or metadata.
type PatchPaymentParams struct {
	Notes    string
	Ref      string
	Metadata map[string]any
	Unset    Unset
}

// PaymentService is the billing-payments service.
type PaymentService struct{ c *Client }

var paymentsService = serviceOps{
	find:   transport.Op("findPayments", "/billing-payments"),
	get:    transport.Op("getPayment", "/billing-payments/{id}"),
	create: transport.Op("createPayment", "/billing-payments"),
	patch:  transport.Op("patchPayment", "/billing-payments/{id}"),
	remove: transport.Op("removePayment", "/billing-payments/{id}"),
}

// List returns every payment matching q, fetching pages lazily over $skip.
func (s *PaymentService) List(ctx context.Context, q *Query, opts ...polybill.RequestOption) iter.Seq2[Payment, error] {
	return listAll[Payment](ctx, s.c, paymentsService, q, opts)
}

// Find returns one page of payments.
func (s *PaymentService) Find(ctx context.Context, q *Query, opts ...polybill.RequestOption) (*polybill.Page[Payment], error) {
	return findPage[Payment](ctx, s.c, paymentsService, q, opts)
}

// Get returns one payment.
func (s *PaymentService) Get(ctx context.Context, id string, q *Query, opts ...polybill.RequestOption) (*Payment, error) {
	return getOne[Payment](ctx, s.c, paymentsService, id, q, opts)
}

// Create records a payment on an item; payments are allowed after the invoice
// is finalized, but an item's payments may not exceed its payable amount.
//
// Every create carries an idemp key, so it is retried like a read
// (transport.DedupedWrite): a payment whose response was lost is re-sent with
// the same key and HapiHub returns the payment it already recorded. The same
// key with a different request is a polybill.ErrConflict (409).
func (s *PaymentService) Create(ctx context.Context, p CreatePaymentParams, opts ...polybill.RequestOption) (*Payment, error) {
	idemp := p.Idemp
	if key := config.NewRequest(opts).IdempotencyKey; key != "" {
		if idemp != "" && idemp != key {
			return nil, transport.InvalidParam(API, "idemp", "Idemp %q and polybill.WithIdempotencyKey %q disagree; give one", idemp, key)
		}
		idemp = key
	}
	if idemp == "" {
		idemp = newIdemp()
	}
	body, err := p.wire(idemp)
	if err != nil {
		return nil, err
	}
	return createOne[Payment](ctx, s.c, paymentsService, body, transport.DedupedWrite, opts)
}

// Patch changes a payment's notes, reference or metadata.
func (s *PaymentService) Patch(ctx context.Context, id string, p PatchPaymentParams, opts ...polybill.RequestOption) (*Payment, error) {
	if err := p.Unset.validate(); err != nil {
		return nil, err
	}
	body := paymentPatch{Notes: p.Notes, Ref: p.Ref, Unset: p.Unset.wire(), Metadata: p.Metadata}
	return patchOne[Payment](ctx, s.c, paymentsService, id, body, opts)
}

// Delete removes a payment.
//
// A retried delete whose retry finds the record already gone (404) succeeded: the first
// attempt removed it and its answer was lost. It returns nil, nil (not ErrNotFound).
func (s *PaymentService) Delete(ctx context.Context, id string, opts ...polybill.RequestOption) (*Payment, error) {
	return removeOne[Payment](ctx, s.c, paymentsService, id, opts)
}
