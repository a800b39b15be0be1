package polybill_test

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/internal/config"
	"github.com/polybill/polybill-go/internal/transport"
)

// newEach builds a client of each API with the shared options opts and valid credentials,
// and returns each constructor's error by API name.
func newEach(opts ...polybill.Option) map[string]error {
	shared := polybill.WithOptions(opts...)
	ignore := func(_ any, err error) error { return err }
	return map[string]error{
		"crm":        ignore(crm.New(shared, crm.WithToken("t"), crm.WithAPIKey("k"))),
		"epilot":     ignore(epilot.New(shared, epilot.WithToken("t"))),
		"encounters": ignore(encounters.New(shared, encounters.WithToken("t"))),
		"clinic":     ignore(clinic.New(shared, clinic.WithClientCredentials("id", "secret"))),
	}
}

func TestSharedOptionDefaults(t *testing.T) {
	c, err := transport.NewConfig("test", nil, []polybill.Option(nil))
	require.NoError(t, err)
	assert.Equal(t, polybill.DefaultMaxRetries, c.MaxRetries)
	assert.Equal(t, polybill.DefaultMinRetryDelay, c.MinRetryDelay)
	assert.Equal(t, polybill.DefaultMaxRetryDelay, c.MaxRetryDelay)
	assert.Equal(t, config.RetryBudget{Tokens: polybill.DefaultRetryBudget, Refill: polybill.DefaultRetryRefill}, c.RetryBudget)
	assert.Equal(t, int64(polybill.DefaultMaxResponseBytes), c.MaxResponseBytes)
	assert.Equal(t, polybill.DefaultAttemptTimeout, c.AttemptTimeout)
	assert.Equal(t, polybill.DefaultCallTimeout, c.CallTimeout)
}

// TestSharedOptionsWorkWithEveryClient: a malformed shared option is refused by each of the
// four constructors alike, with ErrValidation, the client's API and the option as Param.
func TestSharedOptionsWorkWithEveryClient(t *testing.T) {
	base := polybill.WithBaseURL("https://api.example.test")
	tests := []struct {
		name  string
		opts  []polybill.Option
		param string
	}{
		{"zero option", []polybill.Option{base, {}}, "option 0"},
		{"negative retries", []polybill.Option{base, polybill.WithMaxRetries(-1)}, "WithMaxRetries"},
		{"negative delay", []polybill.Option{base, polybill.WithMaxRetryDelay(-time.Second)}, "WithMaxRetryDelay"},
		{"min delay over max", []polybill.Option{base, polybill.WithMinRetryDelay(time.Minute), polybill.WithMaxRetryDelay(time.Second)}, "WithMinRetryDelay"},
		{"negative attempt timeout", []polybill.Option{base, polybill.WithAttemptTimeout(-1)}, "WithAttemptTimeout"},
		{"negative call timeout", []polybill.Option{base, polybill.WithCallTimeout(-1)}, "WithCallTimeout"},
		{"negative budget", []polybill.Option{base, polybill.WithRetryBudget(-1, 0)}, "WithRetryBudget"},
		{"zero body bound", []polybill.Option{base, polybill.WithMaxResponseBytes(0)}, "WithMaxResponseBytes"},
		{"nil logger", []polybill.Option{base, polybill.WithLogger(nil)}, "WithLogger"},
		{"nil middleware", []polybill.Option{base, polybill.WithMiddleware(nil)}, "WithMiddleware"},
		{"nil observer", []polybill.Option{base, polybill.WithObserver(nil)}, "WithObserver"},
		{"nil http client", []polybill.Option{base, polybill.WithHTTPClient(nil)}, "WithHTTPClient"},
		{"header injection", []polybill.Option{base, polybill.WithUserAgentSuffix("x\r\nEvil: 1")}, "WithUserAgentSuffix"},
		{"ftp base url", []polybill.Option{polybill.WithBaseURL("ftp://x")}, "WithBaseURL"},
		{"relative base url", []polybill.Option{polybill.WithBaseURL("billing")}, "WithBaseURL"},
		{"unparsable base url", []polybill.Option{polybill.WithBaseURL("http://[::1")}, "WithBaseURL"},
		{"plain http off loopback", []polybill.Option{polybill.WithBaseURL("http://billing.example.com")}, "WithBaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for api, err := range newEach(tt.opts...) {
				var pe *polybill.Error
				require.ErrorAs(t, err, &pe, api)
				assert.ErrorIs(t, err, polybill.ErrValidation, api)
				assert.Equal(t, api, pe.API)
				assert.Equal(t, tt.param, pe.Param, "%s: %v", api, err)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		for api, err := range newEach(base, polybill.WithMaxRetries(0), polybill.WithHTTPClient(&http.Client{}),
			polybill.WithBaseURL("http://billing.internal"), polybill.WithInsecureHTTP()) {
			assert.NoError(t, err, api)
		}
	})
}

// TestWithOptionsBundles: a bundle runs its options in order where it stands, bundles nest,
// and a zero option inside a bundle is refused, not skipped.
func TestWithOptionsBundles(t *testing.T) {
	inner := polybill.WithOptions(polybill.WithMaxRetries(7), polybill.WithLogger(nil))
	_, err := crm.New(polybill.WithBaseURL("https://api.example.test"), polybill.WithOptions(polybill.WithMaxRetries(1), inner),
		crm.WithToken("t"), crm.WithAPIKey("k"))
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "WithLogger", pe.Param, "the bundle's options all ran, in order")

	_, err = epilot.New(polybill.WithOptions(polybill.WithBaseURL("https://api.example.test"), polybill.Option{}), epilot.WithToken("t"))
	require.ErrorIs(t, err, polybill.ErrValidation)

	c, err := transport.NewConfig("test", nil, []polybill.Option{
		polybill.WithMaxRetries(1),
		polybill.WithOptions(polybill.WithMaxRetries(2), polybill.WithOptions(polybill.WithMaxRetries(3))),
		polybill.WithUserAgentSuffix("app/1"),
	})
	require.NoError(t, err)
	assert.Equal(t, 3, c.MaxRetries, "the innermost, last option wins")
	assert.Equal(t, "app/1", c.UserAgentSuffix)
}

// TestWithOptionsFunc: the function runs once per client built, at New; its options apply
// there, and its error (or a nil function) fails that New with ErrValidation.
func TestWithOptionsFunc(t *testing.T) {
	runs := 0
	lazy := polybill.WithOptionsFunc(func() (polybill.Option, error) {
		runs++
		return polybill.WithMaxRetries(-1), nil // refused where it is applied: proves it ran
	})
	assert.Zero(t, runs, "nothing runs before New")
	for api, err := range newEach(polybill.WithBaseURL("https://api.example.test"), lazy) {
		var pe *polybill.Error
		require.ErrorAs(t, err, &pe, api)
		assert.Equal(t, "WithMaxRetries", pe.Param, api)
	}
	assert.Equal(t, 4, runs, "once per client")

	failing := polybill.WithOptionsFunc(func() (polybill.Option, error) { return polybill.Option{}, errors.New("no meter") })
	_, err := crm.New(polybill.WithBaseURL("https://api.example.test"), failing, crm.WithToken("t"), crm.WithAPIKey("k"))
	require.ErrorIs(t, err, polybill.ErrValidation)
	assert.Contains(t, err.Error(), "no meter")

	_, err = epilot.New(polybill.WithOptionsFunc(nil), epilot.WithToken("t"))
	require.ErrorIs(t, err, polybill.ErrValidation)
}

func TestRequestOptions(t *testing.T) {
	var resp *http.Response
	rc := config.NewRequest([]polybill.RequestOption{polybill.WithIdempotencyKey("k"), polybill.WithHeader("X-A", "1"),
		polybill.WithRequestMaxRetries(5), polybill.WithResponseInto(&resp), {}})
	assert.Equal(t, "k", rc.IdempotencyKey)
	assert.Equal(t, "1", rc.Header.Get("X-A"))
	assert.Equal(t, 5, *rc.MaxRetries)
	assert.Same(t, &resp, rc.ResponseInto)
}

// foreignOptions are calls that give a client another API's option; each must fail to
// compile. The first is issue 17's own example, which compiled and silently ignored the two
// foreign options before the per-API Option types.
var foreignOptions = []string{
	`epilot.New(polybill.WithBaseURL(u), epilot.WithToken(t), crm.WithAPIKey("k"), clinic.WithScopes("x"))`,
	`crm.New(epilot.WithToken(t))`,
	`encounters.New(clinic.WithClientCredentials("id", "secret"))`,
	`clinic.New(encounters.WithToken(t))`,
	`crm.New(append(clinicOpts, crm.WithToken(t))...)`,
}

// TestForeignOptionDoesNotCompile builds a small package inside the module that gives each
// client another API's option (one call per line) and expects the compiler to refuse every
// line; the same package with shared and own options only must build, so the refusal is the
// option types', not a typo's.
func TestForeignOptionDoesNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command (a few seconds)")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	const header = `package foreign

import (
	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/epilot"
)

var clinicOpts = []clinic.Option{polybill.WithMaxRetries(1)}

func use(u, t string) {
	_ = clinicOpts
`
	build := func(t *testing.T, calls []string) (string, error) {
		// A directory starting with "_" inside the module: built by path, ignored by ./...
		dir, err := os.MkdirTemp(".", "_foreign")
		require.NoError(t, err)
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		var src strings.Builder
		src.WriteString(header)
		for _, c := range calls {
			src.WriteString("\t_, _ = " + c + "\n")
		}
		src.WriteString("}\n")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "foreign.go"), []byte(src.String()), 0o644))
		cmd := exec.Command(gobin, "build", "-o", os.DevNull, "./"+filepath.Base(dir))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := build(t, []string{
		`epilot.New(polybill.WithBaseURL(u), epilot.WithToken(t), polybill.WithOptions(polybill.WithMaxRetries(2)))`,
		`crm.New(crm.WithToken(t), crm.WithAPIKey("k"), polybill.WithLogger(nil))`,
		`encounters.New(encounters.WithToken(t), polybill.WithMaxRetries(1))`,
		`clinic.New(append(clinicOpts, clinic.WithScopes("x"))...)`,
	})
	require.NoError(t, err, "the control package must build:\n%s", out)

	out, err = build(t, foreignOptions)
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "go build of foreign options must fail to compile: %v\n%s", err, out)
	headerLines := strings.Count(header, "\n")
	for i, call := range foreignOptions {
		line := ":" + strconv.Itoa(headerLines+i+1) + ":"
		assert.Contains(t, out, line, "line %d (%s) must be refused:\n%s", headerLines+i+1, call, out)
	}
	assert.Contains(t, out, "does not implement", out)
}
