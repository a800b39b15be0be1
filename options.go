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
	DefaultMaxRetries       = 2
	DefaultMinRetryDelay    = 500 * time.Millisecond
	DefaultMaxRetryDelay    = 8 * time.Second
	DefaultMaxResponseBytes = 32 << 20
	DefaultRetryBudget      = 20
	DefaultRetryRefill      = 0.2
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
	}
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("polybill: option %d is nil", i)
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.MinRetryDelay > c.MaxRetryDelay {
		return nil, fmt.Errorf("polybill: min retry delay %s exceeds max retry delay %s", c.MinRetryDelay, c.MaxRetryDelay)
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
// http:// is refused unless the host is loopback or WithInsecureHTTP is given.
func WithBaseURL(rawURL string) Option {
	return func(c *Config) error {
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("polybill: invalid base URL %q: want an absolute http(s) URL", rawURL)
		}
		c.BaseURL = strings.TrimRight(rawURL, "/")
		return nil
	}
}

// WithHTTPClient supplies the HTTP client (its Transport, Jar, Timeout and CheckRedirect are
// kept; polybill wraps the Transport to add auth, retries and logging).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Config) error {
		if hc == nil {
			return errors.New("polybill: WithHTTPClient(nil)")
		}
		c.HTTPClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a failed attempt may be retried (0 disables retries).
func WithMaxRetries(n int) Option {
	return func(c *Config) error {
		if n < 0 {
			return fmt.Errorf("polybill: max retries %d is negative", n)
		}
		c.MaxRetries = n
		return nil
	}
}

// WithMinRetryDelay sets the first backoff step (default 500ms).
func WithMinRetryDelay(d time.Duration) Option {
	return func(c *Config) error {
		if d < 0 {
			return fmt.Errorf("polybill: min retry delay %s is negative", d)
		}
		c.MinRetryDelay = d
		return nil
	}
}

// WithMaxRetryDelay caps every wait between attempts, including a server's Retry-After: a
// server asking for a longer wait gets an ErrRateLimited error instead of a sleeping caller.
func WithMaxRetryDelay(d time.Duration) Option {
	return func(c *Config) error {
		if d < 0 {
			return fmt.Errorf("polybill: max retry delay %s is negative", d)
		}
		c.MaxRetryDelay = d
		return nil
	}
}

// WithRetryBudget sets the client-wide retry budget: at most tokens retries in a burst,
// refilled by refill tokens per successful call.
func WithRetryBudget(tokens, refill float64) Option {
	return func(c *Config) error {
		if tokens < 0 || refill < 0 {
			return fmt.Errorf("polybill: retry budget (%v, %v) is negative", tokens, refill)
		}
		c.RetryBudget = RetryBudget{Tokens: tokens, Refill: refill}
		return nil
	}
}

// WithAttemptTimeout bounds each attempt (not the whole call; use the context for that).
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *Config) error {
		if d < 0 {
			return fmt.Errorf("polybill: attempt timeout %s is negative", d)
		}
		c.AttemptTimeout = d
		return nil
	}
}

// WithLogger logs each attempt (method, route template, status, attempt, duration, request
// id) at debug level and failures at warn. Secrets, query strings and bodies are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Config) error {
		if l == nil {
			return errors.New("polybill: WithLogger(nil)")
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
				return fmt.Errorf("polybill: middleware %d is nil", i)
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
			return errors.New("polybill: user agent suffix contains a line break")
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

// WithMaxResponseBytes bounds every response body (default 32 MiB); a larger one is an
// error matching ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Config) error {
		if n <= 0 {
			return fmt.Errorf("polybill: max response bytes %d must be positive", n)
		}
		c.MaxResponseBytes = n
		return nil
	}
}

// RequestOption adjusts a single call.
type RequestOption func(*RequestConfig)

// RequestConfig is what request options set.
type RequestConfig struct {
	// IdempotencyKey is the key of a write, reused on every attempt. APIs that dedupe by a
	// body field (encounters payments: idemp) put it there.
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

// WithIdempotencyKey sets the idempotency key of a write.
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
