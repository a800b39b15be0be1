package crm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// exampleNow is the fake's clock in the examples, so their output is stable.
var exampleNow = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

// exampleFake starts a fake with a few billings and returns it with a client.
func exampleFake() (*crmtest.Server, *crm.Client) {
	srv := crmtest.New(crmtest.WithClock(crmtest.NewManualClock(exampleNow)))
	seed := []crmtest.Billing{
		{UniqueID: "billing-uuid-123", MeetingID: "meeting-uuid-123", Amount: polybill.MustDecimal("250.00"), PayerName: "Acme Corp",
			PayerEmail: "billing@acme.com", ParticipantEmail: "jane@acme.com", BillingType: "session", Status: "pending",
			CreatedAt: time.Date(2026, 1, 10, 10, 30, 0, 0, time.UTC)},
		{UniqueID: "billing-uuid-456", MeetingID: "meeting-uuid-456", Amount: polybill.MustDecimal("150.00"), PayerName: "Acme Corp",
			PayerEmail: "billing@acme.com", ParticipantEmail: "jane@acme.com", BillingType: "session", Status: "paid",
			CreatedAt: time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)},
		{UniqueID: "billing-uuid-789", MeetingID: "meeting-uuid-789", Amount: polybill.MustDecimal("750.00"), PayerName: "Widget Inc",
			PayerEmail: "finance@widget.com", Status: "overdue", CreatedAt: time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC)},
	}
	for _, b := range seed {
		if _, err := srv.AddBilling(b); err != nil {
			log.Fatal(err)
		}
	}
	c, err := crm.New(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	return srv, c
}

// The whole flow: create a billing, mark it paid, see the outstanding total drop.
func Example() {
	srv, client := exampleFake()
	defer srv.Close()
	ctx := context.Background()

	b, err := client.CreateMeetingBilling(ctx, "meeting-uuid-999", crm.CreateBillingParams{
		Amount:     polybill.MustDecimal("99.90"),
		PayerName:  "Widget Inc",
		PayerEmail: "finance@widget.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", b.UniqueID, b.Amount, b.Status)

	if _, err := client.UpdateBilling(ctx, b.UniqueID, crm.UpdateBillingParams{Status: crm.StatusPaid}); err != nil {
		log.Fatal(err)
	}
	rows, err := client.GetOutstandingByPayer(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rows {
		fmt.Println(r.PayerName, r.TotalOutstanding, *r.BillingCount)
	}
	// Output:
	// created billing-0004 99.90 pending
	// Acme Corp 250.00 1
	// Widget Inc 750.00 1
}

func ExampleNew() {
	srv := crmtest.New()
	defer srv.Close()

	client, err := crm.New(
		polybill.WithBaseURL(srv.URL()),
		crm.WithToken(crmtest.DefaultToken),
		crm.WithAPIKey(crmtest.DefaultAPIKey),
		crm.WithAPIKeyHeader(crm.APIKeyHeaderAppID, crm.APIKeyHeaderXAPIKey), // send both
		crm.WithTenantID("tenant-1"),
	)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := client.GetOutstandingByPayer(context.Background())
	fmt.Println(len(rows), err)
	// Output: 0 <nil>
}

func ExampleNewFromEnv() {
	srv := crmtest.New()
	defer srv.Close()
	for k, v := range map[string]string{crm.EnvAPIURL: srv.URL(), crm.EnvAuthToken: crmtest.DefaultToken, crm.EnvAPIKey: crmtest.DefaultAPIKey} {
		os.Setenv(k, v)
		defer os.Unsetenv(k)
	}

	client, err := crm.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	report, err := client.GetAgingReport(context.Background())
	fmt.Println(report.TotalOutstanding, err)
	// Output: 0.00 <nil>
}

func ExampleWithAPIKeyHeader() {
	srv := crmtest.New(crmtest.WithAPIKeyHeaders(crm.APIKeyHeaderXAPIKey))
	defer srv.Close()

	// By default the key goes out as both AppId and X-API-KEY: this server reads the latter.
	client, _ := crm.New(srv.ClientOptions()...)
	_, err := client.GetAgingReport(context.Background())
	fmt.Println(err)

	// Picking AppId alone, as the vendor document shows it, fails here.
	client, _ = crm.New(append(srv.ClientOptions(), crm.WithAPIKeyHeader(crm.APIKeyHeaderAppID))...)
	_, err = client.GetAgingReport(context.Background())
	fmt.Println(errors.Is(err, polybill.ErrUnauthorized))
	// Output:
	// <nil>
	// true
}

func ExampleClient_GetMeetingBilling() {
	srv, client := exampleFake()
	defer srv.Close()

	b, err := client.GetMeetingBilling(context.Background(), "meeting-uuid-123")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.UniqueID, b.Amount, b.PayerName, b.Status, b.CreatedAt.Format(time.RFC3339))
	// Output: billing-uuid-123 250.00 Acme Corp pending 2026-01-10T10:30:00Z
}

func ExampleClient_ListMeetingBillings() {
	srv, client := exampleFake()
	defer srv.Close()
	ctx := context.Background()
	for i := range 3 {
		_, err := client.CreateMeetingBilling(ctx, "meeting-uuid-123", crm.CreateBillingParams{
			Amount: polybill.MustDecimal(fmt.Sprintf("%d0.00", i+1)), PayerName: "Acme Corp", PayerEmail: "billing@acme.com",
		})
		if err != nil {
			log.Fatal(err)
		}
	}

	// Pages of two are fetched as the loop needs them.
	for b, err := range client.ListMeetingBillings(ctx, "meeting-uuid-123", &crm.ListMeetingBillingsParams{Records: 2, Sort: "-amount"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.UniqueID, b.Amount)
	}
	// Output:
	// billing-uuid-123 250.00
	// billing-0006 30.00
	// billing-0005 20.00
	// billing-0004 10.00
}

func ExampleClient_ListMeetingBillingsPage() {
	srv, client := exampleFake()
	defer srv.Close()

	page, err := client.ListMeetingBillingsPage(context.Background(), "meeting-uuid-123", &crm.ListMeetingBillingsParams{Page: 1, Records: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.Total, page.HasMore)
	// Output: 1 1 false
}

func ExampleClient_CreateMeetingBilling() {
	srv, client := exampleFake()
	defer srv.Close()
	ctx := context.Background()

	b, err := client.CreateMeetingBilling(ctx, "meeting-uuid-123", crm.CreateBillingParams{
		Amount:      polybill.MustDecimal("250.00"),
		PayerName:   "Acme Corp",
		PayerEmail:  "billing@acme.com",
		BillingType: "session",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.UniqueID, b.MeetingID, b.Amount, b.Status)

	// Refused before sending: the field is named.
	_, err = client.CreateMeetingBilling(ctx, "meeting-uuid-123", crm.CreateBillingParams{
		Amount: polybill.MustDecimal("250.00"), PayerName: "Acme Corp", PayerEmail: "not-an-email",
	})
	var pe *polybill.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Param, errors.Is(err, polybill.ErrValidation))
	}
	// Output:
	// billing-0004 meeting-uuid-123 250.00 pending
	// payer_email true
}

func ExampleClient_GetBilling() {
	srv, client := exampleFake()
	defer srv.Close()
	ctx := context.Background()

	b, err := client.GetBilling(ctx, "billing-uuid-123")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.UniqueID, b.PayerEmail, b.Amount)

	_, err = client.GetBilling(ctx, "no-such-billing")
	var pe *polybill.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.StatusCode, pe.Code, errors.Is(err, polybill.ErrNotFound))
	}
	// Output:
	// billing-uuid-123 billing@acme.com 250.00
	// 404 not_found true
}

func ExampleClient_UpdateBilling() {
	srv, client := exampleFake()
	defer srv.Close()

	amount := polybill.MustDecimal("275.00")
	b, err := client.UpdateBilling(context.Background(), "billing-uuid-123", crm.UpdateBillingParams{Status: crm.StatusPaid, Amount: &amount})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Status, b.Amount, b.PaidAt.Format(time.DateOnly))
	// Output: paid 275.00 2026-04-01
}

func ExampleClient_DeleteBilling() {
	srv, client := exampleFake()
	defer srv.Close()
	ctx := context.Background()

	err := client.DeleteBilling(ctx, "billing-uuid-123")
	fmt.Println(err)
	_, err = client.GetBilling(ctx, "billing-uuid-123")
	fmt.Println(errors.Is(err, polybill.ErrNotFound))
	// Output:
	// <nil>
	// true
}

func ExampleClient_GetPaymentSplit() {
	srv, client := exampleFake()
	defer srv.Close()
	err := srv.SetPaymentSplit("billing-uuid-123", []crmtest.SplitEntry{
		{RecipientName: "Dr. Smith", RecipientEmail: "smith@clinic.com", Amount: polybill.MustDecimal("175.00"), Percentage: polybill.MustDecimal("70")},
		{RecipientName: "Clinic Admin", RecipientEmail: "admin@clinic.com", Amount: polybill.MustDecimal("75.00"), Percentage: polybill.MustDecimal("30")},
	})
	if err != nil {
		log.Fatal(err)
	}

	split, err := client.GetPaymentSplit(context.Background(), "billing-uuid-123")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(split.BillingID, split.TotalAmount)
	for _, s := range split.Splits {
		fmt.Printf("%s %s %s%%\n", s.RecipientName, s.Amount, s.Percentage)
	}
	// Output:
	// billing-uuid-123 250.00
	// Dr. Smith 175.00 70%
	// Clinic Admin 75.00 30%
}

func ExampleClient_GetOutstandingByPayer() {
	srv, client := exampleFake()
	defer srv.Close()

	rows, err := client.GetOutstandingByPayer(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rows {
		fmt.Println(r.PayerName, r.PayerEmail, r.TotalOutstanding, *r.BillingCount)
	}
	// Output:
	// Acme Corp billing@acme.com 250.00 1
	// Widget Inc finance@widget.com 750.00 1
}

func ExampleClient_GetEAPSessions() {
	srv, client := exampleFake()
	defer srv.Close()

	s, err := client.GetEAPSessions(context.Background(), "jane@acme.com", "Acme Corp")
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range s.Sessions {
		fmt.Println(b.SessionDate, b.Amount, b.Status)
	}
	fmt.Println(*s.TotalSessions, s.TotalAmount)
	// Output:
	// 2026-01-10 250.00 pending
	// 2026-02-10 150.00 paid
	// 2 400.00
}

func ExampleClient_GetRevenueReport() {
	srv, client := exampleFake()
	defer srv.Close()

	r, err := client.GetRevenueReport(context.Background(), &crm.RevenueReportParams{
		StartDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		EndDate:   time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.TotalRevenue, r.TotalPaid, r.TotalPending, *r.BillingCount, r.Period.StartDate, r.Period.EndDate)
	// Output: 400.00 150.00 250.00 2 2026-01-01 2026-03-31
}

func ExampleClient_GetAgingReport() {
	srv, client := exampleFake()
	defer srv.Close()

	a, err := client.GetAgingReport(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("current", a.Current)
	fmt.Println("1-30", a.Days30)
	fmt.Println("31-60", a.Days60)
	fmt.Println("61-90", a.Days90)
	fmt.Println("over 90", a.DaysOver90)
	fmt.Println("total", a.TotalOutstanding)
	// Output:
	// current 0.00
	// 1-30 0.00
	// 31-60 0.00
	// 61-90 250.00
	// over 90 750.00
	// total 1000.00
}

func ExampleClient_GetParticipantReport() {
	srv, client := exampleFake()
	defer srv.Close()

	p, err := client.GetParticipantReport(context.Background(), "jane@acme.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.ParticipantEmail, p.TotalBilled, p.TotalPaid, p.TotalOutstanding, *p.SessionsCount)
	for _, b := range p.Billings {
		fmt.Println(b.ID, b.Amount, b.Status)
	}
	// Output:
	// jane@acme.com 400.00 150.00 250.00 2
	// billing-uuid-123 250.00 pending
	// billing-uuid-456 150.00 paid
}

func ExampleStatus_IsKnown() {
	for _, s := range []crm.Status{crm.StatusPaid, "disputed"} {
		fmt.Println(s, s.IsKnown())
	}
	// Output:
	// paid true
	// disputed false
}
