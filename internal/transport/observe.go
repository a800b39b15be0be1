package transport

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	polybill "github.com/polybill/polybill-go"
)

// This file feeds the polybill.Observer hooks (WithObserver). Every hook point in the
// execute path is one call into a function here, and each returns at once when no
// observer is set, so a client without telemetry pays a length check per call and attempt.

// observation is the per-call memory of the hooks, kept in callState.
type observation struct {
	callCtx      context.Context // what CallStart returned
	attemptCtx   context.Context // what AttemptStart returned for the open attempt
	attemptOpen  bool
	attemptStart time.Time
	callStart    time.Time
}

func (st *callState) info() polybill.CallInfo {
	return polybill.CallInfo{API: st.c.api, Operation: st.op, Method: st.method, Attempt: st.attempts, Write: isWrite(st.method)}
}

// observeCallStart runs the CallStart hooks; ctx is the caller's context and the result
// is the one the call's requests are built on.
func (st *callState) observeCallStart(ctx context.Context) context.Context {
	obs := st.c.observers
	if len(obs) == 0 {
		return ctx
	}
	st.obs = &observation{callStart: time.Now()}
	info := st.info()
	for _, o := range obs {
		if o.CallStart != nil {
			ctx = o.CallStart(ctx, info)
		}
	}
	st.obs.callCtx = ctx
	return ctx
}

// observeAttemptStart runs the AttemptStart hooks before attempt number info.Attempt and
// returns the context the attempt's request carries.
func (st *callState) observeAttemptStart(ctx context.Context, info polybill.CallInfo) context.Context {
	if st.obs == nil { // no observers (observeCallStart makes it only when there are some)
		return ctx
	}
	obs := st.c.observers
	for _, o := range obs {
		if o.AttemptStart != nil {
			ctx = o.AttemptStart(ctx, info)
		}
	}
	st.obs.attemptCtx, st.obs.attemptOpen, st.obs.attemptStart = ctx, true, time.Now()
	return ctx
}

// observeAttemptEnd runs the AttemptEnd hooks for the open attempt, once the retry
// decision is known: retry true (after wait) from CheckRetry or the 401 replay, false from
// Do once the retry loop ended (when no retry decision closed the attempt already).
func (st *callState) observeAttemptEnd(resp *http.Response, err error, retry bool, wait time.Duration) {
	if st.obs == nil || !st.obs.attemptOpen {
		return
	}
	obs := st.c.observers
	st.obs.attemptOpen = false
	r := polybill.AttemptResult{Took: time.Since(st.obs.attemptStart), Retry: retry}
	if resp != nil {
		r.StatusCode = resp.StatusCode
	}
	r.ErrorType = attemptErrorType(r.StatusCode, err)
	if retry {
		r.Wait = wait
		r.RetryReason = r.ErrorType
		if r.StatusCode == http.StatusUnauthorized && st.refreshed {
			r.RetryReason = "token_refresh"
		}
	} else {
		switch {
		case st.budgetRefused:
			r.Refused = polybill.RefusedRetryBudget
		case st.capExceeded > 0:
			r.Refused = polybill.RefusedRetryAfterOverCap
		}
	}
	info := st.info()
	for _, o := range obs {
		if o.AttemptEnd != nil {
			o.AttemptEnd(st.obs.attemptCtx, info, r)
		}
	}
}

// observeCallEnd runs the CallEnd hooks (Do has ended the last attempt already). It returns
// err unchanged.
func (st *callState) observeCallEnd(resp *http.Response, err error) error {
	if st.obs == nil {
		return err
	}
	obs := st.c.observers
	r := polybill.CallResult{Err: err, Took: time.Since(st.obs.callStart), RetryTokens: st.c.RetryTokens(), RequestID: st.sentRequestID,
		ReconcileAttempted: st.reconcileAttempted, Reconciled: st.reconciled}
	var pe *polybill.Error
	if err != nil {
		pe = asError(err)
	}
	switch {
	case pe != nil:
		r.StatusCode = pe.StatusCode
		r.Ambiguous = pe.Ambiguous
		if pe.RequestID != "" {
			r.RequestID = pe.RequestID
		}
	case st.writeErr != nil:
		// Reconciled: the call returns nil, but its HTTP exchange ended in writeErr.
		r.StatusCode = st.writeErr.StatusCode
		r.Ambiguous = st.writeErr.Ambiguous
		if st.writeErr.RequestID != "" {
			r.RequestID = st.writeErr.RequestID
		}
	case resp != nil:
		r.StatusCode = resp.StatusCode
		if id := requestID(resp.Header); id != "" {
			r.RequestID = id
		}
	}
	info := st.info()
	for _, o := range obs {
		if o.CallEnd != nil {
			o.CallEnd(st.obs.callCtx, info, r)
		}
	}
	return err
}

// asError is errors.As for a *polybill.Error. Its target escapes to the heap, so it is
// called only for a call that failed.
func asError(err error) *polybill.Error {
	var pe *polybill.Error
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// attemptErrorType is AttemptResult.ErrorType.
func attemptErrorType(status int, err error) string {
	switch {
	case err == nil && status < 400:
		return ""
	case err == nil:
		return strconv.Itoa(status)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, errBodyTooLarge):
		return "response_too_large"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "timeout"
	}
	return "connection"
}

// observerClientKey carries the client into a token fetch: a call's attempt context answers
// it (see attemptContext), and Authenticate and the 401 refresh, which run outside an
// attempt, add it with withObserverClient.
type observerClientKey struct{}

func withObserverClient(ctx context.Context, c *Client) context.Context {
	if len(c.observers) == 0 {
		return ctx
	}
	return context.WithValue(ctx, observerClientKey{}, c)
}

// observeTokenFetch runs the TokenFetch hooks of the client whose call (or Authenticate)
// ctx belongs to.
func observeTokenFetch(ctx context.Context, start time.Time, err error) {
	c, _ := ctx.Value(observerClientKey{}).(*Client)
	if c == nil {
		return
	}
	took := time.Since(start)
	for _, o := range c.observers {
		if o.TokenFetch != nil {
			o.TokenFetch(ctx, c.api, took, err == nil)
		}
	}
}
