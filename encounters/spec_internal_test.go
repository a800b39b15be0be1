package encounters

import (
	"reflect"
	"testing"

	"github.com/polybill/polybill-go/internal/spectest"
)

// Every property of every 2xx response of openapi/encounters.yaml is read into a typed field,
// unless listed as deliberately raw-only (issue 13 Deliver 5).
func TestSpecResponsePropertiesAreTyped(t *testing.T) {
	spectest.CheckResponses(t, spectest.Load(t, "../openapi/encounters.yaml"), spectest.Responses{
		Types: map[string]reflect.Type{
			"findInvoices":        reflect.TypeFor[wirePage[Invoice]](),
			"createInvoice":       reflect.TypeFor[Invoice](),
			"getInvoice":          reflect.TypeFor[Invoice](),
			"patchInvoice":        reflect.TypeFor[Invoice](),
			"removeInvoice":       reflect.TypeFor[Invoice](),
			"findItems":           reflect.TypeFor[wirePage[Item]](),
			"createItem":          reflect.TypeFor[Item](),
			"getItem":             reflect.TypeFor[Item](),
			"patchItem":           reflect.TypeFor[Item](),
			"removeItem":          reflect.TypeFor[Item](),
			"findPayments":        reflect.TypeFor[wirePage[Payment]](),
			"createPayment":       reflect.TypeFor[Payment](),
			"getPayment":          reflect.TypeFor[Payment](),
			"patchPayment":        reflect.TypeFor[Payment](),
			"removePayment":       reflect.TypeFor[Payment](),
			"findEncounters":      reflect.TypeFor[wirePage[Encounter]](),
			"createEncounter":     reflect.TypeFor[Encounter](),
			"getEncounter":        reflect.TypeFor[Encounter](),
			"patchEncounter":      reflect.TypeFor[Encounter](),
			"removeEncounter":     reflect.TypeFor[Encounter](),
			"findCustomers":       reflect.TypeFor[wirePage[Customer]](),
			"createCustomer":      reflect.TypeFor[Customer](),
			"getCustomer":         reflect.TypeFor[Customer](),
			"patchCustomer":       reflect.TypeFor[Customer](),
			"removeCustomer":      reflect.TypeFor[Customer](),
			"findPaymentIntents":  reflect.TypeFor[wirePage[PaymentIntent]](),
			"createPaymentIntent": reflect.TypeFor[PaymentIntent](),
			"getPaymentIntent":    reflect.TypeFor[PaymentIntent](),
			"patchPaymentIntent":  reflect.TypeFor[PaymentIntent](),
			"removePaymentIntent": reflect.TypeFor[PaymentIntent](),
			"getNetAmountTotal":   reflect.TypeFor[netAmountTotal](),
			"getReceivablesTotal": reflect.TypeFor[receivablesTotal](),
			"authenticate":        reflect.TypeFor[authResult](),
		},
		// A find answer is a page or a bare array of records (wirePage.DecodeBody).
		Arrays: map[reflect.Type]reflect.Type{
			reflect.TypeFor[wirePage[Invoice]]():       reflect.TypeFor[Invoice](),
			reflect.TypeFor[wirePage[Item]]():          reflect.TypeFor[Item](),
			reflect.TypeFor[wirePage[Payment]]():       reflect.TypeFor[Payment](),
			reflect.TypeFor[wirePage[Encounter]]():     reflect.TypeFor[Encounter](),
			reflect.TypeFor[wirePage[Customer]]():      reflect.TypeFor[Customer](),
			reflect.TypeFor[wirePage[PaymentIntent]](): reflect.TypeFor[PaymentIntent](),
		},
		// The records whose UnmarshalJSON reads through a wider shape.
		Through: map[reflect.Type]reflect.Type{
			reflect.TypeFor[Customer]():      reflect.TypeFor[customerWire](),
			reflect.TypeFor[PaymentIntent](): reflect.TypeFor[paymentIntentWire](),
		},
		RawOnly: map[string]string{
			"AuthResult.user":       "not read: the login flow keeps only the tokens; the signed-in account is no billing record",
			"NetAmountTotal.type":   "echoes the analytics type the route already names; NetAmountTotal returns the amount only",
			"ReceivablesTotal.type": "echoes the analytics type the route already names; ReceivablesTotal returns the map only",
		},
	})
}

// Every property of every request body of openapi/encounters.yaml is settable through a public
// field (or a method's argument, for the patches a method sends).
func TestSpecRequestPropertiesAreSettable(t *testing.T) {
	spectest.CheckRequests(t, spectest.Load(t, "../openapi/encounters.yaml"), spectest.Requests{
		Params: map[string]reflect.Type{
			"createInvoice":       reflect.TypeFor[CreateInvoiceParams](),
			"patchInvoice":        reflect.TypeFor[PatchInvoiceParams](),
			"createItem":          reflect.TypeFor[CreateItemParams](),
			"patchItem":           reflect.TypeFor[PatchItemParams](),
			"createPayment":       reflect.TypeFor[CreatePaymentParams](),
			"patchPayment":        reflect.TypeFor[PatchPaymentParams](),
			"createEncounter":     reflect.TypeFor[CreateEncounterParams](),
			"patchEncounter":      reflect.TypeFor[PatchEncounterParams](),
			"createCustomer":      reflect.TypeFor[CreateCustomerParams](),
			"patchCustomer":       reflect.TypeFor[CustomerService](),
			"createPaymentIntent": reflect.TypeFor[CreatePaymentIntentParams](),
			"patchPaymentIntent":  reflect.TypeFor[PaymentIntentService](),
			"authenticate":        reflect.TypeFor[authRequest](),
		},
		Bodies: map[string]reflect.Type{
			"createInvoice":       reflect.TypeFor[invoiceCreate](),
			"patchInvoice":        reflect.TypeFor[invoicePatch](),
			"createItem":          reflect.TypeFor[itemCreate](),
			"patchItem":           reflect.TypeFor[itemPatch](),
			"createPayment":       reflect.TypeFor[paymentCreate](),
			"patchPayment":        reflect.TypeFor[paymentPatch](),
			"createEncounter":     reflect.TypeFor[encounterCreate](),
			"patchEncounter":      reflect.TypeFor[encounterPatch](),
			"createCustomer":      reflect.TypeFor[customerCreate](),
			"patchCustomer":       reflect.TypeFor[customerPatch](),
			"createPaymentIntent": reflect.TypeFor[paymentIntentCreate](),
			"patchPaymentIntent":  reflect.TypeFor[paymentIntentPatch](),
			"authenticate":        reflect.TypeFor[authRequest](),
		},
		Fields: map[string]string{
			// The login flow behind WithCredentials fills authRequest; the caller gives only
			// the email and password.
			"authenticate.strategy":     "Strategy",
			"authenticate.email":        "Email",
			"authenticate.password":     "Password",
			"authenticate.action":       "Action",
			"authenticate.refreshToken": "RefreshToken",
			"authenticate.totpToken":    "- not sent: the SDK signs in with email and password (no two-factor accounts)",
			"authenticate.accessToken":  "- not sent: a session renews with its refresh token, not by re-authenticating the jwt",

			"createCustomer.owner.account":      "Owner.Account",
			"createCustomer.owner.organization": "Owner.Organization",
			"createCustomer.stripeEmail":        "StripeEmail",
			"createCustomer.stripeToken":        "StripeToken",

			"createEncounter.doctors":       "Doctors",
			"createEncounter.encounterType": "EncounterType",
			"createEncounter.facility":      "Facility",
			"createEncounter.invoice":       "Invoice",
			"createEncounter.patient":       "Patient",
			"createEncounter.tags":          "Tags",
			"createEncounter.type":          "Type",

			"createInvoice.actionCode":             "ActionCode",
			"createInvoice.createdAt":              "CreatedAt",
			"createInvoice.discounts[].amount":     "Discounts.Amount",
			"createInvoice.discounts[].code":       "Discounts.Code",
			"createInvoice.discounts[].id":         "Discounts.ID",
			"createInvoice.discounts[].name":       "Discounts.Name",
			"createInvoice.discounts[].percentage": "Discounts.Percentage",
			"createInvoice.discounts[].promo":      "Discounts.Promo",
			"createInvoice.facility":               "Facility",
			"createInvoice.id":                     "ID",
			"createInvoice.notes":                  "Notes",
			"createInvoice.or":                     "OR",
			"createInvoice.subject":                "Subject",
			"createInvoice.subjectTags":            "SubjectTags",
			"createInvoice.subjectType":            "SubjectType",
			"createInvoice.tags":                   "Tags",
			"createInvoice.taxComplication":        "TaxComplication",
			"createInvoice.type":                   "Type",

			"createItem.description":   "Description",
			"createItem.invoice":       "Invoice",
			"createItem.name":          "Name",
			"createItem.price":         "Price",
			"createItem.priceCurrency": "PriceCurrency",
			"createItem.quantity":      "Quantity",
			"createItem.ref":           "Ref",
			"createItem.refType":       "RefType",
			"createItem.type":          "Type",

			"createPayment.amount":            "Amount",
			"createPayment.coverage":          "Coverage",
			"createPayment.idemp":             "Idemp",
			"createPayment.item":              "Item",
			"createPayment.itemType":          "ItemType",
			"createPayment.metadata":          "Metadata",
			"createPayment.notes":             "Notes",
			"createPayment.paymentMethod":     "PaymentMethod",
			"createPayment.paymentMethodName": "PaymentMethodName",
			"createPayment.paymentMethodType": "PaymentMethodType",
			"createPayment.ref":               "Ref",
			"createPayment.subtype":           "Subtype",
			"createPayment.target":            "Target",
			"createPayment.type":              "Type",

			"createPaymentIntent.currency":              "Currency",
			"createPaymentIntent.gatewayCancelURL":      "GatewayCancelURL",
			"createPaymentIntent.gatewayReturnURL":      "GatewayReturnURL",
			"createPaymentIntent.gatewayType":           "GatewayType",
			"createPaymentIntent.items[].amountPerItem": "Items.AmountPerItem",
			"createPaymentIntent.items[].name":          "Items.Name",
			"createPaymentIntent.items[].quantity":      "Items.Quantity",
			"createPaymentIntent.items[].ref":           "Items.Ref",
			"createPaymentIntent.items[].type":          "Items.Type",

			"patchEncounter.$unset":  "Unset",
			"patchEncounter.doctors": "Doctors",
			"patchEncounter.tags":    "Tags",

			"patchInvoice.$unset":          "Unset",
			"patchInvoice.notes":           "Notes",
			"patchInvoice.or":              "OR",
			"patchInvoice.tags":            "Tags",
			"patchInvoice.taxComplication": "TaxComplication",

			"patchItem.$unset":      "Unset",
			"patchItem.description": "Description",
			"patchItem.name":        "Name",
			"patchItem.price":       "Price",
			"patchItem.quantity":    "Quantity",

			"patchPayment.$unset":   "Unset",
			"patchPayment.metadata": "Metadata",
			"patchPayment.notes":    "Notes",
			"patchPayment.ref":      "Ref",
		},
		// The patch operators each method sends alone.
		Methods: map[string]any{
			"patchCustomer.stripeToken":           (*CustomerService).AddCard,
			"patchCustomer.$deleteStripeCard":     (*CustomerService).DeleteCard,
			"patchCustomer.$setDefaultStripeCard": (*CustomerService).SetDefaultCard,
			"patchEncounter.finalize":             (*EncounterService).Finalize,
			"patchEncounter.finish":               (*EncounterService).Finish,
			"patchInvoice.finalize":               (*InvoiceService).Finalize,
			"patchItem.finalize":                  (*ItemService).Finalize,
			"patchPaymentIntent.capture":          (*PaymentIntentService).Capture,
		},
	})
}
