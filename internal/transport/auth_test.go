package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// TestShortLivedTokensAreUsedNotRefetched covers tokens that arrive inside (or past) the
// renewal margin: an identity provider handing out a cached token's remaining life, an
// expired token, a client clock that runs ahead. Each fetched token is used at least once,
// so a call makes at most one token request here (two with a 401), and nothing loops: the
// fetch gives up after 50 requests, which the old code reached within one call.
func TestShortLivedTokensAreUsedNotRefetched(t *testing.T) {
	tests := []struct {
		name string
		// expiry is the token's expiry relative to the real time of the fetch.
		expiry time.Duration
		// skew is how far the client's clock runs ahead of the real time.
		skew time.Duration
		// wantFetches after three calls made back to back.
		wantFetches int64
	}{
		{name: "expires_in 20s: margin scales with the lifetime, one token serves all calls", expiry: 20 * time.Second, wantFetches: 1},
		{name: "expires_in 30s", expiry: 30 * time.Second, wantFetches: 1},
		{name: "expires_in 1s", expiry: time.Second, wantFetches: 1},
		{name: "expires_in 0: used once per call", expiry: 0, wantFetches: 3},
		{name: "already expired", expiry: -time.Hour, wantFetches: 3},
		{name: "client clock ten minutes ahead of a 5-minute token", expiry: 5 * time.Minute, skew: 10 * time.Minute, wantFetches: 3},
		{name: "an hour-long token is renewed 30s before expiry at the latest", expiry: time.Hour, wantFetches: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fetches atomic.Int64
			auth := transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
				n := fetches.Add(1)
				if n > 50 {
					return nil, errors.New("token endpoint hammered")
				}
				return &oauth2.Token{AccessToken: fmt.Sprintf("%s-%d", secretToken, n), Expiry: time.Now().Add(tc.expiry)}, nil
			})
			if tc.skew != 0 {
				auth.SetClock(func() time.Time { return time.Now().Add(tc.skew) })
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
			defer srv.Close()
			c := newClient(t, srv.URL, auth, polybill.WithMaxRetries(0))
			for i := range 3 {
				before := fetches.Load()
				// context.Background(): the call must end by itself.
				require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Path: "/x"}, nil), "call %d", i)
				assert.LessOrEqual(t, fetches.Load()-before, int64(1), "call %d: token requests", i)
			}
			assert.Equal(t, tc.wantFetches, fetches.Load())
		})
	}
}

// TestAtMostTwoTokenRequestsPerCall: a token that is refused (401) is renewed once, and the
// renewed one is replayed even if it is already inside the margin.
func TestAtMostTwoTokenRequestsPerCall(t *testing.T) {
	var fetches atomic.Int64
	auth := transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
		n := fetches.Add(1)
		if n > 50 {
			return nil, errors.New("token endpoint hammered")
		}
		return &oauth2.Token{AccessToken: fmt.Sprintf("%s-%d", secretToken, n), Expiry: time.Now().Add(-time.Minute)}, nil
	})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 1 {
			w.WriteHeader(401)
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, auth, polybill.WithMaxRetries(0))
	for i := range 3 {
		before := fetches.Load()
		require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Path: "/x"}, nil))
		assert.Equal(t, int64(2), fetches.Load()-before, "call %d: one token for the attempt, one after the 401", i)
	}
}
