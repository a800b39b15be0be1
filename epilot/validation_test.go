package epilot_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
)

// TestBadInputIsRefusedBeforeSending proves the strict writer: every call below is refused
// locally with an error naming the field, and the fake sees no request.
func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ok := epilot.EventFields{Amount: epilot.MinorUnits(100, "EUR"), BookingDate: polybill.NewDate(2025, 1, 1), Contract: epilot.Link("c")}
	with := func(mod func(f *epilot.EventFields)) epilot.EventFields { f := ok; mod(&f); return f }
	list := func(p epilot.ListBillingEventsParams) error {
		_, err := e.client.ListBillingEventsPage(ctx, &p)
		return err
	}
	create := func(ev epilot.BillingEvent) error { _, err := e.client.CreateBillingEvent(ctx, ev); return err }
	history := func(p epilot.ConfigurationHistoryParams) error {
		_, err := e.client.ListContractConfigurationHistoryPage(ctx, "c", &p)
		return err
	}

	tests := []struct {
		name  string
		call  func() error
		param string
	}{
		{"update with no fields", func() error {
			_, err := e.client.UpdateBillingEvent(ctx, "ev-1", epilot.BillingEventUpdate{})
			return err
		}, "update"},
		{"update with empty extra only", func() error {
			_, err := e.client.UpdateBillingEvent(ctx, "ev-1", epilot.BillingEventUpdate{Extra: map[string]json.RawMessage{}})
			return err
		}, "update"},
		{"update amount without currency", func() error {
			_, err := e.client.UpdateBillingEvent(ctx, "ev-1", epilot.BillingEventUpdate{Amount: epilot.Money{MinorUnits: polybillInt(5)}})
			return err
		}, "billing_currency"},
		{"update with invalid extra JSON", func() error {
			_, err := e.client.UpdateBillingEvent(ctx, "ev-1", epilot.BillingEventUpdate{Extra: map[string]json.RawMessage{"x": json.RawMessage("{")}})
			return err
		}, "extra"},
		{"update without id", func() error {
			_, err := e.client.UpdateBillingEvent(ctx, "", epilot.BillingEventUpdate{Note: epilot.Ptr("x")})
			return err
		}, "id"},
		{"negative size", func() error { return list(epilot.ListBillingEventsParams{Size: -1}) }, "size"},
		{"size over 1000", func() error { return list(epilot.ListBillingEventsParams{Size: 1001}) }, "size"},
		{"negative from", func() error { return list(epilot.ListBillingEventsParams{From: -5}) }, "from"},
		{"event_type the filter does not support", func() error { return list(epilot.ListBillingEventsParams{EventType: epilot.KindPayment}) }, "event_type"},
		{"empty entity id", func() error { return list(epilot.ListBillingEventsParams{EntityIDs: []string{"a", ""}}) }, "entity_id"},
		{"date range reversed", func() error {
			return list(epilot.ListBillingEventsParams{DateAfter: polybill.NewDate(2025, 2, 1).Time(nil), DateBefore: polybill.NewDate(2025, 1, 1).Time(nil)})
		}, "date_before"},
		{"event without contract link", func() error {
			return create(&epilot.PaymentEvent{EventFields: with(func(f *epilot.EventFields) { f.Contract = epilot.Relation{} })})
		}, "contract"},
		{"contract link without ids", func() error {
			return create(&epilot.PaymentEvent{EventFields: with(func(f *epilot.EventFields) { f.Contract = epilot.Relation{Items: []epilot.RelationItem{{}}} })})
		}, "contract"},
		{"event without booking date", func() error {
			return create(&epilot.PaymentEvent{EventFields: with(func(f *epilot.EventFields) { f.BookingDate = epilot.Date{} })})
		}, "booking_date"},
		{"installment without due date", func() error { return create(&epilot.InstallmentEvent{EventFields: ok}) }, "due_date"},
		{"invoice without due date", func() error { return create(&epilot.InvoiceEvent{EventFields: ok}) }, "due_date"},
		{"custom event without type", func() error { return create(&epilot.CustomEvent{EventFields: ok}) }, "type"},
		{"custom event with a known type", func() error { return create(&epilot.CustomEvent{Type: "payment", EventFields: ok}) }, "type"},
		{"nil event", func() error { return create(nil) }, "event"},
		{"typed nil event", func() error { return create((*epilot.BonusEvent)(nil)) }, "event"},
		{"unknown direction", func() error {
			return create(&epilot.PaymentEvent{EventFields: with(func(f *epilot.EventFields) { f.Direction = "up" })})
		}, "direction"},
		{"unknown status", func() error {
			return create(&epilot.PaymentEvent{EventFields: with(func(f *epilot.EventFields) { f.Status = "pending" })})
		}, "status"},
		{"external link without href", func() error {
			return create(&epilot.PaymentEvent{EventFields: with(func(f *epilot.EventFields) { f.ExternalLink = &epilot.ExternalLink{Title: "SAP"} })})
		}, "external_link.href"},
		{"get without id", func() error { _, err := e.client.GetBillingEvent(ctx, ""); return err }, "id"},
		{"lookup without external id", func() error { _, err := e.client.GetBillingEventByExternalID(ctx, ""); return err }, "external_id"},
		{"delete without id", func() error { return e.client.DeleteBillingEvent(ctx, "") }, "id"},
		{"contract with unknown status", func() error {
			_, err := e.client.CreateContract(ctx, epilot.Contract{Status: "paused"})
			return err
		}, "status"},
		{"contract due day 32", func() error {
			_, err := e.client.CreateContract(ctx, epilot.Contract{BillingDueDay: epilot.Ptr(32)})
			return err
		}, "billing_due_day"},
		{"contract negative notice", func() error {
			_, err := e.client.UpdateContract(ctx, "c", epilot.Contract{NoticeTimeAmount: decimalPtr("-1")})
			return err
		}, "notice_time_amount"},
		{"contract unknown branch", func() error {
			_, err := e.client.UpdateContract(ctx, "c", epilot.Contract{Branch: "oil"})
			return err
		}, "branch"},
		{"contract bad currency", func() error {
			_, err := e.client.CreateContract(ctx, epilot.Contract{BalanceCurrency: "eur"})
			return err
		}, "balance_currency"},
		{"update contract without id", func() error { _, err := e.client.UpdateContract(ctx, "", epilot.Contract{Name: "x"}); return err }, "id"},
		{"delete contract without id", func() error { return e.client.DeleteContract(ctx, "") }, "id"},
		{"balance without id", func() error { _, err := e.client.GetCustomerBalance(ctx, ""); return err }, "id"},
		{"history size over 100", func() error { return history(epilot.ConfigurationHistoryParams{Size: 101}) }, "size"},
		{"history unknown change type", func() error { return history(epilot.ConfigurationHistoryParams{ChangeType: "price_changed"}) }, "change_type"},
		{"history unknown types list", func() error {
			return history(epilot.ConfigurationHistoryParams{HistoryChangeTypes: []epilot.ChangeType{epilot.ChangeContractPricing, "x"}})
		}, "history_change_types"},
		{"pricing unknown types list", func() error {
			_, err := e.client.GetContractPricingInformation(ctx, "c", &epilot.PricingInformationParams{HistoryChangeTypes: []epilot.ChangeType{"x"}})
			return err
		}, "history_change_types"},
		{"pricing without id", func() error {
			_, err := e.client.GetBillingAccountPricingInformation(ctx, "", nil)
			return err
		}, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.srv.Requests()
			err := tt.call()
			require.ErrorIs(t, err, polybill.ErrValidation)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
			assert.Equal(t, polybill.CodeInvalidParams, pe.Code)
			assert.Zero(t, pe.StatusCode)
			assert.Equal(t, before, e.srv.Requests(), "refused before sending")
		})
	}
}

func TestIteratorYieldsLocalValidationError(t *testing.T) {
	e := newEnv(t)
	n := 0
	for ev, err := range e.client.ListBillingEvents(context.Background(), &epilot.ListBillingEventsParams{Size: -1}) {
		n++
		assert.Nil(t, ev)
		require.ErrorIs(t, err, polybill.ErrValidation)
	}
	assert.Equal(t, 1, n)
	assert.Zero(t, e.srv.Requests())
}
