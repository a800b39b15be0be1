package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// p3Items is how many items BenchmarkP3Iterate walks per op.
const p3Items = 100_000

// p2Workers is how many goroutines share one client in BenchmarkP2Concurrent.
const p2Workers = 64

// sides runs fn for the raw baseline, then for the SDK, each against a fresh client of srv.
func sides(b *testing.B, a api, base string, fn func(b *testing.B, s side)) {
	b.Run("raw", func(b *testing.B) { fn(b, a.raw(b, base)) })
	b.Run("sdk", func(b *testing.B) { fn(b, a.sdk(b, base)) })
}

// BenchmarkP1Get: one GET of a record per API; ns/op, B/op and allocs/op of the SDK vs raw.
// Targets: x-raw-ns ≤ 1.05, x-raw-allocs ≤ 1.3. The sdk side measures its ratios against raw
// calls interleaved with its own (see interleave); the raw side alone gives raw's figures.
func BenchmarkP1Get(b *testing.B) {
	for _, a := range apis {
		b.Run(a.name, func(b *testing.B) {
			srv := newServer(b, a.handler(0))
			p1(b, a.raw(b, srv.URL).get, a.sdk(b, srv.URL).get)
		})
	}
}

// p1 runs a P1 benchmark's two sub-benchmarks: raw alone, then sdk interleaved with raw.
func p1(b *testing.B, raw, sdk func(context.Context) error) {
	ctx := context.Background()
	for _, get := range []func(context.Context) error{raw, sdk} {
		if err := get(ctx); err != nil { // connections and tokens before the clock
			b.Fatal(err)
		}
	}
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		m := startMeter(b)
		for range b.N {
			if err := raw(ctx); err != nil {
				b.Fatal(err)
			}
		}
		report(b, m.stop(b))
	})
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		interleave(b, sdk, raw)
	})
}

// BenchmarkP2Concurrent: 64 goroutines share one client; one op is one call, so run it with
// -benchtime 20000x for the 20k calls of the issue. Reports calls/s, warm-conns (connections
// the warm-up opened: 64 concurrent calls held at the server, then free-running phases until
// the pool settles; 0 when the pool was already warm, as the SDK's process-wide pool is after
// the b.N=1 run) and new-conns, the TCP connections the server accepted after the warm-up. Targets: x-raw-calls/s ≥ 0.95, new-conns 0.
func BenchmarkP2Concurrent(b *testing.B) {
	ctx := context.Background()
	for _, a := range apis {
		b.Run(a.name, func(b *testing.B) {
			srv := newServer(b, a.handler(0))
			sides(b, a, srv.URL, func(b *testing.B, s side) {
				start := srv.conns.Load()
				srv.warm(b, p2Workers, func() error { return s.get(ctx) })
				// net/http returns a connection to its pool from the connection's read loop,
				// after the caller has closed the body: on a saturated machine a worker can ask
				// for its next connection first, and net/http dials another. A pool that keeps
				// its idle connections settles after a few such dials; one that does not (the
				// default 2 idle per host) dials on every phase. Warm-up therefore also runs
				// free phases until one opens no connection (at most 5), and new-conns counts
				// churn, not settling.
				for range 5 {
					opened := srv.conns.Load()
					if err := callConcurrently(p2Workers, 20*p2Workers, s.get); err != nil {
						b.Fatal(err)
					}
					if srv.conns.Load() == opened {
						break
					}
				}
				before := srv.conns.Load()
				b.ReportAllocs()
				m := startMeter(b)
				err := callConcurrently(p2Workers, b.N, s.get)
				smp := m.stop(b)
				if err != nil {
					b.Fatal(err)
				}
				smp.extra["calls/s"] = 1e9 / smp.ns
				smp.extra["new-conns"] = float64(srv.conns.Load() - before)
				smp.extra["warm-conns"] = float64(before - start)
				report(b, smp)
			})
		})
	}
}

// BenchmarkP3Iterate: 100,000 items through each API's iterator vs a raw paging loop; one op
// is the whole walk (run it with -benchtime 1x). Reports items/s, peak-heap-B (the largest
// growth of the heap during the walk, sampled every 10ms) and page-B (one page's body)
// so the peak can be read in pages. Targets: x-raw-ns ≤ 1.1; peak heap O(one page).
func BenchmarkP3Iterate(b *testing.B) {
	ctx := context.Background()
	for _, a := range apis {
		b.Run(a.name, func(b *testing.B) {
			srv := newServer(b, a.handler(p3Items))
			sides(b, a, srv.URL, func(b *testing.B, s side) {
				if err := s.get(ctx); err != nil { // connection and token before the clock
					b.Fatal(err)
				}
				var peak float64
				b.ReportAllocs()
				m := startMeter(b)
				for range b.N {
					h := startHeapPeak()
					n, err := s.walk(ctx)
					peak = max(peak, h.stop())
					if err != nil {
						b.Fatal(err)
					}
					if n != p3Items {
						b.Fatalf("walked %d items, want %d", n, p3Items)
					}
				}
				smp := m.stop(b)
				smp.extra["items/s"] = p3Items / (smp.ns / float64(time.Second))
				smp.extra["peak-heap-B"] = peak
				smp.extra["page-B"] = float64(a.pageBytes)
				report(b, smp)
			})
		})
	}
}

// BenchmarkP1Transport isolates the shared transport: the crm GET of BenchmarkP1Get made
// through internal/transport (same auth headers, request id, retries armed) and decoded into
// the raw side's struct, so the ratio is the transport's cost alone, without the API
// package's tolerant decoder.
func BenchmarkP1Transport(b *testing.B) {
	a := crmAPI()
	srv := newServer(b, a.handler(0))
	p1(b, a.raw(b, srv.URL).get, transportGet(b, srv.URL))
}

// callConcurrently makes calls calls from workers goroutines and returns the first error.
func callConcurrently(workers, calls int, call func(context.Context) error) error {
	ctx := context.Background()
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				if err := call(ctx); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return *err
	}
	return nil
}
