package transport

import (
	"net/http"
	"time"

	polybill "github.com/polybill/polybill-go"
)

// attemptRequest returns the request one attempt sends: a shallow copy of req (the retry
// loop reuses the original, and a RoundTripper must not modify it) on the attempt's context
// (see attemptContext), which carries the attempt's deadline and CallInfo; st is nil for
// the plain client's requests (token endpoints), whose context hides the CallInfo of a call
// they run inside. The caller releases the context once the attempt is over.
func (c *Client) attemptRequest(req *http.Request, st *callState) (*http.Request, *attemptContext) {
	parent := req.Context()
	var info polybill.CallInfo
	if st != nil {
		info = polybill.CallInfo{API: c.api, Operation: st.op, Method: st.method, Attempt: st.attempts + 1, Write: isWrite(st.method)}
		parent = st.observeAttemptStart(parent, info)
	}
	now := time.Now() // one clock read for the deadline and for whether it has passed
	a := c.newAttemptContext(parent, now, c.attemptDeadline(parent, st, now), info, st != nil)
	return req.WithContext(a), a
}
