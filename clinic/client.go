package clinic

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
	"github.com/polybill/polybill-go/internal/transport"
)

// API is the name of this API in errors (polybill.Error.API), logs and polybill.CallInfo.
const API = "clinic"

// Environment variables read by [NewFromEnv].
const (
	EnvAPIURL       = "BIOECKO_API_URL"
	EnvClientID     = "BIOECKO_CLIENT_ID"
	EnvClientSecret = "BIOECKO_CLIENT_SECRET"
)

// TokenPath is the OAuth 2.0 token endpoint below the tenant's base URL.
const TokenPath = "/api/v1/auth/token"

// Scopes the billing operations need. A client created under Admin > Settings > API Access
// carries the scopes chosen there; a token without billing:write answers 403 on RecordPayment.
const (
	ScopeBillingRead  = "billing:read"
	ScopeBillingWrite = "billing:write"
)

// Client talks to the Bio Ecko billing API. It is safe for concurrent use.
type Client struct {
	tc   *transport.Client
	auth *transport.TokenAuth
}

// Option configures a clinic client: the options of this package and the shared ones of
// package polybill (polybill.WithBaseURL, …). Another API's option does not compile here.
type Option interface{ clinicOption }

type clinicOption = config.ClinicOption

// settings are what this package's options set.
type settings struct {
	creds    *credentials
	scopes   []string
	tokenURL string
}

// option makes an Option of f.
func option(f func(*settings) error) Option { return config.Clinic[settings](f) }

// credentials is the client ID and secret; fromEnv marks a pair NewFromEnv read, which New
// checks under the variables' names.
type credentials struct {
	id, secret string
	fromEnv    bool
}

// WithClientCredentials sets the OAuth 2.0 client ID and secret (Admin > Settings > API
// Access). Both are required; either with surrounding whitespace or a control character is
// refused.
func WithClientCredentials(clientID, clientSecret string) Option {
	return option(func(s *settings) error {
		if err := transport.CheckCredential(API, "WithClientCredentials", "client ID", clientID); err != nil {
			return err
		}
		if err := transport.CheckCredential(API, "WithClientCredentials", "client secret", clientSecret); err != nil {
			return err
		}
		s.creds = &credentials{id: clientID, secret: clientSecret}
		return nil
	})
}

// WithScopes requests these scopes in the token request instead of every scope assigned to the
// client. ASSUMPTION: the vendor describes scopes only as assigned per client; sending scope is
// the RFC 6749 way to narrow them.
func WithScopes(scopes ...string) Option {
	return option(func(s *settings) error {
		for _, sc := range scopes {
			if sc == "" || strings.ContainsAny(sc, " \t\n") {
				return transport.InvalidParam(API, "WithScopes", "invalid scope %q", sc)
			}
		}
		s.scopes = append([]string(nil), scopes...)
		return nil
	})
}

// WithTokenURL overrides the token endpoint (default: base URL + [TokenPath]), for tenants whose
// identity server lives elsewhere. It must be https unless the host is loopback.
func WithTokenURL(u string) Option {
	return option(func(s *settings) error {
		if u == "" {
			return transport.InvalidParam(API, "WithTokenURL", "empty token URL")
		}
		s.tokenURL = u
		return nil
	})
}

// New returns a client. It needs a base URL (polybill.WithBaseURL: Bio Ecko hosts are per tenant)
// and [WithClientCredentials]. No request is made until the first call. A missing or
// malformed setting is a *polybill.Error matching polybill.ErrValidation whose Param names
// the option.
func New(opts ...Option) (*Client, error) {
	var s settings
	cfg, err := transport.NewConfig(API, &s, opts)
	if err != nil {
		return nil, err
	}
	if s.creds == nil {
		return nil, transport.Missing(cfg, API, "WithClientCredentials", "no client credentials: use clinic.WithClientCredentials or set %s and %s", EnvClientID, EnvClientSecret)
	}
	creds := *s.creds
	if creds.fromEnv {
		if err := transport.CheckCredential(API, EnvClientID, "client ID", creds.id); err != nil {
			return nil, err
		}
		if err := transport.CheckCredential(API, EnvClientSecret, "client secret", creds.secret); err != nil {
			return nil, err
		}
	}
	c := &Client{}
	c.auth = transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) {
		return c.fetchToken(ctx, s, creds)
	})
	tc, err := transport.New(transport.Settings{
		API:    API,
		Config: cfg,
		Auth:   c.auth,
		// The transport scrubs every text of the error (code, param and request id included)
		// of these secrets and of every token c.auth handed out.
		DecodeError: decodeError,
		Secrets:     []string{creds.secret},
	})
	if err != nil {
		return nil, err
	}
	c.tc = tc
	if u := s.tokenURL; u != "" {
		// The client secret travels to this URL: the same rule as the base URL.
		if _, err := transport.SecureURL(API, "WithTokenURL", u, cfg.AllowInsecure); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// NewFromEnv is New with the base URL and credentials read from BIOECKO_API_URL,
// BIOECKO_CLIENT_ID and BIOECKO_CLIENT_SECRET, each trimmed of surrounding whitespace (a
// secret mounted from a file keeps its trailing newline). Options given here override the
// environment. A missing or malformed variable is a polybill.ErrValidation error whose
// Param names the variable.
func NewFromEnv(opts ...Option) (*Client, error) {
	env := []Option{
		transport.EnvNames("WithBaseURL", EnvAPIURL, "WithClientCredentials", EnvClientID),
		transport.Env(EnvAPIURL, polybill.WithBaseURL),
	}
	id, secret := transport.Getenv(EnvClientID), transport.Getenv(EnvClientSecret)
	if id != "" || secret != "" {
		// Half a pair in the environment is reported only if no option supplies a complete
		// pair: the check runs in New, after the options.
		env = append(env, option(func(s *settings) error {
			s.creds = &credentials{id: id, secret: secret, fromEnv: true}
			return nil
		}))
	}
	return New(append(env, opts...)...)
}

// fetchToken asks the token endpoint for a new token. clientcredentials.Config.Token does not
// cache, which is what TokenAuth wants: it caches and decides when to renew.
func (c *Client) fetchToken(ctx context.Context, s settings, creds credentials) (*oauth2.Token, error) {
	tokenURL := s.tokenURL
	if tokenURL == "" {
		tokenURL = c.tc.BaseURL().String() + TokenPath
	}
	cc := clientcredentials.Config{
		ClientID:     creds.id,
		ClientSecret: creds.secret,
		TokenURL:     tokenURL,
		Scopes:       s.scopes,
		// Bio Ecko takes the credentials in the form body, not HTTP Basic
		// (docs.bioecko.com/api/authentication); AuthStyleInParams skips oauth2's probing.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	// The token request goes through the core's plain client (same pool, redirect and loopback
	// rules, no credentials, no retries). Its context must not carry the API call's values: the
	// transport keeps per-call state in the context and would count the token request as an
	// attempt of the call that needed the token.
	tctx := context.WithValue(cancelOnly{ctx}, oauth2.HTTPClient, c.tc.PlainHTTPClient())
	tok, err := cc.Token(tctx)
	if err != nil {
		return nil, tokenError(err, creds.secret)
	}
	return tok, nil
}

// cancelOnly keeps a context's deadline and cancellation but none of its values.
type cancelOnly struct{ context.Context }

func (cancelOnly) Value(any) any { return nil }

// tokenError turns the token endpoint's refusal into a *polybill.Error (so errors.Is works with
// ErrUnauthorized for a bad secret) and leaves network errors as they are, so the transport can
// tell a dial failure (nothing sent, safe to retry) from the rest.
//
// The transport passes this error through without its own scrubbing, so the client secret is
// removed here in case the endpoint echoes the form it received.
func tokenError(err error, secret string) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return err
	}
	status := re.Response.StatusCode
	e := &polybill.Error{
		API:        API,
		StatusCode: status,
		Code:       re.ErrorCode,
		Message:    re.ErrorDescription,
		Retryable:  status == http.StatusTooManyRequests || status >= 500,
	}
	if len(re.Body) > 0 {
		e.Body = append([]byte(nil), re.Body[:min(len(re.Body), polybill.MaxErrorBody)]...)
	}
	if e.Code == "" {
		e.Code = transport.CodeFromStatus(status)
	}
	if e.Message == "" {
		e.Message = "token request refused"
	}
	e.Message = "token endpoint: " + e.Message
	if secret != "" {
		e.Code = strings.ReplaceAll(e.Code, secret, "[REDACTED]")
		e.Message = strings.ReplaceAll(e.Message, secret, "[REDACTED]")
		e.Body = bytes.ReplaceAll(e.Body, []byte(secret), []byte("[REDACTED]"))
	}
	return e
}

// do runs one call and decodes the JSON it answers into out; every method is a few lines over
// it. The transport refuses a 2xx with an empty or null body, so a caller never mistakes
// "nothing came back" for an invoice with no balance.
func (c *Client) do(ctx context.Context, call transport.Call, out any, opts []polybill.RequestOption) error {
	return c.tc.Do(ctx, call, out, opts...)
}

// Authenticate obtains an access token now (the issueToken operation), unless a valid one is
// cached. Calls authenticate on their own; call this at start-up so wrong credentials fail
// there rather than on the first payment (polybill.ErrUnauthorized).
//
// A missing scope assignment fails here only if the scopes were requested with [WithScopes]:
// the token endpoint then refuses a scope the client does not have (invalid_scope,
// polybill.ErrValidation). Without WithScopes the endpoint grants whatever the client has, so a
// client lacking billing:write authenticates fine and its first RecordPayment answers 403
// (polybill.ErrForbidden). Pass WithScopes(ScopeBillingRead, ScopeBillingWrite) to have that
// checked at start-up. Unlike a call, a failed token request is not retried here.
func (c *Client) Authenticate(ctx context.Context) error {
	return c.tc.Authenticate(ctx)
}
