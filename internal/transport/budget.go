package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"sync/atomic"

	"github.com/polybill/polybill-go/internal/config"
)

// budget is the client-wide retry token bucket. Tokens are kept in thousandths in one
// atomic word so the success path of every call costs a CAS, not a lock.
type budget struct {
	milli  atomic.Int64
	max    int64
	refill int64
}

func newBudget(b config.RetryBudget) *budget {
	bu := &budget{max: int64(math.Round(b.Tokens * 1000)), refill: int64(math.Round(b.Refill * 1000))}
	bu.milli.Store(bu.max)
	return bu
}

// Retry costs, in tokens. A retry after a timeout costs twice a retry after an error answer
// or a broken connection, as in the AWS SDK v2's retry quota (10 against 5 in a 500-token
// bucket, scaled here to our 20-token bucket): a timeout says the API is slow or overloaded,
// and each retried timeout holds a connection and a goroutine for the whole attempt timeout.
const (
	retryCost        = 1000 // thousandths of a token
	timeoutRetryCost = 2000
)

// take spends cost (thousandths of a token) for a retry; false when less than that is left.
func (b *budget) take(cost int64) bool {
	for {
		v := b.milli.Load()
		if v < cost {
			return false
		}
		if b.milli.CompareAndSwap(v, v-cost) {
			return true
		}
	}
}

// costOf is the retry cost after an attempt that failed with err (nil: an error answer).
func costOf(err error) int64 {
	if err != nil && (errors.Is(err, context.DeadlineExceeded) || isTimeout(err)) {
		return timeoutRetryCost
	}
	return retryCost
}

// success refills after a successful call, up to the maximum.
func (b *budget) success() {
	if b.refill == 0 {
		return
	}
	for {
		v := b.milli.Load()
		if v >= b.max {
			return
		}
		if b.milli.CompareAndSwap(v, min(b.max, v+b.refill)) {
			return
		}
	}
}

// tokens reports the tokens left (for tests and figures).
func (b *budget) tokens() float64 { return float64(b.milli.Load()) / 1000 }

// RetryTokens reports the client's remaining retry budget.
func (c *Client) RetryTokens() float64 { return c.budget.tokens() }

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:])
}
