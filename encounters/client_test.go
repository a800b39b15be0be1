package encounters_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// TestTokenRefreshedOnceConcurrently: a JWT about to expire is refreshed
// exactly once for 32 concurrent callers, with the rotated refresh token.
func TestTokenRefreshedOnceConcurrently(t *testing.T) {
	clock := encounterstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	c, srv := setup(t,
		[]encounterstest.Option{encounterstest.WithClock(clock), encounterstest.WithUser("cashier@example.com", "s3cret"), encounterstest.WithTokenTTL(10 * time.Minute)},
		encounters.WithCredentials("cashier@example.com", "s3cret"), encounterstest.WithTokenClock(clock.Now))
	ctx := context.Background()

	_, err := c.Invoices.Find(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Logins())
	assert.Equal(t, 0, srv.Refreshes())

	clock.Advance(9*time.Minute + 45*time.Second) // inside the refresh margin, not yet expired
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			_, err := c.Invoices.Find(ctx, nil)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Refreshes(), "one refresh shared by every caller")
	assert.Equal(t, 1, srv.Logins(), "no second sign-in")
	assert.EqualValues(t, 2, c.TokenFetches())

	// The second refresh uses the rotated refresh token (the first one is dead).
	clock.Advance(10 * time.Minute)
	_, err = c.Invoices.Find(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Refreshes())
	assert.Equal(t, 1, srv.Logins())
}

func TestExpiredTokenRejectedTriggersOneRefresh(t *testing.T) {
	// The client's clock lags the server's: the server rejects the token with 401,
	// the transport refreshes once and replays.
	serverClock := encounterstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	clientClock := encounterstest.NewManualClock(serverClock.Now())
	c, srv := setup(t,
		[]encounterstest.Option{encounterstest.WithClock(serverClock), encounterstest.WithUser("a@b.c", "pw")},
		encounters.WithCredentials("a@b.c", "pw"), encounterstest.WithTokenClock(clientClock.Now))
	ctx := context.Background()
	_, err := c.Invoices.Find(ctx, nil)
	require.NoError(t, err)
	serverClock.Advance(2 * time.Hour)
	_, err = c.Invoices.Find(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Refreshes())
}

func TestWrongPasswordIsUnauthorized(t *testing.T) {
	c, _ := setup(t, []encounterstest.Option{encounterstest.WithUser("a@b.c", "right")}, encounters.WithCredentials("a@b.c", "wrong-password"))
	_, err := c.Invoices.Find(context.Background(), nil)
	require.ErrorIs(t, err, polybill.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong-password")
}

func TestStaticTokenAndEnvironmentHeader(t *testing.T) {
	var seen http.Header
	srv := encounterstest.New()
	t.Cleanup(srv.Close)
	c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()), encounters.WithEnvironment("sandbox"),
		polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			seen = req.Header.Clone()
			return next(req)
		}))
	require.NoError(t, err)
	_, err = c.Invoices.Find(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+srv.Token(), seen.Get("Authorization"))
	assert.Equal(t, "sandbox", seen.Get("Environment"))

	bad, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken("nope"))
	require.NoError(t, err)
	_, err = bad.Invoices.Find(context.Background(), nil)
	var perr *polybill.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, "NotAuthenticated", perr.Code)
	assert.ErrorIs(t, err, polybill.ErrUnauthorized)
}

func TestNewFromEnv(t *testing.T) {
	srv := encounterstest.New(encounterstest.WithUser("e@x.io", "pw"))
	t.Cleanup(srv.Close)
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"token", map[string]string{encounters.EnvAPIURL: srv.URL(), encounters.EnvToken: srv.Token()}, ""},
		{"login", map[string]string{encounters.EnvAPIURL: srv.URL(), encounters.EnvEmail: "e@x.io", encounters.EnvPassword: "pw"}, ""},
		{"no url", map[string]string{encounters.EnvToken: "t"}, encounters.EnvAPIURL},
		{"no credentials", map[string]string{encounters.EnvAPIURL: srv.URL()}, encounters.EnvToken},
		{"http to a remote host", map[string]string{encounters.EnvAPIURL: "http://hapihub.example.com", encounters.EnvToken: "t"}, "http"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{encounters.EnvAPIURL, encounters.EnvToken, encounters.EnvEmail, encounters.EnvPassword} {
				t.Setenv(k, tc.env[k])
			}
			c, err := encounters.NewFromEnv()
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			_, err = c.Invoices.Find(context.Background(), nil)
			require.NoError(t, err)
		})
	}
}

func TestFeathersErrorsDecoded(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		body      string
		is        error
		code      string
		param     string
		details   int
		retryable bool
	}{
		{"bad request with field errors", 400, `{"name":"BadRequest","message":"Invalid data","code":400,"className":"bad-request","data":{"hint":"x"},"errors":{"amount":"too big","item":{"message":"unknown"}}}`, polybill.ErrValidation, "BadRequest", "", 3, false},
		{"one field", 400, `{"name":"BadRequest","message":"m","code":400,"className":"bad-request","errors":{"amount":"too big"}}`, polybill.ErrValidation, "BadRequest", "amount", 1, false},
		{"errors array", 422, `{"name":"Unprocessable","message":"m","code":422,"className":"unprocessable","errors":[{"path":"price","message":"bad"}]}`, polybill.ErrValidation, "Unprocessable", "price", 1, false},
		{"not found", 404, `{"name":"NotFound","message":"No record found for id 'x'","code":404,"className":"not-found"}`, polybill.ErrNotFound, "NotFound", "", 0, false},
		{"conflict", 409, `{"name":"Conflict","message":"exists","code":409,"className":"conflict","type":"FeathersError"}`, polybill.ErrConflict, "Conflict", "", 0, false},
		{"unavailable", 503, `{"name":"Unavailable","message":"down","code":503,"className":"unavailable"}`, polybill.ErrServer, "Unavailable", "", 0, true},
		{"not json", 502, `<html>bad gateway</html>`, polybill.ErrServer, "", "", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := encounterstest.New()
			t.Cleanup(srv.Close)
			srv.Faults().Add(encounterstest.Fault{Status: tc.status, Body: tc.body, Times: -1})
			c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()), polybill.WithMaxRetries(0))
			require.NoError(t, err)
			_, err = c.Invoices.Get(context.Background(), "inv-1", nil)
			var perr *polybill.Error
			require.ErrorAs(t, err, &perr)
			assert.ErrorIs(t, err, tc.is)
			assert.Equal(t, tc.status, perr.StatusCode)
			if tc.code != "" {
				assert.Equal(t, tc.code, perr.Code)
			}
			assert.Equal(t, tc.param, perr.Param)
			assert.Len(t, perr.Details, tc.details)
			assert.Equal(t, tc.retryable, perr.Retryable)
			assert.Equal(t, tc.body, string(perr.Body))
		})
	}
}

// TestTolerantReader: unknown fields stay reachable, unknown enum values
// decode, timestamps are epoch ms, money keeps its digits.
func TestTolerantReader(t *testing.T) {
	raw := `{"id":"inv-9","type":"pharmacy-sale","status":"partially-paid","total":1234567890.123456,"paid":"10.10","balance":0,
		"createdAt":1700000000123,"finalizedAt":null,"futureField":{"a":[1,2]},"$populated":{"items":[{"id":"itm-1"}]}}`
	var inv encounters.Invoice
	require.NoError(t, json.Unmarshal([]byte(raw), &inv))
	assert.Equal(t, encounters.InvoiceType("pharmacy-sale"), inv.Type)
	assert.False(t, inv.Type.IsKnown())
	assert.False(t, inv.Status.IsKnown())
	assert.Equal(t, "1234567890.123456", inv.Total.String())
	assert.Equal(t, "10.10", inv.Paid.String())
	assert.Equal(t, time.UnixMilli(1700000000123).UTC(), inv.CreatedAt)
	assert.True(t, inv.FinalizedAt.IsZero())
	assert.Contains(t, string(inv.Raw), "futureField")
	assert.JSONEq(t, `[{"id":"itm-1"}]`, string(inv.Populated["items"]))

	var intent encounters.PaymentIntent
	require.NoError(t, json.Unmarshal([]byte(`{"id":"pi-1","status":"expired","checkout":{"approvalURL":"https://x/y"},"netAmount":100.5,"capturedAt":"1700000000000"}`), &intent))
	assert.Equal(t, "https://x/y", intent.ApprovalURL)
	assert.False(t, intent.Status.IsKnown())
	assert.Equal(t, int64(1700000000000), intent.CapturedAt.UnixMilli())

	require.NoError(t, json.Unmarshal([]byte(`{"id":"i","createdAt":"yesterday"}`), &inv), "a bad timestamp does not fail the record")
	assert.Equal(t, "i", inv.ID)
	assert.True(t, inv.CreatedAt.IsZero())
	require.Len(t, inv.Problems(), 1)
	assert.Equal(t, "createdAt", inv.Problems()[0].Path)
	assert.Equal(t, `"yesterday"`, string(inv.Problems()[0].Raw))
}

func TestPathParametersAreEscaped(t *testing.T) {
	c, _ := setup(t, nil)
	for _, id := range []string{"../billing-items", "a/b", "x?y=1", "%2e%2e", "."} {
		_, err := c.Invoices.Get(context.Background(), id, nil)
		assert.ErrorIs(t, err, polybill.ErrNotFound, id)
		var perr *polybill.Error
		require.ErrorAs(t, err, &perr)
		assert.True(t, strings.Contains(perr.Message, "No record found") || perr.Code == "NotFound", id)
	}
}

func TestRevokedRefreshTokenFallsBackToSignIn(t *testing.T) {
	clock := encounterstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	c, srv := setup(t,
		[]encounterstest.Option{encounterstest.WithClock(clock), encounterstest.WithUser("a@b.c", "pw")},
		encounters.WithCredentials("a@b.c", "pw"), encounterstest.WithTokenClock(clock.Now))
	ctx := context.Background()
	_, err := c.Invoices.Find(ctx, nil)
	require.NoError(t, err)
	srv.RevokeRefreshTokens()
	clock.Advance(2 * time.Hour)
	_, err = c.Invoices.Find(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Logins(), "signed in again")
	assert.Equal(t, 0, srv.Refreshes())
}

func TestRetriesFollowSafety(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, nil)
	srv.Faults().Add(encounterstest.Fault{Status: http.StatusServiceUnavailable, Times: 2, RetryAfter: "0",
		Body: `{"name":"Unavailable","message":"down","code":503,"className":"unavailable"}`})
	_, err := c.Invoices.Find(ctx, nil)
	require.NoError(t, err, "a read is retried through two 503s")

	srv.Faults().Add(encounterstest.Fault{Status: http.StatusServiceUnavailable,
		Body: `{"name":"Unavailable","message":"down","code":503,"className":"unavailable"}`})
	before := srv.Requests()
	_, err = c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "f", Type: encounters.InvoiceTypeMedicalEncounter})
	require.ErrorIs(t, err, polybill.ErrServer)
	assert.Equal(t, before+1, srv.Requests(), "an invoice create is not replayed on 503")
	assert.Equal(t, 0, srv.Count("billing-invoices"))

	inv, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "f", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)
	item, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: dec("5")})
	require.NoError(t, err)
	srv.Faults().Add(encounterstest.Fault{Status: http.StatusServiceUnavailable,
		Body: `{"name":"Unavailable","message":"down","code":503,"className":"unavailable"}`})
	_, err = c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("5")})
	require.NoError(t, err, "a payment (idemp) is retried on 503")
	assert.Equal(t, 1, srv.Count("billing-payments"))
}

// A Feathers server doing plain JS arithmetic sends a float residue (1.10 × 3 paid with 3.30
// leaves 4.440892098500626e-16): the get and the whole list still succeed, the residue is never
// rounded into an amount, and the record reports it with its raw value.
func TestFloatResidueDoesNotFailTheCall(t *testing.T) {
	c, srv := setup(t, nil)
	ctx := context.Background()
	item := `{"id":"itm-1","invoice":"inv-1","price":1.1,"quantity":3,"total":3.3,"paid":3.3,"balance":4.440892098500626e-16,"createdAt":1700000000000}`
	onItems := func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/billing-items") }
	srv.Faults().Add(encounterstest.Fault{Match: onItems, Status: 200, Body: item})
	got, err := c.Items.Get(ctx, "itm-1", nil)
	require.NoError(t, err)
	assert.Equal(t, "itm-1", got.ID)
	assert.Equal(t, "3.3", got.Paid.String())
	assert.True(t, got.Balance.IsZero())
	require.Len(t, got.Problems(), 1)
	assert.Equal(t, "balance", got.Problems()[0].Path)
	assert.Equal(t, "4.440892098500626e-16", string(got.Problems()[0].Raw))

	other := `{"id":"itm-2","invoice":"inv-1","price":2,"quantity":1,"total":2,"paid":0,"balance":2,"createdAt":1700000000000}`
	srv.Faults().Add(encounterstest.Fault{Match: onItems, Status: 200, Body: `{"total":2,"limit":10,"skip":0,"data":[` + item + `,` + other + `]}`})
	var items []encounters.Item
	for it, err := range c.Items.List(ctx, nil) {
		require.NoError(t, err)
		items = append(items, it)
	}
	require.Len(t, items, 2)
	assert.Len(t, items[0].Problems(), 1)
	assert.Equal(t, "2", items[1].Balance.String())
	assert.Empty(t, items[1].Problems())
}
