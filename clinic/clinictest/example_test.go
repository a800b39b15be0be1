package clinictest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/clinic/webhook"
)

// Use the fake in your own tests: seed an invoice, point the client at it, move its clock,
// inject faults and receive its signed webhooks.
func Example() {
	clock := clinictest.NewManualClock(time.Date(2026, 3, 15, 9, 0, 0, 0, clinictest.IST))
	// The fake stamps its deliveries with its clock: check their age against the same one.
	handler, err := webhook.NewHandler([]string{"whsec"}, func(_ context.Context, e *webhook.Event) error {
		fmt.Println("webhook:", e.Type)
		return nil
	}, webhook.WithClock(clock.Now))
	if err != nil {
		log.Fatal(err)
	}
	hooks := httptest.NewServer(handler)
	defer hooks.Close()

	srv := clinictest.New(clinictest.WithClock(clock), clinictest.WithWebhookEndpoint(hooks.URL, "whsec"))
	defer srv.Close()
	id := srv.AddInvoice(clinictest.InvoiceSeed{Items: []clinictest.ItemSeed{{
		Service: "Room charge", Department: "IPD", Quantity: polybill.MustDecimal("0.5"),
		Rate: polybill.MustDecimal("3000.00"), TaxPercent: polybill.MustDecimal("12"),
	}}})

	client, err := clinic.New(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: polybill.MustDecimal("1680.00"), Mode: clinic.PaymentModeCard}); err != nil {
		log.Fatal(err)
	}

	clock.Advance(2 * time.Hour) // the token expired: the client renews it on the 401
	srv.Faults().Add(clinictest.Fault{Status: http.StatusServiceUnavailable, Body: `{"error":"unavailable"}`,
		Match: func(r *http.Request) bool { return r.Method == http.MethodGet }})
	inv, err := client.GetInvoice(ctx, id) // the 503 is retried: GET is safe to repeat
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Status, inv.Total, srv.TokensIssued())
	// Output:
	// webhook: payment.received
	// webhook: invoice.paid
	// paid 1680.00 2
}
