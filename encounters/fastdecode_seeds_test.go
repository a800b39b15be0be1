package encounters_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// TestFastDecodeSeedsAreCurrent keeps testdata/fastdecode equal to what the fake serves for
// invoices: a draft, a finalized invoice with discounts, tags and a payment, one with
// $populated, and find pages in both shapes. The internal differential tests and fuzz targets
// of the fast decoders read these files (they cannot import the fake, which imports this
// package). go test -run TestFastDecodeSeedsAreCurrent -update rewrites them.
func TestFastDecodeSeedsAreCurrent(t *testing.T) {
	srv := encounterstest.New(encounterstest.WithClock(encounterstest.NewManualClock(time.UnixMilli(1700000000000))))
	defer srv.Close()
	c, err := encounters.New(append(srv.ClientOptions(), polybill.WithMaxRetries(0))...)
	require.NoError(t, err)
	ctx := context.Background()

	draft, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeInventoryTransaction})
	require.NoError(t, err)
	amount, pct := dec("50.00"), dec("12.5")
	full, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{
		Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter, Subject: "px-1", SubjectType: "medical-patient",
		SubjectTags: []string{"senior", "pwd"}, OR: "OR-1", TaxComplication: encounters.TaxInclusive,
		Notes: "line one\nline \"two\" \u00e9", Tags: []string{"opd"}, ActionCode: "AC-1",
		Discounts: []encounters.Discount{{ID: "d1", Code: "SENIOR", Name: "Senior", Percentage: &pct}, {Promo: "p", Amount: &amount}},
	})
	require.NoError(t, err)
	item, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: full.ID, Type: "service", Ref: "svc-1", Name: "Consult", Quantity: 2, PriceCurrency: "PHP", Price: dec("750.00")})
	require.NoError(t, err)
	_, err = c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("500"), Idemp: "idemp-1"})
	require.NoError(t, err)
	finalized, err := c.Invoices.Finalize(ctx, full.ID)
	require.NoError(t, err)
	populated, err := c.Invoices.Get(ctx, full.ID, encounters.NewQuery().
		Populate("items", encounters.Populate{Service: "billing-items", Method: encounters.PopulateFind, LocalKey: "id", ForeignKey: "invoice"}).
		Populate("none", encounters.Populate{Service: "billing-items", Method: encounters.PopulateGet, LocalKey: "subject"}))
	require.NoError(t, err)
	require.NotEmpty(t, populated.Populated["items"])

	files := map[string][]byte{
		"invoice-draft.json":     draft.Raw,
		"invoice-full.json":      full.Raw,
		"invoice-finalized.json": finalized.Raw,
		"invoice-populated.json": populated.Raw,
	}
	for name, shape := range map[string]encounterstest.PageShape{"page-envelope.json": encounterstest.PageEnvelope, "page-array.json": encounterstest.PageArray} {
		srv.SetPageShape(shape)
		var resp *http.Response
		_, err := c.Invoices.Find(ctx, encounters.NewQuery().Limit(10), polybill.WithResponseInto(&resp))
		require.NoError(t, err)
		files[name], err = io.ReadAll(resp.Body)
		require.NoError(t, err)
	}

	dir := filepath.Join("testdata", "fastdecode")
	for name, body := range files {
		path := filepath.Join(dir, name)
		if *update {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, body, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -run TestFastDecodeSeedsAreCurrent -update ./encounters/")
		assert.Equal(t, string(want), string(body), "%s is stale: run go test -run TestFastDecodeSeedsAreCurrent -update ./encounters/", path)
	}
}
