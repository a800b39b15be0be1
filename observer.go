package polybill

import (
	"context"
	"time"

	"github.com/polybill/polybill-go/internal/config"
)

// Observer receives the life of every call a client makes, for telemetry: the
// github.com/polybill/polybill-go/otel module turns it into OpenTelemetry spans and metrics.
// Like net/http/httptrace.ClientTrace it is a struct of hooks; any hook may be nil. Hooks run
// synchronously on the calling goroutine (TokenFetch on the goroutine that fetched) and
// must be fast and safe for concurrent use. Nothing passed to them holds a credential, a
// query, a body or a path value: the call is named by its CallInfo.
//
// A middleware sees each request; an Observer sees what only the client knows: the
// retry decision and its reason, the wait before the next attempt, a retry refused by the
// budget or by a Retry-After over the cap, token fetches, and whether an ambiguous write was
// reconciled.
type Observer struct {
	// CallStart runs once per call before its first attempt; the context it returns is
	// the parent of every attempt's request context (a span started here is the parent
	// of the attempts' spans); info.Attempt is 0. Nil keeps ctx.
	CallStart func(ctx context.Context, info CallInfo) context.Context
	// AttemptStart runs before each attempt with the context CallStart returned; the
	// context it returns becomes the attempt request's context, so middleware below it
	// (for example a propagator writing traceparent) sees it. Nil keeps ctx.
	AttemptStart func(ctx context.Context, info CallInfo) context.Context
	// AttemptEnd runs after each attempt, once the client decided whether to retry, with
	// the context AttemptStart returned.
	AttemptEnd func(ctx context.Context, info CallInfo, attempt AttemptResult)
	// CallEnd runs once per call when it returns, with the context CallStart returned.
	// info.Attempt is the number of attempts made. For a write whose outcome was in doubt
	// and that the client settled by reading the record back (CallResult.Reconciled), it
	// runs after that read-back: the lookups are calls of their own, started under this
	// call's context, so their spans are children of the write's.
	CallEnd func(ctx context.Context, info CallInfo, call CallResult)
	// TokenFetch runs after each fetch of an OAuth2 or login token (not after the cached
	// token is reused); ok is false when the fetch failed.
	TokenFetch func(ctx context.Context, api string, took time.Duration, ok bool)
}

// AttemptResult is the outcome of one attempt.
type AttemptResult struct {
	// StatusCode is the response's status, 0 when none came back.
	StatusCode int
	// ErrorType classifies a failed attempt: the status code as text ("503") for an HTTP
	// error, "connection", "timeout", "canceled" or "response_too_large" without a usable
	// response, "" on success.
	ErrorType string
	// Took is the attempt's duration, to the retry decision.
	Took time.Duration
	// Retry tells whether another attempt follows, RetryReason why ("503", "429",
	// "connection", "timeout", "token_refresh") and Wait how long the client waits first.
	Retry       bool
	RetryReason string
	Wait        time.Duration
	// Refused names a retry that was wanted but not made: RefusedRetryBudget or
	// RefusedRetryAfterOverCap; "" otherwise.
	Refused string
}

// Reasons a retry was refused (AttemptResult.Refused).
const (
	// RefusedRetryBudget: the client-wide retry budget (WithRetryBudget) had no token left.
	RefusedRetryBudget = "retry_budget"
	// RefusedRetryAfterOverCap: the server asked to wait longer than WithMaxRetryDelay;
	// the call returned ErrRateLimited instead of sleeping.
	RefusedRetryAfterOverCap = "retry_after_over_cap"
)

// CallResult is the outcome of one call.
type CallResult struct {
	// Err is what the call returned: nil or a *Error (joined with the read-back's error
	// when a reconciliation ran and settled nothing; errors.As finds the write's).
	Err error
	// StatusCode is the final response's status, 0 when none came back.
	StatusCode int
	// RequestID is the server's request id, or the one the client sent.
	RequestID string
	// Took is the call's duration, retries and waits included.
	Took time.Duration
	// RetryTokens is what the client's retry budget holds after the call.
	RetryTokens float64
	// Ambiguous reports a write that may or may not have happened: its HTTP exchange ended
	// with an Error whose Ambiguous is set. It stays true when a reconciliation then
	// settled the write (Err is nil then).
	Ambiguous bool
	// ReconcileAttempted reports that the write's outcome was in doubt (Ambiguous, or a 2xx
	// whose body could not be read) and the client read the record back to settle it:
	// epilot CreateBillingEvent by external_id, clinic RecordPayment by reference.
	// Reconciled reports that the read-back found the record exactly once: the write
	// happened, and the call returned success (Err is nil).
	ReconcileAttempted bool
	Reconciled         bool
}

// WithObserver adds an Observer to the client; several may be added, and each sees every
// call. A nil Observer is an error.
func WithObserver(o *Observer) Option {
	return shared(func(c *config.Config) error {
		if o == nil {
			return invalidParam("WithObserver", "nil *Observer")
		}
		c.Observers = append(c.Observers, o)
		return nil
	})
}
