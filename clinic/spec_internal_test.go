package clinic

import (
	"reflect"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/polybill/polybill-go/internal/spectest"
)

// Every property of every 2xx response of openapi/clinic.yaml is read into a typed field, unless
// listed as deliberately raw-only (issue 13 Deliver 5).
func TestSpecResponsePropertiesAreTyped(t *testing.T) {
	spectest.CheckResponses(t, spectest.Load(t, "../openapi/clinic.yaml"), spectest.Responses{
		Types: map[string]reflect.Type{
			// The token endpoint is read by golang.org/x/oauth2 (clientcredentials), not by
			// internal/wire; its Token is what the client keeps.
			"issueToken":    reflect.TypeFor[oauth2.Token](),
			"listInvoices":  reflect.TypeFor[invoicePage](),
			"getInvoice":    reflect.TypeFor[Invoice](),
			"recordPayment": reflect.TypeFor[Payment](),
			"getSummary":    reflect.TypeFor[Summary](),
		},
		// A list answer is an envelope or a bare array of summaries (invoicePageBody).
		Arrays: map[reflect.Type]reflect.Type{
			reflect.TypeFor[invoicePage](): reflect.TypeFor[InvoiceSummary](),
		},
		// Invoice reads through the flat patient/branch keys some answers use.
		Through: map[reflect.Type]reflect.Type{
			reflect.TypeFor[Invoice](): reflect.TypeFor[invoiceWire](),
		},
		RawOnly: map[string]string{
			"TokenResponse.scope": "the granted scopes: oauth2 keeps them in Token.Extra(\"scope\"); the client does not act on them (a missing scope answers 403)",
			"ListMeta.page":       "echoes the page the client asked for; Page.Next is computed from the request",
			"ListMeta.per_page":   "echoes the per_page the client asked for (the server may clamp it; HasMore uses total and total_pages)",
		},
	})
}

// Every property of every request body of openapi/clinic.yaml is settable through a public field.
func TestSpecRequestPropertiesAreSettable(t *testing.T) {
	spectest.CheckRequests(t, spectest.Load(t, "../openapi/clinic.yaml"), spectest.Requests{
		Params: map[string]reflect.Type{
			// The client credentials (WithCredentials, BIOECKO_CLIENT_ID/SECRET) fill
			// golang.org/x/oauth2's clientcredentials.Config, which sends the form.
			"issueToken":    reflect.TypeFor[clientcredentials.Config](),
			"recordPayment": reflect.TypeFor[RecordPaymentParams](),
		},
		Bodies: map[string]reflect.Type{
			"issueToken":    nil, // the form golang.org/x/oauth2 writes
			"recordPayment": reflect.TypeFor[paymentRequest](),
		},
		Fields: map[string]string{
			"issueToken.client_id":       "ClientID",
			"issueToken.client_secret":   "ClientSecret",
			"issueToken.scope":           "Scopes",
			"issueToken.grant_type":      "- oauth2's clientcredentials sends grant_type=client_credentials itself",
			"recordPayment.amount":       "Amount",
			"recordPayment.payment_date": "PaymentDate",
			"recordPayment.payment_mode": "Mode",
			"recordPayment.reference":    "Reference",
		},
	})
}
