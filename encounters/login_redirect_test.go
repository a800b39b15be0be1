package encounters_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
)

// TestLoginFollowsNoRedirectToAnotherHost: /authentication answers 307/308 to another host
// (another loopback port). Go would re-send the JSON body, password included, and the client
// would then use the token that host issued. Nothing may reach it.
func TestLoginFollowsNoRedirectToAnotherHost(t *testing.T) {
	const password = "pw-9f8e7d6c5b"
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var reached atomic.Int64
			var leaked atomic.Bool
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached.Add(1)
				b, _ := io.ReadAll(r.Body)
				leaked.Store(leaked.Load() || strings.Contains(string(b), password))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, `{"accessToken":"issued-by-the-other-host"}`)
			}))
			defer other.Close()
			var apiSawOtherToken atomic.Bool
			origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/authentication" {
					http.Redirect(w, r, other.URL+"/authentication", status)
					return
				}
				if r.Header.Get("Authorization") == "Bearer issued-by-the-other-host" {
					apiSawOtherToken.Store(true)
				}
				w.WriteHeader(http.StatusUnauthorized)
			}))
			defer origin.Close()
			c, err := encounters.New(polybill.WithBaseURL(origin.URL), encounters.WithCredentials("a@b.c", password),
				polybill.WithMinRetryDelay(1), polybill.WithMaxRetryDelay(2))
			require.NoError(t, err)
			_, err = c.Invoices.Find(context.Background(), nil)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), password)
			assert.Zero(t, reached.Load(), "the other host received a request")
			assert.False(t, leaked.Load(), "the other host received the password")
			assert.False(t, apiSawOtherToken.Load(), "a token from the other host was used")
		})
	}
}
