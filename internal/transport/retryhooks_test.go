package transport_test

import (
	"context"
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

// TestRetriesAreTheCallersAndTheReplayIsPartOfAnAttempt pins that a call makes exactly the
// caller's retries, and that the 401 replay happens inside the attempt that got the 401: it
// is still possible on the last attempt, and it never lets a call make one retry more than
// it was allowed. (go-retryablehttp's RetryMax is the caller's count; decideRetry bounds the
// retries too, so stretching RetryMax alone would not fail this test: the replay cases do.)
func TestRetriesAreTheCallersAndTheReplayIsPartOfAnAttempt(t *testing.T) {
	tests := []struct {
		name       string
		maxRetries int
		statuses   []int // per request the server sees, the last repeated
		wantErr    error
		wantSeen   int
		wantTokens int64 // token fetches: the first, plus one per refresh
	}{
		{name: "401 on the last attempt is replayed", maxRetries: 1, statuses: []int{503, 401, 200}, wantSeen: 3, wantTokens: 2},
		{name: "401 on the only attempt is replayed", maxRetries: 0, statuses: []int{401, 200}, wantSeen: 2, wantTokens: 2},
		{name: "no retry beyond the caller's", maxRetries: 1, statuses: []int{503, 503, 200}, wantErr: polybill.ErrServer, wantSeen: 2, wantTokens: 1},
		{name: "the replay is not a retry", maxRetries: 1, statuses: []int{401, 503, 503, 200}, wantErr: polybill.ErrServer, wantSeen: 3, wantTokens: 2},
		{name: "one replay per call", maxRetries: 2, statuses: []int{401, 503, 401, 200}, wantErr: polybill.ErrUnauthorized, wantSeen: 3, wantTokens: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fetches atomic.Int64
			auth := transport.NewTokenAuth(func(ctx context.Context) (*oauth2.Token, error) {
				return &oauth2.Token{AccessToken: fmt.Sprintf("%s-%d", secretToken, fetches.Add(1)), Expiry: time.Now().Add(time.Hour)}, nil
			})
			rec := &recorder{}
			srv := statusServer(t, rec, tt.statuses...)
			c := newClient(t, srv.URL, auth, polybill.WithMaxRetries(tt.maxRetries))
			err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, int64(tt.wantSeen), rec.attempts.Load(), "requests the server saw")
			assert.Equal(t, tt.wantTokens, fetches.Load(), "token fetches")
		})
	}
}

// TestEachCallWaitsItsOwnDecidedWait runs calls concurrently on one client, each told by its
// server to wait a different time (Retry-After-Ms), and checks each waited its own: the wait
// is returned by the call's own Backoff, never passed through a field of a shared retry
// client (which -race would also report).
func TestEachCallWaitsItsOwnDecidedWait(t *testing.T) {
	waits := []time.Duration{20 * time.Millisecond, 600 * time.Millisecond}
	var mu sync.Mutex
	first := map[string]time.Time{}
	gap := map[string]time.Duration{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		mu.Lock()
		t0, seen := first[key]
		if !seen {
			first[key] = time.Now()
		} else {
			gap[key] = time.Since(t0)
		}
		mu.Unlock()
		if !seen {
			var ms, round int
			_, _ = fmt.Sscanf(key, "/wait/%d/%d", &ms, &round)
			w.Header().Set("Retry-After-Ms", fmt.Sprint(ms))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	// A minimum backoff above the short Retry-After: the library's own backoff, or a wait
	// leaking from one call to another, shows as a gap far from the server's.
	c := newClient(t, srv.URL, nil, polybill.WithMinRetryDelay(200*time.Millisecond), polybill.WithMaxRetryDelay(time.Second))
	op := polybill.Operation{ID: "wait", Route: "/wait/{ms}/{round}"}
	const rounds = 4
	var wg sync.WaitGroup
	for round := range rounds {
		for _, d := range waits {
			wg.Go(func() {
				// Each call its own path, so the server measures each call's gap.
				err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: op, Params: []string{fmt.Sprint(d.Milliseconds()), fmt.Sprint(round)}}, nil)
				assert.NoError(t, err)
			})
		}
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for round := range rounds {
		for _, d := range waits {
			key := fmt.Sprintf("/wait/%d/%d", d.Milliseconds(), round)
			g, ok := gap[key]
			require.True(t, ok, "%s was retried", key)
			assert.GreaterOrEqual(t, g, d, "%s waited at least what its server asked", key)
		}
		// Bounds far apart, so a loaded machine's scheduling delay cannot blur them: the
		// short call neither waited the long call's 600 ms nor the 200 ms minimum backoff.
		short := gap[fmt.Sprintf("/wait/20/%d", round)]
		assert.Less(t, short, 180*time.Millisecond, "round %d: the 20 ms call waited its own wait", round)
	}
}
