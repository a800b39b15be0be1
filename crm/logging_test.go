package crm_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Logs name the route template, never the ids, emails or names in the path, and never a
// credential.
func TestLogsHoldNoSecretsOrPersonalData(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, c := newFake(t, nil, polybill.WithLogger(logger))
	srv.Faults().Add(crmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	ctx := context.Background()

	_, err := c.GetEAPSessions(ctx, "jane.secret@acme.com", "Secret Payer Ltd")
	require.NoError(t, err)
	_, err = c.GetParticipantReport(ctx, "jane.secret@acme.com")
	require.NoError(t, err)
	_, err = c.GetBilling(ctx, "billing-of-jane")
	require.ErrorIs(t, err, polybill.ErrNotFound)

	bad, err := crm.New(append(srv.ClientOptions(), crm.WithToken("leaked-token-value"), polybill.WithLogger(logger))...)
	require.NoError(t, err)
	_, err = bad.GetAgingReport(ctx)
	require.ErrorIs(t, err, polybill.ErrUnauthorized)

	out := buf.String()
	require.Contains(t, out, "/billings/eap_sessions/{participant_email}/{payer_name}", "the route template is logged")
	for _, private := range []string{"jane.secret", "Secret Payer", "Secret+Payer", "billing-of-jane", crmtest.DefaultToken, crmtest.DefaultAPIKey, "leaked-token-value"} {
		assert.NotContains(t, out, private)
	}
}
