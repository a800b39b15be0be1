package epilot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/paging"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// MaxEventsPageSize is the largest `size` GET /v1/billing/events accepts.
const MaxEventsPageSize = 1000

// ListBillingEventsParams filters and pages the billing event list. Zero values are not sent;
// a nil *ListBillingEventsParams means the defaults.
type ListBillingEventsParams struct {
	// From is the 0-based offset of the first event (the API's `from`; must be >= 0).
	// ListBillingEvents starts there, ListBillingEventsPage fetches the page there; set it to
	// Page.Next to ask for the next page.
	From int
	// Size is the page size, 1..1000; 0 leaves the server default (100).
	Size int
	// EntityIDs keeps events linked to any of these contracts (or other entities).
	EntityIDs []string
	// ContactID keeps events of the contracts of this customer.
	ContactID string
	// EventType keeps one kind. The API's filter accepts only KindInstallment and
	// KindReimbursement; other kinds must be filtered by the caller (Kind()).
	EventType EventKind
	// DateAfter and DateBefore bound booking_date (inclusive).
	DateAfter, DateBefore time.Time
}

func (p ListBillingEventsParams) query(style EntityIDStyle, from int) (url.Values, error) {
	if from < 0 {
		return nil, transport.InvalidParam(API, "from", "must be >= 0, got %d", from)
	}
	if p.Size < 0 || p.Size > MaxEventsPageSize {
		return nil, transport.InvalidParam(API, "size", "must be 1..%d (or 0 for the server default), got %d", MaxEventsPageSize, p.Size)
	}
	if p.EventType != "" && p.EventType != KindInstallment && p.EventType != KindReimbursement {
		return nil, transport.InvalidParam(API, "event_type", "the API filters only installment and reimbursement, not %q; filter other kinds with Kind()", p.EventType)
	}
	if !p.DateAfter.IsZero() && !p.DateBefore.IsZero() && p.DateBefore.Before(p.DateAfter) {
		return nil, transport.InvalidParam(API, "date_before", "is before date_after")
	}
	q := url.Values{}
	if from > 0 {
		q.Set("from", strconv.Itoa(from))
	}
	if p.Size > 0 {
		q.Set("size", strconv.Itoa(p.Size))
	}
	key := "entity_id"
	if style == EntityIDBrackets {
		key = "entity_id[]"
	}
	for i, id := range p.EntityIDs {
		if id == "" {
			return nil, transport.InvalidParam(API, "entity_id", "entity id %d is empty", i)
		}
		q.Add(key, id)
	}
	if p.ContactID != "" {
		q.Set("contact_id", p.ContactID)
	}
	if p.EventType != "" {
		q.Set("event_type", string(p.EventType))
	}
	if !p.DateAfter.IsZero() {
		q.Set("date_after", p.DateAfter.UTC().Format(time.RFC3339))
	}
	if !p.DateBefore.IsZero() {
		q.Set("date_before", p.DateBefore.UTC().Format(time.RFC3339))
	}
	return q, nil
}

// decodedEvent decodes one event of a response through ParseBillingEvent.
type decodedEvent struct{ BillingEvent }

func (d *decodedEvent) UnmarshalJSON(data []byte) error {
	ev, err := ParseBillingEvent(data)
	if err != nil {
		return err
	}
	d.BillingEvent = ev
	return nil
}

type eventList struct {
	Hits    *int        `json:"hits"`
	Results []eventWire `json:"results"`
}

// DecodeBody reads a page of events with the SDK's one reader, each event in place.
func (l *eventList) DecodeBody(body []byte) error { return wire.Decode(body, l) }

// DecodeBody reads a response holding one event.
func (d *decodedEvent) DecodeBody(body []byte) error {
	ev, err := parseBillingEvent(body, wire.DecodeBody)
	if err != nil {
		return err
	}
	d.BillingEvent = ev
	return nil
}

// ListBillingEvents returns every billing event matching params from offset params.From on
// (nil params: every event), fetching pages of params.Size lazily with from/size until `hits`
// events were seen. Breaking out of the loop stops all requests. params and opts are copied
// now: changing them while ranging changes nothing.
func (c *Client) ListBillingEvents(ctx context.Context, params *ListBillingEventsParams, opts ...polybill.RequestOption) iter.Seq2[BillingEvent, error] {
	var p ListBillingEventsParams // a copy: later changes to *params do not affect the sequence
	if params != nil {
		p = *params
	}
	p.EntityIDs = slices.Clone(p.EntityIDs)
	opts = slices.Clone(opts)
	return paging.Iterate(p.From, func(from int) (*polybill.Page[BillingEvent], error) {
		return c.listBillingEventsPage(ctx, p, from, opts)
	})
}

// ListBillingEventsPage returns the page of events starting at offset params.From (nil
// params: the first page with the defaults). Page.Total is `hits`; Page.Next is the offset
// of the next page (set params.From to it to continue).
func (c *Client) ListBillingEventsPage(ctx context.Context, params *ListBillingEventsParams, opts ...polybill.RequestOption) (*polybill.Page[BillingEvent], error) {
	var p ListBillingEventsParams
	if params != nil {
		p = *params
	}
	return c.listBillingEventsPage(ctx, p, p.From, opts)
}

func (c *Client) listBillingEventsPage(ctx context.Context, p ListBillingEventsParams, from int, opts []polybill.RequestOption) (*polybill.Page[BillingEvent], error) {
	q, err := p.query(c.entityIDStyle, from)
	if err != nil {
		return nil, err
	}
	var out eventList
	if err := c.tc.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getBillingEvents", "/v1/billing/events"), Query: q}, &out, opts...); err != nil {
		return nil, err
	}
	page := &polybill.Page[BillingEvent]{Items: make([]BillingEvent, 0, len(out.Results)), Total: -1}
	for i := range out.Results {
		page.Items = append(page.Items, out.Results[i].event())
	}
	page.Next = from + len(page.Items)
	if out.Hits != nil {
		page.Total = *out.Hits
		page.HasMore = len(page.Items) > 0 && page.Next < page.Total
	} else {
		// Without hits, a full page suggests more; an empty or short one ends the list.
		page.HasMore = len(page.Items) > 0 && (p.Size == 0 || len(page.Items) >= p.Size)
	}
	return page, nil
}

// GetBillingEvent returns the event with this id.
func (c *Client) GetBillingEvent(ctx context.Context, id string, opts ...polybill.RequestOption) (BillingEvent, error) {
	if id == "" {
		return nil, transport.InvalidParam(API, "id", "is required")
	}
	var out decodedEvent
	err := c.tc.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getBillingEvent", "/v1/billing/events/{id}"), Params: []string{id}}, &out, opts...)
	return out.BillingEvent, err
}

// GetBillingEventByExternalID returns the event created with this external_id.
//
// epilot does not deduplicate creates, so one external_id can name several events, and its
// lookup (GET /v1/billing/external/{external_id}) answers only one of them. To report the
// others instead of silently picking the first, GetBillingEventByExternalID also lists the
// events of the found event's contract (one extra request per 1,000 events of that contract)
// and returns a *DuplicateExternalIDError, inside a *polybill.Error with Code
// CodeDuplicateExternalID, when more than one carries the external_id. Duplicates linked to
// another contract are not seen. An answer whose external_id is not the one asked for is
// refused (CodeInvalidResponse) rather than returned as the event.
func (c *Client) GetBillingEventByExternalID(ctx context.Context, externalID string, opts ...polybill.RequestOption) (BillingEvent, error) {
	if externalID == "" {
		return nil, transport.InvalidParam(API, "external_id", "is required")
	}
	var out decodedEvent
	err := c.tc.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getBillingEventByExternalId", "/v1/billing/external/{external_id}"), Params: []string{externalID}}, &out, opts...)
	if err != nil {
		return nil, err
	}
	found := out.BillingEvent
	if got := found.Fields().ExternalID; got != externalID {
		return nil, &polybill.Error{API: API, StatusCode: http.StatusOK, Code: polybill.CodeInvalidResponse,
			Message: fmt.Sprintf("the lookup by external_id %q answered an event with external_id %q", externalID, got)}
	}
	contracts := found.Fields().Contract.IDs()
	if len(contracts) == 0 {
		return found, nil
	}
	matches := []BillingEvent{found}
	for ev, err := range c.ListBillingEvents(ctx, &ListBillingEventsParams{EntityIDs: contracts, Size: MaxEventsPageSize}, opts...) {
		if err != nil {
			return nil, err
		}
		if f := ev.Fields(); f.ExternalID == externalID && f.ID != found.Fields().ID {
			matches = append(matches, ev)
		}
	}
	if len(matches) > 1 {
		dup := &DuplicateExternalIDError{ExternalID: externalID, Events: matches}
		return nil, &polybill.Error{API: API, Code: CodeDuplicateExternalID, Message: dup.Error(), Err: dup}
	}
	return found, nil
}

// CodeDuplicateExternalID is the polybill.Error Code of a lookup by external_id that found
// several events; the error wraps a *DuplicateExternalIDError listing them.
const CodeDuplicateExternalID = "duplicate_external_id"

// DuplicateExternalIDError reports the events that share one external_id. Get it with
// errors.As; delete the extra ones (DeleteBillingEvent) to settle which is meant.
type DuplicateExternalIDError struct {
	ExternalID string
	// Events are the events carrying ExternalID, the one the lookup answered first.
	Events []BillingEvent
}

// IDs returns the _id of each duplicate, in the order of Events.
func (e *DuplicateExternalIDError) IDs() []string {
	ids := make([]string, len(e.Events))
	for i, ev := range e.Events {
		ids[i] = ev.Fields().ID
	}
	return ids
}

func (e *DuplicateExternalIDError) Error() string {
	return fmt.Sprintf("external_id %q matches %d events: %s", e.ExternalID, len(e.Events), strings.Join(e.IDs(), ", "))
}

// DeleteBillingEvent deletes the event with this id.
//
// A retried delete whose retry finds nothing (404) succeeded: the first attempt deleted the
// record and its answer was lost. It returns nil, not ErrNotFound; a 404 on the first
// attempt is ErrNotFound.
func (c *Client) DeleteBillingEvent(ctx context.Context, id string, opts ...polybill.RequestOption) error {
	if id == "" {
		return transport.InvalidParam(API, "id", "is required")
	}
	return c.tc.Do(ctx, transport.Call{Method: http.MethodDelete, Op: transport.Op("deleteBillingEvent", "/v1/billing/events/{id}"), Params: []string{id}}, nil, opts...)
}

// CreateBillingEvent creates ev and returns the stored event. It validates ev before sending
// (amount, currency, booking date, contract link, due date for installments and invoices)
// and fills whichever amount form is missing from the other.
//
// The API has no idempotency key, so a create that may have reached the server is never sent
// again; only the transport's retries of a request that provably never left apply. When the
// create fails ambiguously (connection lost, timeout, a 5xx, or a 2xx whose body was cut) and
// the event has an ExternalID, CreateBillingEvent looks the event up by external_id
// (GetBillingEventByExternalID) and returns it when found. Otherwise the create's error is
// returned with polybill.Error.Ambiguous set, joined with the lookup's error: a 404 from the
// lookup does not prove nothing was stored, because an error answer from a gateway (a 504)
// does not mean the backend behind it is done, and it may commit the event later. Look it up
// again later, or call EnsureBillingEvent, before creating it anew. A lookup that finds
// several events with the ExternalID is not settled by picking one: the error is Ambiguous and
// the lookup's error carries the *DuplicateExternalIDError.
func (c *Client) CreateBillingEvent(ctx context.Context, ev BillingEvent, opts ...polybill.RequestOption) (BillingEvent, error) {
	body, err := encodeCreate(ev)
	if err != nil {
		return nil, err
	}
	var out decodedEvent
	var found BillingEvent
	call := transport.Call{Method: http.MethodPost, Op: transport.Op("createBillingEvent", "/v1/billing/events"), Body: json.RawMessage(body), Safety: transport.UnsafeWrite}
	if externalID := ev.Fields().ExternalID; externalID != "" {
		// The transport runs it after an ambiguous failure (or a 2xx whose body was cut),
		// inside the create's call, and joins its error after the create's.
		call.Reconcile = func(ctx context.Context, _ error) (bool, error) {
			if ctx.Err() != nil {
				return false, nil // not tried: the caller gave up, the create's error stands alone
			}
			ev, err := c.GetBillingEventByExternalID(ctx, externalID, opts...)
			if err != nil {
				return false, fmt.Errorf("reconciliation lookup by external_id %q: %w", externalID, err)
			}
			found = ev
			return true, nil
		}
	}
	if err := c.tc.Do(ctx, call, &out, opts...); err != nil {
		return nil, err
	}
	if found != nil {
		return found, nil
	}
	return out.BillingEvent, nil
}

// EnsureBillingEvent creates ev unless an event with its ExternalID exists (required), and
// returns the stored event and whether this call created it. An existing event is returned as
// it is, even when its other fields differ from ev's.
//
// It is a check followed by a create, not an atomic operation: epilot does not deduplicate
// creates by external_id, so two callers that run it concurrently for the same ExternalID can
// both find nothing and both create. Serialize calls per ExternalID (one worker per key, or a
// lock your replicas share) where that matters. The same holds for a create whose earlier
// attempt ended Ambiguous and whose backend commits after this lookup. A lookup that finds
// several events returns the *DuplicateExternalIDError (see GetBillingEventByExternalID).
func (c *Client) EnsureBillingEvent(ctx context.Context, ev BillingEvent, opts ...polybill.RequestOption) (event BillingEvent, created bool, err error) {
	if _, err := encodeCreate(ev); err != nil {
		return nil, false, err
	}
	externalID := ev.Fields().ExternalID
	if externalID == "" {
		return nil, false, transport.InvalidParam(API, "external_id", "EnsureBillingEvent needs the event's ExternalID to find it")
	}
	found, err := c.GetBillingEventByExternalID(ctx, externalID, opts...)
	if err == nil {
		return found, false, nil
	}
	if !errors.Is(err, polybill.ErrNotFound) {
		return nil, false, err
	}
	event, err = c.CreateBillingEvent(ctx, ev, opts...)
	return event, err == nil, err
}

// encodeCreate validates ev as a create body and returns its JSON.
func encodeCreate(ev BillingEvent) ([]byte, error) {
	if v := reflect.ValueOf(ev); ev == nil || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return nil, transport.InvalidParam(API, "event", "is nil")
	}
	kind := ev.Kind()
	if ce, ok := ev.(*CustomEvent); ok {
		if ce.Type == "" {
			return nil, transport.InvalidParam(API, "type", "a custom event needs a type")
		}
		if kind.IsKnown() {
			return nil, transport.InvalidParam(API, "type", "%q has its own event type; use the matching Go type instead of CustomEvent", ce.Type)
		}
	}
	f := *ev.Fields() // a copy: the caller's event is not modified
	// The API assigns these; an event read back and re-created must not carry them over.
	f.ID, f.Org, f.CreatedAt, f.UpdatedAt = "", "", time.Time{}, time.Time{}
	amount, err := f.Amount.complete("billing_amount", "billing_amount_decimal", "billing_currency")
	if err != nil {
		return nil, err
	}
	f.Amount = amount
	if f.BookingDate.IsZero() {
		return nil, transport.InvalidParam(API, "booking_date", "is required")
	}
	if (kind == KindInstallment || kind == KindInvoice) && f.DueDate.IsZero() {
		return nil, transport.InvalidParam(API, "due_date", "is required for %s events", kind)
	}
	if len(f.Contract.IDs()) == 0 {
		return nil, transport.InvalidParam(API, "contract", "an event must link to a contract: set Contract: epilot.Link(contractID)")
	}
	if err := checkEventEnums(f.Direction, f.Status); err != nil {
		return nil, err
	}
	if f.ExternalLink != nil && f.ExternalLink.Href == "" {
		return nil, transport.InvalidParam(API, "external_link.href", "is required")
	}
	body := createWire{eventWire: f.wire(string(kind))}
	if l := f.ExternalLink; l != nil {
		body.ExternalLink = &createLink{Href: l.Href, URL: l.Href, Title: l.Title}
	}
	b, err := wire.Encode(body)
	if err != nil {
		return nil, transport.InvalidParam(API, "extra", "%v", err)
	}
	return b, nil
}

// createWire is the create body: the event's fields, with external_link in the shape the
// vendor's create schema asks for.
type createWire struct {
	eventWire
	ExternalLink *createLink `json:"external_link,omitempty"` // shadows eventWire's
}

// createLink is an external link as a create body carries it. epilot's own spec (npm
// @epilot/sdk 2.20.31, definitions/billing.json, BaseBillingEvent.external_link) defines
// href and title but lists `url` as required, a property it never defines. A server that
// validates requests against that file refuses an href-only link, and one that reads href
// ignores url, so the address goes out under both names (CreateExternalLink in
// openapi/epilot.yaml). Updates keep href and title: the update schema has no url.
type createLink struct {
	Href  string `json:"href"`
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
}

func checkEventEnums(d Direction, s EventStatus) error {
	if d != "" && !d.IsKnown() {
		return transport.InvalidParam(API, "direction", "must be debit or credit, not %q", d)
	}
	if s != "" && !s.IsKnown() {
		return transport.InvalidParam(API, "status", "must be open or closed, not %q", s)
	}
	return nil
}

// BillingEventUpdate is a partial update: only the fields set are sent, and at least one
// must be. The body is flat (BillingEventUpdate in the spec), unlike the create body.
type BillingEventUpdate struct {
	// Kind changes the event's type.
	Kind EventKind
	// Amount, when any part is set, is sent in both forms; Currency is then required so the
	// forms can be converted and checked.
	Amount       Money
	BookingDate  Date
	DueDate      Date
	PaidDate     time.Time
	Contract     Relation
	Direction    Direction
	Status       EventStatus
	ExternalID   *string
	RelatedEvent *string
	ExternalLink *ExternalLink
	Attachments  Relation
	Note         *string
	InternalNote *string
	// Extra sets properties the SDK does not model (org-specific attributes).
	Extra map[string]json.RawMessage
}

type eventUpdateWire struct {
	Type                 string                     `json:"type,omitempty"`
	BillingAmount        *int64                     `json:"billing_amount,omitempty"`
	BillingAmountDecimal *polybill.Decimal          `json:"billing_amount_decimal,omitempty"`
	BillingCurrency      polybill.Currency          `json:"billing_currency,omitempty"`
	BookingDate          Date                       `json:"booking_date,omitzero"`
	DueDate              Date                       `json:"due_date,omitzero"`
	PaidDate             timestamp                  `json:"paid_date,omitzero"`
	Contract             *Relation                  `json:"contract,omitempty"`
	Direction            Direction                  `json:"direction,omitempty"`
	Status               EventStatus                `json:"status,omitempty"`
	ExternalID           *string                    `json:"external_id,omitempty"`
	RelatedEvent         *string                    `json:"related_event,omitempty"`
	ExternalLink         *ExternalLink              `json:"external_link,omitempty"`
	Attachments          *Relation                  `json:"attachments,omitempty"`
	Note                 *string                    `json:"note,omitempty"`
	InternalNote         *string                    `json:"internal_note,omitempty"`
	Extra                map[string]json.RawMessage `json:"-" wire:",extra"`
}

func (u BillingEventUpdate) encode() ([]byte, error) {
	w := eventUpdateWire{
		Type: string(u.Kind), BookingDate: u.BookingDate, DueDate: u.DueDate, PaidDate: timestamp{u.PaidDate},
		Direction: u.Direction, Status: u.Status, ExternalID: u.ExternalID, RelatedEvent: u.RelatedEvent,
		ExternalLink: u.ExternalLink, Note: u.Note, InternalNote: u.InternalNote, Extra: u.Extra,
	}
	if !u.Amount.IsZero() {
		m, err := u.Amount.complete("billing_amount", "billing_amount_decimal", "billing_currency")
		if err != nil {
			return nil, err
		}
		w.BillingAmount, w.BillingAmountDecimal, w.BillingCurrency = m.MinorUnits, m.Decimal, m.Currency
	}
	if !u.Contract.IsZero() {
		if len(u.Contract.IDs()) == 0 {
			return nil, transport.InvalidParam(API, "contract", "the link has no entity id")
		}
		w.Contract = &u.Contract
	}
	if !u.Attachments.IsZero() {
		w.Attachments = &u.Attachments
	}
	if err := checkEventEnums(u.Direction, u.Status); err != nil {
		return nil, err
	}
	if u.ExternalLink != nil && u.ExternalLink.Href == "" {
		return nil, transport.InvalidParam(API, "external_link.href", "is required")
	}
	b, err := wire.Encode(w)
	if err != nil {
		return nil, transport.InvalidParam(API, "extra", "%v", err)
	}
	if string(b) == "{}" {
		return nil, transport.InvalidParam(API, "update", "set at least one field: the API rejects an empty update")
	}
	return b, nil
}

// UpdateBillingEvent changes the fields set in u and returns the updated event.
func (c *Client) UpdateBillingEvent(ctx context.Context, id string, u BillingEventUpdate, opts ...polybill.RequestOption) (BillingEvent, error) {
	if id == "" {
		return nil, transport.InvalidParam(API, "id", "is required")
	}
	body, err := u.encode()
	if err != nil {
		return nil, err
	}
	var out decodedEvent
	// PATCH of the same fields to the same values is idempotent in effect (research §5), so
	// it may be retried like a PUT.
	err = c.tc.Do(ctx, transport.Call{Method: http.MethodPatch, Op: transport.Op("updateBillingEvent", "/v1/billing/events/{id}"), Params: []string{id}, Body: json.RawMessage(body), Safety: transport.Idempotent}, &out, opts...)
	return out.BillingEvent, err
}

// Ptr returns a pointer to v, for the optional text fields of updates.
func Ptr[T any](v T) *T { return &v }
