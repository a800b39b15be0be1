package crm

import (
	"reflect"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/internal/wire"
)

// Every property of every response schema of openapi/crm.yaml has a typed field (a key in the
// type's wire tags), unless it is listed here as deliberately read only through the raw JSON.
func TestSpecResponsePropertiesAreTyped(t *testing.T) {
	spec, err := openapi3.NewLoader().LoadFromFile("../openapi/crm.yaml")
	require.NoError(t, err)
	types := map[string]reflect.Type{
		"BillingAttributes":  reflect.TypeFor[Billing](),
		"BillingResource":    reflect.TypeFor[Billing](),
		"PageMeta":           reflect.TypeFor[pageMeta](),
		"PayerOutstanding":   reflect.TypeFor[PayerOutstanding](),
		"EapMeta":            reflect.TypeFor[eapMeta](),
		"ReportPeriod":       reflect.TypeFor[ReportPeriod](),
		"RevenueReport":      reflect.TypeFor[RevenueReport](),
		"AgingReport":        reflect.TypeFor[AgingReport](),
		"ParticipantBilling": reflect.TypeFor[ParticipantBilling](),
		"ParticipantReport":  reflect.TypeFor[ParticipantReport](),
		"PaymentSplitEntry":  reflect.TypeFor[SplitEntry](),
		"PaymentSplit":       reflect.TypeFor[PaymentSplit](),
	}
	rawOnly := map[string]bool{
		"BillingResource.relationships": true, // JSON:API links between resources: Attributes keeps the resource's attributes only
		"BillingResource.links":         true,
	}
	var names []string
	for name := range types {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ref, ok := spec.Components.Schemas[name]
		require.True(t, ok, "schema %s is not in the spec", name)
		keys := wire.Keys(types[name])
		for prop := range ref.Value.Properties {
			if rawOnly[name+"."+prop] {
				continue
			}
			assert.True(t, keys[prop], "%s.%s has no typed field in %s", name, prop, types[name])
		}
	}
}
