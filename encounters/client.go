package encounters

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
	"github.com/polybill/polybill-go/internal/transport"
)

// API is the name of this API in errors (polybill.Error.API), logs and polybill.CallInfo.
const API = "encounters"

// Environment variables read by NewFromEnv (the names HapiHub's own tooling uses).
const (
	EnvAPIURL   = "HAPIHUB_API_URL"
	EnvToken    = "HAPIHUB_TOKEN"
	EnvEmail    = "HAPIHUB_EMAIL"
	EnvPassword = "HAPIHUB_PASSWORD"
)

// Option configures an encounters client: the options of this package and the shared
// ones of package polybill (polybill.WithBaseURL, …). Another API's option does not
// compile here.
type Option interface{ encountersOption }

type encountersOption = config.EncountersOption

// settings are what this package's options set.
type settings struct {
	token       string
	creds       *credentials
	environment string
}

// option makes an Option of f.
func option(f func(*settings) error) Option { return config.Encounters[settings](f) }

type credentials struct{ email, password string }

// WithToken authenticates every call with a static bearer token: an API key
// from the HapiHub developer portal or a JWT obtained elsewhere (HAPIHUB_TOKEN). An
// empty token, or one with surrounding whitespace or a control character, is refused.
func WithToken(token string) Option {
	return option(func(s *settings) error {
		if err := transport.CheckCredential(API, "WithToken", "token", token); err != nil {
			return err
		}
		s.token = token
		return nil
	})
}

// WithCredentials signs in with HapiHub's local strategy
// (POST /authentication {strategy: local, email, password}) on first use and
// refreshes the JWT before its exp claim passes with
// {action: refreshAccessToken, refreshToken}. HapiHub rotates the refresh
// token on every refresh; the newest one is kept. Concurrent callers share one
// sign-in or refresh. Both are required; an email with surrounding whitespace, or either
// with a control character (a newline read from a file), is refused.
func WithCredentials(email, password string) Option {
	return option(func(s *settings) error {
		if err := transport.CheckCredential(API, "WithCredentials", "email", email); err != nil {
			return err
		}
		if err := checkPassword("WithCredentials", password); err != nil {
			return err
		}
		s.creds = &credentials{email, password}
		return nil
	})
}

// WithEnvironment sends HapiHub's optional "Environment" header (sdk-js sends
// it when initialised with an environment). Its meaning is undocumented.
func WithEnvironment(name string) Option {
	return option(func(s *settings) error {
		if err := transport.CheckCredential(API, "WithEnvironment", "environment name", name); err != nil {
			return err
		}
		s.environment = name
		return nil
	})
}

// Client talks to HapiHub's billing services. It is safe for concurrent use.
type Client struct {
	tc      *transport.Client
	session *session
	header  http.Header

	Invoices       *InvoiceService
	Items          *ItemService
	Payments       *PaymentService
	Encounters     *EncounterService
	Customers      *CustomerService
	PaymentIntents *PaymentIntentService
	Analytics      *AnalyticsService
}

// New builds a client. There is no public default base URL (HapiHub runs per
// deployment), so polybill.WithBaseURL is required, and so is one way to
// authenticate: WithToken or WithCredentials. A missing or malformed setting is
// a *polybill.Error matching polybill.ErrValidation whose Param names the option.
func New(opts ...Option) (*Client, error) {
	var s settings
	cfg, err := transport.NewConfig(API, &s, opts)
	if err != nil {
		return nil, err
	}
	token, hasCreds := s.token, s.creds != nil
	if token != "" && hasCreds {
		return nil, transport.InvalidParam(API, "WithCredentials", "use WithToken or WithCredentials, not both")
	}
	if token == "" && !hasCreds {
		return nil, transport.Missing(cfg, API, "WithToken", "no credentials: use encounters.WithToken or encounters.WithCredentials, or set %s, or %s and %s", EnvToken, EnvEmail, EnvPassword)
	}
	c := &Client{header: http.Header{}}
	if s.environment != "" {
		c.header.Set("Environment", s.environment)
	}
	settings := transport.Settings{API: API, Config: cfg, DecodeError: decodeError}
	switch {
	case token != "":
		settings.Auth = transport.StaticHeaders(http.Header{"Authorization": {"Bearer " + token}})
	case hasCreds:
		c.session = &session{creds: *s.creds, header: c.header}
		c.session.auth = transport.NewTokenAuth(c.session.fetch)
		if cfg.Clock != nil {
			c.session.auth.SetClock(cfg.Clock)
		}
		settings.Auth = c.session.auth
		settings.Secrets = []string{s.creds.password}
	}
	if c.tc, err = transport.New(settings); err != nil {
		return nil, err
	}
	if c.session != nil {
		c.session.tc = c.tc
	}
	c.Invoices = &InvoiceService{c}
	c.Items = &ItemService{c}
	c.Payments = &PaymentService{c}
	c.Encounters = &EncounterService{c}
	c.Customers = &CustomerService{c}
	c.PaymentIntents = &PaymentIntentService{c}
	c.Analytics = &AnalyticsService{c}
	return c, nil
}

// NewFromEnv builds a client from HAPIHUB_API_URL (required) and either
// HAPIHUB_TOKEN or HAPIHUB_EMAIL + HAPIHUB_PASSWORD, each trimmed of
// surrounding whitespace (a secret mounted from a file keeps its trailing
// newline; a password that really has surrounding spaces must be given with
// WithCredentials). Options given here override the environment. A missing or
// malformed variable is a polybill.ErrValidation error whose Param names it.
func NewFromEnv(opts ...Option) (*Client, error) {
	env := []Option{
		transport.EnvNames("WithBaseURL", EnvAPIURL, "WithToken", EnvToken),
		transport.Env(EnvAPIURL, polybill.WithBaseURL),
	}
	var explicit settings
	if _, err := transport.NewConfig(API, &explicit, opts); err != nil {
		return nil, err
	}
	if explicit.token == "" && explicit.creds == nil {
		email, password := transport.Getenv(EnvEmail), transport.Getenv(EnvPassword)
		switch {
		case transport.Getenv(EnvToken) != "":
			env = append(env, transport.Env(EnvToken, WithToken))
		case email != "" && password != "":
			if err := transport.CheckCredential(API, EnvEmail, "email", email); err != nil {
				return nil, err
			}
			if err := checkPassword(EnvPassword, password); err != nil {
				return nil, err
			}
			env = append(env, WithCredentials(email, password))
		case email != "" || password != "":
			missing := EnvPassword
			if email == "" {
				missing = EnvEmail
			}
			return nil, transport.InvalidParam(API, missing, "%s and %s go together; %s is not set", EnvEmail, EnvPassword, missing)
		}
	}
	return New(append(env, opts...)...)
}

// checkPassword refuses a password no sign-in can succeed with. Unlike a token, a password
// may have surrounding spaces; a control character (a newline from a file) it may not.
func checkPassword(param, password string) error {
	if password == "" {
		return transport.InvalidParam(API, param, "empty password")
	}
	if strings.ContainsFunc(password, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return transport.InvalidParam(API, param, "password contains a control character (a newline read from a file?)")
	}
	return nil
}

// Authenticate obtains credentials now (the authenticate operation,
// POST /authentication) instead of on the first call, so wrong credentials
// fail at start-up rather than on the first invoice or payment.
//
// With WithCredentials it signs in with {strategy: local, email, password}
// unless a JWT that is not about to expire is already cached (then it sends
// nothing); the token it obtains is the one later calls use, and a stale one is
// refreshed as on any call. The sign-in is retried like any call on connection
// errors and 5xx. A wrong email or password is polybill.ErrUnauthorized;
// neither the password nor a token appears in the error.
//
// With WithToken there is nothing to obtain: Authenticate sends no request and
// returns nil, and a bad static token is only reported by the first call.
func (c *Client) Authenticate(ctx context.Context) error {
	return c.tc.Authenticate(ctx)
}

// do runs one call with the client's fixed headers.
func (c *Client) do(ctx context.Context, call transport.Call, out any, opts []polybill.RequestOption) error {
	if len(c.header) > 0 {
		call.Header = c.header
	}
	return c.tc.Do(ctx, call, out, opts...)
}

// session is the login flow behind WithCredentials.
type session struct {
	creds  credentials
	header http.Header
	tc     *transport.Client
	auth   *transport.TokenAuth

	mu           sync.Mutex
	refreshToken string
}

type authRequest struct {
	Strategy     string `json:"strategy,omitempty"`
	Email        string `json:"email,omitempty"`
	Password     string `json:"password,omitempty"`
	Action       string `json:"action,omitempty"`
	RefreshToken string `json:"refreshToken,omitempty"`
}

type authResult struct {
	UID          string `json:"uid"`
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresAt    *int64 `json:"expiresAt"`
}

// fetch is called by TokenAuth, which already serialises concurrent callers.
func (s *session) fetch(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	rt := s.refreshToken
	s.mu.Unlock()
	if rt != "" {
		// A refresh consumes the refresh token (it rotates), so a refresh whose answer
		// was lost must not be replayed: UnsafeWrite. Whatever went wrong (the token was
		// rejected, or the answer was lost and the token may be spent), sign in again.
		res, err := s.post(ctx, authRequest{Action: "refreshAccessToken", RefreshToken: rt}, transport.UnsafeWrite)
		if err == nil {
			return s.accept(res)
		}
		if ctx.Err() != nil {
			return nil, err
		}
	}
	// Signing in twice only opens a second session, so a lost answer may be retried.
	res, err := s.post(ctx, authRequest{Strategy: "local", Email: s.creds.email, Password: s.creds.password}, transport.DedupedWrite)
	if err != nil {
		return nil, err
	}
	return s.accept(res)
}

func (s *session) post(ctx context.Context, req authRequest, safety transport.Safety) (*authResult, error) {
	body, err := encodeBody(req)
	if err != nil {
		return nil, err
	}
	var res authResult
	call := transport.Call{Method: http.MethodPost, Op: transport.Op("authenticate", "/authentication"), Body: body, Safety: safety, SkipAuth: true, Header: s.header}
	// No retries here: TokenAuth retries a failed fetch as a whole under the client's
	// policy, once for every caller waiting on it.
	if err := s.tc.Do(ctx, call, &res, polybill.WithRequestMaxRetries(0)); err != nil {
		return nil, err
	}
	if res.AccessToken == "" {
		return nil, &polybill.Error{API: API, Code: polybill.CodeInvalidResponse, Message: "authentication response has no accessToken"}
	}
	return &res, nil
}

func (s *session) accept(res *authResult) (*oauth2.Token, error) {
	if res.RefreshToken != "" {
		s.mu.Lock()
		s.refreshToken = res.RefreshToken
		s.mu.Unlock()
	}
	tok := &oauth2.Token{AccessToken: res.AccessToken, TokenType: "Bearer"}
	// HapiHub's SDKs decide expiry from the JWT's exp claim themselves rather than
	// waiting for a 401; expiresAt is the fallback for opaque tokens.
	if exp, ok := jwtExpiry(res.AccessToken); ok {
		tok.Expiry = exp
	} else if res.ExpiresAt != nil {
		tok.Expiry = time.UnixMilli(*res.ExpiresAt)
	}
	return tok, nil
}

// jwtExpiry reads the exp claim of a JWT without verifying it (the server
// verifies; the client only needs to know when to refresh).
func jwtExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return time.Time{}, false
	}
	secs, err := claims.Exp.Float64()
	if err != nil || secs <= 0 || secs > 1e12 {
		return time.Time{}, false
	}
	return time.Unix(int64(secs), 0), true
}
