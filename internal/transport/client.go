// Package transport is the one execute path of the four polybill clients: URL building,
// authentication per attempt, retries on go-retryablehttp with a client-wide budget,
// Retry-After handling, bounded bodies, safe redirects, typed errors and redacted logging.
package transport

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
)

// Settings describe one API client.
type Settings struct {
	// API names the API in errors and logs: "crm", "epilot", "encounters", "clinic".
	API string
	// Config holds the shared options.
	Config *config.Config
	// DefaultBaseURL is used when the options set none; empty means a base URL is required.
	DefaultBaseURL string
	// Auth adds credentials to each attempt; nil sends none.
	Auth Authenticator
	// DecodeError fills Code, Message, Param and Details from the API's error envelope.
	DecodeError func(body []byte, e *polybill.Error)
	// Secrets are scrubbed from every error and log line (in addition to the
	// authenticator's own).
	Secrets []string
	// RequestIDHeader, when set, is sent with a fresh id per call (identical on every
	// attempt) and used as Error.RequestID when the server echoes none.
	RequestIDHeader string
}

// Client executes calls for one API. It is safe for concurrent use.
type Client struct {
	api     string
	base    *url.URL
	baseURL string
	// callHTTP is what every call's http.Client (callState.hc) starts from: the caller's
	// *http.Client settings and the redirect policy, the Transport set per call.
	callHTTP http.Client
	// tokenRedirect is the CheckRedirect of a call with SkipAuth (and of the plain client).
	tokenRedirect func(*http.Request, []*http.Request) error
	// chain is the middleware stack over the base RoundTripper, built once.
	chain       func(*http.Request) (*http.Response, error)
	plain       *http.Client
	cfg         *config.Config
	observers   []*polybill.Observer
	auth        Authenticator
	refresher   Refresher
	decodeError func([]byte, *polybill.Error)
	secrets     []string
	budget      *budget
	reaper      reaper
	userAgent   string
	requestID   string
	log         *slog.Logger
}

// New builds a client from settings. It validates the base URL: http:// is refused unless
// the host is loopback or the caller opted in (DESIGN rule 8).
func New(s Settings) (*Client, error) {
	cfg := s.Config
	if cfg == nil {
		var err error
		if cfg, err = NewConfig[config.Func](s.API, nil, nil); err != nil {
			return nil, err
		}
	}
	raw := cfg.BaseURL
	if raw == "" {
		raw = s.DefaultBaseURL
	}
	if raw == "" {
		return nil, Missing(cfg, s.API, "WithBaseURL", "no base URL: set it with polybill.WithBaseURL or the API's environment variable")
	}
	base, err := SecureURL(s.API, baseURLParam(cfg), strings.TrimRight(raw, "/"), cfg.AllowInsecure)
	if err != nil {
		return nil, err
	}
	c := &Client{
		api:         s.API,
		base:        base,
		baseURL:     base.String(),
		cfg:         cfg,
		auth:        s.Auth,
		decodeError: s.DecodeError,
		budget:      newBudget(cfg.RetryBudget),
		userAgent:   userAgent(cfg.UserAgentSuffix),
		requestID:   http.CanonicalHeaderKey(s.RequestIDHeader),
		log:         cfg.Logger,
	}
	for _, o := range cfg.Observers {
		c.observers = append(c.observers, o.(*polybill.Observer))
	}
	if r, ok := s.Auth.(Refresher); ok {
		c.refresher = r
	}
	if ta, ok := s.Auth.(*TokenAuth); ok {
		ta.retry = c
	}
	secrets := append([]string(nil), s.Secrets...)
	if sk, ok := s.Auth.(staticHeaders); ok {
		secrets = append(secrets, sk.Secrets()...)
	}
	c.secrets = secrets
	c.newHTTPClients(cfg)
	return c, nil
}

// BaseURL returns the base URL calls are made against.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// PlainHTTPClient returns an *http.Client with the same connection pool, User-Agent and
// loopback rules but no credentials and no retries, which follows no redirect to another
// host or scheme: for token endpoints driven by other libraries (golang.org/x/oauth2).
func (c *Client) PlainHTTPClient() *http.Client { return c.plain }

func (c *Client) newHTTPClients(cfg *config.Config) {
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	base := hc.Transport
	if base == nil {
		base = defaultTransport
	}
	c.chain = chain(cfg.Middleware, base.RoundTrip)
	policy := redirectPolicy{allowInsecure: cfg.AllowInsecure, requestIDHeader: c.requestID, user: hc.CheckRedirect}
	tokenPolicy := policy
	tokenPolicy.tokenEndpoint = true
	c.tokenRedirect = tokenPolicy.check

	c.callHTTP = hc
	c.callHTTP.Transport = nil // per call: callState.rt
	c.callHTTP.CheckRedirect = policy.check

	plain := hc
	plain.Transport = &attemptTransport{c: c}
	plain.CheckRedirect = c.tokenRedirect
	c.plain = &plain
}

// defaultTransport keeps enough idle connections per host for heavily concurrent callers:
// net/http's default of 2 makes 64 goroutines open and close connections constantly.
var defaultTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	return t
}()

func userAgent(suffix string) string {
	ua := fmt.Sprintf("polybill-go/%s (go%s; %s/%s)", polybill.Version, strings.TrimPrefix(runtime.Version(), "go"), runtime.GOOS, runtime.GOARCH)
	if suffix != "" {
		ua += " " + suffix
	}
	return ua
}

// SecureURL parses an absolute http(s) URL that credentials will be sent to, refusing plain
// http:// unless the host is loopback (a name or address, never a prefix match:
// localhost.example.com is not loopback) or the caller opted in (DESIGN rule 8). Every URL
// that receives credentials goes through it: base URLs and token endpoints alike. A refusal
// is a polybill.ErrValidation error whose Param is option, the option that set the URL.
func SecureURL(api, option, raw string, allowInsecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, InvalidParam(api, option, "invalid URL %q: want an absolute http(s) URL", raw)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, InvalidParam(api, option, "URL %q has a query or fragment: give the scheme, host and path only", raw)
	}
	if u.Scheme == "http" && !allowInsecure && !isLoopback(u.Hostname()) {
		return nil, InvalidParam(api, option, "refusing plain http:// to non-loopback host %q (credentials would travel unencrypted; use https or polybill.WithInsecureHTTP)", u.Hostname())
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
