package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
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
				require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil), "call %d", i)
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
		require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil))
		assert.Equal(t, int64(2), fetches.Load()-before, "call %d: one token for the attempt, one after the 401", i)
	}
}

// TestFailedRefreshIsRetriedOnceForAllWaiters: 64 callers hit a 401 together; the shared
// refresh fails once with a retryable error. It is retried under the retry policy, spending
// one budget token for everyone, and no caller fails. A refusal (400) is not retried.
func TestFailedRefreshIsRetriedOnceForAllWaiters(t *testing.T) {
	var fetches atomic.Int64
	var failNext atomic.Bool
	auth := transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
		n := fetches.Add(1)
		time.Sleep(5 * time.Millisecond) // let the 64 callers pile up behind the fetch
		if failNext.CompareAndSwap(true, false) {
			return nil, &polybill.Error{API: "test", StatusCode: 503, Code: "server_error", Retryable: true}
		}
		return &oauth2.Token{AccessToken: fmt.Sprintf("t-%d", n), Expiry: time.Now().Add(time.Hour)}, nil
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer t-1" {
			w.WriteHeader(401) // the first token is revoked
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, auth, polybill.WithRetryBudget(20, 0))
	require.NoError(t, c.Authenticate(context.Background()))
	failNext.Store(true)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() { errs <- c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(3), fetches.Load(), "the initial token, the failed refresh and its one retry")
	assert.Equal(t, 19.0, c.RetryTokens(), "the retry spent one budget token, not one per caller")

	t.Run("a refusal is not retried", func(t *testing.T) {
		var n atomic.Int64
		refused := transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
			n.Add(1)
			return nil, &polybill.Error{API: "test", StatusCode: 400, Code: "invalid_client"}
		})
		c := newClient(t, srv.URL, refused)
		err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
		require.Error(t, err)
		assert.Equal(t, int64(1), n.Load())
	})
	t.Run("retries end with the budget", func(t *testing.T) {
		var n atomic.Int64
		down := transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
			n.Add(1)
			return nil, &polybill.Error{API: "test", StatusCode: 503, Code: "server_error", Retryable: true}
		})
		c := newClient(t, srv.URL, down, polybill.WithMaxRetries(5), polybill.WithRetryBudget(2, 0))
		err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
		require.ErrorIs(t, err, polybill.ErrServer)
		assert.Equal(t, int64(3), n.Load(), "one fetch and the two retries the budget allows")
	})
}

// TestWaitersTakeOverWhenTheFetchersCallerGivesUp: the caller whose attempt started the
// shared fetch is canceled; the callers waiting on that fetch still have time, so they fetch
// themselves instead of failing with someone else's cancellation.
func TestWaitersTakeOverWhenTheFetchersCallerGivesUp(t *testing.T) {
	started := make(chan struct{})
	var fetches atomic.Int64
	auth := transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) {
		if fetches.Add(1) == 1 {
			close(started)
			<-ctx.Done() // the token endpoint hangs until the first caller gives up
			return nil, ctx.Err()
		}
		return &oauth2.Token{AccessToken: "t-ok", Expiry: time.Now().Add(time.Hour)}, nil
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	c := newClient(t, srv.URL, auth)
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() { firstErr <- c.Do(first, transport.Call{Method: http.MethodGet, Op: opX}, nil) }()
	<-started
	secondErr := make(chan error, 1)
	go func() {
		secondErr <- c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
	}()
	time.Sleep(20 * time.Millisecond) // the second caller is now waiting on the first fetch
	cancel()
	require.ErrorIs(t, <-firstErr, context.Canceled)
	require.NoError(t, <-secondErr)
	assert.Equal(t, int64(2), fetches.Load())
	assert.Equal(t, float64(polybill.DefaultRetryBudget), c.RetryTokens(), "taking over is not a retry: no budget spent")
}
