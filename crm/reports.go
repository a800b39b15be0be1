package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// The reports come in three shapes (research: the vendor document's plain objects, the SDK's
// report service reading `data.attributes` with other key names, and the SDK's billing
// service passing `data` through). Every report type below reads both envelopes and both key
// sets, and keeps the data object as sent in Raw. Totals are nil when the server omitted them,
// never a made-up zero.

// PayerOutstanding is one payer's outstanding total.
type PayerOutstanding struct {
	PayerName  string
	PayerEmail string
	// TotalOutstanding is the sum of the payer's pending and overdue billings.
	TotalOutstanding *polybill.Decimal
	// BillingCount is `billing_count` (vendor) or `billings_count` (SDK).
	BillingCount *int
	Raw          json.RawMessage
}

func (p *PayerOutstanding) UnmarshalJSON(data []byte) error {
	r, err := parseResource(data)
	if err != nil {
		return err
	}
	var e errs
	*p = PayerOutstanding{
		PayerName:        e.str(r.attrs, "payer_name", "payerName"),
		PayerEmail:       e.str(r.attrs, "payer_email", "payerEmail"),
		TotalOutstanding: e.decimal(r.attrs, "total_outstanding", "totalOutstanding"),
		BillingCount:     e.integer(r.attrs, "billing_count", "billings_count", "billingsCount", "billingCount"),
		Raw:              r.rawAttrs,
	}
	return e.err
}

type outstandingDoc struct{ rows []PayerOutstanding }

func (d *outstandingDoc) UnmarshalJSON(body []byte) error {
	env, err := parseEnvelope(body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(env.Data)) == 0 || isNull(env.Data) {
		return nil // the SDK reads a missing list as []: nothing is outstanding
	}
	d.rows, err = decodeList[PayerOutstanding](env.Data)
	return err
}

// GetOutstandingByPayer returns the outstanding (pending and overdue) totals grouped by payer.
func (c *Client) GetOutstandingByPayer(ctx context.Context, opts ...polybill.RequestOption) ([]PayerOutstanding, error) {
	var doc outstandingDoc
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getOutstandingByPayer", "/billings/outstanding_by_payer"),
	}, &doc, opts...); err != nil {
		return nil, err
	}
	return doc.rows, nil
}

// EAPSessions are a participant's Employee Assistance Program sessions billed to one payer.
// The vendor sends the sessions as billing resources with totals in the top-level `meta`; the
// official SDK types `data` as one summary object. Both decode.
type EAPSessions struct {
	// Sessions are the session billings (empty for the summary form).
	Sessions []Billing
	// TotalSessions is `meta.total_sessions`, or the summary's `session_count`.
	TotalSessions *int
	// TotalAmount is `meta.total_amount`, or the summary's `total_amount`.
	TotalAmount *polybill.Decimal
	// RemainingSessions is the SDK summary's `remaining_sessions`.
	RemainingSessions *int
	// Meta is the top-level meta object as sent; Raw is `data` as sent.
	Meta json.RawMessage
	Raw  json.RawMessage
}

func (s *EAPSessions) UnmarshalJSON(body []byte) error {
	env, err := parseEnvelope(body)
	if err != nil {
		return err
	}
	data := bytes.TrimSpace(env.Data)
	*s = EAPSessions{Raw: clone(data)}
	meta, err := parseObject(env.Meta)
	if err != nil {
		return err
	}
	if len(meta) > 0 {
		s.Meta = clone(bytes.TrimSpace(env.Meta))
	}
	var e errs
	var summary object
	if len(data) > 0 && data[0] == '[' {
		if s.Sessions, err = decodeList[Billing](data); err != nil {
			return err
		}
		summary = object{}
	} else {
		r, err := parseResource(data)
		if err != nil {
			return err
		}
		summary = r.attrs
	}
	s.TotalSessions = e.integer(meta, "total_sessions", "totalSessions")
	if s.TotalSessions == nil {
		s.TotalSessions = e.integer(summary, "session_count", "sessions_count", "sessionCount", "total_sessions")
	}
	s.TotalAmount = e.decimal(meta, "total_amount", "totalAmount")
	if s.TotalAmount == nil {
		s.TotalAmount = e.decimal(summary, "total_amount", "totalAmount")
	}
	s.RemainingSessions = e.integer(summary, "remaining_sessions", "remainingSessions")
	return e.err
}

// GetEAPSessions returns the EAP sessions of a participant billed to a payer. Both path
// segments are escaped, so an email with "+" or a payer name with spaces or "/" stays one
// segment.
func (c *Client) GetEAPSessions(ctx context.Context, participantEmail, payerName string, opts ...polybill.RequestOption) (*EAPSessions, error) {
	if err := requireID("participant_email", participantEmail); err != nil {
		return nil, err
	}
	if err := requireID("payer_name", payerName); err != nil {
		return nil, err
	}
	var s EAPSessions
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getEapSessions", "/billings/eap_sessions/{participant_email}/{payer_name}"),
		Params: []string{participantEmail, payerName},
	}, &s, opts...); err != nil {
		return nil, err
	}
	return &s, nil
}

// RevenueReport is the revenue over a period.
type RevenueReport struct {
	// TotalRevenue is everything billed in the period.
	TotalRevenue *polybill.Decimal
	// TotalBilled is the SDK report service's `total_billed` (absent from the vendor shape).
	TotalBilled *polybill.Decimal
	TotalPaid   *polybill.Decimal
	// TotalPending is the unpaid part: `total_pending` (vendor) or `total_outstanding` (SDK).
	TotalPending *polybill.Decimal
	BillingCount *int
	// Currency is sent only in the SDK's shape (which defaults it to USD; we do not).
	Currency string
	Period   ReportPeriod
	Raw      json.RawMessage
}

// ReportPeriod is a report's period as sent (YYYY-MM-DD); empty bounds are open.
type ReportPeriod struct {
	StartDate string
	EndDate   string
}

func (r *RevenueReport) UnmarshalJSON(body []byte) error {
	res, err := parseData(body)
	if err != nil {
		return err
	}
	o := res.attrs
	var e errs
	*r = RevenueReport{
		TotalRevenue: e.decimal(o, "total_revenue", "totalRevenue"),
		TotalBilled:  e.decimal(o, "total_billed", "totalBilled"),
		TotalPaid:    e.decimal(o, "total_paid", "totalPaid", "paidAmount"),
		TotalPending: e.decimal(o, "total_pending", "total_outstanding", "totalPending", "outstandingAmount"),
		BillingCount: e.integer(o, "billing_count", "billings_count", "billingCount", "billingsCount"),
		Currency:     e.str(o, "currency"),
		Raw:          res.rawAttrs,
	}
	if v, ok := o.value("period"); ok && bytes.TrimSpace(v)[0] == '{' {
		p, err := parseObject(v)
		if err != nil {
			return err
		}
		r.Period = ReportPeriod{StartDate: e.str(p, "start_date", "startDate"), EndDate: e.str(p, "end_date", "endDate")}
	}
	return e.err
}

// RevenueReportParams bounds the report's period; a zero bound is not sent (open).
type RevenueReportParams struct {
	// StartDate and EndDate are sent as calendar days (YYYY-MM-DD) in their own location.
	StartDate time.Time
	EndDate   time.Time
}

// GetRevenueReport returns the revenue totals, optionally over a period (both days inclusive).
func (c *Client) GetRevenueReport(ctx context.Context, params *RevenueReportParams, opts ...polybill.RequestOption) (*RevenueReport, error) {
	q := url.Values{}
	if params != nil {
		if !params.StartDate.IsZero() && !params.EndDate.IsZero() && params.EndDate.Before(params.StartDate) {
			return nil, polybill.InvalidParam(API, "end_date", "end_date is before start_date")
		}
		if !params.StartDate.IsZero() {
			q.Set("start_date", params.StartDate.Format(time.DateOnly))
		}
		if !params.EndDate.IsZero() {
			q.Set("end_date", params.EndDate.Format(time.DateOnly))
		}
	}
	var r RevenueReport
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getRevenueReport", "/billings/reports/revenue"),
		Query:  q,
	}, &r, opts...); err != nil {
		return nil, err
	}
	return &r, nil
}

// AgingReport buckets the outstanding amounts by days past due.
type AgingReport struct {
	// Current is not yet past due.
	Current *polybill.Decimal
	// Days30 is `days_30` (vendor) or `thirty_days` (SDK); likewise for the others.
	Days30     *polybill.Decimal
	Days60     *polybill.Decimal
	Days90     *polybill.Decimal
	DaysOver90 *polybill.Decimal
	// TotalOutstanding is `total_outstanding` (vendor) or `total` (SDK).
	TotalOutstanding *polybill.Decimal
	// Items are the SDK shape's per-billing rows (absent from the vendor shape).
	Items []AgingItem
	Raw   json.RawMessage
}

// AgingItem is one outstanding billing of an aging report.
type AgingItem struct {
	BillingUniqueID string
	AccountName     string
	ContactName     string
	Amount          *polybill.Decimal
	// DueDate is as sent.
	DueDate         string
	DaysOutstanding *int
	Raw             json.RawMessage
}

func (a *AgingReport) UnmarshalJSON(body []byte) error {
	res, err := parseData(body)
	if err != nil {
		return err
	}
	o := res.attrs
	var e errs
	*a = AgingReport{
		Current:          e.decimal(o, "current"),
		Days30:           e.decimal(o, "days_30", "thirty_days", "thirtyDays"),
		Days60:           e.decimal(o, "days_60", "sixty_days", "sixtyDays"),
		Days90:           e.decimal(o, "days_90", "ninety_days", "ninetyDays"),
		DaysOver90:       e.decimal(o, "days_over_90", "over_90_days", "overNinetyDays"),
		TotalOutstanding: e.decimal(o, "total_outstanding", "total", "totalOutstanding"),
		Raw:              res.rawAttrs,
	}
	items, err := o.list("items")
	e.keep(err)
	for _, raw := range items {
		r, err := parseResource(raw)
		if err != nil {
			return err
		}
		a.Items = append(a.Items, AgingItem{
			BillingUniqueID: e.str(r.attrs, "billing_unique_id", "unique_id", "billingUniqueId"),
			AccountName:     e.str(r.attrs, "account_name", "accountName"),
			ContactName:     e.str(r.attrs, "contact_name", "contactName"),
			Amount:          e.decimal(r.attrs, "amount"),
			DueDate:         e.str(r.attrs, "due_date", "dueDate"),
			DaysOutstanding: e.integer(r.attrs, "days_outstanding", "daysOutstanding"),
			Raw:             r.rawAttrs,
		})
	}
	return e.err
}

// GetAgingReport returns the aging buckets of the outstanding billings.
func (c *Client) GetAgingReport(ctx context.Context, opts ...polybill.RequestOption) (*AgingReport, error) {
	var a AgingReport
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getAgingReport", "/billings/reports/aging"),
	}, &a, opts...); err != nil {
		return nil, err
	}
	return &a, nil
}

// ParticipantReport is one participant's billing totals.
type ParticipantReport struct {
	ParticipantEmail string
	TotalBilled      *polybill.Decimal
	TotalPaid        *polybill.Decimal
	// TotalOutstanding is `total_outstanding` or the SDK type's `outstanding`.
	TotalOutstanding *polybill.Decimal
	SessionsCount    *int
	// Billings are the vendor's `billings` rows or the SDK report service's `sessions`.
	Billings []ParticipantBilling
	Raw      json.RawMessage
}

// ParticipantBilling is one row of a participant report.
type ParticipantBilling struct {
	ID string
	// MeetingID is set in the SDK's `sessions` rows.
	MeetingID string
	Amount    *polybill.Decimal
	Status    Status
	CreatedAt *time.Time
	// Date is the SDK `sessions` row's `date`, as sent.
	Date string
	Raw  json.RawMessage
}

func (p *ParticipantReport) UnmarshalJSON(body []byte) error {
	res, err := parseData(body)
	if err != nil {
		return err
	}
	o := res.attrs
	var e errs
	*p = ParticipantReport{
		ParticipantEmail: e.str(o, "participant_email", "participantEmail"),
		TotalBilled:      e.decimal(o, "total_billed", "totalBilled"),
		TotalPaid:        e.decimal(o, "total_paid", "totalPaid"),
		TotalOutstanding: e.decimal(o, "total_outstanding", "outstanding", "totalOutstanding"),
		SessionsCount:    e.integer(o, "sessions_count", "sessionsCount", "session_count"),
		Raw:              res.rawAttrs,
	}
	rows, err := o.list("billings", "sessions")
	e.keep(err)
	for _, raw := range rows {
		r, err := parseResource(raw)
		if err != nil {
			return err
		}
		p.Billings = append(p.Billings, ParticipantBilling{
			ID:        firstNonEmpty(r.id, e.str(r.attrs, "unique_id", "billing_unique_id")),
			MeetingID: e.str(r.attrs, "meeting_unique_id", "meeting_id"),
			Amount:    e.decimal(r.attrs, "amount"),
			Status:    Status(e.str(r.attrs, "status")),
			CreatedAt: r.attrs.timestamp("created_at", "createdAt"),
			Date:      e.str(r.attrs, "date", "session_date"),
			Raw:       r.rawAttrs,
		})
	}
	return e.err
}

// GetParticipantReport returns a participant's billing totals and billings. The email is
// escaped as one path segment.
func (c *Client) GetParticipantReport(ctx context.Context, participantEmail string, opts ...polybill.RequestOption) (*ParticipantReport, error) {
	if err := requireID("participant_email", participantEmail); err != nil {
		return nil, err
	}
	var p ParticipantReport
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getParticipantReport", "/billings/reports/participant/{participant_email}"),
		Params: []string{participantEmail},
	}, &p, opts...); err != nil {
		return nil, err
	}
	return &p, nil
}

// parseData reads `data` as a plain object or a JSON:API resource.
func parseData(body []byte) (resource, error) {
	env, err := parseEnvelope(body)
	if err != nil {
		return resource{}, err
	}
	return parseResource(env.Data)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
