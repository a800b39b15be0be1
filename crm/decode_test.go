package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
)

// Every shape variant listed in research/apis.md §1 decodes, from recorded JSON, through the
// public client.

func TestBillingVariants(t *testing.T) {
	ctx := context.Background()
	c := fixtureClient(t, map[string]string{
		"/billings/jsonapi": fixture(t, "billing_jsonapi.json"),
		"/billings/plain":   fixture(t, "billing_plain_sdk.json"),
		"/billings/fee":     fixture(t, "billing_fee_names.json"),
		"/billings/partial": fixture(t, "billing_update_partial.json"),
	})

	t.Run("vendor JSON:API resource", func(t *testing.T) {
		b, err := c.GetBilling(ctx, "jsonapi")
		require.NoError(t, err)
		assert.Equal(t, "billing-uuid-123", b.ID)
		assert.Equal(t, "billing", b.Type)
		assert.Equal(t, "meeting-uuid-123", b.MeetingID)
		assert.Equal(t, "250.00", dec(t, b.Amount))
		assert.False(t, b.Amount.IsQuoted(), "a JSON number stays a number")
		assert.Equal(t, crm.StatusPending, b.Status)
		assert.Equal(t, time.Date(2026, 1, 10, 10, 30, 0, 0, time.UTC), *b.CreatedAt)
		assert.Nil(t, b.PaidAt)
		assert.Nil(t, b.DueAt)
	})
	t.Run("plain object with the SDK's read names", func(t *testing.T) {
		b, err := c.GetBilling(ctx, "plain")
		require.NoError(t, err)
		assert.Equal(t, "7f1c", b.ID)
		assert.Empty(t, b.Type)
		assert.Equal(t, "meeting-uuid-123", b.MeetingID, "meeting_unique_id")
		assert.Equal(t, "250.0", dec(t, b.Amount), "numeric string, exact")
		assert.True(t, b.Amount.IsQuoted())
		assert.Equal(t, polybill.Currency("EUR"), b.Currency)
		assert.Equal(t, crm.Status("active"), b.Status, "unknown status kept verbatim")
		assert.False(t, b.Status.IsKnown())
		assert.Equal(t, "unpaid", b.BillingStatus)
		assert.Equal(t, "contact-9", b.ParticipantUniqueID)
		assert.Equal(t, time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), *b.DueAt)
		assert.Nil(t, b.PaidAt, "null stays nil")
		assert.Nil(t, b.CreatedAt, "absent stays nil, never now")
		assert.Nil(t, b.UpdatedAt, "unparsable stays nil, never now")
		assert.JSONEq(t, `"not a date"`, string(rawField(t, b.Attributes, "updated_at")), "but its text is kept")
		assert.JSONEq(t, `{"source":"calendar","ref":17}`, string(rawField(t, b.Attributes, "payload")), "unknown fields are kept")
	})
	t.Run("the SDK's write names", func(t *testing.T) {
		b, err := c.GetBilling(ctx, "fee")
		require.NoError(t, err)
		assert.Equal(t, "42", b.ID, "integer id kept as text")
		assert.Equal(t, "meeting_billing", b.Type)
		assert.Equal(t, "1234.5", dec(t, b.Amount), "fee_amount")
		assert.Equal(t, polybill.Currency("USD"), b.Currency, "fee_currency")
		assert.Equal(t, "written with the SDK's names", b.Notes, "billing_notes")
		assert.Equal(t, "contact-1", b.ParticipantUniqueID, "contact_unique_id")
		assert.Equal(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), *b.DueAt, "invoice_due_date")
		assert.Equal(t, crm.StatusOverdue, b.Status)
		assert.Equal(t, time.Date(2026, 1, 12, 10, 30, 0, 0, time.UTC), b.CreatedAt.UTC(), "Rails' default time format")
	})
	t.Run("partial update answer", func(t *testing.T) {
		b, err := c.GetBilling(ctx, "partial")
		require.NoError(t, err)
		assert.Equal(t, crm.StatusPaid, b.Status)
		assert.Equal(t, "275.00", dec(t, b.Amount))
		assert.Empty(t, b.PayerName, "absent, not invented")
		assert.Nil(t, b.CreatedAt)
	})
}

func TestMeetingBillingListVariants(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		bodies  map[string]string
		records int
		total   int
	}{
		{"snake_case meta", map[string]string{
			"/meetings/m/billing?page=1": fixture(t, "meeting_list_snake_p1.json"),
			"/meetings/m/billing?page=2": fixture(t, "meeting_list_snake_p2.json"),
		}, 0, 3},
		{"camelCase meta with string numbers", map[string]string{
			"/meetings/m/billing?page=1": fixture(t, "meeting_list_camel_p1.json"),
			"/meetings/m/billing?page=2": fixture(t, "meeting_list_camel_p2.json"),
		}, 0, 3},
		{"no meta, a short page ends the list", map[string]string{
			"/meetings/m/billing?page=1&records=2": fixture(t, "meeting_list_nometa_p1.json"),
			"/meetings/m/billing?page=2&records=2": fixture(t, "meeting_list_nometa_p2.json"),
		}, 2, -1},
		{"single resource form is a one-item list", map[string]string{
			"/meetings/m/billing": fixture(t, "billing_jsonapi.json"),
		}, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixtureClient(t, tt.bodies)
			var ids []string
			for b, err := range c.ListMeetingBillings(ctx, "m", &crm.ListMeetingBillingsParams{Records: tt.records}) {
				require.NoError(t, err)
				ids = append(ids, b.UniqueID)
			}
			if tt.name == "single resource form is a one-item list" {
				assert.Equal(t, []string{"billing-uuid-123"}, ids)
				return
			}
			assert.Equal(t, []string{"a", "b", "c"}, ids)
			page, err := c.ListMeetingBillingsPage(ctx, "m", &crm.ListMeetingBillingsParams{Page: 1, Records: tt.records})
			require.NoError(t, err)
			assert.Equal(t, tt.total, page.Total)
			assert.True(t, page.HasMore)
		})
	}
}

func TestReportVariants(t *testing.T) {
	ctx := context.Background()
	paths := func(body string) map[string]string {
		return map[string]string{
			"/billings/outstanding_by_payer":                   body,
			"/billings/reports/revenue":                        body,
			"/billings/reports/aging":                          body,
			"/billings/reports/participant/jane@acme.com":      body,
			"/billings/eap_sessions/jane@acme.com/Acme%20Corp": body,
			"/billings/b/payment_split":                        body,
		}
	}

	t.Run("outstanding, vendor", func(t *testing.T) {
		rows, err := fixtureClient(t, paths(fixture(t, "outstanding_vendor.json"))).GetOutstandingByPayer(ctx)
		require.NoError(t, err)
		require.Len(t, rows, 2)
		assert.Equal(t, "finance@widget.com", rows[1].PayerEmail)
		assert.Equal(t, "750.00", dec(t, rows[1].TotalOutstanding))
		assert.Equal(t, 3, *rows[1].BillingCount)
	})
	t.Run("outstanding, SDK resources with billings_count and strings", func(t *testing.T) {
		rows, err := fixtureClient(t, paths(fixture(t, "outstanding_sdk.json"))).GetOutstandingByPayer(ctx)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Equal(t, "Acme Corp", rows[0].PayerName)
		assert.Empty(t, rows[0].PayerEmail)
		assert.Equal(t, "1500.10", dec(t, rows[0].TotalOutstanding))
		assert.Equal(t, 6, *rows[0].BillingCount)
		assert.JSONEq(t, `"us"`, string(rawField(t, rows[0].Raw, "region")))
	})
	t.Run("EAP, vendor array plus meta", func(t *testing.T) {
		s, err := fixtureClient(t, paths(fixture(t, "eap_vendor.json"))).GetEAPSessions(ctx, "jane@acme.com", "Acme Corp")
		require.NoError(t, err)
		require.Len(t, s.Sessions, 1)
		assert.Equal(t, "2026-02-10", s.Sessions[0].SessionDate)
		assert.Equal(t, 4, *s.TotalSessions)
		assert.Equal(t, "600.00", dec(t, s.TotalAmount))
		assert.Nil(t, s.RemainingSessions)
	})
	t.Run("EAP, SDK summary object", func(t *testing.T) {
		s, err := fixtureClient(t, paths(fixture(t, "eap_summary.json"))).GetEAPSessions(ctx, "jane@acme.com", "Acme Corp")
		require.NoError(t, err)
		assert.Empty(t, s.Sessions)
		assert.Equal(t, 4, *s.TotalSessions)
		assert.Equal(t, "600.00", dec(t, s.TotalAmount))
		assert.Equal(t, 2, *s.RemainingSessions)
		assert.Empty(t, s.Meta)
	})
	t.Run("revenue, vendor plain", func(t *testing.T) {
		r, err := fixtureClient(t, paths(fixture(t, "revenue_vendor.json"))).GetRevenueReport(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, "45000.00", dec(t, r.TotalRevenue))
		assert.Equal(t, "12000.00", dec(t, r.TotalPending))
		assert.Equal(t, "33000.00", dec(t, r.TotalPaid))
		assert.Nil(t, r.TotalBilled)
		assert.Equal(t, 85, *r.BillingCount)
		assert.Empty(t, r.Currency, "no USD default")
		assert.Equal(t, crm.ReportPeriod{StartDate: "2026-01-01", EndDate: "2026-03-31"}, r.Period)
	})
	t.Run("revenue, SDK attributes envelope", func(t *testing.T) {
		r, err := fixtureClient(t, paths(fixture(t, "revenue_attributes.json"))).GetRevenueReport(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, "45000.00", dec(t, r.TotalRevenue))
		assert.Equal(t, "46000.5", dec(t, r.TotalBilled))
		assert.Equal(t, "12000.00", dec(t, r.TotalPending), "total_outstanding")
		assert.Equal(t, "33000", dec(t, r.TotalPaid))
		assert.Nil(t, r.BillingCount)
		assert.Equal(t, polybill.Currency("EUR"), r.Currency)
		assert.JSONEq(t, `{"by_month":{"2026-01":15000},"by_status":{"paid":33000}}`, string(rawField(t, r.Raw, "breakdown")))
	})
	t.Run("aging, vendor plain", func(t *testing.T) {
		a, err := fixtureClient(t, paths(fixture(t, "aging_vendor.json"))).GetAgingReport(ctx)
		require.NoError(t, err)
		assert.Equal(t, "5000.00", dec(t, a.Current))
		assert.Equal(t, "3000.00", dec(t, a.Days30))
		assert.Equal(t, "1500.00", dec(t, a.Days60))
		assert.Equal(t, "800.00", dec(t, a.Days90))
		assert.Equal(t, "200.00", dec(t, a.DaysOver90))
		assert.Equal(t, "10500.00", dec(t, a.TotalOutstanding))
		assert.Empty(t, a.Items)
	})
	t.Run("aging, SDK attributes envelope and names", func(t *testing.T) {
		a, err := fixtureClient(t, paths(fixture(t, "aging_attributes.json"))).GetAgingReport(ctx)
		require.NoError(t, err)
		assert.Equal(t, "5000.00", dec(t, a.Current))
		assert.Equal(t, "3000", dec(t, a.Days30))
		assert.Equal(t, "1500.5", dec(t, a.Days60))
		assert.Equal(t, "800", dec(t, a.Days90))
		assert.Equal(t, "200", dec(t, a.DaysOver90))
		assert.Equal(t, "10500.5", dec(t, a.TotalOutstanding))
		require.Len(t, a.Items, 1)
		assert.Equal(t, crm.AgingItem{BillingUniqueID: "b-1", AccountName: "Acme Corp", ContactName: "Jane",
			Amount: a.Items[0].Amount, DueDate: "2025-12-01", DaysOutstanding: a.Items[0].DaysOutstanding, Raw: a.Items[0].Raw}, a.Items[0])
		assert.Equal(t, "200.00", dec(t, a.Items[0].Amount))
		assert.Equal(t, 121, *a.Items[0].DaysOutstanding)
	})
	t.Run("participant, vendor plain", func(t *testing.T) {
		p, err := fixtureClient(t, paths(fixture(t, "participant_vendor.json"))).GetParticipantReport(ctx, "jane@acme.com")
		require.NoError(t, err)
		assert.Equal(t, "jane@acme.com", p.ParticipantEmail)
		assert.Equal(t, "2400.00", dec(t, p.TotalBilled))
		assert.Equal(t, "600.00", dec(t, p.TotalOutstanding))
		assert.Equal(t, 16, *p.SessionsCount)
		require.Len(t, p.Billings, 1)
		assert.Equal(t, "billing-uuid", p.Billings[0].ID)
		assert.Equal(t, crm.StatusPaid, p.Billings[0].Status)
		assert.Equal(t, time.Date(2026, 1, 10, 10, 30, 0, 0, time.UTC), *p.Billings[0].CreatedAt)
	})
	t.Run("participant, SDK attributes with sessions", func(t *testing.T) {
		p, err := fixtureClient(t, paths(fixture(t, "participant_attributes.json"))).GetParticipantReport(ctx, "jane@acme.com")
		require.NoError(t, err)
		assert.Equal(t, "jane@acme.com", p.ParticipantEmail, "participantEmail")
		assert.Equal(t, "2400.00", dec(t, p.TotalBilled))
		assert.Nil(t, p.SessionsCount, "not sent, not counted for the server")
		require.Len(t, p.Billings, 1)
		assert.Equal(t, "m-1", p.Billings[0].MeetingID)
		assert.Equal(t, "2026-01-10", p.Billings[0].Date)
		assert.Equal(t, crm.Status("no_show"), p.Billings[0].Status)
		assert.Nil(t, p.Billings[0].CreatedAt, "missing date is not now")
	})
	t.Run("payment split, vendor object", func(t *testing.T) {
		s, err := fixtureClient(t, paths(fixture(t, "split_vendor.json"))).GetPaymentSplit(ctx, "b")
		require.NoError(t, err)
		assert.Equal(t, "billing-uuid-123", s.BillingID)
		assert.Equal(t, "250.00", dec(t, s.TotalAmount))
		require.Len(t, s.Splits, 2)
		assert.Equal(t, "admin@clinic.com", s.Splits[1].RecipientEmail)
		assert.Equal(t, "75.00", dec(t, s.Splits[1].Amount))
		assert.Equal(t, "30", dec(t, s.Splits[1].Percentage))
	})
	t.Run("payment split, SDK array", func(t *testing.T) {
		s, err := fixtureClient(t, paths(fixture(t, "split_array.json"))).GetPaymentSplit(ctx, "b")
		require.NoError(t, err)
		assert.Empty(t, s.BillingID)
		assert.Nil(t, s.TotalAmount)
		require.Len(t, s.Splits, 1)
		assert.Equal(t, "c-1", s.Splits[0].ParticipantUniqueID)
		assert.Equal(t, "smith@clinic.com", s.Splits[0].RecipientEmail)
		assert.Equal(t, "Acme Corp", s.Splits[0].RecipientName)
		assert.Equal(t, "70.5", dec(t, s.Splits[0].Percentage))
	})
}

// Bodies that are not what any variant describes fail loudly instead of decoding to zeros.
func TestUndecodableResponses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		body string
	}{
		{"data is a string", `{"data":"x"}`},
		{"not JSON", `<html>`},
		{"truncated", `{"data":{"id":"x"`},
		{"no data", `{"meta":{}}`},
		{"an array", `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixtureClient(t, map[string]string{"/billings/x": tt.body})
			_, err := c.GetBilling(ctx, "x")
			pe := asError(t, err)
			assert.Equal(t, "invalid_response", pe.Code)
			assert.Equal(t, 200, pe.StatusCode)
		})
	}
}

// One unreadable value never fails the call or the page: its field stays zero, the other fields
// and billings are read, and Problems names the value with its raw JSON.
func TestBadLeavesAreReported(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, attr, raw string
	}{
		{"amount is empty", "amount", `""`},
		{"amount has a trailing space", "amount", `"250.00 "`},
		{"amount is a boolean", "amount", `true`},
		{"amount has too many digits", "amount", `"12345678901234567890.123"`},
		{"amount is a float residue", "amount", `4.440892098500626e-16`},
		{"payer name is an object", "payer_name", `{"first":"A"}`},
		{"due date is not a date", "due_at", `"next week"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := `{"id":"b1","type":"billing","attributes":{"status":"paid","notes":"n",` + jsonKey(tt.attr) + `:` + tt.raw + `}}`
			good := `{"id":"b2","type":"billing","attributes":{"amount":"10.00","status":"pending"}}`
			c := fixtureClient(t, map[string]string{
				"/billings/b1":        `{"data":` + bad + `}`,
				"/meetings/m/billing": `{"data":[` + bad + `,` + good + `],"meta":{"total_count":2,"per_page":15}}`,
			})
			b, err := c.GetBilling(ctx, "b1")
			require.NoError(t, err)
			checkBad := func(b crm.Billing) {
				assert.Equal(t, "b1", b.ID)
				assert.Equal(t, crm.StatusPaid, b.Status)
				assert.Equal(t, "n", b.Notes)
				require.Len(t, b.Problems(), 1)
				assert.Equal(t, tt.attr, b.Problems()[0].Path)
				assert.Equal(t, tt.raw, string(b.Problems()[0].Raw))
				assert.NotEmpty(t, b.Problems()[0].Reason)
				assert.Contains(t, string(b.Attributes), tt.raw, "the raw value stays reachable")
			}
			checkBad(*b)
			var got []crm.Billing
			for b, err := range c.ListMeetingBillings(ctx, "m", nil) {
				require.NoError(t, err)
				got = append(got, b)
			}
			require.Len(t, got, 2)
			checkBad(got[0])
			assert.Equal(t, "10.00", dec(t, got[1].Amount))
			assert.Empty(t, got[1].Problems())
		})
	}
}

func jsonKey(k string) string { return `"` + k + `"` }

// The SDK report service's shapes: the EAP summary's participant and payer, the revenue
// breakdown, and a period sent as a label.
func TestReportSDKFields(t *testing.T) {
	ctx := context.Background()
	c := fixtureClient(t, map[string]string{
		"/billings/eap_sessions/jane@acme.com/Acme": `{"data":{"participantEmail":"jane@acme.com","payerName":"Acme","sessionCount":4,"totalAmount":600,"remainingSessions":2}}`,
		"/billings/reports/revenue": `{"data":{"type":"revenue_report","attributes":{"total_revenue":"10.00","period":"2026-Q1",
			"breakdown":{"by_month":{"2026-01":"4.00","2026-02":6},"by_status":{"paid":"10.00","pending":"x"}}}}}`,
	})
	s, err := c.GetEAPSessions(ctx, "jane@acme.com", "Acme")
	require.NoError(t, err)
	assert.Equal(t, "jane@acme.com", s.ParticipantEmail)
	assert.Equal(t, "Acme", s.PayerName)
	assert.Equal(t, 4, *s.TotalSessions)

	r, err := c.GetRevenueReport(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "2026-Q1", r.Period.Label)
	assert.Empty(t, r.Period.StartDate)
	assert.Equal(t, "4.00", r.Breakdown.ByMonth["2026-01"].String())
	assert.Equal(t, "6", r.Breakdown.ByMonth["2026-02"].String())
	assert.Equal(t, "10.00", r.Breakdown.ByStatus["paid"].String())
	require.Len(t, r.Problems(), 1)
	assert.Equal(t, "breakdown.by_status.pending", r.Problems()[0].Path)
}
