package clinic_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
)

// The rule set of internal/wire through the public client, on a body served by the fake:
// invalid UTF-8 becomes U+FFFD (in values and keys), a case variant of a known key is read into
// its field (and is not reported), the last of duplicate keys wins, and unknown keys at every
// level stay reachable in the record's Raw, as sent.
func TestKeyRulesThroughTheClient(t *testing.T) {
	f := newFixture(t, nil)
	f.offSpec = true
	body := "{\"id\":\"INV-1\",\"PATIENT\":{\"id\":\"P\",\"name\":\"A\xffB\",\"x\":1},\"status\":\"paid\",\"status\":\"draft\"," +
		"\"line_items\":[{\"service_name\":\"S\",\"Rate\":\"2.00\",\"hsn\xff\":\"9993\"}],\"k\xff\":{\"deep\":[1, 2]},\"grand_total\":2}"
	f.srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/invoices/INV-1" },
		Status: http.StatusOK, Body: body})

	inv, err := f.client.GetInvoice(context.Background(), "INV-1")
	require.NoError(t, err)
	assert.Equal(t, clinic.Party{ID: "P", Name: "A\uFFFDB"}, inv.Patient, "a case variant of a known key; invalid UTF-8 is U+FFFD")
	assert.Equal(t, clinic.InvoiceStatusDraft, inv.Status, "the last duplicate wins")
	require.Len(t, inv.LineItems, 1)
	assert.Equal(t, "2.00", inv.LineItems[0].Rate.String())
	assert.Empty(t, inv.Problems())
	assert.Empty(t, inv.LineItems[0].Problems())
	var top, line map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(inv.Raw, &top))
	require.NoError(t, json.Unmarshal(inv.LineItems[0].Raw, &line))
	assert.Equal(t, `{"deep":[1, 2]}`, string(top["k\uFFFD"]), "an unknown key, its invalid UTF-8 replaced as encoding/json does")
	assert.Equal(t, `"9993"`, string(line["hsn\uFFFD"]), "unknown keys of nested records")
	assert.Contains(t, string(top["PATIENT"]), `"x":1`, "unknown keys of nested values")
}
