package transport

import (
	"context"
	"net/http"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/callctx"
)

// attemptContext is the context of one attempt's request: its parent's values plus the
// attempt's polybill.CallInfo, which polybill.CallInfoFrom reads. One small allocation per
// attempt carries both; a context.WithValue over a boxed CallInfo would take two. Each
// attempt has its own, so a middleware that keeps the context sees the attempt it ran in.
type attemptContext struct {
	context.Context
	info polybill.CallInfo
	// c is the client whose call this is, for the observers of a token fetched inside the
	// attempt (observeTokenFetch); it is no value a middleware can name.
	c *Client
}

func (a *attemptContext) Value(key any) any {
	switch key.(type) {
	case callctx.Key:
		return &a.info
	case observerClientKey:
		return a.c
	}
	return a.Context.Value(key)
}

// noCallInfo hides the CallInfo of the call a token request runs inside: the token request
// is not that operation, and middleware must not count it as one.
type noCallInfo struct{ context.Context }

func (n noCallInfo) Value(key any) any {
	if _, ok := key.(callctx.Key); ok {
		return nil
	}
	return n.Context.Value(key)
}

// attemptRequest returns the request one attempt sends: a shallow copy of req (the retry
// loop reuses the original, and a RoundTripper must not modify it) on ctx (req's context,
// with the attempt timeout) that also carries the attempt's CallInfo; st is nil for the
// plain client's requests (token endpoints).
func (c *Client) attemptRequest(req *http.Request, ctx context.Context, st *callState) *http.Request {
	if st == nil {
		if _, ok := polybill.CallInfoFrom(ctx); ok {
			return req.WithContext(noCallInfo{ctx})
		}
		return req.WithContext(ctx)
	}
	info := polybill.CallInfo{API: c.api, Operation: st.op, Method: st.method, Attempt: st.attempts + 1, Write: isWrite(st.method)}
	return req.WithContext(&attemptContext{Context: st.observeAttemptStart(ctx, info), info: info, c: c})
}
