package transport_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// TestRequestThatNeverLeftIsNotRetriedNorAmbiguous (issue 14 §3): an error raised before the
// request was written is "never sent": no retry, no budget spent, Ambiguous false, so no
// reconciliation lookup follows.
func TestRequestThatNeverLeftIsNotRetriedNorAmbiguous(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/redirect-to-file" {
			w.Header().Set("Location", "file:///etc/passwd")
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	refusingMiddleware := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		if req.Header.Get("X-Refuse") != "" {
			return nil, errors.New("middleware refused the request")
		}
		return next(req)
	}
	tests := []struct {
		name     string
		auth     transport.Authenticator
		call     transport.Call
		opts     []polybill.RequestOption
		wantHits int64
	}{
		{name: "token with a trailing newline", auth: transport.StaticHeaders(http.Header{"Authorization": {"Bearer " + secretToken + "\n"}}),
			call: transport.Call{Method: http.MethodPost, Op: opX, Body: map[string]int{}}},
		{name: "invalid header value from the caller", call: transport.Call{Method: http.MethodPost, Op: opX, Body: map[string]int{}},
			opts: []polybill.RequestOption{polybill.WithHeader("X-Note", "a\r\nInjected: 1")}},
		{name: "a GET with an invalid header is not retried either", call: transport.Call{Method: http.MethodGet, Op: opX},
			opts: []polybill.RequestOption{polybill.WithHeader("X-Note", "a\x00b")}},
		{name: "a middleware refused before sending", call: transport.Call{Method: http.MethodPut, Op: opX, Body: map[string]int{}},
			opts: []polybill.RequestOption{polybill.WithHeader("X-Refuse", "1")}},
		{name: "redirect to file://", call: transport.Call{Method: http.MethodGet, Op: transport.Op("test", "/redirect-to-file")}, wantHits: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			var attempts atomic.Int64
			counting := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				attempts.Add(1)
				return next(req)
			}
			c := newClient(t, srv.URL, tc.auth, polybill.WithMaxRetries(6), polybill.WithMiddleware(counting, refusingMiddleware))
			before := c.RetryTokens()
			err := c.Do(context.Background(), tc.call, nil, tc.opts...)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.wantHits, hits.Load(), "requests that reached the server")
			assert.Equal(t, int64(1), attempts.Load(), "no retry")
			assert.Equal(t, before, c.RetryTokens(), "no budget spent")
			assert.False(t, pe.Ambiguous, "a request that never left cannot have been applied")
			assert.False(t, pe.Retryable)
			assert.NotContains(t, err.Error(), secretToken)
		})
	}
}

// TestAmbiguityIsNotClearedByALaterAttemptThatNeverLeft: an attempt that may have been
// applied keeps the call Ambiguous even when the last attempt could not connect.
func TestAmbiguityIsNotClearedByALaterAttemptThatNeverLeft(t *testing.T) {
	var n atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // a PUT the backend may have applied
			go srv.CloseClientConnections()
			return
		}
	}))
	addr := srv.URL
	c := newClient(t, addr, nil, polybill.WithMaxRetries(1),
		polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			if n.Load() >= 1 {
				srv.Close() // the retry cannot connect
			}
			return next(req)
		}))
	err := c.Do(context.Background(), transport.Call{Method: http.MethodPut, Op: opX, Body: map[string]int{}}, nil)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Ambiguous, "the first attempt's 503 leaves the PUT in doubt")
}
