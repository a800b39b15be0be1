package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// deleteServer deletes on the first DELETE and then loses the answer (the connection is
// closed after the commit); every later DELETE finds nothing: 404.
func deleteServer(t *testing.T, firstAnswer func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			firstAnswer(w)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"code":"not_found","message":"no such record"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func lostAnswer(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// TestRetriedDeleteThatFindsNothingSucceeded: the first DELETE committed and its answer was
// lost (reset) or replaced by a gateway error; the retry's 404 means the record is gone, which
// is what the caller asked for.
func TestRetriedDeleteThatFindsNothingSucceeded(t *testing.T) {
	for name, first := range map[string]func(http.ResponseWriter){
		"answer lost after the commit": lostAnswer,
		"gateway 504 after the commit": func(w http.ResponseWriter) { w.WriteHeader(http.StatusGatewayTimeout) },
	} {
		t.Run(name, func(t *testing.T) {
			srv, n := deleteServer(t, first)
			c := newClient(t, srv.URL, nil)
			gone := false
			err := c.Do(context.Background(), transport.Call{Method: http.MethodDelete, Op: transport.Op("test", "/records/1"), Gone: &gone}, nil)
			require.NoError(t, err)
			assert.True(t, gone, "the caller learns the record was already gone")
			assert.Equal(t, int64(2), n.Load())
		})
	}
	t.Run("a 404 on the first attempt is still not found", func(t *testing.T) {
		srv, _ := deleteServer(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) })
		c := newClient(t, srv.URL, nil)
		err := c.Do(context.Background(), transport.Call{Method: http.MethodDelete, Op: transport.Op("test", "/records/1")}, nil)
		require.ErrorIs(t, err, polybill.ErrNotFound)
	})
	t.Run("a 404 on a retried GET is still not found", func(t *testing.T) {
		srv, _ := deleteServer(t, lostAnswer)
		c := newClient(t, srv.URL, nil)
		err := c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: transport.Op("test", "/records/1")}, nil)
		require.ErrorIs(t, err, polybill.ErrNotFound)
	})
}
