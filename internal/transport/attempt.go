package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
)

// callState is the per-call memory of the retry loop. It holds the call's retry client, the
// http.Client that retry client sends through and that client's RoundTripper, so one
// allocation carries them all; each hook is a closure over the call state, so nothing about
// the call rides in the request context (which carries only what middleware may read, see
// callinfo.go).
type callState struct {
	c   *Client
	ctx context.Context
	// deadline is the call's deadline (callDeadline), zero when ctx alone bounds the call.
	// Each attempt's context carries it (see send), backoff waits are cut at it (backoff,
	// prepareRetry) and the loop stops once it passed (checkRetry).
	deadline time.Time
	// waitExpired: the deadline passed during a backoff wait, which ended the call.
	waitExpired bool
	safety      Safety
	skipAuth    bool
	allowEmpty  bool
	gone        *bool
	maxRetries  int
	method      string
	op          polybill.Operation

	// req is the request the retry loop re-sends; hc, whose Transport is rt, is the
	// http.Client it sends it through (see callTransport); rclient is the retry loop.
	req     retryablehttp.Request
	hc      http.Client
	rt      callTransport
	rclient retryablehttp.Client

	// sends counts RoundTrip calls: each attempt of the loop makes at least one (one per
	// redirect followed, and the 401 replay's), so two CheckRetry calls with no send
	// between them are about the same attempt. decided remembers the decision for the
	// latest attempt; spentAt is the send whose attempt spent a budget token.
	sends   int
	decided retryMemo
	spentAt int
	// wait is the wait decided for the coming retry, which Backoff returns.
	wait time.Duration

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
	wrote atomic.Bool
	// callHeader, optHeader and contentType are what newHeader builds each attempt's header
	// from. headerFresh: the request the next send gets carries a header built for it
	// (newHeader), which that send uses as it is; sentAsIs is the request whose header a
	// send so used.
	callHeader, optHeader http.Header
	contentType           string
	headerFresh           bool
	sentAsIs              *http.Request
	authReq               *http.Request
	body                  []byte
	bodyRead              bool
	bodyErr               error
	capExceeded           time.Duration
	budgetRefused         bool
	refreshErr            error
	sentRequestID         string
	// reconcileAttempted and reconciled: Call.Reconcile ran, and found the record; writeErr
	// is then the error the write's HTTP exchange ended in, which the call does not return.
	reconcileAttempted bool
	reconciled         bool
	writeErr           *polybill.Error
	trace              httptrace.ClientTrace
	// obs is made by observeCallStart when the client has observers: most have none, and
	// the call state's size class is the cost of every call.
	obs *observation
}

// retryMemo is a CheckRetry answer, remembered for the attempt it was given for.
type retryMemo struct {
	sends   int  // callState.sends when it was decided
	withErr bool // whether it was asked with an error
	retry   bool
}

// run sends the call through go-retryablehttp, using its extension points as documented:
// a retry client per call whose CheckRetry and Backoff close over this call's state, with
// decideRetry (policy.go) deciding. The client is a value in the call state, built from
// fields rather than copied from a template (it holds sync.Once values, which must not be
// copied); building it costs no allocation beyond the two closures.
//
// RetryMax is the caller's retry count: a 401 replay is not a retry of the loop but part of
// the attempt that got the 401 (see callTransport.RoundTrip), so it needs no room here.
func (st *callState) run() (*http.Response, error) {
	st.rt.st = st
	st.hc.Transport = &st.rt
	st.rclient = retryablehttp.Client{
		HTTPClient:   &st.hc,
		RetryMax:     st.maxRetries,
		CheckRetry:   st.checkRetry,
		Backoff:      st.backoff,
		PrepareRetry: st.prepareRetry,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return st.rclient.Do(&st.req)
}

// classifyAttempt is classify, told whether the attempt wrote its request: an error the
// connection-level rules call "maybe sent" that was raised before the request headers were
// written (an invalid header value, an unsupported protocol scheme, a middleware that
// refused) never reached the server. A timeout or network error then is a connection that
// could not be used, safe to retry (neverSent); anything else is a local fault that another
// attempt would repeat (fatal): neither spends budget nor leaves a write Ambiguous.
func (st *callState) classifyAttempt(err error) failure {
	if err != nil && st.pastDeadline() {
		return fatal // the call is over, as classify says for a done parent context
	}
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

func (st *callState) wroteHeaders() { st.wrote.Store(true) }

// checkRetry is the retry client's CheckRetry: after every attempt, go again or not.
//
// go-retryablehttp may ask more than once per attempt: with a response handler set (the
// bounded body read, see readBody) it asks for the response, and when that answer is no it
// reads the body and asks again with the read's error. So the answer is a function of the
// attempt and whether an error came with it: asked again the same question it returns what
// it answered, without deciding anew, and its side effects (spending a budget token,
// counting the retry, ending the attempt for the observers) happen at most once per
// attempt, when the answer is yes.
func (st *callState) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	now := time.Now() // one clock read for the deadline and a Retry-After date
	if err := st.callErr(ctx, now); err != nil {
		return false, err
	}
	if m := st.decided; st.sends > 0 && m.sends == st.sends && m.withErr == (err != nil) {
		return m.retry, nil
	}
	o := attemptOutcome{safety: st.safety, failure: st.classifyAttempt(err), retries: st.retries, maxRetries: st.maxRetries}
	if resp != nil {
		o.status, o.header = resp.StatusCode, resp.Header
	}
	st.lastFailure = o.failure
	if o.failure == maybeSent || (o.failure == noFailure && mayHaveHappened(o.status, noFailure)) {
		st.mayHaveApplied = true
	}
	d := decideRetry(o, err, st.c.cfg.MinRetryDelay, st.c.cfg.MaxRetryDelay, now)
	if d.overCap > 0 {
		st.capExceeded = d.overCap
	}
	retry := d.retry
	if retry && st.spentAt != st.sends {
		if !st.c.budget.take(d.cost) {
			st.budgetRefused = true
			retry = false
		} else {
			st.spentAt = st.sends
			st.retries++
			st.wait = d.wait
			st.observeAttemptEnd(resp, err, true, d.wait)
		}
	}
	st.decided = retryMemo{sends: st.sends, withErr: err != nil, retry: retry}
	return retry, nil
}

// backoff is the retry client's Backoff: the wait checkRetry decided for this retry (the
// server's Retry-After within the cap, or exponential backoff with jitter), cut at the
// call's deadline. The library waits on the request's context, which carries the caller's
// cancellation and deadline but not the call timeout (see callDeadline): a wait cut short
// ends at the deadline, and prepareRetry then ends the call. The library's RetryWaitMin and
// RetryWaitMax are not used.
func (st *callState) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	if st.deadline.IsZero() {
		return st.wait
	}
	return max(min(st.wait, time.Until(st.deadline)), 0)
}

// prepareRetry is the retry client's PrepareRetry, called after each backoff wait: once the
// call's deadline passed the call ends with context.DeadlineExceeded, as a wait on a
// context with that deadline did, instead of making an attempt that cannot finish.
func (st *callState) prepareRetry(req *http.Request) error {
	if st.pastDeadline() {
		st.waitExpired = true
		return context.DeadlineExceeded
	}
	// The previous attempt sent the header it was given (see send): this one gets a new one.
	req.Header, st.headerFresh = st.newHeader(), true
	return nil
}

// pastDeadline reports whether the call's deadline has passed.
func (st *callState) pastDeadline() bool { return st.pastDeadlineAt(time.Now()) }

func (st *callState) pastDeadlineAt(now time.Time) bool {
	return !st.deadline.IsZero() && !now.Before(st.deadline)
}

// callErr is what ctx.Err() was at now for a context bounded by the call timeout: ctx's
// error, or context.DeadlineExceeded once the call's deadline passed.
func (st *callState) callErr(ctx context.Context, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if st.pastDeadlineAt(now) {
		return context.DeadlineExceeded
	}
	return nil
}

// callTransport is the RoundTripper of one call's http.Client (callState.hc): how each
// attempt finds its call without the request context carrying the call's state.
type callTransport struct{ st *callState }

// RoundTrip sends one attempt (see Client.send). When the API refuses the credentials the
// attempt carried (401), it renews them once and replays the attempt at once: the server
// refused before acting on the request, so the replay is safe for every kind of write. The
// replay is part of this attempt, below the retry loop: it spends no budget and no retry,
// so a call allowed n retries can still renew its token on its last attempt.
func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := t.st
	st.sends++
	resp, authed, err := st.c.send(req, st)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !authed || st.refreshed || st.c.refresher == nil {
		return resp, err
	}
	return st.replayAfterRefresh(req, resp)
}

// CloseIdleConnections does nothing, on purpose. go-retryablehttp calls
// HTTPClient.CloseIdleConnections after every call that ends in an error; the connections
// belong to the client's shared pool, and emptying it whenever one call fails would make
// every other goroutine dial again. The per-call http.Client owns no connection of its own,
// so there is nothing to close, whenever and however often the library asks.
func (t *callTransport) CloseIdleConnections() {}

// replayAfterRefresh renews the credentials the rejected attempt (resp, a 401) carried and
// sends req once more. When they cannot be renewed, or req cannot be re-sent, the 401 is the
// attempt's outcome (finish attaches the refresh error).
func (st *callState) replayAfterRefresh(req *http.Request, resp *http.Response) (*http.Response, error) {
	st.refreshed = true
	c := st.c
	ctx := withObserverClient(req.Context(), c)
	if !st.deadline.IsZero() {
		// The token request runs outside an attempt's context: bound it by the call's.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, st.deadline)
		defer cancel()
	}
	if err := c.refresher.Refresh(ctx, st.authReq); err != nil {
		st.refreshErr = err
		return resp, nil
	}
	replay := *req
	if req.Body != nil && req.Body != http.NoBody {
		// The first send consumed the body; GetBody (set by go-retryablehttp, and by
		// net/http on a redirect) gives it again.
		if req.GetBody == nil {
			return resp, nil
		}
		body, err := req.GetBody()
		if err != nil {
			return resp, nil
		}
		replay.Body = body
	}
	if req == st.sentAsIs {
		// The rejected send took req's header as it was, middleware changes and all: the
		// replay starts from a new one.
		replay.Header, st.headerFresh = st.newHeader(), true
	}
	st.observeAttemptEnd(resp, nil, true, 0)
	// Drain a little so the connection can be reused, as the retry loop does.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	resp, _, err := c.send(&replay, st)
	return resp, err
}

// attemptTransport is the RoundTripper of the plain client (PlainHTTPClient: token
// endpoints, no credentials, no retries).
type attemptTransport struct{ c *Client }

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, _, err := t.c.send(req, nil)
	return resp, err
}

// send makes one attempt: it applies the User-Agent and, for a call's request to the API
// host, the credentials, to a copy of req (the retry loop reuses the original, and a
// RoundTripper must not modify it), then runs the middleware and the base RoundTripper. st is
// the call, nil for the plain client's requests. authed reports that credentials were sent.
func (c *Client) send(req *http.Request, st *callState) (resp *http.Response, authed bool, err error) {
	r, attempt := c.attemptRequest(req, st)
	if st != nil && st.headerFresh {
		// The header was built for this send (by Do, prepareRetry or the 401 replay) and
		// nothing else will send it: the attempt's request takes it as it is.
		r.Header, st.headerFresh, st.sentAsIs = req.Header, false, req
	} else {
		// A redirect hop (net/http's copy of the call's header) or the plain client's
		// request: copied, so the attempt's changes stay its own.
		r.Header = cloneWithUserAgent(req.Header, c.userAgent)
	}
	sameHost := r.URL.Host == c.base.Host && r.URL.Scheme == c.base.Scheme
	if st != nil && c.auth != nil && sameHost && !st.skipAuth {
		if err := c.auth.Apply(r); err != nil {
			attempt.release()
			return nil, false, err
		}
		authed = true
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
	resp, err = c.chain(r)
	switch {
	case err != nil:
		attempt.release()
	case !attempt.deadline.IsZero():
		resp.Body = &releaseOnClose{ReadCloser: resp.Body, attempt: attempt}
	}
	if c.log != nil {
		c.logAttempt(r, st, start, resp, err)
	}
	return resp, authed, err
}

// attemptDeadline is the deadline of one attempt's context: the earlier of the attempt
// timeout and the call's deadline (see callDeadline), zero when neither is set or ctx's own
// deadline comes first (ctx then ends the attempt, and the reaper has nothing to do).
func (c *Client) attemptDeadline(ctx context.Context, st *callState, now time.Time) time.Time {
	var dl time.Time
	if d := c.cfg.AttemptTimeout; d > 0 {
		dl = now.Add(d)
	}
	if st != nil && !st.deadline.IsZero() && (dl.IsZero() || st.deadline.Before(dl)) {
		dl = st.deadline
	}
	if pdl, ok := ctx.Deadline(); ok && !dl.IsZero() && !pdl.After(dl) {
		return time.Time{}
	}
	return dl
}

// newHeader returns a new copy of the header every attempt of the call starts from: Accept,
// Content-Type (with a body), the call's header, the caller's (WithHeader), the request id
// and the User-Agent, later ones overriding earlier ones. Each send gets its own copy (the
// first send of an attempt this one, see send), so what a middleware or the authenticator
// does to one attempt's header (a header added, a value written over in place) stays with
// that attempt.
func (st *callState) newHeader() http.Header {
	const fixed = 4 // Accept, Content-Type, request id, User-Agent
	nv := fixed
	for _, vv := range st.callHeader {
		nv += len(vv)
	}
	for _, vv := range st.optHeader {
		nv += len(vv)
	}
	b := newHeaderBuilder(fixed+len(st.callHeader)+len(st.optHeader), nv)
	b.set("Accept", "application/json")
	if st.contentType != "" {
		b.set("Content-Type", st.contentType)
	}
	for k, vv := range st.callHeader {
		b.set(k, vv...)
	}
	for k, vv := range st.optHeader {
		b.set(k, vv...)
	}
	if st.sentRequestID != "" {
		b.set(st.c.requestID, st.sentRequestID)
	}
	b.set("User-Agent", st.c.userAgent)
	return b.h
}

// cloneWithUserAgent is req.Header.Clone() followed by Set("User-Agent", ua), in the two
// allocations of a headerBuilder instead of five.
func cloneWithUserAgent(h http.Header, ua string) http.Header {
	nv := 1
	for _, vv := range h {
		nv += len(vv)
	}
	b := newHeaderBuilder(len(h), nv) // the User-Agent is usually among h already
	for k, vv := range h {
		b.set(k, vv...)
	}
	b.set("User-Agent", ua)
	return b.h
}

// headerBuilder makes a header in two allocations: one map, sized for the keys it is given
// plus the credentials an authenticator typically adds next, and one backing array for every
// value. Each value slice is capped, so an Add by a middleware reallocates instead of writing
// over its neighbour.
type headerBuilder struct {
	h  http.Header
	sv []string
}

func newHeaderBuilder(keys, values int) headerBuilder {
	const room = 4 // the headers an authenticator typically sets
	return headerBuilder{h: make(http.Header, keys+room), sv: make([]string, 0, values)}
}

// set sets k to a copy of vv; nil stays nil, as Header.Clone keeps it.
func (b *headerBuilder) set(k string, vv ...string) {
	if vv == nil {
		b.h[k] = nil
		return
	}
	n := len(b.sv)
	b.sv = append(b.sv, vv...)
	b.h[k] = b.sv[n:len(b.sv):len(b.sv)]
}

// chain builds the middleware stack once; the first middleware added is the outermost.
func chain(mw []config.Middleware, last func(*http.Request) (*http.Response, error)) func(*http.Request) (*http.Response, error) {
	next := last
	for i := len(mw) - 1; i >= 0; i-- {
		m, n := mw[i], next
		next = func(r *http.Request) (*http.Response, error) { return m(r, n) }
	}
	return next
}
