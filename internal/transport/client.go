// Package transport is the one execute path of the four polybill clients: URL building,
// authentication per attempt, retries on go-retryablehttp with a client-wide budget,
// Retry-After handling, bounded bodies, safe redirects, typed errors and redacted logging.
package transport

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
	"net/http/httptrace"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
)

// Settings describe one API client.
type Settings struct {
	// API names the API in errors and logs: "crm", "epilot", "encounters", "clinic".
	API string
	// Config holds the shared options.
	Config *config.Config
	// DefaultBaseURL is used when the options set none; empty means a base URL is required.
	DefaultBaseURL string
	// Auth adds credentials to each attempt; nil sends none.
	Auth Authenticator
	// DecodeError fills Code, Message, Param and Details from the API's error envelope.
	DecodeError func(body []byte, e *polybill.Error)
	// Secrets are scrubbed from every error and log line (in addition to the
	// authenticator's own).
	Secrets []string
	// RequestIDHeader, when set, is sent with a fresh id per call (identical on every
	// attempt) and used as Error.RequestID when the server echoes none.
	RequestIDHeader string
}

// Client executes calls for one API. It is safe for concurrent use.
type Client struct {
	api         string
	base        *url.URL
	baseURL     string
	hc          *http.Client
	plain       *http.Client
	cfg         *config.Config
	observers   []*polybill.Observer
	auth        Authenticator
	refresher   Refresher
	decodeError func([]byte, *polybill.Error)
	secrets     []string
	budget      *budget
	userAgent   string
	requestID   string
	log         *slog.Logger
}

// Call is one API operation.
type Call struct {
	Method string
	// Op is the spec operation (declared with Op): its route template is filled with
	// Params to build the path, and is what logs, errors and CallInfo show instead of the
	// path, so ids, emails and names never reach them.
	Op polybill.Operation
	// Params fill Op.Route's {placeholders} in order, each escaped as one path segment.
	Params []string
	// Query is encoded with url.Values.Encode; RawQuery is used as is when set (APIs with
	// their own query syntax).
	Query    url.Values
	RawQuery string
	// Body is JSON-encoded once and re-sent byte-for-byte on every attempt. A []byte or
	// json.RawMessage is sent as is.
	Body any
	// ContentType overrides application/json (e.g. a form body given as []byte).
	ContentType string
	Safety      Safety
	Header      http.Header
	// SkipAuth marks a token or login request: it is sent without credentials, and never
	// follows a redirect to another host or scheme (its body carries a secret).
	SkipAuth bool
	// Gone, when set, is set to true when a DELETE succeeded because a retry found the
	// record already gone (see Do); out is then left untouched.
	Gone *bool
	// SendsIdempotencyKey marks an operation that puts polybill.WithIdempotencyKey's key on
	// the wire (encounters payments: the idemp body field). Do refuses a key on every other
	// call: a key the API never sees would promise a deduplication that does not happen.
	SendsIdempotencyKey bool
	// AllowEmptyBody accepts a 2xx answer with an empty or null body when out is set (out is
	// then left untouched). By default that is an invalid-response error: a caller must never
	// mistake "nothing came back" for a record with zero fields.
	AllowEmptyBody bool
}

// New builds a client from settings. It validates the base URL: http:// is refused unless
// the host is loopback or the caller opted in (DESIGN rule 8).
func New(s Settings) (*Client, error) {
	cfg := s.Config
	if cfg == nil {
		var err error
		if cfg, err = NewConfig[config.Func](s.API, nil, nil); err != nil {
			return nil, err
		}
	}
	raw := cfg.BaseURL
	if raw == "" {
		raw = s.DefaultBaseURL
	}
	if raw == "" {
		return nil, Missing(cfg, s.API, "WithBaseURL", "no base URL: set it with polybill.WithBaseURL or the API's environment variable")
	}
	base, err := SecureURL(s.API, baseURLParam(cfg), strings.TrimRight(raw, "/"), cfg.AllowInsecure)
	if err != nil {
		return nil, err
	}
	c := &Client{
		api:         s.API,
		base:        base,
		baseURL:     base.String(),
		cfg:         cfg,
		auth:        s.Auth,
		decodeError: s.DecodeError,
		budget:      newBudget(cfg.RetryBudget),
		userAgent:   userAgent(cfg.UserAgentSuffix),
		requestID:   http.CanonicalHeaderKey(s.RequestIDHeader),
		log:         cfg.Logger,
	}
	for _, o := range cfg.Observers {
		c.observers = append(c.observers, o.(*polybill.Observer))
	}
	if r, ok := s.Auth.(Refresher); ok {
		c.refresher = r
	}
	if ta, ok := s.Auth.(*TokenAuth); ok {
		ta.retry = c
	}
	secrets := append([]string(nil), s.Secrets...)
	if sk, ok := s.Auth.(staticHeaders); ok {
		secrets = append(secrets, sk.Secrets()...)
	}
	c.secrets = secrets
	c.hc = c.newHTTPClient(cfg, true)
	c.plain = c.newHTTPClient(cfg, false)
	return c, nil
}

// BaseURL returns the base URL calls are made against.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// PlainHTTPClient returns an *http.Client with the same connection pool, User-Agent and
// loopback rules but no credentials and no retries, which follows no redirect to another
// host or scheme: for token endpoints driven by other libraries (golang.org/x/oauth2).
func (c *Client) PlainHTTPClient() *http.Client { return c.plain }

func (c *Client) newHTTPClient(cfg *config.Config, withAuth bool) *http.Client {
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	base := hc.Transport
	if base == nil {
		base = defaultTransport
	}
	hc.Transport = &attemptTransport{c: c, base: base, chain: chain(cfg.Middleware, base.RoundTrip), withAuth: withAuth}
	policy := redirectPolicy{allowInsecure: cfg.AllowInsecure, requestIDHeader: c.requestID, tokenEndpoint: !withAuth, user: hc.CheckRedirect}
	hc.CheckRedirect = policy.check
	return &hc
}

// redirectPolicy is the CheckRedirect of both clients.
type redirectPolicy struct {
	allowInsecure bool
	// requestIDHeader is the client's own request-id header, kept across hosts.
	requestIDHeader string
	// tokenEndpoint marks the plain client, which only sends token requests: their bodies
	// carry a secret (client_secret, a password), which Go re-sends on a 307 or 308.
	tokenEndpoint bool
	// user is the CheckRedirect of the caller's own *http.Client, run last.
	user func(*http.Request, []*http.Request) error
}

// keepAcrossHosts lists the headers a redirect to another host keeps. Every other header is
// dropped: the SDK cannot tell a credential a caller added per call (WithHeader("X-Api-Key",
// …), crm's AppId, a tenant secret) from a harmless one, so only headers known to carry no
// secret travel. net/http itself drops only Authorization, Cookie and WWW-Authenticate.
func (p redirectPolicy) keepAcrossHosts(name string) bool {
	switch name {
	case "Accept", "Accept-Encoding", "Accept-Language", "Content-Type", "Content-Length",
		"User-Agent", "Traceparent", "Tracestate":
		return true
	}
	return name != "" && name == p.requestIDHeader
}

// check refuses a redirect that would carry a secret somewhere it must not go: plain http://
// to a non-loopback host (DESIGN rule 8), and a token or login request (the plain client's,
// or a Call with SkipAuth) to another host or scheme, since Go re-sends the body, secret and
// all, on a 307 or 308, and the client would then use whatever token that host issued. Other
// calls may follow a redirect to another host, without credentials: those are applied per
// attempt for the API host only, and the headers that carry them are stripped here.
func (p redirectPolicy) check(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return fmt.Errorf("%w: stopped after 10 redirects", errRedirectRefused)
	}
	if req.URL.Scheme != "https" && req.URL.Scheme != "http" {
		return fmt.Errorf("%w: to the unsupported scheme %q", errRedirectRefused, req.URL.Scheme)
	}
	if req.URL.Scheme == "http" && !p.allowInsecure && !isLoopback(req.URL.Hostname()) {
		return fmt.Errorf("%w: to plain http://%s", errRedirectRefused, req.URL.Host)
	}
	origin := via[0].URL
	if req.URL.Host != origin.Host || req.URL.Scheme != origin.Scheme {
		if st := stateFrom(req.Context()); p.tokenEndpoint || (st != nil && st.skipAuth) {
			return fmt.Errorf("%w: a token request redirected to another host or scheme (%s://%s)", errRedirectRefused, req.URL.Scheme, req.URL.Host)
		}
		for k := range req.Header {
			if !p.keepAcrossHosts(k) {
				delete(req.Header, k)
			}
		}
	}
	if p.user != nil {
		return p.user(req, via)
	}
	return nil
}

// defaultTransport keeps enough idle connections per host for heavily concurrent callers:
// net/http's default of 2 makes 64 goroutines open and close connections constantly.
var defaultTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	return t
}()

// acceptJSON is the Accept (and default Content-Type) value of every call, shared by the
// requests Do builds; see Do.
var acceptJSON = []string{"application/json"}

func userAgent(suffix string) string {
	ua := fmt.Sprintf("polybill-go/%s (go%s; %s/%s)", polybill.Version, strings.TrimPrefix(runtime.Version(), "go"), runtime.GOOS, runtime.GOARCH)
	if suffix != "" {
		ua += " " + suffix
	}
	return ua
}

// SecureURL parses an absolute http(s) URL that credentials will be sent to, refusing plain
// http:// unless the host is loopback (a name or address, never a prefix match:
// localhost.example.com is not loopback) or the caller opted in (DESIGN rule 8). Every URL
// that receives credentials goes through it: base URLs and token endpoints alike. A refusal
// is a polybill.ErrValidation error whose Param is option, the option that set the URL.
func SecureURL(api, option, raw string, allowInsecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, polybill.InvalidParam(api, option, "invalid URL %q: want an absolute http(s) URL", raw)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, polybill.InvalidParam(api, option, "URL %q has a query or fragment: give the scheme, host and path only", raw)
	}
	if u.Scheme == "http" && !allowInsecure && !isLoopback(u.Hostname()) {
		return nil, polybill.InvalidParam(api, option, "refusing plain http:// to non-loopback host %q (credentials would travel unencrypted; use https or polybill.WithInsecureHTTP)", u.Hostname())
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BodyDecoder is implemented by response types that decode a whole body themselves. Do hands
// such a type the body as received instead of calling json.Unmarshal, which would validate the
// body and scan it once more to find the value's end before calling UnmarshalJSON: two passes
// over a 60 KB page that cost more than a fast decoder's whole read. An implementation must
// reject exactly what json.Unmarshal rejects (invalid JSON, trailing data) with an error, and
// may assume nothing about the bytes, not even that they are JSON.
type BodyDecoder interface {
	DecodeBody(body []byte) error
}

// Do executes call and decodes a 2xx JSON body into out (nil discards it; an empty body
// leaves out untouched; a BodyDecoder decodes it itself). Every failure is a *polybill.Error.
//
// A DELETE that was retried and whose retry got 404 succeeded: the record is gone, which is
// what the caller asked for. The first attempt most likely deleted it and its answer was lost
// (a reset, or a gateway's 5xx after the backend committed); reporting ErrNotFound would make
// a caller think a delete that happened did not, or treat a success as a failure. A 404 on
// the first attempt is still ErrNotFound. call.Gone tells the caller, when it cares.
func (c *Client) Do(ctx context.Context, call Call, out any, opts ...polybill.RequestOption) error {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	var rc config.Request
	if len(opts) > 0 {
		rc = config.NewRequest(opts)
	}
	safety := call.Safety.resolve(call.Method)
	st := &callState{c: c, ctx: ctx, safety: safety, skipAuth: call.SkipAuth, allowEmpty: call.AllowEmptyBody, gone: call.Gone, maxRetries: c.cfg.MaxRetries}
	if rc.MaxRetries != nil {
		st.maxRetries = *rc.MaxRetries
	}
	if call.Op.ID == "" || !strings.HasPrefix(call.Op.Route, "/") {
		return &polybill.Error{API: c.api, Code: polybill.CodeInvalidParams, Message: "internal: a call without its spec operation"}
	}
	if rc.IdempotencyKey != "" && !call.SendsIdempotencyKey {
		return polybill.InvalidParam(c.api, "WithIdempotencyKey",
			"%s %s: %s has no idempotency mechanism for this operation, so the key would be ignored and a second call would write again; see polybill.WithIdempotencyKey",
			call.Method, call.Op.Route, c.api)
	}
	path, err := fillRoute(c.api, call.Op.Route, call.Params)
	if err != nil {
		return err
	}

	var body []byte
	switch b := call.Body.(type) {
	case nil:
	case []byte:
		body = b
	case json.RawMessage:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			return &polybill.Error{API: c.api, Code: polybill.CodeInvalidParams, Message: "encoding request body: " + err.Error(), Err: err}
		}
	}

	target := c.baseURL + path
	if q := call.RawQuery; q != "" {
		target += "?" + q
	} else if len(call.Query) > 0 {
		target += "?" + call.Query.Encode()
	}
	var rawBody any
	if body != nil {
		rawBody = body
	}
	st.op, st.method = call.Op, call.Method
	ctx = st.observeCallStart(ctx)
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, stateKey{}, st), call.Method, target, rawBody)
	if err != nil {
		return &polybill.Error{API: c.api, Code: polybill.CodeInvalidParams, Message: "building request: " + c.redact(err.Error()), Err: err}
	}
	// The original request never reaches a RoundTripper (attemptTransport sends a copy with
	// copied values), so the constant values can be shared instead of allocated per call.
	req.Header["Accept"] = acceptJSON
	if body != nil {
		if ct := call.ContentType; ct != "" {
			req.Header.Set("Content-Type", ct)
		} else {
			req.Header["Content-Type"] = acceptJSON
		}
	}
	for k, v := range call.Header {
		req.Header[k] = v
	}
	for k, v := range rc.Header {
		req.Header[k] = v
	}
	// c.requestID is canonical: indexing the map is Get and Set without re-canonicalizing.
	if c.requestID != "" && (len(req.Header[c.requestID]) == 0 || req.Header[c.requestID][0] == "") {
		st.sentRequestID = newRequestID()
		req.Header[c.requestID] = []string{st.sentRequestID}
	}
	st.trace.WroteHeaders = st.wroteHeaders
	req.SetResponseHandler(st.readBody)

	// The retry client lives in the call state (one allocation, not two) and its hooks are
	// plain functions that find the state through the request context, not closures
	// allocated per call.
	st.rclient = retryablehttp.Client{
		HTTPClient: c.hc,
		// One more than the caller's retries: a 401 replay after a token refresh is not a
		// retry and must not eat into them; checkRetry enforces maxRetries itself.
		RetryMax:     st.maxRetries + 1,
		CheckRetry:   checkRetry,
		Backoff:      chosenWait,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	resp, err := st.rclient.Do(req)
	return st.observeCallEnd(resp, err, st.finish(resp, err, out, rc))
}

// callContext bounds a call by the configured call timeout: every attempt, wait and token
// request of the call, so a call with context.Background() against a server that never
// answers still ends. A context whose deadline comes first needs no timer of its own.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := c.cfg.CallTimeout
	if d <= 0 {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

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

// readBody runs inside the retry loop for the response that ends it, so a body cut short
// on an idempotent call is retried like any other broken connection.
func (st *callState) readBody(resp *http.Response) error {
	st.body, st.bodyErr = readBounded(resp, st.c.cfg.MaxResponseBytes)
	st.bodyRead = true
	return st.bodyErr
}

// readBounded reads at most limit bytes of the body and refuses a longer one.
//
// A declared Content-Length over the bound is refused before a byte is read; a declared one
// within it sizes the buffer once (io.ReadAll starts at 512 bytes and grows about 1.25× at a
// time, over twenty allocations and copies for a 700 KB page). Without a Content-Length the
// body is read into chunks that double up to maxChunk and never reach past limit+1 bytes in
// total, then joined: refusing an endless body allocates at most limit+1 bytes (a growing
// single buffer allocated about three times the bound: each doubling copies everything read
// so far), and an accepted body is allocated twice its size at worst.
func readBounded(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	if resp.ContentLength >= 0 {
		// One spare byte, so the read that reports EOF (or a body longer than declared)
		// does not grow the buffer.
		b := make([]byte, 0, min(resp.ContentLength, limit)+1)
		for {
			n, err := resp.Body.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			if int64(len(b)) > limit {
				return nil, errBodyTooLarge
			}
			if err == io.EOF {
				return b, nil
			}
			if err != nil {
				return nil, err
			}
			if len(b) == cap(b) {
				// More than declared: continue in chunks, still bounded.
				return readChunks(resp.Body, limit, [][]byte{b}, int64(len(b)))
			}
		}
	}
	return readChunks(resp.Body, limit, nil, 0)
}

// maxChunk bounds one chunk of a body read without a Content-Length.
const maxChunk = 1 << 20

func readChunks(body io.Reader, limit int64, chunks [][]byte, total int64) ([]byte, error) {
	size := int64(512)
	for {
		// limit+1 in total: the extra byte tells a body of exactly limit bytes from a longer one.
		chunk := make([]byte, 0, min(size, limit+1-total))
		for len(chunk) < cap(chunk) {
			n, err := body.Read(chunk[len(chunk):cap(chunk)])
			chunk = chunk[:len(chunk)+n]
			if err == io.EOF {
				if total += int64(len(chunk)); total > limit {
					return nil, errBodyTooLarge
				}
				return join(append(chunks, chunk), total), nil
			}
			if err != nil {
				return nil, err
			}
		}
		chunks = append(chunks, chunk)
		total += int64(len(chunk))
		if total > limit {
			return nil, errBodyTooLarge
		}
		size = min(2*size, maxChunk)
	}
}

func join(chunks [][]byte, total int64) []byte {
	if len(chunks) == 1 {
		return chunks[0]
	}
	b := make([]byte, 0, total)
	for _, c := range chunks {
		b = append(b, c...)
	}
	return b
}

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

// finish turns the loop's outcome into the caller's result.
func (st *callState) finish(resp *http.Response, err error, out any, rc config.Request) error {
	c := st.c
	if resp == nil {
		return st.transportError(err, 0)
	}
	if err != nil && !st.bodyRead {
		// net/http returns the last response with a closed body along with the error when
		// the redirect policy refused to follow it: the refusal is the outcome.
		resp.Body.Close()
		return st.transportError(err, resp.StatusCode)
	}
	if !st.bodyRead {
		st.body, st.bodyErr = readBounded(resp, c.cfg.MaxResponseBytes)
		st.bodyRead = true
	}
	if rc.ResponseInto != nil {
		resp.Body = io.NopCloser(bytes.NewReader(st.body))
		*rc.ResponseInto = resp
	}
	if st.bodyErr != nil {
		if errors.Is(st.bodyErr, errBodyTooLarge) {
			e := st.newError(resp, polybill.CodeResponseTooLarge)
			e.Message = fmt.Sprintf("response body exceeds %d bytes", c.cfg.MaxResponseBytes)
			e.Err = st.bodyErr
			e.Body = nil
			return st.logged(e)
		}
		return st.transportError(st.bodyErr, resp.StatusCode)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.budget.success()
		if out != nil {
			trimmed := bytes.TrimSpace(st.body)
			empty := len(trimmed) == 0 || string(trimmed) == "null"
			switch {
			case empty && (st.allowEmpty || resp.StatusCode == http.StatusNoContent):
			case empty:
				e := st.newError(resp, polybill.CodeInvalidResponse)
				e.Message = "empty response body"
				return st.logged(e)
			default:
				if derr := decodeBody(st.body, out); derr != nil {
					e := st.newError(resp, polybill.CodeInvalidResponse)
					e.Message = "decoding response: " + derr.Error()
					e.Err = derr
					st.scrub(e)
					return st.logged(e)
				}
			}
		}
		st.logCall(resp.StatusCode, nil)
		return nil
	}
	if resp.StatusCode == http.StatusNotFound && st.method == http.MethodDelete && st.retries > 0 {
		// See Do: a retried DELETE that finds nothing succeeded.
		if st.gone != nil {
			*st.gone = true
		}
		c.budget.success()
		st.logCall(resp.StatusCode, nil)
		return nil
	}
	e := st.newError(resp, "")
	if c.decodeError != nil && len(st.body) > 0 {
		c.decodeError(st.body, e)
	}
	if e.Code == "" {
		e.Code = polybill.CodeFromStatus(resp.StatusCode)
	}
	if st.capExceeded > 0 {
		e.RetryAfter = st.capExceeded
		e.Message = strings.TrimSpace(fmt.Sprintf("%s (server asked to wait %s, more than the %s cap)", e.Message, st.capExceeded.Round(time.Millisecond), c.cfg.MaxRetryDelay))
	}
	if st.refreshErr != nil {
		e.Err = st.refreshErr
	}
	st.scrub(e)
	return st.logged(e)
}

// newError fills what the transport knows about a response.
func (st *callState) newError(resp *http.Response, code string) *polybill.Error {
	status := resp.StatusCode
	e := &polybill.Error{
		API:        st.c.api,
		StatusCode: status,
		Code:       code,
		RequestID:  st.c.clean(requestID(resp.Header), maxIDText),
		Retryable:  shouldRetry(st.safety, status, noFailure),
		Ambiguous:  isWrite(st.method) && mayHaveHappened(status, noFailure),
	}
	if e.RequestID == "" {
		e.RequestID = st.sentRequestID
	}
	e.RetryBudgetExhausted = st.budgetRefused
	if d, ok := parseRetryAfter(resp.Header, time.Now()); ok {
		e.RetryAfter = d
	}
	if n := len(st.body); n > 0 {
		e.Body = append([]byte(nil), st.body[:min(n, polybill.MaxErrorBody)]...)
	}
	return e
}

func (st *callState) transportError(err error, status int) error {
	f := st.classifyAttempt(err)
	e := &polybill.Error{
		API:        st.c.api,
		StatusCode: status,
		Code:       polybill.CodeConnection,
		Retryable:  shouldRetry(st.safety, 0, f),
		Ambiguous:  isWrite(st.method) && (f == maybeSent || st.mayHaveApplied),
		RequestID:  st.sentRequestID,
		Err:        err,

		RetryBudgetExhausted: st.budgetRefused || errors.Is(err, polybill.ErrRetryBudgetExhausted),
	}
	var ae *authError
	switch {
	case errors.Is(err, context.Canceled):
		e.Code = polybill.CodeCanceled
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.Code = polybill.CodeTimeout
	case errors.As(err, &ae):
		var pe *polybill.Error
		if errors.As(ae.err, &pe) {
			// The credentials call failed with an API error: surface it, scrubbed (a token
			// endpoint may echo the client secret back).
			st.scrub(pe)
			return st.logged(pe)
		}
		e.Code = polybill.CodeUnauthenticated
	}
	if st.attempts == 0 || (f != maybeSent && !st.mayHaveApplied) {
		e.Ambiguous = false
	}
	e.Message = st.c.clean(errorText(err), maxMessageText)
	return st.logged(e)
}

// InvalidResponse builds the error for a 2xx body an API package could not use after Do
// returned it (a shape only the package understands), with the body bounded and scrubbed of
// secrets like every error the transport builds.
func (c *Client) InvalidResponse(body []byte, err error) *polybill.Error {
	e := &polybill.Error{API: c.api, Code: polybill.CodeInvalidResponse, Message: "decoding response: " + err.Error(), Err: err}
	if n := len(body); n > 0 {
		e.Body = append([]byte(nil), body[:min(n, polybill.MaxErrorBody)]...)
	}
	(&callState{c: c}).scrub(e)
	return e
}

// errorText drops the URL that *url.Error prints: it can hold emails and names.
func errorText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// requestIDHeaders are the headers servers commonly echo a request id in.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "X-Correlation-Id"}

func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// scrub removes secrets a server may have echoed back (a token in an error message) and
// bounds the length of every text. Every text field is scrubbed: a server may echo a secret
// into any of them, including the code (fuzzing the clinic decoder found a token endpoint
// answering {"error": "<secret>"}) and the request id (an outside review found a server
// echoing "Bearer <token> <api key>" in X-Request-Id).
func (st *callState) scrub(e *polybill.Error) {
	c := st.c
	e.Code = c.clean(e.Code, maxIDText)
	e.Param = c.clean(e.Param, maxIDText)
	e.Message = c.clean(e.Message, maxMessageText)
	e.RequestID = c.clean(e.RequestID, maxIDText)
	for i := range e.Details {
		d := &e.Details[i]
		d.Code, d.Field = c.clean(d.Code, maxIDText), c.clean(d.Field, maxIDText)
		d.Message = c.clean(d.Message, maxMessageText)
		d.Title = c.clean(d.Title, maxMessageText)
		d.Raw = json.RawMessage(c.redact(string(d.Raw)))
	}
	if len(e.Body) > 0 {
		e.Body = []byte(c.redact(string(e.Body)))
	}
}

func (c *Client) allSecrets() []string {
	s := c.secrets
	if sk, ok := c.auth.(secretKeeper); ok {
		if _, static := c.auth.(staticHeaders); !static {
			s = append(append([]string(nil), s...), sk.Secrets()...)
		}
	}
	return s
}

func (c *Client) redact(text string) string {
	for _, s := range c.allSecrets() {
		// Very short values would redact ordinary words; real credentials are longer.
		if len(s) >= 6 && strings.Contains(text, s) {
			text = strings.ReplaceAll(text, s, "[REDACTED]")
		}
	}
	return text
}

func (st *callState) logged(e *polybill.Error) error {
	st.logCall(e.StatusCode, e)
	return e
}

func (st *callState) logCall(status int, e *polybill.Error) {
	l := st.c.log
	if l == nil {
		return
	}
	level := slog.LevelDebug
	attrs := []slog.Attr{
		slog.String("api", st.c.api), slog.String("method", st.method), slog.String("route", st.op.Route),
		slog.Int("status", status), slog.Int("attempts", st.attempts), slog.Int("retries", st.retries),
	}
	if e != nil {
		// A read answered 404 is how existence checks (epilot's external_id lookup after an
		// ambiguous create, a caller's "does it exist yet?") get their answer: expected, so
		// not a warning. A write on a missing record stays one.
		if !(status == http.StatusNotFound && (st.method == http.MethodGet || st.method == http.MethodHead)) {
			level = slog.LevelWarn
		}
		attrs = append(attrs, slog.String("code", e.Code), slog.String("request_id", e.RequestID),
			slog.Bool("ambiguous", e.Ambiguous), slog.Bool("budget_refused", st.budgetRefused))
	}
	l.LogAttrs(st.ctx, level, "polybill call", attrs...)
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
func chain(mw []config.Middleware, last func(*http.Request) (*http.Response, error)) func(*http.Request) (*http.Response, error) {
	next := last
	for i := len(mw) - 1; i >= 0; i-- {
		m, n := mw[i], next
		next = func(r *http.Request) (*http.Response, error) { return m(r, n) }
	}
	return next
}

func decodeBody(body []byte, out any) error {
	if d, ok := out.(BodyDecoder); ok {
		return d.DecodeBody(body)
	}
	return json.Unmarshal(body, out)
}
