package epilot_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// newExampleClient starts an in-process fake and a client for it. In production, use
// epilot.NewFromEnv() with EPILOT_TOKEN set instead.
func newExampleClient(opts ...epilottest.Option) (*epilot.Client, *epilottest.Server) {
	srv := epilottest.New(opts...)
	client, err := epilot.New(polybill.WithBaseURL(srv.URL()), epilot.WithToken(srv.Token()))
	if err != nil {
		log.Fatal(err)
	}
	return client, srv
}

// seedContract creates a contract of customer "cust-1" in billing account "acct-1".
func seedContract(client *epilot.Client) *epilot.Contract {
	c, err := client.CreateContract(context.Background(), epilot.Contract{
		Name: "Grid Contract", BillingPeriod: epilot.PeriodMonthly, BillingDueDay: epilot.Ptr(15),
		InstallmentAmount: epilot.Ptr(int64(10050)), BalanceCurrency: "EUR",
		Customer: epilot.Link("cust-1"), BillingAccount: epilot.Link("acct-1"),
	})
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// seedInstallment books a 100.50 EUR installment in the given month of 2025.
func seedInstallment(client *epilot.Client, contractID, externalID string, month time.Month) epilot.BillingEvent {
	ev, err := client.CreateBillingEvent(context.Background(), &epilot.InstallmentEvent{EventFields: epilot.EventFields{
		Amount:      epilot.MinorUnits(10050, "EUR"),
		BookingDate: polybill.NewDate(2025, month, 1),
		DueDate:     polybill.NewDate(2025, month, 15),
		Contract:    epilot.Link(contractID),
		ExternalID:  externalID,
	}})
	if err != nil {
		log.Fatal(err)
	}
	return ev
}

// The package in one page: create a contract and an installment, read the balance.
func Example() {
	srv := epilottest.New() // in-process fake; drop it and use NewFromEnv in production
	defer srv.Close()
	client, err := epilot.New(polybill.WithBaseURL(srv.URL()), epilot.WithToken(srv.Token()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	contract, err := client.CreateContract(ctx, epilot.Contract{Name: "Grid Contract", Customer: epilot.Link("cust-1")})
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.CreateBillingEvent(ctx, &epilot.InstallmentEvent{EventFields: epilot.EventFields{
		Amount:      epilot.MinorUnits(10050, "EUR"), // the SDK fills billing_amount_decimal "100.50"
		BookingDate: polybill.NewDate(2025, 6, 1),
		DueDate:     polybill.NewDate(2025, 6, 15),
		Contract:    epilot.Link(contract.ID),
	}})
	if err != nil {
		log.Fatal(err)
	}
	balance, err := client.GetCustomerBalance(ctx, "cust-1")
	if err != nil {
		log.Fatal(err)
	}
	amount, err := balance.Amount.Value()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("balance:", amount, balance.Amount.Currency)
	// Output: balance: 100.50 EUR
}

func ExampleNew() {
	client, err := epilot.New(epilot.WithToken("<epilot 360 token>"), polybill.WithMaxRetries(3))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client != nil)
	// Output: true
}

func ExampleNewFromEnv() {
	srv := epilottest.New()
	defer srv.Close()
	// Normally set outside the program.
	_ = os.Setenv(epilot.EnvAPIURL, srv.URL())
	_ = os.Setenv(epilot.EnvToken, srv.Token())
	defer os.Unsetenv(epilot.EnvAPIURL)
	defer os.Unsetenv(epilot.EnvToken)

	client, err := epilot.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.GetBillingEvent(context.Background(), "no-such-event")
	fmt.Println(errors.Is(err, polybill.ErrNotFound))
	// Output: true
}

func ExampleClient_CreateBillingEvent() {
	client, srv := newExampleClient()
	defer srv.Close()

	ev, err := client.CreateBillingEvent(context.Background(), &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount:      epilot.DecimalAmount(polybill.MustDecimal("1500"), "JPY"),
		BookingDate: polybill.NewDate(2025, 6, 18),
		PaidDate:    time.Date(2025, 6, 18, 14, 0, 0, 0, time.UTC),
		Contract:    epilot.Link("contract-1"),
		ExternalID:  "SAP-4712",
	}})
	if err != nil {
		log.Fatal(err)
	}
	f := ev.Fields()
	fmt.Println(ev.Kind(), *f.Amount.MinorUnits, f.Amount.Decimal, f.Amount.Currency, f.Direction)
	// Output: payment 1500 1500 JPY credit
}

// With an external id, a create whose response is lost is settled by looking the event up:
// the caller gets the one stored event, never a duplicate.
func ExampleClient_CreateBillingEvent_exactlyOnce() {
	client, srv := newExampleClient()
	defer srv.Close()
	srv.Faults().Add(epilottest.Fault{
		Match:             func(r *http.Request) bool { return r.Method == http.MethodPost },
		ResetAfterHandler: true, // the fake stores the event, then drops the connection
	})

	ev, err := client.CreateBillingEvent(context.Background(), &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount: epilot.MinorUnits(4200, "EUR"), BookingDate: polybill.NewDate(2025, 6, 18),
		Contract: epilot.Link("contract-1"), ExternalID: "SAP-4713",
	}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Fields().ExternalID, len(srv.Events()))
	// Output: SAP-4713 1
}

func ExampleClient_GetBillingEvent() {
	client, srv := newExampleClient()
	defer srv.Close()
	created := seedInstallment(client, "contract-1", "", time.June)

	ev, err := client.GetBillingEvent(context.Background(), created.Fields().ID)
	if err != nil {
		log.Fatal(err)
	}
	switch e := ev.(type) {
	case *epilot.InstallmentEvent:
		fmt.Println("installment due", e.DueDate)
	case *epilot.CustomEvent:
		fmt.Println("custom", e.Type)
	}
	// Output: installment due 2025-06-15
}

func ExampleClient_GetBillingEventByExternalID() {
	client, srv := newExampleClient()
	defer srv.Close()
	seedInstallment(client, "contract-1", "SAP-4711", time.June)

	ev, err := client.GetBillingEventByExternalID(context.Background(), "SAP-4711")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Kind(), ev.Fields().Amount.Decimal)
	// Output: installment 100.50
}

// EnsureBillingEvent creates the event only when no event carries its external_id, so a job
// that is run again (after a crash, or an Ambiguous error) does not book the installment twice.
// It is a check then a create: run one worker per external_id (see its doc).
func ExampleClient_EnsureBillingEvent() {
	client, srv := newExampleClient()
	defer srv.Close()
	installment := &epilot.InstallmentEvent{EventFields: epilot.EventFields{
		Amount:      epilot.MinorUnits(8990, "EUR"),
		BookingDate: polybill.NewDate(2026, time.March, 1),
		DueDate:     polybill.NewDate(2026, time.March, 15),
		Contract:    epilot.Link("contract-1"),
		ExternalID:  "SAP-4711-2026-03",
	}}
	for range 2 {
		ev, created, err := client.EnsureBillingEvent(context.Background(), installment)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Fields().ExternalID, "created:", created)
	}
	fmt.Println("events stored:", len(srv.Events()))
	// Output:
	// SAP-4711-2026-03 created: true
	// SAP-4711-2026-03 created: false
	// events stored: 1
}

func ExampleClient_UpdateBillingEvent() {
	client, srv := newExampleClient()
	defer srv.Close()
	created := seedInstallment(client, "contract-1", "", time.June)

	ev, err := client.UpdateBillingEvent(context.Background(), created.Fields().ID, epilot.BillingEventUpdate{
		Status:   epilot.EventStatusClosed,
		PaidDate: time.Date(2025, 6, 14, 9, 30, 0, 0, time.UTC),
		Note:     epilot.Ptr("paid early"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Fields().Status, ev.Fields().PaidDate.Format(time.RFC3339), ev.Fields().Note)
	// Output: closed 2025-06-14T09:30:00Z paid early
}

func ExampleClient_DeleteBillingEvent() {
	client, srv := newExampleClient()
	defer srv.Close()
	created := seedInstallment(client, "contract-1", "", time.June)

	if err := client.DeleteBillingEvent(context.Background(), created.Fields().ID); err != nil {
		log.Fatal(err)
	}
	_, err := client.GetBillingEvent(context.Background(), created.Fields().ID)
	fmt.Println(errors.Is(err, polybill.ErrNotFound))
	// Output: true
}

func ExampleClient_ListBillingEvents() {
	client, srv := newExampleClient()
	defer srv.Close()
	for m := time.January; m <= time.May; m++ {
		seedInstallment(client, "contract-1", fmt.Sprintf("SAP-%d", m), m)
	}

	// Pages of two are fetched as the loop needs them.
	for ev, err := range client.ListBillingEvents(context.Background(), &epilot.ListBillingEventsParams{
		Size:      2,
		EntityIDs: []string{"contract-1"},
		DateAfter: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
	}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Fields().ExternalID, ev.Fields().BookingDate)
	}
	// Output:
	// SAP-2 2025-02-01
	// SAP-3 2025-03-01
	// SAP-4 2025-04-01
	// SAP-5 2025-05-01
}

func ExampleClient_ListBillingEventsPage() {
	client, srv := newExampleClient()
	defer srv.Close()
	for m := time.January; m <= time.May; m++ {
		seedInstallment(client, "contract-1", "", m)
	}

	page, err := client.ListBillingEventsPage(context.Background(), &epilot.ListBillingEventsParams{Size: 2, From: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), "of", page.Total, "next from", page.Next, "more:", page.HasMore)
	// Output: 2 of 5 next from 4 more: true
}

func ExampleClient_CreateContract() {
	client, srv := newExampleClient()
	defer srv.Close()

	c, err := client.CreateContract(context.Background(), epilot.Contract{
		Name:              "Grid Contract",
		Status:            epilot.ContractActive,
		Branch:            epilot.BranchPower,
		InstallmentAmount: epilot.Ptr(int64(10050)),
		BalanceCurrency:   "EUR",
		Customer:          epilot.Link("cust-1"),
	})
	if err != nil {
		log.Fatal(err)
	}
	installment, _ := c.InstallmentMoney().Value()
	fmt.Println(c.Title, c.Status, installment, c.Customer.IDs())
	// Output: Grid Contract active 100.50 [cust-1]
}

func ExampleClient_UpdateContract() {
	client, srv := newExampleClient()
	defer srv.Close()
	c := seedContract(client)

	updated, err := client.UpdateContract(context.Background(), c.ID, epilot.Contract{InstallmentAmount: epilot.Ptr(int64(12000))})
	if err != nil {
		log.Fatal(err)
	}
	installment, _ := updated.InstallmentMoney().Value()
	fmt.Println(updated.Name, installment)
	// Output: Grid Contract 120.00
}

func ExampleClient_DeleteContract() {
	client, srv := newExampleClient()
	defer srv.Close()
	c := seedContract(client)

	if err := client.DeleteContract(context.Background(), c.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(srv.Contracts()))
	// Output: 0
}

func ExampleClient_GetCustomerBalance() {
	client, srv := newExampleClient()
	defer srv.Close()
	c := seedContract(client)
	seedInstallment(client, c.ID, "", time.June) // debit 100.50
	_, err := client.CreateBillingEvent(context.Background(), &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount: epilot.MinorUnits(4000, "EUR"), BookingDate: polybill.NewDate(2025, 6, 20), Contract: epilot.Link(c.ID),
	}}) // credit 40.00
	if err != nil {
		log.Fatal(err)
	}

	balance, err := client.GetCustomerBalance(context.Background(), "cust-1")
	if err != nil {
		log.Fatal(err)
	}
	amount, err := balance.Amount.Value() // fails if balance and balance_decimal disagree
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(amount, balance.Amount.Currency)
	// Output: 60.50 EUR
}

func ExampleClient_GetContractPricingInformation() {
	client, srv := newExampleClient()
	defer srv.Close()
	c := seedContract(client)
	if _, err := client.UpdateContract(context.Background(), c.ID, epilot.Contract{InstallmentAmount: epilot.Ptr(int64(12000))}); err != nil {
		log.Fatal(err)
	}

	info, err := client.GetContractPricingInformation(context.Background(), c.ID, nil)
	if err != nil {
		log.Fatal(err)
	}
	current, _ := info.CurrentInstallmentAmount.Value()
	fmt.Println(current, info.Schedule.BillingPeriod, info.Schedule.InstallmentsPerYear, len(info.History))
	// Output: 120.00 monthly 12 1
}

func ExampleClient_GetBillingAccountPricingInformation() {
	client, srv := newExampleClient()
	defer srv.Close()
	seedContract(client)

	info, err := client.GetBillingAccountPricingInformation(context.Background(), "acct-1", &epilot.PricingInformationParams{ExcludeHistory: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.EntityType, len(info.Contracts))
	// Output: billing_account 1
}

// changeInstallments changes the contract's installment amount n times, a day apart.
func changeInstallments(client *epilot.Client, clock *epilottest.ManualClock, contractID string, n int) {
	for i := 1; i <= n; i++ {
		clock.Advance(24 * time.Hour)
		if _, err := client.UpdateContract(context.Background(), contractID, epilot.Contract{InstallmentAmount: epilot.Ptr(int64(10050 + 100*i))}); err != nil {
			log.Fatal(err)
		}
	}
}

func ExampleClient_ListContractConfigurationHistory() {
	clock := epilottest.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	client, srv := newExampleClient(epilottest.WithClock(clock))
	defer srv.Close()
	c := seedContract(client)
	changeInstallments(client, clock, c.ID, 3)

	for row, err := range client.ListContractConfigurationHistory(context.Background(), c.ID, &epilot.ConfigurationHistoryParams{Size: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		from, _ := row.PreviousValue.Value()
		to, _ := row.NewValue.Value()
		fmt.Println(row.ChangedAt.Format("2006-01-02"), from, "->", to)
	}
	// Output:
	// 2025-01-04 102.50 -> 103.50
	// 2025-01-03 101.50 -> 102.50
	// 2025-01-02 100.50 -> 101.50
}

func ExampleClient_ListContractConfigurationHistoryPage() {
	clock := epilottest.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	client, srv := newExampleClient(epilottest.WithClock(clock))
	defer srv.Close()
	c := seedContract(client)
	changeInstallments(client, clock, c.ID, 3)

	page, err := client.ListContractConfigurationHistoryPage(context.Background(), c.ID, &epilot.ConfigurationHistoryParams{Size: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), "of", page.Total, page.Items[0].ChangeType)
	// Output: 2 of 3 installment_amount_changed
}

func ExampleClient_ListBillingAccountConfigurationHistory() {
	clock := epilottest.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	client, srv := newExampleClient(epilottest.WithClock(clock))
	defer srv.Close()
	c := seedContract(client)
	changeInstallments(client, clock, c.ID, 2)

	n := 0
	for row, err := range client.ListBillingAccountConfigurationHistory(context.Background(), "acct-1", nil) {
		if err != nil {
			log.Fatal(err)
		}
		if row.EntityID == c.ID {
			n++
		}
	}
	fmt.Println(n, "changes")
	// Output: 2 changes
}

func ExampleClient_ListBillingAccountConfigurationHistoryPage() {
	clock := epilottest.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	client, srv := newExampleClient(epilottest.WithClock(clock))
	defer srv.Close()
	c := seedContract(client)
	changeInstallments(client, clock, c.ID, 2)

	page, err := client.ListBillingAccountConfigurationHistoryPage(context.Background(), "acct-1", &epilot.ConfigurationHistoryParams{Size: 1, From: 1})
	if err != nil {
		log.Fatal(err)
	}
	to, _ := page.Items[0].NewValue.Value()
	fmt.Println(to, page.HasMore)
	// Output: 101.50 false
}

func ExampleParseBillingEvent() {
	ev, err := epilot.ParseBillingEvent([]byte(`{"type":"grid_fee_adjustment","billing_amount":990,
		"billing_amount_decimal":"9.90","billing_currency":"EUR","x_grid_operator":{"id":"NB-7"}}`))
	if err != nil {
		log.Fatal(err)
	}
	custom := ev.(*epilot.CustomEvent)
	fmt.Println(custom.Type, custom.Kind().IsKnown(), string(custom.Extra["x_grid_operator"]))
	// Output: grid_fee_adjustment false {"id":"NB-7"}
}

func ExampleMoney_Check() {
	units := int64(10050)
	wrong := polybill.MustDecimal("100.05")
	m := epilot.Money{MinorUnits: &units, Decimal: &wrong, Currency: "EUR"}
	err := m.Check()
	fmt.Println(errors.Is(err, epilot.ErrAmountMismatch))
	// Output: true
}

func ExampleMoney_Value() {
	for _, m := range []epilot.Money{epilot.MinorUnits(10050, "EUR"), epilot.MinorUnits(10050, "JPY"), epilot.MinorUnits(10050, "KWD")} {
		v, _ := m.Value()
		fmt.Println(v, m.Currency)
	}
	// Output:
	// 100.50 EUR
	// 10050 JPY
	// 10.050 KWD
}

func ExampleLink() {
	rel := epilot.Link("f589786b-3024-43cd-9cb3-5a3c953f2896")
	fmt.Println(rel.IDs(), rel.Contains("f589786b-3024-43cd-9cb3-5a3c953f2896"))
	// Output: [f589786b-3024-43cd-9cb3-5a3c953f2896] true
}
