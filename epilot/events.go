package epilot

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot/internal/oapi"
	"github.com/polybill/polybill-go/internal/transport"
)

// MaxEventsPageSize is the largest `size` GET /v1/billing/events accepts.
const MaxEventsPageSize = 1000

// defaultEventsPageSize is the page size the API uses when `size` is not sent.
const defaultEventsPageSize = 100

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
		return nil, polybill.InvalidParam(apiName, "from", "must be >= 0, got %d", from)
	}
	if p.Size < 0 || p.Size > MaxEventsPageSize {
		return nil, polybill.InvalidParam(apiName, "size", "must be 1..%d (or 0 for the server default), got %d", MaxEventsPageSize, p.Size)
	}
	if p.EventType != "" && !oapi.GetBillingEventsParamsEventType(p.EventType).Valid() {
		return nil, polybill.InvalidParam(apiName, "event_type", "the API filters only installment and reimbursement, not %q; filter other kinds with Kind()", p.EventType)
	}
	if !p.DateAfter.IsZero() && !p.DateBefore.IsZero() && p.DateBefore.Before(p.DateAfter) {
		return nil, polybill.InvalidParam(apiName, "date_before", "is before date_after")
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
			return nil, polybill.InvalidParam(apiName, "entity_id", "entity id %d is empty", i)
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
	Hits    *int           `json:"hits"`
	Results []decodedEvent `json:"results"`
}

// ListBillingEvents returns every billing event matching params from offset params.From on
// (nil params: every event), fetching pages of params.Size lazily with from/size until `hits`
// events were seen. Breaking out of the loop stops all requests.
func (c *Client) ListBillingEvents(ctx context.Context, params *ListBillingEventsParams, opts ...polybill.RequestOption) iter.Seq2[BillingEvent, error] {
	var p ListBillingEventsParams // a copy: later changes to *params do not affect the sequence
	if params != nil {
		p = *params
	}
	return polybill.Iterate(p.From, func(from int) (*polybill.Page[BillingEvent], error) {
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
	// The events are appended to Results, within this capacity for a full page.
	size := p.Size
	if size == 0 {
		size = defaultEventsPageSize
	}
	out := eventList{Results: make([]decodedEvent, 0, size)}
	if err := c.t.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getBillingEvents", "/v1/billing/events"), Query: q}, &out, opts...); err != nil {
		return nil, err
	}
	page := &polybill.Page[BillingEvent]{Items: make([]BillingEvent, 0, len(out.Results)), Total: -1}
	for _, r := range out.Results {
		page.Items = append(page.Items, r.BillingEvent)
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
		return nil, polybill.InvalidParam(apiName, "id", "is required")
	}
	var out decodedEvent
	err := c.t.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getBillingEvent", "/v1/billing/events/{id}"), Params: []string{id}}, &out, opts...)
	return out.BillingEvent, err
}

// GetBillingEventByExternalID returns the event created with this external_id.
func (c *Client) GetBillingEventByExternalID(ctx context.Context, externalID string, opts ...polybill.RequestOption) (BillingEvent, error) {
	if externalID == "" {
		return nil, polybill.InvalidParam(apiName, "external_id", "is required")
	}
	var out decodedEvent
	err := c.t.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getBillingEventByExternalId", "/v1/billing/external/{external_id}"), Params: []string{externalID}}, &out, opts...)
	return out.BillingEvent, err
}

// DeleteBillingEvent deletes the event with this id.
func (c *Client) DeleteBillingEvent(ctx context.Context, id string, opts ...polybill.RequestOption) error {
	if id == "" {
		return polybill.InvalidParam(apiName, "id", "is required")
	}
	return c.t.Do(ctx, transport.Call{Method: http.MethodDelete, Op: transport.Op("deleteBillingEvent", "/v1/billing/events/{id}"), Params: []string{id}}, nil, opts...)
}

// CreateBillingEvent creates ev and returns the stored event. It validates ev before sending
// (amount, currency, booking date, contract link, due date for installments and invoices)
// and fills whichever amount form is missing from the other.
//
// The API has no idempotency key, so a create is never blindly repeated. When the event has
// an ExternalID and the create fails ambiguously (connection lost, timeout or a 5xx after the
// request was sent: it may have been stored), CreateBillingEvent asks GET
// /v1/billing/external/{external_id}: if the event exists it is returned as the result.
// If the lookup says 404, the create is sent again (at most WithCreateAttempts times in total)
// only when the failure was an answer from the server (a 5xx): the server was done with that
// request, so 404 means it stored nothing. After a lost connection or a timeout the first
// request may still be in flight on the server, so a 404 proves nothing and re-sending could
// store the event twice (the reliability suite reproduced exactly that): the ambiguous error
// is returned instead, and the caller can look the event up later with
// GetBillingEventByExternalID.
// Without an ExternalID only the transport's never-sent retries apply and an ambiguous
// failure is returned as is (polybill.Error.Ambiguous).
func (c *Client) CreateBillingEvent(ctx context.Context, ev BillingEvent, opts ...polybill.RequestOption) (BillingEvent, error) {
	body, err := encodeCreate(ev)
	if err != nil {
		return nil, err
	}
	externalID := ev.Fields().ExternalID
	call := transport.Call{Method: http.MethodPost, Op: transport.Op("createBillingEvent", "/v1/billing/events"), Body: json.RawMessage(body), Safety: transport.UnsafeWrite}
	for attempt := 1; ; attempt++ {
		var out decodedEvent
		err := c.t.Do(ctx, call, &out, opts...)
		if err == nil {
			return out.BillingEvent, nil
		}
		var pe *polybill.Error
		if externalID == "" || !errors.As(err, &pe) || !pe.Ambiguous || ctx.Err() != nil {
			return nil, err
		}
		found, lerr := c.GetBillingEventByExternalID(ctx, externalID, opts...)
		if lerr == nil {
			c.t.Reconciled(ctx, call.Method, call.Op)
			return found, nil
		}
		serverAnswered := pe.StatusCode != 0
		if !errors.Is(lerr, polybill.ErrNotFound) || !serverAnswered || attempt >= c.maxCreates {
			// The lookup could not settle it, the first request may still be in flight, or the
			// attempts are spent: report the create's failure (still Ambiguous) with the
			// lookup's for context.
			return nil, errors.Join(err, lerr)
		}
	}
}

// encodeCreate validates ev as a create body and returns its JSON.
func encodeCreate(ev BillingEvent) ([]byte, error) {
	if v := reflect.ValueOf(ev); ev == nil || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return nil, polybill.InvalidParam(apiName, "event", "is nil")
	}
	kind := ev.Kind()
	if ce, ok := ev.(*CustomEvent); ok {
		if ce.Type == "" {
			return nil, polybill.InvalidParam(apiName, "type", "a custom event needs a type")
		}
		if kind.IsKnown() {
			return nil, polybill.InvalidParam(apiName, "type", "%q has its own event type; use the matching Go type instead of CustomEvent", ce.Type)
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
		return nil, polybill.InvalidParam(apiName, "booking_date", "is required")
	}
	if (kind == KindInstallment || kind == KindInvoice) && f.DueDate.IsZero() {
		return nil, polybill.InvalidParam(apiName, "due_date", "is required for %s events", kind)
	}
	if len(f.Contract.IDs()) == 0 {
		return nil, polybill.InvalidParam(apiName, "contract", "an event must link to a contract: set Contract: epilot.Link(contractID)")
	}
	if err := checkEventEnums(f.Direction, f.Status); err != nil {
		return nil, err
	}
	if f.ExternalLink != nil && f.ExternalLink.Href == "" {
		return nil, polybill.InvalidParam(apiName, "external_link.href", "is required")
	}
	return f.marshal(string(kind))
}

func checkEventEnums(d Direction, s EventStatus) error {
	if d != "" && !oapi.EventDirection(d).Valid() {
		return polybill.InvalidParam(apiName, "direction", "must be debit or credit, not %q", d)
	}
	if s != "" && !oapi.EventStatus(s).Valid() {
		return polybill.InvalidParam(apiName, "status", "must be open or closed, not %q", s)
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
	Type                 string            `json:"type,omitempty"`
	BillingAmount        *int64            `json:"billing_amount,omitempty"`
	BillingAmountDecimal *polybill.Decimal `json:"billing_amount_decimal,omitempty"`
	BillingCurrency      polybill.Currency `json:"billing_currency,omitempty"`
	BookingDate          Date              `json:"booking_date,omitzero"`
	DueDate              Date              `json:"due_date,omitzero"`
	PaidDate             timestamp         `json:"paid_date,omitzero"`
	Contract             *Relation         `json:"contract,omitempty"`
	Direction            Direction         `json:"direction,omitempty"`
	Status               EventStatus       `json:"status,omitempty"`
	ExternalID           *string           `json:"external_id,omitempty"`
	RelatedEvent         *string           `json:"related_event,omitempty"`
	ExternalLink         *ExternalLink     `json:"external_link,omitempty"`
	Attachments          *Relation         `json:"attachments,omitempty"`
	Note                 *string           `json:"note,omitempty"`
	InternalNote         *string           `json:"internal_note,omitempty"`
}

func (u BillingEventUpdate) encode() ([]byte, error) {
	w := eventUpdateWire{
		Type: string(u.Kind), BookingDate: u.BookingDate, DueDate: u.DueDate, PaidDate: timestamp{u.PaidDate},
		Direction: u.Direction, Status: u.Status, ExternalID: u.ExternalID, RelatedEvent: u.RelatedEvent,
		ExternalLink: u.ExternalLink, Note: u.Note, InternalNote: u.InternalNote,
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
			return nil, polybill.InvalidParam(apiName, "contract", "the link has no entity id")
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
		return nil, polybill.InvalidParam(apiName, "external_link.href", "is required")
	}
	b, err := marshalOpen(w, u.Extra)
	if err != nil {
		return nil, polybill.InvalidParam(apiName, "extra", "%v", err)
	}
	if string(b) == "{}" {
		return nil, polybill.InvalidParam(apiName, "update", "set at least one field: the API rejects an empty update")
	}
	return b, nil
}

// UpdateBillingEvent changes the fields set in u and returns the updated event.
func (c *Client) UpdateBillingEvent(ctx context.Context, id string, u BillingEventUpdate, opts ...polybill.RequestOption) (BillingEvent, error) {
	if id == "" {
		return nil, polybill.InvalidParam(apiName, "id", "is required")
	}
	body, err := u.encode()
	if err != nil {
		return nil, err
	}
	var out decodedEvent
	// PATCH of the same fields to the same values is idempotent in effect (research §5), so
	// it may be retried like a PUT.
	err = c.t.Do(ctx, transport.Call{Method: http.MethodPatch, Op: transport.Op("updateBillingEvent", "/v1/billing/events/{id}"), Params: []string{id}, Body: json.RawMessage(body), Safety: transport.Idempotent}, &out, opts...)
	return out.BillingEvent, err
}

// Ptr returns a pointer to v, for the optional text fields of updates.
func Ptr[T any](v T) *T { return &v }
