package clinic_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Neither the client secret nor any access token reaches the logs, through a flow that
// fetches, rejects and renews tokens and fails a call.
func TestLogsCarryNoSecrets(t *testing.T) {
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFixture(t, nil, polybill.WithLogger(logger))
	ctx := context.Background()
	id := seedConsultation(f.srv, clinictest.InvoiceSeed{PatientName: "Asha Rao"})

	_, err := f.client.GetInvoice(ctx, id)
	require.NoError(t, err)
	f.clock.Advance(2 * time.Hour)
	_, err = f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("5000"), Mode: clinic.PaymentModeCash})
	require.Error(t, err)

	out := logs.String()
	require.NotEmpty(t, out)
	assert.NotContains(t, out, clinictest.DefaultClientSecret)
	assert.Empty(t, regexp.MustCompile(`bk_[0-9a-f]{8,}`).FindAllString(out, -1), "access tokens in logs")
	assert.Contains(t, out, "/api/v1/billing/invoices/{id}", "routes are logged as templates")
	assert.NotContains(t, out, id, "ids are not logged")
}
