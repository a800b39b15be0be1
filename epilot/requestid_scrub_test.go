package epilot_test

import (
	"bytes"
	"context"
	"log/slog"
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
	require.ErrorIs(t, err, polybill.ErrNotFound)
	logger.Warn("caller logs the error", "err", err)
	assert.Empty(t, echo.Problems(err, logs.String()))
}
