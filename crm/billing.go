package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/paging"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// Status is a billing's state. The vendor documents pending, paid and overdue; any other value
// the server sends is kept verbatim (the official SDK coerces paid and overdue into "active",
// which loses the one thing a billing status is for).
type Status string

// The documented billing states.
const (
	StatusPending Status = "pending"
	StatusPaid    Status = "paid"
	StatusOverdue Status = "overdue"
)

// IsKnown reports whether s is one of the documented states.
func (s Status) IsKnown() bool {
	switch s {
	case StatusPending, StatusPaid, StatusOverdue:
		return true
	}
	return false
}

// Billing is a billing record. It is read from a JSON:API resource or from a plain object, and
// from either of the two field-name sets in use (the vendor document's and the official SDK's):
// the `wire` tag of each field lists every key it is read from, preferred first. Absent fields
// stay zero (nil for amounts and times): nothing is filled in by guess. A value that cannot be
// read (an amount "" or "250.00 ", a date that is not one) leaves its field zero and is listed
// by Problems with its raw value; see the package doc.
type Billing struct {
	polybill.FieldProblems `json:"-"`
	// ID is the resource id (JSON:API `id`; for plain objects the `id` key), or UniqueID when
	// the server sent no id.
	ID string `wire:"id"`
	// Type is the JSON:API resource type ("billing" per the vendor, "meeting_billing" per the
	// SDK); empty for plain objects.
	Type     string `wire:"type"`
	UniqueID string `wire:"unique_id,uniqueId"`
	// MeetingID is `meeting_id` (vendor) or `meeting_unique_id` (SDK).
	MeetingID string `wire:"meeting_id,meeting_unique_id,meetingUniqueId"`
	// Amount is `amount` or `fee_amount`, read from a JSON number or a numeric string.
	Amount *polybill.Decimal `wire:"amount,fee_amount"`
	// Currency is `currency` or `fee_currency`, as sent (not checked); the vendor model has none.
	Currency    polybill.Currency `wire:"currency,fee_currency"`
	PayerName   string            `wire:"payer_name,payerName"`
	PayerEmail  string            `wire:"payer_email,payerEmail"`
	PayerType   string            `wire:"payer_type,payerType"`
	BillingType string            `wire:"billing_type,billingType"`
	// ParticipantEmail and ParticipantUniqueID identify the billed participant (SDK fields).
	ParticipantEmail    string `wire:"participant_email,participantEmail"`
	ParticipantUniqueID string `wire:"participant_unique_id,contact_unique_id,participantUniqueId"`
	// Status is the vendor's state, verbatim.
	Status Status `wire:"status"`
	// BillingStatus is the SDK's separate payment state (e.g. "unpaid"), verbatim.
	BillingStatus string `wire:"billing_status,billingStatus"`
	// Notes is `notes` or `billing_notes`.
	Notes string `wire:"notes,billing_notes"`
	// SessionDate is the EAP session's day as sent (YYYY-MM-DD).
	SessionDate string `wire:"session_date,sessionDate"`
	// DueAt is `due_at` or `invoice_due_date`.
	DueAt     *time.Time `wire:"due_at,invoice_due_date,due_date"`
	PaidAt    *time.Time `wire:"paid_at,paidAt"`
	CreatedAt *time.Time `wire:"created_at,createdAt"`
	UpdatedAt *time.Time `wire:"updated_at,updatedAt"`
	// Attributes is the attributes object exactly as sent (the whole object for plain data),
	// for fields this type does not name.
	Attributes json.RawMessage `wire:"attributes,raw,flatten"`
}

// UnmarshalJSON reads a JSON:API resource or a plain billing object, as the client does.
func (b *Billing) UnmarshalJSON(data []byte) error {
	*b = Billing{}
	if err := wire.Decode(data, b); err != nil {
		return err
	}
	b.fill()
	return nil
}

// fill applies the one rule a tag cannot say: a billing without an id is known by its
// unique_id.
func (b *Billing) fill() {
	if b.ID == "" {
		b.ID = b.UniqueID
	}
}

// meetingBillingDoc is the answer of GET /meetings/{id}/billing: one resource (vendor
// document) or a list with meta (official SDK). The SDK turns the single form into an empty
// list without an error; here both decode.
type meetingBillingDoc struct {
	Billings wire.OneOrMany[Billing] `wire:"data"`
	Meta     pageMeta                `wire:"meta"`
}

// DecodeBody is the transport's entry: the body is read once, as received.
func (d *meetingBillingDoc) DecodeBody(body []byte) error {
	if err := wire.Decode(body, d); err != nil {
		return fmt.Errorf("crm: %w", err)
	}
	for i := range d.Billings.Items {
		d.Billings.Items[i].fill()
	}
	return nil
}

// billingDoc is `{"data": <billing>}`.
type billingDoc struct {
	Data *Billing `wire:"data"`
}

// DecodeBody: see meetingBillingDoc.DecodeBody.
func (d *billingDoc) DecodeBody(body []byte) error {
	if err := wire.Decode(body, d); err != nil {
		return fmt.Errorf("crm: %w", err)
	}
	if d.Data == nil {
		return fmt.Errorf("crm: response has no data")
	}
	d.Data.fill()
	return nil
}

// GetMeetingBilling returns the billing of a meeting, as the vendor document describes the
// route. Servers that answer with a list (as the official SDK expects) are handled too: a
// one-element list is that billing; an empty list is a not-found error; a longer list is an
// error pointing to ListMeetingBillings, since picking one would silently drop the others.
func (c *Client) GetMeetingBilling(ctx context.Context, meetingID string, opts ...polybill.RequestOption) (*Billing, error) {
	if err := requireID("meeting_unique_id", meetingID); err != nil {
		return nil, err
	}
	var doc meetingBillingDoc
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getMeetingBilling", "/meetings/{meeting_unique_id}/billing"),
		Params: []string{meetingID},
	}, &doc, opts...); err != nil {
		return nil, err
	}
	switch billings := doc.Billings.Items; len(billings) {
	case 1:
		return &billings[0], nil
	case 0:
		return nil, &polybill.Error{API: API, StatusCode: http.StatusNotFound, Code: "not_found",
			Message: "the server returned no billing for meeting " + strconv.Quote(meetingID)}
	default:
		return nil, &polybill.Error{API: API, Code: polybill.CodeInvalidResponse,
			Message: fmt.Sprintf("the server returned %d billings for the meeting; use ListMeetingBillings", len(doc.Billings.Items))}
	}
}

// defaultRecords is the page size the vendor's meetings API documents as its default.
const defaultRecords = 15

// ListMeetingBillingsParams filters and pages a meeting's billings. Zero values are not sent.
type ListMeetingBillingsParams struct {
	// Page is the 1-based page to start from (default 1; always sent).
	Page int
	// Records is the page size (the server's default is 15). No source gives a maximum, so
	// none is enforced here: the server decides.
	Records int
	// Status filters on the billing state.
	Status Status
	// BillingStatus filters on the SDK's separate payment state (e.g. "unpaid").
	BillingStatus string
	PayerName     string
	Search        string
	// Sort is a comma-separated list of fields, each prefixed with "-" for descending; a
	// dotted key names a related resource's field: "-created_at,payer_name",
	// "meeting.start_time" (JSON:API's sort syntax). Only what cannot be a sort list (an empty
	// field, spaces, punctuation other than "-", "_", "." and ",") is refused before sending.
	Sort string
}

func (p *ListMeetingBillingsParams) query(page int) (url.Values, error) {
	q := url.Values{}
	if p == nil {
		p = &ListMeetingBillingsParams{}
	}
	if p.Page < 0 {
		return nil, transport.InvalidParam(API, "page", "page must be 1 or more, got %d", p.Page)
	}
	if p.Records < 0 {
		return nil, transport.InvalidParam(API, "records", "records must be 1 or more, got %d", p.Records)
	}
	// As for creates and updates: an unknown state would filter on nothing the server knows
	// and come back as an empty list that looks like an answer.
	if p.Status != "" && !p.Status.IsKnown() {
		return nil, transport.InvalidParam(API, "status", "unknown billing status %q", p.Status)
	}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if p.Records > 0 {
		q.Set("records", strconv.Itoa(p.Records))
	}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("status", string(p.Status))
	set("billing_status", p.BillingStatus)
	set("payer_name", p.PayerName)
	set("search", p.Search)
	if p.Sort != "" {
		if !validSort(p.Sort) {
			return nil, transport.InvalidParam(API, "sort", "sort must be comma-separated field names, each optionally prefixed with '-' (\"-created_at,payer_name\", \"meeting.start_time\"), got %q", p.Sort)
		}
		q.Set("sort", p.Sort)
	}
	return q, nil
}

// sortList is a JSON:API sort list: comma-separated fields, each with an optional leading
// "-", made of dot-separated names of letters, digits, "_" and inner "-". It is the pattern
// openapi/crm.yaml declares for `sort`, so the fake refuses exactly what the client does.
var sortList = regexp.MustCompile(`^-?[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*(?:,-?[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*)*$`)

func validSort(s string) bool { return sortList.MatchString(s) }

// ListMeetingBillingsPage fetches one page of a meeting's billings. A server that answers with
// a single resource gives a one-item last page.
func (c *Client) ListMeetingBillingsPage(ctx context.Context, meetingID string, params *ListMeetingBillingsParams, opts ...polybill.RequestOption) (*polybill.Page[Billing], error) {
	page := 0
	if params != nil {
		page = params.Page
	}
	return c.listMeetingBillingsPage(ctx, meetingID, params, page, opts)
}

// ListMeetingBillings returns every billing of a meeting from params.Page on, fetching pages
// lazily as the sequence is ranged; breaking out of the loop stops all requests. params and
// opts are copied now: changing them while ranging changes nothing.
func (c *Client) ListMeetingBillings(ctx context.Context, meetingID string, params *ListMeetingBillingsParams, opts ...polybill.RequestOption) iter.Seq2[Billing, error] {
	var p ListMeetingBillingsParams
	if params != nil {
		p = *params
	}
	opts = slices.Clone(opts)
	first := max(p.Page, 1)
	return func(yield func(Billing, error) bool) {
		var seen repeatGuard // per ranging: each loop over the sequence starts afresh
		pages := paging.Iterate(first, func(page int) (*polybill.Page[Billing], error) {
			pg, err := c.listMeetingBillingsPage(ctx, meetingID, &p, page, opts)
			if err != nil {
				return nil, err
			}
			return pg, seen.check(page, pg)
		})
		for b, err := range pages {
			if !yield(b, err) {
				return
			}
		}
	}
}

// repeatGuard catches a server that ignores `page`: it answers every request with the same
// page (current_page 1, total_pages 3), so following total_pages would yield the same
// billings again and then stop without an error. A page that repeats the previous one (the
// same current_page, or the same billings) ends the iteration with an error instead.
type repeatGuard struct {
	requested int // the page number asked for last, 0 before the first page
	served    int // the page the server said it answered (meta current_page, else requested)
	ids       []string
}

func (g *repeatGuard) check(requested int, p *polybill.Page[Billing]) error {
	served := p.Next - 1 // pageOf: Next follows the page the server reports
	ids := make([]string, 0, len(p.Items))
	for _, b := range p.Items {
		if b.ID == "" {
			ids = nil // billings without ids cannot be told apart
			break
		}
		ids = append(ids, b.ID)
	}
	prev := *g
	*g = repeatGuard{requested: requested, served: served, ids: ids}
	if prev.requested == 0 {
		return nil
	}
	var why string
	switch {
	case served == prev.served:
		why = fmt.Sprintf("both answered as current_page %d", served)
	case len(ids) > 0 && slices.Equal(ids, prev.ids):
		why = "the same billings"
	default:
		return nil
	}
	return &polybill.Error{API: API, Code: polybill.CodeInvalidResponse, Message: fmt.Sprintf(
		"page %d repeats page %d (%s): the server ignores the page parameter; stopping rather than yielding the same billings again",
		requested, prev.requested, why)}
}

func (c *Client) listMeetingBillingsPage(ctx context.Context, meetingID string, params *ListMeetingBillingsParams, page int, opts []polybill.RequestOption) (*polybill.Page[Billing], error) {
	if err := requireID("meeting_unique_id", meetingID); err != nil {
		return nil, err
	}
	if page < 1 {
		// Always name the page: a request without list parameters may get the vendor
		// document's single-resource answer instead of a page.
		page = 1
	}
	q, err := params.query(page)
	if err != nil {
		return nil, err
	}
	var doc meetingBillingDoc
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getMeetingBilling", "/meetings/{meeting_unique_id}/billing"),
		Params: []string{meetingID},
		Query:  q,
	}, &doc, opts...); err != nil {
		return nil, err
	}
	requested := 0
	if params != nil {
		requested = params.Records
	}
	return pageOf(doc, page, requested), nil
}

// pageOf decides whether another page exists. Totals win when the server sends them; without
// totals a short or empty page ends the list (the SDK would report one page and stop, or
// loop on a server that ignores `page`).
func pageOf(doc meetingBillingDoc, page, requested int) *polybill.Page[Billing] {
	if page < 1 {
		page = 1
	}
	if doc.Meta.CurrentPage != nil && *doc.Meta.CurrentPage > 0 {
		page = *doc.Meta.CurrentPage
	}
	p := &polybill.Page[Billing]{Items: doc.Billings.Items, Total: -1, Next: page + 1}
	if p.Items == nil {
		// data null or missing: an empty page, as every API's list gives.
		p.Items = []Billing{}
	}
	if doc.Meta.TotalCount != nil {
		p.Total = *doc.Meta.TotalCount
	}
	perPage := requested
	if doc.Meta.PerPage != nil && *doc.Meta.PerPage > 0 {
		perPage = *doc.Meta.PerPage
	}
	switch {
	case doc.Billings.Single || len(doc.Billings.Items) == 0:
		p.HasMore = false
	case doc.Meta.TotalPages != nil:
		p.HasMore = page < *doc.Meta.TotalPages
	case doc.Meta.TotalCount != nil && perPage > 0:
		p.HasMore = page*perPage < *doc.Meta.TotalCount
	default:
		// No totals: a page shorter than the page size is the last. Without a requested size
		// the server's documented default (15) applies; assuming "more" instead would loop
		// forever on a server that ignores `page`.
		if perPage <= 0 {
			perPage = defaultRecords
		}
		p.HasMore = len(doc.Billings.Items) >= perPage
	}
	return p
}

// CreateBillingParams is a new billing. Amount, PayerName and PayerEmail are required by the
// vendor document and checked before anything is sent.
type CreateBillingParams struct {
	// Amount must be greater than zero. It is sent as a JSON number (250.00), as the vendor
	// document shows.
	Amount     polybill.Decimal
	PayerName  string
	PayerEmail string
	// BillingType is e.g. "session" or "consultation".
	BillingType      string
	ParticipantEmail string
	// Currency, when set, must be an ISO 4217 code. It is sent as `fee_currency`, the official
	// SDK's name (the vendor document has no currency).
	Currency polybill.Currency
	// Status, when set, must be a documented state.
	Status Status
	// DueAt is sent as `invoice_due_date`, the official SDK's name.
	DueAt *time.Time
	// Notes is sent as `billing_notes`, the official SDK's name.
	Notes string
	// Extra adds properties to the `billing` object, for fields this type does not name, e.g.
	// the official SDK's `fee_amount`, `payment_method` or `metadata` when a server turns out
	// to want those. Each value is one JSON value, sent byte for byte after the named fields
	// (in key order). A key a field above is sent under (e.g. "amount", "fee_currency"), or a
	// case variant of one ("Amount"), is refused, whether or not that field is set.
	Extra map[string]json.RawMessage
}

// CreateMeetingBilling creates a billing for a meeting (POST, body wrapped in "billing").
// It is not retried once the request may have reached the server: the API has no idempotency
// mechanism, so a retry could bill twice.
func (c *Client) CreateMeetingBilling(ctx context.Context, meetingID string, params CreateBillingParams, opts ...polybill.RequestOption) (*Billing, error) {
	if err := requireID("meeting_unique_id", meetingID); err != nil {
		return nil, err
	}
	body, err := params.body()
	if err != nil {
		return nil, err
	}
	return c.billing(ctx, transport.Call{
		Method: http.MethodPost,
		Op:     transport.Op("createMeetingBilling", "/meetings/{meeting_unique_id}/billing"),
		Params: []string{meetingID},
		Body:   body,
	}, opts)
}

func (p CreateBillingParams) body() ([]byte, error) {
	if p.Amount.Sign() <= 0 {
		return nil, transport.InvalidParam(API, "amount", "amount is required and must be greater than zero")
	}
	if strings.TrimSpace(p.PayerName) == "" {
		return nil, transport.InvalidParam(API, "payer_name", "payer_name is required")
	}
	if err := checkEmail("payer_email", p.PayerEmail, true); err != nil {
		return nil, err
	}
	if err := checkEmail("participant_email", p.ParticipantEmail, false); err != nil {
		return nil, err
	}
	if err := checkCurrency("currency", p.Currency); err != nil {
		return nil, err
	}
	if p.Status != "" && !p.Status.IsKnown() {
		return nil, transport.InvalidParam(API, "status", "status must be pending, paid or overdue, got %q", p.Status)
	}
	return billingFields{
		Amount:           unquoted(p.Amount),
		PayerName:        p.PayerName,
		PayerEmail:       p.PayerEmail,
		BillingType:      p.BillingType,
		ParticipantEmail: p.ParticipantEmail,
		FeeCurrency:      p.Currency,
		InvoiceDueDate:   utc(p.DueAt),
		BillingNotes:     p.Notes,
		Status:           p.Status,
		Extra:            p.Extra,
	}.body()
}

// billing makes call and decodes the {"data": billing} answer the single-billing endpoints share.
func (c *Client) billing(ctx context.Context, call transport.Call, opts []polybill.RequestOption) (*Billing, error) {
	var doc billingDoc
	if err := c.tc.Do(ctx, call, &doc, opts...); err != nil {
		return nil, err
	}
	return doc.Data, nil
}

// GetBilling returns one billing by its unique id.
func (c *Client) GetBilling(ctx context.Context, uniqueID string, opts ...polybill.RequestOption) (*Billing, error) {
	if err := requireID("unique_id", uniqueID); err != nil {
		return nil, err
	}
	return c.billing(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getBilling", "/billings/{unique_id}"),
		Params: []string{uniqueID},
	}, opts)
}

// UpdateBillingParams changes a billing. Only set fields are sent (the update is partial and,
// as with the official SDK, a field cannot be cleared). At least one field must be set.
type UpdateBillingParams struct {
	Amount *polybill.Decimal
	// Status, when set, must be a documented state.
	Status      Status
	PayerName   string
	PayerEmail  string
	BillingType string
	// ParticipantEmail, when set, must be a valid address.
	ParticipantEmail string
	// Currency, DueAt and Notes are sent as `fee_currency`, `invoice_due_date` and
	// `billing_notes`, as on create.
	Currency polybill.Currency
	DueAt    *time.Time
	PaidAt   *time.Time
	Notes    string
	// Extra adds properties to the `billing` object (see CreateBillingParams.Extra).
	Extra map[string]json.RawMessage
}

// UpdateBilling changes a billing with PUT (the backend expects PUT, never PATCH, per the
// official SDK). PUT of the same fields is idempotent, so it is retried like a read.
func (c *Client) UpdateBilling(ctx context.Context, uniqueID string, params UpdateBillingParams, opts ...polybill.RequestOption) (*Billing, error) {
	if err := requireID("unique_id", uniqueID); err != nil {
		return nil, err
	}
	body, err := params.body()
	if err != nil {
		return nil, err
	}
	return c.billing(ctx, transport.Call{
		Method: http.MethodPut,
		Op:     transport.Op("updateBilling", "/billings/{unique_id}"),
		Params: []string{uniqueID},
		Body:   body,
	}, opts)
}

func (p UpdateBillingParams) body() ([]byte, error) {
	if p.Amount != nil && p.Amount.Sign() <= 0 {
		return nil, transport.InvalidParam(API, "amount", "amount must be greater than zero")
	}
	if p.Status != "" && !p.Status.IsKnown() {
		return nil, transport.InvalidParam(API, "status", "status must be pending, paid or overdue, got %q", p.Status)
	}
	if err := checkEmail("payer_email", p.PayerEmail, false); err != nil {
		return nil, err
	}
	if err := checkEmail("participant_email", p.ParticipantEmail, false); err != nil {
		return nil, err
	}
	if err := checkCurrency("currency", p.Currency); err != nil {
		return nil, err
	}
	f := billingFields{
		PayerName:        p.PayerName,
		PayerEmail:       p.PayerEmail,
		BillingType:      p.BillingType,
		ParticipantEmail: p.ParticipantEmail,
		FeeCurrency:      p.Currency,
		InvoiceDueDate:   utc(p.DueAt),
		PaidAt:           utc(p.PaidAt),
		BillingNotes:     p.Notes,
		Status:           p.Status,
		Extra:            p.Extra,
	}
	if p.Amount != nil {
		f.Amount = unquoted(*p.Amount)
	}
	body, err := f.body()
	if err != nil {
		return nil, err
	}
	if bytes.Equal(body, []byte(`{"billing":{}}`)) {
		return nil, transport.InvalidParam(API, "billing", "an update needs at least one field")
	}
	return body, nil
}

// DeleteBilling deletes a billing. The server answers 204.
//
// A retried delete whose retry finds nothing (404) succeeded: the first attempt deleted the
// record and its answer was lost. It returns nil, not ErrNotFound; a 404 on the first
// attempt is ErrNotFound.
func (c *Client) DeleteBilling(ctx context.Context, uniqueID string, opts ...polybill.RequestOption) error {
	if err := requireID("unique_id", uniqueID); err != nil {
		return err
	}
	return c.tc.Do(ctx, transport.Call{
		Method: http.MethodDelete,
		Op:     transport.Op("deleteBilling", "/billings/{unique_id}"),
		Params: []string{uniqueID},
	}, nil, opts...)
}

// PaymentSplit is how a billing's amount is divided between recipients. The vendor document
// sends an object with `splits`; the official SDK types `data` as a bare array of entries.
// Both decode; for the array form BillingID and TotalAmount stay empty.
type PaymentSplit struct {
	polybill.FieldProblems `json:"-"`
	BillingID              string            `wire:"billing_id,billing_unique_id,billingId"`
	TotalAmount            *polybill.Decimal `wire:"total_amount,totalAmount"`
	Splits                 []SplitEntry      `wire:"splits"`
	// Raw is `data` exactly as sent (its attributes for a JSON:API resource).
	Raw json.RawMessage `wire:"attributes,raw,flatten"`
}

// SplitEntry is one recipient's share.
type SplitEntry struct {
	polybill.FieldProblems `json:"-"`
	// RecipientName is `recipient_name` (vendor) or `payer_name` (SDK).
	RecipientName string `wire:"recipient_name,payer_name,recipientName,payerName"`
	// RecipientEmail is `recipient_email` (vendor) or `participant_email` (SDK).
	RecipientEmail string `wire:"recipient_email,participant_email,recipientEmail,participantEmail"`
	// ParticipantUniqueID is the SDK's `participant_unique_id`.
	ParticipantUniqueID string            `wire:"participant_unique_id,participantUniqueId"`
	Amount              *polybill.Decimal `wire:"amount"`
	// Percentage is read exactly (70, 33.34), never as a float.
	Percentage *polybill.Decimal `wire:"percentage"`
	Raw        json.RawMessage   `wire:"attributes,raw,flatten"`
}

// UnmarshalJSON reads the `{"data": …}` document of either form.
func (s *PaymentSplit) UnmarshalJSON(body []byte) error {
	var doc rawDoc
	if err := wire.Decode(body, &doc); err != nil {
		return fmt.Errorf("crm: %w", err)
	}
	*s = PaymentSplit{}
	if isArray(doc.Data) {
		if err := wire.Decode(doc.Data, &s.Splits); err != nil {
			return fmt.Errorf("crm: %w", err)
		}
		s.Raw = doc.Data
		return nil
	}
	if len(doc.Data) == 0 {
		return nil
	}
	if err := wire.Decode(doc.Data, s); err != nil {
		return fmt.Errorf("crm: %w", err)
	}
	return nil
}

// GetPaymentSplit returns how a billing's amount is split between recipients.
func (c *Client) GetPaymentSplit(ctx context.Context, uniqueID string, opts ...polybill.RequestOption) (*PaymentSplit, error) {
	if err := requireID("unique_id", uniqueID); err != nil {
		return nil, err
	}
	var s PaymentSplit
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getPaymentSplit", "/billings/{unique_id}/payment_split"),
		Params: []string{uniqueID},
	}, &s, opts...); err != nil {
		return nil, err
	}
	return &s, nil
}

// billingFields is the `billing` object both writes send, one field per wire key (create and
// update differ only in which fields are required, which body() callers check). Unset fields
// are omitted: the update is partial. The keys are in alphabetical order, the order the body
// had when it was a map, so requests stay byte-identical; Extra's keys follow (sorted).
type billingFields struct {
	// Amount is a JSON number (250.00), as the vendor document shows.
	Amount           *polybill.Decimal          `json:"amount,omitempty"`
	BillingNotes     string                     `json:"billing_notes,omitempty"`
	BillingType      string                     `json:"billing_type,omitempty"`
	FeeCurrency      polybill.Currency          `json:"fee_currency,omitempty"`
	InvoiceDueDate   *time.Time                 `json:"invoice_due_date,omitempty"`
	PaidAt           *time.Time                 `json:"paid_at,omitempty"`
	ParticipantEmail string                     `json:"participant_email,omitempty"`
	PayerEmail       string                     `json:"payer_email,omitempty"`
	PayerName        string                     `json:"payer_name,omitempty"`
	Status           Status                     `json:"status,omitempty"`
	Extra            map[string]json.RawMessage `json:"-" wire:",extra"`
}

// billingBody is the Rails-style `{"billing": {…}}` wrapper both writes use.
type billingBody struct {
	Billing billingFields `json:"billing"`
}

// body encodes f wrapped in `billing`. An Extra key that a field above is sent under is
// refused, set or not: the named field is the one that is validated.
func (f billingFields) body() ([]byte, error) {
	for k := range f.Extra {
		if wire.Declares(f, k) {
			return nil, transport.InvalidParam(API, "Extra."+k, "%q is sent by a named field; set that field instead", k)
		}
	}
	b, err := wire.Encode(billingBody{f})
	if err != nil {
		var xe *wire.ExtraError
		if errors.As(err, &xe) {
			return nil, transport.InvalidParam(API, "Extra."+xe.Key, "%q is not one valid JSON value", xe.Key)
		}
		return nil, transport.InvalidParam(API, "billing", "cannot encode billing: %v", err)
	}
	return b, nil
}

func requireID(param, id string) error {
	if id == "" {
		return transport.InvalidParam(API, param, "%s is required", param)
	}
	return nil
}

// checkEmail accepts a bare address (no display name): the vendor stores what it is sent.
func checkEmail(param, email string, required bool) error {
	if email == "" {
		if required {
			return transport.InvalidParam(API, param, "%s is required", param)
		}
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return transport.InvalidParam(API, param, "%s is not a valid email address", param)
	}
	return nil
}

func checkCurrency(param string, c polybill.Currency) error {
	if c != "" && !c.Valid() {
		return transport.InvalidParam(API, param, "%s must be a three-letter ISO 4217 code, got %q", param, c)
	}
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// unquoted is d as a JSON number (250.00), the form the vendor document sends amounts in.
func unquoted(d polybill.Decimal) *polybill.Decimal {
	u := d.Unquoted()
	return &u
}
