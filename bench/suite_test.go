package bench

import (
	"context"
	"encoding/json"
	"testing"

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
