package bench

import (
	"encoding/json"
	"fmt"
	"testing"

	polybill "github.com/polybill/polybill-go"
)

// decimalPage is a page of 1,000 line amounts with two fraction digits, as a billing API sends
// them; quoted sends them as decimal strings ("1234.50"), the other form money takes on the wire.
func decimalPage(quoted bool) []byte {
	b := []byte("[")
	for i := range 1000 {
		if i > 0 {
			b = append(b, ',')
		}
		amount := fmt.Sprintf("%d.%02d", (i*7919)%100000, i%100)
		if quoted {
			amount = `"` + amount + `"`
		}
		b = fmt.Appendf(b, `{"id":"li_%04d","amount":%s}`, i, amount)
	}
	return append(b, ']')
}

type floatLine struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount"`
}

type floatStringLine struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount,string"`
}

type decimalLine struct {
	ID     string           `json:"id"`
	Amount polybill.Decimal `json:"amount"`
}

// BenchmarkDecimal: a page of 1,000 amounts decoded and encoded as polybill.Decimal ("sdk")
// vs float64 ("raw"), for JSON numbers and for decimal strings. There is no target: this is
// the price of exact money.
func BenchmarkDecimal(b *testing.B) {
	numbers, strings := decimalPage(false), decimalPage(true)
	decode := func(page []byte, out any) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			m := startMeter(b)
			for range b.N {
				if err := json.Unmarshal(page, out); err != nil {
					b.Fatal(err)
				}
			}
			report(b, m.stop(b))
		}
	}
	encode := func(v any) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			m := startMeter(b)
			for range b.N {
				if _, err := json.Marshal(v); err != nil {
					b.Fatal(err)
				}
			}
			report(b, m.stop(b))
		}
	}
	b.Run("decode-number", func(b *testing.B) {
		b.Run("raw", decode(numbers, new([]floatLine)))
		b.Run("sdk", decode(numbers, new([]decimalLine)))
	})
	b.Run("decode-string", func(b *testing.B) {
		b.Run("raw", decode(strings, new([]floatStringLine)))
		b.Run("sdk", decode(strings, new([]decimalLine)))
	})
	var floats []floatLine
	var decimals []decimalLine
	if err := json.Unmarshal(numbers, &floats); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(numbers, &decimals); err != nil {
		b.Fatal(err)
	}
	b.Run("encode-number", func(b *testing.B) {
		b.Run("raw", encode(floats))
		b.Run("sdk", encode(decimals))
	})
}
