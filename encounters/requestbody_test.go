package encounters_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/internal/fake"
	"github.com/polybill/polybill-go/internal/spectest"
)

// The exact bytes every create and patch sends (one encoder, internal/wire.Encode): keys in
// the spec's order, unset optional fields omitted, amounts JSON numbers with the caller's
// digits. The server's answer does not matter here (a 404 for an unknown id): only what left.
func TestRequestBodies(t *testing.T) {
	ctx := context.Background()
	b := fake.Bodies{Skip: []string{"/authentication"}}
	_, srv := setup(t, nil)
	c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()), polybill.WithMiddleware(b.Middleware))
	require.NoError(t, err)
	created := time.UnixMilli(1767225600123)
	calls := []struct {
		name string
		call func() error
		want string
	}{
		{"encounter create", func() error {
			_, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac", Patient: "pat", Type: encounters.EncounterOutpatient, EncounterType: "new", Doctors: []string{"d1"}, Tags: []string{"<t>"}, Invoice: true})
			return err
		}, `{"doctors":["d1"],"encounterType":"new","facility":"fac","invoice":true,"patient":"pat","tags":["\u003ct\u003e"],"type":"outpatient"}`},
		{"encounter create, required only", func() error {
			_, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac", Patient: "pat"})
			return err
		}, `{"facility":"fac","patient":"pat"}`},
		{"encounter patch", func() error {
			_, err := c.Encounters.Patch(ctx, "e1", encounters.PatchEncounterParams{Doctors: []string{"d2"}, Unset: encounters.Unset{"tags", "a.b"}})
			return err
		}, `{"$unset":{"a.b":1,"tags":1},"doctors":["d2"]}`},
		{"encounter finalize", func() error { _, err := c.Encounters.Finalize(ctx, "e1"); return err }, `{"finalize":true}`},
		{"encounter finish", func() error { _, err := c.Encounters.Finish(ctx, "e1"); return err }, `{"finish":true}`},
		{"invoice create", func() error {
			_, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{ID: "i1", Facility: "fac", Type: encounters.InvoiceTypeMedicalEncounter, Subject: "pat", SubjectType: "patient", SubjectTags: []string{"vip"},
				OR: "OR-1", TaxComplication: encounters.TaxInclusive, Notes: "n", Tags: []string{"t"}, ActionCode: "ac", CreatedAt: created,
				Discounts: []encounters.Discount{{ID: "d", Promo: "p", Code: "c", Name: "senior", Percentage: decp("20")}, {Amount: decp("50.00")}}})
			return err
		}, `{"actionCode":"ac","createdAt":1767225600123,"discounts":[{"code":"c","id":"d","name":"senior","percentage":20,"promo":"p"},{"amount":50.00}],` +
			`"facility":"fac","id":"i1","notes":"n","or":"OR-1","subject":"pat","subjectTags":["vip"],"subjectType":"patient","tags":["t"],"taxComplication":"inclusive","type":"medical-encounter"}`},
		{"invoice patch", func() error {
			_, err := c.Invoices.Patch(ctx, "i1", encounters.PatchInvoiceParams{OR: "OR-2", Notes: "m", Tags: []string{"x"}, TaxComplication: encounters.TaxExclusive, Unset: encounters.Unset{"discounts"}})
			return err
		}, `{"$unset":{"discounts":1},"notes":"m","or":"OR-2","tags":["x"],"taxComplication":"exclusive"}`},
		{"invoice finalize", func() error { _, err := c.Invoices.Finalize(ctx, "i1"); return err }, `{"finalize":true}`},
		{"item create", func() error {
			_, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: "i1", Type: "service", Ref: "svc", RefType: "service", Name: "CBC", Description: "lab", Quantity: 2, PriceCurrency: "PHP", Price: dec("350.50")})
			return err
		}, `{"description":"lab","invoice":"i1","name":"CBC","price":350.50,"priceCurrency":"PHP","quantity":2,"ref":"svc","refType":"service","type":"service"}`},
		{"item create, quantity left to the server", func() error {
			_, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: "i1", Type: "service", Price: dec("0")})
			return err
		}, `{"invoice":"i1","price":0,"type":"service"}`},
		{"item patch", func() error {
			_, err := c.Items.Patch(ctx, "it1", encounters.PatchItemParams{Name: "n", Description: "d", Quantity: 3, Price: decp("1.5"), Unset: encounters.Unset{"ref"}})
			return err
		}, `{"$unset":{"ref":1},"description":"d","name":"n","price":1.5,"quantity":3}`},
		{"item finalize", func() error { _, err := c.Items.Finalize(ctx, "it1"); return err }, `{"finalize":true}`},
		{"payment create", func() error {
			_, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: "it1", ItemType: "billing-item", Target: "soa", Type: encounters.PaymentPrivate, Subtype: "hmo",
				PaymentMethod: "CASH", PaymentMethodType: "cash", PaymentMethodName: "Cash", Ref: "r", Amount: dec("100.00"), Coverage: "cov", Notes: "n",
				Metadata: map[string]any{"b": 1, "a": "<x>"}, Idemp: "key-1"})
			return err
		}, `{"amount":100.00,"coverage":"cov","idemp":"key-1","item":"it1","itemType":"billing-item","metadata":{"a":"\u003cx\u003e","b":1},"notes":"n",` +
			`"paymentMethod":"CASH","paymentMethodName":"Cash","paymentMethodType":"cash","ref":"r","subtype":"hmo","target":"soa","type":"private"}`},
		{"payment patch", func() error {
			_, err := c.Payments.Patch(ctx, "p1", encounters.PatchPaymentParams{Notes: "n", Ref: "r", Metadata: map[string]any{"k": true}, Unset: encounters.Unset{"coverage"}})
			return err
		}, `{"$unset":{"coverage":1},"metadata":{"k":true},"notes":"n","ref":"r"}`},
		{"payment intent create", func() error {
			_, err := c.PaymentIntents.Create(ctx, encounters.CreatePaymentIntentParams{GatewayType: "paymongo-gcash", GatewayReturnURL: "https://r", GatewayCancelURL: "https://c", Currency: "PHP",
				Items: []encounters.IntentItem{encounters.VariantItem("sku-1", 2), {Name: "fee", AmountPerItem: decp("25.00"), Quantity: 1}}})
			return err
		}, `{"currency":"PHP","gatewayCancelURL":"https://c","gatewayReturnURL":"https://r","gatewayType":"paymongo-gcash",` +
			`"items":[{"quantity":2,"ref":"sku-1","type":"inventory-variant"},{"amountPerItem":25.00,"name":"fee","quantity":1}]}`},
		{"payment intent capture", func() error { _, err := c.PaymentIntents.Capture(ctx, "pi1"); return err }, `{"capture":true}`},
		{"customer create", func() error {
			_, err := c.Customers.Create(ctx, encounters.CreateCustomerParams{Owner: encounters.CustomerOwner{Organization: "org"}, StripeToken: "tok", StripeEmail: "a@b.c"})
			return err
		}, `{"owner":{"organization":"org"},"stripeEmail":"a@b.c","stripeToken":"tok"}`},
		{"customer add card", func() error { _, err := c.Customers.AddCard(ctx, "cu1", "tok2"); return err }, `{"stripeToken":"tok2"}`},
		{"customer delete card", func() error { _, err := c.Customers.DeleteCard(ctx, "cu1", "card1"); return err }, `{"$deleteStripeCard":"card1"}`},
		{"customer default card", func() error { _, err := c.Customers.SetDefaultCard(ctx, "cu1", "card2"); return err }, `{"$setDefaultStripeCard":"card2"}`},
		// A Decimal read from a string ("100.00", as a response may carry it) still goes out as
		// the JSON number the spec's Money is: the strict writer, not the value's read form.
		{"quoted amounts go out as numbers", func() error {
			_, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: "it1", Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: dec("100.00").Quoted(), Idemp: "key-2"})
			return err
		}, `{"amount":100.00,"idemp":"key-2","item":"it1","paymentMethod":"CASH","type":"private"}`},
		{"quoted price goes out as a number", func() error {
			_, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: "i1", Type: "service", Price: dec("1.50").Quoted()})
			return err
		}, `{"invoice":"i1","price":1.50,"type":"service"}`},
		{"quoted patch price goes out as a number", func() error {
			q := dec("2.5").Quoted()
			_, err := c.Items.Patch(ctx, "it1", encounters.PatchItemParams{Price: &q})
			return err
		}, `{"price":2.5}`},
		{"quoted discount and intent amounts go out as numbers", func() error {
			q := dec("5").Quoted()
			_, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac", Type: encounters.InvoiceTypeMedicalEncounter, Discounts: []encounters.Discount{{Amount: &q}, {Percentage: &q}}})
			return err
		}, `{"discounts":[{"amount":5},{"percentage":5}],"facility":"fac","type":"medical-encounter"}`},
		{"quoted intent amount goes out as a number", func() error {
			q := dec("25.00").Quoted()
			_, err := c.PaymentIntents.Create(ctx, encounters.CreatePaymentIntentParams{GatewayType: "g", Currency: "PHP", Items: []encounters.IntentItem{{Name: "fee", AmountPerItem: &q, Quantity: 1}}})
			return err
		}, `{"currency":"PHP","gatewayType":"g","items":[{"amountPerItem":25.00,"name":"fee","quantity":1}]}`},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			b.Reset()
			_ = tt.call() // the answer is not what this test is about
			assert.Equal(t, []string{tt.want}, b.All())
		})
	}
}

func decp(s string) *polybill.Decimal { d := dec(s); return &d }

// IsKnown accepts exactly the spec's enums: the constants are held to openapi/encounters.yaml.
func TestEnumsMatchSpec(t *testing.T) {
	spec := spectest.Load(t, "../openapi/encounters.yaml")
	spectest.CheckEnum(t, spec, "InvoiceType", encounters.InvoiceTypeMedicalEncounter, encounters.InvoiceTypeInventoryTransaction)
	spectest.CheckEnum(t, spec, "TaxComplication", encounters.TaxInclusive, encounters.TaxExclusive)
	spectest.CheckEnum(t, spec, "InvoiceStatus", encounters.InvoiceStatusPaid, encounters.InvoiceStatusUnpaid)
	spectest.CheckEnum(t, spec, "PaymentType", encounters.PaymentPrivate, encounters.PaymentInsuranceCoverage, encounters.PaymentCorporatePartnerCoverage, encounters.PaymentRefund, encounters.PaymentActionCode, encounters.PaymentSOA)
	spectest.CheckEnum(t, spec, "EncounterType", encounters.EncounterInpatient, encounters.EncounterOutpatient, encounters.EncounterER)
	spectest.CheckEnum(t, spec, "PaymentIntentStatus", encounters.IntentPending, encounters.IntentApproved, encounters.IntentCaptured, encounters.IntentCancelled)
}

// The sign-in body goes through the same encoder, byte for byte what encoding/json wrote.
func TestSignInBody(t *testing.T) {
	var b fake.Bodies
	_, srv := setup(t, []encounterstest.Option{encounterstest.WithUser("a@b.c", `p<w>"`)})
	c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithCredentials("a@b.c", `p<w>"`), polybill.WithMiddleware(b.Middleware))
	require.NoError(t, err)
	require.NoError(t, c.Authenticate(context.Background()))
	assert.Equal(t, []string{`{"strategy":"local","email":"a@b.c","password":"p\u003cw\u003e\""}`}, b.All())
}
