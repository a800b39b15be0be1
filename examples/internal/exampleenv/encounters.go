package exampleenv

import (
	"context"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// The account the fake accepts, for SignInClient: the example body of the spec's
// authenticate operation.
const (
	encountersFakeEmail    = "cashier@example.com"
	encountersFakePassword = "secret"
)

// EncountersEnv is the MyCure / HapiHub client of an example, and the fake behind it when
// not live.
type EncountersEnv struct {
	Client *encounters.Client
	// Fake is nil when talking to the real API.
	Fake *encounterstest.Server

	ctx context.Context
}

var encountersVendor = register(vendor{
	api: "encounters", urlVar: encounters.EnvAPIURL,
	required: []string{encounters.EnvAPIURL}, // and a token or credentials: NewFromEnv says which
	vars:     []string{encounters.EnvAPIURL, encounters.EnvToken, encounters.EnvEmail, encounters.EnvPassword},
})

// Encounters connects to encounterstest with its ClientOptions (a static token), or with
// -live to HapiHub (HAPIHUB_API_URL with HAPIHUB_TOKEN, or HAPIHUB_EMAIL and
// HAPIHUB_PASSWORD). The fake also accepts the spec's example account (see SignInClient), and
// its catalog prices the spec's example sku and service, so payment intents that reference
// them can be created.
func Encounters(ctx context.Context) (*EncountersEnv, error) {
	if encountersVendor.isLive() {
		if err := encountersVendor.goLive(); err != nil {
			return nil, err
		}
		c, err := encounters.NewFromEnv()
		if err != nil {
			return nil, encountersVendor.liveError(err)
		}
		return &EncountersEnv{Client: c, ctx: ctx}, nil
	}
	f := encounterstest.New(encounterstest.WithUser(encountersFakeEmail, encountersFakePassword))
	encountersVendor.announceFake(f.URL())
	f.SetCatalogPrice("SKU-1", must("250.00"))
	f.SetCatalogPrice("svc-1", must("1500.00"))
	c, err := encounters.New(f.ClientOptions()...)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &EncountersEnv{Client: c, Fake: f, ctx: ctx}, nil
}

// SignInClient returns a client that signs in with email and password, as a cashier's app
// does: against the real API the example's client (HAPIHUB_EMAIL and HAPIHUB_PASSWORD, or a
// static HAPIHUB_TOKEN), on the fake a new client of the spec's example account.
func (e *EncountersEnv) SignInClient() *encounters.Client {
	if e.Fake == nil {
		return e.Client
	}
	return Must(encounters.New(polybill.WithBaseURL(e.Fake.URL()), encounters.WithCredentials(encountersFakeEmail, encountersFakePassword)))
}

// Close stops the fake, if any.
func (e *EncountersEnv) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}

// Invoice returns the id to use for an example's invoice: the spec's example id against the
// real API, or, on the fake, a freshly created draft invoice with that id and one
// 1500.00 service line.
func (e *EncountersEnv) Invoice(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	inv := Must(e.Client.Invoices.Create(e.ctx, encounters.CreateInvoiceParams{
		ID: exampleID, Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter, Subject: "px-1", SubjectType: "medical-patient",
	}))
	e.item(inv.ID)
	return inv.ID
}

// Encounter returns the id to use for an example's encounter: the spec's example id against
// the real API, or, on the fake, a new outpatient encounter with its invoice (same id) and
// one 1500.00 service line, not yet finalized.
func (e *EncountersEnv) Encounter(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	id, _ := e.encounter()
	return id
}

// Item returns the id to use for an example's invoice item: the spec's example id against
// the real API, or, on the fake, a 1500.00 service line on a new draft invoice. The fake
// chooses item ids, so the example id is not kept.
func (e *EncountersEnv) Item(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	_, item := e.encounter()
	return item
}

// Payment returns the id to use for an example's payment: the spec's example id against the
// real API, or, on the fake, a 1000.00 cash payment on a new 1500.00 item.
func (e *EncountersEnv) Payment(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	_, item := e.encounter()
	p := Must(e.Client.Payments.Create(e.ctx, encounters.CreatePaymentParams{
		Item: item, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: must("1000.00"),
	}))
	return p.ID
}

// Customer returns the id to use for an example's billing customer: the spec's example id
// against the real API, or, on the fake, a new customer of account uid-1 with one saved card.
func (e *EncountersEnv) Customer(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	c := Must(e.Client.Customers.Create(e.ctx, encounters.CreateCustomerParams{
		Owner: encounters.CustomerOwner{Account: "uid-1"}, StripeToken: "tok_visa",
	}))
	return c.ID
}

// Card returns the id of a saved card of the customer that is not its default: the spec's
// example card id against the real API, or, on the fake, the customer's current default
// card after a second card was saved (which became the default).
func (e *EncountersEnv) Card(customerID, exampleCardID string) string {
	if e.Fake == nil {
		return exampleCardID
	}
	first := Must(e.Client.Customers.Get(e.ctx, customerID)).DefaultCard
	Must(e.Client.Customers.AddCard(e.ctx, customerID, "tok_mastercard"))
	return first
}

// PaymentIntent returns the id to use for an example's payment intent: the spec's example id
// against the real API, or, on the fake, a new pending PHP checkout.
func (e *EncountersEnv) PaymentIntent(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	return e.paymentIntent()
}

// ApprovedPaymentIntent is PaymentIntent for an intent the payer has approved, so it can be
// captured. Against the real API the payer approves at the intent's ApprovalURL.
func (e *EncountersEnv) ApprovedPaymentIntent(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	id := e.paymentIntent()
	Check(e.Fake.ApprovePaymentIntent(id))
	return id
}

// PaymentIntentHistory gives the analytics something to total: on the fake, one captured
// and one pending checkout of 1500.00 each. Against the real API it does nothing.
func (e *EncountersEnv) PaymentIntentHistory() {
	if e.Fake == nil {
		return
	}
	captured := e.ApprovedPaymentIntent("")
	Must(e.Client.PaymentIntents.Capture(e.ctx, captured))
	e.paymentIntent()
}

func (e *EncountersEnv) encounter() (encounterID, itemID string) {
	enc := Must(e.Client.Encounters.Create(e.ctx, encounters.CreateEncounterParams{
		Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterOutpatient, Invoice: true,
	}))
	return enc.ID, e.item(enc.ID)
}

func (e *EncountersEnv) item(invoiceID string) string {
	it := Must(e.Client.Items.Create(e.ctx, encounters.CreateItemParams{
		Invoice: invoiceID, Type: "service", Ref: "svc-1", Name: "Consultation", Price: must("1500.00"),
	}))
	return it.ID
}

func (e *EncountersEnv) paymentIntent() string {
	pi := Must(e.Client.PaymentIntents.Create(e.ctx, encounters.CreatePaymentIntentParams{
		GatewayType: "paymongo-gcash", Currency: "PHP", Items: []encounters.IntentItem{encounters.ServiceItem("svc-1", 1)},
	}))
	return pi.ID
}
