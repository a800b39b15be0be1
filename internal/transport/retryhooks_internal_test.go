package transport

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

// TestCheckRetryAskedTwiceDecidesOnce pins the contract go-retryablehttp's Do relies on:
// with a response handler set it may ask CheckRetry twice about one attempt (once for the
// response, once more with the handler's result), so the answer must be a function of the
// attempt, and its side effects (a budget token, the retry count) must happen once.
func TestCheckRetryAskedTwiceDecidesOnce(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		drain      int64 // thousandths of a token spent before the attempt, of a budget of 2
		refillIn   bool  // the budget refills between the two questions (a concurrent success)
		wantRetry  bool
		wantTokens float64
		wantRetrys int
		wantRefuse bool
	}{
		{name: "a retry spends one token", status: 503, wantRetry: true, wantTokens: 1, wantRetrys: 1},
		{name: "no retry spends nothing", status: 404, wantRetry: false, wantTokens: 2},
		{name: "a refusal is not turned into a retry by a refill between the questions", status: 503, drain: 1500, refillIn: true, wantRetry: false, wantTokens: 1.5, wantRefuse: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := NewConfig("test", nil, []polybill.Option{polybill.WithBaseURL("http://127.0.0.1:1"), polybill.WithMaxRetries(3), polybill.WithRetryBudget(2, 1)})
			require.NoError(t, err)
			c, err := New(Settings{API: "test", Config: cfg})
			require.NoError(t, err)
			require.True(t, c.budget.take(tt.drain))
			st := &callState{c: c, ctx: context.Background(), safety: Idempotent, maxRetries: 3, method: http.MethodGet}
			st.sends = 1 // one attempt was sent
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{}}

			first, err := st.checkRetry(st.ctx, resp, nil)
			require.NoError(t, err)
			if tt.refillIn {
				c.budget.success()
			}
			second, err := st.checkRetry(st.ctx, resp, nil)
			require.NoError(t, err)

			assert.Equal(t, tt.wantRetry, first)
			assert.Equal(t, first, second, "the same question about the same attempt gets the same answer")
			assert.InDelta(t, tt.wantTokens, c.RetryTokens(), 1e-9)
			assert.Equal(t, tt.wantRetrys, st.retries)
			assert.Equal(t, tt.wantRefuse, st.budgetRefused)

			// The next attempt is a new question: it is decided, and may spend, anew.
			if tt.wantRetry {
				st.sends++
				again, err := st.checkRetry(st.ctx, resp, nil)
				require.NoError(t, err)
				assert.True(t, again)
				assert.InDelta(t, tt.wantTokens-1, c.RetryTokens(), 1e-9)
				assert.Equal(t, tt.wantRetrys+1, st.retries)
			}
		})
	}
}
