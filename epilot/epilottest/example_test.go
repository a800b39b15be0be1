package epilottest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// Using the fake in your own tests: point the client at it, seed state, inject faults.
func ExampleNew() {
	srv := epilottest.New()
	defer srv.Close()
	client, err := epilot.New(append(srv.ClientOptions(), polybill.WithMaxRetries(0))...)
	if err != nil {
		log.Fatal(err)
	}

	id, err := srv.AddEvent([]byte(`{"type":"installment","billing_amount":10050,"billing_amount_decimal":"100.50",
		"billing_currency":"EUR","booking_date":"2025-06-01","due_date":"2025-06-15",
		"contract":{"$relation":[{"entity_id":"contract-1"}]}}`))
	if err != nil {
		log.Fatal(err)
	}
	ev, err := client.GetBillingEvent(context.Background(), id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Kind(), ev.Fields().Amount.Decimal)

	srv.Faults().Add(epilottest.Fault{Status: http.StatusServiceUnavailable, Body: `{"error":"Service Unavailable","message":"maintenance"}`})
	_, err = client.GetBillingEvent(context.Background(), id)
	fmt.Println(errors.Is(err, polybill.ErrServer), srv.Faults().Injected()["status_503"])
	// Output:
	// installment 100.50
	// true 1
}
