package epilot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"

	"golang.org/x/oauth2"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

const (
	apiName = "epilot"
	// DefaultBaseURL is the production endpoint from the vendor spec's `servers`.
	DefaultBaseURL = "https://billing.sls.epilot.io"
	// EnvAPIURL and EnvToken are the environment variables NewFromEnv reads.
	EnvAPIURL = "EPILOT_API_URL"
	EnvToken  = "EPILOT_TOKEN"
)

// Client talks to the epilot Billing API. It is safe for concurrent use.
type Client struct {
	t             *transport.Client
	entityIDStyle EntityIDStyle
}

type (
	tokenKey         struct{}
	tokenFuncKey     struct{}
	entityIDStyleKey struct{}
)

// WithToken authenticates with a static epilot 360 bearer token (JWT).
func WithToken(token string) polybill.Option {
	return func(c *polybill.Config) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("epilot: WithToken: empty token")
		}
		c.Set(tokenKey{}, token)
		return nil
	}
}

// WithTokenFunc authenticates with a token obtained from fn, like the JS SDK's
// authorize(() => token). fn is called when no token is cached and again after a 401, so a
// rotated token is picked up without rebuilding the client.
func WithTokenFunc(fn func(ctx context.Context) (string, error)) polybill.Option {
	return func(c *polybill.Config) error {
		if fn == nil {
			return errors.New("epilot: WithTokenFunc: nil function")
		}
		c.Set(tokenFuncKey{}, fn)
		return nil
	}
}

// EntityIDStyle is how the entity_id filter of ListBillingEvents is put on the query string.
type EntityIDStyle int

const (
	// EntityIDRepeated sends entity_id=a&entity_id=b, what the OpenAPI spec declares
	// (form, explode). The default.
	EntityIDRepeated EntityIDStyle = iota
	// EntityIDBrackets sends entity_id[]=a&entity_id[]=b, what the official JS SDK
	// (openapi-client-axios + axios) actually sends. Use it if the server ignores the
	// repeated form; which forms the server accepts is not documented.
	EntityIDBrackets
)

// WithEntityIDStyle chooses the entity_id query encoding (see EntityIDStyle).
func WithEntityIDStyle(s EntityIDStyle) polybill.Option {
	return func(c *polybill.Config) error {
		if s != EntityIDRepeated && s != EntityIDBrackets {
			return errors.New("epilot: WithEntityIDStyle: unknown style")
		}
		c.Set(entityIDStyleKey{}, s)
		return nil
	}
}

// New returns a client. Without polybill.WithBaseURL it talks to DefaultBaseURL.
func New(opts ...polybill.Option) (*Client, error) {
	cfg, err := polybill.NewConfig(opts...)
	if err != nil {
		return nil, err
	}
	var auth transport.Authenticator
	switch {
	case cfg.Get(tokenFuncKey{}) != nil:
		fn := cfg.Get(tokenFuncKey{}).(func(context.Context) (string, error))
		auth = transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) {
			tok, err := fn(ctx)
			if err != nil {
				return nil, err
			}
			if tok == "" {
				return nil, errors.New("epilot: token function returned an empty token")
			}
			return &oauth2.Token{AccessToken: tok, TokenType: "Bearer"}, nil
		})
	case cfg.Get(tokenKey{}) != nil:
		auth = transport.StaticHeaders(http.Header{"Authorization": {"Bearer " + cfg.Get(tokenKey{}).(string)}})
	}
	t, err := transport.New(transport.Settings{
		API:            apiName,
		Config:         cfg,
		DefaultBaseURL: DefaultBaseURL,
		Auth:           auth,
		DecodeError:    decodeError,
	})
	if err != nil {
		return nil, err
	}
	c := &Client{t: t}
	if s, ok := cfg.Get(entityIDStyleKey{}).(EntityIDStyle); ok {
		c.entityIDStyle = s
	}
	return c, nil
}

// NewFromEnv is New configured from EPILOT_API_URL (default DefaultBaseURL) and EPILOT_TOKEN.
// Options given here override the environment.
func NewFromEnv(opts ...polybill.Option) (*Client, error) {
	var env []polybill.Option
	if u := os.Getenv(EnvAPIURL); u != "" {
		env = append(env, polybill.WithBaseURL(u))
	}
	if tok := os.Getenv(EnvToken); tok != "" {
		env = append(env, WithToken(tok))
	}
	return New(append(env, opts...)...)
}

// errorEnvelope is the API's error body {error, message}: error is the HTTP reason phrase
// ("Not Found"), message is prose. AWS API Gateway, in front of the service, answers auth
// failures with {"message": "Unauthorized"} alone, so both fields are optional here.
type errorEnvelope struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// decodeError fills the message and one detail from {error, message}. The API has no
// machine code beyond the status, so Code is left to the status-derived default. Bodies
// that are not that JSON (an HTML 502 from a gateway) leave the error as the transport made it.
func decodeError(body []byte, e *polybill.Error) {
	var env errorEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return
	}
	if env.Error == "" && env.Message == "" {
		return
	}
	e.Message = env.Message
	if e.Message == "" {
		e.Message = env.Error
	}
	e.Details = append(e.Details, polybill.ErrorDetail{Title: env.Error, Message: env.Message, Raw: append(json.RawMessage(nil), body...)})
}
