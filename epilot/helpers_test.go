package epilot_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/polybill/polybill-go/epilot/internal/oapiserver"

	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
	"github.com/polybill/polybill-go/internal/fake"
)

// env is a client wired to a fresh fake, with every response validated against the spec.
type env struct {
	srv    *epilottest.Server
	client *epilot.Client
	rv     *fake.ResponseValidator
}

// newEnv starts a fake and a client. At the end of the test it asserts that every response
// the fake sent conformed to the spec (fault-injected responses are the test's own business
// and are skipped by passing validate=false).
func newEnv(t *testing.T, opts ...epilot.Option) *env {
	t.Helper()
	return newEnvValidated(t, true, opts...)
}

func newEnvValidated(t *testing.T, validate bool, opts ...epilot.Option) *env {
	t.Helper()
	return newEnvServer(t, validate, nil, opts...)
}

func newEnvServer(t *testing.T, validate bool, srvOpts []epilottest.Option, opts ...epilot.Option) *env {
	t.Helper()
	srv := epilottest.New(srvOpts...)
	t.Cleanup(srv.Close)
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	rv, err := fake.NewResponseValidator(spec, http.DefaultTransport)
	require.NoError(t, err)
	base := []epilot.Option{
		polybill.WithBaseURL(srv.URL()),
		epilot.WithToken(srv.Token()),
		polybill.WithHTTPClient(&http.Client{Transport: rv}),
		polybill.WithMinRetryDelay(time.Millisecond),
		polybill.WithMaxRetryDelay(5 * time.Millisecond),
	}
	client, err := epilot.New(append(base, opts...)...)
	require.NoError(t, err)
	if validate {
		t.Cleanup(func() {
			for _, e := range rv.Errors() {
				t.Errorf("response does not conform to the spec: %v", e)
			}
		})
	}
	return &env{srv: srv, client: client, rv: rv}
}

func epilottestFault(status int, body string) epilottest.Fault {
	return epilottest.Fault{Status: status, Body: body}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
