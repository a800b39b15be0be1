package main

// clinicSnippets call the clinic client for each operation of openapi/clinic.yaml.
var clinicSnippets = map[string]snippet{
	"issueToken": {Code: `
	// The client exchanges its client credentials for a token on first use; Authenticate
	// does it now, so bad credentials fail at start-up rather than on the first payment.
	exampleenv.Check(env.Client.Authenticate(ctx))
	exampleenv.Print(map[string]any{"authenticated": true})`},

	"listInvoices": {Code: `
	env.PartiallyPaidInvoice(ctx, "INV-2026-00042")
	params := &clinic.ListInvoicesParams{
		PatientID: {{param "patient_id"}},
		Status:    clinic.InvoiceStatus({{param "status"}}),
		DateFrom:  exampleenv.Must(polybill.ParseDate({{param "date_from"}})),
		DateTo:    exampleenv.Must(polybill.ParseDate({{param "date_to"}})),
		BranchID:  {{param "branch_id"}},
		PerPage:   {{param "per_page"}},
	}
	for invoice, err := range env.Client.ListInvoices(ctx, params) {
		exampleenv.Check(err)
		exampleenv.Print(invoice)
	}`},

	"getInvoice": {Code: `
	id := env.Invoice({{param "id"}})
	exampleenv.Print(exampleenv.Must(env.Client.GetInvoice(ctx, id)))`},

	"recordPayment": {Imports: []string{"github.com/polybill/polybill-go"}, Code: `
	id := env.Invoice({{param "id"}})
	result := exampleenv.Must(env.Client.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount:      polybill.MustDecimal({{money "amount" 2}}),
		Mode:        clinic.PaymentMode({{body "payment_mode"}}),
		Reference:   {{body "reference"}},
		PaymentDate: exampleenv.Must(polybill.ParseDate({{body "payment_date"}})),
	}))
	exampleenv.Print(result)`},

	"getSummary": {Code: `
	env.Invoice("INV-2026-00042")
	summary := exampleenv.Must(env.Client.GetSummary(ctx, &clinic.SummaryParams{
		DateFrom: exampleenv.Must(polybill.ParseDate({{param "date_from"}})),
		DateTo:   exampleenv.Must(polybill.ParseDate({{param "date_to"}})),
		BranchID: {{param "branch_id"}},
	}))
	exampleenv.Print(summary)`},
}
