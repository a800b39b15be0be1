package transport

import (
	"log/slog"
	"net/http"

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
