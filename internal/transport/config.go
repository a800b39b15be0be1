package transport

import (
	"errors"
	"os"
	"strings"

	polybill "github.com/polybill/polybill-go"
)

// The configuration checks every constructor shares: New and NewFromEnv of the four API
// packages refuse a client that could not make a single successful call, with a
// *polybill.Error matching polybill.ErrValidation whose Param names the option
// ("WithToken") or, for NewFromEnv, the environment variable ("EPILOT_TOKEN").

// NewConfig is polybill.NewConfig with the API named on its error.
func NewConfig(api string, opts []polybill.Option) (*polybill.Config, error) {
	cfg, err := polybill.NewConfig(opts...)
	if err != nil {
		return nil, withAPI(api, err)
	}
	return cfg, nil
}

func withAPI(api string, err error) error {
	var pe *polybill.Error
	if errors.As(err, &pe) && pe.API == "" {
		pe.API = api
	}
	return err
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
		return polybill.InvalidParam(api, option, "empty %s", what)
	case strings.TrimSpace(value) != value:
		return polybill.InvalidParam(api, option, "%s has leading or trailing whitespace (a newline from a file?); trim it", what)
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return polybill.InvalidParam(api, option, "%s contains a control character (byte %d), which no HTTP header may carry", what, i)
		}
	}
	return nil
}

// envKey marks a Config built by NewFromEnv; its value maps option names to the
// environment variables that stand for them.
type envKey struct{}

// Env reads the environment variable name for NewFromEnv, trimmed of surrounding
// whitespace: a secret mounted from a file or pasted into a shell usually ends in a
// newline. An unset or blank variable gives an option that does nothing. opt builds the
// option from the value; an error it returns names the variable, not the option.
func Env(name string, opt func(value string) polybill.Option) polybill.Option {
	v := Getenv(name)
	if v == "" {
		return func(*polybill.Config) error { return nil }
	}
	return FromEnv(name, opt(v))
}

// Getenv is os.Getenv trimmed of surrounding whitespace, the one way NewFromEnv reads.
func Getenv(name string) string { return strings.TrimSpace(os.Getenv(name)) }

// FromEnv wraps an option built from the variable name, so that an error it returns has
// the variable as its Param.
func FromEnv(name string, opt polybill.Option) polybill.Option {
	return func(c *polybill.Config) error {
		before := c.BaseURL
		err := opt(c)
		var pe *polybill.Error
		if errors.As(err, &pe) {
			pe.Param = name
		}
		if err == nil && c.BaseURL != before {
			// New checks the URL once every option has run (WithInsecureHTTP may come
			// later); it names this variable if the URL it refuses is still this one.
			c.Set(envBaseURLKey{}, envValue{name, c.BaseURL})
		}
		return err
	}
}

type envBaseURLKey struct{}

type envValue struct{ name, value string }

// baseURLParam names what set the base URL: the variable when NewFromEnv read it and no
// option replaced it, else the option.
func baseURLParam(cfg *polybill.Config) string {
	if v, ok := cfg.Get(envBaseURLKey{}).(envValue); ok && v.value == cfg.BaseURL {
		return v.name
	}
	return "WithBaseURL"
}

// EnvNames is the first option of every NewFromEnv: it records which variable stands for
// which option (pairs of option name, variable name), so a setting found missing by New is
// reported under the variable the user was expected to set.
func EnvNames(pairs ...string) polybill.Option {
	return func(c *polybill.Config) error {
		m := make(map[string]string, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			m[pairs[i]] = pairs[i+1]
		}
		c.Set(envKey{}, m)
		return nil
	}
}

// Missing is the error for a required setting that no option (and, from NewFromEnv, no
// environment variable) supplied. Param is the option, or its variable under NewFromEnv.
func Missing(cfg *polybill.Config, api, option, format string, args ...any) *polybill.Error {
	param := option
	if m, ok := cfg.Get(envKey{}).(map[string]string); ok && m[option] != "" {
		param = m[option]
	}
	return polybill.InvalidParam(api, param, format, args...)
}
