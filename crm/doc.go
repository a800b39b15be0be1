// Package crm is a typed client for the 23blocks CRM billings API: meeting billings, payment
// splits, EAP sessions and the outstanding, revenue, aging and participant reports.
//
//	client, err := crm.NewFromEnv() // BLOCKS_API_URL, BLOCKS_AUTH_TOKEN, BLOCKS_API_KEY
//	if err != nil {
//		return err
//	}
//	b, err := client.CreateMeetingBilling(ctx, "meeting-uuid-123", crm.CreateBillingParams{
//		Amount:     polybill.MustDecimal("250.00"),
//		PayerName:  "Acme Corp",
//		PayerEmail: "billing@acme.com",
//	})
//	if errors.Is(err, polybill.ErrValidation) { … }
//	for billing, err := range client.ListMeetingBillings(ctx, "meeting-uuid-123", nil) { … }
//
// The package's examples run against crmtest, the in-process fake, which is also what your
// own tests should use: crm.New(srv.ClientOptions()...).
//
// # Authentication and headers
//
// Every request carries "Authorization: Bearer <token>" (WithToken for a static token,
// WithTokenSource for rotating ones: asked again after a 401, and the call replayed once) and
// the API key (WithAPIKey). The vendor document sends the key as "AppId"; the official SDK's
// React binding (@23blocks/react 19.2.0, dist/index.esm.js, createBaseTransport) and a later
// revision of the vendor's billings skill document send "x-api-key". No live server settles
// which one is honoured, so by default the key goes out under both names ("AppId" and
// "X-API-KEY") and either server accepts it; WithAPIKeyHeader picks one (or another name).
// Neither header, nor the token, is forwarded on a redirect to another host. WithTenantID adds
// the optional tenant-id header. Each call carries an X-Request-ID (identical on every retry
// of the call) and "Accept: application/json", as the official SDK sends.
//
// # Configuration errors
//
// New and NewFromEnv refuse what would make every call fail, with a *polybill.Error matching
// polybill.ErrValidation whose Param names the option ("WithToken") or the variable
// ("BLOCKS_AUTH_TOKEN"): missing credentials; a credential that is empty, has surrounding whitespace or
// holds a control character (net/http would refuse the header on every request); a base URL
// with a query or a fragment. NewFromEnv trims surrounding whitespace from every variable it
// reads, so a secret mounted from a file with its trailing newline works as is.
//
// # What the client sends and reads, and why
//
// 23blocks' reference document and its official TypeScript SDK (@23blocks/block-crm 5.0.6)
// disagree in many places and no live server settles them, so the client writes what the
// vendor document says and reads every variant either source shows:
//
//   - Writes are wrapped in {"billing": {…}} and use the documented names (amount, payer_name,
//     payer_email, billing_type). The vendor document is silent on the currency, the due date
//     and the notes, so those go out under the SDK's names (@23blocks/block-crm 5.0.6,
//     dist/index.esm.js, meetingBillings.create and update): fee_currency, invoice_due_date
//     and billing_notes, not currency, due_at and notes, which a Rails server permitting only
//     the SDK's names would drop without an error. CreateBillingParams.Extra sends more of the
//     SDK's names (fee_amount, payment_method, metadata, …) when a server turns out to want
//     those, each value as raw JSON sent byte for byte (internal/wire.Encode, the one
//     request-body encoder of the four packages). Update is PUT, never PATCH.
//   - List parameters are the SDK's (page, records, status, billing_status, payer_name,
//     search, sort). Sort takes a JSON:API sort list, as a Rails-style API does:
//     "-created_at,payer_name", "meeting.start_time"; only what cannot be a sort list is
//     refused before sending. No source (the skill documents or the SDK) gives a maximum page
//     size, so none is enforced.
//   - A server that ignores `page` (always current_page 1, total_pages 3) would make
//     ListMeetingBillings yield the same billings again; a page that repeats the previous one
//     (the same current_page, or the same billings) ends the iteration with a
//     *polybill.Error (code invalid_response) instead.
//   - Billings decode from JSON:API resources ({id, type, attributes}) or plain objects, and
//     from both field-name sets: amount/fee_amount, meeting_id/meeting_unique_id,
//     notes/billing_notes, due_at/invoice_due_date, currency/fee_currency.
//   - GET /meetings/{id}/billing may answer one resource (vendor) or a paginated list (SDK);
//     GetMeetingBilling and ListMeetingBillings accept both. Pagination meta is read in
//     snake_case (total_pages, total_count) or camelCase (totalPages, totalRecords); without
//     it a short page ends the list.
//   - Reports accept a plain data object (vendor) and data.attributes (SDK report service),
//     with both key sets (days_30/thirty_days, total_outstanding/total, billings/sessions, …).
//     The EAP totals in the top-level meta are kept; the payment split is read as the vendor's
//     object or the SDK's array.
//   - Amounts are polybill.Decimal, read exactly from JSON numbers or numeric strings; they
//     are pointers, nil when the server omitted them, so a missing total is never a made-up
//     zero.
//   - Status keeps pending, paid and overdue and any other value verbatim (Status.IsKnown);
//     the SDK's coercion of paid and overdue to "active" is not repeated.
//   - Timestamps are nil when missing or unparsable, never "now" (the SDK's fallback); the
//     raw attributes (Billing.Attributes, the reports' Raw) keep everything the server sent.
//   - A value that cannot be read (an amount "" or "250.00 ", which the SDK reads as 0; an
//     amount with more digits than polybill.Decimal holds, never rounded; a date that is not
//     one; an object where a string belongs) fails neither the call nor the page: its field
//     stays zero or nil and the record's Problems method lists it with its JSON path and raw
//     value. Every response follows the rule set of the SDK's one reader (key matching,
//     invalid UTF-8, duplicate keys, null, depth), written in docs/architecture.md
//     ("Decoding responses").
//
// # Errors
//
// Every failure is a *polybill.Error: errors.Is works with polybill.ErrNotFound,
// ErrUnauthorized, ErrValidation and the other classes. The client reads the documented
// JSON:API envelope (every entry becomes a Detail; source.pointer gives Param) and the
// variants the SDK handles: errors as strings, {success:false, errors}, {error, message}, and
// Rails' field map. When no code is sent it is derived from the HTTP status (a 404 is
// "not_found", not the SDK's "validation_error"). Requests that break a documented rule
// (missing amount, payer name or a valid payer email, unknown status) are refused before
// sending with the field named in Error.Param.
//
// # Retries
//
// GET, PUT and DELETE are retried on connection errors, 408, 429 and 5xx. The API has no
// idempotency key, so a create (POST) is retried only when the request provably never left;
// after a timeout or a reset Error.Ambiguous tells the caller to check before trying again.
//
// # Paths
//
// Every path parameter is escaped as one segment: an email with "+", a payer name with
// spaces, "/", "%" or "..", or any id, cannot change the route.
package crm
