package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// readRig is one client and one idempotent read against its fake.
type readRig struct {
	faults *faults
	read   func(ctx context.Context, opts ...polybill.RequestOption) error
	close  func()
}

// readRigs builds each API's client with opts over its fake, and one GET that succeeds on an
// empty fake.
var readRigs = []struct {
	api   string
	build func(t *testing.T, opts []polybill.Option) readRig
}{
	{"crm", func(t *testing.T, opts []polybill.Option) readRig {
		srv := crmtest.New()
		c, err := crm.New(append(srv.ClientOptions(), polybill.WithOptions(opts...))...)
		require.NoError(t, err)
		return readRig{srv.Faults(), func(ctx context.Context, o ...polybill.RequestOption) error {
			_, err := c.GetOutstandingByPayer(ctx, o...)
			return err
		}, srv.Close}
	}},
	{"epilot", func(t *testing.T, opts []polybill.Option) readRig {
		srv := epilottest.New()
		c, err := epilot.New(append(srv.ClientOptions(), polybill.WithOptions(opts...))...)
		require.NoError(t, err)
		return readRig{srv.Faults(), func(ctx context.Context, o ...polybill.RequestOption) error {
			_, err := c.ListBillingEventsPage(ctx, &epilot.ListBillingEventsParams{Size: 10}, o...)
			return err
		}, srv.Close}
	}},
	{"encounters", func(t *testing.T, opts []polybill.Option) readRig {
		srv := encounterstest.New()
		c, err := encounters.New(append(srv.ClientOptions(), polybill.WithOptions(opts...))...)
		require.NoError(t, err)
		return readRig{srv.Faults(), func(ctx context.Context, o ...polybill.RequestOption) error {
			_, err := c.Invoices.Find(ctx, nil, o...)
			return err
		}, srv.Close}
	}},
	{"clinic", func(t *testing.T, opts []polybill.Option) readRig {
		srv := clinictest.New()
		c, err := clinic.New(append(srv.ClientOptions(), polybill.WithOptions(opts...))...)
		require.NoError(t, err)
		return readRig{srv.Faults(), func(ctx context.Context, o ...polybill.RequestOption) error {
			_, err := c.GetSummary(ctx, nil, o...)
			return err
		}, srv.Close}
	}},
}

// TestOutageRetryBudget takes each API down (503 for every request) and shows the retry
// budget at work: the first calls retry until the client-wide budget is spent, every later
// call makes exactly one attempt (fails fast, no extra load), and once the API is back,
// successful calls refill the budget so the next failure is retried again.
func TestOutageRetryBudget(t *testing.T) {
	const (
		maxRetries  = 3
		budget      = 5.0
		refill      = 0.5
		outageCalls = 12
	)
	for _, rr := range readRigs {
		t.Run(rr.api, func(t *testing.T) {
			counter := newAttemptCounter()
			logs := newCountingHandler(slog.LevelWarn)
			r := rr.build(t, []polybill.Option{
				polybill.WithMaxRetries(maxRetries), polybill.WithRetryBudget(budget, refill),
				polybill.WithMinRetryDelay(time.Millisecond), polybill.WithMaxRetryDelay(5 * time.Millisecond),
				polybill.WithMiddleware(counter.middleware()), polybill.WithLogger(slog.New(logs)),
			})
			defer r.close()
			ctx := context.Background()
			seq := 0
			call := func() (attempts int, err error) {
				seq++
				id := rr.api + "-" + strconv.Itoa(seq)
				err = r.read(ctx, polybill.WithHeader(callHeader, id))
				return counter.callAttempts(id), err
			}
			// Warm up: credentials are fetched and cached before the outage.
			_, err := call()
			require.NoError(t, err)

			outage := func(calls int) []int {
				r.faults.Add(fault{Status: 503, Times: -1, Body: `{"message":"down for maintenance"}`})
				defer r.faults.Clear()
				var per []int
				for range calls {
					n, err := call()
					require.Error(t, err)
					assert.ErrorIs(t, err, polybill.ErrServer)
					var pe *polybill.Error
					require.True(t, errors.As(err, &pe))
					assert.Equal(t, 503, pe.StatusCode)
					per = append(per, n)
				}
				return per
			}

			down := outage(outageCalls)
			extra := sum(down) - len(down)
			t.Logf("%s down: attempts per call %v (%d calls, %d attempts, %d retries; budget %.0f tokens, max %d retries per call)",
				rr.api, down, len(down), sum(down), extra, budget, maxRetries)
			assert.Equal(t, 1+maxRetries, down[0], "the first call of an outage is retried fully")
			assert.LessOrEqual(t, extra, int(budget), "retries during the outage are capped by the budget")
			spent := firstIndex(down, 1)
			require.GreaterOrEqual(t, spent, 1, "the budget was never spent")
			for i, n := range down[spent:] {
				assert.Equal(t, 1, n, "call %d after the budget was spent made more than one attempt", spent+i+1)
			}
			assert.Positive(t, logs.budgetRefused.Load(), "no call reported a budget refusal")

			// Recovery: each success refills `refill` tokens.
			var back []int
			for range int(budget/refill) + 2 {
				n, err := call()
				require.NoError(t, err)
				back = append(back, n)
			}
			t.Logf("%s back up: attempts per call %v", rr.api, back)

			again := outage(3)
			t.Logf("%s down again: attempts per call %v (budget refilled by %d successes)", rr.api, again, len(back))
			assert.Equal(t, 1+maxRetries, again[0], "after recovery the budget refilled: the next failure is retried fully")
			if testing.Verbose() {
				fmt.Printf("outage %-10s down %s | up %s | down again %s | refusals %d\n", rr.api, ints(down), ints(back), ints(again), logs.budgetRefused.Load())
			}
		})
	}
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func firstIndex(xs []int, v int) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return -1
}

func ints(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, " ")
}
