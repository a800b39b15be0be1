package transport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// TestExpectedNotFoundIsNotAWarning: a read answered 404 is an existence check's answer and
// is logged at debug; failures that need attention stay at warn (issue 14 §7).
func TestExpectedNotFoundIsNotAWarning(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		status    int
		wantLevel string
	}{
		{"GET 404 (existence check)", http.MethodGet, 404, "DEBUG"},
		{"HEAD 404", http.MethodHead, 404, "DEBUG"},
		{"DELETE 404 (the target is gone)", http.MethodDelete, 404, "WARN"},
		{"POST 404 (a write's route or parent is missing)", http.MethodPost, 404, "WARN"},
		{"GET 403", http.MethodGet, 403, "WARN"},
		{"GET 500", http.MethodGet, 500, "WARN"},
		{"GET 200", http.MethodGet, 200, "DEBUG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer // Do logs from the calling goroutine
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			srv := statusServer(t, &recorder{}, tt.status)
			c := newClient(t, srv.URL, nil, polybill.WithLogger(logger), polybill.WithMaxRetries(0))
			_ = c.Do(context.Background(), transport.Call{Method: tt.method, Op: opX, AllowEmptyBody: true}, nil)
			var call map[string]any
			for _, line := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
				var rec map[string]any
				require.NoError(t, json.Unmarshal(line, &rec))
				if rec["msg"] == "polybill call" {
					call = rec
				}
			}
			require.NotNil(t, call, "one call record: %s", logs.String())
			assert.Equal(t, tt.wantLevel, call["level"])
			assert.EqualValues(t, tt.status, call["status"])
		})
	}
}
