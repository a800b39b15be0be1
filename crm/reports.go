package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// The reports come in three shapes (research: the vendor document's plain objects, the SDK's
// report service reading `data.attributes` with other key names, and the SDK's billing
// service passing `data` through). Every report type below reads both envelopes and both key
// sets, and keeps the data object as sent in Raw. Totals are nil when the server omitted them,
// never a made-up zero.

// PayerOutstanding is one payer's outstanding total.
type PayerOutstanding struct {
	polybill.FieldProblems `json:"-"`
	PayerName              string `wire:"payer_name,payerName"`
	PayerEmail             string `wire:"payer_email,payerEmail"`
	// TotalOutstanding is the sum of the payer's pending and overdue billings.
	TotalOutstanding *polybill.Decimal `wire:"total_outstanding,totalOutstanding"`
	// BillingCount is `billing_count` (vendor) or `billings_count` (SDK).
	BillingCount *int            `wire:"billing_count,billings_count,billingsCount,billingCount"`
	Raw          json.RawMessage `wire:"attributes,raw,flatten"`
}

type outstandingDoc struct {
	Rows []PayerOutstanding `wire:"data"` // a missing list reads as none, as in the SDK
}

func (d *outstandingDoc) DecodeBody(body []byte) error { return decodeBody(body, d) }

// decodeBody reads a whole response body into doc.
func decodeBody(body []byte, doc any) error {
	if err := wire.Decode(body, doc); err != nil {
		return fmt.Errorf("crm: %w", err)
	}
	return nil
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
	return doc.Rows, nil
}

// EAPSessions are a participant's Employee Assistance Program sessions billed to one payer.
// The vendor sends the sessions as billing resources with totals in the top-level `meta`; the
// official SDK types `data` as one summary object. Both decode: the tagged fields are read from
// the summary, and TotalSessions and TotalAmount from `meta` when it has them.
type EAPSessions struct {
	polybill.FieldProblems `json:"-"`
	// Sessions are the session billings (empty for the summary form).
	Sessions []Billing
	// TotalSessions is `meta.total_sessions`, or the summary's `session_count`.
	TotalSessions *int `wire:"session_count,sessions_count,sessionCount,total_sessions,totalSessions"`
	// TotalAmount is `meta.total_amount`, or the summary's `total_amount`.
	TotalAmount *polybill.Decimal `wire:"total_amount,totalAmount"`
	// RemainingSessions is the SDK summary's `remaining_sessions`.
	RemainingSessions *int `wire:"remaining_sessions,remainingSessions"`
	// ParticipantEmail and PayerName are the SDK summary's `participantEmail` and `payerName`.
	ParticipantEmail string `wire:"participant_email,participantEmail"`
	PayerName        string `wire:"payer_name,payerName"`
	// Meta is the top-level meta object as sent; Raw is `data` as sent.
	Meta json.RawMessage
	Raw  json.RawMessage
}

// eapMeta is the vendor's `meta` of an EAP answer.
type eapMeta struct {
	polybill.FieldProblems
	TotalSessions *int              `wire:"total_sessions,totalSessions"`
	TotalAmount   *polybill.Decimal `wire:"total_amount,totalAmount"`
}

func (s *EAPSessions) decode(body []byte) error {
	var doc rawDoc
	if err := decodeBody(body, &doc); err != nil {
		return err
	}
	*s = EAPSessions{Raw: doc.Data}
	if isArray(doc.Data) {
		if err := decodeBody(doc.Data, &s.Sessions); err != nil {
			return err
		}
		for i := range s.Sessions {
			s.Sessions[i].fill()
		}
	} else if len(doc.Data) > 0 {
		var summary struct {
			polybill.FieldProblems
			Attrs json.RawMessage `wire:"attributes,raw,flatten"`
		}
		if err := decodeBody(doc.Data, &summary); err != nil {
			return err
		}
		if err := decodeBody(summary.Attrs, s); err != nil {
			return err
		}
		s.Raw = doc.Data
	}
	if len(doc.Meta) > 0 {
		var m eapMeta
		if err := decodeBody(doc.Meta, &m); err != nil {
			return err
		}
		if string(doc.Meta) != "{}" {
			s.Meta = doc.Meta
		}
		if m.TotalSessions != nil {
			s.TotalSessions = m.TotalSessions
		}
		if m.TotalAmount != nil {
			s.TotalAmount = m.TotalAmount
		}
		for _, p := range m.Problems() {
			p.Path = "meta." + p.Path
			s.FieldProblems = append(s.FieldProblems, p)
		}
	}
	return nil
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
	}, transport.DecodeFunc(s.decode), opts...); err != nil {
		return nil, err
	}
	return &s, nil
}

// RevenueReport is the revenue over a period.
type RevenueReport struct {
	polybill.FieldProblems `json:"-"`
	// TotalRevenue is everything billed in the period.
	TotalRevenue *polybill.Decimal `wire:"total_revenue,totalRevenue"`
	// TotalBilled is the SDK report service's `total_billed` (absent from the vendor shape).
	TotalBilled *polybill.Decimal `wire:"total_billed,totalBilled"`
	TotalPaid   *polybill.Decimal `wire:"total_paid,totalPaid,paidAmount"`
	// TotalPending is the unpaid part: `total_pending` (vendor) or `total_outstanding` (SDK).
	TotalPending *polybill.Decimal `wire:"total_pending,total_outstanding,totalPending,outstandingAmount"`
	BillingCount *int              `wire:"billing_count,billings_count,billingCount,billingsCount"`
	// Currency is sent only in the SDK's shape (which defaults it to USD; we do not).
	Currency polybill.Currency `wire:"currency"`
	Period   ReportPeriod      `wire:"period"`
	// Breakdown is the SDK shape's `breakdown`: totals by month and by status.
	Breakdown RevenueBreakdown `wire:"breakdown"`
	Raw       json.RawMessage  `wire:"attributes,raw,flatten"`
}

// ReportPeriod is a report's period as sent: an object with bounds (YYYY-MM-DD; empty bounds are
// open), or a label such as "2026-Q1" (the SDK's report service sends `period` as a string).
type ReportPeriod struct {
	StartDate string `wire:"start_date,startDate"`
	EndDate   string `wire:"end_date,endDate"`
	// Label is the period when the server sent it as a string.
	Label string `wire:",text"`
}

// RevenueBreakdown is the revenue by month ("2026-01") and by billing status, as the SDK's
// report service types it (maps of amounts).
type RevenueBreakdown struct {
	ByMonth  map[string]polybill.Decimal `wire:"by_month,byMonth"`
	ByStatus map[string]polybill.Decimal `wire:"by_status,byStatus"`
}

func (r *RevenueReport) decode(body []byte) error { return decodeData(body, r) }

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
			return nil, transport.InvalidParam(API, "end_date", "end_date is before start_date")
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
	}, transport.DecodeFunc(r.decode), opts...); err != nil {
		return nil, err
	}
	return &r, nil
}

// AgingReport buckets the outstanding amounts by days past due.
type AgingReport struct {
	polybill.FieldProblems `json:"-"`
	// Current is not yet past due.
	Current *polybill.Decimal `wire:"current"`
	// Days30 is `days_30` (vendor) or `thirty_days` (SDK); likewise for the others.
	Days30     *polybill.Decimal `wire:"days_30,thirty_days,thirtyDays"`
	Days60     *polybill.Decimal `wire:"days_60,sixty_days,sixtyDays"`
	Days90     *polybill.Decimal `wire:"days_90,ninety_days,ninetyDays"`
	DaysOver90 *polybill.Decimal `wire:"days_over_90,over_90_days,overNinetyDays"`
	// TotalOutstanding is `total_outstanding` (vendor) or `total` (SDK).
	TotalOutstanding *polybill.Decimal `wire:"total_outstanding,total,totalOutstanding"`
	// Items are the SDK shape's per-billing rows (absent from the vendor shape).
	Items []AgingItem     `wire:"items"`
	Raw   json.RawMessage `wire:"attributes,raw,flatten"`
}

// AgingItem is one outstanding billing of an aging report.
type AgingItem struct {
	polybill.FieldProblems `json:"-"`
	BillingUniqueID        string            `wire:"billing_unique_id,unique_id,billingUniqueId"`
	AccountName            string            `wire:"account_name,accountName"`
	ContactName            string            `wire:"contact_name,contactName"`
	Amount                 *polybill.Decimal `wire:"amount"`
	// DueDate is as sent.
	DueDate         string          `wire:"due_date,dueDate"`
	DaysOutstanding *int            `wire:"days_outstanding,daysOutstanding"`
	Raw             json.RawMessage `wire:"attributes,raw,flatten"`
}

func (a *AgingReport) decode(body []byte) error { return decodeData(body, a) }

// GetAgingReport returns the aging buckets of the outstanding billings.
func (c *Client) GetAgingReport(ctx context.Context, opts ...polybill.RequestOption) (*AgingReport, error) {
	var a AgingReport
	if err := c.tc.Do(ctx, transport.Call{
		Method: http.MethodGet,
		Op:     transport.Op("getAgingReport", "/billings/reports/aging"),
	}, transport.DecodeFunc(a.decode), opts...); err != nil {
		return nil, err
	}
	return &a, nil
}

// ParticipantReport is one participant's billing totals.
type ParticipantReport struct {
	polybill.FieldProblems `json:"-"`
	ParticipantEmail       string            `wire:"participant_email,participantEmail"`
	TotalBilled            *polybill.Decimal `wire:"total_billed,totalBilled"`
	TotalPaid              *polybill.Decimal `wire:"total_paid,totalPaid"`
	// TotalOutstanding is `total_outstanding` or the SDK type's `outstanding`.
	TotalOutstanding *polybill.Decimal `wire:"total_outstanding,outstanding,totalOutstanding"`
	SessionsCount    *int              `wire:"sessions_count,sessionsCount,session_count"`
	// Billings are the vendor's `billings` rows or the SDK report service's `sessions`.
	Billings []ParticipantBilling `wire:"billings,sessions"`
	Raw      json.RawMessage      `wire:"attributes,raw,flatten"`
}

// ParticipantBilling is one row of a participant report.
type ParticipantBilling struct {
	polybill.FieldProblems `json:"-"`
	// ID is the resource id, or the row's `unique_id`.
	ID string `wire:"id,unique_id,billing_unique_id"`
	// MeetingID is set in the SDK's `sessions` rows.
	MeetingID string            `wire:"meeting_unique_id,meeting_id"`
	Amount    *polybill.Decimal `wire:"amount"`
	Status    Status            `wire:"status"`
	CreatedAt *time.Time        `wire:"created_at,createdAt"`
	// Date is the SDK `sessions` row's `date`, as sent.
	Date string          `wire:"date,session_date"`
	Raw  json.RawMessage `wire:"attributes,raw,flatten"`
}

func (p *ParticipantReport) decode(body []byte) error { return decodeData(body, p) }

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
	}, transport.DecodeFunc(p.decode), opts...); err != nil {
		return nil, err
	}
	return &p, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
