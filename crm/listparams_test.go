package crm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/internal/probe"
)

// TestListCopiesParams: a List method copies its params (and request options) when it is
// called (docs/architecture.md, package template), so a caller who changes the struct, or the
// options slice, while ranging changes nothing: the sequence fetches what it was asked for.
func TestListCopiesParams(t *testing.T) {
	ctx := context.Background()
	var pr probe.Recorder
	srv, c := newFake(t, nil, pr.Option())
	for i := range 5 {
		_, err := srv.AddBilling(crmtest.Billing{UniqueID: fmt.Sprintf("b%d", i), MeetingID: "m-1",
			Amount: polybill.MustDecimal("10.00"), PayerName: "Acme", PayerEmail: "a@acme.com"})
		require.NoError(t, err)
	}
	list := func(mutate func(*crm.ListMeetingBillingsParams, []polybill.RequestOption)) ([]string, []string) {
		pr.Take()
		params := &crm.ListMeetingBillingsParams{Records: 2, Sort: "created_at"}
		opts := []polybill.RequestOption{polybill.WithHeader(probe.Header, "asked")}
		var ids []string
		for b, err := range c.ListMeetingBillings(ctx, "m-1", params, opts...) {
			require.NoError(t, err)
			ids = append(ids, b.UniqueID)
			mutate(params, opts)
		}
		return ids, pr.Take()
	}
	wantIDs, wantRequests := list(func(*crm.ListMeetingBillingsParams, []polybill.RequestOption) {})
	require.Equal(t, []string{"b0", "b1", "b2", "b3", "b4"}, wantIDs)
	require.Len(t, wantRequests, 3)

	ids, requests := list(func(p *crm.ListMeetingBillingsParams, opts []polybill.RequestOption) {
		*p = crm.ListMeetingBillingsParams{Page: 1, Records: 1, Sort: "-created_at", PayerName: "Nobody"}
		opts[0] = polybill.WithHeader(probe.Header, "changed")
	})
	assert.Equal(t, wantIDs, ids)
	assert.Equal(t, wantRequests, requests)
}
