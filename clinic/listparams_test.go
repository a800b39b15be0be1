package clinic_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
)

// probe records the query and the X-Probe header of every API request.
type probe struct {
	mu       sync.Mutex
	requests []string
}

func (p *probe) option() polybill.Option {
	return polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		if _, ok := polybill.CallInfoFrom(req.Context()); ok { // not the token request
			p.mu.Lock()
			p.requests = append(p.requests, req.URL.RawQuery+" probe="+req.Header.Get("X-Probe"))
			p.mu.Unlock()
		}
		return next(req)
	})
}

// TestListCopiesParams: ListInvoices copies its params and request options when it is
// called (docs/architecture.md, package template), so a caller who changes them while ranging
// changes nothing.
func TestListCopiesParams(t *testing.T) {
	var pr probe
	f := newFixture(t, nil, pr.option())
	seedMany(f.srv, 45)
	ctx := context.Background()
	list := func(mutate func(*clinic.ListInvoicesParams, []polybill.RequestOption)) ([]string, []string) {
		pr.requests = nil
		params := &clinic.ListInvoicesParams{BranchID: "DEL-02", PerPage: 7}
		opts := []polybill.RequestOption{polybill.WithHeader("X-Probe", "asked")}
		var ids []string
		for inv, err := range f.client.ListInvoices(ctx, params, opts...) {
			require.NoError(t, err)
			ids = append(ids, inv.ID)
			mutate(params, opts)
		}
		return ids, pr.requests
	}
	wantIDs, wantRequests := list(func(*clinic.ListInvoicesParams, []polybill.RequestOption) {})
	require.Len(t, wantIDs, 22)
	require.Len(t, wantRequests, 4)

	ids, requests := list(func(p *clinic.ListInvoicesParams, opts []polybill.RequestOption) {
		*p = clinic.ListInvoicesParams{BranchID: "BLR-01", PerPage: 2, Page: 9, Status: clinic.InvoiceStatusCancelled}
		opts[0] = polybill.WithHeader("X-Probe", "changed")
	})
	assert.Equal(t, wantIDs, ids)
	assert.Equal(t, wantRequests, requests)
}
