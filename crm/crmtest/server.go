// Package crmtest is an in-process fake of the 23blocks CRM billings API for tests: yours and
// ours. It serves the API on a loopback port from the same OpenAPI spec the client is built
// from (openapi/crm.yaml), validates every request against it, checks the bearer token and
// the API key, keeps billings in memory, computes the reports from that state, answers errors
// in the vendor's JSON:API shape and injects faults on demand.
//
//	srv := crmtest.New()
//	defer srv.Close()
//	client, err := crm.New(srv.ClientOptions()...)
//
// Reports follow the vendor document: outstanding amounts are the pending and overdue
// billings; the aging buckets count days past the due date (the creation date when a billing
// has none) on the fake's clock, which tests can stop and move (WithClock, NewManualClock);
// the revenue report filters on the creation day, both bounds inclusive.
//
// Faults() queues failures (a status with Retry-After, a connection reset before or after
// the handler committed a write, latency, truncated or malformed bodies) to exercise retry
// and error handling:
//
//	srv.Faults().Add(crmtest.Fault{Status: 503, RetryAfter: "0"})
package crmtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/internal/oapiserver"
	"github.com/polybill/polybill-go/internal/fake"
)

// Fault injection and clocks, re-exported so tests can name them without importing
// internal packages.
type (
	// Faults is the queue of faults applied to incoming requests.
	Faults = fake.Faults
	// Clock tells the fake what time it is.
	Clock = fake.Clock
	// ManualClock is a Clock that moves only when told to.
	ManualClock = fake.ManualClock
)

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return fake.NewManualClock(t) }

// Credentials the fake accepts unless told otherwise.
const (
	DefaultToken  = "crmtest-token"
	DefaultAPIKey = "crmtest-api-key"
)

// Option configures the fake.
type Option func(*Server)

// WithToken sets the bearer token the fake accepts.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithAPIKey sets the API key the fake accepts.
func WithAPIKey(key string) Option { return func(s *Server) { s.apiKey = key } }

// WithAPIKeyHeaders sets the header names the fake reads the API key from (default both
// "AppId" and "X-API-KEY", since which one the real server honours is not known).
func WithAPIKeyHeaders(names ...string) Option {
	return func(s *Server) { s.keyHeaders = append([]string(nil), names...) }
}

// WithPageIgnored makes the fake behave like a server that ignores the `page` parameter: every
// listing answers the first page (current_page 1) with the totals of the whole list, so
// clients can be tested against the duplicate-then-stop trap such a server sets.
func WithPageIgnored() Option { return func(s *Server) { s.pageIgnored = true } }

// WithClock sets the clock used for creation times, paid_at and the aging report.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	srv         *fake.Server
	token       string
	apiKey      string
	keyHeaders  []string
	clock       Clock
	pageIgnored bool
	store       *store

	mu       sync.Mutex
	received []Request
}

// Request is what the fake saw of one request that passed fault injection.
type Request struct {
	Method string
	// EscapedPath is the path exactly as sent, percent-encoding included.
	EscapedPath string
	// Query is the raw query string.
	Query  string
	Header http.Header
	// Body is the request body as sent (bounded at 1 MiB).
	Body []byte
}

// spec is parsed once: every fake and every response validator shares it read-only.
var spec = sync.OnceValues(func() (*openapi3.T, error) { return oapiserver.GetSpec() })

// New starts a fake on 127.0.0.1. It panics only if the embedded spec is broken, which the
// package's own tests rule out.
func New(opts ...Option) *Server {
	s := &Server{
		token:      DefaultToken,
		apiKey:     DefaultAPIKey,
		keyHeaders: []string{crm.APIKeyHeaderAppID, crm.APIKeyHeaderXAPIKey},
		clock:      fake.RealClock{},
	}
	for _, o := range opts {
		o(s)
	}
	s.store = newStore(s.clock)
	doc, err := spec()
	if err != nil {
		panic(fmt.Sprintf("crmtest: embedded spec: %v", err))
	}
	validate, err := fake.NewValidator(doc, writeValidationError)
	if err != nil {
		panic(fmt.Sprintf("crmtest: validator: %v", err))
	}
	strict := oapiserver.NewStrictHandlerWithOptions(&handlers{store: s.store, pageIgnored: s.pageIgnored}, nil, oapiserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, r, http.StatusBadRequest, "bad_request", "Bad Request", err.Error(), nil)
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, r, http.StatusInternalServerError, "internal_error", "Internal Server Error", err.Error(), nil)
		},
	})
	routes := oapiserver.HandlerWithOptions(strict, oapiserver.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, r, http.StatusBadRequest, "bad_request", "Bad Request", err.Error(), nil)
		},
	})
	s.srv = fake.NewServer(s.record(s.authenticate(validate(routes))))
	return s
}

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL() }

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// Faults returns the fault injector.
func (s *Server) Faults() *Faults { return s.srv.Faults() }

// Requests counts every request that reached the fake, faulted ones included.
func (s *Server) Requests() int64 { return s.srv.Requests() }

// Received returns the requests that passed fault injection, in order.
func (s *Server) Received() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.received...)
}

// ClientOptions are the options that point a crm client at this fake with its credentials.
func (s *Server) ClientOptions() []crm.Option {
	return []crm.Option{polybill.WithBaseURL(s.URL()), crm.WithToken(s.token), crm.WithAPIKey(s.apiKey)}
}

func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(r.Body, 1<<20))
			_ = r.Body.Close()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		s.mu.Lock()
		s.received = append(s.received, Request{Method: r.Method, EscapedPath: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		if id := r.Header.Get(crm.RequestIDHeader); id != "" {
			// The vendor SDK generates X-Request-ID; echoing it lets errors carry it.
			w.Header().Set(crm.RequestIDHeader, id)
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate answers 401 in the vendor's shape when the bearer token or the API key is
// missing or wrong; it runs before spec validation, as an API gateway would.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+s.token {
			writeError(w, r, http.StatusUnauthorized, "unauthorized", "Unauthorized", "Invalid or missing authentication token.", nil)
			return
		}
		keyOK := false
		for _, h := range s.keyHeaders {
			if v := r.Header.Get(h); v != "" {
				if v != s.apiKey {
					keyOK = false
					break
				}
				keyOK = true
			}
		}
		if !keyOK {
			writeError(w, r, http.StatusUnauthorized, "invalid_api_key", "Unauthorized", "Invalid or missing API key.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeValidationError turns a spec violation into the vendor's error shape: body schema
// violations are 422 with a JSON pointer to the field (as Rails validations answer), other
// violations 400 (or 404/405 for unknown routes).
func writeValidationError(w http.ResponseWriter, r *http.Request, status int, err error) {
	switch status {
	case http.StatusNotFound:
		writeError(w, r, status, "not_found", "Not Found", "no such route", nil)
		return
	case http.StatusMethodNotAllowed:
		writeError(w, r, status, "method_not_allowed", "Method Not Allowed", "method not allowed on this route", nil)
		return
	}
	var reqErr *openapi3filter.RequestError
	if errors.As(err, &reqErr) && reqErr.RequestBody != nil {
		pointer := "/data/attributes"
		var schemaErr *openapi3.SchemaError
		if errors.As(err, &schemaErr) {
			if p := schemaErr.JSONPointer(); len(p) > 0 {
				pointer += "/" + p[len(p)-1]
			}
		}
		writeError(w, r, http.StatusUnprocessableEntity, "validation_error", "Validation Failed", firstLine(err.Error()), &oapiserver.ErrorSource{Pointer: &pointer})
		return
	}
	var src *oapiserver.ErrorSource
	if errors.As(err, &reqErr) && reqErr.Parameter != nil {
		name := reqErr.Parameter.Name
		src = &oapiserver.ErrorSource{Parameter: &name}
	}
	writeError(w, r, http.StatusBadRequest, "bad_request", "Bad Request", firstLine(err.Error()), src)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
