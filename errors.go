package polybill

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// The error classes. Every *Error from any of the four APIs matches one of these with
// errors.Is, so callers can branch on the class without knowing which API answered:
//
//	if errors.Is(err, polybill.ErrNotFound) { … }
var (
	ErrUnauthorized     = errors.New("polybill: unauthorized")
	ErrForbidden        = errors.New("polybill: forbidden")
	ErrNotFound         = errors.New("polybill: not found")
	ErrValidation       = errors.New("polybill: invalid request")
	ErrConflict         = errors.New("polybill: conflict")
	ErrRateLimited      = errors.New("polybill: rate limited")
	ErrServer           = errors.New("polybill: server error")
	ErrResponseTooLarge = errors.New("polybill: response body too large")
	// ErrRetryBudgetExhausted matches an error that the call would have retried, but the
	// client-wide retry budget was spent (an API failing for many calls at once): the call
	// failed fast instead of adding to the load. Error.RetryBudgetExhausted is the same fact.
	ErrRetryBudgetExhausted = errors.New("polybill: retry budget exhausted")
)

// Codes the SDK itself sets when no API code applies.
const (
	// CodeInvalidParams marks a request refused locally, before anything was sent.
	CodeInvalidParams = "invalid_params"
	// CodeConnection marks a transport failure: no HTTP response was received.
	CodeConnection = "connection_error"
	// CodeTimeout marks a per-attempt timeout or an expired context deadline.
	CodeTimeout = "timeout"
	// CodeCanceled marks a call whose context was canceled.
	CodeCanceled = "canceled"
	// CodeInvalidResponse marks a 2xx response whose body could not be decoded.
	CodeInvalidResponse = "invalid_response"
	// CodeResponseTooLarge marks a response body cut at the configured bound.
	CodeResponseTooLarge = "response_too_large"
	// CodeUnauthenticated marks a call whose credentials could not be obtained.
	CodeUnauthenticated = "unauthenticated"
)

// MaxErrorBody bounds Error.Body: enough for any real error envelope, small enough that a
// misbehaving server cannot make every error hold megabytes.
const MaxErrorBody = 64 << 10

// Error is the one error type of polybill. Every failure of a call (an HTTP status outside
// 2xx, a transport failure, a context error, a request refused before sending) is an *Error.
type Error struct {
	// API names the API that failed: "crm", "epilot", "encounters" or "clinic".
	API string
	// StatusCode is the HTTP status; 0 when no response arrived or the request was
	// refused locally.
	StatusCode int
	// Code is the API's machine-readable code, or one derived from the status or set by
	// the SDK (the Code* constants).
	Code string
	// Message is the API's human-readable message.
	Message string
	// Param names the request field at fault, when known. It is always set for requests
	// refused locally.
	Param string
	// Details holds every error detail the API sent, in order.
	Details []ErrorDetail
	// RequestID is the server's request id (X-Request-Id, Request-Id, X-Amzn-RequestId or
	// X-Correlation-Id), or the id the SDK sent when the server echoed none.
	RequestID string
	// Retryable reports whether repeating the same call is safe and may succeed.
	Retryable bool
	// Ambiguous reports that the request may have reached the server and no definitive
	// answer came back: a write may or may not have happened. Reconcile before retrying.
	Ambiguous bool
	// RetryAfter is the server's Retry-After hint, when it sent one.
	RetryAfter time.Duration
	// RetryBudgetExhausted reports that a retry was due but the client-wide retry budget
	// (polybill.WithRetryBudget) was spent, so the call stopped early. It matches
	// ErrRetryBudgetExhausted.
	RetryBudgetExhausted bool
	// Body is the raw response body, cut at MaxErrorBody bytes.
	Body []byte
	// Err is the underlying cause (transport or context error); Unwrap returns it.
	Err error
}

// ErrorDetail is one entry of an API's error detail list.
type ErrorDetail struct {
	Code    string
	Title   string
	Message string
	// Field is the request field the detail refers to (a JSON pointer or a name).
	Field string
	// Raw is the detail exactly as the API sent it.
	Raw json.RawMessage
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.API != "" {
		b.WriteString(e.API)
		b.WriteString(": ")
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d ", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(e.Code)
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " (%s)", e.Param)
	}
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg == "" && e.StatusCode != 0 {
		msg = http.StatusText(e.StatusCode)
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if e.RequestID != "" {
		b.WriteString(" [request id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Format makes %v and %+v print the same safe text as Error(), so a struct dump never
// spills the raw body (which may hold personal data) into logs.
func (e *Error) Format(s fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(s, "%q", e.Error())
	default:
		_, _ = s.Write([]byte(e.Error()))
	}
}

// LogValue makes slog print the same safe text as Error().
func (e *Error) LogValue() slog.Value { return slog.StringValue(e.Error()) }

// Unwrap returns the underlying cause, so errors.Is(err, context.Canceled) works.
func (e *Error) Unwrap() error { return e.Err }

// Is maps the error onto the polybill error classes.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || (e.StatusCode == 0 && e.Code == CodeUnauthenticated)
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrValidation:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity ||
			(e.StatusCode == 0 && e.Code == CodeInvalidParams)
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrRateLimited:
		// A 503 with Retry-After is the server asking us to come back later: the same
		// situation as a 429 for a caller deciding what to do.
		return e.StatusCode == http.StatusTooManyRequests ||
			(e.StatusCode == http.StatusServiceUnavailable && e.RetryAfter > 0)
	case ErrServer:
		return e.StatusCode >= 500
	case ErrResponseTooLarge:
		return e.Code == CodeResponseTooLarge
	case ErrRetryBudgetExhausted:
		return e.RetryBudgetExhausted
	}
	return false
}
