// Package snippets is the source of the programs in examples/encounters: one function per
// operation of openapi/encounters.yaml, named after its operationId (getBilling: GetBilling), whose
// body internal/cmd/genexamples copies into examples/encounters/<operation>/main.go with the spec's
// example values in place of the example.… calls (see package example). Edit these, then run
// go generate ./examples.
//
// The find operations range the List iterator, which fetches pages lazily over $skip, so the
// spec's $skip example is not used (it would start past the fake's few records); $limit, in
// HapiHub's "#"-tagged encoding, is read with ParseQuery. The spec's patch operators
// (finalize, capture, $setDefaultStripeCard) are methods of their own.
package snippets

import (
	"context"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/examples/internal/exampleenv"
	"github.com/polybill/polybill-go/examples/internal/snippets/example"
)

func Authenticate(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The client signs in with email and password (HAPIHUB_EMAIL and HAPIHUB_PASSWORD; on the
	// fake, the spec's example account {{body "email"}}) on its first call. Authenticate does it
	// now, so wrong credentials fail at start-up rather than on the first invoice. With a
	// static token (HAPIHUB_TOKEN) there is nothing to obtain: it returns nil at once.
	client := env.SignInClient()
	exampleenv.Check(client.Authenticate(ctx))
	exampleenv.Print(map[string]any{"authenticated": true})
}

// --- billing-invoices ---

func FindInvoices(ctx context.Context, env *exampleenv.EncountersEnv) {
	env.Invoice("inv-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit="+example.Param[string]("$limit"))).Sort("createdAt", encounters.Descending)
	n := 0
	for invoice, err := range env.Client.Invoices.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(invoice)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}
}

func CreateInvoice(ctx context.Context, env *exampleenv.EncountersEnv) {
	// For medical billing prefer createEncounter with invoice: true (the invoice then has the
	// encounter's id); a standalone invoice suits other billing.
	invoice := exampleenv.Must(env.Client.Invoices.Create(ctx, encounters.CreateInvoiceParams{
		Facility:    example.Body[string]("facility"),
		Type:        encounters.InvoiceType(example.Body[string]("type")),
		Subject:     example.Body[string]("subject"),
		SubjectType: example.Body[string]("subjectType"),
	}))
	exampleenv.Print(invoice)
}

func GetInvoice(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.Invoice(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Invoices.Get(ctx, id, nil)))
}

func PatchInvoice(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The spec's example body, {{bodyJSON}}, is the finalize operator: Finalize sends it. It
	// finalizes the invoice's items too; items can then no longer be added, payments can.
	id := env.Invoice(example.Param[string]("id"))
	invoice := exampleenv.Must(env.Client.Invoices.Finalize(ctx, id))
	exampleenv.Print(invoice)
	// Timestamps are time.Time fields of their own (the server sends epoch milliseconds).
	exampleenv.Print(map[string]any{"finalized": invoice.Finalized(), "finalizedAt": invoice.FinalizedAt})
}

func RemoveInvoice(ctx context.Context, env *exampleenv.EncountersEnv) {
	// Deletes a draft invoice with its items and their payments; a finalized one is refused.
	id := env.Invoice(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Invoices.Delete(ctx, id)))
}

// --- billing-items ---

func FindItems(ctx context.Context, env *exampleenv.EncountersEnv) {
	env.Item("itm-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit="+example.Param[string]("$limit"))).Sort("createdAt", encounters.Descending)
	n := 0
	for item, err := range env.Client.Items.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(item)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}
}

func CreateItem(ctx context.Context, env *exampleenv.EncountersEnv) {
	invoice := env.Invoice(example.Body[string]("invoice")) // a draft: a finalized invoice takes no items
	item := exampleenv.Must(env.Client.Items.Create(ctx, encounters.CreateItemParams{
		Invoice: invoice,
		Type:    example.Body[string]("type"),
		Ref:     example.Body[string]("ref"),
		Price:   polybill.MustDecimal(example.BodyString("price")),
	}))
	exampleenv.Print(item)
}

func GetItem(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.Item(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Items.Get(ctx, id, nil)))
}

func PatchItem(ctx context.Context, env *exampleenv.EncountersEnv) {
	// Sends {{bodyJSON}}: fields are cleared with $unset, never with JSON null.
	id := env.Item(example.Param[string]("id"))
	item := exampleenv.Must(env.Client.Items.Patch(ctx, id, encounters.PatchItemParams{
		Description: example.Body[string]("description"),
		Unset:       encounters.Unset{"notes"},
	}))
	exampleenv.Print(item)
}

func RemoveItem(ctx context.Context, env *exampleenv.EncountersEnv) {
	// Deletes a draft item and its payments; a finalized one is refused.
	id := env.Item(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Items.Delete(ctx, id)))
}

// --- billing-payments ---

func FindPayments(ctx context.Context, env *exampleenv.EncountersEnv) {
	env.Payment("pay-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit="+example.Param[string]("$limit"))).Sort("createdAt", encounters.Descending)
	n := 0
	for payment, err := range env.Client.Payments.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(payment)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}
}

func CreatePayment(ctx context.Context, env *exampleenv.EncountersEnv) {
	item := env.Item(example.Body[string]("item"))
	payment := exampleenv.Must(env.Client.Payments.Create(ctx, encounters.CreatePaymentParams{
		Item:          item,
		Type:          encounters.PaymentType(example.Body[string]("type")),
		PaymentMethod: example.Body[string]("paymentMethod"),
		Amount:        polybill.MustDecimal(example.BodyString("amount")),
		// The spec's fixed idempotency key: a payment whose answer was lost is retried with
		// it, and running this program again returns the payment already recorded instead
		// of paying twice. Leave Idemp empty to have a fresh key generated per payment.
		Idemp: example.Body[string]("idemp"),
	}))
	exampleenv.Print(payment)
}

func GetPayment(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.Payment(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Payments.Get(ctx, id, nil)))
}

func PatchPayment(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.Payment(example.Param[string]("id"))
	payment := exampleenv.Must(env.Client.Payments.Patch(ctx, id, encounters.PatchPaymentParams{
		Notes: example.Body[string]("notes"),
	}))
	exampleenv.Print(payment)
}

func RemovePayment(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.Payment(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Payments.Delete(ctx, id)))
}

// --- medical-encounters ---

func FindEncounters(ctx context.Context, env *exampleenv.EncountersEnv) {
	env.Encounter("enc-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit="+example.Param[string]("$limit"))).Sort("createdAt", encounters.Descending)
	n := 0
	for encounter, err := range env.Client.Encounters.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(encounter)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}
}

func CreateEncounter(ctx context.Context, env *exampleenv.EncountersEnv) {
	// With Invoice set the encounter's BillingInvoice is created too, under the same id.
	encounter := exampleenv.Must(env.Client.Encounters.Create(ctx, encounters.CreateEncounterParams{
		Facility: example.Body[string]("facility"),
		Patient:  example.Body[string]("patient"),
		Type:     encounters.EncounterType(example.Body[string]("type")),
		Invoice:  example.Body[bool]("invoice"),
	}))
	exampleenv.Print(encounter)
}

func GetEncounter(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.Encounter(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Encounters.Get(ctx, id, nil)))
}

func PatchEncounter(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The spec's example body, {{bodyJSON}}, is the finalize operator: Finalize sends it at the
	// end of the visit, finalizing the encounter's invoice and its items.
	id := env.Encounter(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Encounters.Finalize(ctx, id)))
	invoice := exampleenv.Must(env.Client.Invoices.Get(ctx, id, nil))
	exampleenv.Print(map[string]any{"invoice": invoice.ID, "finalized": invoice.Finalized()})
}

func RemoveEncounter(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.Encounter(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Encounters.Delete(ctx, id)))
}

// --- billing/customers (vendor guide only) ---

func FindCustomers(ctx context.Context, env *exampleenv.EncountersEnv) {
	env.Customer("cus-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit="+example.Param[string]("$limit"))).Sort("createdAt", encounters.Descending)
	n := 0
	for customer, err := range env.Client.Customers.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(customer)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}
}

func CreateCustomer(ctx context.Context, env *exampleenv.EncountersEnv) {
	customer := exampleenv.Must(env.Client.Customers.Create(ctx, encounters.CreateCustomerParams{
		Owner: encounters.CustomerOwner{Account: example.Body[string]("owner.account")},
	}))
	exampleenv.Print(customer)
}

func GetCustomer(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The spec's example asks for the saved cards ($populateStripeCards={{param "$populateStripeCards"}}):
	// GetWithCards; Get leaves them out.
	id := env.Customer(example.Param[string]("id"))
	customer := exampleenv.Must(env.Client.Customers.GetWithCards(ctx, id))
	exampleenv.Print(customer)
	exampleenv.Print(map[string]any{"cards": customer.Cards})
}

func PatchCustomer(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The spec's example body, {{bodyJSON}}, is the $setDefaultStripeCard operator:
	// SetDefaultCard sends it. AddCard and DeleteCard send the other two.
	id := env.Customer(example.Param[string]("id"))
	card := env.Card(id, example.Body[string]("$setDefaultStripeCard"))
	customer := exampleenv.Must(env.Client.Customers.SetDefaultCard(ctx, id, card))
	exampleenv.Print(customer)
}

func RemoveCustomer(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.Customer(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.Customers.Delete(ctx, id)))
}

// --- billing-payment-intents (vendor guide only; experimental) ---

func FindPaymentIntents(ctx context.Context, env *exampleenv.EncountersEnv) {
	env.PaymentIntent("pi-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit="+example.Param[string]("$limit"))).Sort("createdAt", encounters.Descending)
	n := 0
	for intent, err := range env.Client.PaymentIntents.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(intent)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}
}

func CreatePaymentIntent(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The three item forms: an inventory-variant sku, a service id, and a custom item with
	// its own amount. Send the payer to ApprovalURL; capture once approved.
	intent := exampleenv.Must(env.Client.PaymentIntents.Create(ctx, encounters.CreatePaymentIntentParams{
		GatewayType:      example.Body[string]("gatewayType"),
		GatewayReturnURL: example.Body[string]("gatewayReturnURL"),
		GatewayCancelURL: example.Body[string]("gatewayCancelURL"),
		Currency:         polybill.Currency(example.Body[string]("currency")),
		Items: []encounters.IntentItem{
			encounters.VariantItem(example.Body[string]("items.0.ref"), example.Body[int]("items.0.quantity")),
			encounters.ServiceItem(example.Body[string]("items.1.ref"), example.Body[int]("items.1.quantity")),
			encounters.CustomItem(example.Body[string]("items.2.name"), polybill.MustDecimal(example.BodyString("items.2.amountPerItem")), example.Body[int]("items.2.quantity")),
		},
	}))
	exampleenv.Print(map[string]any{"id": intent.ID, "status": intent.Status, "netAmount": intent.NetAmount, "approvalURL": intent.ApprovalURL})
}

func GetPaymentIntent(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.PaymentIntent(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.PaymentIntents.Get(ctx, id)))
}

func PatchPaymentIntent(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The spec's example body, {{bodyJSON}}, is the capture operator: Capture sends it, once
	// the payer has approved the checkout.
	id := env.ApprovedPaymentIntent(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.PaymentIntents.Capture(ctx, id)))
}

func RemovePaymentIntent(ctx context.Context, env *exampleenv.EncountersEnv) {
	id := env.PaymentIntent(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.PaymentIntents.Delete(ctx, id)))
}

// --- billing-analytics (assumed shape) ---

func GetNetAmountTotal(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The query selects the payment intents to total, with the operators of a find.
	env.PaymentIntentHistory()
	q := encounters.NewQuery().Where("status", encounters.IntentCaptured)
	total := exampleenv.Must(env.Client.Analytics.NetAmountTotal(ctx, q))
	exampleenv.Print(map[string]any{"netAmount": total})
}

func GetReceivablesTotal(ctx context.Context, env *exampleenv.EncountersEnv) {
	// The query selects the payment intents to total, with the operators of a find.
	env.PaymentIntentHistory()
	q := encounters.NewQuery().Where("status", encounters.IntentCaptured)
	receivables := exampleenv.Must(env.Client.Analytics.ReceivablesTotal(ctx, q))
	exampleenv.Print(map[string]any{"receivables": receivables})
}
