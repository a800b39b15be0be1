package encounters_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/internal/probe"
)

// TestListCopiesParams: a List method copies its query and request options when it is
// called (docs/architecture.md, package template), so a caller who changes them while ranging
// changes nothing. Every service's List shares one implementation (listAll); Invoices stands
// for all.
func TestListCopiesParams(t *testing.T) {
	var pr probe.Recorder
	c, _ := setup(t, nil, encounters.WithToken(encounterstest.DefaultToken), pr.Option())
	ctx := context.Background()
	for range 5 {
		_, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
		require.NoError(t, err)
	}
	_, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-2", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)

	list := func(mutate func(*encounters.Query, []polybill.RequestOption)) ([]string, []string) {
		pr.Take()
		q := encounters.NewQuery().Where("facility", "fac-1").Limit(2)
		opts := []polybill.RequestOption{polybill.WithHeader(probe.Header, "asked")}
		var ids []string
		for inv, err := range c.Invoices.List(ctx, q, opts...) {
			require.NoError(t, err)
			ids = append(ids, inv.ID)
			mutate(q, opts)
		}
		return ids, pr.Take()
	}
	wantIDs, wantRequests := list(func(*encounters.Query, []polybill.RequestOption) {})
	require.Len(t, wantIDs, 5)
	require.Len(t, wantRequests, 3)

	ids, requests := list(func(q *encounters.Query, opts []polybill.RequestOption) {
		q.Where("facility", "fac-2").Limit(1)
		opts[0] = polybill.WithHeader(probe.Header, "changed")
	})
	assert.Equal(t, wantIDs, ids)
	assert.Equal(t, wantRequests, requests)
}
