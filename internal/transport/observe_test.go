package transport_test

import (
	"context"
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
			l.add("call end attempts=%d status=%d request=%s err=%v ambiguous=%v", info.Attempt, r.StatusCode, r.RequestID, r.Err != nil, r.Ambiguous())
		},
	}
}

func TestObserverSeesEveryAttemptAndDecision(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		statuses []int
		opts     []polybill.Option
		want     []string
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
				"call end attempts=2 status=200 request=req-1 err=false ambiguous=false",
			},
		},
		{
			name: "retry refused by the budget", method: http.MethodGet, statuses: []int{503, 200},
			opts: []polybill.Option{polybill.WithRetryBudget(0.5, 0)},
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=503 error="503" retry=false reason="" wait=0s refused="retry_budget"`,
				"call end attempts=1 status=503 request=req-0 err=true ambiguous=false",
			},
		},
		{
			name: "a POST's 502 is ambiguous and not retried", method: http.MethodPost, statuses: []int{502},
			want: []string{
				"call start test getX attempt=0",
				"attempt 1 start",
				`attempt 1 end status=502 error="502" retry=false reason="" wait=0s refused=""`,
				"call end attempts=1 status=502 request=req-0 err=true ambiguous=true",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			srv := statusServer(t, rec, tt.statuses...)
			var log eventLog
			c := newClient(t, srv.URL, nil, append(tt.opts, polybill.WithObserver(log.observer(t)))...)
			_ = c.Do(context.Background(), transport.Call{Method: tt.method, Op: opX, Body: map[string]int{"a": 1}}, nil)
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
