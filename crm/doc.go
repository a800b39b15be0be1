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
// the API key (WithAPIKey). The vendor document
// sends the key as "AppId", while the current official SDKs send "x-api-key"; AppId is the
// default, and WithAPIKeyHeader selects X-API-KEY, both, or another name. WithTenantID adds
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
//     payer_email, billing_type). CreateBillingParams.Extra sends the SDK's names (fee_amount,
//     invoice_due_date, …) when a server turns out to want those. Update is PUT, never PATCH.
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
//
// # Errors
//
// Every failure is a *polybill.Error: errors.Is works with polybill.ErrNotFound,
// ErrUnauthorized, ErrValidation and the other classes. DecodeError reads the documented
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
