package clinic_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
)

// TestTokenRequestFollowsNoRedirectToAnotherHost: the token endpoint answers 307/308 to
// another host (another loopback port). Go would re-send the form body, client_secret
// included, and the client would then use the token that host issued. Nothing may reach it.
func TestTokenRequestFollowsNoRedirectToAnotherHost(t *testing.T) {
	const secret = "clinic-secret-9f8e7d"
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var reached atomic.Int64
			var leaked atomic.Bool
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached.Add(1)
				b, _ := io.ReadAll(r.Body)
				leaked.Store(leaked.Load() || len(b) > 0)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"access_token":"issued-by-the-other-host","token_type":"Bearer","expires_in":3600}`)
			}))
			defer other.Close()
			var apiSawOtherToken atomic.Bool
			origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == clinic.TokenPath {
					http.Redirect(w, r, other.URL+clinic.TokenPath, status)
					return
				}
				if r.Header.Get("Authorization") == "Bearer issued-by-the-other-host" {
					apiSawOtherToken.Store(true)
				}
				w.WriteHeader(http.StatusUnauthorized)
			}))
			defer origin.Close()
			c, err := clinic.New(polybill.WithBaseURL(origin.URL), clinic.WithClientCredentials("client-id", secret),
				polybill.WithMinRetryDelay(time.Millisecond), polybill.WithMaxRetryDelay(2*time.Millisecond))
			require.NoError(t, err)
			_, err = c.GetSummary(context.Background(), nil)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), secret)
			assert.Zero(t, reached.Load(), "the other host received a request")
			assert.False(t, leaked.Load(), "the other host received the client secret")
			assert.False(t, apiSawOtherToken.Load(), "a token from the other host was used")
			assert.EqualValues(t, 1, c.TokenFetches(), "a refused redirect is not retried")
		})
	}
}
