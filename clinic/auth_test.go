package clinic_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
)

func TestTokenIsCachedUntilExpiryAndRenewedOn401(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()

	for range 3 {
		_, err := f.client.GetSummary(ctx, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, f.srv.TokensIssued(), "one token serves every call within its hour")

	// The fake's clock passes the token's hour; the client's cache still holds it, so the
	// server's 401 is what triggers the one refresh and the one replay.
	f.clock.Advance(61 * time.Minute)
	before := f.srv.Requests()
	_, err := f.client.GetSummary(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, f.srv.TokensIssued())
	assert.Equal(t, int64(2), f.client.TokenFetches())
	assert.Equal(t, int64(3), f.srv.Requests()-before, "rejected call, token request, replay")

	// A revoked token (secret rotation) recovers the same way, also for an unsafe write.
	id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
	f.srv.RevokeTokens()
	res, err := f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("100.00"), Mode: clinic.PaymentModeCash, Reference: "CASH-1"})
	require.NoError(t, err)
	assert.False(t, res.Reconciled)
	assert.Equal(t, 1, f.srv.PaymentCount(id))
	assert.Equal(t, 3, f.srv.TokensIssued())
}

func TestScopesAreEnforced(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		fakeOpts   []clinictest.Option
		clientOpts []clinic.Option
	}{
		{
			name:       "client assigned billing:read only",
			fakeOpts:   []clinictest.Option{clinictest.WithClient("reader", "reader-secret-123", clinic.ScopeBillingRead)},
			clientOpts: []clinic.Option{clinic.WithClientCredentials("reader", "reader-secret-123")},
		},
		{
			name:       "token narrowed with WithScopes",
			clientOpts: []clinic.Option{clinic.WithScopes(clinic.ScopeBillingRead)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.fakeOpts, tc.clientOpts...)
			id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
			_, err := f.client.GetInvoice(ctx, id)
			require.NoError(t, err, "billing:read is enough to read")

			_, err = f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("10.00"), Mode: clinic.PaymentModeCash})
			require.ErrorIs(t, err, polybill.ErrForbidden)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "insufficient_scope", pe.Code)
			assert.Contains(t, pe.Message, "billing:write")
			assert.False(t, pe.Ambiguous, "a 403 is a definitive refusal")
			assert.Equal(t, 0, f.srv.PaymentCount(id))
		})
	}
}

func TestBadCredentials(t *testing.T) {
	const secret = "wrong-secret-value-42"
	f := newFixture(t, nil, clinic.WithClientCredentials(clinictest.DefaultClientID, secret))
	_, err := f.client.GetSummary(context.Background(), nil)
	require.ErrorIs(t, err, polybill.ErrUnauthorized)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid_client", pe.Code)
	assert.Equal(t, 401, pe.StatusCode)
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, string(pe.Body), secret)
	assert.Equal(t, 0, f.srv.TokensIssued())
	assert.Equal(t, int64(1), f.srv.Requests(), "a refused token request is not retried")

	_, err = clinic.New(polybill.WithBaseURL(f.srv.URL()))
	require.Error(t, err, "credentials are required")
	_, err = clinic.New(clinic.WithClientCredentials("id", "secret"))
	require.Error(t, err, "a base URL is required: hosts are per tenant")
	_, err = clinic.New(polybill.WithBaseURL("http://bioecko.example.com"), clinic.WithClientCredentials("id", "secret"))
	require.Error(t, err, "plain http to a remote host would leak the client secret")
	_, err = clinic.New(polybill.WithBaseURL(f.srv.URL()), clinic.WithClientCredentials("id", "secret"), clinic.WithTokenURL("http://idp.example.com/token"))
	require.Error(t, err)
	_, err = clinic.New(polybill.WithBaseURL(f.srv.URL()), clinic.WithClientCredentials("id", "secret"), clinic.WithScopes("billing read"))
	require.Error(t, err)
}

func TestTokenEndpointDown(t *testing.T) {
	f := newFixture(t, nil)
	f.offSpec = true
	f.srv.Faults().Add(clinictest.Fault{Times: 5, Status: 503, Body: `{"error":"temporarily_unavailable"}`,
		Match: func(r *http.Request) bool { return r.URL.Path == clinic.TokenPath }})
	_, err := f.client.GetSummary(context.Background(), nil)
	require.Error(t, err)
	var pe *polybill.Error
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, 503, pe.StatusCode)
	assert.ErrorIs(t, err, polybill.ErrServer)
}

func TestNewFromEnv(t *testing.T) {
	srv := clinictest.New()
	defer srv.Close()
	t.Setenv(clinic.EnvAPIURL, srv.URL())
	t.Setenv(clinic.EnvClientID, clinictest.DefaultClientID)
	t.Setenv(clinic.EnvClientSecret, clinictest.DefaultClientSecret)
	c, err := clinic.NewFromEnv()
	require.NoError(t, err)
	_, err = c.GetSummary(context.Background(), nil)
	require.NoError(t, err)

	t.Setenv(clinic.EnvClientSecret, "")
	_, err = clinic.NewFromEnv()
	require.Error(t, err, "an ID without a secret is refused")
	_, err = clinic.NewFromEnv(clinic.WithClientCredentials("other", "other-secret"))
	require.NoError(t, err, "options override the environment")
}

func TestTokenEndpointEchoingTheSecretDoesNotLeakIt(t *testing.T) {
	f := newFixture(t, nil)
	f.offSpec = true
	f.srv.Faults().Add(clinictest.Fault{Status: 400, Match: func(r *http.Request) bool { return r.URL.Path == clinic.TokenPath },
		Body: `{"error":"invalid_request ` + clinictest.DefaultClientSecret + `","error_description":"got client_secret=` + clinictest.DefaultClientSecret + `"}`})
	_, err := f.client.GetSummary(context.Background(), nil)
	require.Error(t, err)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 400, pe.StatusCode)
	assert.NotContains(t, err.Error(), clinictest.DefaultClientSecret)
	assert.NotContains(t, fmt.Sprintf("%+v %#v", err, pe), clinictest.DefaultClientSecret)
	assert.NotContains(t, string(pe.Body), clinictest.DefaultClientSecret)
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	f := newFixture(t, nil)
	id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			_, err := f.client.GetInvoice(ctx, id)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, f.srv.TokensIssued(), "32 goroutines wait for one token request")

	f.clock.Advance(2 * time.Hour)
	errs = make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			_, err := f.client.GetInvoice(ctx, id)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 2, f.srv.TokensIssued(), "32 rejected calls cause one refresh")
}

func TestWithTokenURL(t *testing.T) {
	idp := clinictest.New()
	defer idp.Close()
	f := newFixture(t, nil, clinic.WithTokenURL(idp.URL()+clinic.TokenPath))
	f.offSpec = true // the API fake never saw this token issued
	_, err := f.client.GetSummary(context.Background(), nil)
	require.ErrorIs(t, err, polybill.ErrUnauthorized, "the token came from the other server, which the API does not trust")
	assert.Equal(t, 2, idp.TokensIssued(), "the first token and the one refresh after the 401; no loop")
	assert.Equal(t, 0, f.srv.TokensIssued())
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	require.NoError(t, f.client.Authenticate(ctx))
	require.NoError(t, f.client.Authenticate(ctx), "a cached token is reused")
	_, err := f.client.GetSummary(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, f.srv.TokensIssued())

	bad := newFixture(t, nil, clinic.WithClientCredentials(clinictest.DefaultClientID, "not-the-secret"))
	err = bad.client.Authenticate(ctx)
	require.ErrorIs(t, err, polybill.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "not-the-secret")

	narrow := newFixture(t, nil, clinic.WithScopes("lab:write"))
	err = narrow.client.Authenticate(ctx)
	require.ErrorIs(t, err, polybill.ErrValidation, "a scope the client was never assigned")
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid_scope", pe.Code)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	fresh := newFixture(t, nil)
	err = fresh.client.Authenticate(canceled)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, polybill.CodeCanceled, pe.Code)
	fresh.offSpec = true // nothing was sent, so nothing was validated
}

// TestTokenURLMustBeSecure: the client secret is sent to the token URL, so it follows the
// base URL's rule. A prefix check once let http://localhost.attacker.example through.
func TestTokenURLMustBeSecure(t *testing.T) {
	creds := clinic.WithClientCredentials(clinictest.DefaultClientID, clinictest.DefaultClientSecret)
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://auth.bioecko.example/api/v1/auth/token", true},
		{"http://127.0.0.1:9/api/v1/auth/token", true},
		{"http://localhost:9/api/v1/auth/token", true},
		{"http://[::1]:9/token", true},
		{"http://localhost.attacker.example/api/v1/auth/token", false},
		{"http://127.0.0.1.attacker.example/token", false},
		{"http://auth.bioecko.example/token", false},
		{"ftp://auth.bioecko.example/token", false},
	} {
		_, err := clinic.New(polybill.WithBaseURL("https://hms.bioecko.example"), creds, clinic.WithTokenURL(tt.url))
		if tt.ok {
			assert.NoError(t, err, tt.url)
		} else {
			assert.Error(t, err, tt.url)
		}
	}
}

// TestAuthenticateChecksScopesOnlyWhenRequested pins what Authenticate's doc promises: a client
// lacking billing:write authenticates unless WithScopes asks for that scope; then it fails at
// start-up instead of at the first payment.
func TestAuthenticateChecksScopesOnlyWhenRequested(t *testing.T) {
	ctx := context.Background()
	readOnly := []clinictest.Option{clinictest.WithoutDefaultClient(), clinictest.WithClient("reader", "reader-secret-0123", clinic.ScopeBillingRead)}
	creds := clinic.WithClientCredentials("reader", "reader-secret-0123")

	lax := newFixture(t, readOnly, creds)
	require.NoError(t, lax.client.Authenticate(ctx), "without WithScopes the endpoint grants what the client has")
	id := lax.srv.AddInvoice(clinictest.InvoiceSeed{PatientName: "Asha Rao", Items: []clinictest.ItemSeed{
		{Service: "Consultation", Department: "General Medicine", Quantity: polybill.MustDecimal("1"), Rate: polybill.MustDecimal("100.00"), TaxPercent: polybill.MustDecimal("0")},
	}})
	_, err := lax.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: polybill.MustDecimal("10.00"), Mode: clinic.PaymentModeCash, Reference: "R-1"})
	require.ErrorIs(t, err, polybill.ErrForbidden, "the missing scope shows on the first payment")

	strict := newFixture(t, readOnly, creds, clinic.WithScopes(clinic.ScopeBillingRead, clinic.ScopeBillingWrite))
	err = strict.client.Authenticate(ctx)
	require.ErrorIs(t, err, polybill.ErrValidation, "with WithScopes the missing scope fails at start-up")
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid_scope", pe.Code)
}
