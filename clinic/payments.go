package clinic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// PaymentMode is how a payment was made. Unknown values decode as they are;
// [PaymentMode.IsKnown] tells them apart. Only known modes are sent.
type PaymentMode string

// The modes documented on docs.bioecko.com/api/billing.
const (
	PaymentModeCash      PaymentMode = "cash"
	PaymentModeCard      PaymentMode = "card"
	PaymentModeUPI       PaymentMode = "upi"
	PaymentModeNEFT      PaymentMode = "neft"
	PaymentModeCheque    PaymentMode = "cheque"
	PaymentModeOnline    PaymentMode = "online"
	PaymentModeInsurance PaymentMode = "insurance"
)

// IsKnown reports whether m is one of the documented modes (the spec's enum, which
// TestEnumsMatchSpec holds these constants to).
func (m PaymentMode) IsKnown() bool {
	switch m {
	case PaymentModeCash, PaymentModeCard, PaymentModeUPI, PaymentModeNEFT, PaymentModeCheque, PaymentModeOnline, PaymentModeInsurance:
		return true
	}
	return false
}

// Payment is a payment recorded against an invoice.
type Payment struct {
	polybill.FieldProblems `json:"-"`
	ID                     string           `json:"id"`
	InvoiceID              string           `json:"invoice_id,omitempty"`
	Amount                 polybill.Decimal `json:"amount"`
	Mode                   PaymentMode      `json:"payment_mode"`
	Reference              string           `json:"reference,omitempty"`
	PaymentDate            Date             `json:"payment_date"`
	// RecordedAt is when Bio Ecko recorded it (RFC 3339 with the tenant's offset); zero when
	// not sent.
	RecordedAt time.Time `json:"recorded_at"`

	Raw json.RawMessage `json:"-" wire:",raw"`
}

// UnmarshalJSON reads the object as the client does. A recorded_at that is not a time must not
// cost the caller the payment: RecordedAt stays zero and Problems lists it.
func (p *Payment) UnmarshalJSON(b []byte) error { return decode(b, p) }

// RecordPaymentParams is the payment to record.
type RecordPaymentParams struct {
	// Amount in INR; must be greater than zero, at most 2 decimal places.
	Amount polybill.Decimal
	// Mode must be one of the documented modes.
	Mode PaymentMode
	// Reference is your transaction reference (UPI transaction id, cheque number, gateway id).
	// Set it: it is the only way to learn, after a failure that left the outcome unknown,
	// whether the payment was recorded. RecordPayment uses it to look the payment up.
	Reference string
	// PaymentDate is the day the money was received; zero lets the server use today.
	PaymentDate Date
	// KnownBalance, when set (e.g. from a previously fetched Invoice.Balance), makes
	// RecordPayment refuse an amount above it before sending anything. Without it the server
	// refuses an overpayment itself.
	KnownBalance *polybill.Decimal
}

func (p RecordPaymentParams) validate() error {
	if p.Amount.Sign() <= 0 {
		return transport.InvalidParam(API, "amount", "amount must be greater than zero, got %s", p.Amount)
	}
	if p.Amount.Scale() > Currency.Exponent() && !p.Amount.Equal(p.Amount.Round(Currency.Exponent())) {
		return transport.InvalidParam(API, "amount", "amount %s has more than %d decimal places", p.Amount, Currency.Exponent())
	}
	if !p.Mode.IsKnown() {
		return transport.InvalidParam(API, "payment_mode", "unknown payment mode %q (want cash, card, upi, neft, cheque, online or insurance)", p.Mode)
	}
	if !p.PaymentDate.IsZero() && !p.PaymentDate.Valid() {
		return transport.InvalidParam(API, "payment_date", "invalid date %s", p.PaymentDate)
	}
	if p.KnownBalance != nil && p.Amount.Cmp(*p.KnownBalance) > 0 {
		return transport.InvalidParam(API, "amount", "amount %s exceeds the outstanding balance %s", p.Amount, *p.KnownBalance)
	}
	return nil
}

// paymentRequest is the body of RecordPayment (PaymentRequest in openapi/clinic.yaml); unset
// optional fields are omitted, and the server then uses today's date.
type paymentRequest struct {
	Amount      polybill.Decimal `json:"amount"`
	PaymentDate Date             `json:"payment_date,omitzero"`
	PaymentMode PaymentMode      `json:"payment_mode"`
	Reference   string           `json:"reference,omitempty"`
}

// PaymentResult is the outcome of [Client.RecordPayment].
type PaymentResult struct {
	Payment Payment
	// Reconciled is true when the call failed without a definitive answer (timeout, reset,
	// 5xx, or a 2xx whose body was cut) and the payment was then found among the invoice's payments by its reference: it
	// was recorded exactly once, by this call.
	Reconciled bool
	// Cause is the ambiguous failure that led to reconciliation, when Reconciled is true.
	Cause error
}

// RecordPayment records a payment against an invoice. Requires billing:write.
//
// Payments are irreversible and Bio Ecko offers no idempotency key, so this call is never
// retried once the request may have reached the server, whatever the lookup below says. When
// it fails that way (the error has Ambiguous set) and params.Reference is set, RecordPayment
// reads the invoice and returns the payment if exactly one with that reference, amount and mode
// is recorded (PaymentResult.Reconciled); otherwise it returns the original error, still
// Ambiguous: a gateway's 5xx does not prove the backend behind it is done, so a payment missing
// now may still be recorded later, and two matching payments (a reused reference) cannot be
// told apart. Check the invoice later before trying again. Use a reference that is unique per
// payment: an older payment with the same reference, amount and mode is taken for this one
// when it is the only match. Without a reference, an ambiguous failure is returned as is.
func (c *Client) RecordPayment(ctx context.Context, invoiceID string, params RecordPaymentParams, opts ...polybill.RequestOption) (*PaymentResult, error) {
	if invoiceID == "" {
		return nil, transport.InvalidParam(API, "id", "invoice id is required")
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	body, err := wire.Encode(paymentRequest{
		// Bio Ecko's example sends a JSON number (1500.00); Unquoted keeps it one.
		Amount:      params.Amount.Unquoted(),
		PaymentDate: params.PaymentDate,
		PaymentMode: params.Mode,
		Reference:   params.Reference,
	})
	if err != nil {
		return nil, transport.InvalidParam(API, "payment", "cannot encode the payment: %v", err)
	}
	var p Payment
	var reconciled *PaymentResult
	call := transport.Call{
		Method: http.MethodPost,
		Op:     transport.Op("recordPayment", "/api/v1/billing/invoices/{id}/payments"),
		Params: []string{invoiceID},
		Body:   body,
		Safety: transport.UnsafeWrite,
	}
	if params.Reference != "" {
		// The transport runs it when the outcome is unknown (Ambiguous), and also when the
		// server answered 2xx with a body we could not decode: the payment was then certainly
		// recorded, and the caller needs it. It runs inside the write's call and joins its
		// error after the write's (still Ambiguous: nothing settled it), so the text says why
		// the read-back could not.
		call.Reconcile = func(ctx context.Context, cause error) (bool, error) {
			found, err := c.reconcile(ctx, invoiceID, params, opts)
			if err != nil {
				return false, fmt.Errorf("reconciliation by reference %q on invoice %q: %w", params.Reference, invoiceID, err)
			}
			reconciled = &PaymentResult{Payment: *found, Reconciled: true, Cause: cause}
			return true, nil
		}
	}
	if err := c.do(ctx, call, &p, opts); err != nil {
		return nil, err
	}
	if reconciled != nil {
		return reconciled, nil
	}
	return &PaymentResult{Payment: p}, nil
}

// reconcile looks for the payment after an ambiguous failure. A reference alone could match an
// older payment the caller recorded with the same reference, so amount and mode must match too;
// and when several payments match, which one (if any) this call recorded cannot be told, so
// none is picked. The error says why nothing was picked.
func (c *Client) reconcile(ctx context.Context, invoiceID string, params RecordPaymentParams, opts []polybill.RequestOption) (*Payment, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("not attempted: %w", err)
	}
	inv, err := c.GetInvoice(ctx, invoiceID, opts...)
	if err != nil {
		return nil, err
	}
	var found *Payment
	matches := 0
	for i := range inv.Payments {
		p := &inv.Payments[i]
		if p.Reference == params.Reference && p.Amount.Equal(params.Amount) && p.Mode == params.Mode {
			matches++
			found = p
		}
	}
	switch matches {
	case 0:
		return nil, errors.New("no payment with this reference, amount and mode on the invoice")
	case 1:
		return found, nil
	}
	return nil, fmt.Errorf("%d payments match reference, amount and mode; which one this call recorded cannot be told", matches)
}
