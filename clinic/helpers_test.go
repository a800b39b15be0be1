package clinic_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/clinic/internal/oapiserver"
	"github.com/polybill/polybill-go/internal/fake"
)

var march15 = time.Date(2026, 3, 15, 10, 0, 0, 0, clinictest.IST)

// fixture is a fake plus a client whose every response (token endpoint included) is checked
// against the spec; the test fails at cleanup if the fake answered something the spec forbids.
type fixture struct {
	srv    *clinictest.Server
	client *clinic.Client
	clock  *clinictest.ManualClock
	rv     *fake.ResponseValidator
	// offSpec is set by tests that inject faults the spec does not describe (a 503 from a
	// proxy, an HTML body): their responses are expected not to conform.
	offSpec bool
}

func newFixture(t *testing.T, fakeOpts []clinictest.Option, clientOpts ...clinic.Option) *fixture {
	t.Helper()
	clock := clinictest.NewManualClock(march15)
	srv := clinictest.New(append([]clinictest.Option{clinictest.WithClock(clock)}, fakeOpts...)...)
	t.Cleanup(srv.Close)
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	rv, err := fake.NewResponseValidator(spec, http.DefaultTransport)
	require.NoError(t, err)
	opts := append(srv.ClientOptions(),
		polybill.WithHTTPClient(&http.Client{Transport: rv}),
		polybill.WithMinRetryDelay(time.Millisecond), polybill.WithMaxRetryDelay(10*time.Millisecond))
	client, err := clinic.New(append(opts, clientOpts...)...)
	require.NoError(t, err)
	f := &fixture{srv: srv, client: client, clock: clock, rv: rv}
	t.Cleanup(func() {
		if !f.offSpec {
			assert.Empty(t, rv.Errors(), "responses that do not conform to openapi/clinic.yaml")
			assert.Positive(t, rv.Validated(), "the test made no request: nothing was validated")
		}
	})
	return f
}

func dec(s string) polybill.Decimal { return polybill.MustDecimal(s) }

// seedConsultation adds a 1000 + 18% GST consultation and a lab test: grand total 2360.00.
func seedConsultation(srv *clinictest.Server, seed clinictest.InvoiceSeed) string {
	seed.Items = []clinictest.ItemSeed{
		{Service: "Consultation", Department: "General Medicine", Quantity: dec("1"), Rate: dec("1000.00"), TaxPercent: dec("18")},
		{Service: "Complete blood count", Department: "Laboratory", Quantity: dec("2"), Rate: dec("550.00"), Discount: dec("100.00"), TaxPercent: dec("18")},
	}
	return srv.AddInvoice(seed)
}

const cannedSecret = "canned-client-secret-xyz"

// canned answers the token request with a token and every other request with status/body,
// without a network, so fuzzing runs the whole client stack at full speed.
type canned struct {
	mu     sync.Mutex
	status int
	body   []byte
	ctype  string
	last   *url.URL
}

func (c *canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r}
	if r.URL.Path == clinic.TokenPath {
		resp.Body = io.NopCloser(bytes.NewReader([]byte(`{"access_token":"canned-token-123456","token_type":"Bearer","expires_in":3600}`)))
		return resp, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = r.URL
	resp.StatusCode = c.status
	if c.ctype != "" {
		resp.Header.Set("Content-Type", c.ctype)
	}
	resp.Body = io.NopCloser(bytes.NewReader(c.body))
	return resp, nil
}

func cannedClient(t testing.TB, c *canned) *clinic.Client { return cannedClientWith(t, c) }

func cannedClientWith(t testing.TB, rt http.RoundTripper) *clinic.Client {
	client, err := clinic.New(polybill.WithBaseURL("https://tenant.bioecko.test"),
		clinic.WithClientCredentials("canned", cannedSecret),
		polybill.WithHTTPClient(&http.Client{Transport: rt}), polybill.WithMaxRetries(0))
	require.NoError(t, err)
	return client
}

// captureBody records the body of the last non-token request before passing it on.
type captureBody struct {
	next http.RoundTripper
	body *[]byte
}

func (c *captureBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != clinic.TokenPath && r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		*c.body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return c.next.RoundTrip(r)
}
