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
// recorded payload (internal/benchdata). The sub-benchmarks are named "raw" and "sdk"; "raw" runs
// first so "sdk" can report its own ratios against it (x-raw-ns, x-raw-allocs, …).
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
