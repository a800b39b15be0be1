package main

// encountersSnippets call the encounters client for each operation of openapi/encounters.yaml.
//
// The find operations range the List iterator, which fetches pages lazily over $skip, so the
// spec's $skip example is not used (it would start past the fake's few records); $limit, in
// HapiHub's "#"-tagged encoding, is read with ParseQuery. The spec's patch operators
// (finalize, capture, $setDefaultStripeCard) are methods of their own.
var encountersSnippets = map[string]snippet{
	"authenticate": {Code: `
	// The client signs in with email and password (HAPIHUB_EMAIL and HAPIHUB_PASSWORD; on the
	// fake, the spec's example account {{body "email"}}) on its first call. Authenticate does it
	// now, so wrong credentials fail at start-up rather than on the first invoice. With a
	// static token (HAPIHUB_TOKEN) there is nothing to obtain: it returns nil at once.
	client := env.SignInClient()
	exampleenv.Check(client.Authenticate(ctx))
	exampleenv.Print(map[string]any{"authenticated": true})`},

	// --- billing-invoices ---

	"findInvoices": {Code: `
	env.Invoice("inv-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit=" + {{param "$limit"}})).Sort("createdAt", encounters.Descending)
	n := 0
	for invoice, err := range env.Client.Invoices.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(invoice)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}`},

	"createInvoice": {Code: `
	// For medical billing prefer createEncounter with invoice: true (the invoice then has the
	// encounter's id); a standalone invoice suits other billing.
	invoice := exampleenv.Must(env.Client.Invoices.Create(ctx, encounters.CreateInvoiceParams{
		Facility:    {{body "facility"}},
		Type:        encounters.InvoiceType({{body "type"}}),
		Subject:     {{body "subject"}},
		SubjectType: {{body "subjectType"}},
	}))
	exampleenv.Print(invoice)`},

	"getInvoice": {Code: `
	id := env.Invoice({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Invoices.Get(ctx, id, nil)))`},

	"patchInvoice": {Code: `
	// The spec's example body, {{bodyJSON}}, is the finalize operator: Finalize sends it. It
	// finalizes the invoice's items too; items can then no longer be added, payments can.
	id := env.Invoice({{param "id"}})
	invoice := exampleenv.Must(env.Client.Invoices.Finalize(ctx, id))
	exampleenv.Print(invoice)
	// Timestamps are time.Time fields of their own (the server sends epoch milliseconds).
	exampleenv.Print(map[string]any{"finalized": invoice.Finalized(), "finalizedAt": invoice.FinalizedAt})`},

	"removeInvoice": {Code: `
	// Deletes a draft invoice with its items and their payments; a finalized one is refused.
	id := env.Invoice({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Invoices.Delete(ctx, id)))`},

	// --- billing-items ---

	"findItems": {Code: `
	env.Item("itm-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit=" + {{param "$limit"}})).Sort("createdAt", encounters.Descending)
	n := 0
	for item, err := range env.Client.Items.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(item)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}`},

	"createItem": {Imports: []string{"github.com/polybill/polybill-go"}, Code: `
	invoice := env.Invoice({{body "invoice"}}) // a draft: a finalized invoice takes no items
	item := exampleenv.Must(env.Client.Items.Create(ctx, encounters.CreateItemParams{
		Invoice: invoice,
		Type:    {{body "type"}},
		Ref:     {{body "ref"}},
		Price:   polybill.MustDecimal({{bodyStr "price"}}),
	}))
	exampleenv.Print(item)`},

	"getItem": {Code: `
	id := env.Item({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Items.Get(ctx, id, nil)))`},

	"patchItem": {Code: `
	// Sends {{bodyJSON}}: fields are cleared with $unset, never with JSON null.
	id := env.Item({{param "id"}})
	item := exampleenv.Must(env.Client.Items.Patch(ctx, id, encounters.PatchItemParams{
		Description: {{body "description"}},
		Unset:       encounters.Unset{"notes"},
	}))
	exampleenv.Print(item)`},

	"removeItem": {Code: `
	// Deletes a draft item and its payments; a finalized one is refused.
	id := env.Item({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Items.Delete(ctx, id)))`},

	// --- billing-payments ---

	"findPayments": {Code: `
	env.Payment("pay-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit=" + {{param "$limit"}})).Sort("createdAt", encounters.Descending)
	n := 0
	for payment, err := range env.Client.Payments.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(payment)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}`},

	"createPayment": {Imports: []string{"github.com/polybill/polybill-go"}, Code: `
	item := env.Item({{body "item"}})
	payment := exampleenv.Must(env.Client.Payments.Create(ctx, encounters.CreatePaymentParams{
		Item:          item,
		Type:          encounters.PaymentType({{body "type"}}),
		PaymentMethod: {{body "paymentMethod"}},
		Amount:        polybill.MustDecimal({{bodyStr "amount"}}),
		// The spec's fixed idempotency key: a payment whose answer was lost is retried with
		// it, and running this program again returns the payment already recorded instead
		// of paying twice. Leave Idemp empty to have a fresh key generated per payment.
		Idemp: {{body "idemp"}},
	}))
	exampleenv.Print(payment)`},

	"getPayment": {Code: `
	id := env.Payment({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Payments.Get(ctx, id, nil)))`},

	"patchPayment": {Code: `
	id := env.Payment({{param "id"}})
	payment := exampleenv.Must(env.Client.Payments.Patch(ctx, id, encounters.PatchPaymentParams{
		Notes: {{body "notes"}},
	}))
	exampleenv.Print(payment)`},

	"removePayment": {Code: `
	id := env.Payment({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Payments.Delete(ctx, id)))`},

	// --- medical-encounters ---

	"findEncounters": {Code: `
	env.Encounter("enc-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit=" + {{param "$limit"}})).Sort("createdAt", encounters.Descending)
	n := 0
	for encounter, err := range env.Client.Encounters.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(encounter)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}`},

	"createEncounter": {Code: `
	// With Invoice set the encounter's BillingInvoice is created too, under the same id.
	encounter := exampleenv.Must(env.Client.Encounters.Create(ctx, encounters.CreateEncounterParams{
		Facility: {{body "facility"}},
		Patient:  {{body "patient"}},
		Type:     encounters.EncounterType({{body "type"}}),
		Invoice:  {{body "invoice"}},
	}))
	exampleenv.Print(encounter)`},

	"getEncounter": {Code: `
	id := env.Encounter({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Encounters.Get(ctx, id, nil)))`},

	"patchEncounter": {Code: `
	// The spec's example body, {{bodyJSON}}, is the finalize operator: Finalize sends it at the
	// end of the visit, finalizing the encounter's invoice and its items.
	id := env.Encounter({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Encounters.Finalize(ctx, id)))
	invoice := exampleenv.Must(env.Client.Invoices.Get(ctx, id, nil))
	exampleenv.Print(map[string]any{"invoice": invoice.ID, "finalized": invoice.Finalized()})`},

	"removeEncounter": {Code: `
	id := env.Encounter({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Encounters.Delete(ctx, id)))`},

	// --- billing/customers (vendor guide only) ---

	"findCustomers": {Code: `
	env.Customer("cus-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit=" + {{param "$limit"}})).Sort("createdAt", encounters.Descending)
	n := 0
	for customer, err := range env.Client.Customers.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(customer)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}`},

	"createCustomer": {Code: `
	customer := exampleenv.Must(env.Client.Customers.Create(ctx, encounters.CreateCustomerParams{
		Owner: encounters.CustomerOwner{Account: {{body "owner.account"}}},
	}))
	exampleenv.Print(customer)`},

	"getCustomer": {Code: `
	// The spec's example asks for the saved cards ($populateStripeCards={{param "$populateStripeCards"}}):
	// GetWithCards; Get leaves them out.
	id := env.Customer({{param "id"}})
	customer := exampleenv.Must(env.Client.Customers.GetWithCards(ctx, id))
	exampleenv.Print(customer)
	exampleenv.Print(map[string]any{"cards": customer.Cards})`},

	"patchCustomer": {Code: `
	// The spec's example body, {{bodyJSON}}, is the $setDefaultStripeCard operator:
	// SetDefaultCard sends it. AddCard and DeleteCard send the other two.
	id := env.Customer({{param "id"}})
	card := env.Card(id, {{body "$setDefaultStripeCard"}})
	customer := exampleenv.Must(env.Client.Customers.SetDefaultCard(ctx, id, card))
	exampleenv.Print(customer)`},

	"removeCustomer": {Code: `
	id := env.Customer({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.Customers.Delete(ctx, id)))`},

	// --- billing-payment-intents (vendor guide only; experimental) ---

	"findPaymentIntents": {Code: `
	env.PaymentIntent("pi-1")
	q := exampleenv.Must(encounters.ParseQuery("$limit=" + {{param "$limit"}})).Sort("createdAt", encounters.Descending)
	n := 0
	for intent, err := range env.Client.PaymentIntents.List(ctx, q) {
		exampleenv.Check(err)
		exampleenv.Print(intent)
		if n++; n == 3 {
			break // pages are fetched only as far as the loop goes
		}
	}`},

	"createPaymentIntent": {Imports: []string{"github.com/polybill/polybill-go"}, Code: `
	// The three item forms: an inventory-variant sku, a service id, and a custom item with
	// its own amount. Send the payer to ApprovalURL; capture once approved.
	intent := exampleenv.Must(env.Client.PaymentIntents.Create(ctx, encounters.CreatePaymentIntentParams{
		GatewayType:      {{body "gatewayType"}},
		GatewayReturnURL: {{body "gatewayReturnURL"}},
		GatewayCancelURL: {{body "gatewayCancelURL"}},
		Currency:         polybill.Currency({{body "currency"}}),
		Items: []encounters.IntentItem{
			encounters.VariantItem({{body "items.0.ref"}}, {{body "items.0.quantity"}}),
			encounters.ServiceItem({{body "items.1.ref"}}, {{body "items.1.quantity"}}),
			encounters.CustomItem({{body "items.2.name"}}, polybill.MustDecimal({{bodyStr "items.2.amountPerItem"}}), {{body "items.2.quantity"}}),
		},
	}))
	exampleenv.Print(map[string]any{"id": intent.ID, "status": intent.Status, "netAmount": intent.NetAmount, "approvalURL": intent.ApprovalURL})`},

	"getPaymentIntent": {Code: `
	id := env.PaymentIntent({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.PaymentIntents.Get(ctx, id)))`},

	"patchPaymentIntent": {Code: `
	// The spec's example body, {{bodyJSON}}, is the capture operator: Capture sends it, once
	// the payer has approved the checkout.
	id := env.ApprovedPaymentIntent({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.PaymentIntents.Capture(ctx, id)))`},

	"removePaymentIntent": {Code: `
	id := env.PaymentIntent({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.PaymentIntents.Delete(ctx, id)))`},

	// --- billing-analytics (assumed shape) ---

	"getNetAmountTotal": {Code: `
	// The query selects the payment intents to total, with the operators of a find.
	env.PaymentIntentHistory()
	q := encounters.NewQuery().Where("status", encounters.IntentCaptured)
	total := exampleenv.Must(env.Client.Analytics.NetAmountTotal(ctx, q))
	exampleenv.Print(map[string]any{"netAmount": total})`},

	"getReceivablesTotal": {Code: `
	// The query selects the payment intents to total, with the operators of a find.
	env.PaymentIntentHistory()
	q := encounters.NewQuery().Where("status", encounters.IntentCaptured)
	receivables := exampleenv.Must(env.Client.Analytics.ReceivablesTotal(ctx, q))
	exampleenv.Print(map[string]any{"receivables": receivables})`},
}
