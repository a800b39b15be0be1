package fake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// router builds a kin-openapi router that matches any host: a spec's servers name the
// vendor's host, while fakes listen on 127.0.0.1 (oapi-codegen research, pitfall 13). The
// spec is copied so the caller's document keeps its servers.
func router(spec *openapi3.T) (routers.Router, error) {
	doc := *spec
	doc.Servers = nil
	return gorillamux.NewRouter(&doc)
}

// ErrorWriter writes a validation failure in the API's own error shape. status is 404 for
// an unknown route, 405 for a wrong method and 400 for a request that breaks the spec.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, err error)

// NewValidator returns middleware that checks every request against spec (path, query,
// headers, body) before the fake handles it. Authentication is left to the fake itself, so
// it can answer 401/403 in the vendor's shape.
func NewValidator(spec *openapi3.T, onError ErrorWriter) (func(http.Handler) http.Handler, error) {
	rt, err := router(spec)
	if err != nil {
		return nil, fmt.Errorf("fake: building router: %w", err)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		MultiError:         true,
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			route, params, err := rt.FindRoute(r)
			if err != nil {
				status := http.StatusNotFound
				if errors.Is(err, routers.ErrMethodNotAllowed) {
					status = http.StatusMethodNotAllowed
				}
				onError(w, r, status, err)
				return
			}
			in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts}
			if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
				onError(w, r, http.StatusBadRequest, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// ResponseValidator is a RoundTripper for tests that checks every response against the spec
// and records what does not conform. Responses produced by an injected Fault are skipped.
type ResponseValidator struct {
	base   http.RoundTripper
	router routers.Router
	mu     sync.Mutex
	errs   []error
	seen   int
}

// NewResponseValidator wraps base (nil means http.DefaultTransport).
func NewResponseValidator(spec *openapi3.T, base http.RoundTripper) (*ResponseValidator, error) {
	rt, err := router(spec)
	if err != nil {
		return nil, fmt.Errorf("fake: building router: %w", err)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &ResponseValidator{base: base, router: rt}, nil
}

// RoundTrip forwards the request and validates the response it gets.
func (v *ResponseValidator) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := v.base.RoundTrip(req)
	if err != nil || resp.Header.Get(FaultHeader) != "" {
		// Injected faults answer outside the spec on purpose.
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	route, params, ferr := v.router.FindRoute(req)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seen++
	if ferr != nil {
		v.errs = append(v.errs, fmt.Errorf("%s %s: no route: %w", req.Method, req.URL.Path, ferr))
		return resp, nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if verr := openapi3filter.ValidateResponse(context.Background(), in); verr != nil {
		v.errs = append(v.errs, fmt.Errorf("%s %s -> %d: %w", req.Method, route.Path, resp.StatusCode, verr))
	}
	return resp, nil
}

// Errors returns the non-conforming responses seen so far.
func (v *ResponseValidator) Errors() []error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]error(nil), v.errs...)
}

// Validated counts the responses checked.
func (v *ResponseValidator) Validated() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.seen
}
