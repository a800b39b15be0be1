package crm_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/polybill/polybill-go/crm/internal/oapiserver"

	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/internal/fake"
)

// newFake starts a fake and a client whose every response is validated against
// openapi/crm.yaml; the test fails at cleanup if any response broke the spec.
func newFake(t *testing.T, fakeOpts []crmtest.Option, opts ...crm.Option) (*crmtest.Server, *crm.Client) {
	t.Helper()
	srv := crmtest.New(fakeOpts...)
	t.Cleanup(srv.Close)
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	rv, err := fake.NewResponseValidator(spec, http.DefaultTransport)
	require.NoError(t, err)
	t.Cleanup(func() {
		var broken []error
		for _, err := range rv.Errors() {
			// Injected faults (5xx with an empty body) are off-spec on purpose; every
			// response the fake's handlers produce must conform.
			if !injected5xx.MatchString(err.Error()) {
				broken = append(broken, err)
			}
		}
		require.Empty(t, broken, "responses that break openapi/crm.yaml")
		if len(srv.Faults().Injected()) == 0 {
			require.Equal(t, len(srv.Received()), rv.Validated(), "every response was validated")
		}
	})
	all := append(srv.ClientOptions(), polybill.WithHTTPClient(&http.Client{Transport: rv}), polybill.WithMinRetryDelay(0))
	c, err := crm.New(append(all, opts...)...)
	require.NoError(t, err)
	return srv, c
}

var injected5xx = regexp.MustCompile(` -> 5\d\d: `)

// recordMethods is a middleware that notes the method of every attempt.
func recordMethods(dst *[]string) polybill.Middleware {
	var mu sync.Mutex
	return func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		mu.Lock()
		*dst = append(*dst, req.Method)
		mu.Unlock()
		return next(req)
	}
}

// recordHeaders is a middleware that keeps the headers of every attempt.
func recordHeaders(dst *[]http.Header) polybill.Middleware {
	var mu sync.Mutex
	return func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		mu.Lock()
		*dst = append(*dst, req.Header.Clone())
		mu.Unlock()
		return next(req)
	}
}

// fixtureClient is a client of a server answering each path with a recorded body.
func fixtureClient(t *testing.T, bodies map[string]string) *crm.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.URL.EscapedPath()+"?"+r.URL.RawQuery]
		if !ok {
			body, ok = bodies[r.URL.EscapedPath()]
		}
		if !ok {
			http.Error(w, `{"errors":[{"status":"404","code":"not_found"}]}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := crm.New(polybill.WithBaseURL(srv.URL), crm.WithAPIKey("key"), crm.WithToken("token"))
	require.NoError(t, err)
	return c
}

// fixture reads testdata/name.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// rawField returns one key of a raw JSON object.
func rawField(t *testing.T, raw json.RawMessage, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	return m[key]
}
