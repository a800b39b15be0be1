// Package snippets is the source of the programs in examples/crm: one function per
// operation of openapi/crm.yaml, named after its operationId (getBilling: GetBilling), whose
// body internal/cmd/genexamples copies into examples/crm/<operation>/main.go with the spec's
// example values in place of the example.… calls (see package example). Edit these, then run
// go generate ./examples.
//
// The spec writes amounts with two decimals (250.00), but they reach the snippets as YAML
// numbers (250); the snippets pad them back to cents with Round(2), which never rounds a
// two-decimal amount.
package snippets

import (
	"context"
	"errors"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/examples/internal/exampleenv"
	"github.com/polybill/polybill-go/examples/internal/snippets/example"
)

func GetMeetingBilling(ctx context.Context, env *exampleenv.CRMEnv) {
	meetingID := env.Meeting(example.Param[string]("meeting_unique_id"))

	// The vendor document's form of the route: the meeting's billing.
	exampleenv.Print(exampleenv.Must(env.Client.GetMeetingBilling(ctx, meetingID)))

	// The official SDK's form: a filtered, sorted listing. Pages of {{param "records"}} are
	// fetched as the loop asks for them, and breaking out stops the requests. Set Page to start
	// later than page 1, or use ListMeetingBillingsPage for one page with its totals.
	params := &crm.ListMeetingBillingsParams{
		Records:       example.Param[int]("records"),
		Status:        crm.Status(example.Param[string]("status")),
		BillingStatus: example.Param[string]("billing_status"),
		PayerName:     example.Param[string]("payer_name"),
		Search:        example.Param[string]("search"),
		Sort:          example.Param[string]("sort"),
	}
	n := 0
	for billing, err := range env.Client.ListMeetingBillings(ctx, meetingID, params) {
		exampleenv.Check(err)
		exampleenv.Print(billing)
		if n++; n == 3 {
			break
		}
	}
}

func CreateMeetingBilling(ctx context.Context, env *exampleenv.CRMEnv) {
	// Creates are not retried once the request may have reached the server (the API has no
	// idempotency key): on a timeout, Error.Ambiguous says to check before trying again.
	billing := exampleenv.Must(env.Client.CreateMeetingBilling(ctx, example.Param[string]("meeting_unique_id"), crm.CreateBillingParams{
		Amount:      polybill.MustDecimal(example.BodyString("billing.amount")).Round(2), // sent as a JSON number with cents
		PayerName:   example.Body[string]("billing.payer_name"),
		PayerEmail:  example.Body[string]("billing.payer_email"),
		BillingType: example.Body[string]("billing.billing_type"),
	}))
	exampleenv.Print(billing)
}

func GetBilling(ctx context.Context, env *exampleenv.CRMEnv) {
	id := env.Billing(example.Param[string]("unique_id"))
	exampleenv.Print(exampleenv.Must(env.Client.GetBilling(ctx, id)))
}

func UpdateBilling(ctx context.Context, env *exampleenv.CRMEnv) {
	id := env.Billing(example.Param[string]("unique_id"))
	// Only the fields set are sent (PUT with a partial body); nil and "" leave a field as is.
	amount := polybill.MustDecimal(example.BodyString("billing.amount")).Round(2) // sent as a JSON number with cents
	billing := exampleenv.Must(env.Client.UpdateBilling(ctx, id, crm.UpdateBillingParams{
		Status: crm.Status(example.Body[string]("billing.status")),
		Amount: &amount,
	}))
	exampleenv.Print(billing)
}

func DeleteBilling(ctx context.Context, env *exampleenv.CRMEnv) {
	id := env.Billing(example.Param[string]("unique_id"))
	exampleenv.Check(env.Client.DeleteBilling(ctx, id))

	// Every failure is a *polybill.Error that errors.Is classifies: the billing is gone.
	_, getErr := env.Client.GetBilling(ctx, id)
	if getErr != nil && !errors.Is(getErr, polybill.ErrNotFound) {
		exampleenv.Check(getErr)
	}
	exampleenv.Print(map[string]any{"deleted": id, "not_found_after": errors.Is(getErr, polybill.ErrNotFound)})
}

func GetPaymentSplit(ctx context.Context, env *exampleenv.CRMEnv) {
	id := env.PaymentSplit(example.Param[string]("unique_id"))
	exampleenv.Print(exampleenv.Must(env.Client.GetPaymentSplit(ctx, id)))
}

func GetOutstandingByPayer(ctx context.Context, env *exampleenv.CRMEnv) {
	env.Book()
	for _, row := range exampleenv.Must(env.Client.GetOutstandingByPayer(ctx)) {
		exampleenv.Print(row)
	}
}

func GetEapSessions(ctx context.Context, env *exampleenv.CRMEnv) {
	// Both path segments are escaped: the payer's space (or a "/" or "+") stays in one segment.
	email, payer := env.EAPSessions(example.Param[string]("participant_email"), example.Param[string]("payer_name"))
	exampleenv.Print(exampleenv.Must(env.Client.GetEAPSessions(ctx, email, payer)))
}

func GetRevenueReport(ctx context.Context, env *exampleenv.CRMEnv) {
	env.Book()
	report := exampleenv.Must(env.Client.GetRevenueReport(ctx, &crm.RevenueReportParams{
		StartDate: exampleenv.Must(time.Parse(time.DateOnly, example.Param[string]("start_date"))),
		EndDate:   exampleenv.Must(time.Parse(time.DateOnly, example.Param[string]("end_date"))),
	}))
	exampleenv.Print(report)
}

func GetAgingReport(ctx context.Context, env *exampleenv.CRMEnv) {
	env.Book()
	exampleenv.Print(exampleenv.Must(env.Client.GetAgingReport(ctx)))
}

func GetParticipantReport(ctx context.Context, env *exampleenv.CRMEnv) {
	email := env.Participant(example.Param[string]("participant_email"))
	exampleenv.Print(exampleenv.Must(env.Client.GetParticipantReport(ctx, email)))
}
