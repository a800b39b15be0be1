package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm/internal/oapi"
	"github.com/polybill/polybill-go/internal/jsonscan"
	"github.com/polybill/polybill-go/internal/transport"
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
// from either of the two field-name sets in use (the vendor document's and the official SDK's);
// where both name a field, the alternatives are listed on it. Absent fields stay zero (nil for
// amounts and times): nothing is filled in by guess.
type Billing struct {
	// ID is the resource id (JSON:API `id`; for plain objects the `id` key), or UniqueID when
	// the server sent no id.
	ID string
	// Type is the JSON:API resource type ("billing" per the vendor, "meeting_billing" per the
	// SDK); empty for plain objects.
	Type     string
	UniqueID string
	// MeetingID is `meeting_id` (vendor) or `meeting_unique_id` (SDK).
	MeetingID string
	// Amount is `amount` or `fee_amount`, read from a JSON number or a numeric string.
	Amount *polybill.Decimal
	// Currency is `currency` or `fee_currency`; the vendor model has none.
	Currency    string
	PayerName   string
	PayerEmail  string
	PayerType   string
	BillingType string
	// ParticipantEmail and ParticipantUniqueID identify the billed participant (SDK fields).
	ParticipantEmail    string
	ParticipantUniqueID string
	// Status is the vendor's state, verbatim.
	Status Status
	// BillingStatus is the SDK's separate payment state (e.g. "unpaid"), verbatim.
	BillingStatus string
	// Notes is `notes` or `billing_notes`.
	Notes string
	// SessionDate is the EAP session's day as sent (YYYY-MM-DD).
	SessionDate string
	// DueAt is `due_at` or `invoice_due_date`.
	DueAt     *time.Time
	PaidAt    *time.Time
	CreatedAt *time.Time
	UpdatedAt *time.Time
	// Attributes is the attributes object exactly as sent (the whole object for plain data),
	// for fields this type does not name.
	Attributes json.RawMessage
}

// UnmarshalJSON reads a JSON:API resource or a plain billing object.
func (b *Billing) UnmarshalJSON(data []byte) error {
	if b.decodeFast(data) == nil {
		return nil
	}
	return b.decodeSlow(data)
}

// The attribute-backed Billing fields, indexing billingKeys.
const (
	bUniqueID = iota
	bMeetingID
	bAmount
	bCurrency
	bPayerName
	bPayerEmail
	bPayerType
	bBillingType
	bParticipantEmail
	bParticipantUniqueID
	bStatus
	bBillingStatus
	bNotes
	bSessionDate
	bDueAt
	bPaidAt
	bCreatedAt
	bUpdatedAt
	numBillingFields
)

// billingKeys names the attribute keys each Billing field is read from, in order of
// preference. Both decoders (decodeSlow and decodeFast) read these lists, so they cannot
// drift apart.
var billingKeys = [numBillingFields][]string{
	bUniqueID:            {"unique_id", "uniqueId"},
	bMeetingID:           {"meeting_id", "meeting_unique_id", "meetingUniqueId"},
	bAmount:              {"amount", "fee_amount"},
	bCurrency:            {"currency", "fee_currency"},
	bPayerName:           {"payer_name", "payerName"},
	bPayerEmail:          {"payer_email", "payerEmail"},
	bPayerType:           {"payer_type", "payerType"},
	bBillingType:         {"billing_type", "billingType"},
	bParticipantEmail:    {"participant_email", "participantEmail"},
	bParticipantUniqueID: {"participant_unique_id", "contact_unique_id", "participantUniqueId"},
	bStatus:              {"status"},
	bBillingStatus:       {"billing_status", "billingStatus"},
	bNotes:               {"notes", "billing_notes"},
	bSessionDate:         {"session_date", "sessionDate"},
	bDueAt:               {"due_at", "invoice_due_date", "due_date"},
	bPaidAt:              {"paid_at", "paidAt"},
	bCreatedAt:           {"created_at", "createdAt"},
	bUpdatedAt:           {"updated_at", "updatedAt"},
}

// decodeSlow is the general reader: every documented envelope and value form, with errors
// naming the field at fault. decodeFast declines to it.
func (b *Billing) decodeSlow(data []byte) error {
	r, err := parseResource(data)
	if err != nil {
		return err
	}
	o := r.attrs
	k := &billingKeys
	var e errs
	*b = Billing{
		ID:                  r.id,
		Type:                r.typ,
		UniqueID:            e.str(o, k[bUniqueID]...),
		MeetingID:           e.str(o, k[bMeetingID]...),
		Amount:              e.decimal(o, k[bAmount]...),
		Currency:            e.str(o, k[bCurrency]...),
		PayerName:           e.str(o, k[bPayerName]...),
		PayerEmail:          e.str(o, k[bPayerEmail]...),
		PayerType:           e.str(o, k[bPayerType]...),
		BillingType:         e.str(o, k[bBillingType]...),
		ParticipantEmail:    e.str(o, k[bParticipantEmail]...),
		ParticipantUniqueID: e.str(o, k[bParticipantUniqueID]...),
		Status:              Status(e.str(o, k[bStatus]...)),
		BillingStatus:       e.str(o, k[bBillingStatus]...),
		Notes:               e.str(o, k[bNotes]...),
		SessionDate:         e.str(o, k[bSessionDate]...),
		DueAt:               o.timestamp(k[bDueAt]...),
		PaidAt:              o.timestamp(k[bPaidAt]...),
		CreatedAt:           o.timestamp(k[bCreatedAt]...),
		UpdatedAt:           o.timestamp(k[bUpdatedAt]...),
		Attributes:          r.rawAttrs,
	}
	if b.ID == "" {
		b.ID = b.UniqueID
	}
	return e.err
}

// meetingBillingDoc is the answer of GET /meetings/{id}/billing: one resource (vendor
// document) or a list with meta (official SDK). The SDK turns the single form into an empty
// list without an error; here both decode.
type meetingBillingDoc struct {
	billings []Billing
	single   bool
	meta     pageMeta
}

// DecodeBody is the transport's entry: the fast path reads the body as received (without
// json.Unmarshal's validation and skip passes first); when it declines, the body takes exactly
// the transport's old path, json.Unmarshal, so values and error texts are what they were.
func (d *meetingBillingDoc) DecodeBody(body []byte) error {
	if d.decodeFast(jsonscan.TrimSpace(body)) == nil {
		return nil
	}
	return json.Unmarshal(body, &slowOnly{d})
}

// slowOnly reads a document with its decodeSlow alone: DecodeBody's fallback once the fast
// path has declined, so the body is not offered to the fast path a second time.
type slowOnly struct {
	doc interface{ decodeSlow([]byte) error }
}

func (s *slowOnly) UnmarshalJSON(body []byte) error { return s.doc.decodeSlow(body) }

func (d *meetingBillingDoc) UnmarshalJSON(body []byte) error {
	if d.decodeFast(body) == nil {
		return nil
	}
	return d.decodeSlow(body)
}

// decodeSlow reads every documented envelope; decodeFast declines to it.
func (d *meetingBillingDoc) decodeSlow(body []byte) error {
	env, err := parseEnvelope(body)
	if err != nil {
		return err
	}
	if d.meta, err = parsePageMeta(env.Meta); err != nil {
		return err
	}
	data := bytes.TrimSpace(env.Data)
	switch {
	case len(data) == 0 || isNull(data):
		d.billings = nil
	case data[0] == '[':
		d.billings, err = decodeList[Billing](data)
		return err
	default:
		var b Billing
		if err := b.UnmarshalJSON(data); err != nil {
			return err
		}
		d.billings, d.single = []Billing{b}, true
	}
	return nil
}

// billingDoc is `{"data": <billing>}`.
type billingDoc struct{ billing Billing }

// DecodeBody: see meetingBillingDoc.DecodeBody.
func (d *billingDoc) DecodeBody(body []byte) error {
	if d.decodeFast(jsonscan.TrimSpace(body)) == nil {
		return nil
	}
	return json.Unmarshal(body, &slowOnly{d})
}

func (d *billingDoc) UnmarshalJSON(body []byte) error {
	if d.decodeFast(body) == nil {
		return nil
	}
	return d.decodeSlow(body)
}

// decodeSlow reads every documented envelope; decodeFast declines to it.
func (d *billingDoc) decodeSlow(body []byte) error {
	env, err := parseEnvelope(body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(env.Data)) == 0 || isNull(env.Data) {
		return fmt.Errorf("crm: response has no data")
	}
	return d.billing.UnmarshalJSON(env.Data)
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
	switch len(doc.billings) {
	case 1:
		return &doc.billings[0], nil
	case 0:
		return nil, &polybill.Error{API: API, StatusCode: http.StatusNotFound, Code: "not_found",
			Message: "the server returned no billing for meeting " + strconv.Quote(meetingID)}
	default:
		return nil, &polybill.Error{API: API, Code: polybill.CodeInvalidResponse,
			Message: fmt.Sprintf("the server returned %d billings for the meeting; use ListMeetingBillings", len(doc.billings))}
	}
}

// defaultRecords is the page size the vendor's meetings API documents as its default.
const defaultRecords = 15

// ListMeetingBillingsParams filters and pages a meeting's billings. Zero values are not sent.
type ListMeetingBillingsParams struct {
	// Page is the 1-based page to start from (default 1; always sent).
	Page int
	// Records is the page size (the server's default is 15).
	Records int
	// Status filters on the billing state.
	Status Status
	// BillingStatus filters on the SDK's separate payment state (e.g. "unpaid").
	BillingStatus string
	PayerName     string
	Search        string
	// Sort is a field name, prefixed with "-" for descending ("-created_at").
	Sort string
}

func (p *ListMeetingBillingsParams) query(page int) (url.Values, error) {
	q := url.Values{}
	if p == nil {
		p = &ListMeetingBillingsParams{}
	}
	if p.Page < 0 {
		return nil, polybill.InvalidParam(API, "page", "page must be 1 or more, got %d", p.Page)
	}
	if p.Records < 0 || p.Records > 100 {
		return nil, polybill.InvalidParam(API, "records", "records must be between 1 and 100, got %d", p.Records)
	}
	// As for creates and updates: an unknown state would filter on nothing the server knows
	// and come back as an empty list that looks like an answer.
	if p.Status != "" && !p.Status.IsKnown() {
		return nil, polybill.InvalidParam(API, "status", "unknown billing status %q", p.Status)
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
			return nil, polybill.InvalidParam(API, "sort", "sort must be a field name, optionally prefixed with '-', got %q", p.Sort)
		}
		q.Set("sort", p.Sort)
	}
	return q, nil
}

func validSort(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

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
// lazily as the sequence is ranged; breaking out of the loop stops all requests.
func (c *Client) ListMeetingBillings(ctx context.Context, meetingID string, params *ListMeetingBillingsParams, opts ...polybill.RequestOption) iter.Seq2[Billing, error] {
	first := 1
	if params != nil && params.Page > 0 {
		first = params.Page
	}
	return polybill.Iterate(first, func(page int) (*polybill.Page[Billing], error) {
		return c.listMeetingBillingsPage(ctx, meetingID, params, page, opts)
	})
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
	if doc.meta.CurrentPage != nil && *doc.meta.CurrentPage > 0 {
		page = *doc.meta.CurrentPage
	}
	p := &polybill.Page[Billing]{Items: doc.billings, Total: -1, Next: page + 1}
	if doc.meta.TotalCount != nil {
		p.Total = *doc.meta.TotalCount
	}
	perPage := requested
	if doc.meta.PerPage != nil && *doc.meta.PerPage > 0 {
		perPage = *doc.meta.PerPage
	}
	switch {
	case doc.single || len(doc.billings) == 0:
		p.HasMore = false
	case doc.meta.TotalPages != nil:
		p.HasMore = page < *doc.meta.TotalPages
	case doc.meta.TotalCount != nil && perPage > 0:
		p.HasMore = page*perPage < *doc.meta.TotalCount
	default:
		// No totals: a page shorter than the page size is the last. Without a requested size
		// the server's documented default (15) applies; assuming "more" instead would loop
		// forever on a server that ignores `page`.
		if perPage <= 0 {
			perPage = defaultRecords
		}
		p.HasMore = len(doc.billings) >= perPage
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
	// Currency, when set, must be an ISO 4217 code; the vendor model has no currency.
	Currency polybill.Currency
	// Status, when set, must be a documented state.
	Status Status
	DueAt  *time.Time
	Notes  string
	// Extra is merged into the `billing` object as is, for fields this type does not name,
	// e.g. the official SDK's names (`fee_amount`, `invoice_due_date`, `metadata`) when a
	// server turns out to want those. It cannot override a field set above.
	Extra map[string]any
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

func (p CreateBillingParams) body() (any, error) {
	if p.Amount.Sign() <= 0 {
		return nil, polybill.InvalidParam(API, "amount", "amount is required and must be greater than zero")
	}
	if strings.TrimSpace(p.PayerName) == "" {
		return nil, polybill.InvalidParam(API, "payer_name", "payer_name is required")
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
		return nil, polybill.InvalidParam(API, "status", "status must be pending, paid or overdue, got %q", p.Status)
	}
	f := oapi.CreateBillingFields{
		Amount:           p.Amount.Unquoted(),
		PayerName:        p.PayerName,
		PayerEmail:       p.PayerEmail,
		BillingType:      optional(p.BillingType),
		ParticipantEmail: optional(p.ParticipantEmail),
		Currency:         optional(string(p.Currency)),
		DueAt:            utc(p.DueAt),
		Notes:            optional(p.Notes),
	}
	if p.Status != "" {
		s := oapi.BillingStatus(p.Status)
		f.Status = &s
	}
	return wrapBilling(f, p.Extra)
}

// billing makes call and decodes the {"data": billing} answer the single-billing endpoints share.
func (c *Client) billing(ctx context.Context, call transport.Call, opts []polybill.RequestOption) (*Billing, error) {
	var doc billingDoc
	if err := c.tc.Do(ctx, call, &doc, opts...); err != nil {
		return nil, err
	}
	return &doc.billing, nil
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
	Currency         polybill.Currency
	DueAt            *time.Time
	PaidAt           *time.Time
	Notes            string
	// Extra is merged into the `billing` object as is (see CreateBillingParams.Extra).
	Extra map[string]any
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

func (p UpdateBillingParams) body() (any, error) {
	if p.Amount != nil && p.Amount.Sign() <= 0 {
		return nil, polybill.InvalidParam(API, "amount", "amount must be greater than zero")
	}
	if p.Status != "" && !p.Status.IsKnown() {
		return nil, polybill.InvalidParam(API, "status", "status must be pending, paid or overdue, got %q", p.Status)
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
	f := oapi.UpdateBillingFields{
		PayerName:        optional(p.PayerName),
		PayerEmail:       optional(p.PayerEmail),
		BillingType:      optional(p.BillingType),
		ParticipantEmail: optional(p.ParticipantEmail),
		Currency:         optional(string(p.Currency)),
		DueAt:            utc(p.DueAt),
		PaidAt:           utc(p.PaidAt),
		Notes:            optional(p.Notes),
	}
	if p.Amount != nil {
		a := p.Amount.Unquoted()
		f.Amount = &a
	}
	if p.Status != "" {
		s := oapi.BillingStatus(p.Status)
		f.Status = &s
	}
	body, err := wrapBilling(f, p.Extra)
	if err != nil {
		return nil, err
	}
	if len(body.Billing) == 0 {
		return nil, polybill.InvalidParam(API, "billing", "an update needs at least one field")
	}
	return body, nil
}

// DeleteBilling deletes a billing. The server answers 204.
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
	BillingID   string
	TotalAmount *polybill.Decimal
	Splits      []SplitEntry
	// Raw is `data` exactly as sent.
	Raw json.RawMessage
}

// SplitEntry is one recipient's share.
type SplitEntry struct {
	// RecipientName is `recipient_name` (vendor) or `payer_name` (SDK).
	RecipientName string
	// RecipientEmail is `recipient_email` (vendor) or `participant_email` (SDK).
	RecipientEmail string
	// ParticipantUniqueID is the SDK's `participant_unique_id`.
	ParticipantUniqueID string
	Amount              *polybill.Decimal
	// Percentage is read exactly (70, 33.34), never as a float.
	Percentage *polybill.Decimal
	Raw        json.RawMessage
}

func (s *PaymentSplit) UnmarshalJSON(body []byte) error {
	env, err := parseEnvelope(body)
	if err != nil {
		return err
	}
	data := bytes.TrimSpace(env.Data)
	*s = PaymentSplit{Raw: clone(data)}
	var entries []json.RawMessage
	if len(data) > 0 && data[0] == '[' {
		if entries, err = parseArray(data, "data"); err != nil {
			return err
		}
	} else {
		r, err := parseResource(data)
		if err != nil {
			return err
		}
		var e errs
		s.BillingID = e.str(r.attrs, "billing_id", "billing_unique_id", "billingId")
		s.TotalAmount = e.decimal(r.attrs, "total_amount", "totalAmount")
		if e.err != nil {
			return e.err
		}
		if entries, err = r.attrs.list("splits"); err != nil {
			return err
		}
	}
	for _, raw := range entries {
		r, err := parseResource(raw)
		if err != nil {
			return err
		}
		var e errs
		s.Splits = append(s.Splits, SplitEntry{
			RecipientName:       e.str(r.attrs, "recipient_name", "payer_name", "recipientName", "payerName"),
			RecipientEmail:      e.str(r.attrs, "recipient_email", "participant_email", "recipientEmail", "participantEmail"),
			ParticipantUniqueID: e.str(r.attrs, "participant_unique_id", "participantUniqueId"),
			Amount:              e.decimal(r.attrs, "amount"),
			Percentage:          e.decimal(r.attrs, "percentage"),
			Raw:                 r.rawAttrs,
		})
		if e.err != nil {
			return e.err
		}
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

// billingBody is the Rails-style `{"billing": {…}}` wrapper both writes use.
type billingBody struct {
	Billing map[string]any `json:"billing"`
}

// wrapBilling encodes the generated wire fields, merges extra and wraps the result.
func wrapBilling(fields any, extra map[string]any) (billingBody, error) {
	raw, err := json.Marshal(fields)
	if err != nil {
		return billingBody{}, polybill.InvalidParam(API, "billing", "cannot encode billing: %v", err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep amounts exact: 250.00 must not pass through float64
	if err := dec.Decode(&m); err != nil {
		return billingBody{}, polybill.InvalidParam(API, "billing", "cannot encode billing: %v", err)
	}
	for k, v := range extra {
		if _, taken := m[k]; taken {
			return billingBody{}, polybill.InvalidParam(API, "Extra."+k, "%q is already set by a named field", k)
		}
		m[k] = v
	}
	return billingBody{Billing: m}, nil
}

func requireID(param, id string) error {
	if id == "" {
		return polybill.InvalidParam(API, param, "%s is required", param)
	}
	return nil
}

// checkEmail accepts a bare address (no display name): the vendor stores what it is sent.
func checkEmail(param, email string, required bool) error {
	if email == "" {
		if required {
			return polybill.InvalidParam(API, param, "%s is required", param)
		}
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return polybill.InvalidParam(API, param, "%s is not a valid email address", param)
	}
	return nil
}

func checkCurrency(param string, c polybill.Currency) error {
	if c != "" && !c.Valid() {
		return polybill.InvalidParam(API, param, "%s must be a three-letter ISO 4217 code, got %q", param, c)
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
