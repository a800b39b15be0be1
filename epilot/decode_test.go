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
