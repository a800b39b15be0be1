package polybill

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/govalues/decimal"
)

// Decimal is an exact decimal amount of money. It never passes through float64.
//
// It is a fixed-point value (up to 19 significant digits, via github.com/govalues/decimal)
// that remembers its wire form: a value read from the JSON number 250.00 is written back
// as 250.00, a value read from the string "250.00" is written back as "250.00". Scale is
// kept, so 250.00 never becomes 250. The zero value is 0 and encodes as the number 0.
type Decimal struct {
	d      decimal.Decimal
	quoted bool
}

// errTooPrecise refuses input that the fixed-point type could only hold by rounding:
// for money, silently rounding is worse than failing.
var errTooPrecise = errors.New("decimal: more than 19 significant digits would be rounded")

// ParseDecimal parses a decimal such as "1500.00", "-0.5" or "1.5e3". It fails rather than
// round: input with more precision than the type holds is an error.
func ParseDecimal(s string) (Decimal, error) {
	d, err := parseExactDecimal([]byte(s))
	if err != nil {
		return Decimal{}, fmt.Errorf("polybill: parse decimal %q: %w", s, err)
	}
	return Decimal{d: d}, nil
}

// MustDecimal is ParseDecimal for constants known to be valid; it panics on bad input.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// NewDecimal returns coef × 10^-scale, e.g. NewDecimal(1999, 2) is 19.99.
func NewDecimal(coef int64, scale int) (Decimal, error) {
	d, err := decimal.New(coef, scale)
	if err != nil {
		return Decimal{}, fmt.Errorf("polybill: new decimal: %w", err)
	}
	return Decimal{d: d}, nil
}

// DecimalFromInt returns the integer i as a decimal with scale 0.
func DecimalFromInt(i int64) Decimal {
	return Decimal{d: decimal.MustNew(i, 0)}
}

// DecimalFromMinorUnits converts an integer amount of minor units (cents) into a decimal
// with exactly exponent fraction digits: DecimalFromMinorUnits(10050, 2) is 100.50,
// DecimalFromMinorUnits(500, 0) is 500 (JPY), DecimalFromMinorUnits(1234, 3) is 1.234 (KWD).
func DecimalFromMinorUnits(units int64, exponent int) (Decimal, error) {
	return NewDecimal(units, exponent)
}

// MinorUnits converts the amount into integer minor units at the given exponent. It fails
// when that would lose precision (12.345 EUR is not a whole number of cents) or overflow.
func (d Decimal) MinorUnits(exponent int) (int64, error) {
	if exponent < 0 || exponent > decimal.MaxScale {
		return 0, fmt.Errorf("polybill: minor units: exponent %d out of range", exponent)
	}
	t := d.d.Trim(exponent)
	if t.Scale() > exponent {
		return 0, fmt.Errorf("polybill: %s has more than %d fraction digits", d.d, exponent)
	}
	whole, frac, ok := t.Int64(exponent)
	if !ok {
		return 0, fmt.Errorf("polybill: %s does not fit in int64 minor units", d.d)
	}
	scale := int64(math.Pow10(exponent))
	if whole > math.MaxInt64/scale || whole < math.MinInt64/scale {
		return 0, fmt.Errorf("polybill: %s does not fit in int64 minor units", d.d)
	}
	return whole*scale + frac, nil
}

// Add returns d + e. It fails only when the result needs more than 19 digits.
func (d Decimal) Add(e Decimal) (Decimal, error) {
	r, err := d.d.Add(e.d)
	return Decimal{d: r, quoted: d.quoted}, err
}

// Sub returns d - e. It fails only when the result needs more than 19 digits.
func (d Decimal) Sub(e Decimal) (Decimal, error) {
	r, err := d.d.Sub(e.d)
	return Decimal{d: r, quoted: d.quoted}, err
}

// Mul returns d × e. It fails only when the result needs more than 19 digits.
func (d Decimal) Mul(e Decimal) (Decimal, error) {
	r, err := d.d.Mul(e.d)
	return Decimal{d: r, quoted: d.quoted}, err
}

// Cmp compares numerically: -1 if d < e, 0 if equal (250.0 equals 250.00), +1 if d > e.
func (d Decimal) Cmp(e Decimal) int { return d.d.Cmp(e.d) }

// Equal reports numeric equality (250.0 equals 250.00).
func (d Decimal) Equal(e Decimal) bool { return d.d.Equal(e.d) }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.d.Sign() }

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.d.IsZero() }

// Neg returns -d.
func (d Decimal) Neg() Decimal { return Decimal{d: d.d.Neg(), quoted: d.quoted} }

// Abs returns |d|.
func (d Decimal) Abs() Decimal { return Decimal{d: d.d.Abs(), quoted: d.quoted} }

// Scale returns the number of fraction digits (2 for 250.00).
func (d Decimal) Scale() int { return d.d.Scale() }

// Round rounds half to even to scale fraction digits, and pads to exactly that scale.
func (d Decimal) Round(scale int) Decimal {
	return Decimal{d: d.d.Round(scale).Pad(scale), quoted: d.quoted}
}

// String returns the plain decimal text, keeping scale: "250.00".
func (d Decimal) String() string { return d.d.String() }

// Quoted returns d marked to encode as a JSON string ("250.00").
func (d Decimal) Quoted() Decimal { return Decimal{d: d.d, quoted: true} }

// Unquoted returns d marked to encode as a JSON number (250.00).
func (d Decimal) Unquoted() Decimal { return Decimal{d: d.d} }

// IsQuoted reports whether d encodes as a JSON string.
func (d Decimal) IsQuoted() bool { return d.quoted }

// MarshalJSON writes a JSON number, or a JSON string when the value was read from a string
// or marked Quoted.
func (d Decimal) MarshalJSON() ([]byte, error) {
	buf := make([]byte, 0, 24)
	if d.quoted {
		buf = append(buf, '"')
	}
	buf = append(buf, d.d.String()...)
	if d.quoted {
		buf = append(buf, '"')
	}
	return buf, nil
}

// UnmarshalJSON accepts a JSON number or a numeric string; null leaves d unchanged.
func (d *Decimal) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	quoted := false
	if len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' {
		quoted = true
		if inner := data[1 : len(data)-1]; plainASCII(inner) {
			// Nothing to unescape, as in every amount seen: read in place instead of
			// through a string and back (one allocation per amount, on every page).
			data = inner
		} else {
			s, err := strconv.Unquote(string(data))
			if err != nil {
				return fmt.Errorf("polybill: decimal: %w", err)
			}
			data = []byte(s)
		}
	}
	v, err := parseExactDecimal(data)
	if err != nil {
		return fmt.Errorf("polybill: decimal %q: %w", data, err)
	}
	*d = Decimal{d: v, quoted: quoted}
	return nil
}

// MarshalText and UnmarshalText make Decimal usable as a map key and in query strings.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.d.String()), nil }

// UnmarshalText parses a numeric string.
func (d *Decimal) UnmarshalText(text []byte) error {
	v, err := parseExactDecimal(text)
	if err != nil {
		return fmt.Errorf("polybill: decimal %q: %w", text, err)
	}
	*d = Decimal{d: v, quoted: d.quoted}
	return nil
}

// parseExactDecimal parses like decimal.Parse but refuses input it would have to round.
func parseExactDecimal(text []byte) (decimal.Decimal, error) {
	if len(text) == 0 {
		return decimal.Decimal{}, errors.New("empty")
	}
	v, err := decimal.Parse(string(text))
	if err != nil {
		return decimal.Decimal{}, err
	}
	if want, ok := inputScale(text); !ok || want > v.Scale() {
		return decimal.Decimal{}, errTooPrecise
	}
	return v, nil
}

// inputScale computes how many fraction digits the text asks for (after its exponent), so
// a rounded parse can be detected. ok is false when that scale cannot be represented.
func inputScale(text []byte) (int, bool) {
	frac, exp, inFrac := 0, 0, false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '.':
			inFrac = true
		case c >= '0' && c <= '9':
			if inFrac {
				frac++
			}
		case c == 'e' || c == 'E':
			n, err := strconv.Atoi(string(text[i+1:]))
			if err != nil {
				return 0, false
			}
			exp = n
			i = len(text)
		}
	}
	scale := frac - exp
	if scale < 0 {
		scale = 0
	}
	return scale, scale <= decimal.MaxScale
}
