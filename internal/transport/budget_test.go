package transport_test

import (
	"context"
	"errors"
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

// TestRetryBudgetSignals: a timeout costs twice the budget of an error answer, and the error
// says when the budget, not the retry count, stopped the call.
func TestRetryBudgetSignals(t *testing.T) {
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	tests := []struct {
		name          string
		path          string
		budget        float64
		wantAttempts  int64
		wantExhausted bool
	}{
		{name: "error answers: 4 tokens pay 4 retries", path: "/busy", budget: 4, wantAttempts: 5, wantExhausted: true},
		{name: "timeouts: 4 tokens pay 2 retries", path: "/slow", budget: 4, wantAttempts: 3, wantExhausted: true},
		{name: "retry count reached first", path: "/busy", budget: 20, wantAttempts: 7, wantExhausted: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attempts.Store(0)
			c := newClient(t, srv.URL, nil, polybill.WithMaxRetries(6), polybill.WithRetryBudget(tc.budget, 0),
				polybill.WithAttemptTimeout(20*time.Millisecond))
			err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: transport.Op("test", tc.path)}, nil)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.wantAttempts, attempts.Load())
			assert.Equal(t, tc.wantExhausted, pe.RetryBudgetExhausted)
			assert.Equal(t, tc.wantExhausted, errors.Is(err, polybill.ErrRetryBudgetExhausted))
		})
	}
	t.Run("a token request stopped by the budget says so", func(t *testing.T) {
		down := transport.NewTokenAuth(func(context.Context) (*oauth2.Token, error) {
			return nil, &polybill.Error{API: "test", StatusCode: 503, Code: "server_error", Retryable: true}
		})
		c := newClient(t, srv.URL, down, polybill.WithMaxRetries(5), polybill.WithRetryBudget(1, 0))
		err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
		require.ErrorIs(t, err, polybill.ErrRetryBudgetExhausted)
	})
}
