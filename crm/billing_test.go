package crm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

func TestBillingLifecycle(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, nil)

	created, err := c.CreateMeetingBilling(ctx, "meeting-1", crm.CreateBillingParams{
		Amount:      polybill.MustDecimal("250.00"),
		PayerName:   "Acme Corp",
		PayerEmail:  "billing@acme.com",
		BillingType: "session",
	})
	require.NoError(t, err)
	assert.NotEmpty(t, created.UniqueID)
	assert.Equal(t, created.UniqueID, created.ID)
	assert.Equal(t, "billing", created.Type)
	assert.Equal(t, "meeting-1", created.MeetingID)
	require.NotNil(t, created.Amount)
	assert.Equal(t, "250.00", created.Amount.String())
	assert.Equal(t, crm.StatusPending, created.Status)
	assert.True(t, created.Status.IsKnown())
	require.NotNil(t, created.CreatedAt)
	assert.Nil(t, created.PaidAt, "an unpaid billing has no paid_at")

	got, err := c.GetBilling(ctx, created.UniqueID)
	require.NoError(t, err)
	assert.Equal(t, created.UniqueID, got.UniqueID)
	assert.Equal(t, "billing@acme.com", got.PayerEmail)

	single, err := c.GetMeetingBilling(ctx, "meeting-1")
	require.NoError(t, err)
	assert.Equal(t, created.UniqueID, single.UniqueID)

	amount := polybill.MustDecimal("275.00")
	updated, err := c.UpdateBilling(ctx, created.UniqueID, crm.UpdateBillingParams{Status: crm.StatusPaid, Amount: &amount})
	require.NoError(t, err)
	assert.Equal(t, crm.StatusPaid, updated.Status)
	assert.Equal(t, "275.00", updated.Amount.String())
	assert.NotNil(t, updated.PaidAt)
	stored, ok := srv.Billing(created.UniqueID)
	require.True(t, ok)
	assert.Equal(t, "paid", stored.Status)

	require.NoError(t, c.DeleteBilling(ctx, created.UniqueID))
	_, err = c.GetBilling(ctx, created.UniqueID)
	require.Error(t, err)
	assert.True(t, errors.Is(err, polybill.ErrNotFound))
	_ = fmt.Sprint
	_ = http.MethodGet
	_ = time.Now
	_ = crmtest.New
}
