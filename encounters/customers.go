package encounters

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// The billing/customers service is known only from the vendor guide (its
// Stripe section); no apiDoc or SDK covers it. Fields beyond owner, the Stripe
// token and the card list are ASSUMPTIONS.

// CustomerOwner owns a billing customer: exactly one of an account or an
// organization.
type CustomerOwner struct {
	Account      string `json:"account,omitempty"`
	Organization string `json:"organization,omitempty"`
}

// Card is a saved Stripe card (https://stripe.com/docs/api/cards/object).
// Raw keeps every field Stripe sent.
type Card struct {
	polybill.FieldProblems `json:"-"`
	ID                     string          `json:"id"`
	Brand                  string          `json:"brand"`
	Last4                  string          `json:"last4"`
	ExpMonth               int             `json:"exp_month"`
	ExpYear                int             `json:"exp_year"`
	Raw                    json.RawMessage `json:"-" wire:",raw"`
}

// UnmarshalJSON reads the card as the client does, keeping it whole in Raw.
func (c *Card) UnmarshalJSON(b []byte) error { return decode(b, c) }

// Customer is a BillingCustomer (vendor guide only; unverified).
type Customer struct {
	polybill.FieldProblems `json:"-"`
	ID                     string        `json:"id"`
	Owner                  CustomerOwner `json:"owner"`
	// StripeCustomer is the Stripe customer id (ASSUMPTION).
	StripeCustomer string `json:"stripeCustomer"`
	// DefaultCard is the id of the default card (ASSUMPTION).
	DefaultCard string `json:"defaultCard"`
	// Cards is filled only by GetWithCards ($populateStripeCards=#true), from
	// stripeCustomerCards.data.
	Cards     []Card          `json:"-"`
	CreatedAt time.Time       `json:"-" wire:"createdAt,millis"`
	CreatedBy string          `json:"createdBy"`
	Raw       json.RawMessage `json:"-" wire:",raw"`
}

// customerWire is how a customer is read: the record, plus the cards that
// $populateStripeCards attaches as stripeCustomerCards.data.
type customerWire struct {
	Customer
	Cards *struct {
		Data []Card `wire:"data"`
	} `wire:"stripeCustomerCards"`
}

// UnmarshalJSON reads the record as the client does, with the populated card list.
func (c *Customer) UnmarshalJSON(b []byte) error { return c.read(b, wire.Decode) }

func (c *Customer) read(b []byte, decodeWith func([]byte, any) error) error {
	var w customerWire
	if err := decodeWith(b, &w); err != nil {
		return err
	}
	*c = w.Customer
	if w.Cards != nil {
		c.Cards = w.Cards.Data
	}
	return nil
}

// CreateCustomerParams create a billing customer. Owner must name exactly one
// of an account or an organization. StripeToken (from Stripe.js) saves a
// default card; StripeEmail is registered in Stripe.
type CreateCustomerParams struct {
	Owner       CustomerOwner
	StripeToken string
	StripeEmail string
}

// CustomerService is the billing/customers service (vendor guide only).
type CustomerService struct{ c *Client }

var customersService = serviceOps{
	find:   transport.Op("findCustomers", "/billing/customers"),
	get:    transport.Op("getCustomer", "/billing/customers/{id}"),
	create: transport.Op("createCustomer", "/billing/customers"),
	patch:  transport.Op("patchCustomer", "/billing/customers/{id}"),
	remove: transport.Op("removeCustomer", "/billing/customers/{id}"),
}

// List returns every customer matching q, fetching pages lazily over $skip.
func (s *CustomerService) List(ctx context.Context, q *Query, opts ...polybill.RequestOption) iter.Seq2[Customer, error] {
	return listAll[Customer](ctx, s.c, customersService, q, opts)
}

// Find returns one page of customers.
func (s *CustomerService) Find(ctx context.Context, q *Query, opts ...polybill.RequestOption) (*polybill.Page[Customer], error) {
	return findPage[Customer](ctx, s.c, customersService, q, opts)
}

// Get returns one customer without its cards.
func (s *CustomerService) Get(ctx context.Context, id string, opts ...polybill.RequestOption) (*Customer, error) {
	return getOne[Customer](ctx, s.c, customersService, id, nil, opts)
}

// GetWithCards returns one customer with its saved Stripe cards
// ($populateStripeCards=#true). The vendor guide writes ?$populateStripeCards=true, but
// HapiHub's own client, @mycure/sdk-js 5.33.3 (src/utils/request-handler.js, encodeValues),
// tags every boolean of a query with "#" before qs.stringify, so it is sent as the SDK sends it.
func (s *CustomerService) GetWithCards(ctx context.Context, id string, opts ...polybill.RequestOption) (*Customer, error) {
	if err := requireID(id); err != nil {
		return nil, err
	}
	out := new(Customer)
	call := transport.Call{Method: "GET", Op: customersService.get, Params: []string{id}, RawQuery: NewQuery().Set(true, "$populateStripeCards").String()}
	if err := s.c.do(ctx, call, out, opts); err != nil {
		return nil, err
	}
	return out, nil
}

// customerCreate and customerPatch are the request bodies (CustomerCreate and CustomerPatch in
// openapi/encounters.yaml), keys in the spec's alphabetical order; unset fields are omitted.
type customerCreate struct {
	Owner       customerOwner `json:"owner"`
	StripeEmail string        `json:"stripeEmail,omitempty"`
	StripeToken string        `json:"stripeToken,omitempty"`
}

type customerOwner struct {
	Account      string `json:"account,omitempty"`
	Organization string `json:"organization,omitempty"`
}

type customerPatch struct {
	DeleteStripeCard     string `json:"$deleteStripeCard,omitempty"`
	SetDefaultStripeCard string `json:"$setDefaultStripeCard,omitempty"`
	StripeToken          string `json:"stripeToken,omitempty"`
}

// Create creates a billing customer.
func (s *CustomerService) Create(ctx context.Context, p CreateCustomerParams, opts ...polybill.RequestOption) (*Customer, error) {
	if (p.Owner.Account == "") == (p.Owner.Organization == "") {
		return nil, transport.InvalidParam(API, "owner", "exactly one of owner.account or owner.organization is required")
	}
	body := customerCreate{
		Owner:       customerOwner{Account: p.Owner.Account, Organization: p.Owner.Organization},
		StripeToken: p.StripeToken, StripeEmail: p.StripeEmail,
	}
	return createOne[Customer](ctx, s.c, customersService, body, transport.UnsafeWrite, opts)
}

// AddCard saves another card from a Stripe token; it becomes the default.
func (s *CustomerService) AddCard(ctx context.Context, id, stripeToken string, opts ...polybill.RequestOption) (*Customer, error) {
	if stripeToken == "" {
		return nil, transport.InvalidParam(API, "stripeToken", "required")
	}
	return patchOne[Customer](ctx, s.c, customersService, id, customerPatch{StripeToken: stripeToken}, opts)
}

// DeleteCard deletes a saved card ($deleteStripeCard); if it was the default,
// the next saved card becomes the default.
func (s *CustomerService) DeleteCard(ctx context.Context, id, cardID string, opts ...polybill.RequestOption) (*Customer, error) {
	if cardID == "" {
		return nil, transport.InvalidParam(API, "$deleteStripeCard", "card id required")
	}
	return patchOne[Customer](ctx, s.c, customersService, id, customerPatch{DeleteStripeCard: cardID}, opts)
}

// SetDefaultCard makes a saved card the default ($setDefaultStripeCard).
func (s *CustomerService) SetDefaultCard(ctx context.Context, id, cardID string, opts ...polybill.RequestOption) (*Customer, error) {
	if cardID == "" {
		return nil, transport.InvalidParam(API, "$setDefaultStripeCard", "card id required")
	}
	return patchOne[Customer](ctx, s.c, customersService, id, customerPatch{SetDefaultStripeCard: cardID}, opts)
}

// Delete removes a customer.
//
// A retried delete whose retry finds the record already gone (404) succeeded: the first
// attempt removed it and its answer was lost. It returns nil, nil (not ErrNotFound).
func (s *CustomerService) Delete(ctx context.Context, id string, opts ...polybill.RequestOption) (*Customer, error) {
	return removeOne[Customer](ctx, s.c, customersService, id, opts)
}
