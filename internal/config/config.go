// Package config holds what the options of the four clients set, and the types that let
// the compiler refuse an option given to the wrong client.
//
// It imports nothing of polybill's, so that the root package (whose shared options fill a
// Config) and internal/transport (which reads it) can both depend on it without a cycle.
//
// How an option is tied to its clients: every option carries an unexported marker method
// per client that accepts it (crm, epilot, encounters, clinic). An API package's Option
// interface embeds one marker, so epilot.New(crm.WithAPIKey("k")) does not compile. The
// shared options (polybill.Option, which embeds Func) carry all four markers. The markers
// are unexported here, so no other package can add one: an option can only be built
// through this package.
package config

import (
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Config is what the shared options set; transport.NewConfig fills in the defaults.
type Config struct {
	BaseURL          string
	HTTPClient       *http.Client
	MaxRetries       int
	MinRetryDelay    time.Duration
	MaxRetryDelay    time.Duration
	RetryBudget      RetryBudget
	AttemptTimeout   time.Duration
	CallTimeout      time.Duration
	Logger           *slog.Logger
	Middleware       []Middleware
	Observers        []any // *polybill.Observer: this package sits below the root package
	UserAgentSuffix  string
	AllowInsecure    bool
	MaxResponseBytes int64
	// Clock, when set, decides when a cached token is about to expire. Only the
	// <api>test fakes set it (their clock drives token lifetimes without waiting).
	Clock func() time.Time

	// EnvNames maps option names to the environment variables NewFromEnv reads for them,
	// so a missing setting is reported under the variable the user was expected to set.
	EnvNames map[string]string
	// EnvBaseURL is the variable that set BaseURL, with the value it set.
	EnvBaseURL EnvValue
}

// Middleware is polybill.Middleware's underlying type.
type Middleware = func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error)

// EnvValue is an environment variable's name and the value read from it.
type EnvValue struct{ Name, Value string }

// RetryBudget bounds retries across the whole client so an API that is down is not hit
// with MaxRetries extra requests per call: each retry spends one token, each success
// refills Refill tokens, and with fewer than one token left no call retries.
type RetryBudget struct {
	Tokens float64
	Refill float64
}

// Option is implemented by every option of every client. Apply runs it.
type Option interface {
	apply(c *Config, api any) error
}

// ErrNilOption is returned by Apply for a nil option (a zero polybill.Option included).
var ErrNilOption = errors.New("nil option")

// Apply runs o on the shared settings c and the API's settings api, a pointer to the
// settings struct of the package whose New runs it.
func Apply(o Option, c *Config, api any) error {
	if o == nil {
		return ErrNilOption
	}
	return o.apply(c, api)
}

// The markers. An API package's Option interface embeds one of these.
type (
	CRMOption interface {
		Option
		crm()
	}
	EpilotOption interface {
		Option
		epilot()
	}
	EncountersOption interface {
		Option
		encounters()
	}
	ClinicOption interface {
		Option
		clinic()
	}
)

// Func is an option every client accepts: the shared options (polybill.Option embeds it)
// and the wrappers NewFromEnv builds. It may act on the API's settings too (api is a
// pointer to them), which only the NewFromEnv wrappers do.
type Func struct {
	f func(c *Config, api any) error
}

// Shared makes an option of f, which sets shared settings only.
func Shared(f func(*Config) error) Func {
	return Func{func(c *Config, _ any) error { return f(c) }}
}

// Any makes an option every client accepts of f, which may also act on the API settings.
func Any(f func(c *Config, api any) error) Func { return Func{f} }

// Join bundles options into one, run in order; a nil one is an error when it runs.
func Join[O Option](opts []O) Func {
	opts = append([]O(nil), opts...)
	return Func{func(c *Config, api any) error {
		for _, o := range opts {
			var oo Option = o
			if err := Apply(oo, c, api); err != nil {
				return err
			}
		}
		return nil
	}}
}

func (o Func) apply(c *Config, api any) error {
	if o.f == nil {
		return ErrNilOption
	}
	return o.f(c, api)
}

func (Func) crm()        {}
func (Func) epilot()     {}
func (Func) encounters() {}
func (Func) clinic()     {}

// CRM, Epilot, Encounters and Clinic are the options of one API: a function on that
// package's settings struct S.
type (
	CRM[S any]        func(*S) error
	Epilot[S any]     func(*S) error
	Encounters[S any] func(*S) error
	Clinic[S any]     func(*S) error
)

func (f CRM[S]) apply(_ *Config, api any) error        { return applyAPI(f, api) }
func (f Epilot[S]) apply(_ *Config, api any) error     { return applyAPI(f, api) }
func (f Encounters[S]) apply(_ *Config, api any) error { return applyAPI(f, api) }
func (f Clinic[S]) apply(_ *Config, api any) error     { return applyAPI(f, api) }

func (CRM[S]) crm()               {}
func (Epilot[S]) epilot()         {}
func (Encounters[S]) encounters() {}
func (Clinic[S]) clinic()         {}

func applyAPI[S any, F ~func(*S) error](f F, api any) error {
	if f == nil {
		return ErrNilOption
	}
	s, ok := api.(*S)
	if !ok {
		// Unreachable through the public API: the markers keep an option in its package.
		return errors.New("option of another API")
	}
	return f(s)
}

// Request is what the request options of one call set.
type Request struct {
	// IdempotencyKey is the key of a write, reused on every attempt. Only operations that
	// send it (encounters payments: the idemp body field) accept it.
	IdempotencyKey string
	Header         http.Header
	MaxRetries     *int
	ResponseInto   **http.Response
}

// RequestFunc is the body of a request option; polybill.RequestOption embeds it.
type RequestFunc struct{ f func(*Request) }

// NewRequestFunc makes a request option of f.
func NewRequestFunc(f func(*Request)) RequestFunc { return RequestFunc{f} }

func (o RequestFunc) applyRequest(r *Request) {
	if o.f != nil {
		o.f(r)
	}
}

type requestOption interface{ applyRequest(*Request) }

// NewRequest applies request options in order (O is polybill.RequestOption).
func NewRequest[O requestOption](opts []O) Request {
	var r Request
	for _, o := range opts {
		o.applyRequest(&r)
	}
	return r
}
