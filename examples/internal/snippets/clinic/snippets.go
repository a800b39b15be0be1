// Package snippets is the source of the programs in examples/clinic: one function per
// operation of openapi/clinic.yaml, named after its operationId (getBilling: GetBilling), whose
// body internal/cmd/genexamples copies into examples/clinic/<operation>/main.go with the spec's
// example values in place of the example.… calls (see package example). Edit these, then run
// go generate ./examples.
package snippets

import (
	"context"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/examples/internal/exampleenv"
	"github.com/polybill/polybill-go/examples/internal/snippets/example"
)

func IssueToken(ctx context.Context, env *exampleenv.ClinicEnv) {
	// The client exchanges its client credentials for a token on first use; Authenticate
	// does it now, so bad credentials fail at start-up rather than on the first payment.
	exampleenv.Check(env.Client.Authenticate(ctx))
	exampleenv.Print(map[string]any{"authenticated": true})
}

func ListInvoices(ctx context.Context, env *exampleenv.ClinicEnv) {
	env.PartiallyPaidInvoice(ctx, "INV-2026-00042")
	params := &clinic.ListInvoicesParams{
		PatientID: example.Param[string]("patient_id"),
		Status:    clinic.InvoiceStatus(example.Param[string]("status")),
		DateFrom:  exampleenv.Must(polybill.ParseDate(example.Param[string]("date_from"))),
		DateTo:    exampleenv.Must(polybill.ParseDate(example.Param[string]("date_to"))),
		BranchID:  example.Param[string]("branch_id"),
		PerPage:   example.Param[int]("per_page"),
	}
	for invoice, err := range env.Client.ListInvoices(ctx, params) {
		exampleenv.Check(err)
		exampleenv.Print(invoice)
	}
}

func GetInvoice(ctx context.Context, env *exampleenv.ClinicEnv) {
	id := env.Invoice(example.Param[string]("id"))
	exampleenv.Print(exampleenv.Must(env.Client.GetInvoice(ctx, id)))
}

func RecordPayment(ctx context.Context, env *exampleenv.ClinicEnv) {
	id := env.Invoice(example.Param[string]("id"))
	result := exampleenv.Must(env.Client.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount:      polybill.MustDecimal(example.Money("amount", 2)),
		Mode:        clinic.PaymentMode(example.Body[string]("payment_mode")),
		Reference:   example.Body[string]("reference"),
		PaymentDate: exampleenv.Must(polybill.ParseDate(example.Body[string]("payment_date"))),
	}))
	exampleenv.Print(result)
}

func GetSummary(ctx context.Context, env *exampleenv.ClinicEnv) {
	env.Invoice("INV-2026-00042")
	summary := exampleenv.Must(env.Client.GetSummary(ctx, &clinic.SummaryParams{
		DateFrom: exampleenv.Must(polybill.ParseDate(example.Param[string]("date_from"))),
		DateTo:   exampleenv.Must(polybill.ParseDate(example.Param[string]("date_to"))),
		BranchID: example.Param[string]("branch_id"),
	}))
	exampleenv.Print(summary)
}
