package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	polybill "github.com/polybill/polybill-go"
)

// server is a loopback HTTP/1.1 server that counts the TCP connections it accepts.
type server struct {
	*httptest.Server
	conns atomic.Int64
	gate  atomic.Pointer[gate]
}

func newServer(tb testing.TB, h http.Handler) *server {
	s := &server{}
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g := s.gate.Load(); g != nil {
			g.arrive()
		}
		h.ServeHTTP(w, r)
	}))
	hs.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	hs.Start()
	s.Server = hs
	tb.Cleanup(hs.Close)
	return s
}

// gate holds requests until n of them are in the handler at once, so a warm-up provably opens
// n concurrent connections.
type gate struct {
	n       int64
	arrived atomic.Int64
	open    chan struct{}
}

func (g *gate) arrive() {
	if g.arrived.Add(1) == g.n {
		close(g.open)
	}
	select {
	case <-g.open:
	case <-time.After(5 * time.Second): // never hang a benchmark on a miscount
	}
}

// warm makes n concurrent calls held at the server until all n arrived, then returns: the
// client's pool has n connections to the server afterwards (if it keeps them).
func (s *server) warm(tb testing.TB, n int, call func() error) {
	s.gate.Store(&gate{n: int64(n), open: make(chan struct{})})
	defer s.gate.Store(nil)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			if err := call(); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

// writeJSON answers with a body of known length, as API servers do for JSON.
func writeJSON(w http.ResponseWriter, parts ...[]byte) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Content-Length"] = []string{strconv.Itoa(n)}
	w.WriteHeader(http.StatusOK)
	for _, p := range parts {
		_, _ = w.Write(p)
	}
}

// pager renders pages of a list whose items are all the same recorded item.
type pager struct {
	item  []byte
	total int
	mu    sync.Mutex
	cache map[int][]byte
}

func newPager(item []byte, total int) *pager {
	return &pager{item: item, total: total, cache: map[int][]byte{}}
}

// window returns how many items the page [start, start+limit) holds and their JSON, comma
// separated.
func (p *pager) window(start, limit int) (int, []byte) {
	n := min(max(p.total-start, 0), max(limit, 0))
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.cache[n]
	if !ok {
		b = make([]byte, 0, n*(len(p.item)+1))
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, p.item...)
		}
		p.cache[n] = b
	}
	return n, b
}

func intQuery(r *http.Request, key string, def int) int {
	v := strings.TrimPrefix(r.URL.Query().Get(key), "#")
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	return def
}

// rawClient is the baseline's client: net/http with a transport tuned for concurrency (the
// default keeps 2 idle connections per host).
func rawClient(tb testing.TB) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	tb.Cleanup(t.CloseIdleConnections)
	return &http.Client{Transport: t}
}

// sdkUserAgent is the User-Agent the SDK sends (see TestSidesSendTheSameRequest).
var sdkUserAgent = fmt.Sprintf("polybill-go/%s (%s; %s/%s)", polybill.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)

// rawRequestID stands for the request id the SDK generates per call: a value of the same
// shape, so the request is as long; generating it is SDK work the baseline does not do.
const rawRequestID = "req_0123456789abcdef01234567"

// sameRequest is h (an API's credentials, and any header the SDK adds for that API) plus the
// SDK's User-Agent: the baseline sends the request the SDK sends, header for header, so the
// ratios measure the client code and not the request's content. The server is in-process, so
// every header the SDK sent on top would be parsed, and charged to the SDK, by the process
// being measured, though a real API server parses it on its own CPU. What those headers cost
// is measured on its own (docs/architecture.md, "Cost per call").
func sameRequest(h http.Header) http.Header {
	h.Set("User-Agent", sdkUserAgent)
	return h
}

// rawGet is the careful hand-written call: headers, status check, streaming decode into a
// typed struct, body drained and closed so the connection is reused.
func rawGet(ctx context.Context, hc *http.Client, url string, header http.Header, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// sample is what one side of a benchmark measured itself, per op. extra always holds
// cpu-ns/op: the process's CPU time per op (client and server), the figure to trust when the
// machine is shared, since wall time then mostly measures the other processes.
type sample struct {
	ns, allocs, bytes float64
	extra             map[string]float64
}

// meter brackets the timed loop with its own clock and allocation counters, so the sdk side
// can report ratios against the raw side that ran just before it.
type meter struct {
	start time.Time
	cpu0  time.Duration
	m0    runtime.MemStats
}

func startMeter(b *testing.B) *meter {
	m := &meter{}
	runtime.ReadMemStats(&m.m0)
	b.ResetTimer()
	m.cpu0 = cpuTime()
	m.start = time.Now()
	return m
}

func (m *meter) stop(b *testing.B) sample {
	elapsed := time.Since(m.start)
	cpu := cpuTime() - m.cpu0
	b.StopTimer()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	t := blockTotals{n: uint64(b.N), allocs: m1.Mallocs - m.m0.Mallocs, bytes: m1.TotalAlloc - m.m0.TotalAlloc, wall: elapsed, cpu: cpu}
	return t.sample()
}

var rawSamples sync.Map // parent benchmark name -> sample of its "raw" side

// report stores the raw side's sample, or reports the sdk side's ratios to it (see
// reportRatios). P1's sdk side reports its ratios itself (see interleave).
func report(b *testing.B, s sample) {
	parent, side := path.Dir(b.Name()), path.Base(b.Name())
	reportExtra(b, s)
	switch side {
	case "raw":
		rawSamples.Store(parent, s)
	case "sdk":
		if v, ok := rawSamples.Load(parent); ok {
			reportRatios(b, s, v.(sample))
		}
	}
}

// reportRatios reports x-raw-ns, x-raw-allocs, x-raw-B and x-raw-<metric> for every extra
// metric: the sdk value divided by the raw one (for "new-conns", "warm-conns" and "page-B"
// no ratio is reported).
func reportRatios(b *testing.B, s, raw sample) {
	ratio := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	b.ReportMetric(ratio(s.ns, raw.ns), "x-raw-ns")
	b.ReportMetric(ratio(s.allocs, raw.allocs), "x-raw-allocs")
	b.ReportMetric(ratio(s.bytes, raw.bytes), "x-raw-B")
	for k, sv := range s.extra {
		if rv, ok := raw.extra[k]; ok && k != "new-conns" && k != "warm-conns" && k != "page-B" {
			b.ReportMetric(ratio(sv, rv), "x-raw-"+k)
		}
	}
}

// p1Block is how many calls of each side one round of interleave makes: long enough that the
// forced collection ending a block is ≈1% of its CPU, short enough that a run of one second
// alternates several times.
const p1Block = 2000

// interleave runs the sdk side of a P1 benchmark: b.N calls of sdk in blocks of p1Block,
// each paired with a block of as many raw calls, the order within a pair alternating. It
// reports sdk's figures, and its ratios (x-raw-…) against the raw blocks of the same run.
//
// Why not against the raw sub-benchmark that ran before: on a shared machine the CPU a call
// costs drifts by ±10–50% over seconds (other tenants' load, frequency), and a ratio of two
// runs a second apart measures that drift as much as the SDK. Blocks of a fraction of a
// second, alternating, share the drift. Each block ends with a collection on its own clock,
// so the garbage a side makes is collected on that side's CPU time, not the next block's.
// The testing timer (go test's ns/op, B/op and allocs/op) runs during the sdk blocks only.
func interleave(b *testing.B, sdk, raw func(context.Context) error) {
	var s, r blockTotals
	b.ResetTimer()
	b.StopTimer()
	for done, i := 0, 0; done < b.N; i++ {
		n := min(p1Block, b.N-done)
		if i%2 == 0 {
			s.run(b, n, sdk, true)
			r.run(b, n, raw, false)
		} else {
			r.run(b, n, raw, false)
			s.run(b, n, sdk, true)
		}
		done += n
	}
	mine := s.sample()
	reportExtra(b, mine)
	reportRatios(b, mine, r.sample())
}

// reportExtra reports s's extra metrics (cpu-ns/op, …); go test reports ns/op, B/op and
// allocs/op itself.
func reportExtra(b *testing.B, s sample) {
	for k, v := range s.extra {
		b.ReportMetric(v, k)
	}
}

// blockTotals sums what a side measured over its calls: the blocks of one side of interleave,
// or one meter's run.
type blockTotals struct {
	n, allocs, bytes uint64
	wall, cpu        time.Duration
}

// run makes n calls of f as one block; timed runs the testing timer over the calls.
func (t *blockTotals) run(b *testing.B, n int, f func(context.Context) error, timed bool) {
	ctx := context.Background()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := cpuTime()
	if timed {
		b.StartTimer()
	}
	start := time.Now()
	for range n {
		if err := f(ctx); err != nil {
			b.Fatal(err)
		}
	}
	t.wall += time.Since(start)
	if timed {
		b.StopTimer()
	}
	runtime.GC()
	t.cpu += cpuTime() - cpu0
	runtime.ReadMemStats(&m1)
	t.n += uint64(n)
	t.allocs += m1.Mallocs - m0.Mallocs
	t.bytes += m1.TotalAlloc - m0.TotalAlloc
}

func (t *blockTotals) sample() sample {
	n := float64(t.n)
	return sample{
		ns:     float64(t.wall.Nanoseconds()) / n,
		allocs: float64(t.allocs) / n,
		bytes:  float64(t.bytes) / n,
		extra:  map[string]float64{"cpu-ns/op": float64(t.cpu.Nanoseconds()) / n},
	}
}

// heapPeak samples the heap's object bytes every heapEvery (runtime/metrics does not stop
// the world) and reports the largest growth over the heap before the walk.
type heapPeak struct {
	base  uint64
	peak  atomic.Uint64
	stopc chan struct{}
	done  chan struct{}
}

const heapMetric = "/memory/classes/heap/objects:bytes"

var heapEvery = 10 * time.Millisecond

func readHeap(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	s := []metrics.Sample{{Name: heapMetric}}
	h := &heapPeak{base: readHeap(s), stopc: make(chan struct{}), done: make(chan struct{})}
	h.peak.Store(h.base)
	go func() {
		defer close(h.done)
		s := []metrics.Sample{{Name: heapMetric}}
		t := time.NewTicker(heapEvery)
		defer t.Stop()
		for {
			select {
			case <-h.stopc:
				return
			case <-t.C:
				if v := readHeap(s); v > h.peak.Load() {
					h.peak.Store(v)
				}
			}
		}
	}()
	return h
}

// stop returns the peak growth in bytes.
func (h *heapPeak) stop() float64 {
	close(h.stopc)
	<-h.done
	return float64(h.peak.Load() - h.base)
}

// countWithID walks an SDK iterator to its end and counts the items with an id, so the walk
// touches every item as the raw loops do.
func countWithID[T any](seq iter.Seq2[T, error], id func(T) string) (int, error) {
	n := 0
	for item, err := range seq {
		if err != nil {
			return n, err
		}
		n += min(len(id(item)), 1)
	}
	return n, nil
}
