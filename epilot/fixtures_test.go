package epilot_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/polybill/polybill-go/epilot/internal/oapiserver"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
)

func eventFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = b
	}
	return out
}

// TestEventFixtures decodes one vendor-shaped event of every kind: each lands in its Go type,
// its amounts agree, the current-spec ones conform to the spec, and re-encoding gives the
// same JSON (unknown properties, relation extras and number spellings included).
func TestEventFixtures(t *testing.T) {
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	schema := spec.Components.Schemas["BillingEvent"].Value
	wantType := map[string]reflect.Type{
		"installment": reflect.TypeOf(&epilot.InstallmentEvent{}), "payment": reflect.TypeOf(&epilot.PaymentEvent{}),
		"reimbursement": reflect.TypeOf(&epilot.ReimbursementEvent{}), "dunning_fee": reflect.TypeOf(&epilot.DunningFeeEvent{}),
		"invoice": reflect.TypeOf(&epilot.InvoiceEvent{}), "final_bill": reflect.TypeOf(&epilot.FinalBillEvent{}),
		"bonus": reflect.TypeOf(&epilot.BonusEvent{}), "correction": reflect.TypeOf(&epilot.CorrectionEvent{}),
		"custom_grid_fee_adjustment": reflect.TypeOf(&epilot.CustomEvent{}), "custom_chargeback": reflect.TypeOf(&epilot.CustomEvent{}),
		"legacy_reference": reflect.TypeOf(&epilot.InstallmentEvent{}),
	}
	fixtures := eventFixtures(t)
	assert.Len(t, fixtures, len(wantType))
	for name, data := range fixtures {
		t.Run(name, func(t *testing.T) {
			ev, err := epilot.ParseBillingEvent(data)
			require.NoError(t, err)
			assert.Equal(t, wantType[name], reflect.TypeOf(ev))
			require.NoError(t, ev.Fields().Amount.Check(), "cents and decimal agree")
			if name == "legacy_reference" {
				return // checked in TestLegacyReferenceExample
			}
			var doc any
			require.NoError(t, json.Unmarshal(data, &doc))
			// A fixture is a server's answer: the create-only external_link.url is not expected.
			assert.NoError(t, schema.VisitJSON(doc, openapi3.MultiErrors(), openapi3.VisitAsResponse()), "the fixture is a valid BillingEvent")
			out, err := json.Marshal(ev)
			require.NoError(t, err)
			assert.JSONEq(t, string(data), string(out))
		})
	}
}

// The reference page's example is the legacy shape: placeholder timestamps and a due date
// written as a timestamp. It decodes; what cannot be read is zero, not an error.
func TestLegacyReferenceExample(t *testing.T) {
	ev, err := epilot.ParseBillingEvent(eventFixtures(t)["legacy_reference"])
	require.NoError(t, err)
	f := ev.Fields()
	assert.True(t, f.CreatedAt.IsZero(), `"_created_at": "string" reads as zero`)
	assert.Equal(t, polybill.NewDate(1970, 1, 1), f.DueDate)
	assert.True(t, f.PaidDate.Equal(time.Unix(0, 0)))
	assert.Equal(t, "d4fb2a4e-3f74-4fc4-8fba-6fdaaaa3b08e", f.ExternalID)
	assert.Equal(t, []string{"f589786b-3024-43cd-9cb3-5a3c953f2896"}, f.Contract.IDs())
	assert.Contains(t, string(f.Raw()), `"_created_at": "string"`, "the original stays reachable")
}
