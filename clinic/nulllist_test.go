package clinic_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/clinic/clinictest"
)

// A list whose data is null or missing, in any of the envelopes the client reads, is an empty
// page, not an error (null means absent); so is a null line-item or payment list of an invoice.
func TestNullOrMissingListsAreEmpty(t *testing.T) {
	for _, body := range []string{`{"data":null}`, `{"data":null,"meta":{"total":0,"total_pages":0}}`, `{}`, `{"items":null,"pagination":{"total_count":0}}`, `[]`} {
		t.Run(body, func(t *testing.T) {
			f := newFixture(t, nil)
			f.offSpec = true
			f.srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/invoices" },
				Times: 2, Status: http.StatusOK, Body: body})
			page, err := f.client.ListInvoicesPage(context.Background(), nil)
			require.NoError(t, err)
			require.NotNil(t, page.Items)
			assert.Empty(t, page.Items)
			assert.False(t, page.HasMore)
			for _, err := range f.client.ListInvoices(context.Background(), nil) {
				require.NoError(t, err)
				t.Fatal("an empty page yields nothing")
			}
		})
	}
	t.Run("invoice with null lists", func(t *testing.T) {
		f := newFixture(t, nil)
		f.offSpec = true
		f.srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/invoices/INV-1" },
			Status: http.StatusOK, Body: `{"id":"INV-1","line_items":null,"payments":null,"grand_total":1}`})
		inv, err := f.client.GetInvoice(context.Background(), "INV-1")
		require.NoError(t, err)
		assert.Equal(t, "INV-1", inv.ID)
		assert.Empty(t, inv.LineItems)
		assert.Empty(t, inv.Payments)
		assert.Empty(t, inv.Problems())
	})
}
