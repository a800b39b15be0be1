package transport

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"sync/atomic"

	polybill "github.com/polybill/polybill-go"
)

// budget is the client-wide retry token bucket. Tokens are kept in thousandths in one
// atomic word so the success path of every call costs a CAS, not a lock.
type budget struct {
	milli  atomic.Int64
	max    int64
	refill int64
}

func newBudget(b polybill.RetryBudget) *budget {
	bu := &budget{max: int64(math.Round(b.Tokens * 1000)), refill: int64(math.Round(b.Refill * 1000))}
	bu.milli.Store(bu.max)
	return bu
}

// take spends one token for a retry; false when fewer than one is left.
func (b *budget) take() bool {
	for {
		v := b.milli.Load()
		if v < 1000 {
			return false
		}
		if b.milli.CompareAndSwap(v, v-1000) {
			return true
		}
	}
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
