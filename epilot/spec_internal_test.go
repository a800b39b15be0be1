package epilot

import (
	"reflect"
	"testing"

	"github.com/polybill/polybill-go/internal/spectest"
)

// Every property of every 2xx response of openapi/epilot.yaml is read into a typed field, unless
// listed as deliberately raw-only (issue 13 Deliver 5).
func TestSpecResponsePropertiesAreTyped(t *testing.T) {
	spectest.CheckResponses(t, spectest.Load(t, "../openapi/epilot.yaml"), spectest.Responses{
		Types: map[string]reflect.Type{
			"createBillingEvent":                    reflect.TypeFor[eventWire](),
			"getBillingEvent":                       reflect.TypeFor[eventWire](),
			"getBillingEventByExternalId":           reflect.TypeFor[eventWire](),
			"updateBillingEvent":                    reflect.TypeFor[eventWire](),
			"getBillingEvents":                      reflect.TypeFor[eventList](),
			"createContractEntity":                  reflect.TypeFor[Contract](),
			"updateContractEntity":                  reflect.TypeFor[Contract](),
			"getCustomerBalance":                    reflect.TypeFor[Balance](),
			"getContractPricingInformation":         reflect.TypeFor[ContractPricingInformation](),
			"getBillingAccountPricingInformation":   reflect.TypeFor[BillingAccountPricingInformation](),
			"getContractConfigurationHistory":       reflect.TypeFor[historyResponse](),
			"getBillingAccountConfigurationHistory": reflect.TypeFor[historyResponse](),
		},
		Through: map[reflect.Type]reflect.Type{
			reflect.TypeFor[Contract]():                         reflect.TypeFor[contractWire](),
			reflect.TypeFor[Balance]():                          reflect.TypeFor[balanceWire](),
			reflect.TypeFor[HistoryRow]():                       reflect.TypeFor[historyRowWire](),
			reflect.TypeFor[ContractPricingInformation]():       reflect.TypeFor[contractPricingWire](),
			reflect.TypeFor[BillingAccountPricingInformation](): reflect.TypeFor[billingAccountPricingWire](),
			reflect.TypeFor[Relation]():                         reflect.TypeFor[relationWire](),
			reflect.TypeFor[RelationItem]():                     reflect.TypeFor[relationItemWire](),
		},
		RawOnly: map[string]string{},
	})
}
