package transport_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// silentServer accepts connections on a loopback port and never answers: the server that
// made a call with context.Background() hang forever (issue 14 §5). It counts connections,
// one per attempt.
func silentServer(t *testing.T) (url string, conns *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	conns = new(atomic.Int64)
	done := make(chan struct{})
	var held []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			held = append(held, c) // read nothing, write nothing, close nothing
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range held {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String(), conns
}

func TestCallsEndWithoutADeadline(t *testing.T) {
	cfg, err := transport.NewConfig("test", nil, []polybill.Option(nil))
	require.NoError(t, err)
	assert.Equal(t, polybill.DefaultAttemptTimeout, cfg.AttemptTimeout, "an attempt is bounded by default")
	assert.Equal(t, polybill.DefaultCallTimeout, cfg.CallTimeout, "a call is bounded by default")
	assert.Greater(t, cfg.AttemptTimeout, time.Duration(0))
	assert.Greater(t, cfg.CallTimeout, cfg.AttemptTimeout, "a retry fits in a call")

	tests := []struct {
		name string
		opts []polybill.Option
		// minAttempts..maxAttempts is how many connections the call opened: the attempt
		// timeouts let GET retry; the call timeout ends everything at once.
		minAttempts, maxAttempts int64
	}{
		{"attempt timeout, no retries", []polybill.Option{polybill.WithAttemptTimeout(30 * time.Millisecond), polybill.WithCallTimeout(0), polybill.WithMaxRetries(0)}, 1, 1},
		{"attempt timeout applies per attempt", []polybill.Option{polybill.WithAttemptTimeout(30 * time.Millisecond), polybill.WithCallTimeout(0), polybill.WithMaxRetries(2)}, 3, 3},
		{"call timeout alone", []polybill.Option{polybill.WithAttemptTimeout(0), polybill.WithCallTimeout(50 * time.Millisecond), polybill.WithMaxRetries(2)}, 1, 1},
		// 40 attempts of 30 ms would take 1.2 s; the call timeout ends them after at most 13
		// (400 ms / 30 ms). 400 ms, not less: on a loaded 2-core machine the first attempt's
		// dial alone has taken over 150 ms, which left room for no second attempt.
		{"call timeout cuts the retries short", []polybill.Option{polybill.WithAttemptTimeout(30 * time.Millisecond), polybill.WithCallTimeout(400 * time.Millisecond), polybill.WithMaxRetries(39), polybill.WithRetryBudget(100, 0)}, 2, 14},
		{"WithHTTPClient Timeout applies per attempt", []polybill.Option{polybill.WithHTTPClient(&http.Client{Timeout: 30 * time.Millisecond}), polybill.WithAttemptTimeout(0), polybill.WithCallTimeout(0), polybill.WithMaxRetries(1)}, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, conns := silentServer(t)
			c := newClient(t, url, nil, tt.opts...)
			done := make(chan error, 1)
			go func() { done <- c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the call never returned") // a guard, not a timing assertion
			}
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, polybill.CodeTimeout, pe.Code, "%v", err)
			// The dial completes before the server's Accept returns: wait for the count.
			assert.Eventually(t, func() bool { return conns.Load() >= tt.minAttempts }, 5*time.Second, time.Millisecond, "connections (one per attempt)")
			assert.LessOrEqual(t, conns.Load(), tt.maxAttempts, "connections (one per attempt)")
		})
	}
}

func TestCallTimeoutLeavesAnEarlierDeadlineInCharge(t *testing.T) {
	url, _ := silentServer(t)
	c := newClient(t, url, nil, polybill.WithAttemptTimeout(0), polybill.WithCallTimeout(time.Hour), polybill.WithMaxRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := c.Do(ctx, transport.Call{Method: http.MethodGet, Op: opX}, nil)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, polybill.CodeTimeout, pe.Code)
}

// A backoff wait ends at the call's deadline: a Retry-After within the cap but past the
// call timeout neither sleeps past the deadline nor makes another attempt.
func TestCallTimeoutEndsABackoffWait(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"no caller deadline", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
		{"caller deadline later than the call timeout", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Hour)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				hits.Add(1)
				w.Header().Set("Retry-After", "3")
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
			t.Cleanup(srv.Close)
			c := newClient(t, srv.URL, nil, polybill.WithMaxRetryDelay(10*time.Second), polybill.WithCallTimeout(200*time.Millisecond), polybill.WithMaxRetries(2))
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			err := c.Do(ctx, transport.Call{Method: http.MethodGet, Op: opX}, nil)
			took := time.Since(start)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, polybill.CodeTimeout, pe.Code, "%v", err)
			assert.Zero(t, pe.StatusCode, "the call ended in the wait, not with the 503 that led to it")
			assert.Less(t, took, 2*time.Second, "the 3 s wait ends at the 200 ms call deadline")
			assert.Equal(t, int64(1), hits.Load(), "no attempt after the deadline")
		})
	}
}

// A call made with a context that is already canceled sends nothing, every time: the
// attempt's context is born done, before net/http looks at it. (An attempt context ended
// from another goroutine let about one call in a few hundred go out.)
func TestCanceledContextSendsNothing(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 200)
	c := newClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 2000 {
		err := c.Do(ctx, transport.Call{Method: http.MethodGet, Op: opX}, nil)
		require.ErrorIs(t, err, context.Canceled)
	}
	assert.Zero(t, rec.attempts.Load(), "requests that reached the server")
}
