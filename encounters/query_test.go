package encounters_test

import (
	"bufio"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
)

var update = flag.Bool("update", false, "rewrite testdata/queries.golden and testdata/fastdecode")

// goldenQueries: each query, its readable (decoded) form, and — in
// testdata/queries.golden — its exact percent-encoded wire form.
func goldenQueries() []struct {
	name     string
	q        *encounters.Query
	readable string
} {
	return []struct {
		name     string
		q        *encounters.Query
		readable string
	}{
		// The worked example of research/apis.md §3.3 (qs 6.17.1 + sdk-js rules).
		{"research example", encounters.NewQuery().
			Where("facility", "fac1").
			Exists("finalizedAt", true).
			Gte("createdAt", time.UnixMilli(1700000000000)).
			In("type", "medical-encounter").
			Limit(10).Skip(20).
			Sort("createdAt", encounters.Descending).
			Where("tags", []string{}).
			Where("voidedAt", nil).
			Populate("items", encounters.Populate{Service: "billing-items", Method: encounters.PopulateFind, LocalKey: "id", ForeignKey: "invoice"}),
			"facility=fac1&finalizedAt[$exists]=#true&createdAt[$gte]=#1700000000000&type[$in][0]=medical-encounter&$limit=#10&$skip=#20&$sort[createdAt]=#-1&tags=#[]&voidedAt&$populate[items][service]=billing-items&$populate[items][method]=find&$populate[items][localKey]=id&$populate[items][foreignKey]=invoice"},
		{"empty", encounters.NewQuery(), ""},
		{"limit and skip", encounters.NewQuery().Limit(25).Skip(50), "$limit=#25&$skip=#50"},
		{"count only", encounters.NewQuery().Limit(0), "$limit=#0"},
		{"string equality", encounters.NewQuery().Where("subject", "px-1"), "subject=px-1"},
		{"number equality", encounters.NewQuery().Where("quantity", 3), "quantity=#3"},
		{"boolean", encounters.NewQuery().Where("forConfirmation", false), "forConfirmation=#false"},
		{"null is a bare key", encounters.NewQuery().Where("finalizedAt", nil).Where("facility", "f"), "finalizedAt&facility=f"},
		{"empty array", encounters.NewQuery().Where("coverages", []any{}), "coverages=#[]"},
		{"in with indices", encounters.NewQuery().In("type", "private", "refund", "soa"), "type[$in][0]=private&type[$in][1]=refund&type[$in][2]=soa"},
		{"nin", encounters.NewQuery().NotIn("paymentMethod", "CASH"), "paymentMethod[$nin][0]=CASH"},
		{"date range", encounters.NewQuery().Gte("createdAt", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)).Lt("createdAt", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)),
			"createdAt[$gte]=#1704067200000&createdAt[$lt]=#1706745600000"},
		{"decimal bounds", encounters.NewQuery().Gt("amount", polybill.MustDecimal("100.50")).Lte("amount", polybill.MustDecimal("2000")),
			"amount[$gt]=#100.50&amount[$lte]=#2000"},
		{"ne", encounters.NewQuery().Ne("status", "paid"), "status[$ne]=paid"},
		{"or", encounters.NewQuery().Or(encounters.NewQuery().Where("type", "private"), encounters.NewQuery().Gt("amount", 500)),
			"$or[0][type]=private&$or[1][amount][$gt]=#500"},
		{"select", encounters.NewQuery().Select("id", "amount", "item"), "$select[0]=id&$select[1]=amount&$select[2]=item"},
		{"multi-key sort", encounters.NewQuery().Sort("finalizedAt", encounters.Descending).Sort("createdAt", encounters.Ascending),
			"$sort[finalizedAt]=#-1&$sort[createdAt]=#1"},
		{"nested populate with filters", encounters.NewQuery().Populate("payments", encounters.Populate{
			Service: "billing-payments", Method: encounters.PopulateFind, LocalKey: "id", ForeignKey: "item",
			Query: encounters.NewQuery().Exists("voidedAt", false).Sort("createdAt", encounters.Ascending).
				Populate("method", encounters.Populate{Service: "billing-payment-methods", Method: encounters.PopulateGet, LocalKey: "paymentMethod"}),
		}), "$populate[payments][service]=billing-payments&$populate[payments][method]=find&$populate[payments][localKey]=id&$populate[payments][foreignKey]=item&$populate[payments][voidedAt][$exists]=#false&$populate[payments][$sort][createdAt]=#1&$populate[payments][$populate][method][service]=billing-payment-methods&$populate[payments][$populate][method][method]=get&$populate[payments][$populate][method][localKey]=paymentMethod"},
		{"dotted path and reserved characters", encounters.NewQuery().Where("owner.account", "a&b=c #1").Where("notes", "ünïcode/€"),
			"owner.account=a&b=c #1&notes=ünïcode/€"},
		{"raw operator", encounters.NewQuery().Set("^px", "name", "$regex").Set("i", "name", "$options"), "name[$regex]=^px&name[$options]=i"},
		{"named string", encounters.NewQuery().Where("status", encounters.IntentCaptured), "status=captured"},
		{"named number and bool", encounters.NewQuery().Where("order", encounters.Descending).Ne("level", level(3)).Where("flag", toggle(true)),
			"order=#-1&level[$ne]=#3&flag=#true"},
		{"named slice", encounters.NewQuery().Where("type", []encounters.PaymentType{encounters.PaymentPrivate, "refund"}).In("status", encounters.IntentPending, encounters.IntentApproved),
			"type[0]=private&type[1]=refund&status[$in][0]=pending&status[$in][1]=approved"},
	}
}

func TestGoldenQueries(t *testing.T) {
	cases := goldenQueries()
	require.GreaterOrEqual(t, len(cases), 15)
	var got strings.Builder
	for _, tc := range cases {
		enc, err := tc.q.Encode()
		require.NoError(t, err, tc.name)
		fmt.Fprintf(&got, "%s\t%s\n", tc.name, enc)
		readable, err := url.PathUnescape(enc)
		require.NoError(t, err)
		assert.Equal(t, tc.readable, readable, tc.name)
		// Only RFC 3986 unreserved characters and escapes go on the wire.
		assert.Regexp(t, `^[A-Za-z0-9\-_.~%&=]*$`, enc, tc.name)
		// The decoder reads back the same query.
		back, err := encounters.ParseQuery(enc)
		require.NoError(t, err, tc.name)
		assert.Equal(t, enc, back.String(), tc.name)
	}
	path := "testdata/queries.golden"
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got.String())
}

func TestGoldenFileIsPercentEncoded(t *testing.T) {
	f, err := os.Open("testdata/queries.golden")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	found := false
	for sc.Scan() {
		name, enc, _ := strings.Cut(sc.Text(), "\t")
		if name == "research example" {
			found = true
			assert.True(t, strings.HasPrefix(enc, "facility=fac1&finalizedAt%5B%24exists%5D=%23true&"), enc)
		}
	}
	assert.True(t, found)
}

// Named types of the encounters package and of callers.
type (
	level  uint16
	toggle bool
	ratio  float64
	code   string
)

// TestQueryNamedTypes: a value is encoded like its underlying kind, so a named
// type encodes exactly as the plain value does.
func TestQueryNamedTypes(t *testing.T) {
	cases := []struct {
		name         string
		named, plain any
	}{
		{"package string constant", encounters.IntentCaptured, "captured"},
		{"caller string type", code("x-1"), "x-1"},
		{"invoice type", encounters.InvoiceTypeMedicalEncounter, "medical-encounter"},
		{"named int", encounters.Descending, -1},
		{"named uint", level(7), uint(7)},
		{"named bool", toggle(false), false},
		{"slice of named strings", []encounters.PaymentIntentStatus{encounters.IntentPending, encounters.IntentCaptured}, []string{"pending", "captured"}},
		{"slice of ints", []int{1, 2}, []any{1, 2}},
		{"array of named uints", [2]level{4, 5}, []any{4, 5}},
		{"empty named slice", []code{}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encounters.NewQuery().Where("f", tc.named).Gte("g", tc.named).Encode()
			require.NoError(t, err)
			want, err := encounters.NewQuery().Where("f", tc.plain).Gte("g", tc.plain).Encode()
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestQueryRefusesAmbiguousValues(t *testing.T) {
	cases := []struct {
		name  string
		q     *encounters.Query
		param string
	}{
		{"string starting with #", encounters.NewQuery().Where("ref", "#10"), "ref"},
		{"bracket in a field", encounters.NewQuery().Where("a[b]", "x"), "a[b]"},
		{"all-digit field", encounters.NewQuery().Where("7", "x"), "7"},
		{"plain array over qs arrayLimit", encounters.NewQuery().Where("id", make([]any, 21)), "id"},
		{"float", encounters.NewQuery().Where("amount", 1.1), "amount"},
		{"named float", encounters.NewQuery().Where("ratio", ratio(0.5)), "ratio"},
		{"slice of floats", encounters.NewQuery().In("amount", []float64{1.5}), "amount[$in]"},
		{"named string starting with #", encounters.NewQuery().Where("code", code("#1")), "code"},
		{"bytes", encounters.NewQuery().Where("raw", []byte("x")), "raw"},
		{"struct", encounters.NewQuery().Where("owner", encounters.CustomerOwner{}), "owner"},
		{"bad sort order", encounters.NewQuery().Sort("createdAt", 2), "$sort[createdAt]"},
		{"populate without service", encounters.NewQuery().Populate("x", encounters.Populate{Method: encounters.PopulateGet, LocalKey: "id"}), "$populate[x][service]"},
		{"populate find without foreignKey", encounters.NewQuery().Populate("x", encounters.Populate{Service: "s", Method: encounters.PopulateFind, LocalKey: "id"}), "$populate[x][foreignKey]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { refused(t, tc.q, tc.param) })
	}
	// 20 elements is exactly what qs (arrayLimit 20, a count since 6.14.2) still reads as an array.
	_, err := encounters.NewQuery().Where("id", make([]any, 20)).Encode()
	assert.NoError(t, err)
}

func TestParseQueryAcceptsQsForms(t *testing.T) {
	cases := []struct{ raw, canonical string }{
		{"a[]=x&a[]=y", "a%5B0%5D=x&a%5B1%5D=y"},
		{"a=1&a=2", "a%5B0%5D=1&a%5B1%5D=2"},
		{"a[1]=y&a[0]=x", "a%5B0%5D=x&a%5B1%5D=y"},
		{"?%24limit=%2310", "%24limit=%2310"},
		{"q=a+b", "q=a%20b"},
	}
	for _, tc := range cases {
		q, err := encounters.ParseQuery(tc.raw)
		require.NoError(t, err, tc.raw)
		assert.Equal(t, tc.canonical, q.String(), tc.raw)
	}
	for _, bad := range []string{"a[=1", "[a]=1", "a]=1", "a[b]c=1", "%zz=1", "a=1&a[b]=2"} {
		_, err := encounters.ParseQuery(bad)
		assert.Error(t, err, bad)
	}
}

// FuzzQueryDecode: any input either fails cleanly or decodes to a query whose
// encoding decodes to the same encoding (a fixed point).
func FuzzQueryDecode(f *testing.F) {
	for _, tc := range goldenQueries() {
		f.Add(tc.q.String())
	}
	f.Add("a[]=x&a[]=y&b&c=%23[]")
	f.Add("a[0]=x&a[25]=y")
	f.Add("%23=1&x=%23true&y=%23-1.5e3")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := encounters.ParseQuery(raw)
		if err != nil {
			return
		}
		enc, err := q.Encode()
		if err != nil {
			return // decodable but not re-encodable (e.g. a "#x" string): refused, never mangled
		}
		again, err := encounters.ParseQuery(enc)
		require.NoError(t, err, "re-encoded %q", enc)
		assert.Equal(t, enc, again.String())
	})
}

// FuzzQueryRoundTrip builds queries from arbitrary field names and values:
// whatever the encoder accepts, the decoder reads back unchanged.
func FuzzQueryRoundTrip(f *testing.F) {
	f.Add("facility", "fac1", int64(10), true, "createdAt")
	f.Add("a.b", "x y&z=", int64(-1), false, "$sort")
	f.Add("ü", "#10", int64(0), true, "0")
	f.Fuzz(func(t *testing.T, field, s string, n int64, b bool, other string) {
		q := encounters.NewQuery().Where(field, s).Gte(other, n).Exists(field+"x", b).In("k", s, n, b, nil).Limit(int(n & 0xff))
		enc, err := q.Encode()
		if err != nil {
			var perr *polybill.Error
			require.ErrorAs(t, err, &perr)
			return
		}
		back, err := encounters.ParseQuery(enc)
		require.NoError(t, err, enc)
		assert.Equal(t, enc, back.String())
	})
}
