package epilot

import (
	"context"
	"errors"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
	"github.com/polybill/polybill-go/internal/transport"
)

const (
	// API is the name of this API in errors (polybill.Error.API), logs and polybill.CallInfo.
	API = "epilot"
	// DefaultBaseURL is the production endpoint from the vendor spec's `servers`.
	DefaultBaseURL = "https://billing.sls.epilot.io"
	// EnvAPIURL and EnvToken are the environment variables NewFromEnv reads.
	EnvAPIURL = "EPILOT_API_URL"
	EnvToken  = "EPILOT_TOKEN"
)

// Client talks to the epilot Billing API. It is safe for concurrent use.
type Client struct {
	tc            *transport.Client
	entityIDStyle EntityIDStyle
}

// Option configures an epilot client: the options of this package and the shared ones of
// package polybill (polybill.WithBaseURL, …). Another API's option does not compile here.
type Option interface{ epilotOption }

type epilotOption = config.EpilotOption

// settings are what this package's options set.
type settings struct {
	token         string
	tokenSource   oauth2.TokenSource
	entityIDStyle EntityIDStyle
}

// option makes an Option of f.
func option(f func(*settings) error) Option { return config.Epilot[settings](f) }

// WithToken authenticates with a static epilot 360 bearer token (JWT; EPILOT_TOKEN). An
// empty token, or one with surrounding whitespace or a control character, is refused.
func WithToken(token string) Option {
	return option(func(s *settings) error {
		if err := transport.CheckCredential(API, "WithToken", "token", token); err != nil {
			return err
		}
		s.token, s.tokenSource = token, nil
		return nil
	})
}

// WithTokenSource authenticates with tokens obtained from ts, like the JS SDK's
// authorize(() => token). A token is cached until shortly before its Expiry (none: until
// the API refuses it); ts is asked again after a 401 and the call replayed once, so a
// rotated token is picked up without rebuilding the client. Wrap ts in
// oauth2.ReuseTokenSource only if it caches by itself: a 401 must reach a fresh token.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return option(func(s *settings) error {
		if ts == nil {
			return transport.InvalidParam(API, "WithTokenSource", "nil token source")
		}
		s.tokenSource, s.token = ts, ""
		return nil
	})
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
func WithEntityIDStyle(s EntityIDStyle) Option {
	return option(func(st *settings) error {
		if s != EntityIDRepeated && s != EntityIDBrackets {
			return transport.InvalidParam(API, "WithEntityIDStyle", "unknown style %d", s)
		}
		st.entityIDStyle = s
		return nil
	})
}

// New returns a client. A token (WithToken or WithTokenSource) is required; without
// polybill.WithBaseURL it talks to DefaultBaseURL. A missing or malformed setting is a
// *polybill.Error matching polybill.ErrValidation whose Param names the option.
func New(opts ...Option) (*Client, error) {
	var s settings
	cfg, err := transport.NewConfig(API, &s, opts)
	if err != nil {
		return nil, err
	}
	var auth transport.Authenticator
	if ts := s.tokenSource; ts != nil {
		auth = transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
			tok, err := ts.Token()
			if err != nil {
				return nil, err
			}
			if tok == nil || tok.AccessToken == "" {
				return nil, errors.New("epilot: token source returned an empty token")
			}
			return tok, nil
		})
	} else if tok := s.token; tok != "" {
		auth = transport.StaticHeaders(http.Header{"Authorization": {"Bearer " + tok}})
	} else {
		return nil, transport.Missing(cfg, API, "WithToken", "no token: use epilot.WithToken, epilot.WithTokenSource or set %s", EnvToken)
	}
	tc, err := transport.New(transport.Settings{
		API:            API,
		Config:         cfg,
		DefaultBaseURL: DefaultBaseURL,
		Auth:           auth,
		DecodeError:    decodeError,
	})
	if err != nil {
		return nil, err
	}
	return &Client{tc: tc, entityIDStyle: s.entityIDStyle}, nil
}

// NewFromEnv is New configured from EPILOT_API_URL (default DefaultBaseURL) and
// EPILOT_TOKEN, each trimmed of surrounding whitespace (a secret mounted from a file keeps
// its trailing newline). Options given here override the environment. A missing or
// malformed variable is a polybill.ErrValidation error whose Param names the variable.
func NewFromEnv(opts ...Option) (*Client, error) {
	env := []Option{
		transport.EnvNames("WithBaseURL", EnvAPIURL, "WithToken", EnvToken),
		transport.Env(EnvAPIURL, polybill.WithBaseURL),
		transport.Env(EnvToken, WithToken),
	}
	return New(append(env, opts...)...)
}
