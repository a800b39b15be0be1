package epilot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

func TestContractLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.client.CreateContract(ctx, epilot.Contract{
		Name:                  "Grid Contract",
		Number:                "12345",
		Status:                epilot.ContractActive,
		Branch:                epilot.BranchPower,
		BillingPeriod:         epilot.PeriodMonthly,
		BillingDueDay:         epilot.Ptr(0),
		BillingDurationAmount: decimalPtr("30"),
		NoticeTimeAmount:      decimalPtr("1.5"),
		NoticeTimeUnit:        epilot.UnitMonths,
		StartDate:             polybill.NewDate(2025, 1, 1),
		InstallmentAmount:     polybillInt(10050),
		BalanceCurrency:       "EUR",
		Customer:              epilot.Link("cust-1"),
		Extra:                 map[string]json.RawMessage{"meter_point": json.RawMessage(`{"malo":"DE0001","digits":0.10}`)},
	})
	require.NoError(t, err)
	require.NotEmpty(t, created.ID)
	assert.Equal(t, "Grid Contract", created.Title, "_title defaults to the name")
	assert.False(t, created.CreatedAt.IsZero())
	require.NotNil(t, created.BillingDueDay)
	assert.Equal(t, 0, *created.BillingDueDay, "0 (not configured) is sent, not dropped")
	assert.Equal(t, "1.5", created.NoticeTimeAmount.String())
	assert.Equal(t, `{"malo":"DE0001","digits":0.10}`, string(created.Extra["meter_point"]))
	inst, err := created.InstallmentMoney().Value()
	require.NoError(t, err)
	assert.Equal(t, "100.50", inst.String())
	assert.Equal(t, []string{"cust-1"}, created.Customer.IDs())

	updated, err := e.client.UpdateContract(ctx, created.ID, epilot.Contract{Status: epilot.ContractTerminated, TerminationDate: polybill.NewDate(2025, 12, 31)})
	require.NoError(t, err)
	assert.Equal(t, epilot.ContractTerminated, updated.Status)
	assert.Equal(t, polybill.NewDate(2025, 12, 31), updated.TerminationDate)
	assert.Equal(t, "Grid Contract", updated.Name, "fields not sent are unchanged")
	assert.Equal(t, `{"malo":"DE0001","digits":0.10}`, string(updated.Extra["meter_point"]))

	require.NoError(t, e.client.DeleteContract(ctx, created.ID))
	err = e.client.DeleteContract(ctx, created.ID)
	require.ErrorIs(t, err, polybill.ErrNotFound)
	_, err = e.client.UpdateContract(ctx, created.ID, epilot.Contract{Name: "x"})
	require.ErrorIs(t, err, polybill.ErrNotFound)
}

func TestDeleteContractAcceptsTheLegacyBody(t *testing.T) {
	e := newEnvValidated(t, false)
	// The legacy API answered 204 with the contract as body.
	e.srv.Faults().Add(epilottest.Fault{Status: 204, Body: `{"_id":"c1","_title":"x"}`})
	require.NoError(t, e.client.DeleteContract(context.Background(), "c1"))
}

func TestCustomerBalanceIsComputedFromEvents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mk := func(cust, account string, cur polybill.Currency) string {
		c, err := e.client.CreateContract(ctx, epilot.Contract{Customer: epilot.Link(cust), BillingAccount: epilot.Link(account), BalanceCurrency: cur})
		require.NoError(t, err)
		return c.ID
	}
	a1, a2, b1 := mk("cust-a", "acct-a", "EUR"), mk("cust-a", "acct-a2", "EUR"), mk("cust-b", "acct-b", "JPY")
	f := func(contract string, units int64, cur polybill.Currency) epilot.EventFields {
		return epilot.EventFields{Amount: epilot.MinorUnits(units, cur), BookingDate: polybill.NewDate(2025, 1, 1), DueDate: polybill.NewDate(2025, 1, 15), Contract: epilot.Link(contract)}
	}
	events := []epilot.BillingEvent{
		&epilot.InstallmentEvent{EventFields: f(a1, 10000, "EUR")}, // +100.00
		&epilot.PaymentEvent{EventFields: f(a1, 4000, "EUR")},      // -40.00
		&epilot.DunningFeeEvent{EventFields: f(a2, 500, "EUR")},    // +5.00
		&epilot.BonusEvent{EventFields: f(a2, 1000, "EUR")},        // -10.00
		&epilot.CustomEvent{Type: "chargeback", EventFields: f(a2, 490, "EUR")},
		&epilot.InvoiceEvent{EventFields: f(b1, 1500, "JPY")},
	}
	explicitCredit := f(a1, 1, "EUR")
	explicitCredit.Direction = epilot.DirectionCredit
	events = append(events, &epilot.FinalBillEvent{EventFields: explicitCredit}) // -0.01: the stated direction wins
	for _, ev := range events {
		_, err := e.client.CreateBillingEvent(ctx, ev)
		require.NoError(t, err)
	}

	tests := []struct {
		id, decimal string
		units       int64
		currency    polybill.Currency
	}{
		{"cust-a", "59.89", 5989, "EUR"}, // 100 - 40 + 5 - 10 + 4.90 - 0.01
		{"acct-a", "59.99", 5999, "EUR"},
		{"cust-b", "1500", 1500, "JPY"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			b, err := e.client.GetCustomerBalance(ctx, tt.id)
			require.NoError(t, err)
			require.NoError(t, b.Amount.Check())
			assert.Equal(t, tt.units, *b.Amount.MinorUnits)
			assert.Equal(t, tt.currency, b.Amount.Currency)
			v, err := b.Amount.Value()
			require.NoError(t, err)
			assert.Equal(t, tt.decimal, v.String())
			assert.NotEmpty(t, b.Raw())
		})
	}
	_, err := e.client.GetCustomerBalance(ctx, "nobody")
	require.ErrorIs(t, err, polybill.ErrNotFound)
}

// pricingEnv has one contract in a billing account whose installment changed n times.
func pricingEnv(t *testing.T, n int) (*env, *epilot.Contract) {
	t.Helper()
	clock := epilottest.NewManualClock(time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC))
	e := newEnvServer(t, true, []epilottest.Option{epilottest.WithClock(clock)})
	ctx := context.Background()
	c, err := e.client.CreateContract(ctx, epilot.Contract{
		Name: "Grid", BillingPeriod: epilot.PeriodMonthly, BillingDueDay: epilot.Ptr(15),
		InstallmentAmount: polybillInt(10000), BalanceCurrency: "EUR", BillingAccount: epilot.Link("acct-1"),
	})
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		clock.Advance(24 * time.Hour)
		_, err := e.client.UpdateContract(ctx, c.ID, epilot.Contract{InstallmentAmount: polybillInt(int64(10000 + 100*i))})
		require.NoError(t, err)
	}
	require.NoError(t, e.srv.AddHistoryRow([]byte(fmt.Sprintf(`{"event_id":"p-1","org_id":"739224","entity_type":"contract","entity_id":%q,
		"change_type":"contract_pricing_changed","schema_version":1,"changed_at":"2025-02-01T00:00:00Z","created_at":"2025-02-01T00:00:01Z",
		"source":"erp","changed_fields":["working_price"],"previous_context":null,
		"new_context":{"working_price":{"price_id":"p-2","unit_amount_gross_decimal":"0.2980","currency":"EUR","unit":"kwh"}}}`, c.ID))))
	return e, c
}

func TestContractPricingInformation(t *testing.T) {
	e, c := pricingEnv(t, 2)
	ctx := context.Background()
	_, err := e.client.CreateBillingEvent(ctx, installment(c.ID, 10100, polybill.NewDate(2025, 1, 15)))
	require.NoError(t, err)

	info, err := e.client.GetContractPricingInformation(ctx, c.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, "contract", info.EntityType)
	assert.Equal(t, c.ID, info.EntityID)
	v, err := info.CurrentInstallmentAmount.Value()
	require.NoError(t, err)
	assert.Equal(t, "102.00", v.String())
	bal, err := info.Balance.Value()
	require.NoError(t, err)
	assert.Equal(t, "101.00", bal.String())
	require.NotNil(t, info.Schedule)
	assert.Equal(t, epilot.PricingSchedule{Inferred: false, BillingDueDay: 15, BillingPeriod: epilot.PeriodMonthly, InstallmentsPerYear: 12}, *info.Schedule)
	require.Len(t, info.History, 2, "installment history by default")
	newest := info.History[0]
	assert.Equal(t, epilot.ChangeInstallmentAmount, newest.ChangeType)
	assert.Equal(t, int64(10200), *newest.NewValue.MinorUnits)
	assert.Equal(t, int64(10100), *newest.PreviousValue.MinorUnits)
	assert.True(t, newest.Source.IsKnown())

	both, err := e.client.GetContractPricingInformation(ctx, c.ID, &epilot.PricingInformationParams{HistoryChangeTypes: []epilot.ChangeType{epilot.ChangeInstallmentAmount, epilot.ChangeContractPricing}})
	require.NoError(t, err)
	require.Len(t, both.History, 3)
	var pricing *epilot.HistoryRow
	for i := range both.History {
		if both.History[i].ChangeType == epilot.ChangeContractPricing {
			pricing = &both.History[i]
		}
	}
	require.NotNil(t, pricing)
	assert.Nil(t, pricing.PreviousContext)
	assert.Equal(t, "0.2980", pricing.NewContext.WorkingPrice.UnitAmountGross.String())
	assert.Equal(t, []string{"working_price"}, pricing.ChangedFields)
	assert.Contains(t, string(pricing.Raw()), `"p-1"`)

	none, err := e.client.GetContractPricingInformation(ctx, c.ID, &epilot.PricingInformationParams{ExcludeHistory: true})
	require.NoError(t, err)
	assert.Empty(t, none.History)

	_, err = e.client.GetContractPricingInformation(ctx, "missing", nil)
	require.ErrorIs(t, err, polybill.ErrNotFound)
}

func TestBillingAccountPricingInformation(t *testing.T) {
	e, c := pricingEnv(t, 1)
	ctx := context.Background()
	info, err := e.client.GetBillingAccountPricingInformation(ctx, "acct-1", nil)
	require.NoError(t, err)
	assert.Equal(t, "billing_account", info.EntityType)
	require.Len(t, info.Contracts, 1)
	assert.Equal(t, c.ID, info.Contracts[0].EntityID)
	require.Len(t, info.Contracts[0].History, 1)
	_, err = e.client.GetBillingAccountPricingInformation(ctx, "acct-x", nil)
	require.ErrorIs(t, err, polybill.ErrNotFound)
}

func TestConfigurationHistoryPages(t *testing.T) {
	e, c := pricingEnv(t, 7)
	ctx := context.Background()
	p := epilot.ConfigurationHistoryParams{Size: 2}

	page, err := e.client.ListContractConfigurationHistoryPage(ctx, c.ID, &p)
	require.NoError(t, err)
	assert.Equal(t, 7, page.Total)
	assert.Len(t, page.Items, 2)
	assert.True(t, page.HasMore)

	type source func() func(func(epilot.HistoryRow, error) bool)
	for name, seq := range map[string]source{
		"contract": func() func(func(epilot.HistoryRow, error) bool) {
			return e.client.ListContractConfigurationHistory(ctx, c.ID, &p)
		},
		"billing account": func() func(func(epilot.HistoryRow, error) bool) {
			return e.client.ListBillingAccountConfigurationHistory(ctx, "acct-1", &p)
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := e.srv.Requests()
			var amounts []int64
			var last time.Time
			for row, err := range seq() {
				require.NoError(t, err)
				amounts = append(amounts, *row.NewValue.MinorUnits)
				if !last.IsZero() {
					assert.True(t, row.ChangedAt.Before(last), "newest first")
				}
				last = row.ChangedAt
			}
			assert.Equal(t, []int64{10700, 10600, 10500, 10400, 10300, 10200, 10100}, amounts)
			assert.Equal(t, int64(4), e.srv.Requests()-before, "four pages of two")
		})
	}

	pricing, err := e.client.ListBillingAccountConfigurationHistoryPage(ctx, "acct-1", &epilot.ConfigurationHistoryParams{ChangeType: epilot.ChangeContractPricing})
	require.NoError(t, err)
	require.Len(t, pricing.Items, 1)
	assert.Equal(t, epilot.ChangeContractPricing, pricing.Items[0].ChangeType)
	assert.False(t, pricing.HasMore)

	_, err = e.client.ListContractConfigurationHistoryPage(ctx, "missing", &p)
	require.ErrorIs(t, err, polybill.ErrNotFound)

	// The cursor lives in the params, like crm's and clinic's Page; nil means the defaults.
	p.From = 5
	tail, err := e.client.ListContractConfigurationHistoryPage(ctx, c.ID, &p)
	require.NoError(t, err)
	require.Len(t, tail.Items, 2)
	assert.Equal(t, int64(10200), *tail.Items[0].NewValue.MinorUnits)
	assert.Equal(t, 7, tail.Next)
	assert.False(t, tail.HasMore)
	assert.Equal(t, epilot.ConfigurationHistoryParams{Size: 2, From: 5}, p, "the caller's params are not changed")
	var rest []int64
	for row, err := range e.client.ListBillingAccountConfigurationHistory(ctx, "acct-1", &p) {
		require.NoError(t, err)
		rest = append(rest, *row.NewValue.MinorUnits)
	}
	assert.Equal(t, []int64{10200, 10100}, rest, "the iterator starts at params.From")
	defaults, err := e.client.ListContractConfigurationHistoryPage(ctx, c.ID, nil)
	require.NoError(t, err)
	assert.Len(t, defaults.Items, 7)
	n := 0
	for _, err := range e.client.ListContractConfigurationHistory(ctx, c.ID, nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 7, n)
	_, err = e.client.ListBillingAccountConfigurationHistoryPage(ctx, "", nil)
	require.ErrorIs(t, err, polybill.ErrValidation)
	_, err = e.client.ListContractConfigurationHistoryPage(ctx, c.ID, &epilot.ConfigurationHistoryParams{From: -1})
	require.ErrorIs(t, err, polybill.ErrValidation)
}
