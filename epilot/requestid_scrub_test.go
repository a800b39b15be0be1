package epilot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/fake"
)

// TestEchoedRequestIDIsScrubbedAndBounded: a server echoing the request's credentials, an
// escape sequence, a forged log line and padding in X-Request-Id. The request id reaches Error(),
// the error's fields and every log line only scrubbed, printable and bounded.
func TestEchoedRequestIDIsScrubbedAndBounded(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	echo := &fake.CredentialEcho{}
	e := newEnv(t, polybill.WithMiddleware(echo.Middleware()), polybill.WithLogger(logger))
	_, err := e.client.GetBillingEvent(context.Background(), "missing")
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, polybill.ErrNotFound)
	require.NotEmpty(t, echo.Seen(), "credentials were sent and echoed")
	logger.Warn("caller logs the error", "err", err)
	assert.Empty(t, echo.Leaks(err.Error(), fmt.Sprintf("%+v", err), pe.RequestID, logs.String()), "credentials leaked")
	assert.Contains(t, pe.RequestID, "[REDACTED]")
	assert.LessOrEqual(t, len(pe.RequestID), 256, "the request id is bounded")
	assert.NotContains(t, pe.RequestID, "\x1b")
	assert.NotContains(t, err.Error(), "\n", "no forged log line")
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		assert.NotContains(t, line, strings.Repeat("x", 300), "a log line carries the bounded id")
	}
}
