package transport

import (
	"log/slog"
	"net/http"
	"time"

	polybill "github.com/polybill/polybill-go"
)

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

// logAttempt writes the debug line of one attempt (send): the route template, never the
// path, for a call's request; the path for a token request (it holds no caller data).
func (c *Client) logAttempt(r *http.Request, st *callState, start time.Time, resp *http.Response, err error) {
	if !c.log.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
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
