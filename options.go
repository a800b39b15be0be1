package polybill

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/polybill/polybill-go/internal/config"
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

// Option configures a client. The options in this package (WithBaseURL, WithMaxRetries, …)
// are accepted by all four clients; each API package has its own Option type for its
// credentials and settings (crm.WithAPIKey is a crm.Option), which the compiler refuses to
// give to another API's New. A polybill.Option is every API's Option too.
type Option struct{ sharedOption }

// sharedOption gives Option the markers of all four APIs without exporting a field.
type sharedOption = config.Func

func shared(f func(*config.Config) error) Option { return Option{config.Shared(f)} }

// WithOptions bundles shared options into one, to reuse a setup across the clients of
// several APIs:
//
//	common := polybill.WithOptions(polybill.WithLogger(l), polybill.WithMaxRetries(4))
//	crmClient, err := crm.New(common, crm.WithAPIKey(key), crm.WithToken(tok))
//	epilotClient, err := epilot.New(common, epilot.WithToken(jwt))
//
// The options run in order, where the bundle stands among the others.
func WithOptions(opts ...Option) Option { return Option{config.Join(opts)} }

// WithOptionsFunc defers building options to each client's New: f runs once per client
// built with the returned Option, and an error it returns fails that New (an ErrValidation
// error). It is for packages that extend every client and build something per client or
// may fail, such as polybillotel.Instrument.
func WithOptionsFunc(f func() (Option, error)) Option {
	if f == nil {
		return Option{}
	}
	return Option{config.Any(func(c *config.Config, api any) error {
		o, err := f()
		if err != nil {
			return err
		}
		return config.Apply(o, c, api)
	})}
}

// Middleware wraps every HTTP attempt, retries included: it sees the request after
// authentication was applied and the response before the retry decision.
type Middleware func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error)

// invalidParam is the error of a refused option; the client's New names its API.
func invalidParam(param, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidParams, Param: param, Message: fmt.Sprintf(format, args...)}
}

// WithBaseURL points the client at another server: a sandbox, a proxy or a fake. Plain
// http:// is refused unless the host is loopback or WithInsecureHTTP is given. A query or a
// fragment is refused: every route is appended to the URL, so "?tenant=x" would end up in
// the middle of every request's path.
func WithBaseURL(rawURL string) Option {
	return shared(func(c *config.Config) error {
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return invalidParam("WithBaseURL", "invalid base URL %q: want an absolute http(s) URL", rawURL)
		}
		if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(rawURL, "#") {
			return invalidParam("WithBaseURL", "base URL %q has a query or fragment: give the scheme, host and path prefix only", rawURL)
		}
		c.BaseURL = strings.TrimRight(rawURL, "/")
		return nil
	})
}

// WithHTTPClient supplies the HTTP client (its Transport, Jar, Timeout and CheckRedirect are
// kept; polybill wraps the Transport to add auth, retries and logging). Its Timeout applies
// per attempt, like WithAttemptTimeout (whichever is shorter ends the attempt); the whole
// call is bounded by WithCallTimeout and the context.
func WithHTTPClient(hc *http.Client) Option {
	return shared(func(c *config.Config) error {
		if hc == nil {
			return invalidParam("WithHTTPClient", "nil *http.Client")
		}
		c.HTTPClient = hc
		return nil
	})
}

// WithMaxRetries sets how many times a failed attempt may be retried (0 disables retries).
func WithMaxRetries(n int) Option {
	return shared(func(c *config.Config) error {
		if n < 0 {
			return invalidParam("WithMaxRetries", "max retries %d is negative", n)
		}
		c.MaxRetries = n
		return nil
	})
}

// WithMinRetryDelay sets the first backoff step (default 500ms).
func WithMinRetryDelay(d time.Duration) Option {
	return durationOption("WithMinRetryDelay", d, func(c *config.Config) *time.Duration { return &c.MinRetryDelay })
}

// WithMaxRetryDelay caps every wait between attempts, including a server's Retry-After: a
// server asking for a longer wait gets an ErrRateLimited error instead of a sleeping caller.
func WithMaxRetryDelay(d time.Duration) Option {
	return durationOption("WithMaxRetryDelay", d, func(c *config.Config) *time.Duration { return &c.MaxRetryDelay })
}

// WithRetryBudget sets the client-wide retry budget: at most tokens retries in a burst,
// refilled by refill tokens per successful call.
func WithRetryBudget(tokens, refill float64) Option {
	return shared(func(c *config.Config) error {
		if tokens < 0 || refill < 0 {
			return invalidParam("WithRetryBudget", "retry budget (%v, %v) is negative", tokens, refill)
		}
		c.RetryBudget = config.RetryBudget{Tokens: tokens, Refill: refill}
		return nil
	})
}

// WithAttemptTimeout bounds each attempt, from dialing to the last byte of the response
// body (default DefaultAttemptTimeout, 30 s). An attempt that times out is retried like a
// broken connection when the call is safe to retry. 0 removes the bound, leaving the
// call timeout and the context.
func WithAttemptTimeout(d time.Duration) Option {
	return durationOption("WithAttemptTimeout", d, func(c *config.Config) *time.Duration { return &c.AttemptTimeout })
}

// WithCallTimeout bounds each whole call: every attempt, the waits between them and any
// token request (default DefaultCallTimeout, 80 s). A context deadline that comes earlier
// wins. Without it a call with context.Background() against a server that never
// answers would never return. 0 removes the bound, leaving the context alone in charge.
func WithCallTimeout(d time.Duration) Option {
	return durationOption("WithCallTimeout", d, func(c *config.Config) *time.Duration { return &c.CallTimeout })
}

// durationOption sets the Config duration that field points to, refusing a negative d.
func durationOption(option string, d time.Duration, field func(*config.Config) *time.Duration) Option {
	return shared(func(c *config.Config) error {
		if d < 0 {
			return invalidParam(option, "%s is negative", d)
		}
		*field(c) = d
		return nil
	})
}

// WithLogger logs each attempt (method, route template, status, attempt, duration, request
// id) at debug level and failures at warn, except a read answered 404: that is how an
// existence check (a reconciliation lookup, a Get of a record that may not exist yet) gets its
// answer, so it stays at debug. Secrets, query strings and bodies are never logged.
func WithLogger(l *slog.Logger) Option {
	return shared(func(c *config.Config) error {
		if l == nil {
			return invalidParam("WithLogger", "nil *slog.Logger")
		}
		c.Logger = l
		return nil
	})
}

// WithMiddleware appends middleware run on every attempt, first added outermost.
func WithMiddleware(m ...Middleware) Option {
	return shared(func(c *config.Config) error {
		for i, mw := range m {
			if mw == nil {
				return invalidParam("WithMiddleware", "middleware %d is nil", i)
			}
		}
		for _, mw := range m {
			c.Middleware = append(c.Middleware, mw)
		}
		return nil
	})
}

// WithUserAgentSuffix appends "suffix" to the User-Agent, e.g. "myapp/1.2".
func WithUserAgentSuffix(suffix string) Option {
	return shared(func(c *config.Config) error {
		if strings.ContainsAny(suffix, "\r\n") {
			return invalidParam("WithUserAgentSuffix", "user agent suffix contains a line break")
		}
		c.UserAgentSuffix = suffix
		return nil
	})
}

// WithInsecureHTTP allows a plain http:// base URL on a non-loopback host. Tokens then travel
// in clear text: meant for a TLS-terminating sidecar on a private network, nothing else.
func WithInsecureHTTP() Option {
	return shared(func(c *config.Config) error {
		c.AllowInsecure = true
		return nil
	})
}

// WithMaxResponseBytes bounds every response body (default 8 MiB, see DefaultMaxResponseBytes); a larger one is an
// error matching ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return shared(func(c *config.Config) error {
		if n <= 0 {
			return invalidParam("WithMaxResponseBytes", "max response bytes %d must be positive", n)
		}
		c.MaxResponseBytes = n
		return nil
	})
}

// RequestOption adjusts a single call.
type RequestOption struct{ requestOption }

type requestOption = config.RequestFunc

func request(f func(*config.Request)) RequestOption {
	return RequestOption{config.NewRequestFunc(f)}
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
	return request(func(rc *config.Request) { rc.IdempotencyKey = key })
}

// WithHeader adds a header to the call.
func WithHeader(key, value string) RequestOption {
	return request(func(rc *config.Request) {
		if rc.Header == nil {
			rc.Header = http.Header{}
		}
		rc.Header.Add(key, value)
	})
}

// WithRequestMaxRetries overrides the client's retry count for this call.
func WithRequestMaxRetries(n int) RequestOption {
	return request(func(rc *config.Request) {
		if n < 0 {
			n = 0
		}
		rc.MaxRetries = &n
	})
}

// WithResponseInto stores the final raw *http.Response of the call (its body already read
// and replaced by an in-memory copy) in *dst, for headers and status.
func WithResponseInto(dst **http.Response) RequestOption {
	return request(func(rc *config.Request) { rc.ResponseInto = dst })
}
