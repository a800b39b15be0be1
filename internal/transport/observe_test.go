package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

type ctxMark string

// eventLog is an Observer that writes one line per event and checks that each hook gets
// the context the previous one returned.
type eventLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *eventLog) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *eventLog) observer(t *testing.T) *polybill.Observer {
	return &polybill.Observer{
		CallStart: func(ctx context.Context, info polybill.CallInfo) context.Context {
			l.add("call start %s %s attempt=%d", info.API, info.Operation.ID, info.Attempt)
			return context.WithValue(ctx, ctxMark("call"), true)
		},
		AttemptStart: func(ctx context.Context, info polybill.CallInfo) context.Context {
			assert.Equal(t, true, ctx.Value(ctxMark("call")), "attempt contexts descend from the call's")
			l.add("attempt %d start", info.Attempt)
			return context.WithValue(ctx, ctxMark("attempt"), info.Attempt)
		},
		AttemptEnd: func(ctx context.Context, info polybill.CallInfo, a polybill.AttemptResult) {
			assert.Equal(t, info.Attempt, ctx.Value(ctxMark("attempt")), "AttemptEnd gets AttemptStart's context")
			l.add("attempt %d end status=%d error=%q retry=%v reason=%q wait=%s refused=%q", info.Attempt, a.StatusCode, a.ErrorType, a.Retry, a.RetryReason, a.Wait, a.Refused)
		},
		CallEnd: func(ctx context.Context, info polybill.CallInfo, r polybill.CallResult) {
			assert.Equal(t, true, ctx.Value(ctxMark("call")), "CallEnd gets CallStart's context")
			l.add("call end attempts=%d status=%d request=%s err=%v ambiguous=%v reconcile=%v reconciled=%v", info.Attempt, r.StatusCode, r.RequestID, r.Err != nil, r.Ambiguous, r.ReconcileAttempted, r.Reconciled)
		},
	}
}

func TestObserverSeesEveryAttemptAndDecision(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		statuses []int
		opts     []polybill.Option
		// reconcile, when set, is the call's Reconcile: it answers found, err.
		reconcile func() (bool, error)
		want      []string
	}{
		{
			name: "503 retried then 200", method: http.MethodGet, statuses: []int{503, 200},
			opts: []polybill.Option{polybill.WithMinRetryDelay(0)},
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=503 error="503" retry=true reason="503" wait=0s refused=""`,
				"attempt 2 start",
				`attempt 2 end status=200 error="" retry=false reason="" wait=0s refused=""`,
				"call end attempts=2 status=200 request=req-1 err=false ambiguous=false reconcile=false reconciled=false",
			},
		},
		{
			name: "retry refused by the budget", method: http.MethodGet, statuses: []int{503, 200},
			opts: []polybill.Option{polybill.WithRetryBudget(0.5, 0)},
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=503 error="503" retry=false reason="" wait=0s refused="retry_budget"`,
				"call end attempts=1 status=503 request=req-0 err=true ambiguous=false reconcile=false reconciled=false",
			},
		},
		{
			name: "a POST's 502 is ambiguous and not retried", method: http.MethodPost, statuses: []int{502},
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=502 error="502" retry=false reason="" wait=0s refused=""`,
				"call end attempts=1 status=502 request=req-0 err=true ambiguous=true reconcile=false reconciled=false",
			},
		},
		{
			// The reconciliation runs inside the call: after its last attempt ended and
			// before CallEnd, which reports the write Ambiguous and Reconciled, and the call
			// succeeds.
			name: "an ambiguous POST reconciled", method: http.MethodPost, statuses: []int{502},
			reconcile: func() (bool, error) { return true, nil },
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=502 error="502" retry=false reason="" wait=0s refused=""`,
				"reconcile cause=502",
				"call end attempts=1 status=502 request=req-0 err=false ambiguous=true reconcile=true reconciled=true",
			},
		},
		{
			name: "an ambiguous POST the read-back could not settle", method: http.MethodPost, statuses: []int{502},
			reconcile: func() (bool, error) { return false, errors.New("no such record") },
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=502 error="502" retry=false reason="" wait=0s refused=""`,
				"reconcile cause=502",
				"call end attempts=1 status=502 request=req-0 err=true ambiguous=true reconcile=true reconciled=false",
			},
		},
		{
			name: "an ambiguous POST whose Reconcile did not try", method: http.MethodPost, statuses: []int{502},
			reconcile: func() (bool, error) { return false, nil },
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=502 error="502" retry=false reason="" wait=0s refused=""`,
				"reconcile cause=502",
				"call end attempts=1 status=502 request=req-0 err=true ambiguous=true reconcile=false reconciled=false",
			},
		},
		{
			name: "a definitive failure is not reconciled", method: http.MethodPost, statuses: []int{400},
			reconcile: func() (bool, error) { return true, nil },
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=400 error="400" retry=false reason="" wait=0s refused=""`,
				"call end attempts=1 status=400 request=req-0 err=true ambiguous=false reconcile=false reconciled=false",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			srv := statusServer(t, rec, tt.statuses...)
			var log eventLog
			c := newClient(t, srv.URL, nil, append(tt.opts, polybill.WithObserver(log.observer(t)))...)
			call := transport.Call{Method: tt.method, Op: opX, Body: map[string]int{"a": 1}}
			if tt.reconcile != nil {
				call.Reconcile = func(ctx context.Context, cause error) (bool, error) {
					var pe *polybill.Error
					require.ErrorAs(t, cause, &pe)
					log.add("reconcile cause=%d", pe.StatusCode)
					assert.Equal(t, true, ctx.Value(ctxMark("call")), "the lookups run under the write's call context")
					return tt.reconcile()
				}
			}
			_ = c.Do(context.Background(), call, nil)
			assert.Equal(t, tt.want, log.lines)
		})
	}
}

func TestObserverSeesTokenFetches(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 401, 200)
	fetches := 0
	auth := transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
		fetches++
		return &oauth2.Token{AccessToken: fmt.Sprintf("token-%d-abcdef", fetches), Expiry: time.Now().Add(time.Hour)}, nil
	})
	var mu sync.Mutex
	var seen []string
	obs := &polybill.Observer{TokenFetch: func(_ context.Context, api string, _ time.Duration, ok bool) {
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s ok=%v", api, ok))
		mu.Unlock()
	}}
	c := newClient(t, srv.URL, auth, polybill.WithObserver(obs))
	require.NoError(t, c.Authenticate(context.Background()))
	require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil))
	assert.Equal(t, []string{"test ok=true", "test ok=true"}, seen, "Authenticate's fetch and the refresh after the 401")
	assert.False(t, strings.Contains(strings.Join(seen, " "), "token-"))
}

func TestWithObserverRefusesNil(t *testing.T) {
	_, err := transport.NewConfig("test", nil, []polybill.Option{polybill.WithObserver(nil)})
	require.Error(t, err)
}

// TestReconcileErrorsAndContext: Do's answer after a reconciliation, and the context the
// lookups get: the caller's deadline (not the write's call timeout, which the write may have
// used up) with the call's values.
func TestReconcileErrorsAndContext(t *testing.T) {
	lookupErr := errors.New("lookup: no record with this reference")
	tests := []struct {
		name    string
		found   bool
		err     error
		wantErr string // "" when Do succeeds
	}{
		{name: "found: the write happened once, Do succeeds", found: true},
		{name: "not settled: the write's error first, then the read-back's", err: lookupErr, wantErr: "test: 502 c502: status 502 [request id req-0]\nlookup: no record with this reference"},
		{name: "not tried: the write's error as it was", wantErr: "test: 502 c502: status 502 [request id req-0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := statusServer(t, &recorder{}, 502)
			c := newClient(t, srv.URL, nil, polybill.WithCallTimeout(time.Minute))
			calls := 0
			call := transport.Call{Method: http.MethodPost, Op: opX, Reconcile: func(ctx context.Context, _ error) (bool, error) {
				calls++
				_, hasDeadline := ctx.Deadline()
				assert.False(t, hasDeadline, "the caller's context has no deadline; the call timeout is the write's, not the lookups'")
				assert.Equal(t, "v", ctx.Value(ctxMark("caller")), "the caller's values")
				return tt.found, tt.err
			}}
			err := c.Do(context.WithValue(context.Background(), ctxMark("caller"), "v"), call, nil)
			assert.Equal(t, 1, calls)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe, "errors.As finds the write's error")
			assert.True(t, pe.Ambiguous)
			assert.Equal(t, tt.wantErr, err.Error())
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
			}
		})
	}
}
