package polybill

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults shared by the four clients.
const (
	DefaultMaxRetries    = 2
	DefaultMinRetryDelay = 500 * time.Millisecond
	DefaultMaxRetryDelay = 8 * time.Second
	// DefaultMaxResponseBytes bounds every response body. The largest page a billing API
	// sends is epilot's 1,000 events (limit maximum 1000 in openapi/epilot.yaml) at about
	// 0.8 KB each (internal/benchdata): under 1 MB; crm and clinic cap pages at 100 records
	// of about 1 KB. 8 MiB leaves ten times that for richer records, while a hostile endless
	// body costs at most 8 MiB per call (16 concurrent ones: about 130 MiB, not the 946 MB
	// measured with 32 MiB and a growing buffer).
	DefaultMaxResponseBytes = 8 << 20
	DefaultRetryBudget      = 20
	DefaultRetryRefill      = 0.2
	// DefaultAttemptTimeout bounds one attempt, from dialing to the last byte of the body.
	// epilot sits behind AWS API Gateway, whose integration timeout is 29 s: no answer
	// comes after that, so waiting longer only holds a connection. The other three APIs
	// document no limit; a billing call that has not answered in 30 s is treated the same.
	DefaultAttemptTimeout = 30 * time.Second
	// DefaultCallTimeout bounds a whole call, retries, backoff waits and token requests
	// included, when the caller's context has no earlier deadline. 80 s is stripe-go's
	// figure (its http.Client.Timeout): two full attempts and a backoff fit, a dead server
	// cannot hold a goroutine forever.
	DefaultCallTimeout = 80 * time.Second
)

// Option configures a client. The options in this package apply to all four APIs; each
// API package adds its own (credentials, headers), which are Options too.
type Option func(*Config) error

// Middleware wraps every HTTP attempt, retries included: it sees the request after
// authentication was applied and the response before the retry decision.
type Middleware func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error)

// Config is what the options set. Callers use the With… options; API packages read it.
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
	Observers        []*Observer
	UserAgentSuffix  string
	AllowInsecure    bool
	MaxResponseBytes int64

	ext map[any]any
}

// RetryBudget bounds retries across the whole client so an API that is down is not hit
// with MaxRetries extra requests per call: each retry spends one token, each success
// refills Refill tokens, and with fewer than one token left no call retries.
type RetryBudget struct {
	Tokens float64
	Refill float64
}

// NewConfig applies opts over the defaults and checks the result. A nil option or an
// invalid value is an error here, never a panic later.
func NewConfig(opts ...Option) (*Config, error) {
	c := &Config{
		MaxRetries:       DefaultMaxRetries,
		MinRetryDelay:    DefaultMinRetryDelay,
		MaxRetryDelay:    DefaultMaxRetryDelay,
		RetryBudget:      RetryBudget{Tokens: DefaultRetryBudget, Refill: DefaultRetryRefill},
		MaxResponseBytes: DefaultMaxResponseBytes,
		AttemptTimeout:   DefaultAttemptTimeout,
		CallTimeout:      DefaultCallTimeout,
	}
	for i, opt := range opts {
		if opt == nil {
			return nil, InvalidParam("", fmt.Sprintf("option %d", i), "nil option")
		}
		if err := opt(c); err != nil {
			var pe *Error
			if errors.As(err, &pe) {
				return nil, pe
			}
			// An Option written outside polybill: still a configuration error.
			e := InvalidParam("", fmt.Sprintf("option %d", i), "%v", err)
			e.Err = err
			return nil, e
		}
	}
	if c.MinRetryDelay > c.MaxRetryDelay {
		return nil, InvalidParam("", "WithMinRetryDelay", "min retry delay %s exceeds max retry delay %s", c.MinRetryDelay, c.MaxRetryDelay)
	}
	return c, nil
}

// Set stores an API-specific setting; API packages key it with an unexported type.
func (c *Config) Set(key, value any) {
	if c.ext == nil {
		c.ext = map[any]any{}
	}
	c.ext[key] = value
}

// Get returns an API-specific setting, or nil.
func (c *Config) Get(key any) any { return c.ext[key] }

// WithBaseURL points the client at another server: a sandbox, a proxy or a fake. Plain
// http:// is refused unless the host is loopback or WithInsecureHTTP is given. A query or a
// fragment is refused: every route is appended to the URL, so "?tenant=x" would end up in
// the middle of every request's path.
func WithBaseURL(rawURL string) Option {
	return func(c *Config) error {
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return InvalidParam("", "WithBaseURL", "invalid base URL %q: want an absolute http(s) URL", rawURL)
		}
		if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(rawURL, "#") {
			return InvalidParam("", "WithBaseURL", "base URL %q has a query or fragment: give the scheme, host and path prefix only", rawURL)
		}
		c.BaseURL = strings.TrimRight(rawURL, "/")
		return nil
	}
}

// WithHTTPClient supplies the HTTP client (its Transport, Jar, Timeout and CheckRedirect are
// kept; polybill wraps the Transport to add auth, retries and logging). Its Timeout applies
// per attempt, like WithAttemptTimeout (whichever is shorter ends the attempt); the whole
// call is bounded by WithCallTimeout and the context.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Config) error {
		if hc == nil {
			return InvalidParam("", "WithHTTPClient", "nil *http.Client")
		}
		c.HTTPClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a failed attempt may be retried (0 disables retries).
func WithMaxRetries(n int) Option {
	return func(c *Config) error {
		if n < 0 {
			return InvalidParam("", "WithMaxRetries", "max retries %d is negative", n)
		}
		c.MaxRetries = n
		return nil
	}
}

// WithMinRetryDelay sets the first backoff step (default 500ms).
func WithMinRetryDelay(d time.Duration) Option {
	return durationOption("WithMinRetryDelay", d, func(c *Config) *time.Duration { return &c.MinRetryDelay })
}

// WithMaxRetryDelay caps every wait between attempts, including a server's Retry-After: a
// server asking for a longer wait gets an ErrRateLimited error instead of a sleeping caller.
func WithMaxRetryDelay(d time.Duration) Option {
	return durationOption("WithMaxRetryDelay", d, func(c *Config) *time.Duration { return &c.MaxRetryDelay })
}

// WithRetryBudget sets the client-wide retry budget: at most tokens retries in a burst,
// refilled by refill tokens per successful call.
func WithRetryBudget(tokens, refill float64) Option {
	return func(c *Config) error {
		if tokens < 0 || refill < 0 {
			return InvalidParam("", "WithRetryBudget", "retry budget (%v, %v) is negative", tokens, refill)
		}
		c.RetryBudget = RetryBudget{Tokens: tokens, Refill: refill}
		return nil
	}
}

// WithAttemptTimeout bounds each attempt, from dialing to the last byte of the response
// body (default DefaultAttemptTimeout, 30 s). An attempt that times out is retried like a
// broken connection when the call is safe to retry. 0 removes the bound, leaving the
// call timeout and the context.
func WithAttemptTimeout(d time.Duration) Option {
	return durationOption("WithAttemptTimeout", d, func(c *Config) *time.Duration { return &c.AttemptTimeout })
}

// WithCallTimeout bounds each whole call: every attempt, the waits between them and any
// token request (default DefaultCallTimeout, 80 s). A context deadline that comes earlier
// wins. Without it a call with context.Background() against a server that never
// answers would never return. 0 removes the bound, leaving the context alone in charge.
func WithCallTimeout(d time.Duration) Option {
	return durationOption("WithCallTimeout", d, func(c *Config) *time.Duration { return &c.CallTimeout })
}

// durationOption sets the Config duration that field points to, refusing a negative d.
func durationOption(option string, d time.Duration, field func(*Config) *time.Duration) Option {
	return func(c *Config) error {
		if d < 0 {
			return InvalidParam("", option, "%s is negative", d)
		}
		*field(c) = d
		return nil
	}
}

// WithLogger logs each attempt (method, route template, status, attempt, duration, request
// id) at debug level and failures at warn, except a read answered 404: that is how an
// existence check (a reconciliation lookup, a Get of a record that may not exist yet) gets its
// answer, so it stays at debug. Secrets, query strings and bodies are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Config) error {
		if l == nil {
			return InvalidParam("", "WithLogger", "nil *slog.Logger")
		}
		c.Logger = l
		return nil
	}
}

// WithMiddleware appends middleware run on every attempt, first added outermost.
func WithMiddleware(m ...Middleware) Option {
	return func(c *Config) error {
		for i, mw := range m {
			if mw == nil {
				return InvalidParam("", "WithMiddleware", "middleware %d is nil", i)
			}
		}
		c.Middleware = append(c.Middleware, m...)
		return nil
	}
}

// WithUserAgentSuffix appends "suffix" to the User-Agent, e.g. "myapp/1.2".
func WithUserAgentSuffix(suffix string) Option {
	return func(c *Config) error {
		if strings.ContainsAny(suffix, "\r\n") {
			return InvalidParam("", "WithUserAgentSuffix", "user agent suffix contains a line break")
		}
		c.UserAgentSuffix = suffix
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL on a non-loopback host. Tokens then travel
// in clear text: meant for a TLS-terminating sidecar on a private network, nothing else.
func WithInsecureHTTP() Option {
	return func(c *Config) error {
		c.AllowInsecure = true
		return nil
	}
}

// WithMaxResponseBytes bounds every response body (default 8 MiB, see DefaultMaxResponseBytes); a larger one is an
// error matching ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Config) error {
		if n <= 0 {
			return InvalidParam("", "WithMaxResponseBytes", "max response bytes %d must be positive", n)
		}
		c.MaxResponseBytes = n
		return nil
	}
}

// RequestOption adjusts a single call.
type RequestOption func(*RequestConfig)

// RequestConfig is what request options set.
type RequestConfig struct {
	// IdempotencyKey is the key of a write, reused on every attempt. Only operations that
	// send it (encounters payments: the idemp body field) accept it; see WithIdempotencyKey.
	IdempotencyKey string
	Header         http.Header
	MaxRetries     *int
	ResponseInto   **http.Response
}

// NewRequestConfig applies request options.
func NewRequestConfig(opts ...RequestOption) RequestConfig {
	var rc RequestConfig
	for _, o := range opts {
		if o != nil {
			o(&rc)
		}
	}
	return rc
}

// WithIdempotencyKey sets the idempotency key of a write, sent unchanged on every retry of
// the call so the server can recognise a repeat, and reused by you on a later call to get
// the same record back instead of a second one.
//
// Exactly one operation honours it: encounters Payments.Create, which sends it as the
// payment's idemp field (HapiHub documents idemp as the payment's idempotency key; that the
// server deduplicates on it is the documented assumption of package encounters; a key reused
// with a different payment is a 409, ErrConflict). None of the vendors documents an idempotency
// header or field for any other write, so every other call given a key fails before sending
// with a polybill.ErrValidation error whose Param is "WithIdempotencyKey" and whose message
// names the API and the operation, rather than silently ignoring it. For the other writes,
// what deduplicates is the record's own key: epilot billing events' ExternalID (looked up
// after an ambiguous failure) and clinic payments' Reference.
func WithIdempotencyKey(key string) RequestOption {
	return func(rc *RequestConfig) { rc.IdempotencyKey = key }
}

// WithHeader adds a header to the call.
func WithHeader(key, value string) RequestOption {
	return func(rc *RequestConfig) {
		if rc.Header == nil {
			rc.Header = http.Header{}
		}
		rc.Header.Add(key, value)
	}
}

// WithRequestMaxRetries overrides the client's retry count for this call.
func WithRequestMaxRetries(n int) RequestOption {
	return func(rc *RequestConfig) {
		if n < 0 {
			n = 0
		}
		rc.MaxRetries = &n
	}
}

// WithResponseInto stores the final raw *http.Response of the call (its body already read
// and replaced by an in-memory copy) in *dst, for headers and status.
func WithResponseInto(dst **http.Response) RequestOption {
	return func(rc *RequestConfig) { rc.ResponseInto = dst }
}
