// Package polybill is the shared surface of a typed Go client SDK for four billing APIs:
// crm (23blocks CRM billings), epilot (the epilot Billing API), encounters (MyCure /
// HapiHub) and clinic (Bio Ecko HMS). Each API has its own package with a client and an
// in-process fake of the API for tests; this package holds what they have in common.
//
//	fake := crmtest.New() // an in-process 23blocks CRM; against the real one: crm.NewFromEnv()
//	defer fake.Close()
//	client, err := crm.New(fake.ClientOptions()...)
//	if err != nil {
//		return err // configuration errors fail here, not on the first call
//	}
//	billing, err := client.CreateMeetingBilling(ctx, "meeting-1", crm.CreateBillingParams{
//		Amount: polybill.MustDecimal("250.00"), PayerName: "Acme Corp",
//		PayerEmail: "billing@acme.example", Currency: "USD",
//	})
//	for b, err := range client.ListMeetingBillings(ctx, "meeting-1", nil) { … }
//	if errors.Is(err, polybill.ErrNotFound) { … }
//
// (The package's Example runs exactly this against the fake.)
//
// # Overview
//
// Every client is built the same way: New(options...) or NewFromEnv(options...), which reads
// the vendor's own environment variables. Options shared by the four APIs live here (base
// URL, retries, timeouts, logger, HTTP client, middleware, see Option); per-request options
// are RequestOption values.
//
// Every call takes a context first and typed parameters, and returns typed results. Lists
// are iter.Seq2 iterators that fetch pages lazily (break stops all I/O), with a Page method
// for callers who page themselves.
//
// Every failure is a *Error: the HTTP status, the API's code and message, its details, the
// request id, whether a retry is safe (Retryable) and whether a write may have happened
// (Ambiguous). errors.Is matches ErrNotFound, ErrUnauthorized, ErrForbidden, ErrValidation,
// ErrConflict, ErrRateLimited and ErrServer for all four APIs. Error text never contains a
// secret.
//
// Reads are retried on connection errors, 408, 429 and 5xx with backoff that honours
// Retry-After; a write is retried only when that cannot duplicate it (see the README's
// "Retries and idempotency").
//
// Money is Decimal, exact fixed-point (never float64), which keeps a JSON number a number and
// a decimal string a string; Currency, Date and the iterator helpers complete the surface.
//
// # Where to start
//
//	go run ./examples/quickstart           # all four APIs, on their in-process fakes
//	go run ./examples/crm/get-billing      # one program per API operation
//
// The fakes (crm/crmtest, epilot/epilottest, encounters/encounterstest, clinic/clinictest)
// validate requests against the same OpenAPI specs, keep state, enforce the vendors' rules
// and inject faults, so your own tests can run against them.
package polybill
