package crm_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/internal/fake"
)

// newFake starts a fake and a client whose every response is validated against
// openapi/crm.yaml; the test fails at cleanup if any response broke the spec.
func newFake(t *testing.T, fakeOpts []crmtest.Option, opts ...polybill.Option) (*crmtest.Server, *crm.Client) {
	t.Helper()
	srv := crmtest.New(fakeOpts...)
	t.Cleanup(srv.Close)
	spec, err := crmtest.Spec()
	require.NoError(t, err)
	rv, err := fake.NewResponseValidator(spec, http.DefaultTransport)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.Empty(t, rv.Errors(), "responses that break openapi/crm.yaml")
	})
	all := append(srv.ClientOptions(), polybill.WithHTTPClient(&http.Client{Transport: rv}), polybill.WithMinRetryDelay(0))
	c, err := crm.New(append(all, opts...)...)
	require.NoError(t, err)
	return srv, c
}
