package encounters

import (
	"context"
	"encoding/json"
	"iter"
	"strconv"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// The billing-payment-intents service is known only from the vendor guide,
// and HapiHub's infrastructure docs show it was not migrated to HapiHub 11:
// treat it as experimental. Status values and fields beyond the guide are
// ASSUMPTIONS.

// PaymentIntentStatus is where an intent is in the checkout flow (ASSUMPTION).
type PaymentIntentStatus string

// Assumed payment-intent statuses.
const (
	IntentPending   PaymentIntentStatus = "pending"
	IntentApproved  PaymentIntentStatus = "approved"
	IntentCaptured  PaymentIntentStatus = "captured"
	IntentCancelled PaymentIntentStatus = "cancelled"
)

// IsKnown reports whether s is one of the assumed values.
func (s PaymentIntentStatus) IsKnown() bool {
	switch s {
	case IntentPending, IntentApproved, IntentCaptured, IntentCancelled:
		return true
	}
	return false
}

// IntentItem is one line of a payment intent, in one of three forms:
// VariantItem (an inventory-variant sku), ServiceItem (a service id) or
// CustomItem (a name and an amount per item).
type IntentItem struct {
	Type          string            `json:"type,omitempty"`
	Ref           string            `json:"ref,omitempty"`
	Name          string            `json:"name,omitempty"`
	AmountPerItem *polybill.Decimal `json:"amountPerItem,omitempty"`
	Quantity      int               `json:"quantity"`
}

// VariantItem references an existing inventory variant by sku.
func VariantItem(sku string, quantity int) IntentItem {
	return IntentItem{Type: "inventory-variant", Ref: sku, Quantity: quantity}
}

// ServiceItem references an existing service by id.
func ServiceItem(serviceID string, quantity int) IntentItem {
	return IntentItem{Type: "service", Ref: serviceID, Quantity: quantity}
}

// CustomItem is an item that exists only on this intent.
func CustomItem(name string, amountPerItem polybill.Decimal, quantity int) IntentItem {
	return IntentItem{Name: name, AmountPerItem: &amountPerItem, Quantity: quantity}
}

// PaymentIntent is a BillingPaymentIntent (vendor guide only; experimental).
type PaymentIntent struct {
	polybill.FieldProblems `json:"-"`
	ID                     string              `json:"id"`
	GatewayType            string              `json:"gatewayType"`
	GatewayReturnURL       string              `json:"gatewayReturnURL"`
	GatewayCancelURL       string              `json:"gatewayCancelURL"`
	Currency               polybill.Currency   `json:"currency"`
	Items                  []IntentItem        `json:"items"`
	Status                 PaymentIntentStatus `json:"status"`
	// ApprovalURL is checkout.approvalURL: send the payer there to approve.
	ApprovalURL string                      `json:"-"`
	NetAmount   polybill.Decimal            `json:"netAmount"`
	Receivables map[string]polybill.Decimal `json:"receivables"`
	CapturedAt  time.Time                   `json:"-" wire:"capturedAt,millis"`
	CreatedAt   time.Time                   `json:"-" wire:"createdAt,millis"`
	Raw         json.RawMessage             `json:"-" wire:",raw"`
}

// paymentIntentWire is how a payment intent is read: the record, plus
// checkout.approvalURL.
type paymentIntentWire struct {
	PaymentIntent
	Checkout *struct {
		ApprovalURL string `wire:"approvalURL"`
	} `wire:"checkout"`
}

// UnmarshalJSON reads the record as the client does, with checkout.approvalURL.
func (p *PaymentIntent) UnmarshalJSON(b []byte) error { return p.read(b, wire.Decode) }

func (p *PaymentIntent) read(b []byte, decodeWith func([]byte, any) error) error {
	var w paymentIntentWire
	if err := decodeWith(b, &w); err != nil {
		return err
	}
	*p = w.PaymentIntent
	if w.Checkout != nil {
		p.ApprovalURL = w.Checkout.ApprovalURL
	}
	return nil
}

// CreatePaymentIntentParams start a checkout with a payment gateway.
// GatewayType (e.g. "paymongo-gcash"), Currency and at least one item are
// required; the return/cancel URLs override the gateway's defaults.
type CreatePaymentIntentParams struct {
	GatewayType      string
	GatewayReturnURL string
	GatewayCancelURL string
	Currency         polybill.Currency
	Items            []IntentItem
}

// paymentIntentCreate and paymentIntentItem are the create body (PaymentIntentCreate in
// openapi/encounters.yaml), keys in the spec's alphabetical order.
type paymentIntentCreate struct {
	Currency         polybill.Currency   `json:"currency"`
	GatewayCancelURL string              `json:"gatewayCancelURL,omitempty"`
	GatewayReturnURL string              `json:"gatewayReturnURL,omitempty"`
	GatewayType      string              `json:"gatewayType"`
	Items            []paymentIntentItem `json:"items"`
}

type paymentIntentItem struct {
	AmountPerItem *polybill.Decimal `json:"amountPerItem,omitempty"`
	Name          string            `json:"name,omitempty"`
	Quantity      int               `json:"quantity"`
	Ref           string            `json:"ref,omitempty"`
	Type          string            `json:"type,omitempty"`
}

type paymentIntentPatch struct {
	Capture bool `json:"capture,omitempty"`
}

func (p *CreatePaymentIntentParams) wire() (*paymentIntentCreate, error) {
	switch {
	case p.GatewayType == "":
		return nil, transport.InvalidParam(API, "gatewayType", "required")
	case !p.Currency.Valid():
		return nil, transport.InvalidParam(API, "currency", "must be an ISO 4217 code, got %q", p.Currency)
	case len(p.Items) == 0:
		return nil, transport.InvalidParam(API, "items", "at least one item is required")
	}
	items := make([]paymentIntentItem, len(p.Items))
	for i, it := range p.Items {
		field := "items[" + itoa(i) + "]"
		switch {
		case it.Quantity < 1:
			return nil, transport.InvalidParam(API, field+".quantity", "must be at least 1, got %d", it.Quantity)
		case it.Ref == "" && (it.Name == "" || it.AmountPerItem == nil):
			return nil, transport.InvalidParam(API, field, "needs a ref (variant or service) or a name and amountPerItem")
		case it.Ref != "" && it.Type == "":
			return nil, transport.InvalidParam(API, field+".type", "required with ref")
		case it.AmountPerItem != nil && it.AmountPerItem.Sign() < 0:
			return nil, transport.InvalidParam(API, field+".amountPerItem", "must not be negative, got %s", it.AmountPerItem)
		}
		items[i] = paymentIntentItem{Type: it.Type, Ref: it.Ref, Name: it.Name, AmountPerItem: number(it.AmountPerItem), Quantity: it.Quantity}
	}
	return &paymentIntentCreate{GatewayType: p.GatewayType, GatewayReturnURL: p.GatewayReturnURL, GatewayCancelURL: p.GatewayCancelURL, Currency: p.Currency, Items: items}, nil
}

// PaymentIntentService is the billing-payment-intents service (experimental).
type PaymentIntentService struct{ c *Client }

var intentsService = serviceOps{
	find:   transport.Op("findPaymentIntents", "/billing-payment-intents"),
	get:    transport.Op("getPaymentIntent", "/billing-payment-intents/{id}"),
	create: transport.Op("createPaymentIntent", "/billing-payment-intents"),
	patch:  transport.Op("patchPaymentIntent", "/billing-payment-intents/{id}"),
	remove: transport.Op("removePaymentIntent", "/billing-payment-intents/{id}"),
}

// List returns every payment intent matching q, fetching pages lazily.
func (s *PaymentIntentService) List(ctx context.Context, q *Query, opts ...polybill.RequestOption) iter.Seq2[PaymentIntent, error] {
	return listAll[PaymentIntent](ctx, s.c, intentsService, q, opts)
}

// Find returns one page of payment intents.
func (s *PaymentIntentService) Find(ctx context.Context, q *Query, opts ...polybill.RequestOption) (*polybill.Page[PaymentIntent], error) {
	return findPage[PaymentIntent](ctx, s.c, intentsService, q, opts)
}

// Get returns one payment intent.
func (s *PaymentIntentService) Get(ctx context.Context, id string, opts ...polybill.RequestOption) (*PaymentIntent, error) {
	return getOne[PaymentIntent](ctx, s.c, intentsService, id, nil, opts)
}

// Create starts a checkout; send the payer to ApprovalURL.
func (s *PaymentIntentService) Create(ctx context.Context, p CreatePaymentIntentParams, opts ...polybill.RequestOption) (*PaymentIntent, error) {
	body, err := p.wire()
	if err != nil {
		return nil, err
	}
	return createOne[PaymentIntent](ctx, s.c, intentsService, body, transport.UnsafeWrite, opts)
}

// Capture captures an approved intent (PATCH {capture: true}).
func (s *PaymentIntentService) Capture(ctx context.Context, id string, opts ...polybill.RequestOption) (*PaymentIntent, error) {
	t := true
	return patchOne[PaymentIntent](ctx, s.c, intentsService, id, paymentIntentPatch{Capture: t}, opts)
}

// Delete removes a payment intent.
//
// A retried delete whose retry finds the record already gone (404) succeeded: the first
// attempt removed it and its answer was lost. It returns nil, nil (not ErrNotFound).
func (s *PaymentIntentService) Delete(ctx context.Context, id string, opts ...polybill.RequestOption) (*PaymentIntent, error) {
	return removeOne[PaymentIntent](ctx, s.c, intentsService, id, opts)
}

// AnalyticsService reads the two payment-intent totals the vendor guide
// names. ASSUMPTION: the path, query and response shape are undocumented; they
// are modelled as Feathers get on a billing-analytics service whose id is the
// analytics type, with the query selecting payment intents.
type AnalyticsService struct{ c *Client }

// netAmountTotal and receivablesTotal are the two analytics answers.
type netAmountTotal struct {
	NetAmount polybill.Decimal `json:"netAmount"`
}

type receivablesTotal struct {
	Receivables map[string]polybill.Decimal `json:"receivables"`
}

// NetAmountTotal sums netAmount over the payment intents selected by q.
func (s *AnalyticsService) NetAmountTotal(ctx context.Context, q *Query, opts ...polybill.RequestOption) (polybill.Decimal, error) {
	res, err := getAt[netAmountTotal](ctx, s.c, transport.Op("getNetAmountTotal", "/billing-analytics/net-amount-total"), nil, q, opts)
	if err != nil {
		return polybill.Decimal{}, err
	}
	return res.NetAmount, nil
}

// ReceivablesTotal sums each receivables.* field over the payment intents
// selected by q, keyed by field.
func (s *AnalyticsService) ReceivablesTotal(ctx context.Context, q *Query, opts ...polybill.RequestOption) (map[string]polybill.Decimal, error) {
	res, err := getAt[receivablesTotal](ctx, s.c, transport.Op("getReceivablesTotal", "/billing-analytics/receivables-total"), nil, q, opts)
	if err != nil {
		return nil, err
	}
	return res.Receivables, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
