// Package clinic is the client for the Bio Ecko billing API: invoices with GST line items,
// irreversible payments and the financial summary of an Indian multi-branch hospital or clinic.
//
//	client, err := clinic.NewFromEnv() // BIOECKO_API_URL, BIOECKO_CLIENT_ID, BIOECKO_CLIENT_SECRET
//	if err != nil {
//		return err
//	}
//	for inv, err := range client.ListInvoices(ctx, &clinic.ListInvoicesParams{Status: clinic.InvoiceStatusPartiallyPaid}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(inv.InvoiceNumber, inv.Balance)
//	}
//	res, err := client.RecordPayment(ctx, "INV-2026-00042", clinic.RecordPaymentParams{
//		Amount: polybill.MustDecimal("860.00"), Mode: clinic.PaymentModeUPI, Reference: "UPI-TXN-123456",
//	})
//
// # Authentication
//
// Bio Ecko uses OAuth 2.0 client credentials: the client ID and secret go in the form body of
// POST /api/v1/auth/token and buy a one-hour Bearer token; there is no refresh token. The client
// fetches a token on first use (golang.org/x/oauth2/clientcredentials through the shared
// transport's HTTP client), caches it until shortly before it expires, and when a call answers
// 401 it fetches a new one and replays the call once. Tokens carry scopes: reads need
// billing:read and RecordPayment needs billing:write (a 403 otherwise). [WithScopes] narrows
// what is requested.
//
// # Configuration errors
//
// New and NewFromEnv refuse what would make every call fail, with a *polybill.Error matching
// polybill.ErrValidation whose Param names the option ("WithClientCredentials") or the
// variable ("BIOECKO_CLIENT_SECRET"): missing credentials; a client ID or secret that is
// empty, has surrounding whitespace or holds a control character (it would be sent in every
// token request's form body and refused every time); a base URL with a query or a fragment.
// NewFromEnv trims surrounding whitespace from every variable it reads, so a secret mounted
// from a file with its trailing newline works as is.
//
// # Payments are irreversible
//
// The vendor warns that recording a payment cannot be undone, and the API has no idempotency
// key. RecordPayment is therefore never retried once the request may have reached the server.
// When it fails that way, and you gave a Reference, it reads the invoice and returns the payment
// if it was recorded, with PaymentResult.Reconciled set. Pass KnownBalance to have an
// overpayment refused before anything is sent; the server refuses it otherwise (422).
//
// # Vendor assumptions
//
// Bio Ecko publishes endpoints and parameters but few JSON keys. This package assumes, and
// tolerates deviations from:
//   - lists may be a bare array or a {data, meta} envelope (also {items|invoices, pagination});
//     a page shorter than per_page is the last; per_page defaults to 20 and is at most 100;
//   - invoice-detail keys (line_items, sub_total, discount, tax.cgst/sgst/igst, grand_total,
//     payments, balance), with "total" and flat patient_id/branch_id accepted too;
//   - the error body is {error, message, code?, details?}, with RFC 6749 and field-map variants
//     decoded as well; the raw body is kept in polybill.Error.Body;
//   - amounts are INR JSON decimals (integers accepted) and never floats here: polybill.Decimal;
//   - dates are YYYY-MM-DD ([Date]) and timestamps RFC 3339 with an offset;
//   - the token endpoint answers RFC 6749 errors and accepts an optional scope parameter.
//
// Every decoded value keeps its raw JSON (the Raw fields), unknown statuses and payment modes
// decode as they are ([InvoiceStatus.IsKnown], [PaymentMode.IsKnown]), and requests are checked
// before sending: unknown payment modes, non-positive amounts and impossible dates are refused
// with a polybill.Error naming the field.
//
// Webhooks are verified by package clinic/webhook; clinic/clinictest is an in-process fake of
// the API for your own tests.
package clinic
