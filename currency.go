package polybill

// Currency is an ISO 4217 alphabetic code such as "EUR", "JPY" or "INR".
type Currency string

// minorUnitExceptions lists the ISO 4217 currencies whose minor unit is not 2 digits.
// Every other valid code has 2 (ISO 4217 amendment list, 2024).
var minorUnitExceptions = map[Currency]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// Exponent is the number of minor-unit digits: JPY 0, EUR 2, KWD 3. Codes that are not
// listed as exceptions in ISO 4217 have 2.
func (c Currency) Exponent() int {
	if e, ok := minorUnitExceptions[c]; ok {
		return e
	}
	return 2
}

// Valid reports whether c has the ISO 4217 shape: three upper-case letters.
func (c Currency) Valid() bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}
