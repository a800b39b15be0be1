// Package reliability_test proves DESIGN rules 3, 4 and 8 across the four clients against
// their in-process fakes: a chaos run with injected faults (chaos_test.go), the retry budget
// during an outage (outage_test.go), a security matrix (security_test.go) and a shared client
// under 64 goroutines with a token refresh mid-run (concurrency_test.go).
//
//	go test ./reliability/                           # 10,000-call chaos run and the rest
//	go test -short -race ./reliability/              # CI size
//	POLYBILL_CHAOS_LONG=1 go test -run Chaos -v ./reliability/ -timeout 30m
//
// POLYBILL_CHAOS_SEED and POLYBILL_CHAOS_CALLS override the seed and the call count.
package reliability_test
