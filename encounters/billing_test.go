package encounters_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// TestBillingWalk follows the MyCure billing guide end to end.
func TestBillingWalk(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, nil)

	enc, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterOutpatient, Invoice: true})
	require.NoError(t, err)
	inv, err := c.Invoices.Get(ctx, enc.ID, nil)
	require.NoError(t, err, "the encounter's invoice shares its id")
	assert.Equal(t, encounters.InvoiceTypeMedicalEncounter, inv.Type)
	assert.False(t, inv.Finalized())
	assert.Equal(t, encounters.InvoiceStatusUnpaid, inv.Status)

	consult, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Ref: "svc-consult", Price: dec("1500.50")})
	require.NoError(t, err)
	lab, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Ref: "svc-cbc", Price: dec("250.25"), Quantity: 2})
	require.NoError(t, err)
	assert.False(t, consult.Finalized(), "items are drafts until finalized")

	_, err = c.Encounters.Finalize(ctx, enc.ID)
	require.NoError(t, err)
	inv, err = c.Invoices.Get(ctx, enc.ID, nil)
	require.NoError(t, err)
	assert.True(t, inv.Finalized())
	assert.Equal(t, "2001.00", inv.Total.Round(2).String())
	for _, id := range []string{consult.ID, lab.ID} {
		it, err := c.Items.Get(ctx, id, nil)
		require.NoError(t, err)
		assert.True(t, it.Finalized(), "finalizing the invoice finalizes item %s", id)
	}

	// Split payments after finalizing: cash and card on the consult, cash on the lab.
	for _, p := range []encounters.CreatePaymentParams{
		{Item: consult.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("1000")},
		{Item: consult.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CARD", Amount: dec("500.50")},
		{Item: lab.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("500.50")},
	} {
		pay, err := c.Payments.Create(ctx, p)
		require.NoError(t, err)
		assert.NotEmpty(t, pay.Idemp, "every payment carries an idemp key")
		assert.True(t, pay.Amount.Equal(p.Amount))
	}
	inv, err = c.Invoices.Get(ctx, enc.ID, nil)
	require.NoError(t, err)
	assert.True(t, inv.Balance.IsZero(), "balance %s", inv.Balance)
	assert.True(t, inv.Paid.Equal(dec("2001")), "paid %s", inv.Paid)
	assert.Equal(t, encounters.InvoiceStatusPaid, inv.Status)

	// An item added after finalize is refused, as a typed error.
	_, err = c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: dec("10")})
	var perr *polybill.Error
	require.ErrorAs(t, err, &perr)
	assert.ErrorIs(t, err, polybill.ErrValidation)
	assert.Equal(t, http.StatusBadRequest, perr.StatusCode)
	assert.Equal(t, "BadRequest", perr.Code)
	assert.Equal(t, "invoice", perr.Param)

	// A payment above the balance is refused, and nothing is recorded.
	before := srv.Count("billing-payments")
	_, err = c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: lab.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("0.01")})
	require.ErrorAs(t, err, &perr)
	assert.ErrorIs(t, err, polybill.ErrValidation)
	assert.Equal(t, "amount", perr.Param)
	assert.Contains(t, perr.Message, "exceeds")
	assert.Equal(t, before, srv.Count("billing-payments"))

	// A finalized invoice cannot be deleted.
	_, err = c.Invoices.Delete(ctx, inv.ID)
	require.ErrorIs(t, err, polybill.ErrValidation)
}

func TestDeleteDraftInvoiceCascades(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, nil)
	inv, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter, Subject: "px-1", SubjectType: "medical-patient"})
	require.NoError(t, err)
	it, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: dec("100")})
	require.NoError(t, err)
	_, err = c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: it.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("40")})
	require.NoError(t, err)

	_, err = c.Invoices.Delete(ctx, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, srv.Count("billing-items"))
	assert.Equal(t, 0, srv.Count("billing-payments"))
	_, err = c.Items.Get(ctx, it.ID, nil)
	assert.ErrorIs(t, err, polybill.ErrNotFound)
}

// TestPaymentNeverDoubles drops the response after the payment committed; the
// retry carries the same idemp and the fake answers with the first payment.
func TestPaymentNeverDoubles(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, nil)
	inv, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)
	it, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: dec("100")})
	require.NoError(t, err)

	srv.Faults().Add(encounterstest.Fault{
		Match:             func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/billing-payments" },
		ResetAfterHandler: true,
	})
	pay, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: it.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("60")})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Faults().Injected()["reset_after"], "the response was dropped once")
	assert.Equal(t, 1, srv.Count("billing-payments"), "exactly one payment exists")
	item, err := c.Items.Get(ctx, it.ID, nil)
	require.NoError(t, err)
	assert.True(t, item.Paid.Equal(dec("60")))

	// A caller-chosen key dedupes across separate calls too.
	again, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: it.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("60"), Idemp: pay.Idemp})
	require.NoError(t, err)
	assert.Equal(t, pay.ID, again.ID)
	assert.Equal(t, 1, srv.Count("billing-payments"))
}

// TestPaymentIdempotencyKeyReuseConflicts: the same idemp with a different
// payment is a Feathers Conflict (in the spec's 409 shape), surfaced as
// polybill.ErrConflict naming the key and never retried.
func TestPaymentIdempotencyKeyReuseConflicts(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, nil)
	inv, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)
	it, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: dec("100")})
	require.NoError(t, err)
	params := encounters.CreatePaymentParams{Item: it.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("60"), Idemp: "receipt-0042"}
	first, err := c.Payments.Create(ctx, params)
	require.NoError(t, err)

	for _, opt := range []struct {
		name string
		opts []polybill.RequestOption
	}{
		{"key in params", nil},
		{"key as request option", []polybill.RequestOption{polybill.WithIdempotencyKey("receipt-0042")}},
	} {
		t.Run(opt.name, func(t *testing.T) {
			p := params
			p.Amount = dec("40")
			if opt.opts != nil {
				p.Idemp = ""
			}
			before := srv.Requests()
			got, err := c.Payments.Create(ctx, p, opt.opts...)
			assert.Nil(t, got)
			require.ErrorIs(t, err, polybill.ErrConflict)
			var perr *polybill.Error
			require.ErrorAs(t, err, &perr)
			assert.Equal(t, 409, perr.StatusCode)
			assert.Equal(t, "Conflict", perr.Code)
			assert.Equal(t, "idemp", perr.Param)
			assert.Contains(t, perr.Message, "receipt-0042")
			assert.Contains(t, err.Error(), "receipt-0042")
			assert.False(t, perr.Retryable)
			assert.EqualValues(t, 1, srv.Requests()-before, "a conflict is not retried")
		})
	}
	assert.Equal(t, 1, srv.Count("billing-payments"))
	item, err := c.Items.Get(ctx, it.ID, nil)
	require.NoError(t, err)
	assert.True(t, item.Paid.Equal(dec("60")), "only the first payment counts")
	again, err := c.Payments.Create(ctx, params)
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID, "an identical repeat still returns the first payment")
}

// TestUnsafeCreateIsNotReplayed: an invoice create whose response is lost is
// surfaced as ambiguous, never re-sent.
func TestUnsafeCreateIsNotReplayed(t *testing.T) {
	c, srv := setup(t, nil)
	srv.Faults().Add(encounterstest.Fault{ResetAfterHandler: true})
	_, err := c.Invoices.Create(context.Background(), encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	var perr *polybill.Error
	require.ErrorAs(t, err, &perr)
	assert.True(t, perr.Ambiguous)
	assert.Equal(t, 1, srv.Count("billing-invoices"))
	assert.EqualValues(t, 1, srv.Requests())
}

func TestBadInputRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, nil)
	cases := []struct {
		name  string
		call  func() error
		field string
	}{
		{"negative amount", func() error {
			_, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: "itm-1", Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("-5")})
			return err
		}, "amount"},
		{"zero amount", func() error {
			_, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: "itm-1", Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("0")})
			return err
		}, "amount"},
		{"unknown payment type", func() error {
			_, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: "itm-1", Type: "bitcoin", PaymentMethod: "CASH", Amount: dec("5")})
			return err
		}, "type"},
		{"missing payment method", func() error {
			_, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: "itm-1", Type: encounters.PaymentPrivate, Amount: dec("5")})
			return err
		}, "paymentMethod"},
		{"empty invoice id on get", func() error { _, err := c.Invoices.Get(ctx, "", nil); return err }, "id"},
		{"empty invoice id on finalize", func() error { _, err := c.Invoices.Finalize(ctx, ""); return err }, "id"},
		{"empty invoice on item", func() error {
			_, err := c.Items.Create(ctx, encounters.CreateItemParams{Type: "service", Price: dec("1")})
			return err
		}, "invoice"},
		{"negative price", func() error {
			_, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: "inv-1", Type: "service", Price: dec("-1")})
			return err
		}, "price"},
		{"unknown invoice type", func() error {
			_, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "f", Type: "pharmacy"})
			return err
		}, "type"},
		{"owner with both account and organization", func() error {
			_, err := c.Customers.Create(ctx, encounters.CreateCustomerParams{Owner: encounters.CustomerOwner{Account: "a", Organization: "o"}})
			return err
		}, "owner"},
		{"intent without items", func() error {
			_, err := c.PaymentIntents.Create(ctx, encounters.CreatePaymentIntentParams{GatewayType: "paymongo-gcash", Currency: "PHP"})
			return err
		}, "items"},
		{"float in query", func() error {
			_, err := c.Invoices.Find(ctx, encounters.NewQuery().Gt("total", 1.5))
			return err
		}, "total[$gt]"},
		{"negative limit", func() error { _, err := c.Invoices.Find(ctx, encounters.NewQuery().Limit(-1)); return err }, "$limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var perr *polybill.Error
			require.ErrorAs(t, err, &perr)
			assert.True(t, errors.Is(err, polybill.ErrValidation))
			assert.Equal(t, polybill.CodeInvalidParams, perr.Code)
			assert.Equal(t, tc.field, perr.Param)
			assert.Zero(t, perr.StatusCode)
		})
	}
	assert.Zero(t, srv.Requests(), "nothing reached the server")
}
