package transport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/fake"
	"github.com/polybill/polybill-go/internal/transport"
)

const (
	secretToken  = "tok_live_9f8e7d6c5b4a"
	secretAPIKey = "key_live_0123456789ab"
)

// recorder keeps what a fake server saw.
type recorder struct {
	mu       sync.Mutex
	bodies   []string
	headers  []http.Header
	attempts atomic.Int64
}

func (r *recorder) record(req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, string(b))
	r.headers = append(r.headers, req.Header.Clone())
	r.mu.Unlock()
	r.attempts.Add(1)
}

func newClient(t *testing.T, baseURL string, auth transport.Authenticator, opts ...polybill.Option) *transport.Client {
	t.Helper()
	opts = append([]polybill.Option{polybill.WithBaseURL(baseURL), polybill.WithMinRetryDelay(time.Millisecond), polybill.WithMaxRetryDelay(50 * time.Millisecond)}, opts...)
	cfg, err := transport.NewConfig("test", nil, opts)
	require.NoError(t, err)
	c, err := transport.New(transport.Settings{API: "test", Config: cfg, Auth: auth, DecodeError: decodeTestError})
	require.NoError(t, err)
	return c
}

// decodeTestError reads {"code","message"}.
func decodeTestError(body []byte, e *polybill.Error) {
	var env struct{ Code, Message string }
	if json.Unmarshal(body, &env) == nil {
		e.Code, e.Message = env.Code, env.Message
	}
}

func statusServer(t *testing.T, rec *recorder, statuses ...int) *httptest.Server {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		i := int(n.Add(1)) - 1
		status := statuses[min(i, len(statuses)-1)]
		w.Header().Set("X-Request-Id", fmt.Sprintf("req-%d", i))
		w.WriteHeader(status)
		if status >= 400 {
			fmt.Fprintf(w, `{"code":"c%d","message":"status %d"}`, status, status)
		} else {
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAttemptsByMethodAndStatus drives real requests through the retry loop.
func TestAttemptsByMethodAndStatus(t *testing.T) {
	tests := []struct {
		method   string
		safety   transport.Safety
		statuses []int
		attempts int64
		wantErr  error
	}{
		{http.MethodGet, 0, []int{503, 502, 200}, 3, nil},
		{http.MethodGet, 0, []int{500, 500, 500, 500}, 3, polybill.ErrServer},
		{http.MethodGet, 0, []int{404}, 1, polybill.ErrNotFound},
		{http.MethodGet, 0, []int{409}, 1, polybill.ErrConflict},
		{http.MethodGet, 0, []int{400}, 1, polybill.ErrValidation},
		{http.MethodGet, 0, []int{429, 200}, 2, nil},
		{http.MethodPut, 0, []int{504, 200}, 2, nil},
		{http.MethodDelete, 0, []int{408, 200}, 2, nil},
		{http.MethodPost, 0, []int{503}, 1, polybill.ErrServer},
		{http.MethodPost, transport.UnsafeWrite, []int{500}, 1, polybill.ErrServer},
		{http.MethodPatch, 0, []int{502}, 1, polybill.ErrServer},
		{http.MethodPost, transport.DedupedWrite, []int{503, 200}, 2, nil},
		{http.MethodPost, transport.DedupedWrite, []int{422}, 1, polybill.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%d_%v", tt.method, tt.safety, tt.statuses), func(t *testing.T) {
			rec := &recorder{}
			srv := statusServer(t, rec, tt.statuses...)
			c := newClient(t, srv.URL, nil)
			var out map[string]any
			err := c.Do(context.Background(), transport.Call{Method: tt.method, Op: opX, Safety: tt.safety, Body: map[string]int{"a": 1}}, &out)
			assert.Equal(t, tt.attempts, rec.attempts.Load())
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, true, out["ok"])
				return
			}
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, "test", pe.API)
			assert.Equal(t, fmt.Sprintf("req-%d", tt.attempts-1), pe.RequestID)
			assert.Equal(t, fmt.Sprintf("c%d", pe.StatusCode), pe.Code)
			assert.NotEmpty(t, pe.Body)
		})
	}
}

// TestConnectionFailures covers the three error kinds end to end.
func TestConnectionFailures(t *testing.T) {
	// A port with nothing listening: the dial is refused, the request never left.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedURL := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())

	var committed atomic.Int64
	resetSrv := fake.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		committed.Add(1)
		w.WriteHeader(201)
	}))
	t.Cleanup(resetSrv.Close)

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		committed.Add(1)
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)

	tests := []struct {
		name      string
		url       string
		method    string
		fault     *fake.Fault
		timeout   time.Duration
		attempts  int
		ambiguous bool
		code      string
	}{
		{"dial refused POST is retried", closedURL, http.MethodPost, nil, 0, 3, false, polybill.CodeConnection},
		{"dial refused GET is retried", closedURL, http.MethodGet, nil, 0, 3, false, polybill.CodeConnection},
		{"reset after send POST is not retried", resetSrv.URL(), http.MethodPost, &fake.Fault{ResetAfterHandler: true, Times: -1}, 0, 1, true, polybill.CodeConnection},
		{"reset after send GET is retried", resetSrv.URL(), http.MethodGet, &fake.Fault{ResetAfterHandler: true, Times: -1}, 0, 3, false, polybill.CodeConnection},
		{"timeout POST is not retried", slow.URL, http.MethodPost, nil, 30 * time.Millisecond, 1, true, polybill.CodeTimeout},
		{"timeout GET is retried", slow.URL, http.MethodGet, nil, 30 * time.Millisecond, 3, false, polybill.CodeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resetSrv.Faults().Clear()
			if tt.fault != nil {
				resetSrv.Faults().Add(*tt.fault)
			}
			var attempts atomic.Int64
			count := func(r *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				attempts.Add(1)
				return next(r)
			}
			opts := []polybill.Option{polybill.WithMiddleware(count)}
			if tt.timeout > 0 {
				opts = append(opts, polybill.WithAttemptTimeout(tt.timeout))
			}
			c := newClient(t, tt.url, nil, opts...)
			err := c.Do(context.Background(), transport.Call{Method: tt.method, Op: transport.Op("createParticipant", "/participants/{email}"), Params: []string{"ann.private@example.com"}, Body: map[string]int{"a": 1}}, nil)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, int64(tt.attempts), attempts.Load())
			assert.Equal(t, tt.ambiguous, pe.Ambiguous, "ambiguous")
			assert.Equal(t, tt.code, pe.Code)
			assert.NotContains(t, pe.Error(), "ann.private", "transport errors must not print the URL")
		})
	}
}

// TestCancelDuringBackoffReturnsPromptly cancels while the call waits out a multi-second
// backoff and measures from the cancel to Do's return.
func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 503)
	c := newClient(t, srv.URL, nil, polybill.WithMinRetryDelay(5*time.Second), polybill.WithMaxRetryDelay(10*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	go func() {
		err := c.Do(ctx, transport.Call{Method: http.MethodGet, Op: opX}, nil)
		done <- result{err, time.Now()}
	}()
	for rec.attempts.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // now inside the 5 s backoff
	canceledAt := time.Now()
	cancel()
	r := <-done
	assert.Less(t, r.at.Sub(canceledAt), 20*time.Millisecond)
	require.ErrorIs(t, r.err, context.Canceled)
	var pe *polybill.Error
	require.ErrorAs(t, r.err, &pe)
	assert.Equal(t, polybill.CodeCanceled, pe.Code)
	assert.Equal(t, int64(1), rec.attempts.Load())
}

func TestRetriedRequestIsIdentical(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 503, 500, 201)
	c := newClient(t, srv.URL, transport.StaticHeaders(http.Header{"X-Api-Key": {secretAPIKey}}))
	body := map[string]any{"amount": polybill.MustDecimal("1500.00"), "idemp": "k-1"}
	err := c.Do(context.Background(), transport.Call{Method: http.MethodPost, Op: transport.Op("createPayment", "/payments"), Safety: transport.DedupedWrite, Body: body},
		nil, polybill.WithHeader("Idempotency-Key", "idem-123"))
	require.NoError(t, err)
	require.Len(t, rec.bodies, 3)
	assert.JSONEq(t, `{"amount":1500.00,"idemp":"k-1"}`, rec.bodies[0])
	for i := range rec.bodies {
		assert.Equal(t, rec.bodies[0], rec.bodies[i], "attempt %d body", i)
		assert.Equal(t, "idem-123", rec.headers[i].Get("Idempotency-Key"), "attempt %d key", i)
		assert.Equal(t, secretAPIKey, rec.headers[i].Get("X-Api-Key"), "attempt %d auth", i)
		assert.Regexp(t, `^polybill-go/\S+ \(go[0-9.]+\S*; \w+/\w+\)$`, rec.headers[i].Get("User-Agent"))
	}
}

func TestUnauthorizedRefreshesOnceAndReplaysOnce(t *testing.T) {
	var issued atomic.Int64
	auth := transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: fmt.Sprintf("%s-%d", secretToken, issued.Add(1)), Expiry: time.Now().Add(time.Hour)}, nil
	})
	t.Run("refresh then success", func(t *testing.T) {
		var seen []string
		var mu sync.Mutex
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Header.Get("Authorization"))
			first := len(seen) == 1
			mu.Unlock()
			if first {
				w.WriteHeader(401)
				return
			}
			w.WriteHeader(201)
		}))
		defer srv.Close()
		c := newClient(t, srv.URL, auth, polybill.WithMaxRetries(0))
		// A POST: the replay after 401 is safe because the server refused before acting.
		require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodPost, Op: opX, Body: map[string]int{}}, nil))
		require.Len(t, seen, 2)
		assert.NotEqual(t, seen[0], seen[1])
		assert.Equal(t, int64(2), auth.Fetches())
	})
	t.Run("second 401 is returned", func(t *testing.T) {
		before := auth.Fetches()
		rec := &recorder{}
		srv := statusServer(t, rec, 401)
		c := newClient(t, srv.URL, auth)
		err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
		require.ErrorIs(t, err, polybill.ErrUnauthorized)
		assert.Equal(t, int64(2), rec.attempts.Load())
		assert.Equal(t, before+1, auth.Fetches())
	})
}

func TestConcurrentRefreshIsShared(t *testing.T) {
	var fetches atomic.Int64
	auth := transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) {
		n := fetches.Add(1)
		time.Sleep(10 * time.Millisecond)
		return &oauth2.Token{AccessToken: fmt.Sprintf("t-%d", n), Expiry: time.Now().Add(time.Hour)}, nil
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer t-1" {
			w.WriteHeader(401) // the first token is revoked mid-run
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, auth)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() { errs <- c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(2), fetches.Load(), "one initial fetch and one shared refresh")
}

// TestSecretsNeverLeak records every log line at debug level and every error text.
func TestSecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The server echoes the credentials back in its error message, as careless APIs do.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		fmt.Fprintf(w, `{"code":"forbidden","message":"key %s with %s refused"}`, r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	auth := transport.StaticHeaders(http.Header{"X-Api-Key": {secretAPIKey}, "Authorization": {"Bearer " + secretToken}})
	c := newClient(t, srv.URL, auth, polybill.WithLogger(logger))
	err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, polybill.ErrForbidden)
	logger.Error("caller logs the error", "err", err)
	texts := []string{logs.String(), err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", pe), string(pe.Body), pe.Message}
	for _, text := range texts {
		assert.NotContains(t, text, secretToken)
		assert.NotContains(t, text, secretAPIKey)
	}
	assert.Contains(t, pe.Message, "[REDACTED]")
	assert.Contains(t, logs.String(), `"route":"/x"`)

	// Connection errors and token failures too.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	failing := transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) {
		return nil, errors.New("token endpoint unreachable")
	})
	c2 := newClient(t, closed.URL, failing, polybill.WithLogger(logger))
	err = c2.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, polybill.ErrUnauthorized)
	assert.NotContains(t, logs.String(), secretToken)
}

func TestRetryBudgetCapsAttempts(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 503)
	c := newClient(t, srv.URL, nil, polybill.WithMaxRetries(3), polybill.WithRetryBudget(5, 0.5))
	const calls = 40
	for range calls {
		err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
		require.ErrorIs(t, err, polybill.ErrServer)
	}
	// Without a budget: 40 × 4 = 160 attempts. With it: one attempt per call plus 5 retries.
	assert.Equal(t, int64(calls+5), rec.attempts.Load())
	assert.Less(t, c.RetryTokens(), 1.0)
}

func TestRetryBudgetRefillsOnSuccess(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		if failing.Load() {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil, polybill.WithMaxRetries(2), polybill.WithRetryBudget(2, 1))
	for range 5 {
		_ = c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
	}
	assert.Equal(t, int64(5+2), attempts.Load())
	failing.Store(false)
	for range 2 {
		require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil))
	}
	assert.Equal(t, 2.0, c.RetryTokens())
}

func TestRetryAfterHonouredAndCapped(t *testing.T) {
	t.Run("within cap it waits", func(t *testing.T) {
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After-Ms", "40")
				w.WriteHeader(429)
				return
			}
			w.WriteHeader(200)
		}))
		defer srv.Close()
		c := newClient(t, srv.URL, nil, polybill.WithMaxRetryDelay(time.Second))
		start := time.Now()
		require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil))
		assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
	})
}

func TestResponseBodyIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// No Content-Length: the bound must hold while streaming.
		chunk := bytes.Repeat([]byte("x"), 1<<16)
		for range 64 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil, polybill.WithMaxResponseBytes(1<<20))
	err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, &map[string]any{})
	require.ErrorIs(t, err, polybill.ErrResponseTooLarge)
}

func TestDecodesIntoOutAndCapturesResponse(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 200)
	c := newClient(t, srv.URL, nil)
	var raw *http.Response
	var out struct{ OK bool }
	require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, &out, polybill.WithResponseInto(&raw)))
	assert.True(t, out.OK)
	require.NotNil(t, raw)
	assert.Equal(t, "req-0", raw.Header.Get("X-Request-Id"))
	b, _ := io.ReadAll(raw.Body)
	assert.JSONEq(t, `{"ok":true}`, string(b))
}

func TestConstructorRefusesBadInput(t *testing.T) {
	tests := []struct {
		name string
		opts []polybill.Option
		base string
	}{
		{"invalid base URL", []polybill.Option{polybill.WithBaseURL("::not a url")}, ""},
		{"relative base URL", []polybill.Option{polybill.WithBaseURL("/v1")}, ""},
		{"negative retries", []polybill.Option{polybill.WithMaxRetries(-1)}, "https://api.example.test"},
		{"nil option", []polybill.Option{{}}, "https://api.example.test"},
		{"nil http client", []polybill.Option{polybill.WithHTTPClient(nil)}, "https://api.example.test"},
		{"plain http off loopback", []polybill.Option{polybill.WithBaseURL("http://billing.example.com")}, ""},
		{"no base URL", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := transport.NewConfig("test", nil, tt.opts)
			if err == nil {
				_, err = transport.New(transport.Settings{API: "test", Config: cfg, DefaultBaseURL: tt.base})
			}
			require.Error(t, err)
		})
	}
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost", "http://[::1]:9", "https://billing.example.com/v1"} {
		cfg, err := transport.NewConfig("test", nil, []polybill.Option{polybill.WithBaseURL(ok)})
		require.NoError(t, err)
		_, err = transport.New(transport.Settings{API: "test", Config: cfg})
		assert.NoError(t, err, ok)
	}
	cfg, err := transport.NewConfig("test", nil, []polybill.Option{polybill.WithBaseURL("http://billing.internal"), polybill.WithInsecureHTTP()})
	require.NoError(t, err)
	_, err = transport.New(transport.Settings{API: "test", Config: cfg})
	assert.NoError(t, err, "explicit opt-in")
}

// opX is the operation of the tests that need any route.
var opX = transport.Op("getX", "/x")

func TestEmptyPathSegmentIsRefusedLocally(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 200)
	c := newClient(t, srv.URL, nil)
	err := c.Do(context.Background(), transport.Call{Method: http.MethodDelete, Op: transport.Op("deleteBilling", "/billings/{unique_id}"), Params: []string{""}}, nil)
	require.ErrorIs(t, err, polybill.ErrValidation)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "unique_id", pe.Param, "the error names the empty placeholder")
	assert.Equal(t, int64(0), rec.attempts.Load())
}

func TestPathParamsReachServerAsOneSegment(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.EscapedPath())
		w.WriteHeader(204)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/api/v1", nil)
	for _, id := range []string{"../admin", "..", "a/b", "x?y#z", "%2e%2e", "a\r\nX-Evil: 1"} {
		require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: transport.Op("getBilling", "/billings/{unique_id}"), Params: []string{id}}, nil))
	}
	for _, p := range got {
		assert.True(t, strings.HasPrefix(p, "GET /api/v1/billings/"), p)
		assert.Equal(t, 4, strings.Count(p, "/"), p)
	}
}

func TestSecretEchoedInCodeOrFieldIsScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"code":%q,"message":"bad"}`, r.Header.Get("X-Api-Key"))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, transport.StaticHeaders(http.Header{"X-Api-Key": {secretAPIKey}}))
	err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "[REDACTED]", pe.Code)
	assert.NotContains(t, err.Error(), secretAPIKey)
}

func TestTokenAuthEnsureFetchesOnce(t *testing.T) {
	var n atomic.Int64
	auth := transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) {
		n.Add(1)
		return &oauth2.Token{AccessToken: "t", Expiry: time.Now().Add(time.Hour)}, nil
	})
	require.NoError(t, auth.Ensure(context.Background()))
	require.NoError(t, auth.Ensure(context.Background()))
	assert.Equal(t, int64(1), n.Load())
	failing := transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) { return nil, errors.New("bad credentials") })
	assert.Error(t, failing.Ensure(context.Background()))
}

func TestBodyBoundIsExact(t *testing.T) {
	const limit = 10_000
	for _, tt := range []struct {
		size    int
		chunked bool
		ok      bool
	}{{limit - 2, false, true}, {limit - 2, true, true}, {limit, true, true}, {limit, false, true}, {limit + 1, true, false}, {limit + 1, false, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := `"` + strings.Repeat("x", tt.size-2) + `"`
			if !tt.chunked {
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			}
			_, _ = io.WriteString(w, body)
		}))
		c := newClient(t, srv.URL, nil, polybill.WithMaxResponseBytes(limit))
		var out string
		err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, &out)
		srv.Close()
		if tt.ok {
			require.NoError(t, err, "size %d chunked %v", tt.size, tt.chunked)
			assert.Len(t, out, tt.size-2)
		} else {
			require.ErrorIs(t, err, polybill.ErrResponseTooLarge, "size %d chunked %v", tt.size, tt.chunked)
		}
	}
}

func TestEmptySuccessBodyIsAnErrorUnlessAllowed(t *testing.T) {
	for _, body := range []string{"", "null", "  \n"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) }))
		c := newClient(t, srv.URL, nil)
		var out map[string]any
		err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, &out)
		assert.ErrorContains(t, err, "empty response body", "%q", body)
		var pe *polybill.Error
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, polybill.CodeInvalidResponse, pe.Code)
		assert.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX, AllowEmptyBody: true}, &out))
		assert.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodDelete, Op: opX}, nil), "no out, no body needed")
		srv.Close()
	}
}

// bodyRecorder is a BodyDecoder that keeps what it was handed and fails on demand.
type bodyRecorder struct {
	got []byte
	err error
}

func (b *bodyRecorder) DecodeBody(body []byte) error {
	b.got = append([]byte(nil), body...)
	return b.err
}

func TestBodyDecoderGetsTheBodyAsReceived(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		err        error
	}{
		{"valid", ` {"a":1} ` + "\n", nil},
		{"not JSON: the decoder judges", `{"a":1} trailing`, nil},
		{"decoder error", `{"a":1}`, errors.New("bad page")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, tt.body) }))
			defer srv.Close()
			out := &bodyRecorder{err: tt.err}
			err := newClient(t, srv.URL, nil).Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, out)
			assert.Equal(t, tt.body, string(out.got), "no json.Unmarshal pass in between")
			if tt.err == nil {
				require.NoError(t, err)
				return
			}
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, polybill.CodeInvalidResponse, pe.Code)
			assert.ErrorIs(t, err, tt.err)
		})
	}
}

// A call sends one fresh request id, the same on every attempt: "req_" and 24 hex digits
// (96 random bits), different for every call.
func TestRequestIDPerCall(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, http.StatusServiceUnavailable, http.StatusOK, http.StatusOK)
	cfg, err := transport.NewConfig("test", nil, []polybill.Option{polybill.WithBaseURL(srv.URL), polybill.WithMinRetryDelay(time.Millisecond), polybill.WithMaxRetryDelay(50 * time.Millisecond)})
	require.NoError(t, err)
	c, err := transport.New(transport.Settings{API: "test", Config: cfg, RequestIDHeader: "X-Request-ID"})
	require.NoError(t, err)
	for range 2 {
		require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil))
	}
	require.Len(t, rec.headers, 3)
	ids := make([]string, len(rec.headers))
	for i, h := range rec.headers {
		ids[i] = h.Get("X-Request-Id")
		assert.Regexp(t, `^req_[0-9a-f]{24}$`, ids[i])
	}
	assert.Equal(t, ids[0], ids[1], "the retry of a call sends the call's id")
	assert.NotEqual(t, ids[1], ids[2], "each call has its own id")
}
