package transport_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// TestQueryStringsAreNeverLogged: personal data in a query (an email, a name) reaches no log
// line, at debug level, on success, on an error answer and on a connection failure.
func TestQueryStringsAreNeverLogged(t *testing.T) {
	const email, name = "jane.doe@example.com", "Jane Doe"
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, base := range []string{srv.URL, srv.URL, closed.URL} {
		var logs bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c := newClient(t, base, nil, polybill.WithLogger(logger), polybill.WithMaxRetries(1))
		for _, call := range []transport.Call{
			{Method: http.MethodGet, Op: transport.Op("test", "/participants"), Query: url.Values{"email": {email}, "name": {name}}},
			{Method: http.MethodGet, Op: transport.Op("test", "/participants"), RawQuery: "query[email]=" + url.QueryEscape(email)},
		} {
			_ = c.Do(context.Background(), call, nil)
		}
		require.NotEmpty(t, logs.String())
		for _, text := range []string{email, url.QueryEscape(email), name, url.QueryEscape(name), "jane"} {
			assert.NotContains(t, logs.String(), text)
		}
	}
}

// TestRetryAfterPastTheCapFailsFast bounds the test's own time: with the cap dropped the call
// would sleep an hour; the test context ends it after 2 s and the test fails instead of hanging.
func TestRetryAfterPastTheCapFailsFast(t *testing.T) {
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil, polybill.WithMaxRetryDelay(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err := c.Do(ctx, transport.Call{Method: http.MethodGet, Op: opX}, nil)
	require.NoError(t, ctx.Err(), "the call waited for the server's hour instead of failing at the cap")
	assert.Less(t, time.Since(start), time.Second)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, polybill.ErrRateLimited)
	assert.Equal(t, time.Hour, pe.RetryAfter)
	assert.Equal(t, int64(1), attempts.Load())
}
