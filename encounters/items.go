package encounters

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// Item is a BillingItem: one line of an invoice. Items are drafts until
// finalized (directly, or by finalizing their invoice). Paid and Balance are
// computed by the server.
type Item struct {
	polybill.FieldProblems `json:"-"`
	ID                     string           `json:"id"`
	Invoice                string           `json:"invoice"`
	InvoiceType            string           `json:"invoiceType"`
	InvoiceSubject         string           `json:"invoiceSubject"`
	Facility               string           `json:"facility"`
	Type                   string           `json:"type"`
	Ref                    string           `json:"ref"`
	RefType                string           `json:"refType"`
	Name                   string           `json:"name"`
	Description            string           `json:"description"`
	Quantity               int              `json:"quantity"`
	PriceCurrency          string           `json:"priceCurrency"`
	Price                  polybill.Decimal `json:"price"`
	Paid                   polybill.Decimal `json:"paid"`
	Balance                polybill.Decimal `json:"balance"`
	FinalizedAt            time.Time        `json:"-" wire:"finalizedAt,millis"`
	FinalizedBy            string           `json:"finalizedBy"`
	VoidedAt               time.Time        `json:"-" wire:"voidedAt,millis"`
	VoidedBy               string           `json:"voidedBy"`
	VoidReason             string           `json:"voidReason"`
	InvoiceCreatedAt       time.Time        `json:"-" wire:"invoiceCreatedAt,millis"`
	CreatedAt              time.Time        `json:"-" wire:"createdAt,millis"`
	CreatedBy              string           `json:"createdBy"`
	Populated              Populated        `json:"$populated"`
	Raw                    json.RawMessage  `json:"-" wire:",raw"`
}

// Finalized reports whether the item is no longer a draft.
func (i *Item) Finalized() bool { return !i.FinalizedAt.IsZero() }

// UnmarshalJSON reads the record as the client does (see the package doc).
func (i *Item) UnmarshalJSON(b []byte) error { return decode(b, i) }

// CreateItemParams are the fields of a new invoice line. Invoice, Type and
// Price are required; Quantity defaults to 1 on the server.
type CreateItemParams struct {
	Invoice       string
	Type          string // e.g. "service"
	Ref           string // the service id, inventory variant…
	RefType       string
	Name          string
	Description   string
	Quantity      int
	PriceCurrency string
	Price         polybill.Decimal
}

// itemCreate and itemPatch are the request bodies (ItemCreate and ItemPatch in
// openapi/encounters.yaml), keys in the spec's alphabetical order; unset fields are omitted
// (quantity too: the server defaults it to 1).
type itemCreate struct {
	Description   string           `json:"description,omitempty"`
	Invoice       string           `json:"invoice"`
	Name          string           `json:"name,omitempty"`
	Price         polybill.Decimal `json:"price"`
	PriceCurrency string           `json:"priceCurrency,omitempty"`
	Quantity      int              `json:"quantity,omitempty"`
	Ref           string           `json:"ref,omitempty"`
	RefType       string           `json:"refType,omitempty"`
	Type          string           `json:"type"`
}

type itemPatch struct {
	Unset       map[string]int    `json:"$unset,omitempty"`
	Description string            `json:"description,omitempty"`
	Finalize    bool              `json:"finalize,omitempty"`
	Name        string            `json:"name,omitempty"`
	Price       *polybill.Decimal `json:"price,omitempty"`
	Quantity    int               `json:"quantity,omitempty"`
}

func (p *CreateItemParams) wire() (*itemCreate, error) {
	switch {
	case p.Invoice == "":
		return nil, transport.InvalidParam(API, "invoice", "required")
	case p.Type == "":
		return nil, transport.InvalidParam(API, "type", "required")
	case p.Quantity < 0:
		return nil, transport.InvalidParam(API, "quantity", "must be at least 1, got %d", p.Quantity)
	}
	if err := requireMoney("price", p.Price, false); err != nil {
		return nil, err
	}
	return &itemCreate{
		Invoice: p.Invoice, Type: p.Type, Ref: p.Ref, RefType: p.RefType, Name: p.Name,
		Description: p.Description, Quantity: p.Quantity, PriceCurrency: p.PriceCurrency, Price: p.Price.Unquoted(),
	}, nil
}

// PatchItemParams changes a draft item. Zero fields are left alone; list
// fields to clear in Unset.
type PatchItemParams struct {
	Name        string
	Description string
	Quantity    int
	Price       *polybill.Decimal
	Unset       Unset
}

// ItemService is the billing-items service.
type ItemService struct{ c *Client }

var itemsService = serviceOps{
	find:   transport.Op("findItems", "/billing-items"),
	get:    transport.Op("getItem", "/billing-items/{id}"),
	create: transport.Op("createItem", "/billing-items"),
	patch:  transport.Op("patchItem", "/billing-items/{id}"),
	remove: transport.Op("removeItem", "/billing-items/{id}"),
}

// List returns every item matching q, fetching pages lazily over $skip.
func (s *ItemService) List(ctx context.Context, q *Query, opts ...polybill.RequestOption) iter.Seq2[Item, error] {
	return listAll[Item](ctx, s.c, itemsService, q, opts)
}

// Find returns one page of items.
func (s *ItemService) Find(ctx context.Context, q *Query, opts ...polybill.RequestOption) (*polybill.Page[Item], error) {
	return findPage[Item](ctx, s.c, itemsService, q, opts)
}

// Get returns one item.
func (s *ItemService) Get(ctx context.Context, id string, q *Query, opts ...polybill.RequestOption) (*Item, error) {
	return getOne[Item](ctx, s.c, itemsService, id, q, opts)
}

// Create adds a line to a draft invoice. HapiHub refuses items on a finalized
// invoice. Not retried once it may have reached the server.
func (s *ItemService) Create(ctx context.Context, p CreateItemParams, opts ...polybill.RequestOption) (*Item, error) {
	body, err := p.wire()
	if err != nil {
		return nil, err
	}
	return createOne[Item](ctx, s.c, itemsService, body, transport.UnsafeWrite, opts)
}

// Patch changes a draft item.
func (s *ItemService) Patch(ctx context.Context, id string, p PatchItemParams, opts ...polybill.RequestOption) (*Item, error) {
	if p.Quantity < 0 {
		return nil, transport.InvalidParam(API, "quantity", "must be at least 1, got %d", p.Quantity)
	}
	if p.Price != nil {
		if err := requireMoney("price", *p.Price, false); err != nil {
			return nil, err
		}
	}
	if err := p.Unset.validate(); err != nil {
		return nil, err
	}
	body := itemPatch{Name: p.Name, Description: p.Description, Quantity: p.Quantity, Price: number(p.Price), Unset: p.Unset.wire()}
	return patchOne[Item](ctx, s.c, itemsService, id, body, opts)
}

// Finalize finalizes one item directly (PATCH {finalize: true}).
func (s *ItemService) Finalize(ctx context.Context, id string, opts ...polybill.RequestOption) (*Item, error) {
	t := true
	return patchOne[Item](ctx, s.c, itemsService, id, itemPatch{Finalize: t}, opts)
}

// Delete removes a draft item and its payments; finalized items are refused.
//
// A retried delete whose retry finds the record already gone (404) succeeded: the first
// attempt removed it and its answer was lost. It returns nil, nil (not ErrNotFound).
func (s *ItemService) Delete(ctx context.Context, id string, opts ...polybill.RequestOption) (*Item, error) {
	return removeOne[Item](ctx, s.c, itemsService, id, opts)
}
