package main

// crmSnippets call the crm client for each operation of openapi/crm.yaml.
//
// The spec writes amounts with two decimals (250.00), but they reach the templates as YAML
// numbers (250); the snippets pad them back to cents with Round(2), which never rounds a
// two-decimal amount.
var crmSnippets = map[string]snippet{
	"getMeetingBilling": {Code: `
	meetingID := env.Meeting({{param "meeting_unique_id"}})

	// The vendor document's form of the route: the meeting's billing.
	exampleenv.Print(exampleenv.Must(env.Client.GetMeetingBilling(ctx, meetingID)))

	// The official SDK's form: a filtered, sorted listing. Pages of {{param "records"}} are
	// fetched as the loop asks for them, and breaking out stops the requests. Set Page to start
	// later than page 1, or use ListMeetingBillingsPage for one page with its totals.
	params := &crm.ListMeetingBillingsParams{
		Records:       {{param "records"}},
		Status:        crm.Status({{param "status"}}),
		BillingStatus: {{param "billing_status"}},
		PayerName:     {{param "payer_name"}},
		Search:        {{param "search"}},
		Sort:          {{param "sort"}},
	}
	n := 0
	for billing, err := range env.Client.ListMeetingBillings(ctx, meetingID, params) {
		exampleenv.Check(err)
		exampleenv.Print(billing)
		if n++; n == 3 {
			break
		}
	}`},

	"createMeetingBilling": {Imports: []string{"github.com/polybill/polybill-go"}, Code: `
	// Creates are not retried once the request may have reached the server (the API has no
	// idempotency key): on a timeout, Error.Ambiguous says to check before trying again.
	billing := exampleenv.Must(env.Client.CreateMeetingBilling(ctx, {{param "meeting_unique_id"}}, crm.CreateBillingParams{
		Amount:      polybill.MustDecimal({{bodyStr "billing.amount"}}).Round(2), // sent as a JSON number with cents
		PayerName:   {{body "billing.payer_name"}},
		PayerEmail:  {{body "billing.payer_email"}},
		BillingType: {{body "billing.billing_type"}},
	}))
	exampleenv.Print(billing)`},

	"getBilling": {Code: `
	id := env.Billing({{param "unique_id"}})
	exampleenv.Print(exampleenv.Must(env.Client.GetBilling(ctx, id)))`},

	"updateBilling": {Imports: []string{"github.com/polybill/polybill-go"}, Code: `
	id := env.Billing({{param "unique_id"}})
	// Only the fields set are sent (PUT with a partial body); nil and "" leave a field as is.
	amount := polybill.MustDecimal({{bodyStr "billing.amount"}}).Round(2) // sent as a JSON number with cents
	billing := exampleenv.Must(env.Client.UpdateBilling(ctx, id, crm.UpdateBillingParams{
		Status: crm.Status({{body "billing.status"}}),
		Amount: &amount,
	}))
	exampleenv.Print(billing)`},

	"deleteBilling": {Imports: []string{"errors", "github.com/polybill/polybill-go"}, Code: `
	id := env.Billing({{param "unique_id"}})
	exampleenv.Check(env.Client.DeleteBilling(ctx, id))

	// Every failure is a *polybill.Error that errors.Is classifies: the billing is gone.
	_, getErr := env.Client.GetBilling(ctx, id)
	if getErr != nil && !errors.Is(getErr, polybill.ErrNotFound) {
		exampleenv.Check(getErr)
	}
	exampleenv.Print(map[string]any{"deleted": id, "not_found_after": errors.Is(getErr, polybill.ErrNotFound)})`},

	"getPaymentSplit": {Code: `
	id := env.PaymentSplit({{param "unique_id"}})
	exampleenv.Print(exampleenv.Must(env.Client.GetPaymentSplit(ctx, id)))`},

	"getOutstandingByPayer": {Code: `
	env.Book()
	for _, row := range exampleenv.Must(env.Client.GetOutstandingByPayer(ctx)) {
		exampleenv.Print(row)
	}`},

	"getEapSessions": {Code: `
	// Both path segments are escaped: the payer's space (or a "/" or "+") stays in one segment.
	email, payer := env.EAPSessions({{param "participant_email"}}, {{param "payer_name"}})
	exampleenv.Print(exampleenv.Must(env.Client.GetEAPSessions(ctx, email, payer)))`},

	"getRevenueReport": {Imports: []string{"time"}, Code: `
	env.Book()
	report := exampleenv.Must(env.Client.GetRevenueReport(ctx, &crm.RevenueReportParams{
		StartDate: exampleenv.Must(time.Parse(time.DateOnly, {{param "start_date"}})),
		EndDate:   exampleenv.Must(time.Parse(time.DateOnly, {{param "end_date"}})),
	}))
	exampleenv.Print(report)`},

	"getAgingReport": {Code: `
	env.Book()
	exampleenv.Print(exampleenv.Must(env.Client.GetAgingReport(ctx)))`},

	"getParticipantReport": {Code: `
	email := env.Participant({{param "participant_email"}})
	exampleenv.Print(exampleenv.Must(env.Client.GetParticipantReport(ctx, email)))`},
}
