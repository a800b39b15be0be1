package crm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/internal/spectest"
)

func TestBillingLifecycle(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, nil)

	created, err := c.CreateMeetingBilling(ctx, "meeting-1", crm.CreateBillingParams{
		Amount:           polybill.MustDecimal("250.00"),
		PayerName:        "Acme Corp",
		PayerEmail:       "billing@acme.com",
		BillingType:      "session",
		ParticipantEmail: "jane@acme.com",
		Notes:            "first session",
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"billing":{"amount":250.00,"payer_name":"Acme Corp","payer_email":"billing@acme.com",
		"billing_type":"session","participant_email":"jane@acme.com","billing_notes":"first session"}}`, string(srv.Received()[0].Body))
	assert.Contains(t, string(srv.Received()[0].Body), `"amount":250.00`, "the amount goes out exactly, as a JSON number")
	assert.NotEmpty(t, created.UniqueID)
	assert.Equal(t, created.UniqueID, created.ID)
	assert.Equal(t, "billing", created.Type)
	assert.Equal(t, "meeting-1", created.MeetingID)
	require.NotNil(t, created.Amount)
	assert.Equal(t, "250.00", created.Amount.String())
	assert.Equal(t, crm.StatusPending, created.Status)
	assert.Equal(t, "session", created.BillingType)
	assert.Equal(t, "jane@acme.com", created.ParticipantEmail)
	assert.Equal(t, "first session", created.Notes)
	require.NotNil(t, created.CreatedAt)
	assert.Nil(t, created.PaidAt, "an unpaid billing has no paid_at")
	assert.Nil(t, created.DueAt, "no due date was set, none may be invented")
	assert.JSONEq(t, `"Acme Corp"`, string(rawField(t, created.Attributes, "payer_name")))

	got, err := c.GetBilling(ctx, created.UniqueID)
	require.NoError(t, err)
	assert.Equal(t, created.UniqueID, got.UniqueID)
	assert.Equal(t, "billing@acme.com", got.PayerEmail)

	single, err := c.GetMeetingBilling(ctx, "meeting-1")
	require.NoError(t, err)
	assert.Equal(t, created.UniqueID, single.UniqueID)

	amount := polybill.MustDecimal("275.00")
	updated, err := c.UpdateBilling(ctx, created.UniqueID, crm.UpdateBillingParams{Status: crm.StatusPaid, Amount: &amount})
	require.NoError(t, err)
	assert.Equal(t, crm.StatusPaid, updated.Status)
	assert.Equal(t, "275.00", updated.Amount.String())
	assert.NotNil(t, updated.PaidAt, "the server stamps paid_at")
	stored, ok := srv.Billing(created.UniqueID)
	require.True(t, ok)
	assert.Equal(t, "paid", stored.Status)
	assert.Equal(t, "275.00", stored.Amount.String())

	require.NoError(t, srv.SetPaymentSplit(created.UniqueID, []crmtest.SplitEntry{
		{RecipientName: "Dr. Smith", RecipientEmail: "smith@clinic.com", Amount: polybill.MustDecimal("192.50"), Percentage: polybill.MustDecimal("70")},
		{RecipientName: "Clinic Admin", RecipientEmail: "admin@clinic.com", Amount: polybill.MustDecimal("82.50"), Percentage: polybill.MustDecimal("30")},
	}))
	split, err := c.GetPaymentSplit(ctx, created.UniqueID)
	require.NoError(t, err)
	assert.Equal(t, created.UniqueID, split.BillingID)
	assert.Equal(t, "275.00", split.TotalAmount.String())
	require.Len(t, split.Splits, 2)
	assert.Equal(t, "Dr. Smith", split.Splits[0].RecipientName)
	assert.Equal(t, "192.50", split.Splits[0].Amount.String())
	assert.Equal(t, "70", split.Splits[0].Percentage.String())

	require.NoError(t, c.DeleteBilling(ctx, created.UniqueID))
	_, ok = srv.Billing(created.UniqueID)
	assert.False(t, ok)
	_, err = c.GetBilling(ctx, created.UniqueID)
	assert.ErrorIs(t, err, polybill.ErrNotFound)
	assert.ErrorIs(t, c.DeleteBilling(ctx, created.UniqueID), polybill.ErrNotFound)
	_, err = c.GetPaymentSplit(ctx, created.UniqueID)
	assert.ErrorIs(t, err, polybill.ErrNotFound)
	_, err = c.GetMeetingBilling(ctx, "meeting-1")
	assert.ErrorIs(t, err, polybill.ErrNotFound)
}

// The update goes out as PUT with only the set fields inside "billing".
func TestUpdateSendsPartialPUT(t *testing.T) {
	ctx := context.Background()
	var methods []string
	srv, c := newFake(t, nil, polybill.WithMiddleware(recordMethods(&methods)))
	id, err := srv.AddBilling(crmtest.Billing{MeetingID: "m", Amount: polybill.MustDecimal("99.90"), PayerName: "Acme", PayerEmail: "a@acme.com", Notes: "keep"})
	require.NoError(t, err)

	b, err := c.UpdateBilling(ctx, id, crm.UpdateBillingParams{Notes: "changed"})
	require.NoError(t, err)
	assert.Equal(t, []string{"PUT"}, methods)
	assert.JSONEq(t, `{"billing":{"billing_notes":"changed"}}`, string(srv.Received()[0].Body))
	assert.Equal(t, "changed", b.Notes)
	assert.Equal(t, "99.90", b.Amount.String(), "omitted fields are untouched")
	assert.Equal(t, crm.StatusPending, b.Status)
}

func TestListMeetingBillingsPagesLazily(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, nil)
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 7 {
		_, err := srv.AddBilling(crmtest.Billing{UniqueID: fmt.Sprintf("b%d", i), MeetingID: "m-1",
			Amount: polybill.MustDecimal(fmt.Sprintf("%d.00", 100+i)), PayerName: "Acme", PayerEmail: "a@acme.com",
			CreatedAt: start.Add(time.Duration(i) * time.Hour)})
		require.NoError(t, err)
	}
	_, err := srv.AddBilling(crmtest.Billing{MeetingID: "other", Amount: polybill.MustDecimal("1"), PayerName: "X", PayerEmail: "x@x.com"})
	require.NoError(t, err)

	seq := c.ListMeetingBillings(ctx, "m-1", &crm.ListMeetingBillingsParams{Records: 2})
	assert.Zero(t, srv.Requests(), "nothing is fetched before ranging")
	var ids []string
	for b, err := range seq {
		require.NoError(t, err)
		ids = append(ids, b.UniqueID)
	}
	assert.Equal(t, []string{"b0", "b1", "b2", "b3", "b4", "b5", "b6"}, ids)
	assert.EqualValues(t, 4, srv.Requests(), "7 billings at 2 per page are 4 pages")

	before := srv.Requests()
	for b, err := range c.ListMeetingBillings(ctx, "m-1", &crm.ListMeetingBillingsParams{Records: 2, Sort: "-created_at"}) {
		require.NoError(t, err)
		assert.Equal(t, "b6", b.UniqueID)
		break
	}
	assert.Equal(t, before+1, srv.Requests(), "break stops all I/O")

	page, err := c.ListMeetingBillingsPage(ctx, "m-1", &crm.ListMeetingBillingsParams{Page: 4, Records: 2})
	require.NoError(t, err)
	assert.Len(t, page.Items, 1)
	assert.Equal(t, 7, page.Total)
	assert.False(t, page.HasMore)

	page, err = c.ListMeetingBillingsPage(ctx, "m-1", &crm.ListMeetingBillingsParams{Records: 3})
	require.NoError(t, err)
	assert.Len(t, page.Items, 3)
	assert.True(t, page.HasMore)
	assert.Equal(t, 2, page.Next)

	_, err = c.GetMeetingBilling(ctx, "m-1")
	require.NoError(t, err, "the single form answers the latest billing")
}

func TestListMeetingBillingsFilters(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, nil)
	seed := []crmtest.Billing{
		{UniqueID: "p1", Status: "pending", PayerName: "Acme Corp", PayerEmail: "a@acme.com", BillingType: "session", Amount: polybill.MustDecimal("30")},
		{UniqueID: "p2", Status: "paid", PayerName: "Acme Corp", PayerEmail: "a@acme.com", BillingType: "consultation", Amount: polybill.MustDecimal("10")},
		{UniqueID: "p3", Status: "overdue", PayerName: "Widget Inc", PayerEmail: "f@widget.com", BillingType: "session", Amount: polybill.MustDecimal("20")},
	}
	for _, b := range seed {
		b.MeetingID = "m"
		_, err := srv.AddBilling(b)
		require.NoError(t, err)
	}
	tests := []struct {
		name   string
		params crm.ListMeetingBillingsParams
		want   []string
	}{
		{"all", crm.ListMeetingBillingsParams{Page: 1}, []string{"p1", "p2", "p3"}},
		{"status", crm.ListMeetingBillingsParams{Status: crm.StatusPaid}, []string{"p2"}},
		{"billing status", crm.ListMeetingBillingsParams{BillingStatus: "unpaid"}, []string{"p1", "p3"}},
		{"payer with space", crm.ListMeetingBillingsParams{PayerName: "Acme Corp"}, []string{"p1", "p2"}},
		{"search", crm.ListMeetingBillingsParams{Search: "WIDGET"}, []string{"p3"}},
		{"sort by amount", crm.ListMeetingBillingsParams{Sort: "amount"}, []string{"p2", "p3", "p1"}},
		{"sort descending", crm.ListMeetingBillingsParams{Sort: "-amount"}, []string{"p1", "p3", "p2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			for b, err := range c.ListMeetingBillings(ctx, "m", &tt.params) {
				require.NoError(t, err)
				ids = append(ids, b.UniqueID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}
	last := srv.Received()[len(srv.Received())-1]
	assert.Equal(t, "page=1&sort=-amount", last.Query)
}

func TestGetMeetingBillingRefusesToPickFromSeveral(t *testing.T) {
	// A server answering the list form with several billings: the single-billing call must
	// not silently return one of them.
	body := `{"data":[{"id":"a","type":"billing","attributes":{"unique_id":"a"}},{"id":"b","type":"billing","attributes":{"unique_id":"b"}}]}`
	c := fixtureClient(t, map[string]string{"/meetings/m/billing": body})
	_, err := c.GetMeetingBilling(context.Background(), "m")
	var pe *polybill.Error
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, polybill.CodeInvalidResponse, pe.Code)
	assert.Contains(t, pe.Message, "ListMeetingBillings")

	c = fixtureClient(t, map[string]string{"/meetings/m/billing": `{"data":[]}`})
	_, err = c.GetMeetingBilling(context.Background(), "m")
	assert.ErrorIs(t, err, polybill.ErrNotFound)
}

func TestListWithoutParamsStillPages(t *testing.T) {
	srv, c := newFake(t, nil)
	for range 16 {
		_, err := srv.AddBilling(crmtest.Billing{MeetingID: "m", Amount: polybill.MustDecimal("1"), PayerName: "A", PayerEmail: "a@a.com"})
		require.NoError(t, err)
	}
	page, err := c.ListMeetingBillingsPage(context.Background(), "m", nil)
	require.NoError(t, err)
	assert.Len(t, page.Items, 15, "the server's default page size")
	assert.True(t, page.HasMore)
	assert.Equal(t, 16, page.Total)
	assert.Equal(t, "page=1", srv.Received()[0].Query)

	n := 0
	for _, err := range c.ListMeetingBillings(context.Background(), "m", nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 16, n)
}

func TestListStopsOnCanceledContext(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	for _, err := range c.ListMeetingBillings(ctx, "m", nil) {
		calls++
		require.ErrorIs(t, err, context.Canceled)
	}
	assert.Equal(t, 1, calls, "the error is yielded once and ends the sequence")
	assert.Zero(t, srv.Requests())
}

func TestConcurrentCreates(t *testing.T) {
	srv, c := newFake(t, nil)
	const n = 32
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := c.CreateMeetingBilling(context.Background(), "m", crm.CreateBillingParams{
				Amount: polybill.MustDecimal(fmt.Sprintf("%d.50", i+1)), PayerName: "Acme", PayerEmail: "a@acme.com",
			})
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	assert.Len(t, srv.Billings(), n)
	rows, err := c.GetOutstandingByPayer(context.Background())
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, "544.00", rows[0].TotalOutstanding.String(), "sum of 1.50 … 32.50")
	assert.Equal(t, n, *rows[0].BillingCount)
}

// The currency, the due date and the notes go out under the official SDK's names
// (@23blocks/block-crm 5.0.6 writes fee_currency, invoice_due_date, billing_notes; the vendor
// document names none of the three). The fake, like a Rails permit list, keeps only those
// names, so a stored value proves the server would have seen it.
func TestWritesUseTheSDKFieldNames(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, nil)
	due := time.Date(2026, 2, 10, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	created, err := c.CreateMeetingBilling(ctx, "meeting-1", crm.CreateBillingParams{
		Amount:      polybill.MustDecimal("250.00"),
		PayerName:   "Acme Corp",
		PayerEmail:  "billing@acme.com",
		BillingType: "session",
		Currency:    "USD",
		Status:      crm.StatusPending,
		DueAt:       &due,
		Notes:       "first session",
	})
	require.NoError(t, err)
	req := srv.Received()[0]
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "/meetings/meeting-1/billing", req.EscapedPath)
	assert.Equal(t, `{"billing":{"amount":250.00,"billing_notes":"first session","billing_type":"session","fee_currency":"USD",`+
		`"invoice_due_date":"2026-02-09T23:00:00Z","payer_email":"billing@acme.com","payer_name":"Acme Corp","status":"pending"}}`,
		string(req.Body))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, []string{crmtest.DefaultAPIKey}, req.Header.Values("AppId"))
	assert.Equal(t, []string{crmtest.DefaultAPIKey}, req.Header.Values("X-API-KEY"))
	assert.Equal(t, "Bearer "+crmtest.DefaultToken, req.Header.Get("Authorization"))

	stored, ok := srv.Billing(created.UniqueID)
	require.True(t, ok)
	assert.Equal(t, "USD", stored.Currency)
	assert.Equal(t, "first session", stored.Notes)
	require.NotNil(t, stored.DueAt)
	assert.True(t, due.Equal(*stored.DueAt))
	assert.Equal(t, polybill.Currency("USD"), created.Currency)
	assert.Equal(t, "first session", created.Notes)

	due2 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	paid := time.Date(2026, 2, 12, 9, 0, 0, 0, time.UTC)
	_, err = c.UpdateBilling(ctx, created.UniqueID, crm.UpdateBillingParams{
		Currency: "EUR", DueAt: &due2, PaidAt: &paid, Notes: "paid by card", Status: crm.StatusPaid,
	})
	require.NoError(t, err)
	req = srv.Received()[1]
	assert.Equal(t, "PUT", req.Method)
	assert.Equal(t, "/billings/"+created.UniqueID, req.EscapedPath)
	assert.Equal(t, `{"billing":{"billing_notes":"paid by card","fee_currency":"EUR","invoice_due_date":"2026-03-01T00:00:00Z",`+
		`"paid_at":"2026-02-12T09:00:00Z","status":"paid"}}`, string(req.Body))
	assert.Equal(t, []string{crmtest.DefaultAPIKey}, req.Header.Values("AppId"))
	assert.Equal(t, []string{crmtest.DefaultAPIKey}, req.Header.Values("X-API-KEY"))
	stored, _ = srv.Billing(created.UniqueID)
	assert.Equal(t, "EUR", stored.Currency)
	assert.Equal(t, "paid by card", stored.Notes)
	assert.Equal(t, due2, *stored.DueAt)
	assert.Equal(t, paid, *stored.PaidAt)
}

// Extra goes out after the named fields, in key order, each value byte for byte as given (the
// old path decoded the body into a map and re-encoded it, which compacted and re-escaped).
func TestBillingExtraSentVerbatim(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, nil)
	created, err := c.CreateMeetingBilling(ctx, "m", crm.CreateBillingParams{
		Amount: polybill.MustDecimal("250.00"), PayerName: "Acme", PayerEmail: "a@acme.com",
		Extra: map[string]json.RawMessage{
			"metadata":       json.RawMessage(`{ "source" : "<import>", "n": 1.50 }`),
			"fee_amount":     json.RawMessage(`250.00`),
			"payment_method": json.RawMessage(`"card"`),
		},
	})
	require.NoError(t, err)
	assert.Equal(t, `{"billing":{"amount":250.00,"payer_email":"a@acme.com","payer_name":"Acme",`+
		`"fee_amount":250.00,"metadata":{ "source" : "<import>", "n": 1.50 },"payment_method":"card"}}`,
		string(srv.Received()[0].Body))

	_, err = c.UpdateBilling(ctx, created.UniqueID, crm.UpdateBillingParams{Extra: map[string]json.RawMessage{"metadata": json.RawMessage(`null`)}})
	require.NoError(t, err, "an update of Extra alone is an update")
	assert.Equal(t, `{"billing":{"metadata":null}}`, string(srv.Received()[1].Body))
}

// Sort takes what a JSON:API (Rails-style) server takes: comma lists and dotted keys.
func TestListSortAcceptsListsAndDottedKeys(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, nil)
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i, payer := range []string{"Beta", "Acme", "Beta", "Acme"} {
		_, err := srv.AddBilling(crmtest.Billing{UniqueID: fmt.Sprintf("b%d", i), MeetingID: "m", Amount: polybill.MustDecimal("10"),
			PayerName: payer, PayerEmail: "a@acme.com", CreatedAt: start.Add(time.Duration(i) * time.Hour)})
		require.NoError(t, err)
	}
	var ids []string
	for b, err := range c.ListMeetingBillings(ctx, "m", &crm.ListMeetingBillingsParams{Sort: "payer_name,-created_at"}) {
		require.NoError(t, err)
		ids = append(ids, b.UniqueID)
	}
	assert.Equal(t, []string{"b3", "b1", "b2", "b0"}, ids)
	assert.Equal(t, "page=1&sort=payer_name%2C-created_at", srv.Received()[0].Query)

	// A related resource's field is sent as is; this fake keeps no meetings and answers 400,
	// which proves the client let it through.
	_, err := c.ListMeetingBillingsPage(ctx, "m", &crm.ListMeetingBillingsParams{Sort: "-meeting.start_time"})
	require.ErrorIs(t, err, polybill.ErrValidation)
	assert.Equal(t, http.StatusBadRequest, asError(t, err).StatusCode, "the server refused it, not the client")
	assert.Equal(t, "page=1&sort=-meeting.start_time", srv.Received()[1].Query)
}

// No source gives a maximum page size, so none is enforced before sending.
func TestListRecordsHasNoMadeUpMaximum(t *testing.T) {
	srv, c := newFake(t, nil)
	_, err := c.ListMeetingBillingsPage(context.Background(), "m", &crm.ListMeetingBillingsParams{Records: 250})
	require.NoError(t, err)
	assert.Equal(t, "page=1&records=250", srv.Received()[0].Query)
}

// A server that ignores `page` answers page 1 (current_page 1, total_pages 3) whatever is
// asked: following total_pages yielded its billings twice and stopped without an error.
func TestListStopsWithAnErrorWhenTheServerIgnoresPage(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, []crmtest.Option{crmtest.WithPageIgnored()})
	for i := range 40 {
		_, err := srv.AddBilling(crmtest.Billing{UniqueID: fmt.Sprintf("b%02d", i), MeetingID: "m", Amount: polybill.MustDecimal("10"),
			PayerName: "Acme", PayerEmail: "a@acme.com"})
		require.NoError(t, err)
	}
	var ids []string
	var errs []error
	for b, err := range c.ListMeetingBillings(ctx, "m", nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, b.UniqueID)
	}
	assert.Len(t, ids, 15, "the first page once, never again")
	require.Len(t, errs, 1)
	pe := asError(t, errs[0])
	assert.Equal(t, polybill.CodeInvalidResponse, pe.Code)
	assert.Equal(t, "crm: invalid_response: page 2 repeats page 1 (both answered as current_page 1): the server ignores the page parameter; stopping rather than yielding the same billings again", pe.Error())
	assert.Equal(t, []string{"page=1", "page=2"}, queries(srv))

	// Without pagination meta the repeat shows in the billings themselves.
	page := `{"data":[` + strings.Repeat(`{"id":"x","type":"billing","attributes":{}},`, 14) + `{"id":"y","type":"billing","attributes":{}}]}`
	fixed := fixtureClient(t, map[string]string{"/meetings/m/billing": page})
	n := 0
	var last error
	for _, err := range fixed.ListMeetingBillings(ctx, "m", nil) {
		n++
		last = err
	}
	assert.Equal(t, 16, n, "15 billings, then the error")
	require.Error(t, last)
	assert.Contains(t, last.Error(), "page 2 repeats page 1 (the same billings)")
}

func queries(srv *crmtest.Server) []string {
	var q []string
	for _, r := range srv.Received() {
		q = append(q, r.Query)
	}
	return q
}

// IsKnown accepts exactly the spec's enum: the constants are held to openapi/crm.yaml.
func TestEnumsMatchSpec(t *testing.T) {
	statuses := []crm.Status{crm.StatusPending, crm.StatusPaid, crm.StatusOverdue}
	spectest.CheckEnum(t, spectest.Load(t, "../openapi/crm.yaml"), "BillingStatus", statuses...)
	for _, s := range statuses {
		assert.True(t, s.IsKnown(), s)
	}
	assert.False(t, crm.Status("active").IsKnown())
}
