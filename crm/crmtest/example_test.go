package crmtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// Use the fake in your own tests: seed state, point a client at it, inject faults.
func Example() {
	clock := crmtest.NewManualClock(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	srv := crmtest.New(crmtest.WithClock(clock))
	defer srv.Close()

	_, err := srv.AddBilling(crmtest.Billing{
		UniqueID: "b-1", MeetingID: "m-1", Amount: polybill.MustDecimal("120.00"),
		PayerName: "Acme Corp", PayerEmail: "billing@acme.com", CreatedAt: clock.Now(),
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := crm.New(append(srv.ClientOptions(), polybill.WithMinRetryDelay(0))...)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Two 503s: the GET is retried and succeeds.
	srv.Faults().Add(crmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0", Times: 2})
	b, err := client.GetBilling(ctx, "b-1")
	fmt.Println(b.Amount, err, srv.Requests())

	// Forty-five days later the billing sits in the 31-60 bucket.
	clock.Advance(45 * 24 * time.Hour)
	aging, err := client.GetAgingReport(ctx)
	fmt.Println(aging.Days60, err)

	// A create whose connection dies after the server committed it is not repeated.
	srv.Faults().Add(crmtest.Fault{ResetAfterHandler: true})
	_, err = client.CreateMeetingBilling(ctx, "m-1", crm.CreateBillingParams{
		Amount: polybill.MustDecimal("80.00"), PayerName: "Acme Corp", PayerEmail: "billing@acme.com",
	})
	var pe *polybill.Error
	fmt.Println(errors.As(err, &pe) && pe.Ambiguous, len(srv.Billings()))
	// Output:
	// 120.00 <nil> 3
	// 120.00 <nil>
	// true 2
}
