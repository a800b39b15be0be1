package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/polybill/polybill-go/clinic"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The benchmarks only compare like with like if both sides read the same records and walk
// the same lists; these tests check that, without timing anything.

func TestSidesReadTheSameRecord(t *testing.T) {
	ctx := context.Background()
	for _, a := range apis {
		t.Run(a.name, func(t *testing.T) {
			srv := newServer(t, a.handler(0))
			require.NoError(t, a.raw(t, srv.URL).get(ctx))
			require.NoError(t, a.sdk(t, srv.URL).get(ctx))
		})
	}
}

func TestSidesWalkEveryItem(t *testing.T) {
	ctx := context.Background()
	for _, a := range apis {
		t.Run(a.name, func(t *testing.T) {
			// Two full pages and a short one.
			items := 2*a.pageSize + a.pageSize/3
			srv := newServer(t, a.handler(items))
			for name, s := range map[string]side{"raw": a.raw(t, srv.URL), "sdk": a.sdk(t, srv.URL)} {
				n, err := s.walk(ctx)
				require.NoError(t, err, name)
				assert.Equal(t, items, n, name)
			}
		})
	}
}

// TestSidesSendTheSameRequest: both sides send the same headers, each value as long, on every
// request of a get and of a walk, so neither side's server work is larger. Only the request id's
// value differs (the SDK makes a new one per call, the baseline sends one of the same shape).
// When the SDK starts sending another header, this fails until the baseline sends it too.
func TestSidesSendTheSameRequest(t *testing.T) {
	ctx := context.Background()
	for _, a := range apis {
		t.Run(a.name, func(t *testing.T) {
			items := a.pageSize + 1 // two pages
			shapes := map[string][]string{}
			for _, name := range []string{"raw", "sdk"} {
				var mu sync.Mutex
				h := a.handler(items)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					// clinic's token is fetched once per client, by the raw side before its
					// first call and by the SDK in it; the benchmarks fetch it before the clock.
					if r.URL.Path != clinic.TokenPath {
						mu.Lock()
						shapes[name] = append(shapes[name], requestShape(r))
						mu.Unlock()
					}
					h.ServeHTTP(w, r)
				}))
				s := map[string]func(testing.TB, string) side{"raw": a.raw, "sdk": a.sdk}[name](t, srv.URL)
				require.NoError(t, s.get(ctx), name)
				n, err := s.walk(ctx)
				require.NoError(t, err, name)
				require.Equal(t, items, n, name)
				srv.Close()
			}
			require.Len(t, shapes["raw"], 3, "a get and two pages")
			assert.Equal(t, shapes["raw"], shapes["sdk"])
			if a.name == "crm" { // BenchmarkP1Transport: crm's get through the transport alone
				var shape string
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					shape = requestShape(r)
					a.handler(0).ServeHTTP(w, r)
				}))
				defer srv.Close()
				require.NoError(t, transportGet(t, srv.URL)(ctx))
				assert.Equal(t, shapes["raw"][0], shape, "transport")
			}
		})
	}
}

// requestShape is r's method, path and query, and its headers with the length of each value
// (the request id's value differs per call, its length does not).
func requestShape(r *http.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s?%s", r.Method, r.URL.Path, r.URL.RawQuery)
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		for _, v := range r.Header[k] {
			if k == "X-Request-Id" {
				v = strings.Repeat("x", len(v))
			}
			fmt.Fprintf(&b, "\n%s: %s", k, v)
		}
	}
	return b.String()
}

func TestWarmUpOpensOneConnectionPerWorker(t *testing.T) {
	ctx := context.Background()
	a := apis[0]
	srv := newServer(t, a.handler(0))
	s := a.raw(t, srv.URL)
	srv.warm(t, 8, func() error { return s.get(ctx) })
	assert.Equal(t, int64(8), srv.conns.Load())
	for range 16 {
		require.NoError(t, s.get(ctx))
	}
	assert.Equal(t, int64(8), srv.conns.Load(), "sequential calls reuse the warm connections")
}

func TestDecimalPageDecodesExactly(t *testing.T) {
	var numbers, strings []decimalLine
	require.NoError(t, json.Unmarshal(decimalPage(false), &numbers))
	require.NoError(t, json.Unmarshal(decimalPage(true), &strings))
	require.Len(t, numbers, 1000)
	require.Len(t, strings, 1000)
	for i := range numbers {
		assert.True(t, numbers[i].Amount.Equal(strings[i].Amount), i)
		assert.Equal(t, 2, numbers[i].Amount.Scale())
	}
	out, err := json.Marshal(numbers)
	require.NoError(t, err)
	assert.JSONEq(t, string(decimalPage(false)), string(out))
}
