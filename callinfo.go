package polybill

import (
	"context"

	"github.com/polybill/polybill-go/internal/callctx"
)

// Operation names one operation of an API's OpenAPI spec (openapi/<api>.yaml).
type Operation struct {
	// ID is the spec's operationId, e.g. "getBilling".
	ID string
	// Route is the spec's path template, e.g. "/billings/{unique_id}": the path with its
	// parameters as placeholders, never the values a call filled in.
	Route string
}

// CallInfo describes the API call an HTTP request belongs to. Middleware (WithMiddleware)
// and the RoundTripper of WithHTTPClient read it with CallInfoFrom(req.Context()) on every
// attempt, retries and the replay after a token refresh included, so tracing and metrics
// can name a request by its operation instead of by a path full of ids and emails.
//
// It deliberately holds no credentials, no path values and no query: everything in it is
// safe to put in a span name, a metric label or a log line.
type CallInfo struct {
	// API is "crm", "epilot", "encounters" or "clinic".
	API string
	// Operation is the spec operation the call executes.
	Operation Operation
	// Method is the HTTP method.
	Method string
	// Attempt counts the HTTP attempts of this call from 1: 2 is the first retry (or the
	// replay after a token refresh).
	Attempt int
	// Write reports a call that changes state on the server (POST, PATCH, PUT, DELETE).
	Write bool
}

// CallInfoFrom returns the CallInfo of the polybill call whose attempt ctx belongs to, and
// false for any other context (including the requests that fetch tokens).
func CallInfoFrom(ctx context.Context) (CallInfo, bool) {
	if ctx == nil {
		return CallInfo{}, false
	}
	p, _ := ctx.Value(callctx.Key{}).(*CallInfo)
	if p == nil {
		return CallInfo{}, false
	}
	return *p, true
}
