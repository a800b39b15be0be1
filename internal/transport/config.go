package transport

import (
	"errors"
	"fmt"
	"os"
	"strings"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
)

// The configuration checks every constructor shares: New and NewFromEnv of the four API
// packages refuse a client that could not make a single successful call, with a
// *polybill.Error matching polybill.ErrValidation whose Param names the option
// ("WithToken") or, for NewFromEnv, the environment variable ("EPILOT_TOKEN").

// NewConfig applies opts over the defaults, in order, to a new Config and to api, a
// pointer to the calling package's settings struct, and checks the result. A nil option or
// an invalid value is an error here, never a panic later; its API is api's name.
func NewConfig[O config.Option](apiName string, api any, opts []O) (*config.Config, error) {
	c := &config.Config{
		MaxRetries:       polybill.DefaultMaxRetries,
		MinRetryDelay:    polybill.DefaultMinRetryDelay,
		MaxRetryDelay:    polybill.DefaultMaxRetryDelay,
		RetryBudget:      config.RetryBudget{Tokens: polybill.DefaultRetryBudget, Refill: polybill.DefaultRetryRefill},
		MaxResponseBytes: polybill.DefaultMaxResponseBytes,
		AttemptTimeout:   polybill.DefaultAttemptTimeout,
		CallTimeout:      polybill.DefaultCallTimeout,
	}
	for i, opt := range opts {
		err := config.Apply(opt, c, api)
		if err == nil {
			continue
		}
		if errors.Is(err, config.ErrNilOption) {
			return nil, InvalidParam(apiName, fmt.Sprintf("option %d", i), "nil option")
		}
		var pe *polybill.Error
		if errors.As(err, &pe) {
			return nil, withAPI(apiName, pe)
		}
		return nil, InvalidParam(apiName, fmt.Sprintf("option %d", i), "%v", err)
	}
	if c.MinRetryDelay > c.MaxRetryDelay {
		return nil, InvalidParam(apiName, "WithMinRetryDelay", "min retry delay %s exceeds max retry delay %s", c.MinRetryDelay, c.MaxRetryDelay)
	}
	return c, nil
}

func withAPI(api string, pe *polybill.Error) error {
	if pe.API == "" {
		pe.API = api
	}
	return pe
}

// InvalidParam builds the error for a request or setting refused before sending because
// param is missing or malformed; it matches polybill.ErrValidation.
func InvalidParam(api, param, format string, args ...any) *polybill.Error {
	return &polybill.Error{API: api, Code: polybill.CodeInvalidParams, Param: param, Message: fmt.Sprintf(format, args...)}
}

// CheckCredential refuses a credential that cannot be sent as given: an empty one,
// one with surrounding whitespace (a token read from a file or a Kubernetes secret keeps its
// trailing newline), or one holding a byte that is not allowed in an HTTP header value
// (RFC 9110 §5.5: control characters other than tab, and DEL). net/http refuses such a
// header only when the request is written, so every call would fail as a connection error,
// and a write as an ambiguous one, although nothing ever left the process.
func CheckCredential(api, option, what, value string) error {
	switch {
	case value == "":
		return InvalidParam(api, option, "empty %s", what)
	case strings.TrimSpace(value) != value:
		return InvalidParam(api, option, "%s has leading or trailing whitespace (a newline from a file?); trim it", what)
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return InvalidParam(api, option, "%s contains a control character (byte %d), which no HTTP header may carry", what, i)
		}
	}
	return nil
}

// Env reads the environment variable name for NewFromEnv, trimmed of surrounding
// whitespace: a secret mounted from a file or pasted into a shell usually ends in a
// newline. An unset or blank variable gives an option that does nothing. opt builds the
// option from the value; an error it returns names the variable, not the option.
func Env[O config.Option](name string, opt func(value string) O) config.Func {
	v := Getenv(name)
	if v == "" {
		return config.Shared(func(*config.Config) error { return nil })
	}
	return FromEnv(name, opt(v))
}

// Getenv is os.Getenv trimmed of surrounding whitespace, the one way NewFromEnv reads.
func Getenv(name string) string { return strings.TrimSpace(os.Getenv(name)) }

// FromEnv wraps an option built from the variable name, so that an error it returns has
// the variable as its Param.
func FromEnv[O config.Option](name string, opt O) config.Func {
	return config.Any(func(c *config.Config, api any) error {
		before := c.BaseURL
		err := config.Apply(opt, c, api)
		var pe *polybill.Error
		if errors.As(err, &pe) {
			pe.Param = name
		}
		if err == nil && c.BaseURL != before {
			// New checks the URL once every option has run (WithInsecureHTTP may come
			// later); it names this variable if the URL it refuses is still this one.
			c.EnvBaseURL = config.EnvValue{Name: name, Value: c.BaseURL}
		}
		return err
	})
}

// baseURLParam names what set the base URL: the variable when NewFromEnv read it and no
// option replaced it, else the option.
func baseURLParam(cfg *config.Config) string {
	if v := cfg.EnvBaseURL; v.Name != "" && v.Value == cfg.BaseURL {
		return v.Name
	}
	return "WithBaseURL"
}

// EnvNames is the first option of every NewFromEnv: it records which variable stands for
// which option (pairs of option name, variable name), so a setting found missing by New is
// reported under the variable the user was expected to set.
func EnvNames(pairs ...string) config.Func {
	return config.Shared(func(c *config.Config) error {
		m := make(map[string]string, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			m[pairs[i]] = pairs[i+1]
		}
		c.EnvNames = m
		return nil
	})
}

// Missing is the error for a required setting that no option (and, from NewFromEnv, no
// environment variable) supplied. Param is the option, or its variable under NewFromEnv.
func Missing(cfg *config.Config, api, option, format string, args ...any) *polybill.Error {
	param := option
	if v := cfg.EnvNames[option]; v != "" {
		param = v
	}
	return InvalidParam(api, param, format, args...)
}
