package transport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
)

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
	// Reconcile settles a write whose outcome is in doubt by reading the record back (the
	// APIs offer no idempotency key, so the write itself is never sent again). Do calls it
	// when the write failed with an Error that is Ambiguous, or with CodeInvalidResponse (a
	// 2xx whose body could not be read: the write happened, and the caller needs the
	// record), passing that error as cause. It returns found when it found the record (it
	// keeps the record itself; Do then returns nil), or the reason it could not settle the
	// write (Do returns the write's error joined with it, the write's first, so errors.As
	// finds the still Ambiguous write error), or neither when it did not try (Do returns the
	// write's error as it was).
	//
	// It runs inside the call, before the observers' CallEnd, so the call's telemetry says
	// whether the write was reconciled (CallResult.Reconciled), and the lookups, which are
	// calls of their own, are traced under the write's call. Its ctx has the caller's
	// deadline and cancellation, not this call's timeout: a write that used up its call
	// timeout can still be settled, each lookup bounded by its own.
	Reconcile func(ctx context.Context, cause error) (found bool, err error)
}

// BodyDecoder is implemented by response types that decode a whole body themselves. Do hands
// such a type the body as received instead of calling json.Unmarshal, which would validate the
// body and scan it once more to find the value's end before calling UnmarshalJSON: two passes
// over a 60 KB page that cost more than a fast decoder's whole read. An implementation must
// reject exactly what json.Unmarshal rejects (invalid JSON, trailing data) with an error, and
// may assume nothing about the bytes, not even that they are JSON.
//
// The body is handed over: it is a buffer of this call alone that nothing writes to again
// (WithResponseInto only reads it), so a decoder may keep it instead of copying
// (wire.DecodeBody keeps it as the top-level record's Raw).
type BodyDecoder interface {
	DecodeBody(body []byte) error
}

// DecodeFunc is a BodyDecoder made of a function, so a public response type decodes itself
// through an unexported method, Do(ctx, call, transport.DecodeFunc(r.decode)), instead of
// exporting a DecodeBody that users have no use for (issue 17 §2).
type DecodeFunc func(body []byte) error

// DecodeBody implements BodyDecoder.
func (f DecodeFunc) DecodeBody(body []byte) error { return f(body) }

// Do executes call and decodes a 2xx JSON body into out (nil discards it; an empty body
// leaves out untouched; a BodyDecoder decodes it itself). Every failure is a *polybill.Error.
//
// A DELETE that was retried and whose retry got 404 succeeded: the record is gone, which is
// what the caller asked for. The first attempt most likely deleted it and its answer was lost
// (a reset, or a gateway's 5xx after the backend committed); reporting ErrNotFound would make
// a caller think a delete that happened did not, or treat a success as a failure. A 404 on
// the first attempt is still ErrNotFound. call.Gone tells the caller, when it cares.
func (c *Client) Do(ctx context.Context, call Call, out any, opts ...polybill.RequestOption) error {
	callerCtx := ctx
	var rc config.Request
	if len(opts) > 0 {
		rc = config.NewRequest(opts)
	}
	safety := call.Safety.resolve(call.Method)
	st := &callState{c: c, ctx: ctx, deadline: c.callDeadline(ctx), safety: safety, skipAuth: call.SkipAuth, allowEmpty: call.AllowEmptyBody, gone: call.Gone, maxRetries: c.cfg.MaxRetries}
	if rc.MaxRetries != nil {
		st.maxRetries = *rc.MaxRetries
	}
	if call.Op.ID == "" || !strings.HasPrefix(call.Op.Route, "/") {
		return &polybill.Error{API: c.api, Code: polybill.CodeInvalidParams, Message: "internal: a call without its spec operation"}
	}
	if rc.IdempotencyKey != "" && !call.SendsIdempotencyKey {
		return InvalidParam(c.api, "WithIdempotencyKey",
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
	st.op, st.method = call.Op, call.Method
	ctx = st.observeCallStart(ctx)
	// The request carries the caller's context and the call's httptrace hook (set once for
	// all attempts: it only records that an attempt wrote its headers); the attempts find
	// the call through the call's own http.Client (see callTransport), not through a
	// context value.
	st.trace.WroteHeaders = st.wroteHeaders
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, &st.trace), call.Method, target, nil)
	if err != nil {
		return &polybill.Error{API: c.api, Code: polybill.CodeInvalidParams, Message: "building request: " + c.redact(err.Error()), Err: err}
	}
	st.req.Request = hreq
	if body != nil {
		// Re-sent byte-for-byte on every attempt (go-retryablehttp rewinds it, and sets
		// GetBody, which the 401 replay uses).
		if err := st.req.SetBody(body); err != nil {
			return &polybill.Error{API: c.api, Code: polybill.CodeInvalidParams, Message: "building request: " + err.Error(), Err: err}
		}
	}
	// The header every attempt starts from (see callState.newHeader).
	st.callHeader, st.optHeader = call.Header, rc.Header
	if body != nil {
		st.contentType = "application/json"
		if call.ContentType != "" {
			st.contentType = call.ContentType
		}
	}
	// c.requestID is canonical: indexing the maps is Get without re-canonicalizing. The
	// caller's option overrides the call's header, as in the header sent.
	if c.requestID != "" {
		id, ok := rc.Header[c.requestID]
		if !ok {
			id = call.Header[c.requestID]
		}
		if len(id) == 0 || id[0] == "" {
			st.sentRequestID = newRequestID()
		}
	}
	hreq.Header = st.newHeader()
	st.headerFresh = true
	st.req.SetResponseHandler(st.readBody)
	st.hc = c.callHTTP
	if call.SkipAuth {
		st.hc.CheckRedirect = c.tokenRedirect
	}
	resp, err := st.run()
	if st.waitExpired {
		// The call's deadline passed during a backoff wait (see prepareRetry): the call
		// ended there, with the wait's error, not with the response that led to the wait
		// (its body is drained and closed already).
		resp = nil
	}
	result := st.finish(resp, err, out, rc)
	// The last attempt ends here, with the body read: before a reconciliation's lookups, so
	// its span does not stretch over them.
	st.observeAttemptEnd(resp, err, false, 0)
	if call.Reconcile != nil {
		result = st.reconcile(callerCtx, call.Reconcile, result)
	}
	return st.observeCallEnd(resp, result)
}

// reconcile runs the call's Reconcile after a write whose outcome is in doubt (see
// Call.Reconcile) and returns what Do returns.
func (st *callState) reconcile(callerCtx context.Context, reconcile func(context.Context, error) (bool, error), err error) error {
	var pe *polybill.Error
	if !errors.As(err, &pe) || !(pe.Ambiguous || pe.Code == polybill.CodeInvalidResponse) {
		return err
	}
	ctx := callerCtx
	if st.obs != nil && st.obs.callCtx != nil {
		ctx = valuesFrom{Context: callerCtx, values: st.obs.callCtx}
	}
	found, rerr := reconcile(ctx, err)
	st.reconcileAttempted = found || rerr != nil
	switch {
	case found:
		st.reconciled, st.writeErr = true, pe
		return nil
	case rerr != nil:
		// The write's error comes first, so errors.As finds it (Ambiguous: nothing settled
		// it); the text then says why the read-back could not.
		return errors.Join(err, rerr)
	}
	return err
}

// valuesFrom is the caller's context (its deadline, cancellation and error) with the values
// of another: the call's context as the observers' CallStart left it, so a reconciliation's
// lookups are traced under the write's call span without inheriting the write's call
// timeout.
type valuesFrom struct {
	context.Context
	values context.Context
}

func (v valuesFrom) Value(key any) any { return v.values.Value(key) }

// callDeadline is when the configured call timeout ends a call made with ctx: every attempt,
// backoff wait and token request of the call ends by then, so a call with
// context.Background() against a server that never answers still ends. It is zero when
// there is no call timeout, or when ctx's own deadline comes first (ctx is then in charge).
//
// The call gets a deadline, not a context.WithTimeout of its own: each attempt's context
// already carries a deadline (see send), and one context per attempt, at the earlier of the
// attempt's and the call's deadline, bounds that attempt as the two nested ones did (its
// deadline enforced by the client's one timer, see attemptContext). A second context per
// call cost a timer, a cancelCtx, the parent's children map and its Done channel on every
// call (BenchmarkDo: 10.1 → 9.3 µs and 58 → 52 allocations when it went;
// docs/architecture.md, "Cost per call").
func (c *Client) callDeadline(ctx context.Context) time.Time {
	d := c.cfg.CallTimeout
	if d <= 0 {
		return time.Time{}
	}
	dl := time.Now().Add(d)
	if cdl, ok := ctx.Deadline(); ok && !cdl.After(dl) {
		return time.Time{}
	}
	return dl
}

// callContext is ctx bounded by the call timeout, for work outside the attempts (see
// callDeadline): Authenticate.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl := c.callDeadline(ctx); !dl.IsZero() {
		return context.WithDeadline(ctx, dl)
	}
	return ctx, func() {}
}

func decodeBody(body []byte, out any) error {
	if d, ok := out.(BodyDecoder); ok {
		return d.DecodeBody(body)
	}
	return json.Unmarshal(body, out)
}
