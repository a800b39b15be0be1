package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	polybill "github.com/polybill/polybill-go"
)

// callState is the per-call memory of the retry loop.
type callState struct {
	c          *Client
	rclient    retryablehttp.Client
	ctx        context.Context
	safety     Safety
	skipAuth   bool
	allowEmpty bool
	gone       *bool
	maxRetries int
	method     string
	op         polybill.Operation

	attempts    int
	retries     int
	refreshed   bool
	lastFailure failure
	// mayHaveApplied: some attempt may have reached the server and been acted on (it broke
	// after the request may have been written, or got an answer such as a 5xx that leaves a
	// write in doubt). A later attempt that never left does not clear it.
	mayHaveApplied bool
	// wrote is set by the attempt's httptrace once its request headers are written; an
	// attempt that failed before that never reached the server.
	wrote         atomic.Bool
	authReq       *http.Request
	body          []byte
	bodyRead      bool
	bodyErr       error
	capExceeded   time.Duration
	budgetRefused bool
	refreshErr    error
	sentRequestID string
	trace         httptrace.ClientTrace
	obs           observation
}

// classifyAttempt is classify, told whether the attempt wrote its request: an error the
// connection-level rules call "maybe sent" that was raised before the request headers were
// written (an invalid header value, an unsupported protocol scheme, a middleware that
// refused) never reached the server. A timeout or network error then is a connection that
// could not be used, safe to retry (neverSent); anything else is a local fault that another
// attempt would repeat (fatal): neither spends budget nor leaves a write Ambiguous.
func (st *callState) classifyAttempt(err error) failure {
	f := classify(st.ctx, err)
	if f != maybeSent || st.wrote.Load() {
		return f
	}
	var opErr *net.OpError
	if isTimeout(err) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &opErr) {
		return neverSent
	}
	return fatal
}

type stateKey struct{}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

func (st *callState) wroteHeaders() { st.wrote.Store(true) }

// checkRetry decides after every attempt whether to go again, and how long to wait first.
func (st *callState) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	f := st.classifyAttempt(err)
	st.lastFailure = f
	if f == maybeSent || (f == noFailure && mayHaveHappened(status, noFailure)) {
		st.mayHaveApplied = true
	}
	if f == noFailure && status == http.StatusUnauthorized && st.c.refresher != nil && !st.refreshed && !st.skipAuth {
		// The token was refused: renew it once and replay at once. The server rejected the
		// request before acting on it, so this is safe for every kind of write.
		st.refreshed = true
		if rerr := st.c.refresher.Refresh(ctx, st.authReq); rerr != nil {
			st.refreshErr = rerr
			return false, nil
		}
		st.rclient.RetryWaitMin = 0
		return true, nil
	}
	if f == noFailure && status < 400 {
		return false, nil
	}
	if !shouldRetry(st.safety, status, f) || st.retries >= st.maxRetries {
		return false, nil
	}
	wait := backoff(st.c.cfg.MinRetryDelay, st.c.cfg.MaxRetryDelay, st.retries)
	if resp != nil {
		if hint, ok := parseRetryAfter(resp.Header, time.Now()); ok {
			if hint > st.c.cfg.MaxRetryDelay {
				// Past the cap the caller gets a rate-limit error now rather than a call that
				// sleeps for minutes.
				st.capExceeded = hint
				return false, nil
			}
			wait = hint
		}
	}
	if !st.c.budget.take(costOf(err)) {
		st.budgetRefused = true
		return false, nil
	}
	st.retries++
	st.rclient.RetryWaitMin = wait
	return true, nil
}

// checkRetry is the retry client's CheckRetry: ctx is the call's request context, which
// always carries the call state.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateFrom(ctx)
	retry, cerr := st.checkRetry(ctx, resp, err)
	if retry {
		st.observeAttemptEnd(resp, err, true)
	}
	return retry, cerr
}

// chosenWait is the retry client's Backoff: the wait checkRetry chose, which it stores in
// the retry client's RetryWaitMin (go-retryablehttp passes that value to Backoff).
func chosenWait(wait, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return wait
}

// attemptTransport runs below the retry loop: one RoundTrip per attempt.
type attemptTransport struct {
	c        *Client
	base     http.RoundTripper
	chain    func(*http.Request) (*http.Response, error)
	withAuth bool
}

// RoundTrip applies credentials and the User-Agent to a copy of the request (the retry loop
// reuses the original, and a RoundTripper must not modify it), then runs the middleware.
//
// attemptTransport deliberately has no CloseIdleConnections method: go-retryablehttp calls
// HTTPClient.CloseIdleConnections after every failed call, which would empty the shared
// pool for every other goroutine whenever one call fails.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	var st *callState
	if t.withAuth {
		// The plain client (token endpoints) may run inside another call's Apply or Refresh
		// and inherit its context: that call's state is not this request's.
		st = stateFrom(req.Context())
	}
	// The attempt's copy carries the attempt timeout from the start: one shallow copy of the
	// request instead of a copy for the headers and another for the context.
	ctx := req.Context()
	var cancel context.CancelFunc
	if d := c.cfg.AttemptTimeout; d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
	}
	if st != nil {
		ctx = httptrace.WithClientTrace(ctx, &st.trace)
	}
	r := c.attemptRequest(req, ctx, st)
	r.Header = cloneWithUserAgent(req.Header, c.userAgent)
	sameHost := r.URL.Host == c.base.Host && r.URL.Scheme == c.base.Scheme
	if t.withAuth && c.auth != nil && sameHost && (st == nil || !st.skipAuth) {
		if err := c.auth.Apply(r); err != nil {
			if cancel != nil {
				cancel()
			}
			return nil, err
		}
	}
	if st != nil {
		st.attempts++
		st.authReq = r
		// After Apply: a login it sent inherits this context's trace and may have set it.
		st.wrote.Store(false)
	}
	var start time.Time
	if c.log != nil {
		start = time.Now()
	}
	resp, err := t.chain(r)
	if cancel != nil {
		if err != nil {
			cancel()
		} else {
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		}
	}
	if c.log != nil && c.log.Enabled(r.Context(), slog.LevelDebug) {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		attempt := 0
		route := r.URL.Path
		if st != nil {
			attempt, route = st.attempts, st.op.Route
		}
		attrs := []slog.Attr{slog.String("api", c.api), slog.String("method", r.Method), slog.String("route", route),
			slog.Int("attempt", attempt), slog.Int("status", status), slog.Duration("duration", time.Since(start))}
		if err != nil {
			attrs = append(attrs, slog.String("error", c.clean(errorText(err), maxMessageText)))
		} else {
			attrs = append(attrs, slog.String("request_id", c.clean(requestID(resp.Header), maxIDText)))
		}
		c.log.LogAttrs(r.Context(), slog.LevelDebug, "polybill attempt", attrs...)
	}
	return resp, err
}

// cloneWithUserAgent is req.Header.Clone() followed by Set("User-Agent", ua), in two
// allocations instead of five: one map sized for the credentials Apply adds next, and one
// backing array for every value, the User-Agent included. Each value slice is capped so an
// Add by a middleware reallocates instead of writing over its neighbour.
func cloneWithUserAgent(h http.Header, ua string) http.Header {
	const room = 4 // User-Agent plus the headers an authenticator typically sets
	nv := 1
	for _, vv := range h {
		nv += len(vv)
	}
	sv := make([]string, nv)
	out := make(http.Header, len(h)+room)
	for k, vv := range h {
		if vv == nil {
			out[k] = nil // as Header.Clone does
			continue
		}
		n := copy(sv, vv)
		out[k] = sv[:n:n]
		sv = sv[n:]
	}
	sv[0] = ua
	out["User-Agent"] = sv[:1:1]
	return out
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// chain builds the middleware stack once; the first middleware added is the outermost.
func chain(mw []polybill.Middleware, last func(*http.Request) (*http.Response, error)) func(*http.Request) (*http.Response, error) {
	next := last
	for i := len(mw) - 1; i >= 0; i-- {
		m, n := mw[i], next
		next = func(r *http.Request) (*http.Response, error) { return m(r, n) }
	}
	return next
}
