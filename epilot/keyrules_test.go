package epilot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/epilot/epilottest"
)

// The rule set of internal/wire through the public client, on an event served by the fake:
// invalid UTF-8 becomes U+FFFD (in values and keys), a case variant of a known key is read into
// its field and is not also unknown, the last of duplicate keys wins, and unknown keys at every
// level (the event, its contract relation next to $relation, the relation's items) survive a
// read-modify-write: the fetched event, created again, reaches the server with them as sent.
func TestEventKeyRulesThroughTheClient(t *testing.T) {
	e := newEnvValidated(t, false)
	ctx := context.Background()
	body := "{\"_id\":\"ev-1\",\"type\":\"installment\",\"billing_amount\":1000,\"billing_amount_decimal\":\"10.00\",\"billing_currency\":\"EUR\"," +
		"\"booking_date\":\"2026-01-05\",\"due_date\":\"2026-01-05\",\"_title\":\"t\xff\",\"NOTE\":\"N\",\"internal_note\":\"x\",\"internal_note\":\"y\"," +
		"\"contract\":{\"$relation\":[{\"entity_id\":\"c-1\",\"role\":\"main\"}],\"sibling\":{\"keep\" : [1, 2]}},\"org_field\":{\"a\":[1, 2]},\"k\xff\":1}"
	e.srv.Faults().Add(epilottest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/v1/billing/events/ev-1" },
		Status: http.StatusOK, Body: body})

	ev, err := e.client.GetBillingEvent(ctx, "ev-1")
	require.NoError(t, err)
	f := ev.Fields()
	assert.Equal(t, "t\uFFFD", f.Title, "invalid UTF-8 is U+FFFD")
	assert.Equal(t, "N", f.Note, "a case variant of a known key")
	assert.NotContains(t, f.Extra, "NOTE", "and not also unknown")
	assert.Equal(t, "y", f.InternalNote, "the last duplicate wins")
	assert.Empty(t, ev.Problems())
	assert.Equal(t, `{"a":[1, 2]}`, string(f.Extra["org_field"]))
	assert.Equal(t, `1`, string(f.Extra["k\uFFFD"]), "an unknown key, its invalid UTF-8 replaced as encoding/json does")
	assert.Equal(t, `{"keep" : [1, 2]}`, string(f.Contract.Extra["sibling"]), "unknown keys next to $relation")
	require.Len(t, f.Contract.Items, 1)
	assert.Equal(t, `"main"`, string(f.Contract.Items[0].Extra["role"]), "unknown keys of a relation item")

	// Read-modify-write: the fetched event, with a new external id, created again.
	f.ID, f.ExternalID = "", "copy-1"
	created, err := e.client.CreateBillingEvent(ctx, ev)
	require.NoError(t, err)
	var stored map[string]json.RawMessage
	for _, raw := range e.srv.Events() {
		if strings.Contains(string(raw), created.Fields().ID) {
			require.NoError(t, json.Unmarshal(raw, &stored))
		}
	}
	require.NotNil(t, stored, "the copy reached the fake")
	assert.JSONEq(t, `{"a":[1,2]}`, string(stored["org_field"]))
	assert.JSONEq(t, `1`, string(stored["k\uFFFD"]))
	assert.JSONEq(t, `"N"`, string(stored["note"]))
	assert.NotContains(t, stored, "NOTE", "a key matched to a field is written once, under its own name")
	assert.JSONEq(t, `{"$relation":[{"entity_id":"c-1","role":"main"}],"sibling":{"keep":[1,2]}}`, string(stored["contract"]))
}
