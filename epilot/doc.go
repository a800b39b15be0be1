// Package epilot is a typed Go client for the epilot Billing API: billing events
// (Buchungssätze), contracts, customer balance, pricing information and configuration history.
//
// This program runs as is (it is the package Example, verified by go test): it starts the
// in-process fake from [github.com/polybill/polybill-go/epilot/epilottest], creates a
// contract and an installment, and reads the customer's balance. Against the real API, drop
// the fake and build the client with NewFromEnv (EPILOT_TOKEN, optional EPILOT_API_URL).
//
//	srv := epilottest.New()
//	defer srv.Close()
//	client, err := epilot.New(polybill.WithBaseURL(srv.URL()), epilot.WithToken(srv.Token()))
//	if err != nil {
//		log.Fatal(err)
//	}
//	ctx := context.Background()
//
//	contract, err := client.CreateContract(ctx, epilot.Contract{Name: "Grid Contract", Customer: epilot.Link("cust-1")})
//	if err != nil {
//		log.Fatal(err)
//	}
//	_, err = client.CreateBillingEvent(ctx, &epilot.InstallmentEvent{EventFields: epilot.EventFields{
//		Amount:      epilot.MinorUnits(10050, "EUR"), // the SDK fills billing_amount_decimal "100.50"
//		BookingDate: polybill.NewDate(2025, 6, 1),
//		DueDate:     polybill.NewDate(2025, 6, 15),
//		Contract:    epilot.Link(contract.ID),
//	}})
//	if err != nil {
//		log.Fatal(err)
//	}
//	balance, err := client.GetCustomerBalance(ctx, "cust-1")
//	if err != nil {
//		log.Fatal(err)
//	}
//	amount, err := balance.Amount.Value()
//	if err != nil {
//		log.Fatal(err)
//	}
//	fmt.Println("balance:", amount, balance.Amount.Currency) // balance: 100.50 EUR
//
// Lists are iterators that fetch pages lazily:
//
//	for ev, err := range client.ListBillingEvents(ctx, &epilot.ListBillingEventsParams{ContactID: "cust-1"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(ev.Kind(), ev.Fields().BookingDate)
//	}
//
// # Authentication and configuration errors
//
// WithToken sends a static epilot 360 token; WithTokenSource takes an oauth2.TokenSource,
// asked again after a 401 (the call is then replayed once). New and NewFromEnv refuse what
// would make every call fail, with a *polybill.Error matching polybill.ErrValidation whose
// Param names the option ("WithToken") or the variable ("EPILOT_TOKEN"): no token (the
// production URL is the default, so a client without one would only collect 401s); a token
// that is empty, has surrounding whitespace or holds a control character (net/http would
// refuse the header on every request); a base URL with a query or a fragment. NewFromEnv
// trims surrounding whitespace from every variable it reads, so a token mounted from a file
// with its trailing newline works as is.
//
// # Billing events
//
// The API's BillingEvent is a union of nine kinds without a discriminator. [BillingEvent] is
// an interface implemented by *InstallmentEvent, *PaymentEvent, *ReimbursementEvent,
// *DunningFeeEvent, *InvoiceEvent, *FinalBillEvent, *BonusEvent, *CorrectionEvent and
// *CustomEvent; a type switch gives the typed value. The SDK dispatches on `type` itself: any
// `type` it does not know (e.g. "chargeback", which the vendor names but gives no variant)
// decodes into *CustomEvent with its raw JSON, never into an error. Creating any kind sets
// `type` from the Go type. Properties the SDK does not model are kept in EventFields.Extra
// and sent back unchanged.
//
// # Money
//
// epilot sends every amount twice: integer minor units (billing_amount) and a decimal string
// (billing_amount_decimal), plus an ISO 4217 currency. [Money] keeps both. On create, set
// either form and the SDK fills the other using the currency's exponent (JPY 0, EUR 2, KWD 3);
// a request whose two forms disagree is refused before sending. On read, a disagreement is
// not hidden: Money.Check and Money.Value report it (ErrAmountMismatch). No float is used
// anywhere; decimals are polybill.Decimal.
//
// # Exactly-once creates
//
// The API has no idempotency key. CreateBillingEvent with an ExternalID settles an ambiguous
// failure (connection lost or 5xx after the request left) by asking
// GET /v1/billing/external/{external_id}: an existing event is returned, a 404 lets the
// create be sent again (WithCreateAttempts bounds it). Without an ExternalID, and for
// contracts, a create is repeated only when it provably never left the machine; otherwise
// the error is returned with polybill.Error.Ambiguous set.
//
// # Dates
//
// booking_date, due_date, start_date and termination_date are calendar dates ([Date]);
// paid_date and the _created_at/_updated_at stamps are time.Time. Reading tolerates a
// timestamp where a date is specified (the vendor's own examples send one).
//
// # Where the reference and the real API differ
//
// The vendor reference page documents the legacy 10-operation API; the current spec has 14
// operations. This package follows the current spec (openapi/epilot.yaml) and accepts the
// legacy shapes on input: a DELETE /contracts answer with a body, due_date as a timestamp,
// related_event as a `$relation` object. The events list sends entity_id as a repeated key
// (the spec); WithEntityIDStyle(EntityIDBrackets) sends entity_id[] like the official JS SDK.
//
// Vendor assumptions (not documented by epilot): the server accepts entity_id[] as well as
// entity_id; dates may come back as timestamps; from/size are integers; the four newer
// endpoints answer errors in the same {error, message} shape; the API does not deduplicate
// creates and the external-id lookup sees a committed create (read-after-write); contracts
// link to their customer through a `customer` relation and to a billing account through
// `billing_account`; rate limits and Retry-After are undocumented (the shared transport
// honours Retry-After if sent).
package epilot
