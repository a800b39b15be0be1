package crm

import (
	"context"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
	"github.com/polybill/polybill-go/internal/transport"
)

// API is the name of this API in errors (polybill.Error.API), logs and polybill.CallInfo.
const API = "crm"

// DefaultBaseURL is the vendor's documented US endpoint.
const DefaultBaseURL = "https://crm.api.us.23blocks.com"

// Environment variables read by NewFromEnv: the names of 23blocks' own documentation.
const (
	EnvAPIURL    = "BLOCKS_API_URL"
	EnvAuthToken = "BLOCKS_AUTH_TOKEN"
	EnvAPIKey    = "BLOCKS_API_KEY"
)

// API-key header names. The vendor document sends the key as AppId; the official SDK's
// React binding (@23blocks/react 19.2.0) and a later revision of the vendor's billings skill
// document send x-api-key. Which one the server honours is not settled: the key is sent
// under both by default, so a server honouring either accepts it; WithAPIKeyHeader picks one.
const (
	APIKeyHeaderAppID   = "AppId"
	APIKeyHeaderXAPIKey = "X-API-KEY"
)

// TenantHeader carries the optional tenant id (WithTenantID), as the official SDK sends it.
const TenantHeader = "tenant-id"

// RequestIDHeader carries the id the client generates per call; it is identical on every
// retry of that call, so server logs can tie the attempts together.
const RequestIDHeader = "X-Request-ID"

// Client calls the 23blocks CRM billings API. It is safe for concurrent use.
type Client struct {
	tc *transport.Client
}

// Option configures a crm client: the options of this package and the shared ones of
// package polybill (polybill.WithBaseURL, …). Another API's option does not compile here.
type Option interface{ crmOption }

type crmOption = config.CRMOption

// settings are what this package's options set.
type settings struct {
	apiKey        string
	apiKeyHeaders []string
	token         string
	tokenSource   oauth2.TokenSource
	tenantID      string
}

// option makes an Option of f.
func option(f func(*settings) error) Option { return config.CRM[settings](f) }

// WithAPIKey sets the API key (BLOCKS_API_KEY), sent as AppId and X-API-KEY by default. An
// empty key, or one with surrounding whitespace or a control character, is refused.
func WithAPIKey(key string) Option {
	return option(func(s *settings) error {
		if err := transport.CheckCredential(API, "WithAPIKey", "API key", key); err != nil {
			return err
		}
		s.apiKey = key
		return nil
	})
}

// WithAPIKeyHeader chooses the header(s) the API key is sent in instead of both (the
// default): APIKeyHeaderAppID (as the vendor document shows), APIKeyHeaderXAPIKey
// (as the official SDK sends it), or any other name. The name is sent with exactly the given
// spelling. Whatever is chosen, AppId and X-API-KEY are never forwarded on a redirect to
// another host.
func WithAPIKeyHeader(names ...string) Option {
	return option(func(s *settings) error {
		if len(names) == 0 {
			return transport.InvalidParam(API, "WithAPIKeyHeader", "no header name")
		}
		for _, n := range names {
			if !validHeaderName(n) {
				return transport.InvalidParam(API, "WithAPIKeyHeader", "invalid header name %q", n)
			}
		}
		s.apiKeyHeaders = append([]string(nil), names...)
		return nil
	})
}

// WithToken sets a static bearer token (BLOCKS_AUTH_TOKEN). An empty token, or one with
// surrounding whitespace or a control character, is refused.
func WithToken(token string) Option {
	return option(func(s *settings) error {
		if err := transport.CheckCredential(API, "WithToken", "token", token); err != nil {
			return err
		}
		s.token, s.tokenSource = token, nil
		return nil
	})
}

// WithTokenSource obtains bearer tokens from ts, cached until shortly before they expire. A
// 401 makes the client fetch a new token once and replay the call once, as the official SDK
// does in token mode.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return option(func(s *settings) error {
		if ts == nil {
			return transport.InvalidParam(API, "WithTokenSource", "nil token source")
		}
		s.tokenSource, s.token = ts, ""
		return nil
	})
}

// WithTenantID sends the tenant-id header on every request.
func WithTenantID(id string) Option {
	return option(func(s *settings) error {
		if err := transport.CheckCredential(API, "WithTenantID", "tenant id", id); err != nil {
			return err
		}
		s.tenantID = id
		return nil
	})
}

// New returns a client. An API key and a bearer token (WithToken or WithTokenSource) are
// required; the base URL defaults to DefaultBaseURL. A missing or malformed setting is a
// *polybill.Error matching polybill.ErrValidation whose Param names the option.
func New(opts ...Option) (*Client, error) {
	var s settings
	cfg, err := transport.NewConfig(API, &s, opts)
	if err != nil {
		return nil, err
	}
	if s.apiKey == "" {
		return nil, transport.Missing(cfg, API, "WithAPIKey", "no API key: use crm.WithAPIKey or set %s", EnvAPIKey)
	}
	if s.token == "" && s.tokenSource == nil {
		return nil, transport.Missing(cfg, API, "WithToken", "no bearer token: use crm.WithToken, crm.WithTokenSource or set %s", EnvAuthToken)
	}
	headerNames := s.apiKeyHeaders
	if len(headerNames) == 0 {
		headerNames = []string{APIKeyHeaderAppID, APIKeyHeaderXAPIKey}
	}
	static := http.Header{}
	for _, n := range headerNames {
		static[n] = []string{s.apiKey} // exact spelling: AppId, not the canonical Appid
	}
	if s.tenantID != "" {
		static.Set(TenantHeader, s.tenantID)
	}
	var auth transport.Authenticator
	secrets := []string{s.apiKey}
	if s.tokenSource != nil {
		ts := s.tokenSource
		auth = &tokenAuth{
			static: static,
			token: transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
				return ts.Token()
			}),
		}
	} else {
		static.Set("Authorization", "Bearer "+s.token)
		auth = transport.StaticHeaders(static)
		secrets = append(secrets, s.token)
	}
	tc, err := transport.New(transport.Settings{
		API:             API,
		Config:          cfg,
		DefaultBaseURL:  DefaultBaseURL,
		Auth:            auth,
		DecodeError:     decodeError,
		Secrets:         secrets,
		RequestIDHeader: RequestIDHeader,
	})
	if err != nil {
		return nil, err
	}
	return &Client{tc: tc}, nil
}

// NewFromEnv is New configured from BLOCKS_API_URL, BLOCKS_AUTH_TOKEN and BLOCKS_API_KEY,
// each trimmed of surrounding whitespace (a secret mounted from a file keeps its trailing
// newline). Options given here override the environment. A missing or malformed variable
// is a polybill.ErrValidation error whose Param names the variable.
func NewFromEnv(opts ...Option) (*Client, error) {
	env := []Option{
		transport.EnvNames("WithBaseURL", EnvAPIURL, "WithToken", EnvAuthToken, "WithAPIKey", EnvAPIKey),
		transport.Env(EnvAPIURL, polybill.WithBaseURL),
		transport.Env(EnvAuthToken, WithToken),
		transport.Env(EnvAPIKey, WithAPIKey),
	}
	return New(append(env, opts...)...)
}

// tokenAuth applies the static headers and a refreshable bearer token on every attempt.
type tokenAuth struct {
	static http.Header
	token  *transport.TokenAuth
}

func (a *tokenAuth) Apply(req *http.Request) error {
	for k, v := range a.static {
		req.Header[k] = v
	}
	return a.token.Apply(req)
}

func (a *tokenAuth) Refresh(ctx context.Context, rejected *http.Request) error {
	return a.token.Refresh(ctx, rejected)
}

// Secrets lets the transport scrub every token handed out from errors and logs.
func (a *tokenAuth) Secrets() []string { return a.token.Secrets() }

func validHeaderName(n string) bool {
	if n == "" {
		return false
	}
	for _, r := range n {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}
