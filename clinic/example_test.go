package clinic_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
)

// startFake runs the in-process fake with one invoice of 2360.00 (1000 consultation + 2×550 lab
// test − 100 discount + 18% GST) dated 2026-03-15, the way you would in your own tests.
func startFake() (*clinictest.Server, string) {
	srv := clinictest.New(clinictest.WithClock(clinictest.NewManualClock(time.Date(2026, 3, 15, 10, 0, 0, 0, clinictest.IST))))
	id := srv.AddInvoice(clinictest.InvoiceSeed{
		PatientName: "Asha Rao", BranchID: "MUM-01",
		Items: []clinictest.ItemSeed{
			{Service: "Consultation", Department: "General Medicine", Quantity: polybill.MustDecimal("1"),
				Rate: polybill.MustDecimal("1000.00"), TaxPercent: polybill.MustDecimal("18")},
			{Service: "Complete blood count", Department: "Laboratory", Quantity: polybill.MustDecimal("2"),
				Rate: polybill.MustDecimal("550.00"), Discount: polybill.MustDecimal("100.00"), TaxPercent: polybill.MustDecimal("18")},
		},
	})
	return srv, id
}

func mustClient(srv *clinictest.Server, opts ...clinic.Option) *clinic.Client {
	client, err := clinic.New(append(srv.ClientOptions(), opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return client
}

// Record a partial payment and read the invoice back.
func Example() {
	srv, id := startFake()
	defer srv.Close()
	ctx := context.Background()

	client, err := clinic.New(polybill.WithBaseURL(srv.URL()),
		clinic.WithClientCredentials(clinictest.DefaultClientID, clinictest.DefaultClientSecret))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount: polybill.MustDecimal("1500.00"), Mode: clinic.PaymentModeUPI, Reference: "UPI-TXN-123456",
	})
	if err != nil {
		log.Fatal(err)
	}
	inv, err := client.GetInvoice(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Status, inv.Paid, inv.Balance)
	// Output: partially_paid 1500.00 860.00
}

func ExampleNew() {
	srv, _ := startFake()
	defer srv.Close()

	client, err := clinic.New(
		polybill.WithBaseURL(srv.URL()), // your tenant's host, e.g. https://yourclinic.bioecko.com
		clinic.WithClientCredentials(clinictest.DefaultClientID, clinictest.DefaultClientSecret),
		polybill.WithMaxRetries(3),
	)
	if err != nil {
		log.Fatal(err)
	}
	s, err := client.GetSummary(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("billed", s.TotalBilled)

	_, err = clinic.New(polybill.WithBaseURL(srv.URL()))
	fmt.Println(err != nil)
	// Output:
	// billed 2360.00
	// true
}

func ExampleNewFromEnv() {
	srv, id := startFake()
	defer srv.Close()
	os.Setenv(clinic.EnvAPIURL, srv.URL())
	os.Setenv(clinic.EnvClientID, clinictest.DefaultClientID)
	os.Setenv(clinic.EnvClientSecret, clinictest.DefaultClientSecret)
	defer func() {
		os.Unsetenv(clinic.EnvAPIURL)
		os.Unsetenv(clinic.EnvClientID)
		os.Unsetenv(clinic.EnvClientSecret)
	}()

	client, err := clinic.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	inv, err := client.GetInvoice(context.Background(), id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.InvoiceNumber)
	// Output: MUM-01/2026/00001
}

func ExampleWithScopes() {
	srv, id := startFake()
	defer srv.Close()
	// A read-only token: reporting code cannot record payments even by mistake.
	client := mustClient(srv, clinic.WithScopes(clinic.ScopeBillingRead))

	_, err := client.RecordPayment(context.Background(), id, clinic.RecordPaymentParams{
		Amount: polybill.MustDecimal("10"), Mode: clinic.PaymentModeCash,
	})
	fmt.Println(errors.Is(err, polybill.ErrForbidden))
	// Output: true
}

func ExampleClient_ListInvoices() {
	srv, _ := startFake()
	defer srv.Close()
	srv.AddInvoice(clinictest.InvoiceSeed{PatientName: "Ravi Kumar", BranchID: "DEL-02", Items: []clinictest.ItemSeed{
		{Service: "X-ray", Department: "Radiology", Quantity: polybill.MustDecimal("1"), Rate: polybill.MustDecimal("800.00"), TaxPercent: polybill.MustDecimal("0")},
	}})
	client := mustClient(srv)

	// Pages are fetched lazily as the loop advances; break stops all requests.
	for inv, err := range client.ListInvoices(context.Background(), &clinic.ListInvoicesParams{
		DateFrom: polybill.NewDate(2026, time.March, 1), DateTo: polybill.NewDate(2026, time.March, 31), PerPage: 50,
	}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(inv.InvoiceNumber, inv.PatientName, inv.Total, inv.Status)
	}
	// Output:
	// MUM-01/2026/00001 Asha Rao 2360.00 finalized
	// DEL-02/2026/00002 Ravi Kumar 800.00 finalized
}

func ExampleClient_ListInvoicesPage() {
	srv, _ := startFake()
	defer srv.Close()
	client := mustClient(srv)

	page, err := client.ListInvoicesPage(context.Background(), &clinic.ListInvoicesParams{Page: 1, PerPage: 10, BranchID: "MUM-01"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.Total, page.HasMore)
	// Output: 1 1 false
}

func ExampleClient_GetInvoice() {
	srv, id := startFake()
	defer srv.Close()
	client := mustClient(srv)

	inv, err := client.GetInvoice(context.Background(), id)
	if err != nil {
		log.Fatal(err)
	}
	for _, item := range inv.LineItems {
		fmt.Printf("%-22s %-16s %s × %s − %s + %s = %s\n", item.ServiceName, item.Department, item.Quantity, item.Rate, item.Discount, item.Tax, item.Amount)
	}
	fmt.Println("CGST", inv.Tax.CGST, "SGST", inv.Tax.SGST, "IGST", inv.Tax.IGST)
	fmt.Println("grand total", inv.Total, inv.Currency)

	_, err = client.GetInvoice(context.Background(), "INV-0000")
	fmt.Println(errors.Is(err, polybill.ErrNotFound))
	// Output:
	// Consultation           General Medicine 1 × 1000.00 − 0.00 + 180.00 = 1180.00
	// Complete blood count   Laboratory       2 × 550.00 − 100.00 + 180.00 = 1180.00
	// CGST 180.00 SGST 180.00 IGST 0.00
	// grand total 2360.00 INR
	// true
}

func ExampleClient_RecordPayment() {
	srv, id := startFake()
	defer srv.Close()
	client := mustClient(srv)
	ctx := context.Background()

	inv, err := client.GetInvoice(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	// KnownBalance refuses an overpayment before anything is sent.
	_, err = client.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount: polybill.MustDecimal("5000.00"), Mode: clinic.PaymentModeCard, KnownBalance: &inv.Balance,
	})
	var pe *polybill.Error
	if errors.As(err, &pe) {
		fmt.Println("refused:", pe.Param)
	}

	res, err := client.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount:       inv.Balance,
		Mode:         clinic.PaymentModeCheque,
		Reference:    "CHQ-004512",
		PaymentDate:  polybill.NewDate(2026, time.March, 15),
		KnownBalance: &inv.Balance,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Payment.Amount, res.Payment.Mode, res.Payment.PaymentDate, res.Reconciled)
	fmt.Println(srv.InvoiceStatus(id))
	// Output:
	// refused: amount
	// 2360.00 cheque 2026-03-15 false
	// paid
}

// When the connection drops after the server recorded the payment, the SDK does not resend it:
// it finds the payment by its reference and says so.
func ExampleClient_RecordPayment_reconciled() {
	srv, id := startFake()
	defer srv.Close()
	client := mustClient(srv)
	srv.Faults().Add(clinictest.Fault{
		Match:             func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/payments") },
		ResetAfterHandler: true,
	})

	res, err := client.RecordPayment(context.Background(), id, clinic.RecordPaymentParams{
		Amount: polybill.MustDecimal("1000.00"), Mode: clinic.PaymentModeUPI, Reference: "UPI-TXN-777",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Reconciled, res.Payment.Reference, srv.PaymentCount(id))
	// Output: true UPI-TXN-777 1
}

func ExampleClient_GetSummary() {
	srv, id := startFake()
	defer srv.Close()
	client := mustClient(srv)
	ctx := context.Background()
	for _, p := range []clinic.RecordPaymentParams{
		{Amount: polybill.MustDecimal("2000.00"), Mode: clinic.PaymentModeInsurance, Reference: "CLAIM-1"},
		{Amount: polybill.MustDecimal("60.00"), Mode: clinic.PaymentModeCash},
	} {
		if _, err := client.RecordPayment(ctx, id, p); err != nil {
			log.Fatal(err)
		}
	}

	s, err := client.GetSummary(ctx, &clinic.SummaryParams{DateFrom: polybill.NewDate(2026, time.March, 1), DateTo: polybill.NewDate(2026, time.March, 31)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("billed", s.TotalBilled, "collected", s.TotalCollected, "outstanding", s.TotalOutstanding)
	fmt.Println("insurance", s.CollectionByMode[clinic.PaymentModeInsurance], "cash", s.CollectionByMode[clinic.PaymentModeCash])
	fmt.Println("laboratory", s.RevenueByDepartment["Laboratory"])
	// Output:
	// billed 2360.00 collected 2060.00 outstanding 300.00
	// insurance 2000.00 cash 60.00
	// laboratory 1180.00
}

func ExampleClient_GetInvoice_tokenReuse() {
	srv, id := startFake()
	defer srv.Close()
	client := mustClient(srv)
	ctx := context.Background()

	for range 3 {
		if _, err := client.GetInvoice(ctx, id); err != nil {
			log.Fatal(err)
		}
	}
	// One token serves every call of its hour; a revoked token costs one refresh.
	srv.RevokeTokens()
	if _, err := client.GetInvoice(ctx, id); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.TokensIssued())
	// Output: 2
}

func ExampleInvoice_PaymentByReference() {
	srv, id := startFake()
	defer srv.Close()
	client := mustClient(srv)
	ctx := context.Background()
	if _, err := client.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount: polybill.MustDecimal("100.00"), Mode: clinic.PaymentModeNEFT, Reference: "UTR-1",
	}); err != nil {
		log.Fatal(err)
	}

	inv, err := client.GetInvoice(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	p, ok := inv.PaymentByReference("UTR-1")
	fmt.Println(ok, p.Amount, p.Mode)
	_, ok = inv.PaymentByReference("UTR-2")
	fmt.Println(ok)
	// Output:
	// true 100.00 neft
	// false
}

func ExampleInvoiceStatus_IsKnown() {
	fmt.Println(clinic.InvoiceStatusPartiallyPaid.IsKnown(), clinic.InvoiceStatus("on_hold").IsKnown())
	fmt.Println(clinic.PaymentModeUPI.IsKnown(), clinic.PaymentMode("wallet").IsKnown())
	// Output:
	// true false
	// true false
}

func ExampleClient_Authenticate() {
	srv, _ := startFake()
	defer srv.Close()

	good := mustClient(srv)
	fmt.Println(good.Authenticate(context.Background()), srv.TokensIssued())

	bad := mustClient(srv, clinic.WithClientCredentials(clinictest.DefaultClientID, "wrong-secret"))
	err := bad.Authenticate(context.Background())
	fmt.Println(errors.Is(err, polybill.ErrUnauthorized))
	// Output:
	// <nil> 1
	// true
}
