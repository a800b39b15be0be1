package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

var reportNow = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

func daysAgo(n int) *time.Time {
	t := reportNow.Add(-time.Duration(n) * 24 * time.Hour)
	return &t
}

// seedReports stores billings whose reports are easy to add up by hand.
func seedReports(t *testing.T, srv *crmtest.Server) map[string]string {
	t.Helper()
	ids := map[string]string{}
	seed := []struct {
		name string
		b    crmtest.Billing
	}{
		{"acme-current", crmtest.Billing{Amount: polybill.MustDecimal("100.00"), PayerName: "Acme Corp", PayerEmail: "billing@acme.com", ParticipantEmail: "jane@acme.com", Status: "pending", DueAt: daysAgo(-5), CreatedAt: time.Date(2026, 1, 10, 10, 0, 0, 0, time.UTC)}},
		{"acme-30", crmtest.Billing{Amount: polybill.MustDecimal("200.00"), PayerName: "Acme Corp", PayerEmail: "billing@acme.com", ParticipantEmail: "jane@acme.com", Status: "overdue", DueAt: daysAgo(30), CreatedAt: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)}},
		{"acme-paid", crmtest.Billing{Amount: polybill.MustDecimal("150.00"), PayerName: "Acme Corp", PayerEmail: "billing@acme.com", ParticipantEmail: "jane@acme.com", Status: "paid", DueAt: daysAgo(100), CreatedAt: time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC)}},
		{"widget-60", crmtest.Billing{Amount: polybill.MustDecimal("50.25"), PayerName: "Widget Inc", PayerEmail: "finance@widget.com", Status: "pending", DueAt: daysAgo(45), CreatedAt: time.Date(2025, 12, 31, 10, 0, 0, 0, time.UTC)}},
		{"widget-90", crmtest.Billing{Amount: polybill.MustDecimal("10.10"), PayerName: "Widget Inc", PayerEmail: "finance@widget.com", Status: "pending", DueAt: daysAgo(61), CreatedAt: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}},
		{"widget-over", crmtest.Billing{Amount: polybill.MustDecimal("5.00"), PayerName: "Widget Inc", PayerEmail: "finance@widget.com", Status: "pending", CreatedAt: reportNow.Add(-91 * 24 * time.Hour)}},
		{"unknown-status", crmtest.Billing{Amount: polybill.MustDecimal("999.00"), PayerName: "Other", PayerEmail: "o@other.com", Status: "disputed", CreatedAt: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)}},
	}
	for _, s := range seed {
		s.b.MeetingID = "m-reports"
		id, err := srv.AddBilling(s.b)
		require.NoError(t, err)
		ids[s.name] = id
	}
	return ids
}

func dec(t *testing.T, d *polybill.Decimal) string {
	t.Helper()
	require.NotNil(t, d, "amount missing")
	return d.String()
}

func TestReportsComputedFromState(t *testing.T) {
	ctx := context.Background()
	clock := crmtest.NewManualClock(reportNow)
	srv, c := newFake(t, []crmtest.Option{crmtest.WithClock(clock)})
	ids := seedReports(t, srv)

	rows, err := c.GetOutstandingByPayer(ctx)
	require.NoError(t, err)
	require.Len(t, rows, 2, "paid and unknown-status billings are not outstanding")
	assert.Equal(t, "Acme Corp", rows[0].PayerName)
	assert.Equal(t, "billing@acme.com", rows[0].PayerEmail)
	assert.Equal(t, "300.00", dec(t, rows[0].TotalOutstanding))
	assert.Equal(t, 2, *rows[0].BillingCount)
	assert.Equal(t, "Widget Inc", rows[1].PayerName)
	assert.Equal(t, "65.35", dec(t, rows[1].TotalOutstanding))
	assert.Equal(t, 3, *rows[1].BillingCount)

	aging, err := c.GetAgingReport(ctx)
	require.NoError(t, err)
	assert.Equal(t, "100.00", dec(t, aging.Current))
	assert.Equal(t, "200.00", dec(t, aging.Days30))
	assert.Equal(t, "50.25", dec(t, aging.Days60))
	assert.Equal(t, "10.10", dec(t, aging.Days90))
	assert.Equal(t, "5.00", dec(t, aging.DaysOver90))
	assert.Equal(t, "365.35", dec(t, aging.TotalOutstanding))

	// Ten days later every bucket has moved on.
	clock.Advance(10 * 24 * time.Hour)
	aging, err = c.GetAgingReport(ctx)
	require.NoError(t, err)
	assert.Equal(t, "0.00", dec(t, aging.Current))
	assert.Equal(t, "100.00", dec(t, aging.Days30))
	assert.Equal(t, "250.25", dec(t, aging.Days60), "45+10 days is still within 31-60")
	assert.Equal(t, "10.10", dec(t, aging.Days90))
	assert.Equal(t, "5.00", dec(t, aging.DaysOver90))

	revenue, err := c.GetRevenueReport(ctx, &crm.RevenueReportParams{
		StartDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
	})
	require.NoError(t, err)
	assert.Equal(t, "1449.00", dec(t, revenue.TotalRevenue), "both bounds inclusive, by creation day")
	assert.Equal(t, "150.00", dec(t, revenue.TotalPaid))
	assert.Equal(t, "1299.00", dec(t, revenue.TotalPending))
	assert.Equal(t, 4, *revenue.BillingCount)
	assert.Equal(t, crm.ReportPeriod{StartDate: "2026-01-01", EndDate: "2026-03-31"}, revenue.Period)

	all, err := c.GetRevenueReport(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "1514.35", dec(t, all.TotalRevenue))
	assert.Equal(t, 7, *all.BillingCount)
	assert.Equal(t, crm.ReportPeriod{}, all.Period, "no period was asked for, none is invented")

	part, err := c.GetParticipantReport(ctx, "jane@acme.com")
	require.NoError(t, err)
	assert.Equal(t, "jane@acme.com", part.ParticipantEmail)
	assert.Equal(t, "450.00", dec(t, part.TotalBilled))
	assert.Equal(t, "150.00", dec(t, part.TotalPaid))
	assert.Equal(t, "300.00", dec(t, part.TotalOutstanding))
	assert.Equal(t, 3, *part.SessionsCount)
	require.Len(t, part.Billings, 3)
	assert.Equal(t, ids["acme-current"], part.Billings[0].ID)
	assert.Equal(t, crm.StatusPaid, part.Billings[2].Status)
	require.NotNil(t, part.Billings[0].CreatedAt)
	assert.True(t, part.Billings[0].CreatedAt.Equal(time.Date(2026, 1, 10, 10, 0, 0, 0, time.UTC)))

	eap, err := c.GetEAPSessions(ctx, "jane@acme.com", "Acme Corp")
	require.NoError(t, err)
	require.Len(t, eap.Sessions, 3)
	assert.Equal(t, 3, *eap.TotalSessions)
	assert.Equal(t, "450.00", dec(t, eap.TotalAmount))
	assert.Equal(t, "2026-01-10", eap.Sessions[0].SessionDate)
	assert.NotEmpty(t, eap.Meta)

	none, err := c.GetEAPSessions(ctx, "jane@acme.com", "Widget Inc")
	require.NoError(t, err)
	assert.Empty(t, none.Sessions)
	assert.Equal(t, 0, *none.TotalSessions)
}

// Marking a billing paid through the API moves its amount out of every outstanding total.
func TestReportsFollowAnUpdateToPaid(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, []crmtest.Option{crmtest.WithClock(crmtest.NewManualClock(reportNow))})
	ids := seedReports(t, srv)

	before, err := c.GetOutstandingByPayer(ctx)
	require.NoError(t, err)
	agingBefore, err := c.GetAgingReport(ctx)
	require.NoError(t, err)
	revenueBefore, err := c.GetRevenueReport(ctx, nil)
	require.NoError(t, err)

	_, err = c.UpdateBilling(ctx, ids["acme-30"], crm.UpdateBillingParams{Status: crm.StatusPaid})
	require.NoError(t, err)

	after, err := c.GetOutstandingByPayer(ctx)
	require.NoError(t, err)
	assert.Equal(t, "300.00", dec(t, before[0].TotalOutstanding))
	assert.Equal(t, "100.00", dec(t, after[0].TotalOutstanding))
	assert.Equal(t, 1, *after[0].BillingCount)

	agingAfter, err := c.GetAgingReport(ctx)
	require.NoError(t, err)
	assert.Equal(t, "200.00", dec(t, agingBefore.Days30))
	assert.Equal(t, "0.00", dec(t, agingAfter.Days30))
	assert.Equal(t, "165.35", dec(t, agingAfter.TotalOutstanding))

	revenueAfter, err := c.GetRevenueReport(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, dec(t, revenueBefore.TotalRevenue), dec(t, revenueAfter.TotalRevenue), "revenue is unchanged")
	assert.Equal(t, "150.00", dec(t, revenueBefore.TotalPaid))
	assert.Equal(t, "350.00", dec(t, revenueAfter.TotalPaid))

	part, err := c.GetParticipantReport(ctx, "jane@acme.com")
	require.NoError(t, err)
	assert.Equal(t, "350.00", dec(t, part.TotalPaid))
	assert.Equal(t, "100.00", dec(t, part.TotalOutstanding))
}

func TestRevenueReportRefusesAnInvertedPeriod(t *testing.T) {
	srv, c := newFake(t, nil)
	_, err := c.GetRevenueReport(context.Background(), &crm.RevenueReportParams{
		StartDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	assert.ErrorIs(t, err, polybill.ErrValidation)
	assert.Zero(t, srv.Requests())
}
