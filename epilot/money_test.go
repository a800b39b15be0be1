package epilot_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
)

func TestMoneyMinorUnitsAndDecimalOnCreate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name        string
		amount      epilot.Money
		wantUnits   int64
		wantDecimal string
	}{
		{"EUR from cents", epilot.MinorUnits(10050, "EUR"), 10050, "100.50"},
		{"EUR from decimal, sent at the currency's scale", epilot.DecimalAmount(polybill.MustDecimal("100.5"), "EUR"), 10050, "100.50"},
		{"EUR from decimal with extra zeros", epilot.DecimalAmount(polybill.MustDecimal("100.500"), "EUR"), 10050, "100.50"},
		{"JPY from decimal with a zero fraction", epilot.DecimalAmount(polybill.MustDecimal("1500.0"), "JPY"), 1500, "1500"},
		{"KWD from decimal with fewer digits", epilot.DecimalAmount(polybill.MustDecimal("1.2"), "KWD"), 1200, "1.200"},
		{"EUR negative", epilot.MinorUnits(-1, "EUR"), -1, "-0.01"},
		{"JPY from units", epilot.MinorUnits(1500, "JPY"), 1500, "1500"},
		{"JPY from decimal", epilot.DecimalAmount(polybill.MustDecimal("1500"), "JPY"), 1500, "1500"},
		{"KWD from fils", epilot.MinorUnits(1234, "KWD"), 1234, "1.234"},
		{"KWD from decimal", epilot.DecimalAmount(polybill.MustDecimal("1.234"), "KWD"), 1234, "1.234"},
		{"both given and consistent", epilot.Money{MinorUnits: polybillInt(500), Decimal: decimalPtr("5.00"), Currency: "EUR"}, 500, "5.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &epilot.PaymentEvent{EventFields: epilot.EventFields{
				Amount: tt.amount, BookingDate: polybill.NewDate(2025, 1, 1), Contract: epilot.Link("c"),
			}}
			created, err := e.client.CreateBillingEvent(ctx, ev)
			require.NoError(t, err)
			assert.Equal(t, tt.amount, ev.Amount, "the caller's event is not modified")
			got := created.Fields().Amount
			require.NotNil(t, got.MinorUnits)
			require.NotNil(t, got.Decimal)
			assert.Equal(t, tt.wantUnits, *got.MinorUnits)
			assert.Equal(t, tt.wantDecimal, got.Decimal.String(), "sent and stored as this decimal string")
			assert.True(t, got.Decimal.IsQuoted(), "billing_amount_decimal is a JSON string")
			assert.NoError(t, got.Check())
		})
	}
}

func polybillInt(v int64) *int64 { return &v }

func decimalPtr(s string) *polybill.Decimal { d := polybill.MustDecimal(s); return &d }

func TestMoneyRefusedBeforeSending(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		amount epilot.Money
		param  string
	}{
		{"cents and decimal disagree", epilot.Money{MinorUnits: polybillInt(10050), Decimal: decimalPtr("100.05"), Currency: "EUR"}, "billing_amount_decimal"},
		{"decimal finer than the currency", epilot.DecimalAmount(polybill.MustDecimal("1.005"), "EUR"), "billing_amount_decimal"},
		{"yen with a fraction", epilot.DecimalAmount(polybill.MustDecimal("10.5"), "JPY"), "billing_amount_decimal"},
		{"KWD amount read as cents", epilot.Money{MinorUnits: polybillInt(1234), Decimal: decimalPtr("12.34"), Currency: "KWD"}, "billing_amount_decimal"},
		{"no currency", epilot.Money{MinorUnits: polybillInt(1)}, "billing_currency"},
		{"malformed currency", epilot.MinorUnits(1, "euro"), "billing_currency"},
		{"no amount", epilot.Money{Currency: "EUR"}, "billing_amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.srv.Requests()
			_, err := e.client.CreateBillingEvent(context.Background(), &epilot.PaymentEvent{EventFields: epilot.EventFields{
				Amount: tt.amount, BookingDate: polybill.NewDate(2025, 1, 1), Contract: epilot.Link("c"),
			}})
			require.ErrorIs(t, err, polybill.ErrValidation)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
			assert.Equal(t, before, e.srv.Requests(), "nothing was sent")
		})
	}
}

func TestMoneyMismatchOnReadIsReported(t *testing.T) {
	e := newEnv(t)
	id, err := e.srv.AddEvent([]byte(`{"type":"payment","billing_amount":10050,"billing_amount_decimal":"100.05","billing_currency":"EUR","booking_date":"2025-01-01","contract":{"$relation":[{"entity_id":"c"}]}}`))
	require.NoError(t, err)
	ev, err := e.client.GetBillingEvent(context.Background(), id)
	require.NoError(t, err, "a mismatch does not fail the read")
	amount := ev.Fields().Amount
	assert.Equal(t, int64(10050), *amount.MinorUnits, "both forms kept as received")
	assert.Equal(t, "100.05", amount.Decimal.String())
	err = amount.Check()
	require.Error(t, err)
	assert.True(t, errors.Is(err, epilot.ErrAmountMismatch))
	_, err = amount.Value()
	assert.ErrorIs(t, err, epilot.ErrAmountMismatch)
}

func TestMoneyValue(t *testing.T) {
	tests := []struct {
		m    epilot.Money
		want string
	}{
		{epilot.MinorUnits(10050, "EUR"), "100.50"},
		{epilot.MinorUnits(10050, "JPY"), "10050"},
		{epilot.MinorUnits(10050, "KWD"), "10.050"},
		{epilot.MinorUnits(7, "XYZ"), "0.07"}, // unknown codes have 2 digits
		{epilot.DecimalAmount(polybill.MustDecimal("12.3400"), "EUR"), "12.3400"},
	}
	for _, tt := range tests {
		v, err := tt.m.Value()
		require.NoError(t, err)
		assert.Equal(t, tt.want, v.String())
	}
	_, err := epilot.Money{Currency: "EUR"}.Value()
	assert.Error(t, err)
}

// TestNoFloatInPublicTypes walks every exported type of the package's API and fails on any
// float field: money (and everything else) stays exact.
func TestNoFloatInPublicTypes(t *testing.T) {
	roots := []any{
		epilot.InstallmentEvent{}, epilot.PaymentEvent{}, epilot.ReimbursementEvent{}, epilot.DunningFeeEvent{},
		epilot.InvoiceEvent{}, epilot.FinalBillEvent{}, epilot.BonusEvent{}, epilot.CorrectionEvent{}, epilot.CustomEvent{},
		epilot.BillingEventUpdate{}, epilot.ListBillingEventsParams{}, epilot.Contract{}, epilot.Balance{},
		epilot.ContractPricingInformation{}, epilot.BillingAccountPricingInformation{}, epilot.HistoryRow{},
		epilot.ConfigurationHistoryParams{}, epilot.PricingInformationParams{}, epilot.Money{},
	}
	seen := map[reflect.Type]bool{}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		switch typ.Kind() {
		case reflect.Float32, reflect.Float64:
			t.Errorf("%s is a float", path)
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			walk(path+"[]", typ.Elem())
		case reflect.Struct:
			if typ == reflect.TypeOf(polybill.Decimal{}) {
				return // exact by construction
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				if f.IsExported() {
					walk(path+"."+f.Name, f.Type)
				}
			}
		}
	}
	for _, r := range roots {
		walk(reflect.TypeOf(r).Name(), reflect.TypeOf(r))
	}
	assert.Greater(t, len(seen), 30, "the walk reached the nested types")
}
