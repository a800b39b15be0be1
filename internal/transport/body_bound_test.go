package transport_test

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// endless is a body that never ends, counting what was read from it.
type endless struct{ read atomic.Int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.read.Add(int64(len(p)))
	return len(p), nil
}
func (e *endless) Close() error { return nil }

// answering is a middleware standing in for a server: it answers 200 with body and the
// declared length, without a network in between, so the test measures the client alone.
func answering(body io.ReadCloser, length int64) polybill.Middleware {
	return func(req *http.Request, _ func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body,
			ContentLength: length, Request: req}, nil
	}
}

// TestRefusedEndlessBodyAllocatesAboutTheBound: refusing a body with no Content-Length that
// never ends allocates at most 1.25× the bound in total (the growing buffer it replaced
// allocated about 3×).
func TestRefusedEndlessBodyAllocatesAboutTheBound(t *testing.T) {
	const bound = 4 << 20
	body := &endless{}
	c := newClient(t, "http://127.0.0.1:1", nil, polybill.WithMaxResponseBytes(bound), polybill.WithMiddleware(answering(body, -1)))
	call := transport.Call{Method: http.MethodGet, Op: opX}
	require.ErrorIs(t, c.Do(context.Background(), call, nil), polybill.ErrResponseTooLarge) // warm up
	body.read.Store(0)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := c.Do(context.Background(), call, nil)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, polybill.ErrResponseTooLarge)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d bytes refusing a body at a %d-byte bound (%.2f×)", allocated, bound, float64(allocated)/bound)
	assert.LessOrEqual(t, allocated, uint64(bound*5/4), "peak allocation over 1.25× the bound")
	assert.LessOrEqual(t, body.read.Load(), int64(bound+1<<20), "read stops at the bound")
}

// TestDeclaredOversizeBodyIsRefusedBeforeReading: a 1 GiB Content-Length is refused from the
// header alone: not one byte of the body is read (reading up to the bound first would read
// the bound and allocate it).
func TestDeclaredOversizeBodyIsRefusedBeforeReading(t *testing.T) {
	body := &endless{}
	c := newClient(t, "http://127.0.0.1:1", nil, polybill.WithMaxResponseBytes(1<<20), polybill.WithMiddleware(answering(body, 1<<30)))
	err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil)
	require.ErrorIs(t, err, polybill.ErrResponseTooLarge)
	assert.Zero(t, body.read.Load(), "bytes read from a body whose declared length is over the bound")
}

// TestBodiesWithinTheBoundArriveWhole: chunked reading joins the chunks exactly, at and
// around chunk and bound edges.
func TestBodiesWithinTheBoundArriveWhole(t *testing.T) {
	const bound = 3 << 20
	for _, n := range []int{0, 1, 511, 512, 513, 1 << 20, 1<<20 + 7, bound - 1, bound} {
		for _, declared := range []bool{false, true} {
			want := `"` + strings.Repeat("y", n) + `"`
			length := int64(-1)
			if declared {
				length = int64(len(want))
			}
			c := newClient(t, "http://127.0.0.1:1", nil, polybill.WithMaxResponseBytes(bound+2),
				polybill.WithMiddleware(answering(io.NopCloser(strings.NewReader(want)), length)))
			var got string
			require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, &got), "n=%d declared=%v", n, declared)
			require.Equal(t, n, len(got), "n=%d declared=%v", n, declared)
		}
	}
}
