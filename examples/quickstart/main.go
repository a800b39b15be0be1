// Command quickstart walks a realistic flow through each of the four billing APIs.
//
// It starts the four in-process fakes and runs against them, so it works on a fresh machine
// with no credentials:
//
//	go run ./examples/quickstart
//
// The vendors' environment variables alone change nothing (the program says so when it sees
// them): the walks create billings and record an irreversible payment, so the real services
// are used only when asked for with -live, for every API or for some of them, with that
// vendor's variables set:
//
//	go run ./examples/quickstart -live=crm     # BLOCKS_AUTH_TOKEN, BLOCKS_API_KEY (BLOCKS_API_URL)
//
// The first lines say where each API points. Any error ends the program with a non-zero exit.
package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/examples/internal/exampleenv"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	// Connect all four first: each prints where it points before anything is written.
	crmEnv, err := exampleenv.CRM(ctx)
	exitOn(err)
	defer crmEnv.Close()
	epilotEnv, err := exampleenv.Epilot(ctx)
	exitOn(err)
	defer epilotEnv.Close()
	encountersEnv, err := exampleenv.Encounters(ctx)
	exitOn(err)
	defer encountersEnv.Close()
	clinicEnv, err := exampleenv.Clinic(ctx)
	exitOn(err)
	defer clinicEnv.Close()
	for _, walk := range []struct {
		title string
		run   func() error
	}{
		{"crm — 23blocks CRM billings: bill a meeting, mark it paid, outstanding and aging", func() error { return crmWalk(ctx, crmEnv) }},
		{"epilot — installments for a contract, paged, and the customer's balance", func() error { return epilotWalk(ctx, epilotEnv) }},
		{"encounters — HapiHub: invoice → items → finalize → split payment", func() error { return encountersWalk(ctx, encountersEnv) }},
		{"clinic — Bio Ecko: invoices, a partial payment, the financial summary", func() error { return clinicWalk(ctx, clinicEnv) }},
	} {
		fmt.Printf("\n== %s\n\n", walk.title)
		exitOn(walk.run())
	}
	fmt.Printf("\nAll four walks done in %s.\n", time.Since(start).Round(time.Millisecond))
	fmt.Print(`
Where to go next:
  - One program per API operation, on the same fakes: ls examples/crm examples/epilot
    examples/encounters examples/clinic, then e.g. go run ./examples/crm/get-billing
  - Against a real API (with its vendor variables): go run ./examples/crm/get-billing -live
  - The package docs: go doc github.com/polybill/polybill-go/crm (and epilot, encounters,
    clinic), or https://pkg.go.dev/github.com/polybill/polybill-go
  - Testing your own code with the fakes: crm/crmtest, epilot/epilottest,
    encounters/encounterstest, clinic/clinictest (go doc github.com/polybill/polybill-go/crm/crmtest)
`)
}

// exitOn ends the program when err is not nil.
func exitOn(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "quickstart: %v\n", err)
		os.Exit(1)
	}
}

func table(header ...string) *tabwriter.Writer {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(header, "\t"))
	return w
}

func row(w *tabwriter.Writer, cells ...any) {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = fmt.Sprint(c)
	}
	fmt.Fprintln(w, strings.Join(parts, "\t"))
}

// amount prints an optional decimal.
func amount(d *polybill.Decimal) string {
	if d == nil {
		return "—"
	}
	return d.String()
}

func crmWalk(ctx context.Context, env *exampleenv.CRMEnv) error {
	c := env.Client

	meeting := "mtg-2026-11-22-therapy"
	var created []*crm.Billing
	for _, b := range []struct{ payer, email, amount string }{
		{"Acme Corp", "billing@acme.example", "250.00"},
		{"Acme Corp", "billing@acme.example", "180.00"},
		{"Globex Health", "ap@globex.example", "95.50"},
	} {
		billing, err := c.CreateMeetingBilling(ctx, meeting, crm.CreateBillingParams{
			Amount: polybill.MustDecimal(b.amount), PayerName: b.payer, PayerEmail: b.email, Currency: "USD",
		})
		if err != nil {
			return fmt.Errorf("create billing: %w", err)
		}
		created = append(created, billing)
	}
	paid, err := c.UpdateBilling(ctx, created[0].UniqueID, crm.UpdateBillingParams{Status: crm.StatusPaid})
	if err != nil {
		return fmt.Errorf("mark paid: %w", err)
	}

	w := table("BILLING", "PAYER", "AMOUNT", "STATUS")
	for b, err := range c.ListMeetingBillings(ctx, meeting, nil) {
		if err != nil {
			return fmt.Errorf("list billings: %w", err)
		}
		row(w, b.UniqueID, b.PayerName, amount(b.Amount), b.Status)
	}
	w.Flush()
	fmt.Printf("\nmarked %s paid at %s\n\n", paid.UniqueID, paid.PaidAt.Format(time.RFC3339))

	outstanding, err := c.GetOutstandingByPayer(ctx)
	if err != nil {
		return fmt.Errorf("outstanding: %w", err)
	}
	w = table("PAYER", "OUTSTANDING", "BILLINGS")
	for _, o := range outstanding {
		count := "—"
		if o.BillingCount != nil {
			count = fmt.Sprint(*o.BillingCount)
		}
		row(w, o.PayerName, amount(o.TotalOutstanding), count)
	}
	w.Flush()

	aging, err := c.GetAgingReport(ctx)
	if err != nil {
		return fmt.Errorf("aging: %w", err)
	}
	fmt.Println()
	w = table("CURRENT", "1-30", "31-60", "61-90", "OVER 90", "TOTAL")
	row(w, amount(aging.Current), amount(aging.Days30), amount(aging.Days60), amount(aging.Days90), amount(aging.DaysOver90), amount(aging.TotalOutstanding))
	return w.Flush()
}

func epilotWalk(ctx context.Context, env *exampleenv.EpilotEnv) error {
	c := env.Client

	customer := "contact-4711"
	contract, err := c.CreateContract(ctx, epilot.Contract{
		Name: "Ökostrom Plus", Number: "CT-2026-0042", Status: epilot.ContractStatus("active"),
		Customer: epilot.Link(customer),
	})
	if err != nil {
		return fmt.Errorf("create contract: %w", err)
	}
	// Twelve monthly installments of 89.90 EUR, each with an external id so a create that
	// fails ambiguously is reconciled instead of duplicated.
	for month := time.January; month <= time.December; month++ {
		_, err := c.CreateBillingEvent(ctx, &epilot.InstallmentEvent{EventFields: epilot.EventFields{
			Amount:      epilot.DecimalAmount(polybill.MustDecimal("89.90"), "EUR"),
			BookingDate: polybill.NewDate(2026, month, 1),
			DueDate:     polybill.NewDate(2026, month, 15),
			Contract:    epilot.Link(contract.ID),
			ExternalID:  fmt.Sprintf("SAP-%s-2026-%02d", contract.Number, int(month)),
		}})
		if err != nil {
			return fmt.Errorf("create installment: %w", err)
		}
	}
	// A payment the customer made, in integer cents: the SDK fills in the decimal form.
	if _, err := c.CreateBillingEvent(ctx, &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount: epilot.MinorUnits(17980, "EUR"), BookingDate: polybill.NewDate(2026, time.February, 20),
		Contract: epilot.Link(contract.ID), ExternalID: "BANK-2026-02-20-001",
	}}); err != nil {
		return fmt.Errorf("create payment: %w", err)
	}

	// Pages of 5, fetched one at a time with the page method (ListBillingEvents is the same
	// as a lazy iterator over every event).
	params := &epilot.ListBillingEventsParams{Size: 5, EntityIDs: []string{contract.ID}}
	pages, n := 0, 0
	w := table("#", "KIND", "BOOKED", "DUE", "AMOUNT", "EXTERNAL ID")
	for {
		page, err := c.ListBillingEventsPage(ctx, params)
		if err != nil {
			return fmt.Errorf("list events: %w", err)
		}
		pages++
		for _, ev := range page.Items {
			n++
			f := ev.Fields()
			value, err := f.Amount.Value()
			if err != nil {
				return err
			}
			row(w, n, ev.Kind(), f.BookingDate, f.DueDate, value.String()+" "+string(f.Amount.Currency), f.ExternalID)
		}
		if !page.HasMore {
			break
		}
		params.From = page.Next
	}
	w.Flush()
	fmt.Printf("\n%d events in %d pages\n", n, pages)

	balance, err := c.GetCustomerBalance(ctx, customer)
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	value, err := balance.Amount.Value()
	if err != nil {
		return err
	}
	fmt.Printf("balance of %s: %s %s (positive: the customer owes)\n", customer, value, balance.Amount.Currency)
	return nil
}

func encountersWalk(ctx context.Context, env *exampleenv.EncountersEnv) error {
	c := env.Client

	enc, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{
		Facility: "fac-st-mungos", Patient: "px-0007", Type: encounters.EncounterOutpatient, Invoice: true,
	})
	if err != nil {
		return fmt.Errorf("create encounter: %w", err)
	}
	lines := []struct{ ref, name, price string }{
		{"svc-consult", "Consultation", "1500.00"},
		{"svc-cbc", "Complete blood count", "650.00"},
	}
	var items []*encounters.Item
	for _, l := range lines {
		item, err := c.Items.Create(ctx, encounters.CreateItemParams{
			Invoice: enc.ID, Type: "service", Ref: l.ref, Name: l.name, Price: polybill.MustDecimal(l.price),
		})
		if err != nil {
			return fmt.Errorf("add item: %w", err)
		}
		items = append(items, item)
	}
	if _, err := c.Encounters.Finalize(ctx, enc.ID); err != nil {
		return fmt.Errorf("finalize: %w", err)
	}
	// The consultation is split between cash and card; the lab test is paid by card. Every
	// payment carries an idemp key, so retrying one can never charge twice.
	payments := []struct {
		item          *encounters.Item
		method, value string
	}{
		{items[0], "CASH", "1000.00"},
		{items[0], "CARD", "500.00"},
		{items[1], "CARD", "650.00"},
	}
	w := table("ITEM", "METHOD", "AMOUNT", "PAYMENT")
	for _, p := range payments {
		pay, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{
			Item: p.item.ID, Type: encounters.PaymentPrivate, PaymentMethod: p.method, Amount: polybill.MustDecimal(p.value),
		})
		if err != nil {
			return fmt.Errorf("pay: %w", err)
		}
		row(w, p.item.Name, p.method, pay.Amount, pay.ID)
	}
	w.Flush()
	inv, err := c.Invoices.Get(ctx, enc.ID, nil)
	if err != nil {
		return fmt.Errorf("get invoice: %w", err)
	}
	fmt.Printf("\ninvoice %s: finalized %v, paid %s, balance %s, status %s\n", inv.ID, inv.Finalized(), inv.Paid, inv.Balance, inv.Status)
	return nil
}

func clinicWalk(ctx context.Context, env *exampleenv.ClinicEnv) error {
	c := env.Client
	id := env.Invoice("INV-2026-00042")

	w := table("INVOICE", "PATIENT", "DATE", "TOTAL", "PAID", "BALANCE", "STATUS")
	for inv, err := range c.ListInvoices(ctx, &clinic.ListInvoicesParams{PerPage: 10}) {
		if err != nil {
			return fmt.Errorf("list invoices: %w", err)
		}
		row(w, inv.InvoiceNumber, inv.PatientName, inv.Date, inv.Total, inv.Paid, inv.Balance, inv.Status)
	}
	w.Flush()

	invoice, err := c.GetInvoice(ctx, id)
	if err != nil {
		return fmt.Errorf("get invoice: %w", err)
	}
	// Half the balance now by UPI. The known balance lets the SDK refuse an overpayment
	// before sending, and the reference lets it reconcile if the network fails mid-call.
	half, err := invoice.Balance.Mul(polybill.MustDecimal("0.5"))
	if err != nil {
		return err
	}
	res, err := c.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount: half.Round(2), Mode: clinic.PaymentModeUPI, Reference: "UPI-TXN-123456",
		PaymentDate: polybill.DateOf(time.Now()), KnownBalance: &invoice.Balance,
	})
	if err != nil {
		return fmt.Errorf("record payment: %w", err)
	}
	after, err := c.GetInvoice(ctx, id)
	if err != nil {
		return err
	}
	fmt.Printf("\npaid %s by %s (%s): balance %s → %s, status %s\n\n", res.Payment.Amount, res.Payment.Mode, res.Payment.Reference, invoice.Balance, after.Balance, after.Status)

	summary, err := c.GetSummary(ctx, nil)
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	w = table("BILLED", "COLLECTED", "OUTSTANDING")
	row(w, summary.TotalBilled, summary.TotalCollected, summary.TotalOutstanding)
	w.Flush()
	fmt.Println()
	w = table("MODE", "COLLECTED")
	for _, mode := range slices.Sorted(maps.Keys(summary.CollectionByMode)) {
		row(w, mode, summary.CollectionByMode[mode])
	}
	return w.Flush()
}
