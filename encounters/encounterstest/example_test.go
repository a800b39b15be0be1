package encounterstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// Use the fake in your own tests: start it, point the client at it.
func Example() {
	srv := encounterstest.New()
	defer srv.Close()
	client, err := encounters.New(srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	inv, err := client.Invoices.Create(context.Background(), encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	if err != nil {
		panic(err)
	}
	fmt.Println(inv.ID, inv.Status)
	// Output: inv-1 unpaid
}

// ClientOptions point a client at the fake with its static token.
func ExampleServer_ClientOptions() {
	srv := encounterstest.New()
	defer srv.Close()
	client, err := encounters.New(srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	enc, err := client.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterOutpatient, Invoice: true})
	if err != nil {
		panic(err)
	}
	inv, err := client.Invoices.Get(ctx, enc.ID, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(enc.ID, inv.ID, inv.Status)
	// Output: enc-1 enc-1 unpaid
}

// Inject a failure: the next payment create commits and then loses its
// response. The client retries with the same idemp and gets the first payment.
func ExampleServer_Faults() {
	srv := encounterstest.New()
	defer srv.Close()
	client, _ := encounters.New(srv.ClientOptions()...)
	ctx := context.Background()
	inv, _ := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	item, _ := client.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: polybill.MustDecimal("100")})

	srv.Faults().Add(encounterstest.Fault{
		Match:             func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/billing-payments" },
		ResetAfterHandler: true,
	})
	_, err := client.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100")})
	fmt.Println(err, srv.Count("billing-payments"), srv.Faults().Injected()["reset_after"])
	// Output: <nil> 1 1
}

// Switch find between Feathers pages and bare arrays.
func ExampleWithPageShape() {
	srv := encounterstest.New(encounterstest.WithPageShape(encounterstest.PageArray), encounterstest.WithPagination(2, 50))
	defer srv.Close()
	client, _ := encounters.New(srv.ClientOptions()...)
	ctx := context.Background()
	for range 3 {
		_, _ = client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	}
	page, _ := client.Invoices.Find(ctx, nil)
	fmt.Println(len(page.Items), page.Total)
	// Output: 2 -1
}

// Sign-in and token refresh against the fake's clock.
func ExampleWithUser() {
	clock := encounterstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	srv := encounterstest.New(encounterstest.WithUser("cashier@example.com", "s3cret"), encounterstest.WithClock(clock))
	defer srv.Close()
	client, _ := encounters.New(polybill.WithBaseURL(srv.URL()),
		encounters.WithCredentials("cashier@example.com", "s3cret"), encounterstest.WithTokenClock(clock.Now))
	ctx := context.Background()
	_, err := client.Invoices.Find(ctx, nil)
	fmt.Println(err, srv.Logins(), srv.Refreshes())
	clock.Advance(2 * time.Hour) // past the 1h token lifetime
	_, err = client.Invoices.Find(ctx, nil)
	fmt.Println(err, srv.Logins(), srv.Refreshes())
	// Output:
	// <nil> 1 0
	// <nil> 1 1
}

// Business rules answer in Feathers' error shape.
func ExampleServer_rules() {
	srv := encounterstest.New()
	defer srv.Close()
	client, _ := encounters.New(srv.ClientOptions()...)
	ctx := context.Background()
	inv, _ := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	item, _ := client.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: polybill.MustDecimal("100")})
	_, err := client.Payments.Create(ctx, encounters.CreatePaymentParams{Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100.01")})
	var perr *polybill.Error
	errors.As(err, &perr)
	fmt.Println(perr.StatusCode, perr.Code, perr.Param, perr.Message)
	// Output: 400 BadRequest amount Payment of 100.01 exceeds the item's balance of 100
}
