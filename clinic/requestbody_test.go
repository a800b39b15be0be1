package clinic_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/internal/fake"
	"github.com/polybill/polybill-go/internal/spectest"
)

// The exact bytes RecordPayment sends (one encoder, internal/wire.Encode): the amount a JSON
// number as Bio Ecko's example shows, the date a plain day, optional fields omitted when unset.
func TestRecordPaymentBody(t *testing.T) {
	tests := []struct {
		name   string
		params clinic.RecordPaymentParams
		want   string
	}{
		{"every field", clinic.RecordPaymentParams{Amount: dec("1500.00"), Mode: clinic.PaymentModeUPI, Reference: "UPI-TXN-<1>", PaymentDate: polybill.NewDate(2026, 3, 15)},
			`{"amount":1500.00,"payment_date":"2026-03-15","payment_mode":"upi","reference":"UPI-TXN-\u003c1\u003e"}`},
		{"required fields only", clinic.RecordPaymentParams{Amount: dec("10"), Mode: clinic.PaymentModeCash},
			`{"amount":10,"payment_mode":"cash"}`},
		{"a quoted amount still goes out as a number", clinic.RecordPaymentParams{Amount: dec("2.5").Quoted(), Mode: clinic.PaymentModeCard},
			`{"amount":2.5,"payment_mode":"card"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := fake.Bodies{Skip: []string{"/token"}}
			f := newFixture(t, nil, polybill.WithMiddleware(b.Middleware))
			id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
			_, err := f.client.RecordPayment(context.Background(), id, tt.params)
			require.NoError(t, err)
			assert.Equal(t, []string{tt.want}, b.All())
		})
	}
}

// IsKnown accepts exactly the spec's enum: the constants are held to openapi/clinic.yaml.
func TestEnumsMatchSpec(t *testing.T) {
	spec := spectest.Load(t, "../openapi/clinic.yaml")
	modes := []clinic.PaymentMode{clinic.PaymentModeCash, clinic.PaymentModeCard, clinic.PaymentModeUPI, clinic.PaymentModeNEFT, clinic.PaymentModeCheque, clinic.PaymentModeOnline, clinic.PaymentModeInsurance}
	spectest.CheckEnum(t, spec, "PaymentMode", modes...)
	statuses := []clinic.InvoiceStatus{clinic.InvoiceStatusDraft, clinic.InvoiceStatusFinalized, clinic.InvoiceStatusPaid, clinic.InvoiceStatusPartiallyPaid, clinic.InvoiceStatusCancelled}
	spectest.CheckEnum(t, spec, "InvoiceStatus", statuses...)
	for _, m := range modes {
		assert.True(t, m.IsKnown(), m)
	}
	for _, s := range statuses {
		assert.True(t, s.IsKnown(), s)
	}
	assert.False(t, clinic.PaymentMode("barter").IsKnown())
	assert.False(t, clinic.InvoiceStatus("void").IsKnown())
}
