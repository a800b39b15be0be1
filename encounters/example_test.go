package encounters_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

var ctx = context.Background()

// exampleClient starts the in-process fake and a client for it: the same two
// lines work in your own tests.
func exampleClient() (*encounters.Client, *encounterstest.Server) {
	srv := encounterstest.New()
	client, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()))
	if err != nil {
		panic(err)
	}
	return client, srv
}

// seed creates an encounter with its invoice and one 1500.00 item.
func seed(c *encounters.Client) (invoiceID, itemID string) {
	enc, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Invoice: true})
	if err != nil {
		panic(err)
	}
	item, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: enc.ID, Type: "service", Ref: "svc-1", Price: polybill.MustDecimal("1500.00")})
	if err != nil {
		panic(err)
	}
	return enc.ID, item.ID
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

// The billing guide end to end: encounter with invoice, item, finalize, split
// payment, paid.
func Example() {
	client, srv := exampleClient()
	defer srv.Close()

	enc, err := client.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterOutpatient, Invoice: true})
	check(err)
	item, err := client.Items.Create(ctx, encounters.CreateItemParams{Invoice: enc.ID, Type: "service", Ref: "svc-consult", Price: polybill.MustDecimal("1500.00")})
	check(err)
	_, err = client.Encounters.Finalize(ctx, enc.ID)
	check(err)
	for _, p := range []struct{ method, amount string }{{"CASH", "1000.00"}, {"CARD", "500.00"}} {
		_, err = client.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: p.method, Amount: polybill.MustDecimal(p.amount)})
		check(err)
	}
	inv, err := client.Invoices.Get(ctx, enc.ID, nil)
	check(err)
	fmt.Println(inv.ID == enc.ID, inv.Finalized(), inv.Balance, inv.Status)

	_, err = client.Items.Create(ctx, encounters.CreateItemParams{Invoice: enc.ID, Type: "service", Price: polybill.MustDecimal("10")})
	var perr *polybill.Error
	fmt.Println(errors.As(err, &perr), perr.Code, perr.Param, perr.Message)
	// Output:
	// true true 0.00 paid
	// true BadRequest invoice Cannot add items to a finalized invoice
}

func ExampleNew() {
	srv := encounterstest.New(encounterstest.WithUser("cashier@example.com", "s3cret"))
	defer srv.Close()
	client, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithCredentials("cashier@example.com", "s3cret"))
	check(err)
	_, err = client.Invoices.Find(ctx, nil)
	check(err)
	fmt.Println(srv.Logins())
	// Output: 1
}

func ExampleNewFromEnv() {
	srv := encounterstest.New()
	defer srv.Close()
	os.Setenv(encounters.EnvAPIURL, srv.URL())
	os.Setenv(encounters.EnvToken, srv.Token())
	defer os.Unsetenv(encounters.EnvAPIURL)
	defer os.Unsetenv(encounters.EnvToken)
	client, err := encounters.NewFromEnv()
	check(err)
	page, err := client.Invoices.Find(ctx, nil)
	check(err)
	fmt.Println(page.Total)
	// Output: 0
}

func ExampleQuery() {
	q := encounters.NewQuery().
		Where("facility", "fac-1").
		Exists("finalizedAt", true).
		In("type", "medical-encounter").
		Where("voidedAt", nil).
		Sort("createdAt", encounters.Descending).
		Limit(10)
	s, err := q.Encode()
	check(err)
	fmt.Println(s)
	// Output: facility=fac-1&finalizedAt%5B%24exists%5D=%23true&type%5B%24in%5D%5B0%5D=medical-encounter&voidedAt&%24sort%5BcreatedAt%5D=%23-1&%24limit=%2310
}

func ExampleParseQuery() {
	q, err := encounters.ParseQuery("$limit=#10&type[$in][0]=private&voidedAt")
	check(err)
	fmt.Println(q.String())
	// Output: %24limit=%2310&type%5B%24in%5D%5B0%5D=private&voidedAt
}

func ExampleInvoiceService_List() {
	client, srv := exampleClient()
	defer srv.Close()
	for _, subject := range []string{"px-1", "px-2", "px-3"} {
		_, err := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter, Subject: subject})
		check(err)
	}
	for inv, err := range client.Invoices.List(ctx, encounters.NewQuery().Sort("subject", encounters.Descending).Limit(2)) {
		check(err)
		fmt.Println(inv.Subject)
	}
	// Output:
	// px-3
	// px-2
	// px-1
}

func ExampleInvoiceService_Find() {
	client, srv := exampleClient()
	defer srv.Close()
	seed(client)
	page, err := client.Invoices.Find(ctx, encounters.NewQuery().Where("facility", "fac-1").Limit(10))
	check(err)
	fmt.Println(page.Total, len(page.Items), page.Items[0].Total)
	// Output: 1 1 1500.00
}

func ExampleInvoiceService_Get() {
	client, srv := exampleClient()
	defer srv.Close()
	invoiceID, _ := seed(client)
	inv, err := client.Invoices.Get(ctx, invoiceID, encounters.NewQuery().Populate("items", encounters.Populate{
		Service: "billing-items", Method: encounters.PopulateFind, LocalKey: "id", ForeignKey: "invoice",
	}))
	check(err)
	fmt.Println(inv.Status, inv.Balance, len(inv.Populated["items"]) > 0)
	// Output: unpaid 1500.00 true
}

func ExampleInvoiceService_Create() {
	client, srv := exampleClient()
	defer srv.Close()
	inv, err := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{
		Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter, Subject: "px-1", SubjectType: "medical-patient",
	})
	check(err)
	fmt.Println(inv.ID, inv.Status, inv.Finalized())
	// Output: inv-1 unpaid false
}

func ExampleInvoiceService_Patch() {
	client, srv := exampleClient()
	defer srv.Close()
	inv, err := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter, Notes: "walk-in"})
	check(err)
	inv, err = client.Invoices.Patch(ctx, inv.ID, encounters.PatchInvoiceParams{OR: "OR-0001", Unset: encounters.Unset{"notes"}})
	check(err)
	fmt.Printf("%s %q\n", inv.OR, inv.Notes)
	// Output: OR-0001 ""
}

func ExampleInvoiceService_Finalize() {
	client, srv := exampleClient()
	defer srv.Close()
	invoiceID, itemID := seed(client)
	inv, err := client.Invoices.Finalize(ctx, invoiceID)
	check(err)
	item, err := client.Items.Get(ctx, itemID, nil)
	check(err)
	fmt.Println(inv.Finalized(), item.Finalized())
	// Output: true true
}

func ExampleInvoiceService_Delete() {
	client, srv := exampleClient()
	defer srv.Close()
	invoiceID, _ := seed(client)
	_, err := client.Invoices.Delete(ctx, invoiceID)
	check(err)
	fmt.Println(srv.Count("billing-invoices"), srv.Count("billing-items"))
	// Output: 0 0
}

func ExampleItemService_List() {
	client, srv := exampleClient()
	defer srv.Close()
	invoiceID, _ := seed(client)
	for item, err := range client.Items.List(ctx, encounters.NewQuery().Where("invoice", invoiceID)) {
		check(err)
		fmt.Println(item.Ref, item.Price, item.Balance)
	}
	// Output: svc-1 1500.00 1500.00
}

func ExampleItemService_Find() {
	client, srv := exampleClient()
	defer srv.Close()
	seed(client)
	page, err := client.Items.Find(ctx, encounters.NewQuery().Gte("price", polybill.MustDecimal("1000")))
	check(err)
	fmt.Println(page.Total)
	// Output: 1
}

func ExampleItemService_Get() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	item, err := client.Items.Get(ctx, itemID, nil)
	check(err)
	fmt.Println(item.Quantity, item.Price, item.Paid)
	// Output: 1 1500.00 0
}

func ExampleItemService_Create() {
	client, srv := exampleClient()
	defer srv.Close()
	invoiceID, _ := seed(client)
	item, err := client.Items.Create(ctx, encounters.CreateItemParams{Invoice: invoiceID, Type: "service", Ref: "svc-cbc", Price: polybill.MustDecimal("250.25"), Quantity: 2})
	check(err)
	fmt.Println(item.Balance)
	// Output: 500.50
}

func ExampleItemService_Patch() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	price := polybill.MustDecimal("1200.00")
	item, err := client.Items.Patch(ctx, itemID, encounters.PatchItemParams{Description: "Consultation (discounted)", Price: &price})
	check(err)
	fmt.Println(item.Description, item.Price)
	// Output: Consultation (discounted) 1200.00
}

func ExampleItemService_Finalize() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	item, err := client.Items.Finalize(ctx, itemID)
	check(err)
	fmt.Println(item.Finalized())
	// Output: true
}

func ExampleItemService_Delete() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	_, err := client.Items.Delete(ctx, itemID)
	check(err)
	fmt.Println(srv.Count("billing-items"))
	// Output: 0
}

func ExamplePaymentService_List() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	for _, amount := range []string{"1000", "500"} {
		_, err := client.Payments.Create(ctx, encounters.CreatePaymentParams{Item: itemID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal(amount)})
		check(err)
	}
	for p, err := range client.Payments.List(ctx, encounters.NewQuery().Where("item", itemID).Sort("amount", encounters.Ascending)) {
		check(err)
		fmt.Println(p.PaymentMethod, p.Amount)
	}
	// Output:
	// CASH 500
	// CASH 1000
}

func ExamplePaymentService_Find() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	_, err := client.Payments.Create(ctx, encounters.CreatePaymentParams{Item: itemID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100")})
	check(err)
	page, err := client.Payments.Find(ctx, encounters.NewQuery().In("type", "private", "action-code"))
	check(err)
	fmt.Println(page.Total)
	// Output: 1
}

func ExamplePaymentService_Get() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	p, err := client.Payments.Create(ctx, encounters.CreatePaymentParams{Item: itemID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100.50")})
	check(err)
	got, err := client.Payments.Get(ctx, p.ID, nil)
	check(err)
	fmt.Println(got.Amount, got.Invoice == p.Invoice)
	// Output: 100.50 true
}

func ExamplePaymentService_Create() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	params := encounters.CreatePaymentParams{Item: itemID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("1500.00"), Idemp: "receipt-0001"}
	first, err := client.Payments.Create(ctx, params)
	check(err)
	again, err := client.Payments.Create(ctx, params) // same idemp: the first payment comes back
	check(err)
	fmt.Println(first.ID == again.ID, srv.Count("billing-payments"))
	// Output: true 1
}

func ExamplePaymentService_Patch() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	p, err := client.Payments.Create(ctx, encounters.CreatePaymentParams{Item: itemID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100")})
	check(err)
	p, err = client.Payments.Patch(ctx, p.ID, encounters.PatchPaymentParams{Notes: "received by cashier 2"})
	check(err)
	fmt.Println(p.Notes)
	// Output: received by cashier 2
}

func ExamplePaymentService_Delete() {
	client, srv := exampleClient()
	defer srv.Close()
	_, itemID := seed(client)
	p, err := client.Payments.Create(ctx, encounters.CreatePaymentParams{Item: itemID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100")})
	check(err)
	_, err = client.Payments.Delete(ctx, p.ID)
	check(err)
	fmt.Println(srv.Count("billing-payments"))
	// Output: 0
}

func ExampleEncounterService_List() {
	client, srv := exampleClient()
	defer srv.Close()
	seed(client)
	for enc, err := range client.Encounters.List(ctx, encounters.NewQuery().Where("patient", "px-1")) {
		check(err)
		fmt.Println(enc.ID, enc.Facility)
	}
	// Output: enc-1 fac-1
}

func ExampleEncounterService_Find() {
	client, srv := exampleClient()
	defer srv.Close()
	seed(client)
	page, err := client.Encounters.Find(ctx, encounters.NewQuery().Limit(0))
	check(err)
	fmt.Println(page.Total)
	// Output: 1
}

func ExampleEncounterService_Get() {
	client, srv := exampleClient()
	defer srv.Close()
	id, _ := seed(client)
	enc, err := client.Encounters.Get(ctx, id, nil)
	check(err)
	fmt.Println(enc.Patient)
	// Output: px-1
}

func ExampleEncounterService_Create() {
	client, srv := exampleClient()
	defer srv.Close()
	enc, err := client.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterER, Invoice: true})
	check(err)
	inv, err := client.Invoices.Get(ctx, enc.ID, nil)
	check(err)
	fmt.Println(enc.Type, inv.Type)
	// Output: er medical-encounter
}

func ExampleEncounterService_Patch() {
	client, srv := exampleClient()
	defer srv.Close()
	id, _ := seed(client)
	enc, err := client.Encounters.Patch(ctx, id, encounters.PatchEncounterParams{Doctors: []string{"dr-1"}, Tags: []string{"follow-up"}})
	check(err)
	fmt.Println(enc.Doctors, enc.Tags)
	// Output: [dr-1] [follow-up]
}

func ExampleEncounterService_Finalize() {
	client, srv := exampleClient()
	defer srv.Close()
	id, _ := seed(client)
	_, err := client.Encounters.Finalize(ctx, id)
	check(err)
	inv, err := client.Invoices.Get(ctx, id, nil)
	check(err)
	fmt.Println(inv.Finalized())
	// Output: true
}

func ExampleEncounterService_Finish() {
	client, srv := exampleClient()
	defer srv.Close()
	id, _ := seed(client)
	enc, err := client.Encounters.Finish(ctx, id)
	check(err)
	fmt.Println(!enc.FinishedAt.IsZero())
	// Output: true
}

func ExampleEncounterService_Delete() {
	client, srv := exampleClient()
	defer srv.Close()
	id, _ := seed(client)
	_, err := client.Encounters.Delete(ctx, id)
	check(err)
	_, err = client.Encounters.Get(ctx, id, nil)
	fmt.Println(errors.Is(err, polybill.ErrNotFound))
	// Output: true
}

func newCustomer(c *encounters.Client) *encounters.Customer {
	cus, err := c.Customers.Create(ctx, encounters.CreateCustomerParams{Owner: encounters.CustomerOwner{Account: "uid-1"}, StripeToken: "tok_visa"})
	check(err)
	return cus
}

func ExampleCustomerService_List() {
	client, srv := exampleClient()
	defer srv.Close()
	newCustomer(client)
	for cus, err := range client.Customers.List(ctx, encounters.NewQuery().Where("owner.account", "uid-1")) {
		check(err)
		fmt.Println(cus.ID, cus.Owner.Account)
	}
	// Output: cus-1 uid-1
}

func ExampleCustomerService_Find() {
	client, srv := exampleClient()
	defer srv.Close()
	newCustomer(client)
	page, err := client.Customers.Find(ctx, nil)
	check(err)
	fmt.Println(page.Total)
	// Output: 1
}

func ExampleCustomerService_Get() {
	client, srv := exampleClient()
	defer srv.Close()
	cus, err := client.Customers.Get(ctx, newCustomer(client).ID)
	check(err)
	fmt.Println(cus.DefaultCard, len(cus.Cards))
	// Output: card_2 0
}

func ExampleCustomerService_GetWithCards() {
	client, srv := exampleClient()
	defer srv.Close()
	cus, err := client.Customers.GetWithCards(ctx, newCustomer(client).ID)
	check(err)
	fmt.Println(len(cus.Cards), cus.Cards[0].ID, cus.Cards[0].Brand)
	// Output: 1 card_2 Visa
}

func ExampleCustomerService_Create() {
	client, srv := exampleClient()
	defer srv.Close()
	cus, err := client.Customers.Create(ctx, encounters.CreateCustomerParams{Owner: encounters.CustomerOwner{Organization: "org-1"}})
	check(err)
	fmt.Printf("%s %q\n", cus.Owner.Organization, cus.DefaultCard)
	// Output: org-1 ""
}

func ExampleCustomerService_AddCard() {
	client, srv := exampleClient()
	defer srv.Close()
	cus, err := client.Customers.AddCard(ctx, newCustomer(client).ID, "tok_mastercard")
	check(err)
	fmt.Println(cus.DefaultCard) // the new card becomes the default
	// Output: card_3
}

func ExampleCustomerService_DeleteCard() {
	client, srv := exampleClient()
	defer srv.Close()
	id := newCustomer(client).ID
	_, err := client.Customers.AddCard(ctx, id, "tok_mastercard")
	check(err)
	cus, err := client.Customers.DeleteCard(ctx, id, "card_3")
	check(err)
	fmt.Println(cus.DefaultCard) // the default moves to the next saved card
	// Output: card_2
}

func ExampleCustomerService_SetDefaultCard() {
	client, srv := exampleClient()
	defer srv.Close()
	id := newCustomer(client).ID
	_, err := client.Customers.AddCard(ctx, id, "tok_mastercard")
	check(err)
	cus, err := client.Customers.SetDefaultCard(ctx, id, "card_2")
	check(err)
	fmt.Println(cus.DefaultCard)
	// Output: card_2
}

func ExampleCustomerService_Delete() {
	client, srv := exampleClient()
	defer srv.Close()
	_, err := client.Customers.Delete(ctx, newCustomer(client).ID)
	check(err)
	fmt.Println(srv.Count("billing/customers"))
	// Output: 0
}

func newIntent(c *encounters.Client, srv *encounterstest.Server) *encounters.PaymentIntent {
	srv.SetCatalogPrice("SKU-1", polybill.MustDecimal("50.25"))
	srv.SetCatalogPrice("svc-1", polybill.MustDecimal("500"))
	pi, err := c.PaymentIntents.Create(ctx, encounters.CreatePaymentIntentParams{
		GatewayType: "paymongo-gcash", Currency: "PHP",
		GatewayReturnURL: "http://localhost/return", GatewayCancelURL: "http://localhost/cancel",
		Items: []encounters.IntentItem{
			encounters.VariantItem("SKU-1", 2),
			encounters.ServiceItem("svc-1", 1),
			encounters.CustomItem("Custom 1", polybill.MustDecimal("100"), 1),
		},
	})
	check(err)
	return pi
}

func ExamplePaymentIntentService_List() {
	client, srv := exampleClient()
	defer srv.Close()
	newIntent(client, srv)
	for pi, err := range client.PaymentIntents.List(ctx, encounters.NewQuery().Where("status", "pending")) {
		check(err)
		fmt.Println(pi.ID, pi.NetAmount)
	}
	// Output: pi-1 700.50
}

func ExamplePaymentIntentService_Find() {
	client, srv := exampleClient()
	defer srv.Close()
	newIntent(client, srv)
	page, err := client.PaymentIntents.Find(ctx, encounters.NewQuery().Where("gatewayType", "paymongo-gcash"))
	check(err)
	fmt.Println(page.Total)
	// Output: 1
}

func ExamplePaymentIntentService_Get() {
	client, srv := exampleClient()
	defer srv.Close()
	pi, err := client.PaymentIntents.Get(ctx, newIntent(client, srv).ID)
	check(err)
	fmt.Println(pi.Status, pi.Currency, len(pi.Items))
	// Output: pending PHP 3
}

func ExamplePaymentIntentService_Create() {
	client, srv := exampleClient()
	defer srv.Close()
	pi := newIntent(client, srv)
	fmt.Println(pi.Status, pi.NetAmount, pi.ApprovalURL == srv.URL()+"/checkout/"+pi.ID)
	// Output: pending 700.50 true
}

func ExamplePaymentIntentService_Capture() {
	client, srv := exampleClient()
	defer srv.Close()
	pi := newIntent(client, srv)
	check(srv.ApprovePaymentIntent(pi.ID)) // the payer approves at pi.ApprovalURL
	pi, err := client.PaymentIntents.Capture(ctx, pi.ID)
	check(err)
	fmt.Println(pi.Status, !pi.CapturedAt.IsZero())
	// Output: captured true
}

func ExamplePaymentIntentService_Delete() {
	client, srv := exampleClient()
	defer srv.Close()
	_, err := client.PaymentIntents.Delete(ctx, newIntent(client, srv).ID)
	check(err)
	fmt.Println(srv.Count("billing-payment-intents"))
	// Output: 0
}

func ExampleAnalyticsService_NetAmountTotal() {
	client, srv := exampleClient()
	defer srv.Close()
	newIntent(client, srv)
	newIntent(client, srv)
	total, err := client.Analytics.NetAmountTotal(ctx, encounters.NewQuery().Where("currency", "PHP"))
	check(err)
	fmt.Println(total)
	// Output: 1401.00
}

func ExampleAnalyticsService_ReceivablesTotal() {
	client, srv := exampleClient()
	defer srv.Close()
	newIntent(client, srv)
	totals, err := client.Analytics.ReceivablesTotal(ctx, nil)
	check(err)
	fmt.Println(totals["facility"])
	// Output: 700.50
}
