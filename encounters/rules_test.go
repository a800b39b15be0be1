package encounters_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
)

// TestFakeRefusals: each business rule answers a typed Feathers error.
func TestFakeRefusals(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, nil)
	inv, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{ID: "enc-42", Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)
	assert.Equal(t, "enc-42", inv.ID)
	item, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: dec("100")})
	require.NoError(t, err)
	_, err = c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("80")})
	require.NoError(t, err)
	_, err = c.Items.Finalize(ctx, item.ID)
	require.NoError(t, err)
	cus, err := c.Customers.Create(ctx, encounters.CreateCustomerParams{Owner: encounters.CustomerOwner{Account: "uid-1"}})
	require.NoError(t, err)
	srv.SetCatalogPrice("svc-1", dec("10"))
	pi, err := c.PaymentIntents.Create(ctx, encounters.CreatePaymentIntentParams{GatewayType: "paymongo-gcash", Currency: "PHP", Items: []encounters.IntentItem{encounters.ServiceItem("svc-1", 1)}})
	require.NoError(t, err)

	cases := []struct {
		name  string
		call  func() error
		is    error
		param string
	}{
		{"duplicate invoice id", func() error {
			_, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{ID: "enc-42", Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
			return err
		}, polybill.ErrConflict, "id"},
		{"item on unknown invoice", func() error {
			_, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: "nope", Type: "service", Price: dec("1")})
			return err
		}, polybill.ErrValidation, "invoice"},
		{"price change after finalize", func() error {
			p := dec("50")
			_, err := c.Items.Patch(ctx, item.ID, encounters.PatchItemParams{Price: &p})
			return err
		}, polybill.ErrValidation, "price"},
		{"delete finalized item", func() error { _, err := c.Items.Delete(ctx, item.ID); return err }, polybill.ErrValidation, "id"},
		{"payment on unknown item", func() error {
			_, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: "nope", Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("1")})
			return err
		}, polybill.ErrValidation, "item"},
		{"overpayment by a cent", func() error {
			_, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CARD", Amount: dec("20.01")})
			return err
		}, polybill.ErrValidation, "amount"},
		{"finalize encounter without invoice", func() error {
			enc, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "f", Patient: "p"})
			require.NoError(t, err)
			_, err = c.Encounters.Finalize(ctx, enc.ID)
			return err
		}, polybill.ErrValidation, "finalize"},
		{"delete unknown card", func() error { _, err := c.Customers.DeleteCard(ctx, cus.ID, "card_x"); return err }, polybill.ErrValidation, "$deleteStripeCard"},
		{"capture before approval", func() error { _, err := c.PaymentIntents.Capture(ctx, pi.ID); return err }, polybill.ErrValidation, "capture"},
		{"intent with unknown ref", func() error {
			_, err := c.PaymentIntents.Create(ctx, encounters.CreatePaymentIntentParams{GatewayType: "g", Currency: "PHP", Items: []encounters.IntentItem{encounters.VariantItem("SKU-missing", 1)}})
			return err
		}, polybill.ErrValidation, "items[0].ref"},
		{"unknown record", func() error { _, err := c.Payments.Get(ctx, "pay-404", nil); return err }, polybill.ErrNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var perr *polybill.Error
			require.ErrorAs(t, err, &perr)
			assert.ErrorIs(t, err, tc.is)
			assert.NotZero(t, perr.StatusCode, "answered by the server")
			assert.Equal(t, tc.param, perr.Param)
		})
	}
	// The exact remaining balance is accepted.
	_, err = c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CARD", Amount: dec("20.00")})
	require.NoError(t, err)
}

// TestPatchWireFormat: patches clear fields with $unset and never send null;
// payment creates always carry a fresh idemp.
func TestPatchWireFormat(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	record := polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		if req.Body != nil && req.Method != http.MethodGet {
			b, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(strings.NewReader(string(b)))
			mu.Lock()
			bodies = append(bodies, req.Method+" "+req.URL.Path+" "+string(b))
			mu.Unlock()
		}
		return next(req)
	})
	_, srv := setup(t, nil)
	c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()), record)
	require.NoError(t, err)
	ctx := context.Background()
	inv, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter, Notes: "n", Tags: []string{"a"}})
	require.NoError(t, err)
	inv, err = c.Invoices.Patch(ctx, inv.ID, encounters.PatchInvoiceParams{Unset: encounters.Unset{"notes", "tags"}})
	require.NoError(t, err)
	assert.Empty(t, inv.Notes)
	assert.Empty(t, inv.Tags)
	item, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: dec("10")})
	require.NoError(t, err)
	p1, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("1")})
	require.NoError(t, err)
	p2, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("1")}, polybill.WithIdempotencyKey("caller-key"))
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, p1.Idemp)
	assert.Equal(t, "caller-key", p2.Idemp)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, bodies, 5)
	assert.Equal(t, `PATCH /billing-invoices/`+inv.ID+` {"$unset":{"notes":1,"tags":1}}`, bodies[1])
	for _, b := range bodies {
		assert.NotContains(t, b, "null", b)
	}
	assert.Contains(t, bodies[2], `"price":10`, "money goes out as a JSON number")
}
