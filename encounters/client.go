package encounters

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

const apiName = "encounters"

// Environment variables read by NewFromEnv (the names HapiHub's own tooling uses).
const (
	EnvAPIURL   = "HAPIHUB_API_URL"
	EnvToken    = "HAPIHUB_TOKEN"
	EnvEmail    = "HAPIHUB_EMAIL"
	EnvPassword = "HAPIHUB_PASSWORD"
)

type tokenKey struct{}
type credentialsKey struct{}
type environmentKey struct{}
type clockKey struct{}

type credentials struct{ email, password string }

// WithToken authenticates every call with a static bearer token: an API key
// from the HapiHub developer portal or a JWT obtained elsewhere (HAPIHUB_TOKEN). An
// empty token, or one with surrounding whitespace or a control character, is refused.
func WithToken(token string) polybill.Option {
	return func(c *polybill.Config) error {
		if err := transport.CheckCredential(apiName, "WithToken", "token", token); err != nil {
			return err
		}
		c.Set(tokenKey{}, token)
		return nil
	}
}

// WithCredentials signs in with HapiHub's local strategy
// (POST /authentication {strategy: local, email, password}) on first use and
// refreshes the JWT before its exp claim passes with
// {action: refreshAccessToken, refreshToken}. HapiHub rotates the refresh
// token on every refresh; the newest one is kept. Concurrent callers share one
// sign-in or refresh. Both are required; an email with surrounding whitespace, or either
// with a control character (a newline read from a file), is refused.
func WithCredentials(email, password string) polybill.Option {
	return func(c *polybill.Config) error {
		if err := transport.CheckCredential(apiName, "WithCredentials", "email", email); err != nil {
			return err
		}
		if err := checkPassword("WithCredentials", password); err != nil {
			return err
		}
		c.Set(credentialsKey{}, credentials{email, password})
		return nil
	}
}

// WithEnvironment sends HapiHub's optional "Environment" header (sdk-js sends
// it when initialised with an environment). Its meaning is undocumented.
func WithEnvironment(name string) polybill.Option {
	return func(c *polybill.Config) error {
		if err := transport.CheckCredential(apiName, "WithEnvironment", "environment name", name); err != nil {
			return err
		}
		c.Set(environmentKey{}, name)
		return nil
	}
}

// WithClock replaces the clock that decides when a JWT is about to expire.
// Tests pass the fake's clock so token expiry can be driven without waiting.
func WithClock(now func() time.Time) polybill.Option {
	return func(c *polybill.Config) error {
		if now == nil {
			return polybill.InvalidParam(apiName, "WithClock", "nil clock")
		}
		c.Set(clockKey{}, now)
		return nil
	}
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
func New(opts ...polybill.Option) (*Client, error) {
	cfg, err := transport.NewConfig(apiName, opts)
	if err != nil {
		return nil, err
	}
	token, _ := cfg.Get(tokenKey{}).(string)
	creds, hasCreds := cfg.Get(credentialsKey{}).(credentials)
	if token != "" && hasCreds {
		return nil, polybill.InvalidParam(apiName, "WithCredentials", "use WithToken or WithCredentials, not both")
	}
	if token == "" && !hasCreds {
		return nil, transport.Missing(cfg, apiName, "WithToken", "no credentials: use encounters.WithToken or encounters.WithCredentials, or set %s, or %s and %s", EnvToken, EnvEmail, EnvPassword)
	}
	c := &Client{header: http.Header{}}
	if env, _ := cfg.Get(environmentKey{}).(string); env != "" {
		c.header.Set("Environment", env)
	}
	settings := transport.Settings{API: apiName, Config: cfg, DecodeError: decodeError}
	switch {
	case token != "":
		settings.Auth = transport.StaticHeaders(http.Header{"Authorization": {"Bearer " + token}})
	case hasCreds:
		c.session = &session{creds: creds, header: c.header}
		c.session.auth = transport.NewTokenAuth(c.session.fetch)
		if now, ok := cfg.Get(clockKey{}).(func() time.Time); ok {
			c.session.auth.SetClock(now)
		}
		settings.Auth = c.session.auth
		settings.Secrets = []string{creds.password}
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
func NewFromEnv(opts ...polybill.Option) (*Client, error) {
	env := []polybill.Option{
		transport.EnvNames("WithBaseURL", EnvAPIURL, "WithToken", EnvToken),
		transport.Env(EnvAPIURL, polybill.WithBaseURL),
	}
	explicit, err := transport.NewConfig(apiName, opts)
	if err != nil {
		return nil, err
	}
	_, hasToken := explicit.Get(tokenKey{}).(string)
	_, hasCreds := explicit.Get(credentialsKey{}).(credentials)
	if !hasToken && !hasCreds {
		email, password := transport.Getenv(EnvEmail), transport.Getenv(EnvPassword)
		switch {
		case transport.Getenv(EnvToken) != "":
			env = append(env, transport.Env(EnvToken, WithToken))
		case email != "" && password != "":
			if err := transport.CheckCredential(apiName, EnvEmail, "email", email); err != nil {
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
			return nil, polybill.InvalidParam(apiName, missing, "%s and %s go together; %s is not set", EnvEmail, EnvPassword, missing)
		}
	}
	return New(append(env, opts...)...)
}

// checkPassword refuses a password no sign-in can succeed with. Unlike a token, a password
// may have surrounding spaces; a control character (a newline from a file) it may not.
func checkPassword(param, password string) error {
	if password == "" {
		return polybill.InvalidParam(apiName, param, "empty password")
	}
	if strings.ContainsFunc(password, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return polybill.InvalidParam(apiName, param, "password contains a control character (a newline read from a file?)")
	}
	return nil
}

// TokenFetches reports how many times the client signed in or refreshed its
// JWT (0 with a static token). Useful to assert refresh behaviour in tests.
func (c *Client) TokenFetches() int64 {
	if c.session == nil {
		return 0
	}
	return c.session.auth.Fetches()
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
		return nil, &polybill.Error{API: apiName, Code: polybill.CodeInvalidResponse, Message: "authentication response has no accessToken"}
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

// feathersError is HapiHub's error JSON.
type feathersError struct {
	Name      string          `json:"name"`
	Message   string          `json:"message"`
	ClassName string          `json:"className"`
	Type      string          `json:"type"`
	Data      json.RawMessage `json:"data"`
	Errors    json.RawMessage `json:"errors"`
}

// decodeError maps Feathers error JSON {name,message,code,className,data,errors}
// onto *polybill.Error: Code is the Feathers name (BadRequest, NotFound…),
// every entry of errors becomes a detail (keyed errors name their field), and
// a non-empty data object is kept as a detail with Code "data". The HTTP
// status decides the errors.Is class; the name is only the fallback code.
func decodeError(body []byte, e *polybill.Error) {
	var fe feathersError
	if err := json.Unmarshal(body, &fe); err != nil {
		return
	}
	e.Code = fe.Name
	if e.Code == "" {
		e.Code = fe.ClassName
	}
	e.Message = fe.Message
	var fields []string
	switch errs := bytes.TrimSpace(fe.Errors); {
	case len(errs) > 0 && errs[0] == '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(errs, &m) == nil {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				e.Details = append(e.Details, polybill.ErrorDetail{Code: fe.Name, Field: k, Message: detailMessage(m[k]), Raw: m[k]})
				fields = append(fields, k)
			}
		}
	case len(errs) > 0 && errs[0] == '[':
		var list []json.RawMessage
		if json.Unmarshal(errs, &list) == nil {
			for _, raw := range list {
				var d struct {
					Field   string `json:"field"`
					Path    string `json:"path"`
					Message string `json:"message"`
				}
				_ = json.Unmarshal(raw, &d)
				if d.Field == "" {
					d.Field = d.Path
				}
				if d.Message == "" {
					d.Message = detailMessage(raw)
				}
				e.Details = append(e.Details, polybill.ErrorDetail{Code: fe.Name, Field: d.Field, Message: d.Message, Raw: raw})
				if d.Field != "" {
					fields = append(fields, d.Field)
				}
			}
		}
	}
	if data := bytes.TrimSpace(fe.Data); len(data) > 0 && !bytes.Equal(data, []byte("{}")) && !bytes.Equal(data, []byte("null")) {
		e.Details = append(e.Details, polybill.ErrorDetail{Code: "data", Raw: data})
	}
	if len(fields) == 1 {
		e.Param = fields[0]
	}
}

func detailMessage(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &m) == nil {
		return m.Message
	}
	return ""
}
