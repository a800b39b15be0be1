package reliability_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// The four fakes re-export the same fault types (aliases of internal/fake's); one name is
// enough here.
type (
	fault  = crmtest.Fault
	faults = crmtest.Faults
)

// callHeader tags every attempt of one logical call (its retries, 401 replays, the
// exactly-once lookups) so the attempt counter can tell first attempts from repeats.
const callHeader = "X-Chaos-Call"

// attemptCounter is a middleware counting HTTP attempts: total, per logical call, and
// repeats (an attempt whose call, method and path were already seen: a transport retry, a
// 401 replay, or an exactly-once re-send after a lookup).
type attemptCounter struct {
	attempts atomic.Int64
	repeats  atomic.Int64
	untagged atomic.Int64 // token endpoint requests and other calls without a call id
	seen     sync.Map     // call+method+path -> struct{}
	mu       sync.Mutex
	perCall  map[string]int
}

func newAttemptCounter() *attemptCounter { return &attemptCounter{perCall: map[string]int{}} }

func (a *attemptCounter) middleware() polybill.Middleware {
	return func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		a.attempts.Add(1)
		id := req.Header.Get(callHeader)
		if id == "" {
			a.untagged.Add(1)
			return next(req)
		}
		if _, dup := a.seen.LoadOrStore(id+" "+req.Method+" "+req.URL.EscapedPath(), struct{}{}); dup {
			a.repeats.Add(1)
		}
		a.mu.Lock()
		a.perCall[id]++
		a.mu.Unlock()
		return next(req)
	}
}

// callAttempts is how many attempts the call tagged id made.
func (a *attemptCounter) callAttempts(id string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.perCall[id]
}

// countingHandler is a slog handler counting the transport's call records that report a
// refused retry (budget_refused=true), and keeping every record's text when keep is set.
type countingHandler struct {
	level         slog.Level
	budgetRefused *atomic.Int64
	mu            *sync.Mutex
	keep          *[]string
}

func newCountingHandler(level slog.Level) *countingHandler {
	return &countingHandler{level: level, budgetRefused: new(atomic.Int64), mu: new(sync.Mutex), keep: new([]string)}
}

func (h *countingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "budget_refused" && a.Value.Kind() == slog.KindBool && a.Value.Bool() {
			h.budgetRefused.Add(1)
		}
		return true
	})
	return nil
}

func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

// faultMix is the chaos run's menu: each kind with its share of all requests. The shares
// add up to faultShare.
type faultKind struct {
	name  string
	share float64
	make  func(now time.Time) *fault
}

// Timing of the injected timeouts: the latency is well past the per-attempt timeout.
const (
	chaosAttemptTimeout = 150 * time.Millisecond
	chaosFaultLatency   = 400 * time.Millisecond
	chaosMinRetryDelay  = time.Millisecond
	chaosMaxRetryDelay  = 20 * time.Millisecond
	// chaosSlowBodyStep is the pause between 64-byte chunks of a slow body: a 10 KB body takes
	// about 40 ms, slow but inside the attempt timeout.
	chaosSlowBodyStep = 250 * time.Microsecond
	// chaosLateCommit is how long after its 504 a late-commit write lands.
	chaosLateCommit = 30 * time.Millisecond
	// chaosTokenRevokeEvery is how often the token-endpoint rig revokes every token, so
	// clients keep going back to a token endpoint that faults.
	chaosTokenRevokeEvery = 100 * time.Millisecond
)

// tokenPath is clinic's client-credentials endpoint.
const tokenPath = "/api/v1/auth/token"

// tokenFaultMix is what the token endpoint answers besides a token, with its share of token
// requests: transient errors a refresh must survive.
var tokenFaultMix = []faultKind{
	{"token 503", 0.10, func(time.Time) *fault { return &fault{Status: 503, Body: `{"error":"unavailable"}`} }},
	{"token 500", 0.05, func(time.Time) *fault { return &fault{Status: 500, Body: `{"error":"server_error"}`} }},
	{"token reset", 0.05, func(time.Time) *fault { return &fault{ResetBeforeHandler: true} }},
	{"token timeout", 0.03, func(time.Time) *fault { return &fault{Latency: chaosFaultLatency} }},
	{"token 429 Retry-After: 0", 0.03, func(time.Time) *fault { return &fault{Status: 429, RetryAfter: "0"} }},
}

var faultMix = []faultKind{
	{"500", 0.03, func(time.Time) *fault { return &fault{Status: 500, Body: `{"message":"chaos"}`} }},
	{"502", 0.03, func(time.Time) *fault {
		return &fault{Status: 502, Body: "<html>bad gateway</html>", Header: http.Header{"Content-Type": {"text/html"}}}
	}},
	{"503", 0.03, func(time.Time) *fault { return &fault{Status: 503} }},
	{"504", 0.03, func(time.Time) *fault { return &fault{Status: 504} }},
	// A gateway that gives up while the backend goes on and commits the write shortly after
	// the client heard 504: an exactly-once lookup right after the error does not see it yet.
	{"504, the write commits 30 ms later", 0.02, func(time.Time) *fault {
		return &fault{LateCommit: true, LateCommitDelay: chaosLateCommit}
	}},
	{"429 Retry-After: 0", 0.025, func(time.Time) *fault { return &fault{Status: 429, RetryAfter: "0"} }},
	{"429 Retry-After: <past HTTP date>", 0.01, func(now time.Time) *fault {
		return &fault{Status: 429, RetryAfter: now.Add(-time.Minute).UTC().Format(http.TimeFormat)}
	}},
	{"429 Retry-After-Ms: 5", 0.01, func(time.Time) *fault {
		return &fault{Status: 429, Header: http.Header{"Retry-After-Ms": {"5"}}}
	}},
	{overCapKind, 0.005, func(time.Time) *fault { return &fault{Status: 429, RetryAfter: "3600"} }},
	{"reset before handler", 0.04, func(time.Time) *fault { return &fault{ResetBeforeHandler: true} }},
	{"reset after commit", 0.04, func(time.Time) *fault { return &fault{ResetAfterHandler: true} }},
	{"timeout (latency > attempt timeout)", 0.015, func(time.Time) *fault { return &fault{Latency: chaosFaultLatency} }},
	{"truncated body", 0.03, func(time.Time) *fault { return &fault{TruncateBody: true} }},
	{"malformed body", 0.03, func(time.Time) *fault { return &fault{MalformedBody: true} }},
	{"slow body", 0.03, func(time.Time) *fault { return &fault{SlowBody: chaosSlowBodyStep} }},
}

// overCapKind is the 429 whose Retry-After is past the SDK's cap: the call must give up at
// once with ErrRateLimited instead of sleeping until its deadline.
const overCapKind = "429 Retry-After: 3600 (over the cap)"

// overCapCalls holds the call id (callHeader) of every call that received an over-cap 429.
var overCapCalls sync.Map

// randomFaults returns a picker for Faults.SetRandom: with the mix's probabilities it
// returns a fault (counted in counts, indexed like faultMix), otherwise nil. The fake calls
// it under its own lock, so rng needs none.
func randomFaults(rng *rand.Rand, counts []atomic.Int64, tokenCounts []atomic.Int64) func(*http.Request) *fault {
	return func(r *http.Request) *fault {
		x := rng.Float64()
		if r.URL.Path == tokenPath {
			for i, k := range tokenFaultMix {
				if x < k.share {
					tokenCounts[i].Add(1)
					return k.make(time.Now())
				}
				x -= k.share
			}
			return nil
		}
		for i, k := range faultMix {
			if x < k.share {
				counts[i].Add(1)
				if k.name == overCapKind {
					if id := r.Header.Get(callHeader); id != "" {
						overCapCalls.Store(id, true)
					}
				}
				return k.make(time.Now())
			}
			x -= k.share
		}
		return nil
	}
}

func faultShare() float64 {
	s := 0.0
	for _, k := range faultMix {
		s += k.share
	}
	return s
}
