package polybill_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

func TestDecimalJSONRoundTripKeepsForm(t *testing.T) {
	tests := []struct{ in, out string }{
		{`250.00`, `250.00`},
		{`"250.00"`, `"250.00"`},
		{`0.1`, `0.1`},
		{`-12.50`, `-12.50`},
		{`1500`, `1500`},
		{`"0.000001"`, `"0.000001"`},
		{`1.5e3`, `1500`},
		{`9999999999999999.99`, `9999999999999999.99`},
	}
	for _, tt := range tests {
		var d polybill.Decimal
		require.NoError(t, json.Unmarshal([]byte(tt.in), &d), tt.in)
		b, err := json.Marshal(d)
		require.NoError(t, err)
		assert.Equal(t, tt.out, string(b), tt.in)
	}
}

// TestDecimalIsExactWhereFloat64IsNot uses amounts float64 gets wrong.
func TestDecimalIsExactWhereFloat64IsNot(t *testing.T) {
	// 0.1 + 0.2 at run time (constants would be folded exactly by the compiler).
	a, b := 0.1, 0.2
	f := a + b
	require.NotEqual(t, "0.3", strconv.FormatFloat(f, 'f', -1, 64), "float64 drifts")
	sum, err := polybill.MustDecimal("0.1").Add(polybill.MustDecimal("0.2"))
	require.NoError(t, err)
	assert.Equal(t, "0.3", sum.String())

	// 1.005 rounds down in float64 because it is stored as 1.00499999…
	require.Equal(t, "1.00", strconv.FormatFloat(1.005, 'f', 2, 64))
	assert.Equal(t, "1.00", polybill.MustDecimal("1.005").Round(2).String(), "half to even")
	assert.Equal(t, "1.02", polybill.MustDecimal("1.015").Round(2).String())

	// 1.1 × 3 is 3.3000000000000003 in float64, so its cents truncate wrongly.
	price, qty := 1.1, 3.0
	require.NotEqual(t, 3.3, price*qty)
	line, err := polybill.MustDecimal("1.1").Mul(polybill.MustDecimal("3"))
	require.NoError(t, err)
	assert.Equal(t, "3.3", line.String())
	cents, err := polybill.MustDecimal("19.99").MinorUnits(2)
	require.NoError(t, err)
	assert.Equal(t, int64(1999), cents)

	// Beyond 2^53 float64 loses whole units: 9007199254740993 decodes as ...992.
	var viaFloat float64
	require.NoError(t, json.Unmarshal([]byte("9007199254740993"), &viaFloat))
	require.Equal(t, "9007199254740992", strconv.FormatFloat(viaFloat, 'f', -1, 64))
	var exact polybill.Decimal
	require.NoError(t, json.Unmarshal([]byte("9007199254740993"), &exact))
	assert.Equal(t, "9007199254740993", exact.String())
	one := polybill.MustDecimal("0.01")

	// Summing a thousand cents.
	total := polybill.DecimalFromInt(0)
	for range 1000 {
		total, err = total.Add(one)
		require.NoError(t, err)
	}
	assert.True(t, total.Equal(polybill.DecimalFromInt(10)))
}

func TestDecimalMinorUnits(t *testing.T) {
	tests := []struct {
		amount   string
		currency polybill.Currency
		units    int64
		ok       bool
	}{
		{"100.50", "EUR", 10050, true},
		{"100.5", "EUR", 10050, true},
		{"100", "EUR", 10000, true},
		{"-3.07", "EUR", -307, true},
		{"500", "JPY", 500, true},
		{"500.5", "JPY", 0, false},
		{"1.234", "KWD", 1234, true},
		{"12.345", "EUR", 0, false},
		{"12.3400", "EUR", 1234, true},
		{"99999999999999999.99", "EUR", 0, false},
	}
	for _, tt := range tests {
		d := polybill.MustDecimal(tt.amount)
		units, err := d.MinorUnits(tt.currency.Exponent())
		if !tt.ok {
			assert.Error(t, err, tt.amount)
			continue
		}
		require.NoError(t, err, tt.amount)
		assert.Equal(t, tt.units, units, tt.amount)
		back, err := polybill.DecimalFromMinorUnits(units, tt.currency.Exponent())
		require.NoError(t, err)
		assert.True(t, back.Equal(d), "%s -> %d -> %s", tt.amount, units, back)
	}
	assert.Equal(t, "1.234", must(polybill.DecimalFromMinorUnits(1234, 3)).String())
	assert.Equal(t, "12.00", must(polybill.DecimalFromMinorUnits(1200, 2)).String())
}

func TestDecimalRefusesRoundingAndGarbage(t *testing.T) {
	for _, in := range []string{"", "abc", "1,00", "1.2.3", "0.12345678901234567891234", "1e400", " 1"} {
		_, err := polybill.ParseDecimal(in)
		assert.Error(t, err, "%q", in)
	}
	var d polybill.Decimal
	assert.Error(t, json.Unmarshal([]byte(`true`), &d))
	assert.Error(t, json.Unmarshal([]byte(`"12,50"`), &d))
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.True(t, d.IsZero())
}

func TestDecimalArithmeticAndComparison(t *testing.T) {
	a, b := polybill.MustDecimal("250.00"), polybill.MustDecimal("250.0")
	assert.True(t, a.Equal(b))
	assert.Equal(t, 0, a.Cmp(b))
	assert.Equal(t, -1, polybill.MustDecimal("-1").Cmp(a))
	diff, err := a.Sub(polybill.MustDecimal("0.01"))
	require.NoError(t, err)
	assert.Equal(t, "249.99", diff.String())
	prod, err := polybill.MustDecimal("3").Mul(polybill.MustDecimal("33.33"))
	require.NoError(t, err)
	assert.Equal(t, "99.99", prod.String())
	assert.Equal(t, -1, a.Neg().Sign())
	assert.Equal(t, "250.00", a.Neg().Abs().String())
	assert.Equal(t, 2, a.Scale())
	q := a.Quoted()
	assert.True(t, q.IsQuoted())
	assert.Equal(t, `"250.00"`, string(must(json.Marshal(q))))
	assert.Equal(t, `250.00`, string(must(json.Marshal(q.Unquoted()))))
}

func TestCurrency(t *testing.T) {
	assert.Equal(t, 0, polybill.Currency("JPY").Exponent())
	assert.Equal(t, 2, polybill.Currency("EUR").Exponent())
	assert.Equal(t, 2, polybill.Currency("INR").Exponent())
	assert.Equal(t, 3, polybill.Currency("KWD").Exponent())
	assert.True(t, polybill.Currency("EUR").Valid())
	for _, bad := range []polybill.Currency{"", "eur", "EURO", "E1R"} {
		assert.False(t, bad.Valid(), bad)
	}
}

// FuzzDecimalRoundTrip: whatever parses must format and re-parse to the same value and
// text, and must survive a JSON round trip in both wire forms.
func FuzzDecimalRoundTrip(f *testing.F) {
	for _, s := range []string{"0", "250.00", "-0.5", "1.5e3", "9999999999999999999", "0.0000000000000000001", "1e-19", "+7", ".5", "5.", "1,0", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := polybill.ParseDecimal(s)
		if err != nil {
			return
		}
		text := d.String()
		again, err := polybill.ParseDecimal(text)
		require.NoError(t, err, "%q formatted as %q", s, text)
		require.Equal(t, text, again.String())
		require.True(t, d.Equal(again))
		for _, v := range []polybill.Decimal{d, d.Quoted()} {
			b, err := json.Marshal(v)
			require.NoError(t, err)
			var back polybill.Decimal
			require.NoError(t, json.Unmarshal(b, &back), string(b))
			require.Equal(t, string(b), string(must(json.Marshal(back))))
		}
	})
}

// FuzzDecimalUnmarshalJSON: arbitrary bytes never panic, and a string reads as its unquoted
// text does (the in-place path for strings without escapes included).
func FuzzDecimalUnmarshalJSON(f *testing.F) {
	for _, s := range []string{`1`, `"1.00"`, `null`, `"`, `""`, `{}`, `"\u0031"`, `1e99999`, `"250.00 "`, `"\x31"`, `" 7"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d polybill.Decimal
		if json.Unmarshal(b, &d) == nil {
			_, err := json.Marshal(d)
			require.NoError(t, err)
		}
		trimmed := bytes.TrimSpace(b)
		if len(trimmed) < 2 || trimmed[0] != '"' || trimmed[len(trimmed)-1] != '"' {
			return
		}
		var got polybill.Decimal
		err := got.UnmarshalJSON(b)
		text, uerr := strconv.Unquote(string(trimmed))
		if uerr != nil {
			require.Error(t, err, "%q", b)
			return
		}
		want, perr := polybill.ParseDecimal(text)
		require.Equal(t, perr == nil, err == nil, "%q: %v / %v", b, err, perr)
		if err == nil {
			require.Equal(t, want.Quoted(), got, "%q", b)
		}
	})
}

// An amount sent as a string costs no more to read than the same amount sent as a number.
func TestQuotedDecimalReadsInPlace(t *testing.T) {
	var d polybill.Decimal
	number := testing.AllocsPerRun(100, func() { _ = d.UnmarshalJSON([]byte(`100.50`)) })
	quoted := testing.AllocsPerRun(100, func() { _ = d.UnmarshalJSON([]byte(`"100.50"`)) })
	assert.Equal(t, number, quoted)
	assert.Equal(t, `"100.50"`, string(must(json.Marshal(d))))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
