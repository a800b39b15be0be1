package epilot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// One unreadable leaf never fails the page: the event with `billing_amount_decimal: ""` (the
// vendor's spec types it as a plain string) is returned with the value reported, and the next
// event of the page is intact.
func TestBadLeavesDoNotFailThePage(t *testing.T) {
	for _, bad := range []string{`""`, `"n/a"`, `"12345678901234567890.5"`, `4.440892098500626e-16`, `{"x":1}`} {
		t.Run(bad, func(t *testing.T) {
			e := newEnvValidated(t, false)
			ev1 := `{"_id":"ev-1","type":"payment","billing_amount":1000,"billing_amount_decimal":` + bad + `,"billing_currency":"EUR","note":"n","booking_date":"2026-01-05"}`
			ev2 := `{"_id":"ev-2","type":"installment","billing_amount":500,"billing_amount_decimal":"5.00","billing_currency":"EUR","due_date":"not a date"}`
			e.srv.Faults().Add(epilottest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/v1/billing/events" },
				Status: 200, Body: `{"hits":2,"results":[` + ev1 + `,` + ev2 + `]}`})
			page, err := e.client.ListBillingEventsPage(context.Background(), nil)
			require.NoError(t, err)
			require.Len(t, page.Items, 2)
			f := page.Items[0].Fields()
			assert.Equal(t, "ev-1", f.ID)
			assert.Equal(t, "n", f.Note)
			assert.Equal(t, int64(1000), *f.Amount.MinorUnits)
			assert.Nil(t, f.Amount.Decimal)
			require.Len(t, page.Items[0].Problems(), 1)
			assert.Equal(t, "billing_amount_decimal", page.Items[0].Problems()[0].Path)
			assert.Equal(t, bad, string(page.Items[0].Problems()[0].Raw))
			assert.Contains(t, string(f.Raw()), bad, "the raw value stays reachable")

			g := page.Items[1].Fields()
			assert.Equal(t, "5.00", g.Amount.Decimal.String())
			require.Len(t, page.Items[1].Problems(), 1)
			assert.Equal(t, "due_date", page.Items[1].Problems()[0].Path)
		})
	}
}

// The rule set through the public client: case variants of a known key go to the field only,
// invalid UTF-8 becomes U+FFFD, the last of duplicate keys wins.
func TestEventKeyRules(t *testing.T) {
	ev, err := epilot.ParseBillingEvent([]byte("{\"_id\":\"a\",\"Note\":\"N\",\"internal_note\":\"x\",\"internal_note\":\"y\",\"_title\":\"t\xff\"}"))
	require.NoError(t, err)
	f := ev.Fields()
	assert.Equal(t, "N", f.Note)
	assert.NotContains(t, f.Extra, "Note", "a key matched to a field is not also unknown")
	assert.Equal(t, "y", f.InternalNote)
	assert.Equal(t, "t\uFFFD", f.Title)
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(strings.ToLower(string(out)), `"note"`), "written back once: %s", out)
}

// Unknown keys at every level (the contract, its customer relation next to `$relation`, the
// relation's items) survive a read-modify-write byte for byte.
func TestContractReadModifyWriteKeepsUnknownKeys(t *testing.T) {
	e := newEnvValidated(t, false)
	ctx := context.Background()
	id, err := e.srv.AddContract(json.RawMessage(`{"contract_name":"A","org_field":{"a" : [1, 2]},
		"customer":{"$relation":[{"entity_id":"cu-1","role":"payer"}],"sibling":"keep"}}`))
	require.NoError(t, err)
	got, err := e.client.UpdateContract(ctx, id, epilot.Contract{Description: "first"})
	require.NoError(t, err)
	assert.Equal(t, `{"a":[1,2]}`, string(got.Extra["org_field"]), "as the fake stored it")
	assert.Equal(t, `"keep"`, string(got.Customer.Extra["sibling"]))
	require.Len(t, got.Customer.Items, 1)
	assert.Equal(t, `"payer"`, string(got.Customer.Items[0].Extra["role"]))

	got.Description = "second"
	_, err = e.client.UpdateContract(ctx, id, *got)
	require.NoError(t, err)
	var stored string
	for _, c := range e.srv.Contracts() {
		if strings.Contains(string(c), id) {
			stored = string(c)
		}
	}
	assert.Contains(t, stored, `"second"`)
	assert.Contains(t, stored, `"sibling":"keep"`)
	assert.Contains(t, stored, `"role":"payer"`)
	assert.Contains(t, stored, `"org_field":{"a":[1,2]}`)
}

// The balance, pricing information and configuration history are read by the same reader as
// events: one unreadable leaf leaves its field zero, the rest is intact, and Problems names it
// with its path and raw value.
func TestBadLeavesInBalancePricingAndHistory(t *testing.T) {
	ctx := context.Background()
	serve := func(e *env, path, body string) {
		e.srv.Faults().Add(epilottest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == path }, Status: 200, Body: body})
	}
	for _, bad := range []string{`""`, `"n/a"`, `4.440892098500626e-16`, `[1]`} {
		t.Run("balance "+bad, func(t *testing.T) {
			e := newEnvValidated(t, false)
			serve(e, "/v1/billing/customers/c/balance", `{"balance":8990,"balance_decimal":`+bad+`,"balance_currency":"EUR","x":1}`)
			b, err := e.client.GetCustomerBalance(ctx, "c")
			require.NoError(t, err)
			assert.Equal(t, int64(8990), *b.Amount.MinorUnits)
			assert.Equal(t, "EUR", string(b.Amount.Currency))
			assert.Nil(t, b.Amount.Decimal)
			require.Len(t, b.Problems(), 1)
			assert.Equal(t, "balance_decimal", b.Problems()[0].Path)
			assert.Equal(t, bad, string(b.Problems()[0].Raw))
			assert.Contains(t, string(b.Raw()), bad)
		})
		t.Run("pricing "+bad, func(t *testing.T) {
			e := newEnvValidated(t, false)
			serve(e, "/v1/billing/contracts/c1/pricing_information", `{"entity_type":"contract","entity_id":"c1",
				"balance":{"amount":100,"amount_decimal":`+bad+`,"currency":"EUR"},
				"context":{"base_price":{"price_id":"p","unit_amount_gross_decimal":`+bad+`}},
				"history":[{"event_id":"h1","change_type":"installment_amount_changed","changed_at":"2026-01-01T00:00:00Z",
					"new_value":{"amount":5,"amount_decimal":`+bad+`,"currency":"EUR"}},{"event_id":"h2","changed_at":"nope"}]}`)
			info, err := e.client.GetContractPricingInformation(ctx, "c1", nil)
			require.NoError(t, err)
			assert.Equal(t, "c1", info.EntityID)
			assert.Equal(t, int64(100), *info.Balance.MinorUnits)
			assert.Nil(t, info.Balance.Decimal)
			assert.Equal(t, "p", info.Context.BasePrice.PriceID)
			assert.Nil(t, info.Context.BasePrice.UnitAmountGross)
			require.Len(t, info.Problems(), 2)
			assert.Equal(t, "balance.amount_decimal", info.Problems()[0].Path)
			assert.Equal(t, "context.base_price.unit_amount_gross_decimal", info.Problems()[1].Path)
			assert.Equal(t, bad, string(info.Problems()[1].Raw))
			require.Len(t, info.History, 2)
			row := info.History[0]
			assert.Equal(t, "h1", row.EventID)
			assert.Equal(t, int64(5), *row.NewValue.MinorUnits)
			require.Len(t, row.Problems(), 1, "a row's problems are the row's")
			assert.Equal(t, "new_value.amount_decimal", row.Problems()[0].Path)
			assert.Contains(t, string(row.Raw()), `"h1"`)
			assert.Equal(t, "h2", info.History[1].EventID)
			require.Len(t, info.History[1].Problems(), 1)
			assert.Equal(t, "changed_at", info.History[1].Problems()[0].Path)
		})
		t.Run("history "+bad, func(t *testing.T) {
			e := newEnvValidated(t, false)
			serve(e, "/v1/billing/contracts/c1/configuration_history", `{"total":2,"history":[
				{"event_id":"h1","change_type":"installment_amount_changed","previous_value":{"amount":1,"amount_decimal":`+bad+`,"currency":"EUR"}},
				{"event_id":"h2","schema_version":`+bad+`}]}`)
			page, err := e.client.ListContractConfigurationHistoryPage(ctx, "c1", nil)
			require.NoError(t, err)
			require.Len(t, page.Items, 2)
			assert.Equal(t, 2, page.Total)
			assert.Equal(t, "h1", page.Items[0].EventID)
			assert.Equal(t, int64(1), *page.Items[0].PreviousValue.MinorUnits)
			require.Len(t, page.Items[0].Problems(), 1)
			assert.Equal(t, "previous_value.amount_decimal", page.Items[0].Problems()[0].Path)
			assert.Equal(t, bad, string(page.Items[0].Problems()[0].Raw))
			assert.Equal(t, "h2", page.Items[1].EventID)
			require.Len(t, page.Items[1].Problems(), 1)
			assert.Equal(t, "schema_version", page.Items[1].Problems()[0].Path)
		})
	}
}
