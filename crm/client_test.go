package crm_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

func TestNewRequiresCredentials(t *testing.T) {
	tests := []struct {
		name    string
		opts    []crm.Option
		wantErr string
	}{
		{"nothing", nil, "WithAPIKey"},
		{"no token", []crm.Option{crm.WithAPIKey("k")}, "WithToken"},
		{"no key", []crm.Option{crm.WithToken("t")}, "WithAPIKey"},
		{"empty key", []crm.Option{crm.WithAPIKey("")}, "empty API key"},
		{"bad header name", []crm.Option{crm.WithAPIKeyHeader("App Id")}, "invalid header name"},
		{"no header name", []crm.Option{crm.WithAPIKeyHeader()}, "no header name"},
		{"multi-line tenant", []crm.Option{crm.WithTenantID("a\r\nX: y")}, "tenant"},
		{"nil token source", []crm.Option{crm.WithTokenSource(nil)}, "nil token source"},
		{"plain http to a remote host", []crm.Option{crm.WithAPIKey("k"), crm.WithToken("t"), polybill.WithBaseURL("http://crm.example.com")}, "http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := crm.New(tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
	c, err := crm.New(crm.WithAPIKey("k"), crm.WithToken("t"))
	require.NoError(t, err)
	assert.NotNil(t, c)
}

func TestNewFromEnv(t *testing.T) {
	srv := crmtest.New()
	t.Cleanup(srv.Close)
	t.Setenv(crm.EnvAPIURL, srv.URL())
	t.Setenv(crm.EnvAuthToken, crmtest.DefaultToken)
	t.Setenv(crm.EnvAPIKey, crmtest.DefaultAPIKey)
	c, err := crm.NewFromEnv()
	require.NoError(t, err)
	_, err = c.GetAgingReport(context.Background())
	require.NoError(t, err)

	// Options override the environment.
	c, err = crm.NewFromEnv(crm.WithAPIKey("other"))
	require.NoError(t, err)
	_, err = c.GetAgingReport(context.Background())
	assert.ErrorIs(t, err, polybill.ErrUnauthorized)

	t.Setenv(crm.EnvAPIKey, "")
	_, err = crm.NewFromEnv()
	assert.ErrorContains(t, err, crm.EnvAPIKey)
}

func TestHeadersSent(t *testing.T) {
	tests := []struct {
		name     string
		opts     []crm.Option
		present  []string
		absent   []string
		exactKey string
	}{
		{"default: both AppId and X-API-KEY", nil, []string{"AppId", "X-API-KEY"}, []string{"Tenant-Id"}, "AppId"},
		{"default spells X-API-KEY as given", nil, []string{"AppId", "X-API-KEY"}, nil, "X-API-KEY"},
		{"X-API-KEY alone", []crm.Option{crm.WithAPIKeyHeader(crm.APIKeyHeaderXAPIKey)}, []string{"X-API-KEY"}, []string{"AppId"}, "X-API-KEY"},
		{"AppId alone", []crm.Option{crm.WithAPIKeyHeader(crm.APIKeyHeaderAppID)}, []string{"AppId"}, []string{"X-API-KEY"}, "AppId"},
		{"tenant", []crm.Option{crm.WithTenantID("tenant-7")}, []string{"AppId", "X-API-KEY", "tenant-id"}, nil, "AppId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []http.Header
			srv, c := newFake(t, nil, append(tt.opts, polybill.WithMiddleware(recordHeaders(&seen)))...)
			_, err := c.GetOutstandingByPayer(context.Background())
			require.NoError(t, err)
			require.Len(t, seen, 1)
			h := seen[0]
			for _, k := range tt.present {
				assert.NotEmpty(t, headerValue(h, k), k)
			}
			for _, k := range tt.absent {
				assert.Empty(t, headerValue(h, k), k)
			}
			_, exact := h[tt.exactKey]
			assert.True(t, exact, "header %q sent with the vendor's spelling", tt.exactKey)
			assert.Equal(t, "Bearer "+crmtest.DefaultToken, h.Get("Authorization"))
			assert.Equal(t, "application/json", h.Get("Accept"))
			assert.Regexp(t, `^req_`, h.Get(crm.RequestIDHeader))
			if tt.name == "tenant" {
				got := srv.Received()[0].Header.Get("tenant-id")
				assert.Equal(t, "tenant-7", got)
			}
		})
	}
}

// A GET retried after a 503 carries the same X-Request-ID on every attempt; a second call
// gets a new one.
func TestRequestIDStableAcrossRetries(t *testing.T) {
	var seen []http.Header
	srv, c := newFake(t, nil, polybill.WithMiddleware(recordHeaders(&seen)))
	srv.Faults().Add(crmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0", Times: 2})
	_, err := c.GetAgingReport(context.Background())
	require.NoError(t, err)
	require.Len(t, seen, 3)
	id := seen[0].Get(crm.RequestIDHeader)
	require.NotEmpty(t, id)
	for _, h := range seen {
		assert.Equal(t, id, h.Get(crm.RequestIDHeader))
	}
	_, err = c.GetAgingReport(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, id, seen[3].Get(crm.RequestIDHeader))
}

// The API has no idempotency key: a create that may have reached the server is never
// repeated, while PUT and DELETE are.
func TestRetrySafety(t *testing.T) {
	ctx := context.Background()
	valid := crm.CreateBillingParams{Amount: polybill.MustDecimal("10"), PayerName: "Acme", PayerEmail: "a@acme.com"}

	t.Run("create after a committed write and a reset is not repeated", func(t *testing.T) {
		srv, c := newFake(t, nil)
		srv.Faults().Add(crmtest.Fault{ResetAfterHandler: true, Match: func(r *http.Request) bool { return r.Method == http.MethodPost }})
		_, err := c.CreateMeetingBilling(ctx, "m", valid)
		pe := asError(t, err)
		assert.True(t, pe.Ambiguous, "the caller must reconcile")
		assert.False(t, pe.Retryable)
		assert.Len(t, srv.Billings(), 1, "exactly one billing, not two")
		assert.EqualValues(t, 1, srv.Requests())
	})
	t.Run("create after a 503 is not repeated", func(t *testing.T) {
		srv, c := newFake(t, nil)
		srv.Faults().Add(crmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
		_, err := c.CreateMeetingBilling(ctx, "m", valid)
		assert.ErrorIs(t, err, polybill.ErrServer)
		assert.EqualValues(t, 1, srv.Requests())
		assert.Empty(t, srv.Billings())
	})
	t.Run("update is retried", func(t *testing.T) {
		srv, c := newFake(t, nil)
		id, err := srv.AddBilling(crmtest.Billing{Amount: polybill.MustDecimal("1"), PayerName: "A", PayerEmail: "a@a.com"})
		require.NoError(t, err)
		srv.Faults().Add(crmtest.Fault{Status: http.StatusBadGateway})
		b, err := c.UpdateBilling(ctx, id, crm.UpdateBillingParams{Status: crm.StatusOverdue})
		require.NoError(t, err)
		assert.Equal(t, crm.StatusOverdue, b.Status)
		assert.EqualValues(t, 2, srv.Requests())
	})
	t.Run("delete is retried after a reset before the handler", func(t *testing.T) {
		srv, c := newFake(t, nil)
		id, err := srv.AddBilling(crmtest.Billing{Amount: polybill.MustDecimal("1"), PayerName: "A", PayerEmail: "a@a.com"})
		require.NoError(t, err)
		srv.Faults().Add(crmtest.Fault{ResetBeforeHandler: true})
		require.NoError(t, c.DeleteBilling(ctx, id))
		assert.Empty(t, srv.Billings())
	})
}

type countingSource struct {
	tokens []string
	calls  atomic.Int32
}

func (s *countingSource) Token() (*oauth2.Token, error) {
	n := int(s.calls.Add(1)) - 1
	return &oauth2.Token{AccessToken: s.tokens[min(n, len(s.tokens)-1)]}, nil
}

// With a token source, a 401 fetches a new token once and replays the call once.
func TestTokenSourceRefreshOn401(t *testing.T) {
	srv := crmtest.New(crmtest.WithToken("fresh-token"))
	t.Cleanup(srv.Close)
	src := &countingSource{tokens: []string{"stale-token", "fresh-token"}}
	c, err := crm.New(polybill.WithBaseURL(srv.URL()), crm.WithAPIKey(crmtest.DefaultAPIKey), crm.WithTokenSource(src))
	require.NoError(t, err)
	_, err = c.GetAgingReport(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, src.calls.Load())
	assert.EqualValues(t, 2, srv.Requests())

	// A token that stays wrong is refreshed once, then the 401 surfaces.
	bad := &countingSource{tokens: []string{"wrong-1", "wrong-2", "wrong-3"}}
	c, err = crm.New(polybill.WithBaseURL(srv.URL()), crm.WithAPIKey(crmtest.DefaultAPIKey), crm.WithTokenSource(bad))
	require.NoError(t, err)
	_, err = c.GetAgingReport(context.Background())
	assert.ErrorIs(t, err, polybill.ErrUnauthorized)
	assert.EqualValues(t, 2, bad.calls.Load())
	assert.NotContains(t, err.Error(), "wrong-2")
}

// headerValue finds a header under its canonical or its exact (non-canonical) spelling.
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// The key goes out under both names by default, so both must stay home on a redirect to
// another host, as must the token.
func TestRedirectToAnotherHostDropsBothAPIKeyHeaders(t *testing.T) {
	var got http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[]}`))
	}))
	t.Cleanup(other.Close)
	// localhost and 127.0.0.1 are different hosts to net/http and to the transport.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	var origin http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin = r.Header.Clone()
		http.Redirect(w, r, otherURL+"/billings/outstanding_by_payer", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c, err := crm.New(polybill.WithBaseURL(srv.URL), crm.WithAPIKey("secret-key"), crm.WithToken("secret-token"))
	require.NoError(t, err)
	_, err = c.GetOutstandingByPayer(context.Background())
	require.NoError(t, err)
	require.NotNil(t, got, "the redirect was followed")
	assert.Equal(t, "secret-key", origin.Get("AppId"), "the origin got the key under both names")
	assert.Equal(t, "secret-key", origin.Get("X-API-KEY"))
	assert.Empty(t, got.Values("AppId"))
	assert.Empty(t, got.Values("X-API-KEY"))
	assert.Empty(t, got.Values("Authorization"))
}
