// Package bench holds the cross-API performance suite of polybill (issue 9). It has no API of
// its own: everything is in the _test.go files, run with
//
//	go test -run '^$' -bench . -benchmem ./bench/
//
// or, for a table of medians and SDK/raw ratios over several runs,
//
//	go run ./internal/cmd/benchreport
//
// Every benchmark runs the SDK and a hand-written net/http + encoding/json baseline (what a
// careful engineer would write: a typed struct, json.Number for money, a tuned transport, the
// body drained and closed) against the same in-process loopback server serving the same
// recorded payload (internal/benchdata), with the same request: the baseline sends the headers
// the SDK sends (its User-Agent; crm's second API-key header and a request id of the same
// shape), so the in-process server parses as much for both and the ratios measure the client
// code (TestSidesSendTheSameRequest keeps the two in step). The sub-benchmarks are named "raw"
// and "sdk"; "raw" runs first and "sdk" reports its own ratios to raw (x-raw-ns, x-raw-allocs,
// …). In P1 the sdk side measures them against raw calls interleaved with its own, in blocks of
// 2,000 calls that end with a collection on their own clock (see interleave): a shared
// machine's CPU cost drifts by tens of percent over seconds, which a ratio of two separate runs
// measures as much as the SDK.
//
//   - BenchmarkP1Get: one GET of a record per API (crm billing, epilot event, encounters
//     invoice, clinic invoice).
//   - BenchmarkP2Concurrent: 64 goroutines sharing one client; one op is one call (run it with
//     -benchtime 20000x). Reports calls/s and the TCP connections opened after warm-up.
//   - BenchmarkP3Iterate: 100,000 items through each API's iterator vs a raw paging loop; one
//     op is the whole walk. Reports items/s and the peak heap growth during the walk.
//   - BenchmarkDecimal: a page of 1,000 amounts decoded and encoded as polybill.Decimal vs
//     float64.
package bench
