package crm

import (
	"reflect"
	"testing"

	"github.com/polybill/polybill-go/internal/spectest"
)

// Every property of every 2xx response of openapi/crm.yaml is read into a typed field, unless
// listed as deliberately raw-only (issue 13 Deliver 5).
func TestSpecResponsePropertiesAreTyped(t *testing.T) {
	// The answers the client splits by hand (rawDoc, then data as a list or an object), as the
	// shapes it reads.
	type eapDoc struct {
		Data EAPSessions `wire:"data"`
		Meta eapMeta     `wire:"meta"`
	}
	type splitDoc struct {
		Data PaymentSplit `wire:"data"`
	}
	spectest.CheckResponses(t, spectest.Load(t, "../openapi/crm.yaml"), spectest.Responses{
		Types: map[string]reflect.Type{
			"createMeetingBilling":  reflect.TypeFor[billingDoc](),
			"getBilling":            reflect.TypeFor[billingDoc](),
			"updateBilling":         reflect.TypeFor[billingDoc](),
			"getMeetingBilling":     reflect.TypeFor[meetingBillingDoc](),
			"getOutstandingByPayer": reflect.TypeFor[outstandingDoc](),
			"getEapSessions":        reflect.TypeFor[eapDoc](),
			"getRevenueReport":      reflect.TypeFor[dataDoc[RevenueReport]](),
			"getAgingReport":        reflect.TypeFor[dataDoc[AgingReport]](),
			"getParticipantReport":  reflect.TypeFor[dataDoc[ParticipantReport]](),
			"getPaymentSplit":       reflect.TypeFor[splitDoc](),
		},
		Arrays: map[reflect.Type]reflect.Type{
			reflect.TypeFor[EAPSessions]():  reflect.TypeFor[Billing](),
			reflect.TypeFor[PaymentSplit](): reflect.TypeFor[SplitEntry](),
		},
		RawOnly: map[string]string{},
	})
}

// Every property of every request body of openapi/crm.yaml is settable through a public field.
func TestSpecRequestPropertiesAreSettable(t *testing.T) {
	spectest.CheckRequests(t, spectest.Load(t, "../openapi/crm.yaml"), spectest.Requests{
		Params: map[string]reflect.Type{
			"createMeetingBilling": reflect.TypeFor[CreateBillingParams](),
			"updateBilling":        reflect.TypeFor[UpdateBillingParams](),
		},
		Bodies: map[string]reflect.Type{
			"createMeetingBilling": reflect.TypeFor[billingBody](),
			"updateBilling":        reflect.TypeFor[billingBody](),
		},
		Fields: map[string]string{
			"createMeetingBilling.billing.amount":            "Amount",
			"createMeetingBilling.billing.fee_amount":        "- the official SDK's name for amount; the SDK sends amount, as the vendor document does",
			"createMeetingBilling.billing.billing_notes":     "Notes",
			"createMeetingBilling.billing.billing_type":      "BillingType",
			"createMeetingBilling.billing.fee_currency":      "Currency",
			"createMeetingBilling.billing.invoice_due_date":  "DueAt",
			"createMeetingBilling.billing.participant_email": "ParticipantEmail",
			"createMeetingBilling.billing.payer_email":       "PayerEmail",
			"createMeetingBilling.billing.payer_name":        "PayerName",
			"createMeetingBilling.billing.status":            "Status",
			"updateBilling.billing.amount":                   "Amount",
			"updateBilling.billing.billing_notes":            "Notes",
			"updateBilling.billing.billing_type":             "BillingType",
			"updateBilling.billing.fee_currency":             "Currency",
			"updateBilling.billing.invoice_due_date":         "DueAt",
			"updateBilling.billing.paid_at":                  "PaidAt",
			"updateBilling.billing.participant_email":        "ParticipantEmail",
			"updateBilling.billing.payer_email":              "PayerEmail",
			"updateBilling.billing.payer_name":               "PayerName",
			"updateBilling.billing.status":                   "Status",
		},
	})
}
