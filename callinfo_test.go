package polybill_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// seen is what a middleware or a RoundTripper observed for one request.
type seen struct {
	info polybill.CallInfo
	ok   bool
	path string
}

// callInfoRecorder records CallInfoFrom for every request, both as a middleware and as the
// RoundTripper under the client (polybill.WithHTTPClient): the two places users hook in.
type callInfoRecorder struct {
	mu         sync.Mutex
	middleware []seen
	transport  []seen
}

func (r *callInfoRecorder) record(dst *[]seen, req *http.Request) {
	info, ok := polybill.CallInfoFrom(req.Context())
	r.mu.Lock()
	*dst = append(*dst, seen{info: info, ok: ok, path: req.URL.EscapedPath()})
	r.mu.Unlock()
}

func (r *callInfoRecorder) options() polybill.Option {
	return polybill.WithOptions(
		polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			r.record(&r.middleware, req)
			return next(req)
		}),
		polybill.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			r.record(&r.transport, req)
			return http.DefaultTransport.RoundTrip(req)
		})}),
		polybill.WithMinRetryDelay(0),
	)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestMiddlewareSeesCallInfoOnEveryAttempt(t *testing.T) {
	const id = "ann.private@example.com"
	srv := crmtest.New()
	t.Cleanup(srv.Close)
	_, err := srv.AddBilling(crmtest.Billing{UniqueID: id})
	require.NoError(t, err)
	srv.Faults().Add(crmtest.Fault{Status: http.StatusServiceUnavailable, Times: 2})

	var rec callInfoRecorder
	c, err := crm.New(append(srv.ClientOptions(), rec.options())...)
	require.NoError(t, err)
	_, err = c.GetBilling(context.Background(), id)
	require.NoError(t, err)

	getBilling := polybill.Operation{ID: "getBilling", Route: "/billings/{unique_id}"}
	for name, got := range map[string][]seen{"middleware": rec.middleware, "round tripper": rec.transport} {
		require.Len(t, got, 3, "%s: two 503s and the success", name)
		for i, s := range got {
			require.True(t, s.ok, "%s attempt %d has no CallInfo", name, i+1)
			assert.Equal(t, polybill.CallInfo{API: "crm", Operation: getBilling, Method: http.MethodGet, Attempt: i + 1, Write: false}, s.info, name)
			assert.Contains(t, s.path, "ann.private", "the request itself goes to the id")
			assert.NotContains(t, fmt.Sprintf("%#v", s.info), "ann.private", "CallInfo never carries the raw id")
		}
	}
}

func TestCallInfoOfAWriteAndOfATokenRefreshReplay(t *testing.T) {
	srv := clinictest.New()
	t.Cleanup(srv.Close)
	invoice := srv.AddInvoice(clinictest.InvoiceSeed{Items: []clinictest.ItemSeed{
		{Service: "Consultation", Department: "General Medicine", Quantity: polybill.MustDecimal("1"), Rate: polybill.MustDecimal("1000.00")},
	}})
	var rec callInfoRecorder
	c, err := clinic.New(append(srv.ClientOptions(), rec.options())...)
	require.NoError(t, err)
	// The first call fetches the token inside its first attempt (so the token request runs
	// in that attempt's context and must not pass for it); the revocation then forces a 401,
	// a refresh and a replay.
	_, err = c.GetSummary(context.Background(), nil)
	require.NoError(t, err)
	summary := polybill.CallInfo{API: "clinic", Operation: polybill.Operation{ID: "getSummary", Route: "/api/v1/billing/summary"}, Method: http.MethodGet, Attempt: 1}
	for name, got := range map[string][]seen{"middleware": rec.middleware, "round tripper": rec.transport} {
		assert.Equal(t, []seen{{path: "/api/v1/auth/token"}, {info: summary, ok: true, path: "/api/v1/billing/summary"}}, got,
			"%s: the token request inside the first attempt is not that operation", name)
	}
	srv.RevokeTokens()
	rec.middleware, rec.transport = nil, nil
	_, err = c.RecordPayment(context.Background(), invoice, clinic.RecordPaymentParams{
		Amount: polybill.MustDecimal("100.00"), Mode: clinic.PaymentModeCash, Reference: "CASH-1"})
	require.NoError(t, err)

	record := polybill.Operation{ID: "recordPayment", Route: "/api/v1/billing/invoices/{id}/payments"}
	for name, got := range map[string][]seen{"middleware": rec.middleware, "round tripper": rec.transport} {
		var calls []polybill.CallInfo
		tokenRequests := 0
		for _, s := range got {
			if !s.ok {
				assert.Equal(t, "/api/v1/auth/token", s.path, "%s: only token requests lack CallInfo", name)
				tokenRequests++
				continue
			}
			calls = append(calls, s.info)
		}
		assert.Equal(t, 1, tokenRequests, "%s: the token after the 401", name)
		assert.Equal(t, []polybill.CallInfo{
			{API: "clinic", Operation: record, Method: http.MethodPost, Attempt: 1, Write: true},
			{API: "clinic", Operation: record, Method: http.MethodPost, Attempt: 2, Write: true},
		}, calls, "%s: the rejected attempt and its replay", name)
	}
}

func TestCallInfoFromOtherContexts(t *testing.T) {
	_, ok := polybill.CallInfoFrom(context.Background())
	assert.False(t, ok)
	//lint:ignore SA1012 a nil context must not panic
	_, ok = polybill.CallInfoFrom(nil)
	assert.False(t, ok)
}
