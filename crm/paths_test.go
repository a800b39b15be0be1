package crm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// Every path parameter reaches the server as exactly one segment, whatever it contains.
func TestPathParametersStayOneSegment(t *testing.T) {
	ctx := context.Background()
	ids := []string{"a/b", "100%", "..", ".", "x?y#z", "billing 1", "a+b", "../outstanding_by_payer", "%2F", "line\nbreak"}
	srv, c := newFake(t, nil)
	for _, id := range ids {
		_, err := srv.AddBilling(crmtest.Billing{UniqueID: id, MeetingID: id, Amount: polybill.MustDecimal("10.00"),
			PayerName: "Acme", PayerEmail: "billing@acme.com"})
		require.NoError(t, err)
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			b, err := c.GetBilling(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, id, b.UniqueID)

			m, err := c.GetMeetingBilling(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, id, m.MeetingID)

			split, err := c.GetPaymentSplit(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, id, split.BillingID)
		})
	}
	for _, r := range srv.Received() {
		rest := strings.TrimPrefix(r.EscapedPath, "/billings/")
		rest = strings.TrimSuffix(rest, "/payment_split")
		if strings.HasPrefix(r.EscapedPath, "/billings/") {
			assert.NotContains(t, rest, "/", "id escaped into one segment: %s", r.EscapedPath)
		}
	}
}

func TestEmailsAndPayerNamesAreEscaped(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, nil)
	const email, payer = "jane+eap@acme.com", "Acme / Corp 100% .."
	_, err := srv.AddBilling(crmtest.Billing{Amount: polybill.MustDecimal("150.00"), PayerName: payer,
		PayerEmail: "billing@acme.com", ParticipantEmail: email})
	require.NoError(t, err)

	s, err := c.GetEAPSessions(ctx, email, payer)
	require.NoError(t, err)
	require.Len(t, s.Sessions, 1)
	assert.Equal(t, payer, s.Sessions[0].PayerName)

	p, err := c.GetParticipantReport(ctx, email)
	require.NoError(t, err)
	assert.Equal(t, email, p.ParticipantEmail)
	assert.Equal(t, 1, *p.SessionsCount)

	last := srv.Received()[len(srv.Received())-1]
	assert.Equal(t, "/billings/reports/participant/jane%2Beap@acme.com", last.EscapedPath, "+ must not be read as a space")
}

func TestEmptyPathParameterIsRefused(t *testing.T) {
	srv, c := newFake(t, nil)
	_, err := c.GetBilling(context.Background(), "")
	var pe *polybill.Error
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "unique_id", pe.Param)
	_, err = c.GetEAPSessions(context.Background(), "jane@acme.com", "")
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "payer_name", pe.Param)
	assert.Zero(t, srv.Requests())
	_ = crm.API
}
