package transport_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// TestCrossHostRedirectDropsCallerCredentialHeaders: credentials the caller added per call
// (WithHeader("X-Api-Key", …)), crm's AppId and the authenticator's headers never reach
// another host; harmless headers do.
func TestCrossHostRedirectDropsCallerCredentialHeaders(t *testing.T) {
	var got http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(200)
	}))
	defer other.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusFound) // another port: another host
	}))
	defer origin.Close()
	auth := transport.StaticHeaders(http.Header{"Appid": {secretAPIKey}, "Authorization": {"Bearer " + secretToken}})
	c := newClient(t, origin.URL, auth)
	require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX, Header: http.Header{"Appid": {secretAPIKey}}}, nil,
		polybill.WithHeader("X-Api-Key", secretAPIKey), polybill.WithHeader("X-Tenant-Secret", secretToken)))
	require.NotNil(t, got, "the redirect was followed")
	for k, vs := range got {
		for _, v := range vs {
			assert.NotContains(t, v, secretAPIKey, "header %s reached the other host", k)
			assert.NotContains(t, v, secretToken, "header %s reached the other host", k)
		}
	}
	assert.Empty(t, got.Get("X-Api-Key"))
	assert.Empty(t, got.Get("Appid"))
	assert.Empty(t, got.Get("Authorization"))
	assert.NotEmpty(t, got.Get("User-Agent"))
	assert.Equal(t, "application/json", got.Get("Accept"))
}

// noNetwork is a RoundTripper that sends loopback requests and refuses (recording it)
// anything else without dialing, so a test can show a request was never attempted.
type noNetwork struct {
	mu       sync.Mutex
	offLoop  []string
	loopback http.RoundTripper
}

func (n *noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	if ip := net.ParseIP(r.URL.Hostname()); ip == nil || !ip.IsLoopback() {
		n.mu.Lock()
		n.offLoop = append(n.offLoop, r.URL.String())
		n.mu.Unlock()
		return nil, errors.New("test: non-loopback request")
	}
	return n.loopback.RoundTrip(r)
}

// TestRedirectToPlainHTTPOnAnotherHostIsRefused: a redirect to http:// on a non-loopback host
// is refused by the redirect policy, before any attempt to reach it (DESIGN rule 8).
func TestRedirectToPlainHTTPOnAnotherHostIsRefused(t *testing.T) {
	for _, target := range []string{"http://example.invalid/steal", "http://203.0.113.7/steal"} {
		t.Run(target, func(t *testing.T) {
			origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target, http.StatusTemporaryRedirect)
			}))
			defer origin.Close()
			nn := &noNetwork{loopback: http.DefaultTransport}
			c := newClient(t, origin.URL, transport.StaticHeaders(http.Header{"Authorization": {"Bearer " + secretToken}}),
				polybill.WithHTTPClient(&http.Client{Transport: nn}))
			err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "redirect refused")
			assert.Empty(t, nn.offLoop, "the client tried to reach a non-loopback host")
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.False(t, pe.Retryable)
		})
	}
	t.Run("with WithInsecureHTTP it is followed", func(t *testing.T) {
		origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://203.0.113.7/steal", http.StatusTemporaryRedirect)
		}))
		defer origin.Close()
		nn := &noNetwork{loopback: http.DefaultTransport}
		c := newClient(t, origin.URL, nil, polybill.WithHTTPClient(&http.Client{Transport: nn}), polybill.WithInsecureHTTP(), polybill.WithMaxRetries(0))
		_ = c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
		assert.Equal(t, []string{"http://203.0.113.7/steal"}, nn.offLoop, "the opt-in is honoured (and the fake transport sees it)")
	})
}

// TestTokenCallFollowsNoRedirectToAnotherHostOrScheme: a SkipAuth call (a login whose body
// carries a password) is not redirected to another host, even a loopback one.
func TestTokenCallFollowsNoRedirectToAnotherHostOrScheme(t *testing.T) {
	var reached int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ }))
	defer other.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/same" {
			w.WriteHeader(201)
			return
		}
		target := other.URL
		if r.URL.Path == "/to-same-host" {
			target = "http://" + r.Host
		}
		http.Redirect(w, r, target+"/same", http.StatusPermanentRedirect)
	}))
	defer origin.Close()
	c := newClient(t, origin.URL, nil)
	err := c.Do(context.Background(), transport.Call{Method: http.MethodPost, Op: transport.Op("test", "/login"), Body: map[string]string{"password": secretToken}, SkipAuth: true}, nil)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "redirect refused"), err.Error())
	assert.Zero(t, reached)
	require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodPost, Op: transport.Op("test", "/to-same-host"), Body: map[string]string{}, SkipAuth: true}, nil),
		"a redirect on the same host and scheme is followed")
}
