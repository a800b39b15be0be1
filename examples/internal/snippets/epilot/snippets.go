// Package snippets is the source of the programs in examples/epilot: one function per
// operation of openapi/epilot.yaml, named after its operationId (getBilling: GetBilling), whose
// body internal/cmd/genexamples copies into examples/epilot/<operation>/main.go with the spec's
// example values in place of the example.… calls (see package example). Edit these, then run
// go generate ./examples.
//
// Two spec examples need help: entity_id is an array, which example.Param renders as a JSON string
// (exampleenv.EpilotIDs decodes it), and history_change_types is a comma-separated string
// where the SDK takes a slice (exampleenv.EpilotChangeTypes). The billing account operations
// share the EntityIdPath parameter, whose example is a contract id; they use the billing
// account id of the spec's response example instead, and the billing event operations the
// event id of theirs.
package snippets

import (
	"context"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/examples/internal/exampleenv"
	"github.com/polybill/polybill-go/examples/internal/snippets/example"
)

func GetBillingEvents(ctx context.Context, env *exampleenv.EpilotEnv) {
	// Contracts of the example filter; on the fake each is seeded with its installments.
	entityIDs := exampleenv.EpilotIDs(example.Param[string]("entity_id"))
	for i, id := range entityIDs {
		entityIDs[i] = env.Contract(id)
	}
	params := &epilot.ListBillingEventsParams{
		From:       example.Param[int]("from"),
		Size:       example.Param[int]("size"),
		EntityIDs:  entityIDs,
		ContactID:  env.Customer(example.Param[string]("contact_id")),
		EventType:  epilot.EventKind(example.Param[string]("event_type")),
		DateAfter:  exampleenv.Must(time.Parse(time.RFC3339, example.Param[string]("date_after"))),
		DateBefore: exampleenv.Must(time.Parse(time.RFC3339, example.Param[string]("date_before"))),
	}
	// The iterator starts at offset From and fetches the next page of Size events only when
	// the loop gets there; breaking out stops it. ListBillingEventsPage fetches the one page
	// at From instead; set From to its Next to continue.
	n := 0
	for event, err := range env.Client.ListBillingEvents(ctx, params) {
		exampleenv.Check(err)
		exampleenv.Print(event)
		if n++; n == 3 {
			break
		}
	}
}

func CreateBillingEvent(ctx context.Context, env *exampleenv.EpilotEnv) {
	contractID := env.Contract(example.BodyString("contract.$relation.0.entity_id"))
	// The Go type sets "type": {{body "type"}}. The amount is given in minor units; the SDK
	// fills billing_amount_decimal ({{body "billing_amount_decimal"}}). With an external id, a
	// create that fails ambiguously is settled by looking the id up instead of sending twice.
	event := exampleenv.Must(env.Client.CreateBillingEvent(ctx, &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount:      epilot.MinorUnits(example.Body[int64]("billing_amount"), example.Body[polybill.Currency]("billing_currency")),
		BookingDate: exampleenv.Must(polybill.ParseDate(example.Body[string]("booking_date"))),
		PaidDate:    exampleenv.Must(time.Parse(time.RFC3339, example.Body[string]("paid_date"))),
		ExternalID:  example.Body[string]("external_id"),
		Contract:    epilot.Link(contractID),
	}}))
	exampleenv.Print(event)
}

func GetBillingEvent(ctx context.Context, env *exampleenv.EpilotEnv) {
	// The installment of the spec's response examples (the shared path parameter's example is
	// a contract id).
	id := env.Event(example.Param[string]("id"))
	// The event is one of the kinds' Go types (an InstallmentEvent here); a type switch gives
	// the typed value, and a kind the SDK does not know arrives as a CustomEvent.
	exampleenv.Print(exampleenv.Must(env.Client.GetBillingEvent(ctx, id)))
}

func UpdateBillingEvent(ctx context.Context, env *exampleenv.EpilotEnv) {
	// The installment of the spec's response examples (the shared path parameter's example is
	// a contract id).
	id := env.Event(example.Param[string]("id"))
	event := exampleenv.Must(env.Client.UpdateBillingEvent(ctx, id, epilot.BillingEventUpdate{
		Status:   epilot.EventStatus(example.Body[string]("status")),
		PaidDate: exampleenv.Must(time.Parse(time.RFC3339, example.Body[string]("paid_date"))),
	}))
	exampleenv.Print(event)
}

func DeleteBillingEvent(ctx context.Context, env *exampleenv.EpilotEnv) {
	// The installment of the spec's response examples (the shared path parameter's example is
	// a contract id).
	id := env.Event(example.Param[string]("id"))
	exampleenv.Check(env.Client.DeleteBillingEvent(ctx, id))
	exampleenv.Print(map[string]any{"deleted": id})
}

func GetBillingEventByExternalId(ctx context.Context, env *exampleenv.EpilotEnv) {
	externalID := env.ExternalEvent(example.Param[string]("external_id"))
	exampleenv.Print(exampleenv.Must(env.Client.GetBillingEventByExternalID(ctx, externalID)))
}

func CreateContractEntity(ctx context.Context, env *exampleenv.EpilotEnv) {
	contract := exampleenv.Must(env.Client.CreateContract(ctx, epilot.Contract{
		Name:              example.Body[string]("contract_name"),
		Number:            example.BodyString("contract_number"),
		Status:            epilot.ContractStatus(example.Body[string]("status")),
		Branch:            epilot.Branch(example.Body[string]("branch")),
		BillingPeriod:     epilot.BillingPeriod(example.Body[string]("billing_period")),
		BillingDueDay:     epilot.Ptr(example.Body[int]("billing_due_day")),
		InstallmentAmount: epilot.Ptr[int64](example.Body[int64]("installment_amount")), // minor units of BalanceCurrency
		BalanceCurrency:   example.Body[polybill.Currency]("balance_currency"),
		StartDate:         exampleenv.Must(polybill.ParseDate(example.Body[string]("start_date"))),
		Customer:          epilot.Link(example.BodyString("customer.$relation.0.entity_id")),
	}))
	exampleenv.Print(contract)
}

func UpdateContractEntity(ctx context.Context, env *exampleenv.EpilotEnv) {
	id := env.Contract(example.Param[string]("id"))
	// Only the fields set are sent; changing the installment amount is recorded in the
	// contract's configuration history.
	contract := exampleenv.Must(env.Client.UpdateContract(ctx, id, epilot.Contract{
		InstallmentAmount: epilot.Ptr[int64](example.Body[int64]("installment_amount")),
	}))
	exampleenv.Print(contract)
}

func DeleteContractEntity(ctx context.Context, env *exampleenv.EpilotEnv) {
	id := env.Contract(example.Param[string]("id"))
	exampleenv.Check(env.Client.DeleteContract(ctx, id))
	exampleenv.Print(map[string]any{"deleted": id})
}

func GetContractPricingInformation(ctx context.Context, env *exampleenv.EpilotEnv) {
	id := env.Contract(example.Param[string]("id"))
	includeHistory := example.Param[bool]("include_history")
	info := exampleenv.Must(env.Client.GetContractPricingInformation(ctx, id, &epilot.PricingInformationParams{
		HistoryChangeTypes: exampleenv.EpilotChangeTypes(example.Param[string]("history_change_types")),
		ExcludeHistory:     !includeHistory,
	}))
	exampleenv.Print(info)
}

func GetBillingAccountPricingInformation(ctx context.Context, env *exampleenv.EpilotEnv) {
	// The billing account of the spec's response example (the path parameter's example is a
	// contract id).
	id := env.BillingAccount(example.Param[string]("id"))
	includeHistory := example.Param[bool]("include_history")
	info := exampleenv.Must(env.Client.GetBillingAccountPricingInformation(ctx, id, &epilot.PricingInformationParams{
		HistoryChangeTypes: exampleenv.EpilotChangeTypes(example.Param[string]("history_change_types")),
		ExcludeHistory:     !includeHistory,
	}))
	exampleenv.Print(info)
}

func GetContractConfigurationHistory(ctx context.Context, env *exampleenv.EpilotEnv) {
	id := env.ContractHistory(example.Param[string]("id"))
	params := &epilot.ConfigurationHistoryParams{
		ChangeType:         epilot.ChangeType(example.Param[string]("change_type")),
		HistoryChangeTypes: exampleenv.EpilotChangeTypes(example.Param[string]("history_change_types")),
		From:               example.Param[int]("from"),
		Size:               example.Param[int]("size"),
	}
	// Newest first; the iterator starts at offset From and pages lazily.
	n := 0
	for row, err := range env.Client.ListContractConfigurationHistory(ctx, id, params) {
		exampleenv.Check(err)
		exampleenv.Print(row)
		if n++; n == 3 {
			break
		}
	}
}

func GetBillingAccountConfigurationHistory(ctx context.Context, env *exampleenv.EpilotEnv) {
	// The billing account of the spec's pricing information example (the path parameter's
	// example is a contract id).
	id := env.AccountHistory(example.Param[string]("id"))
	params := &epilot.ConfigurationHistoryParams{
		ChangeType:         epilot.ChangeType(example.Param[string]("change_type")),
		HistoryChangeTypes: exampleenv.EpilotChangeTypes(example.Param[string]("history_change_types")),
		From:               example.Param[int]("from"),
		Size:               example.Param[int]("size"),
	}
	// Rows of every contract of the account, newest first; the iterator starts at offset
	// From and pages lazily.
	n := 0
	for row, err := range env.Client.ListBillingAccountConfigurationHistory(ctx, id, params) {
		exampleenv.Check(err)
		exampleenv.Print(row)
		if n++; n == 3 {
			break
		}
	}
}

func GetCustomerBalance(ctx context.Context, env *exampleenv.EpilotEnv) {
	id := env.Customer(example.Param[string]("id"))
	balance := exampleenv.Must(env.Client.GetCustomerBalance(ctx, id))
	// Value is the exact decimal; it fails if the minor units and the decimal disagree.
	amount := exampleenv.Must(balance.Amount.Value())
	exampleenv.Print(map[string]any{
		"customer": id,
		"balance":  amount,
		"currency": balance.Amount.Currency,
		"owes":     amount.Sign() > 0, // positive: the customer owes; negative: a credit
	})
}
