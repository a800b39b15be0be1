// Package encounters is a typed client for MyCure / HapiHub billing, a
// Feathers.js REST API: invoices, their items and item payments, medical
// encounters, and — from the vendor guide only — billing customers, payment
// intents and analytics.
//
//	client, err := encounters.New(
//		polybill.WithBaseURL("https://api.mycure.md"), // per deployment; no public default
//		encounters.WithCredentials(email, password),   // or encounters.WithToken(apiKey)
//	)
//	enc, err := client.Encounters.Create(ctx, encounters.CreateEncounterParams{
//		Facility: "fac-1", Patient: "px-1", Invoice: true, // the invoice id is the encounter id
//	})
//	item, err := client.Items.Create(ctx, encounters.CreateItemParams{
//		Invoice: enc.ID, Type: "service", Ref: "svc-1", Price: polybill.MustDecimal("1500"),
//	})
//	_, err = client.Encounters.Finalize(ctx, enc.ID) // finalizes the invoice and its items
//	_, err = client.Payments.Create(ctx, encounters.CreatePaymentParams{
//		Item: item.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("1500"),
//	})
//	for inv, err := range client.Invoices.List(ctx, encounters.NewQuery().Where("facility", "fac-1").Limit(50)) { … }
//
// The package Example is a runnable version against the in-process fake
// (package encounterstest), which tests can use the same way.
//
// # Feathers conventions
//
// Each service has List (every record, pages fetched lazily over $skip),
// Find (one page), Get, Create, Patch and Delete, plus the special patch
// operators as methods (Finalize, Finish, Capture, AddCard, DeleteCard,
// SetDefaultCard). A find answers either a page {total, limit, skip, data} or
// a bare array; both decode. With a bare array there is no total, so another
// page is requested only when the last one filled the $limit asked for.
// Patches never send JSON null: fields to clear go in Unset, sent as Mongo's
// {"$unset": {"field": 1}}.
//
// Queries are built with Query and sent in HapiHub's own encoding (qs
// brackets, indexed arrays, "#"-tagged numbers and booleans, "#[]" for an
// empty array, a bare key for null).
//
// # Types
//
// Timestamps travel as epoch milliseconds and are exposed as time.Time.
// Money travels as JSON numbers and is decoded exactly into polybill.Decimal
// (HapiHub 11 stores numeric(15,6)); no float64 is involved. Records keep the
// raw JSON (Raw) so unknown fields are reachable, unknown enum values decode
// (check IsKnown), and $populate results are in Populated.
//
// # Errors
//
// Every failure is a *polybill.Error. Feathers error JSON
// {name, message, code, className, data, errors} becomes Code (the Feathers
// name: BadRequest, NotFound…), Message, Details (one per entry of errors,
// with its field, plus data) and Param (when exactly one field is at fault).
// errors.Is works with polybill.ErrValidation, ErrNotFound, ErrUnauthorized,
// ErrConflict… Invalid input is refused before sending, with Param naming the
// field.
//
// # Retries and payments
//
// Reads and deletes are retried on connection errors and 408/429/5xx. Creates
// and patches are not replayed once they may have reached the server, with
// one exception: every payment create carries an idemp key (the caller's, or
// a random UUID from crypto/rand) that is fixed before the first attempt, so a
// payment whose answer was lost is re-sent with the same key and HapiHub
// returns the payment it already recorded; reusing a key for a different
// payment is refused with a 409 Conflict (polybill.ErrConflict), as Stripe
// does (ASSUMPTION: HapiHub documents the idemp field as an idempotency key
// but not its dedupe behaviour).
//
// # Authentication
//
// WithToken sends a static bearer token (API key or JWT). WithCredentials
// signs in with POST /authentication {strategy: local} and refreshes with
// {action: refreshAccessToken, refreshToken} shortly before the JWT's exp
// claim passes; HapiHub rotates the refresh token and the newest one is kept;
// concurrent callers share one refresh; a 401 triggers one refresh and one
// replay. NewFromEnv reads HAPIHUB_API_URL (required), and HAPIHUB_TOKEN or
// HAPIHUB_EMAIL + HAPIHUB_PASSWORD.
//
// # Configuration errors
//
// New and NewFromEnv refuse what would make every call fail, with a *polybill.Error matching
// polybill.ErrValidation whose Param names the option ("WithToken") or the variable
// ("HAPIHUB_TOKEN"): missing credentials; a credential that is empty, has surrounding whitespace or
// holds a control character (net/http would refuse the header on every request); a base URL
// with a query or a fragment. NewFromEnv trims surrounding whitespace from every variable it
// reads, so a secret mounted from a file with its trailing newline works as is.
//
// # Vendor assumptions
//
// Where no public source defines a shape, this package chooses a
// Feathers-consistent one; each is marked x-assumption in
// openapi/encounters.yaml:
//
//   - billing/customers (Stripe cards), billing-payment-intents and the
//     analytics totals exist only in the vendor guide. Customer fields beyond
//     owner and cards, payment-intent statuses (pending, approved, captured,
//     cancelled) and receivables are guesses; payment intents were not
//     migrated to HapiHub 11 and may not exist there.
//   - Analytics are modelled as GET /billing-analytics/net-amount-total and
//     /billing-analytics/receivables-total with a payment-intent query,
//     answering {netAmount} and {receivables: {field: amount}}.
//   - PATCH {finalize: true} is accepted on billing-invoices and billing-items
//     as well as medical-encounters (the old SDK typings declare both).
//   - Invoice total is read when the server sends it.
//   - The server's qs settings are unknown: arrays longer than 21 elements
//     are refused by Query (qs arrayLimit 20); null is sent as a bare key.
//   - There is no public default base URL.
package encounters
