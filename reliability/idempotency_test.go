package reliability_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/epilot"
)

// TestIdempotencyKeyIsHonouredOrRefused: polybill.WithIdempotencyKey is never silently
// ignored (issue 14 §4). The one operation with a vendor mechanism sends it; every other call
// refuses it before anything is sent, naming the API and the operation.
func TestIdempotencyKeyIsHonouredOrRefused(t *testing.T) {
	ctx := context.Background()
	key := polybill.WithIdempotencyKey("order-0042")

	f := newFourClients(t)

	amount := polybill.MustDecimal("10.00")
	refused := []struct {
		api, operation string
		requests       func() int64
		call           func() error
	}{
		{"crm", "POST /meetings/{meeting_unique_id}/billing", f.crmSrv.Requests, func() error {
			_, err := f.crm.CreateMeetingBilling(ctx, "meeting-1", crm.CreateBillingParams{Amount: amount, PayerName: "Acme", PayerEmail: "billing@acme.test"}, key)
			return err
		}},
		{"crm", "PUT /billings/{unique_id}", f.crmSrv.Requests, func() error {
			_, err := f.crm.UpdateBilling(ctx, "bil-1", crm.UpdateBillingParams{PayerName: "Acme"}, key)
			return err
		}},
		{"crm", "GET /billings/{unique_id}", f.crmSrv.Requests, func() error {
			_, err := f.crm.GetBilling(ctx, "bil-1", key)
			return err
		}},
		{"epilot", "POST /v1/billing/events", f.epSrv.Requests, func() error {
			_, err := f.ep.CreateBillingEvent(ctx, &epilot.InstallmentEvent{EventFields: epilot.EventFields{
				Amount: epilot.MinorUnits(1000, "EUR"), BookingDate: polybill.NewDate(2026, 1, 1), DueDate: polybill.NewDate(2026, 1, 15),
				Contract: epilot.Link("contract-1"), ExternalID: "ext-1",
			}}, key)
			return err
		}},
		{"epilot", "POST /v1/billing/contracts", f.epSrv.Requests, func() error {
			_, err := f.ep.CreateContract(ctx, epilot.Contract{Name: "Grid", Customer: epilot.Link("cust-1")}, key)
			return err
		}},
		{"encounters", "POST /billing-invoices", f.encSrv.Requests, func() error {
			_, err := f.enc.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter}, key)
			return err
		}},
		{"clinic", "POST /api/v1/billing/invoices/{id}/payments", f.clSrv.Requests, func() error {
			_, err := f.cl.RecordPayment(ctx, "INV-2026-00042", clinic.RecordPaymentParams{Amount: amount, Mode: clinic.PaymentModeUPI, Reference: "UPI-1"}, key)
			return err
		}},
	}
	for _, tt := range refused {
		t.Run(tt.api+" refuses "+tt.operation, func(t *testing.T) {
			before := tt.requests()
			err := tt.call()
			requireConfigError(t, err, tt.api, "WithIdempotencyKey")
			assert.Contains(t, err.Error(), tt.operation, "the error names the operation")
			assert.Equal(t, before, tt.requests(), "nothing was sent")
		})
	}

	t.Run("encounters Payments.Create honours it", func(t *testing.T) {
		inv, err := f.enc.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
		require.NoError(t, err)
		item, err := f.enc.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: amount})
		require.NoError(t, err)
		params := encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("4")}
		first, err := f.enc.Payments.Create(ctx, params, key)
		require.NoError(t, err)
		second, err := f.enc.Payments.Create(ctx, params, key)
		require.NoError(t, err)
		assert.Equal(t, "order-0042", first.Idemp, "the key is sent as idemp")
		assert.Equal(t, first.ID, second.ID, "two calls with one key: one payment")
		page, err := f.enc.Payments.Find(ctx, encounters.NewQuery().Where("item", item.ID))
		require.NoError(t, err)
		assert.Len(t, page.Items, 1)

		params.Idemp = "another-key"
		_, err = f.enc.Payments.Create(ctx, params, key)
		requireConfigError(t, err, "encounters", "idemp")
	})
}
