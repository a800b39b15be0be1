package reliability_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// constructors are the two constructors of one API, with what each needs to succeed.
type constructors struct {
	api        string
	newClient  func(opts ...any) error
	fromEnv    func(opts ...any) error
	baseURL    string            // a loopback URL the fake serves
	creds      []any             // valid credentials for New
	env        map[string]string // valid environment for NewFromEnv (without the URL)
	envURL     string            // the base URL variable
	tokenOpt   func(string) any
	tokenParam string // Param of a bad token given in code
	tokenEnv   string // the variable holding the token-like secret
	missingNew string // Param when New gets no credentials at all
	missingEnv string // Param when NewFromEnv finds no credentials at all
	// call makes one authenticated request with a client from NewFromEnv and reports its error.
	call func(ctx context.Context) error
}

func allConstructors(t *testing.T) []constructors {
	crmSrv := crmtest.New()
	epSrv := epilottest.New()
	encSrv := encounterstest.New()
	clSrv := clinictest.New()
	t.Cleanup(func() { crmSrv.Close(); epSrv.Close(); encSrv.Close(); clSrv.Close() })
	return []constructors{
		{
			api:       "crm",
			newClient: build(crm.New),
			fromEnv:   build(crm.NewFromEnv),
			baseURL:   crmSrv.URL(), envURL: crm.EnvAPIURL,
			creds:    []any{crm.WithAPIKey(crmtest.DefaultAPIKey), crm.WithToken(crmtest.DefaultToken)},
			env:      map[string]string{crm.EnvAPIKey: crmtest.DefaultAPIKey, crm.EnvAuthToken: crmtest.DefaultToken},
			tokenOpt: func(s string) any { return crm.WithToken(s) }, tokenParam: "WithToken", tokenEnv: crm.EnvAuthToken,
			missingNew: "WithAPIKey", missingEnv: crm.EnvAPIKey,
			call: func(ctx context.Context) error {
				c, err := crm.NewFromEnv()
				if err != nil {
					return err
				}
				_, err = c.GetAgingReport(ctx)
				return err
			},
		},
		{
			api:       "epilot",
			newClient: build(epilot.New),
			fromEnv:   build(epilot.NewFromEnv),
			baseURL:   epSrv.URL(), envURL: epilot.EnvAPIURL,
			creds:    []any{epilot.WithToken(epSrv.Token())},
			env:      map[string]string{epilot.EnvToken: epSrv.Token()},
			tokenOpt: func(s string) any { return epilot.WithToken(s) }, tokenParam: "WithToken", tokenEnv: epilot.EnvToken,
			missingNew: "WithToken", missingEnv: epilot.EnvToken,
			call: func(ctx context.Context) error {
				c, err := epilot.NewFromEnv()
				if err != nil {
					return err
				}
				_, err = c.GetBillingEvent(ctx, "no-such-event")
				if errors.Is(err, polybill.ErrNotFound) {
					return nil // authenticated: the fake looked the event up
				}
				return err
			},
		},
		{
			api:       "encounters",
			newClient: build(encounters.New),
			fromEnv:   build(encounters.NewFromEnv),
			baseURL:   encSrv.URL(), envURL: encounters.EnvAPIURL,
			creds:    []any{encounters.WithToken(encSrv.Token())},
			env:      map[string]string{encounters.EnvToken: encSrv.Token()},
			tokenOpt: func(s string) any { return encounters.WithToken(s) }, tokenParam: "WithToken", tokenEnv: encounters.EnvToken,
			missingNew: "WithToken", missingEnv: encounters.EnvToken,
			call: func(ctx context.Context) error {
				c, err := encounters.NewFromEnv()
				if err != nil {
					return err
				}
				_, err = c.Invoices.Find(ctx, nil)
				return err
			},
		},
		{
			api:       "clinic",
			newClient: build(clinic.New),
			fromEnv:   build(clinic.NewFromEnv),
			baseURL:   clSrv.URL(), envURL: clinic.EnvAPIURL,
			creds: []any{clinic.WithClientCredentials(clinictest.DefaultClientID, clinictest.DefaultClientSecret)},
			env:   map[string]string{clinic.EnvClientID: clinictest.DefaultClientID, clinic.EnvClientSecret: clinictest.DefaultClientSecret},
			tokenOpt: func(s string) any {
				return clinic.WithClientCredentials(clinictest.DefaultClientID, s)
			},
			tokenParam: "WithClientCredentials", tokenEnv: clinic.EnvClientSecret,
			missingNew: "WithClientCredentials", missingEnv: clinic.EnvClientID,
			call: func(ctx context.Context) error {
				c, err := clinic.NewFromEnv()
				if err != nil {
					return err
				}
				return c.Authenticate(ctx)
			},
		},
	}
}

// build adapts an API's New or NewFromEnv, whose options are of that API's own Option type
// O, to the table's options: shared polybill.Options and options of that API. A nil entry
// stays a nil option, which the constructor must refuse.
func build[O any, C any](newFn func(...O) (C, error)) func(opts ...any) error {
	return func(opts ...any) error {
		typed := make([]O, len(opts))
		for i, o := range opts {
			if o != nil {
				typed[i] = o.(O)
			}
		}
		_, err := newFn(typed...)
		return err
	}
}

// requireConfigError asserts the constructor error issue 14 §2 asks for: a *polybill.Error
// of the right API, matching ErrValidation, with Param naming the option or variable.
func requireConfigError(t *testing.T, err error, api, param string) {
	t.Helper()
	require.Error(t, err)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe, "constructor errors are *polybill.Error: %v", err)
	assert.ErrorIs(t, err, polybill.ErrValidation)
	assert.Equal(t, api, pe.API)
	assert.Equal(t, param, pe.Param, "%v", err)
}

// TestConstructorsRefuseUnusableConfiguration: every constructor of the four clients refuses
// at construction what would make every call fail later.
func TestConstructorsRefuseUnusableConfiguration(t *testing.T) {
	for _, a := range allConstructors(t) {
		base := polybill.WithBaseURL(a.baseURL)
		tests := []struct {
			name  string
			opts  []any
			param string
		}{
			{"no credentials", []any{base}, a.missingNew},
			{"token with a trailing newline", []any{base, a.tokenOpt("secret-value\n")}, a.tokenParam},
			{"token with surrounding spaces", []any{base, a.tokenOpt(" secret-value ")}, a.tokenParam},
			{"token with a NUL byte", []any{base, a.tokenOpt("secret\x00value")}, a.tokenParam},
			{"token with a header break", []any{base, a.tokenOpt("secret\r\nX-Evil: 1")}, a.tokenParam},
			{"empty token", []any{base, a.tokenOpt("")}, a.tokenParam},
			{"base URL with a query", append([]any{polybill.WithBaseURL(a.baseURL + "?tenant=x")}, a.creds...), "WithBaseURL"},
			{"base URL with an empty query", append([]any{polybill.WithBaseURL(a.baseURL + "?")}, a.creds...), "WithBaseURL"},
			{"base URL with a fragment", append([]any{polybill.WithBaseURL(a.baseURL + "#top")}, a.creds...), "WithBaseURL"},
			{"plain http to a remote host", append([]any{polybill.WithBaseURL("http://billing.example.com")}, a.creds...), "WithBaseURL"},
			{"negative attempt timeout", append([]any{base, polybill.WithAttemptTimeout(-1)}, a.creds...), "WithAttemptTimeout"},
			{"nil option", append([]any{base, nil}, a.creds...), "option 1"},
		}
		for _, tt := range tests {
			t.Run(a.api+"/New/"+tt.name, func(t *testing.T) {
				requireConfigError(t, a.newClient(tt.opts...), a.api, tt.param)
			})
		}
		t.Run(a.api+"/New/valid", func(t *testing.T) {
			require.NoError(t, a.newClient(append([]any{base}, a.creds...)...))
		})
	}
}

// TestNewFromEnvNamesTheVariable: NewFromEnv reports a missing or malformed variable under
// its own name, and trims what a file or a shell adds around a secret.
func TestNewFromEnvNamesTheVariable(t *testing.T) {
	for _, a := range allConstructors(t) {
		setEnv := func(t *testing.T, override map[string]string) {
			t.Setenv(a.envURL, a.baseURL)
			for k, v := range a.env {
				t.Setenv(k, v)
			}
			for k, v := range override {
				t.Setenv(k, v)
			}
		}
		blank := map[string]string{}
		for k := range a.env {
			blank[k] = ""
		}
		t.Run(a.api+"/no credentials", func(t *testing.T) {
			setEnv(t, blank)
			requireConfigError(t, a.fromEnv(), a.api, a.missingEnv)
		})
		t.Run(a.api+"/control character inside the secret", func(t *testing.T) {
			setEnv(t, map[string]string{a.tokenEnv: "secret\r\nvalue"})
			requireConfigError(t, a.fromEnv(), a.api, a.tokenEnv)
		})
		t.Run(a.api+"/base URL with a query", func(t *testing.T) {
			setEnv(t, map[string]string{a.envURL: a.baseURL + "?tenant=x"})
			requireConfigError(t, a.fromEnv(), a.api, a.envURL)
		})
		t.Run(a.api+"/plain http base URL to a remote host", func(t *testing.T) {
			setEnv(t, map[string]string{a.envURL: "http://billing.example.com"})
			requireConfigError(t, a.fromEnv(), a.api, a.envURL)
			requireConfigError(t, a.fromEnv(polybill.WithBaseURL("http://other.example.com")), a.api, "WithBaseURL")
		})
		t.Run(a.api+"/surrounding whitespace is trimmed", func(t *testing.T) {
			trimmed := map[string]string{a.envURL: " " + a.baseURL + "\n"}
			for k, v := range a.env {
				trimmed[k] = v + "\n"
			}
			setEnv(t, trimmed)
			require.NoError(t, a.call(context.Background()), "the newline a secret file ends with is not sent")
		})
	}
}

// fourClients is one fake of each API and a client of each pointed at it.
type fourClients struct {
	crmSrv *crmtest.Server
	crm    *crm.Client
	epSrv  *epilottest.Server
	ep     *epilot.Client
	encSrv *encounterstest.Server
	enc    *encounters.Client
	clSrv  *clinictest.Server
	cl     *clinic.Client
}

func newFourClients(t *testing.T) *fourClients {
	t.Helper()
	f := &fourClients{crmSrv: crmtest.New(), epSrv: epilottest.New(), encSrv: encounterstest.New(), clSrv: clinictest.New()}
	t.Cleanup(func() { f.crmSrv.Close(); f.epSrv.Close(); f.encSrv.Close(); f.clSrv.Close() })
	var err error
	f.crm, err = crm.New(f.crmSrv.ClientOptions()...)
	require.NoError(t, err)
	f.ep, err = epilot.New(polybill.WithBaseURL(f.epSrv.URL()), epilot.WithToken(f.epSrv.Token()))
	require.NoError(t, err)
	f.enc, err = encounters.New(polybill.WithBaseURL(f.encSrv.URL()), encounters.WithToken(f.encSrv.Token()))
	require.NoError(t, err)
	f.cl, err = clinic.New(polybill.WithBaseURL(f.clSrv.URL()), clinic.WithClientCredentials(clinictest.DefaultClientID, clinictest.DefaultClientSecret))
	require.NoError(t, err)
	return f
}
