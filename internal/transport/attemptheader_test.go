package transport_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// Every attempt starts from the call's own header: what a middleware did to one attempt's
// request (added a header, or wrote over a value in place) reaches neither the next attempt
// of the call (a retry, the replay after a 401, a redirect hop) nor the next call. The
// transport saves a header copy on an attempt's first send by handing it the call's header
// itself, so a leak here would be a header built once and sent twice.
func TestAttemptsStartFromTheCallsHeader(t *testing.T) {
	tests := []struct {
		name string
		// answer gives the server's answer to the n-th request (from 0).
		answer func(n int, w http.ResponseWriter, r *http.Request)
		auth   bool
		// attempts the first call sends (the requests the middleware sees).
		attempts int
	}{
		{name: "retries after 503", attempts: 3, answer: func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		}},
		{name: "replay after 401", auth: true, attempts: 2, answer: func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 0 {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusOK)
		}},
		{name: "redirect hop", attempts: 2, answer: func(n int, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/x" {
				http.Redirect(w, r, "/y", http.StatusTemporaryRedirect)
				return
			}
			w.WriteHeader(http.StatusOK)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tc.answer(int(n.Add(1))-1, w, r)
			}))
			defer srv.Close()
			var seen []http.Header
			mw := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				seen = append(seen, req.Header.Clone())
				req.Header.Add("X-Middleware", "added")
				for _, k := range []string{"Accept", "X-Call", "X-Opt", "User-Agent", "X-Request-Id"} {
					if v := req.Header[k]; len(v) > 0 {
						v[0] = "overwritten"
					}
				}
				req.Header["X-Call"] = append(req.Header["X-Call"], "appended")
				return next(req)
			}
			var auth transport.Authenticator
			if tc.auth {
				var fetches atomic.Int64
				auth = transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
					return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", fetches.Add(1)), Expiry: time.Now().Add(time.Hour)}, nil
				})
			}
			cfg, err := transport.NewConfig("test", nil, []polybill.Option{
				polybill.WithBaseURL(srv.URL), polybill.WithMinRetryDelay(time.Millisecond),
				polybill.WithMaxRetryDelay(5 * time.Millisecond), polybill.WithMiddleware(mw)})
			require.NoError(t, err)
			c, err := transport.New(transport.Settings{API: "test", Config: cfg, Auth: auth, RequestIDHeader: "X-Request-Id"})
			require.NoError(t, err)
			callHeader := http.Header{"X-Call": {"from-call"}}
			call := transport.Call{Method: http.MethodPut, Op: opX, Body: map[string]int{"a": 1}, Header: callHeader, Safety: transport.Idempotent}
			require.NoError(t, c.Do(context.Background(), call, nil, polybill.WithHeader("X-Opt", "from-option")))
			require.Len(t, seen, tc.attempts)
			require.NoError(t, c.Do(context.Background(), call, nil, polybill.WithHeader("X-Opt", "from-option")))

			firstID := seen[0].Get("X-Request-Id")
			require.NotEmpty(t, firstID)
			for i, h := range seen {
				assert.Empty(t, h.Values("X-Middleware"), "request %d", i)
				assert.Equal(t, []string{"application/json"}, h.Values("Accept"), "request %d", i)
				assert.Equal(t, []string{"application/json"}, h.Values("Content-Type"), "request %d", i)
				assert.Equal(t, []string{"from-call"}, h.Values("X-Call"), "request %d", i)
				assert.Equal(t, []string{"from-option"}, h.Values("X-Opt"), "request %d", i)
				assert.True(t, strings.HasPrefix(h.Get("User-Agent"), "polybill-go/"), "request %d: %q", i, h.Get("User-Agent"))
				if i < tc.attempts {
					assert.Equal(t, firstID, h.Get("X-Request-Id"), "request %d: one id for the call", i)
				} else {
					assert.NotEqual(t, firstID, h.Get("X-Request-Id"), "the next call has its own id")
				}
			}
			assert.Equal(t, http.Header{"X-Call": {"from-call"}}, callHeader, "the call's own header is the caller's, untouched")
		})
	}
}
