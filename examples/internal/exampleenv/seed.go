package exampleenv

import polybill "github.com/polybill/polybill-go"

func must(s string) polybill.Decimal { return polybill.MustDecimal(s) }
