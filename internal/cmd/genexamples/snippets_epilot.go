package main

// epilotSnippets call the epilot client for each operation of openapi/epilot.yaml.
//
// Two spec examples need help: entity_id is an array, which param renders as a JSON string
// (exampleenv.EpilotIDs decodes it), and history_change_types is a comma-separated string
// where the SDK takes a slice (exampleenv.EpilotChangeTypes). The billing account operations
// share the EntityIdPath parameter, whose example is a contract id; they use the billing
// account id of the spec's response example instead, and the billing event operations the
// event id of theirs.
var epilotSnippets = map[string]snippet{
	"getBillingEvents": {Imports: []string{"time"}, Code: `
	// Contracts of the example filter; on the fake each is seeded with its installments.
	entityIDs := exampleenv.EpilotIDs({{param "entity_id"}})
	for i, id := range entityIDs {
		entityIDs[i] = env.Contract(id)
	}
	params := &epilot.ListBillingEventsParams{
		From:       {{param "from"}},
		Size:       {{param "size"}},
		EntityIDs:  entityIDs,
		ContactID:  env.Customer({{param "contact_id"}}),
		EventType:  epilot.EventKind({{param "event_type"}}),
		DateAfter:  exampleenv.Must(time.Parse(time.RFC3339, {{param "date_after"}})),
		DateBefore: exampleenv.Must(time.Parse(time.RFC3339, {{param "date_before"}})),
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
	}`},

	"createBillingEvent": {Imports: []string{"time"}, Code: `
	contractID := env.Contract({{bodyStr "contract.$relation.0.entity_id"}})
	// The Go type sets "type": {{body "type"}}. The amount is given in minor units; the SDK
	// fills billing_amount_decimal ({{body "billing_amount_decimal"}}). With an external id, a
	// create that fails ambiguously is settled by looking the id up instead of sending twice.
	event := exampleenv.Must(env.Client.CreateBillingEvent(ctx, &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount:      epilot.MinorUnits({{body "billing_amount"}}, {{body "billing_currency"}}),
		BookingDate: exampleenv.Must(polybill.ParseDate({{body "booking_date"}})),
		PaidDate:    exampleenv.Must(time.Parse(time.RFC3339, {{body "paid_date"}})),
		ExternalID:  {{body "external_id"}},
		Contract:    epilot.Link(contractID),
	}}))
	exampleenv.Print(event)`},

	"getBillingEvent": {Code: `
	// The installment of the spec's response examples (the shared path parameter's example is
	// a contract id).
	id := env.Event({{param "id"}})
	// The event is one of the kinds' Go types (an InstallmentEvent here); a type switch gives
	// the typed value, and a kind the SDK does not know arrives as a CustomEvent.
	exampleenv.Print(exampleenv.Must(env.Client.GetBillingEvent(ctx, id)))`},

	"updateBillingEvent": {Imports: []string{"time"}, Code: `
	// The installment of the spec's response examples (the shared path parameter's example is
	// a contract id).
	id := env.Event({{param "id"}})
	event := exampleenv.Must(env.Client.UpdateBillingEvent(ctx, id, epilot.BillingEventUpdate{
		Status:   epilot.EventStatus({{body "status"}}),
		PaidDate: exampleenv.Must(time.Parse(time.RFC3339, {{body "paid_date"}})),
	}))
	exampleenv.Print(event)`},

	"deleteBillingEvent": {Code: `
	// The installment of the spec's response examples (the shared path parameter's example is
	// a contract id).
	id := env.Event({{param "id"}})
	exampleenv.Check(env.Client.DeleteBillingEvent(ctx, id))
	exampleenv.Print(map[string]any{"deleted": id})`},

	"getBillingEventByExternalId": {Code: `
	externalID := env.ExternalEvent({{param "external_id"}})
	exampleenv.Print(exampleenv.Must(env.Client.GetBillingEventByExternalID(ctx, externalID)))`},

	"createContractEntity": {Code: `
	contract := exampleenv.Must(env.Client.CreateContract(ctx, epilot.Contract{
		Name:              {{body "contract_name"}},
		Number:            {{bodyStr "contract_number"}},
		Status:            epilot.ContractStatus({{body "status"}}),
		Branch:            epilot.Branch({{body "branch"}}),
		BillingPeriod:     epilot.BillingPeriod({{body "billing_period"}}),
		BillingDueDay:     epilot.Ptr({{body "billing_due_day"}}),
		InstallmentAmount: epilot.Ptr[int64]({{body "installment_amount"}}), // minor units of BalanceCurrency
		BalanceCurrency:   {{body "balance_currency"}},
		StartDate:         exampleenv.Must(polybill.ParseDate({{body "start_date"}})),
		Customer:          epilot.Link({{bodyStr "customer.$relation.0.entity_id"}}),
	}))
	exampleenv.Print(contract)`},

	"updateContractEntity": {Code: `
	id := env.Contract({{param "id"}})
	// Only the fields set are sent; changing the installment amount is recorded in the
	// contract's configuration history.
	contract := exampleenv.Must(env.Client.UpdateContract(ctx, id, epilot.Contract{
		InstallmentAmount: epilot.Ptr[int64]({{body "installment_amount"}}),
	}))
	exampleenv.Print(contract)`},

	"deleteContractEntity": {Code: `
	id := env.Contract({{param "id"}})
	exampleenv.Check(env.Client.DeleteContract(ctx, id))
	exampleenv.Print(map[string]any{"deleted": id})`},

	"getContractPricingInformation": {Code: `
	id := env.Contract({{param "id"}})
	includeHistory := {{param "include_history"}}
	info := exampleenv.Must(env.Client.GetContractPricingInformation(ctx, id, &epilot.PricingInformationParams{
		HistoryChangeTypes: exampleenv.EpilotChangeTypes({{param "history_change_types"}}),
		ExcludeHistory:     !includeHistory,
	}))
	exampleenv.Print(info)`},

	"getBillingAccountPricingInformation": {Code: `
	// The billing account of the spec's response example (the path parameter's example is a
	// contract id).
	id := env.BillingAccount({{param "id"}})
	includeHistory := {{param "include_history"}}
	info := exampleenv.Must(env.Client.GetBillingAccountPricingInformation(ctx, id, &epilot.PricingInformationParams{
		HistoryChangeTypes: exampleenv.EpilotChangeTypes({{param "history_change_types"}}),
		ExcludeHistory:     !includeHistory,
	}))
	exampleenv.Print(info)`},

	"getContractConfigurationHistory": {Code: `
	id := env.ContractHistory({{param "id"}})
	params := &epilot.ConfigurationHistoryParams{
		ChangeType:         epilot.ChangeType({{param "change_type"}}),
		HistoryChangeTypes: exampleenv.EpilotChangeTypes({{param "history_change_types"}}),
		From:               {{param "from"}},
		Size:               {{param "size"}},
	}
	// Newest first; the iterator starts at offset From and pages lazily.
	n := 0
	for row, err := range env.Client.ListContractConfigurationHistory(ctx, id, params) {
		exampleenv.Check(err)
		exampleenv.Print(row)
		if n++; n == 3 {
			break
		}
	}`},

	"getBillingAccountConfigurationHistory": {Code: `
	// The billing account of the spec's pricing information example (the path parameter's
	// example is a contract id).
	id := env.AccountHistory({{param "id"}})
	params := &epilot.ConfigurationHistoryParams{
		ChangeType:         epilot.ChangeType({{param "change_type"}}),
		HistoryChangeTypes: exampleenv.EpilotChangeTypes({{param "history_change_types"}}),
		From:               {{param "from"}},
		Size:               {{param "size"}},
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
	}`},

	"getCustomerBalance": {Code: `
	id := env.Customer({{param "id"}})
	balance := exampleenv.Must(env.Client.GetCustomerBalance(ctx, id))
	// Value is the exact decimal; it fails if the minor units and the decimal disagree.
	amount := exampleenv.Must(balance.Amount.Value())
	exampleenv.Print(map[string]any{
		"customer": id,
		"balance":  amount,
		"currency": balance.Amount.Currency,
		"owes":     amount.Sign() > 0, // positive: the customer owes; negative: a credit
	})`},
}
