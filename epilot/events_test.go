package epilot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
)

func installment(contractID string, cents int64, booked epilot.Date) *epilot.InstallmentEvent {
	return &epilot.InstallmentEvent{EventFields: epilot.EventFields{
		Amount:      epilot.MinorUnits(cents, "EUR"),
		BookingDate: booked,
		DueDate:     booked,
		Contract:    epilot.Link(contractID),
	}}
}

func TestBillingEventLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	created, err := e.client.CreateBillingEvent(ctx, &epilot.InstallmentEvent{EventFields: epilot.EventFields{
		Amount:      epilot.DecimalAmount(polybill.MustDecimal("100.50"), "EUR"),
		BookingDate: polybill.NewDate(2025, 6, 1),
		DueDate:     polybill.NewDate(2025, 6, 15),
		Contract:    epilot.Link("contract-1"),
		ExternalID:  "SAP-4711",
		Status:      epilot.EventStatusOpen,
		Note:        "June installment",
	}})
	require.NoError(t, err)
	inst, ok := created.(*epilot.InstallmentEvent)
	require.True(t, ok, "got %T", created)
	require.NotEmpty(t, inst.ID)
	assert.Equal(t, epilot.KindInstallment, inst.Kind())
	require.NotNil(t, inst.Amount.MinorUnits, "the SDK fills billing_amount from the decimal")
	assert.Equal(t, int64(10050), *inst.Amount.MinorUnits)
	assert.Equal(t, epilot.DirectionDebit, inst.Direction, "the fake infers direction from the type")
	assert.False(t, inst.CreatedAt.IsZero())

	got, err := e.client.GetBillingEvent(ctx, inst.ID)
	require.NoError(t, err)
	assert.Equal(t, inst.ID, got.Fields().ID)
	assert.Equal(t, "June installment", got.Fields().Note)

	byExt, err := e.client.GetBillingEventByExternalID(ctx, "SAP-4711")
	require.NoError(t, err)
	assert.Equal(t, inst.ID, byExt.Fields().ID)

	paid := time.Date(2025, 6, 14, 9, 30, 0, 0, time.UTC)
	updated, err := e.client.UpdateBillingEvent(ctx, inst.ID, epilot.BillingEventUpdate{Status: epilot.EventStatusClosed, PaidDate: paid})
	require.NoError(t, err)
	assert.Equal(t, epilot.EventStatusClosed, updated.Fields().Status)
	assert.True(t, paid.Equal(updated.Fields().PaidDate))
	assert.Equal(t, "June installment", updated.Fields().Note, "fields not in the update are kept")

	require.NoError(t, e.client.DeleteBillingEvent(ctx, inst.ID))
	_, err = e.client.GetBillingEvent(ctx, inst.ID)
	require.ErrorIs(t, err, polybill.ErrNotFound)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "Billing event not found.", pe.Message)
	require.Len(t, pe.Details, 1)
	assert.Equal(t, "Not Found", pe.Details[0].Title)

	err = e.client.DeleteBillingEvent(ctx, inst.ID)
	require.ErrorIs(t, err, polybill.ErrNotFound)
	_, err = e.client.GetBillingEventByExternalID(ctx, "SAP-4711")
	require.ErrorIs(t, err, polybill.ErrNotFound)
}

// seedEvents creates 9 events over three contracts of two customers with distinct kinds
// and booking dates, through the client.
func seedEvents(t *testing.T, e *env) (contracts [3]string) {
	t.Helper()
	ctx := context.Background()
	for i, cust := range []string{"cust-a", "cust-a", "cust-b"} {
		c, err := e.client.CreateContract(ctx, epilot.Contract{Name: fmt.Sprintf("c%d", i), Customer: epilot.Link(cust), BalanceCurrency: "EUR"})
		require.NoError(t, err)
		contracts[i] = c.ID
	}
	for i := range 9 {
		f := epilot.EventFields{
			Amount:      epilot.MinorUnits(int64(1000*(i+1)), "EUR"),
			BookingDate: polybill.NewDate(2025, time.Month(i+1), 10),
			DueDate:     polybill.NewDate(2025, time.Month(i+1), 20),
			Contract:    epilot.Link(contracts[i%3]),
			ExternalID:  fmt.Sprintf("ext-%d", i),
		}
		var ev epilot.BillingEvent = &epilot.InstallmentEvent{EventFields: f}
		if i%2 == 1 {
			ev = &epilot.ReimbursementEvent{EventFields: f}
		}
		_, err := e.client.CreateBillingEvent(ctx, ev)
		require.NoError(t, err)
	}
	return contracts
}

func externalIDs(t *testing.T, seq func(func(epilot.BillingEvent, error) bool)) []string {
	t.Helper()
	var ids []string
	for ev, err := range seq {
		require.NoError(t, err)
		ids = append(ids, ev.Fields().ExternalID)
	}
	return ids
}

func TestListBillingEventsPagesWithEachFilter(t *testing.T) {
	e := newEnv(t)
	contracts := seedEvents(t, e)
	ctx := context.Background()

	tests := []struct {
		name   string
		params epilot.ListBillingEventsParams
		want   []string
	}{
		{"no filter", epilot.ListBillingEventsParams{}, []string{"ext-0", "ext-1", "ext-2", "ext-3", "ext-4", "ext-5", "ext-6", "ext-7", "ext-8"}},
		{"entity_id", epilot.ListBillingEventsParams{EntityIDs: []string{contracts[0], contracts[1]}}, []string{"ext-0", "ext-1", "ext-3", "ext-4", "ext-6", "ext-7"}},
		{"contact_id", epilot.ListBillingEventsParams{ContactID: "cust-a"}, []string{"ext-0", "ext-1", "ext-3", "ext-4", "ext-6", "ext-7"}},
		{"event_type installment", epilot.ListBillingEventsParams{EventType: epilot.KindInstallment}, []string{"ext-0", "ext-2", "ext-4", "ext-6", "ext-8"}},
		{"event_type reimbursement", epilot.ListBillingEventsParams{EventType: epilot.KindReimbursement}, []string{"ext-1", "ext-3", "ext-5", "ext-7"}},
		{"date_after", epilot.ListBillingEventsParams{DateAfter: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)}, []string{"ext-2", "ext-3", "ext-4", "ext-5", "ext-6", "ext-7", "ext-8"}},
		{"date_before", epilot.ListBillingEventsParams{DateBefore: time.Date(2025, 7, 10, 23, 59, 59, 0, time.UTC)}, []string{"ext-0", "ext-1", "ext-2", "ext-3", "ext-4", "ext-5", "ext-6"}},
		{"date range", epilot.ListBillingEventsParams{DateAfter: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), DateBefore: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)}, []string{"ext-1", "ext-2", "ext-3", "ext-4", "ext-5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params
			p.Size = max(1, len(tt.want)/3) // at least three pages for every filter
			before := e.srv.Requests()
			got := externalIDs(t, e.client.ListBillingEvents(ctx, &p))
			assert.Equal(t, tt.want, got)
			pages := (len(tt.want) + p.Size - 1) / p.Size
			require.GreaterOrEqual(t, pages, 3)
			assert.Equal(t, int64(pages), e.srv.Requests()-before, "one request per page, none after hits is reached")

			first, err := e.client.ListBillingEventsPage(ctx, &p)
			require.NoError(t, err)
			assert.Equal(t, len(tt.want), first.Total, "Total is hits")
			assert.Equal(t, p.Size, first.Next)
			assert.True(t, first.HasMore)
		})
	}
}

// TestListBillingEventsFromInParams proves the paging shape shared with crm and clinic: nil
// params mean the defaults, the cursor (From) lives in the params, the iterator starts at it,
// and neither method changes the caller's struct.
func TestListBillingEventsFromInParams(t *testing.T) {
	e := newEnv(t)
	seedEvents(t, e)
	ctx := context.Background()
	all := []string{"ext-0", "ext-1", "ext-2", "ext-3", "ext-4", "ext-5", "ext-6", "ext-7", "ext-8"}

	assert.Equal(t, all, externalIDs(t, e.client.ListBillingEvents(ctx, nil)), "nil params: every event")
	first, err := e.client.ListBillingEventsPage(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, first.Items, len(all))
	assert.Equal(t, len(all), first.Next)
	assert.False(t, first.HasMore)

	params := &epilot.ListBillingEventsParams{Size: 2, From: 3}
	seq := e.client.ListBillingEvents(ctx, params)
	params.From, params.Size = 0, 100 // changes after the call do not reach the sequence
	assert.Equal(t, all[3:], externalIDs(t, seq), "the iterator starts at params.From")

	params = &epilot.ListBillingEventsParams{Size: 4}
	var paged []string
	for {
		page, err := e.client.ListBillingEventsPage(ctx, params)
		require.NoError(t, err)
		for _, ev := range page.Items {
			paged = append(paged, ev.Fields().ExternalID)
		}
		if !page.HasMore {
			break
		}
		before := *params
		params.From = page.Next
		assert.Equal(t, before.From+len(page.Items), params.From)
	}
	assert.Equal(t, all, paged, "paging with params.From = page.Next walks every event once")
	assert.Equal(t, epilot.ListBillingEventsParams{Size: 4, From: 8}, *params, "only the caller changed From")
}

func TestListBillingEventsEntityIDStyles(t *testing.T) {
	for _, style := range []epilot.EntityIDStyle{epilot.EntityIDRepeated, epilot.EntityIDBrackets} {
		t.Run(fmt.Sprint(style), func(t *testing.T) {
			var query atomic.Value
			record := polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				query.Store(req.URL.RawQuery)
				return next(req)
			})
			e := newEnv(t, epilot.WithEntityIDStyle(style), record)
			contracts := seedEvents(t, e)
			got := externalIDs(t, e.client.ListBillingEvents(context.Background(), &epilot.ListBillingEventsParams{EntityIDs: []string{contracts[2]}}))
			assert.Equal(t, []string{"ext-2", "ext-5", "ext-8"}, got, "the fake accepts both forms, like Prism")
			key := "entity_id="
			if style == epilot.EntityIDBrackets {
				key = "entity_id%5B%5D="
			}
			assert.Contains(t, query.Load().(string), key+contracts[2])
		})
	}
}

func TestListBillingEventsIsLazyAndBreakStops(t *testing.T) {
	e := newEnv(t)
	seedEvents(t, e)
	before := e.srv.Requests()
	seq := e.client.ListBillingEvents(context.Background(), &epilot.ListBillingEventsParams{Size: 2})
	assert.Equal(t, before, e.srv.Requests(), "nothing is fetched until ranged")
	n := 0
	for _, err := range seq {
		require.NoError(t, err)
		n++
		if n == 3 {
			break
		}
	}
	assert.Equal(t, before+2, e.srv.Requests(), "breaking during the second page stops all I/O")
}

func TestListBillingEventsErrorEndsSequence(t *testing.T) {
	e := newEnvValidated(t, false)
	seedEvents(t, e)
	e.srv.Faults().Add(epilottestFault(http.StatusForbidden, `{"error":"Forbidden","message":"no access"}`))
	var errs []error
	n := 0
	for _, err := range e.client.ListBillingEvents(context.Background(), &epilot.ListBillingEventsParams{Size: 2}) {
		n++
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.Len(t, errs, 1)
	assert.Equal(t, 1, n, "the error is yielded once and ends the sequence")
	assert.ErrorIs(t, errs[0], polybill.ErrForbidden)
	assert.Contains(t, errs[0].Error(), "no access")
}

// allKinds returns one event of every kind, each with an org-specific property.
func allKinds(contractID string) []epilot.BillingEvent {
	f := func(extra string) epilot.EventFields {
		return epilot.EventFields{
			Amount:      epilot.MinorUnits(2500, "EUR"),
			BookingDate: polybill.NewDate(2025, 6, 1),
			DueDate:     polybill.NewDate(2025, 6, 30),
			Contract:    epilot.Link(contractID),
			Extra:       map[string]json.RawMessage{"x_org_ref": json.RawMessage(extra)},
		}
	}
	return []epilot.BillingEvent{
		&epilot.InstallmentEvent{EventFields: f(`{"sap":{"doc":"4711","pos":[1,2,3]}}`)},
		&epilot.PaymentEvent{EventFields: f(`"pay-1"`)},
		&epilot.ReimbursementEvent{EventFields: f(`1.000000000000000000001`)},
		&epilot.DunningFeeEvent{EventFields: f(`true`)},
		&epilot.InvoiceEvent{EventFields: f(`null`)},
		&epilot.FinalBillEvent{EventFields: f(`[{"a":1},{"b":[]}]`)},
		&epilot.BonusEvent{EventFields: f(`"Gutschrift \u00fc <b>&</b>"`)},
		&epilot.CorrectionEvent{EventFields: f(`-0.5e-7`)},
		&epilot.CustomEvent{Type: "grid_fee_adjustment", EventFields: f(`{"nested":{"deep":{"deeper":12345678901234567890}}}`)},
		&epilot.CustomEvent{Type: string(epilot.KindChargeback), EventFields: f(`"rücklastschrift"`)},
	}
}

func TestEventKindsRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, ev := range allKinds("contract-1") {
		t.Run(string(ev.Kind()), func(t *testing.T) {
			created, err := e.client.CreateBillingEvent(ctx, ev)
			require.NoError(t, err)
			assert.IsType(t, ev, created, "decoded into the same Go type")
			assert.Equal(t, ev.Kind(), created.Kind())

			var wire map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(created.Fields().Raw(), &wire))
			assert.JSONEq(t, `"`+string(ev.Kind())+`"`, string(wire["type"]), "type set from the Go type")

			got, err := e.client.GetBillingEvent(ctx, created.Fields().ID)
			require.NoError(t, err)
			assert.IsType(t, ev, got)
			want := ev.Fields().Extra["x_org_ref"]
			assert.Equal(t, string(want), string(got.Fields().Extra["x_org_ref"]), "unknown property survives byte for byte")

			// A read-modify-write keeps it too: re-encode the event read back. (MarshalJSON
			// is verbatim; json.Marshal around it would add encoding/json's HTML escaping.)
			again, err := got.MarshalJSON()
			require.NoError(t, err)
			assert.Contains(t, string(again), `"x_org_ref":`+string(want))
		})
	}
}

func TestParseBillingEventTolerance(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, ev epilot.BillingEvent)
	}{
		{"unknown type is custom", `{"type":"meter_reading_fee","billing_amount":1,"zzz":{"a":[1]}}`, func(t *testing.T, ev epilot.BillingEvent) {
			ce, ok := ev.(*epilot.CustomEvent)
			require.True(t, ok)
			assert.Equal(t, "meter_reading_fee", ce.Type)
			assert.False(t, ce.Kind().IsKnown())
			assert.Equal(t, `{"a":[1]}`, string(ce.Extra["zzz"]))
		}},
		{"missing type is custom", `{"billing_amount":1}`, func(t *testing.T, ev epilot.BillingEvent) {
			assert.IsType(t, &epilot.CustomEvent{}, ev)
			assert.Equal(t, epilot.EventKind(""), ev.Kind())
		}},
		{"timestamp where a date is specified", `{"type":"installment","due_date":"1970-01-01T00:00:00.000Z","booking_date":"2025-07-10T23:30:00+02:00"}`, func(t *testing.T, ev epilot.BillingEvent) {
			assert.Equal(t, polybill.NewDate(1970, 1, 1), ev.Fields().DueDate)
			assert.Equal(t, polybill.NewDate(2025, 7, 10), ev.Fields().BookingDate, "the date as written, not shifted to UTC")
		}},
		{"related_event as the vendor's $relation object", `{"type":"correction","related_event":{"$relation":[{"entity_id":"ev-9"}]}}`, func(t *testing.T, ev epilot.BillingEvent) {
			assert.Equal(t, "ev-9", ev.Fields().RelatedEvent)
		}},
		{"related_event as a plain id", `{"type":"correction","related_event":"ev-8"}`, func(t *testing.T, ev epilot.BillingEvent) {
			assert.Equal(t, "ev-8", ev.Fields().RelatedEvent)
		}},
		{"unknown direction and status decode", `{"type":"payment","direction":"sideways","status":"pending"}`, func(t *testing.T, ev epilot.BillingEvent) {
			assert.Equal(t, epilot.Direction("sideways"), ev.Fields().Direction)
			assert.False(t, ev.Fields().Direction.IsKnown())
			assert.False(t, ev.Fields().Status.IsKnown())
		}},
		{"decimal as a JSON number", `{"type":"bonus","billing_amount":5,"billing_amount_decimal":0.05,"billing_currency":"EUR"}`, func(t *testing.T, ev epilot.BillingEvent) {
			require.NoError(t, ev.Fields().Amount.Check())
			v, err := ev.Fields().Amount.Value()
			require.NoError(t, err)
			assert.Equal(t, "0.05", v.String())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := epilot.ParseBillingEvent([]byte(tt.json))
			require.NoError(t, err)
			tt.check(t, ev)
			assert.JSONEq(t, tt.json, string(ev.Fields().Raw()))
		})
	}
}

func TestParseBillingEventRejectsNonObjects(t *testing.T) {
	for _, in := range []string{`[]`, `"installment"`, `{"type":`, `<html>`} {
		_, err := epilot.ParseBillingEvent([]byte(in))
		assert.Error(t, err, in)
	}
}

func TestUpdateThatBreaksTheEventIsRejectedByTheServer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ev, err := e.client.CreateBillingEvent(ctx, &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount: epilot.MinorUnits(100, "EUR"), BookingDate: polybill.NewDate(2025, 1, 1), Contract: epilot.Link("c"),
	}})
	require.NoError(t, err)
	// An installment needs a due date; the payment has none.
	_, err = e.client.UpdateBillingEvent(ctx, ev.Fields().ID, epilot.BillingEventUpdate{Kind: epilot.KindInstallment})
	require.ErrorIs(t, err, polybill.ErrValidation)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusUnprocessableEntity, pe.StatusCode)
	assert.True(t, strings.HasPrefix(pe.Message, "Validation failed"), pe.Message)
}

func TestPathParametersCannotChangeTheRoute(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ev, err := e.client.CreateBillingEvent(ctx, installment("c", 100, polybill.NewDate(2025, 1, 1)))
	require.NoError(t, err)
	for _, id := range []string{"..", "../events", "a/b", "x?y=1", "%2e%2e", ev.Fields().ID + "/"} {
		_, err := e.client.GetBillingEvent(ctx, id)
		require.ErrorIs(t, err, polybill.ErrNotFound, id)
		err = e.client.DeleteBillingEvent(ctx, id)
		require.ErrorIs(t, err, polybill.ErrNotFound, id)
	}
	_, err = e.client.GetBillingEvent(ctx, ev.Fields().ID)
	require.NoError(t, err, "nothing was deleted by a crafted id")
	var pe *polybill.Error
	_, err = e.client.GetBillingEventByExternalID(ctx, "a/../b")
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, http.StatusNotFound, pe.StatusCode)
}

// The create body, exactly: the link goes out under href and url (epilot's create schema
// requires a `url` it never defines), and a decimal amount at the currency's scale ("120.50",
// as every example in epilot's spec writes billing_amount_decimal). The link reads back as
// href and title.
func TestCreateBillingEventBodyWithALink(t *testing.T) {
	var body atomic.Value
	var header atomic.Value
	record := polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		if req.Method == http.MethodPost {
			b, err := req.GetBody()
			require.NoError(t, err)
			raw, err := io.ReadAll(b)
			require.NoError(t, err)
			body.Store(string(raw))
			header.Store(req.Header.Clone())
		}
		return next(req)
	})
	e := newEnv(t, record)
	created, err := e.client.CreateBillingEvent(context.Background(), &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount:       epilot.DecimalAmount(polybill.MustDecimal("120.5"), "EUR"),
		BookingDate:  polybill.NewDate(2025, 6, 15),
		Contract:     epilot.Link("contract-1"),
		ExternalID:   "SAP-1",
		ExternalLink: &epilot.ExternalLink{Href: "https://billing.example.com/invoices/12345", Title: "Invoice 12345"},
	}})
	require.NoError(t, err)
	assert.Equal(t, `{"type":"payment","billing_amount":12050,"billing_amount_decimal":"120.50","billing_currency":"EUR",`+
		`"booking_date":"2025-06-15","contract":{"$relation":[{"entity_id":"contract-1"}]},"external_id":"SAP-1",`+
		`"external_link":{"href":"https://billing.example.com/invoices/12345","url":"https://billing.example.com/invoices/12345","title":"Invoice 12345"}}`,
		body.Load())
	h := header.Load().(http.Header)
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "Bearer "+e.srv.Token(), h.Get("Authorization"))
	f := created.Fields()
	assert.Equal(t, &epilot.ExternalLink{Href: "https://billing.example.com/invoices/12345", Title: "Invoice 12345"}, f.ExternalLink)
	assert.Equal(t, "120.50", f.Amount.Decimal.String())
	assert.NotContains(t, string(e.srv.Events()[0]), `"url"`, "url is write-only: the link is stored and read back as href")

	// An update's link is href and title (epilot's update schema has no url).
	updated, err := e.client.UpdateBillingEvent(context.Background(), f.ID, epilot.BillingEventUpdate{
		ExternalLink: &epilot.ExternalLink{Href: "https://billing.example.com/invoices/12346"},
		Amount:       epilot.DecimalAmount(polybill.MustDecimal("99.9"), "EUR"),
	})
	require.NoError(t, err)
	assert.Equal(t, "https://billing.example.com/invoices/12346", updated.Fields().ExternalLink.Href)
	assert.Equal(t, "99.90", updated.Fields().Amount.Decimal.String())
}
