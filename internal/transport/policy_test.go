package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryDecisionMatrix spells out DESIGN rules 3 and 4 cell by cell: method × status ×
// safety flag × error kind → retry or not. The expectations are written from the rules'
// text, not computed by the code under test.
func TestRetryDecisionMatrix(t *testing.T) {
	methods := []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPost, http.MethodPatch}
	statuses := []int{200, 400, 401, 404, 408, 409, 429, 500, 502, 503, 504}
	safeties := []Safety{SafetyFromMethod, Idempotent, DedupedWrite, UnsafeWrite}
	retriedStatus := map[int]bool{408: true, 429: true, 500: true, 502: true, 503: true, 504: true}
	idempotentMethod := map[string]bool{http.MethodGet: true, http.MethodPut: true, http.MethodDelete: true}

	mayRepeat := func(method string, s Safety) bool {
		switch s {
		case Idempotent, DedupedWrite:
			return true
		case UnsafeWrite:
			return false
		}
		return idempotentMethod[method] // SafetyFromMethod
	}

	cells := 0
	for _, m := range methods {
		for _, s := range safeties {
			eff := s.resolve(m)
			for _, status := range statuses {
				want := mayRepeat(m, s) && retriedStatus[status]
				assert.Equal(t, want, shouldRetry(eff, status, noFailure), "%s safety=%d status=%d", m, s, status)
				cells++
			}
			// Error kinds: the request never left → always safe; it may have been sent
			// (reset after send, timeout) → only when repeating is harmless.
			assert.True(t, shouldRetry(eff, 0, neverSent), "%s safety=%d dial refused", m, s)
			assert.Equal(t, mayRepeat(m, s), shouldRetry(eff, 0, maybeSent), "%s safety=%d reset/timeout", m, s)
			assert.False(t, shouldRetry(eff, 0, fatal), "%s safety=%d fatal", m, s)
			cells += 3
		}
	}
	assert.Equal(t, len(methods)*len(safeties)*(len(statuses)+3), cells)
}

func TestClassifyErrors(t *testing.T) {
	bg := context.Background()
	canceled, cancel := context.WithCancel(bg)
	cancel()
	dial := &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	reset := &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
	tests := []struct {
		name   string
		parent context.Context
		err    error
		want   failure
	}{
		{"nil", bg, nil, noFailure},
		{"dial refused", bg, dial, neverSent},
		{"dns", bg, &url.Error{Err: &net.DNSError{Err: "no such host", Name: "x"}}, neverSent},
		{"reset after send", bg, reset, maybeSent},
		{"EOF", bg, &url.Error{Err: io.ErrUnexpectedEOF}, maybeSent},
		{"attempt timeout", bg, &url.Error{Err: context.DeadlineExceeded}, maybeSent},
		{"caller canceled", canceled, &url.Error{Err: context.Canceled}, fatal},
		{"body too large", bg, errBodyTooLarge, fatal},
		{"redirect refused", bg, fmt.Errorf("x: %w", errRedirectRefused), fatal},
		{"credentials unavailable (a token source the transport does not retry)", bg, &authError{err: errors.New("token endpoint down")}, neverSent},
		{"credentials unavailable after the token request's own retries", bg, &authError{err: errors.New("token endpoint down"), retried: true}, fatal},
		{"token request redirected elsewhere", bg, &authError{err: fmt.Errorf("x: %w", errRedirectRefused)}, fatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, classify(tt.parent, tt.err))
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{"fractional seconds", map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond, true},
		{"http date", map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second, true},
		{"http date in the past", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"ms header wins", map[string]string{"Retry-After-Ms": "250", "Retry-After": "9"}, 250 * time.Millisecond, true},
		{"garbage ms falls back", map[string]string{"Retry-After-Ms": "soon", "Retry-After": "2"}, 2 * time.Second, true},
		{"garbage", map[string]string{"Retry-After": "tomorrow-ish"}, 0, false},
		{"negative", map[string]string{"Retry-After": "-5"}, 0, false},
		{"negative ms", map[string]string{"Retry-After-Ms": "-5"}, 0, false},
		{"huge saturates", map[string]string{"Retry-After": "99999999999999999999"}, time.Duration(1<<63 - 1), true},
		{"absent", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got, ok := parseRetryAfter(h, now)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	for retry := 0; retry < 8; retry++ {
		full := min(100*time.Millisecond<<retry, 2*time.Second)
		for range 50 {
			d := backoff(100*time.Millisecond, 2*time.Second, retry)
			require.LessOrEqual(t, d, full)
			require.GreaterOrEqual(t, d, full*3/4)
		}
	}
}
