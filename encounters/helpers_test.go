package encounters_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/encounters/internal/oapiserver"
	"github.com/polybill/polybill-go/internal/fake"
)

// setup starts a fake and a client whose every response is validated against
// the spec; the test fails if any response breaks it.
func setup(t *testing.T, fakeOpts []encounterstest.Option, opts ...encounters.Option) (*encounters.Client, *encounterstest.Server) {
	t.Helper()
	srv := encounterstest.New(fakeOpts...)
	t.Cleanup(srv.Close)
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	rv, err := fake.NewResponseValidator(spec, http.DefaultTransport)
	require.NoError(t, err)
	t.Cleanup(func() {
		if !t.Failed() {
			require.Empty(t, rv.Errors(), "responses that break the spec")
		}
	})
	base := []encounters.Option{
		polybill.WithBaseURL(srv.URL()),
		polybill.WithHTTPClient(&http.Client{Transport: rv}),
		polybill.WithMinRetryDelay(1),
		polybill.WithMaxRetryDelay(2),
	}
	if len(opts) == 0 {
		opts = []encounters.Option{encounters.WithToken(srv.Token())}
	}
	c, err := encounters.New(append(base, opts...)...)
	require.NoError(t, err)
	return c, srv
}

func dec(s string) polybill.Decimal { return polybill.MustDecimal(s) }
