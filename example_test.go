package polybill_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// The package overview's example: a client of the in-process 23blocks CRM fake, a create, a
// lazy list and a typed error.
func Example() {
	ctx := context.Background()
	fake := crmtest.New() // an in-process 23blocks CRM; against the real one: crm.NewFromEnv()
	defer fake.Close()
	client, err := crm.New(fake.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.CreateMeetingBilling(ctx, "meeting-1", crm.CreateBillingParams{
		Amount: polybill.MustDecimal("250.00"), PayerName: "Acme Corp",
		PayerEmail: "billing@acme.example", Currency: "USD",
	})
	if err != nil {
		log.Fatal(err)
	}
	for b, err := range client.ListMeetingBillings(ctx, "meeting-1", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.PayerName, b.Amount, b.Status)
	}
	_, err = client.GetBilling(ctx, "no-such-billing")
	fmt.Println(errors.Is(err, polybill.ErrNotFound))
	// Output:
	// Acme Corp 250.00 pending
	// true
}
