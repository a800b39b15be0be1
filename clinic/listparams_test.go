package clinic_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/internal/probe"
)

// TestListCopiesParams: ListInvoices copies its params and request options when it is
// called (docs/architecture.md, package template), so a caller who changes them while ranging
// changes nothing.
func TestListCopiesParams(t *testing.T) {
	var pr probe.Recorder
	f := newFixture(t, nil, pr.Option())
	seedMany(f.srv, 45)
	ctx := context.Background()
	list := func(mutate func(*clinic.ListInvoicesParams, []polybill.RequestOption)) ([]string, []string) {
		pr.Take()
		params := &clinic.ListInvoicesParams{BranchID: "DEL-02", PerPage: 7}
		opts := []polybill.RequestOption{polybill.WithHeader(probe.Header, "asked")}
		var ids []string
		for inv, err := range f.client.ListInvoices(ctx, params, opts...) {
			require.NoError(t, err)
			ids = append(ids, inv.ID)
			mutate(params, opts)
		}
		return ids, pr.Take()
	}
	wantIDs, wantRequests := list(func(*clinic.ListInvoicesParams, []polybill.RequestOption) {})
	require.Len(t, wantIDs, 22)
	require.Len(t, wantRequests, 4)

	ids, requests := list(func(p *clinic.ListInvoicesParams, opts []polybill.RequestOption) {
		*p = clinic.ListInvoicesParams{BranchID: "BLR-01", PerPage: 2, Page: 9, Status: clinic.InvoiceStatusCancelled}
		opts[0] = polybill.WithHeader(probe.Header, "changed")
	})
	assert.Equal(t, wantIDs, ids)
	assert.Equal(t, wantRequests, requests)
}
