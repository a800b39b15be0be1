package epilot

import (
	"errors"
	"fmt"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// Money is an epilot amount. The API sends every amount twice, as integer minor units
// ("Betrag in Cent": billing_amount, balance, amount) and as a decimal string
// (billing_amount_decimal, balance_decimal, amount_decimal), next to an ISO 4217 currency.
// Nothing on the server side is documented to keep the two in step, so Money keeps both as
// received and Check reports a disagreement instead of silently preferring one.
//
// When writing, set either MinorUnits or Decimal (or both, consistent) and Currency; the SDK
// fills the other from the currency's ISO 4217 exponent (JPY 0, EUR 2, KWD 3) and refuses a
// request whose two forms disagree.
//
// The wire tags are the pricing endpoints' shape {amount, amount_decimal, currency}; billing
// events name their amount billing_amount… and are read through their own wire type.
type Money struct {
	// MinorUnits is the amount in the currency's minor unit (cents for EUR). Nil when absent.
	MinorUnits *int64 `wire:"amount"`
	// Decimal is the amount as an exact decimal (100.50). Nil when absent.
	Decimal *polybill.Decimal `wire:"amount_decimal"`
	// Currency is the ISO 4217 code.
	Currency polybill.Currency `wire:"currency"`
}

// ErrAmountMismatch is wrapped by the error Money.Check returns when the minor units and the
// decimal disagree.
var ErrAmountMismatch = errors.New("epilot: amount in minor units and decimal amount disagree")

// MinorUnits returns Money of units minor units of cur (MinorUnits(10050, "EUR") is 100.50 EUR).
func MinorUnits(units int64, cur polybill.Currency) Money {
	return Money{MinorUnits: &units, Currency: cur}
}

// DecimalAmount returns Money of the decimal amount d in cur. A request sends it at the
// currency's scale: DecimalAmount("120.5", "EUR") goes out as "120.50".
func DecimalAmount(d polybill.Decimal, cur polybill.Currency) Money {
	return Money{Decimal: &d, Currency: cur}
}

// IsZero reports whether no part of m is set.
func (m Money) IsZero() bool { return m.MinorUnits == nil && m.Decimal == nil && m.Currency == "" }

// Value returns the amount as a decimal: the decimal form when present (it is exact and
// carries its own scale), otherwise the minor units converted with the currency exponent.
// It fails when the two forms disagree or neither is present.
func (m Money) Value() (polybill.Decimal, error) {
	if err := m.Check(); err != nil {
		return polybill.Decimal{}, err
	}
	if m.Decimal != nil {
		return *m.Decimal, nil
	}
	if m.MinorUnits != nil {
		return polybill.DecimalFromMinorUnits(*m.MinorUnits, m.Currency.Exponent())
	}
	return polybill.Decimal{}, errors.New("epilot: money has no amount")
}

// Check reports whether both forms, when present, denote the same amount in Currency. It
// returns nil when only one form is present. A mismatch wraps ErrAmountMismatch.
func (m Money) Check() error {
	if m.MinorUnits == nil || m.Decimal == nil {
		return nil
	}
	exp := m.Currency.Exponent()
	units, err := m.Decimal.MinorUnits(exp)
	if err != nil {
		return fmt.Errorf("%w: %s %s is not a whole number of minor units (exponent %d)",
			ErrAmountMismatch, m.Decimal, m.Currency, exp)
	}
	if units != *m.MinorUnits {
		return fmt.Errorf("%w: %d minor units is not %s %s", ErrAmountMismatch, *m.MinorUnits, m.Decimal, m.Currency)
	}
	return nil
}

// complete returns m with both forms filled, the decimal quoted and at the currency's scale
// as the API sends it ("120.50" for DecimalAmount("120.5", "EUR"): every example in epilot's
// spec, definitions/billing.json of npm @epilot/sdk 2.20.31, writes billing_amount_decimal
// with the currency's digits, "100.00", "15.00"). The rescaling is exact, since the decimal
// is a whole number of minor units by then. Errors are local validation errors naming the
// wire fields (unitsField, decimalField, currencyField).
func (m Money) complete(unitsField, decimalField, currencyField string) (Money, error) {
	if m.Currency == "" {
		return m, transport.InvalidParam(API, currencyField, "a currency is required to convert between minor units and the decimal amount")
	}
	if !m.Currency.Valid() {
		return m, transport.InvalidParam(API, currencyField, "%q is not an ISO 4217 code", m.Currency)
	}
	exp := m.Currency.Exponent()
	switch {
	case m.MinorUnits == nil && m.Decimal == nil:
		return m, transport.InvalidParam(API, unitsField, "an amount is required (minor units or decimal)")
	case m.MinorUnits == nil:
		units, err := m.Decimal.MinorUnits(exp)
		if err != nil {
			return m, transport.InvalidParam(API, decimalField, "%s is not a whole number of %s minor units (exponent %d)", m.Decimal, m.Currency, exp)
		}
		m.MinorUnits = &units
	case m.Decimal != nil:
		if err := m.Check(); err != nil {
			return m, transport.InvalidParam(API, decimalField, "%v", err)
		}
	}
	d, err := polybill.DecimalFromMinorUnits(*m.MinorUnits, exp)
	if err != nil {
		return m, transport.InvalidParam(API, unitsField, "%v", err)
	}
	d = d.Quoted()
	m.Decimal = &d
	return m, nil
}

// amountValueWire is Money in the shape of the pricing endpoints: {amount, amount_decimal, currency}.
type amountValueWire struct {
	Amount        *int64            `json:"amount,omitempty"`
	AmountDecimal *polybill.Decimal `json:"amount_decimal,omitempty"`
	Currency      polybill.Currency `json:"currency,omitempty"`
}

// MarshalJSON writes the pricing endpoints' shape {amount, amount_decimal, currency}.
func (m Money) MarshalJSON() ([]byte, error) {
	return wire.Encode(amountValueWire{Amount: m.MinorUnits, AmountDecimal: m.Decimal, Currency: m.Currency})
}

// UnmarshalJSON reads {amount, amount_decimal, currency} with the SDK's one reader. Inside a
// response the client reads Money leniently (a bad value is a problem of the enclosing record);
// read on its own, a value that cannot be read is an error, since there is no record to report
// it on.
func (m *Money) UnmarshalJSON(data []byte) error {
	var w struct {
		polybill.FieldProblems
		Money
	}
	if err := wire.Decode(data, &w); err != nil {
		return err
	}
	if len(w.FieldProblems) > 0 {
		p := w.FieldProblems[0]
		return fmt.Errorf("epilot: money: %s: %s", p.Path, p.Reason)
	}
	*m = w.Money
	return nil
}
