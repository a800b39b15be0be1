package encounters

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters/internal/qs"
	"github.com/polybill/polybill-go/internal/paging"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// The generic Feathers methods every service shares. Each public method is a
// few lines over these: find (GET /<service>?<query>), get (GET
// /<service>/<id>), create (POST), patch (PATCH /<service>/<id>) and remove
// (DELETE /<service>/<id>). Only the id is escaped (it fills {id}); service
// names may contain "/" (billing/customers is one service).

// serviceOps is one Feathers service: the spec operation (openapi/encounters.yaml) of each of
// its five methods, declared once per service.
type serviceOps struct{ find, get, create, patch, remove polybill.Operation }

func requireID(id string) error {
	if id == "" {
		return transport.InvalidParam(API, "id", "required")
	}
	return nil
}

func encodeQuery(q *Query) (string, error) {
	if q == nil {
		return "", nil
	}
	return q.Encode()
}

func findPage[T any](ctx context.Context, c *Client, service serviceOps, q *Query, opts []polybill.RequestOption) (*polybill.Page[T], error) {
	raw, err := encodeQuery(q)
	if err != nil {
		return nil, err
	}
	var page wirePage[T]
	// An empty find answer is an empty page (sdk-js reads '' as null), not an error.
	call := transport.Call{Method: http.MethodGet, Op: service.find, RawQuery: raw, AllowEmptyBody: true}
	if err := c.do(ctx, call, &page, opts); err != nil {
		return nil, err
	}
	return page.toPage(q), nil
}

// listAll is every service's List. It copies q and opts now (the package template: a caller
// who changes them while ranging changes nothing), and each page gets its own copy of that
// copy with its $skip.
func listAll[T any](ctx context.Context, c *Client, service serviceOps, q *Query, opts []polybill.RequestOption) iter.Seq2[T, error] {
	q = q.Clone()
	opts = slices.Clone(opts)
	start := 0
	if v, ok := q.obj().Get("$skip"); ok {
		if n, ok := v.(qs.Number); ok {
			start, _ = strconv.Atoi(string(n))
		}
	}
	return paging.Iterate(start, func(skip int) (*polybill.Page[T], error) {
		return findPage[T](ctx, c, service, q.Clone().Skip(skip), opts)
	})
}

func getOne[T any](ctx context.Context, c *Client, service serviceOps, id string, q *Query, opts []polybill.RequestOption) (*T, error) {
	if err := requireID(id); err != nil {
		return nil, err
	}
	return getAt[T](ctx, c, service.get, []string{id}, q, opts)
}

// getAt is a Feathers get of op's route filled with params (none for the analytics
// routes, whose id is part of the spec path).
func getAt[T any](ctx context.Context, c *Client, op polybill.Operation, params []string, q *Query, opts []polybill.RequestOption) (*T, error) {
	raw, err := encodeQuery(q)
	if err != nil {
		return nil, err
	}
	// sdk-js reads an empty body as null; the transport refuses it, so a get
	// that found nothing never looks like an empty record.
	out := new(T)
	call := transport.Call{Method: http.MethodGet, Op: op, Params: params, RawQuery: raw}
	if err := c.do(ctx, call, decodeTarget(out), opts); err != nil {
		return nil, err
	}
	return out, nil
}

// encodeBody writes a request body (an unexported wire struct of this package) with the one
// request-body encoder; unset optional fields are omitted, as HapiHub's own client omits them.
func encodeBody(body any) ([]byte, error) {
	b, err := wire.Encode(body)
	if err != nil {
		return nil, transport.InvalidParam(API, "body", "cannot encode the request: %v", err)
	}
	return b, nil
}

func createOne[T any](ctx context.Context, c *Client, service serviceOps, w any, safety transport.Safety, opts []polybill.RequestOption) (*T, error) {
	body, err := encodeBody(w)
	if err != nil {
		return nil, err
	}
	out := new(T)
	// The one deduplicated create is a payment, whose idemp field carries the caller's key.
	call := transport.Call{Method: http.MethodPost, Op: service.create, Body: body, Safety: safety, SendsIdempotencyKey: safety == transport.DedupedWrite}
	if err := c.do(ctx, call, decodeTarget(out), opts); err != nil {
		return nil, err
	}
	return out, nil
}

func patchOne[T any](ctx context.Context, c *Client, service serviceOps, id string, w any, opts []polybill.RequestOption) (*T, error) {
	if err := requireID(id); err != nil {
		return nil, err
	}
	body, err := encodeBody(w)
	if err != nil {
		return nil, err
	}
	out := new(T)
	// Patches carry operators (finalize, capture, card changes) that are not
	// idempotent, so they are never replayed after the request may have left.
	call := transport.Call{Method: http.MethodPatch, Op: service.patch, Params: []string{id}, Body: body, Safety: transport.UnsafeWrite}
	if err := c.do(ctx, call, decodeTarget(out), opts); err != nil {
		return nil, err
	}
	return out, nil
}

// removeOne deletes a record and returns it as the server removed it. A retried removal
// whose retry finds nothing (404) succeeded (the first attempt removed the record and its
// answer was lost): it returns nil, nil, since the removed record never came back.
func removeOne[T any](ctx context.Context, c *Client, service serviceOps, id string, opts []polybill.RequestOption) (*T, error) {
	if err := requireID(id); err != nil {
		return nil, err
	}
	out := new(T)
	var gone bool
	call := transport.Call{Method: http.MethodDelete, Op: service.remove, Params: []string{id}, Safety: transport.Idempotent, Gone: &gone}
	if err := c.do(ctx, call, decodeTarget(out), opts); err != nil {
		return nil, err
	}
	if gone {
		return nil, nil
	}
	return out, nil
}

// number is d as the JSON number the spec's Money is (nil stays nil). A Decimal remembers
// whether it was read from a string; written back as read, a quoted one would break the spec.
func number(d *polybill.Decimal) *polybill.Decimal {
	if d == nil {
		return nil
	}
	u := d.Unquoted()
	return &u
}

// msPtr renders a time as epoch milliseconds for request bodies.
func msPtr(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// Populated holds the records HapiHub attached with $populate, keyed by alias,
// as raw JSON; decode them with json.Unmarshal into the matching type.
type Populated map[string]json.RawMessage

// Unset lists dotted field paths a patch clears. HapiHub clears fields with a
// Mongo-style {"$unset": {"a.b": 1}}; JSON null is never sent in a patch.
type Unset []string

func (u Unset) wire() map[string]int {
	if len(u) == 0 {
		return nil
	}
	m := make(map[string]int, len(u))
	for _, f := range u {
		m[f] = 1
	}
	return m
}

func (u Unset) validate() error {
	for _, f := range u {
		if f == "" {
			return transport.InvalidParam(API, "$unset", "empty field path")
		}
	}
	return nil
}

func requireMoney(field string, d polybill.Decimal, positive bool) error {
	if d.Sign() < 0 || (positive && d.Sign() == 0) {
		return transport.InvalidParam(API, field, "must be positive, got %s", d)
	}
	return nil
}
