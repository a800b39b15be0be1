package reliability_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

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
	"golang.org/x/oauth2"
)

// frontMode is what the front server does with API requests (token endpoints are always
// proxied to the fake unless the mode is modeTokenEcho).
type frontMode int32

const (
	modeProxy     frontMode = iota // forward to the fake
	modeEcho400                    // 400 whose error envelope echoes every header and the body
	modeEcho500                    // the same with 500 (retried)
	modeEchoTok                    // token endpoints answer 401 echoing the credentials sent
	modeReset                      // close the connection without an answer
	modeGarbage                    // 200 with a broken JSON body echoing the request
	modeRecord404                  // record the request, answer 404
	modeRedirect                   // 307 to the other host (localhost:<port of other>)
	modeHuge                       // stream 100 MB (chunked)
	modeHugeCL                     // announce and stream 100 MB (Content-Length)
)

// hugeSize is the body the huge modes send.
const hugeSize = 100 << 20

// recorded is what a server saw of one request.
type recorded struct {
	Method     string
	RequestURI string
	Host       string
	Header     http.Header
}

// front sits between a client and a fake: it proxies, echoes, resets, records, redirects
// or floods, depending on its mode.
type front struct {
	srv      *httptest.Server
	fake     *url.URL
	proxy    *httputil.ReverseProxy
	mode     atomic.Int32
	redirect string // base URL redirects go to
	sent     atomic.Int64

	mu   sync.Mutex
	seen []recorded
}

func newFront(t *testing.T, fakeURL string) *front {
	u, err := url.Parse(fakeURL)
	require.NoError(t, err)
	f := &front{fake: u, proxy: httputil.NewSingleHostReverseProxy(u)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *front) URL() string { return f.srv.URL }

func (f *front) setMode(m frontMode) { f.mode.Store(int32(m)) }

func (f *front) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.seen...)
}

func isTokenPath(p string) bool { return p == clinic.TokenPath || p == "/authentication" }

func (f *front) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, recorded{Method: r.Method, RequestURI: r.RequestURI, Host: r.Host, Header: r.Header.Clone()})
	f.mu.Unlock()
	mode := frontMode(f.mode.Load())
	if isTokenPath(r.URL.Path) {
		if mode == modeEchoTok {
			writeEcho(w, r, http.StatusUnauthorized)
			return
		}
		f.proxy.ServeHTTP(w, r)
		return
	}
	switch mode {
	case modeProxy, modeEchoTok:
		f.proxy.ServeHTTP(w, r)
	case modeEcho400:
		writeEcho(w, r, http.StatusBadRequest)
	case modeEcho500:
		writeEcho(w, r, http.StatusInternalServerError)
	case modeReset:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
		}
	case modeGarbage:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data": {"echo": "` + dump(r) + `", `))
	case modeRecord404:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"not found","error":"Not Found"}`))
	case modeRedirect:
		http.Redirect(w, r, f.redirect+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	case modeHuge, modeHugeCL:
		w.Header().Set("Content-Type", "application/json")
		if mode == modeHugeCL {
			w.Header().Set("Content-Length", strconv.Itoa(hugeSize))
		}
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for sent := 0; sent < hugeSize; sent += len(chunk) {
			n, err := w.Write(chunk)
			f.sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

// dump is every header value and the body of r, with Basic credentials decoded: the worst a
// server can do is to put all of it in an error message.
func dump(r *http.Request) string {
	var b strings.Builder
	for k, vs := range r.Header {
		for _, v := range vs {
			b.WriteString(k + "=" + v + "; ")
			if user, pass, ok := r.BasicAuth(); ok && k == "Authorization" {
				b.WriteString("basic user=" + user + " password=" + pass + "; ")
			}
		}
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	b.Write(body)
	if dec, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")); err == nil {
		b.WriteString("; decoded=" + string(dec))
	}
	s, _ := json.Marshal(b.String())
	return strings.Trim(string(s), `"`)
}

// writeEcho answers status with an error body in every API's envelope at once (crm JSON:API
// errors, epilot {error, message}, Feathers {name, message, errors, data}, Bio Ecko
// {error: {code, message, details}}), each field echoing the request.
func writeEcho(w http.ResponseWriter, r *http.Request, status int) {
	d := dump(r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "echo-"+strconv.Itoa(status))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"message":"`+d+`","name":"BadRequest","className":"bad-request","code":`+strconv.Itoa(status)+
		`,"errors":[{"code":"bad","title":"`+d+`","detail":"`+d+`","source":{"pointer":"/data/`+d+`"}}],`+
		`"data":{"echo":"`+d+`"},"error_description":"`+d+`","error":"`+d+`"}`)
}

// secretRig is one API client configured with known credentials, pointed at a front server.
type secretRig struct {
	name string
	// secrets are the credentials the caller gave; tokens obtained at run time are added by
	// the capture middleware.
	secrets []string
	fake    string // the fake's URL
	// build makes a client against base with extra options and returns one GET by id.
	build func(t *testing.T, base string, opts ...polybill.Option) func(ctx context.Context) error
}

// The credentials: long, unmistakable values, none of which may ever show up in a log line,
// an error or a panic.
const (
	crmToken        = "crm-SECRET-bearer-token-7f3a9c"
	crmAPIKey       = "crm-SECRET-api-key-0b1d2e"
	crmRefreshToken = "crm-SECRET-refresh-token-55aa"
	epilotToken     = "epilot-SECRET-jwt-9e8d7c6b"
	encToken        = "enc-SECRET-static-token-31f2"
	encEmail        = "cashier@example.com"
	encPassword     = "enc-SECRET-password-c4e5f6"
	clinicClientID  = "rel-client"
	clinicSecret    = "clinic-SECRET-client-secret-a1b2c3"
)

func secretRigs(t *testing.T) []secretRig {
	crmSrv := crmtest.New(crmtest.WithToken(crmToken), crmtest.WithAPIKey(crmAPIKey))
	epSrv := epilottest.New(epilottest.WithToken(epilotToken))
	encSrv := encounterstest.New(encounterstest.WithToken(encToken), encounterstest.WithUser(encEmail, encPassword))
	clSrv := clinictest.New(clinictest.WithClient(clinicClientID, clinicSecret, clinic.ScopeBillingRead, clinic.ScopeBillingWrite))
	t.Cleanup(func() { crmSrv.Close(); epSrv.Close(); encSrv.Close(); clSrv.Close() })
	// opt bundles the shared options every rig's client gets (polybill.WithOptions).
	opt := func(base string, o ...polybill.Option) polybill.Option {
		return polybill.WithOptions(append([]polybill.Option{polybill.WithBaseURL(base), polybill.WithMinRetryDelay(0), polybill.WithMaxRetryDelay(0)}, o...)...)
	}
	return []secretRig{
		{"crm (static token + API key)", []string{crmToken, crmAPIKey}, crmSrv.URL(), func(t *testing.T, base string, o ...polybill.Option) func(context.Context) error {
			c, err := crm.New(opt(base, o...), crm.WithToken(crmToken), crm.WithAPIKey(crmAPIKey),
				crm.WithAPIKeyHeader(crm.APIKeyHeaderAppID, crm.APIKeyHeaderXAPIKey))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.GetBilling(ctx, "b-1"); return err }
		}},
		{"crm (token source with refresh token)", []string{crmToken, crmAPIKey, crmRefreshToken}, crmSrv.URL(), func(t *testing.T, base string, o ...polybill.Option) func(context.Context) error {
			ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: crmToken, RefreshToken: crmRefreshToken, TokenType: "Bearer"})
			c, err := crm.New(opt(base, o...), crm.WithTokenSource(ts), crm.WithAPIKey(crmAPIKey))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.GetBilling(ctx, "b-1"); return err }
		}},
		{"epilot (static token)", []string{epilotToken}, epSrv.URL(), func(t *testing.T, base string, o ...polybill.Option) func(context.Context) error {
			c, err := epilot.New(opt(base, o...), epilot.WithToken(epilotToken))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.GetBillingEvent(ctx, "ev-1"); return err }
		}},
		{"epilot (token source)", []string{epilotToken}, epSrv.URL(), func(t *testing.T, base string, o ...polybill.Option) func(context.Context) error {
			c, err := epilot.New(opt(base, o...), epilot.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: epilotToken})))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.GetBillingEvent(ctx, "ev-1"); return err }
		}},
		{"encounters (static token)", []string{encToken}, encSrv.URL(), func(t *testing.T, base string, o ...polybill.Option) func(context.Context) error {
			c, err := encounters.New(opt(base, o...), encounters.WithToken(encToken))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.Invoices.Get(ctx, "inv-1", nil); return err }
		}},
		{"encounters (email + password, JWT + refresh token)", []string{encPassword}, encSrv.URL(), func(t *testing.T, base string, o ...polybill.Option) func(context.Context) error {
			c, err := encounters.New(opt(base, o...), encounters.WithCredentials(encEmail, encPassword))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.Invoices.Get(ctx, "inv-1", nil); return err }
		}},
		{"clinic (client credentials)", []string{clinicSecret}, clSrv.URL(), func(t *testing.T, base string, o ...polybill.Option) func(context.Context) error {
			c, err := clinic.New(opt(base, o...), clinic.WithClientCredentials(clinicClientID, clinicSecret))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.GetInvoice(ctx, "INV-1"); return err }
		}},
	}
}

// tokenCapture is a middleware that learns the tokens a client obtains at run time (the
// access and refresh tokens in token responses, the bearer it sends), so the test can look
// for them too.
type tokenCapture struct {
	mu     sync.Mutex
	tokens map[string]bool
}

func (c *tokenCapture) add(s string) {
	if len(s) < 8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tokens == nil {
		c.tokens = map[string]bool{}
	}
	c.tokens[s] = true
}

func (c *tokenCapture) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for s := range c.tokens {
		out = append(out, s)
	}
	return out
}

func (c *tokenCapture) middleware() polybill.Middleware {
	return func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		if a := req.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
			c.add(strings.TrimPrefix(a, "Bearer "))
		}
		resp, err := next(req)
		if err != nil || !isTokenPath(req.URL.Path) {
			return resp, err
		}
		body, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if rerr == nil {
			var m map[string]any
			if json.Unmarshal(body, &m) == nil {
				for k, v := range m {
					if s, ok := v.(string); ok && strings.Contains(strings.ToLower(k), "token") {
						c.add(s)
					}
				}
			}
		}
		return resp, nil
	}
}
