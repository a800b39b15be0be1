package encounters

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/internal/benchdata"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// The fast decoders (fastdecode.go) must give exactly what the encoding/json path gives. The
// checks below hold for any input: when a fast decoder accepts, the slow path accepts too and
// decodes the same value, Raw and Populated included; a declining page decoder leaves its page
// untouched; and the decoders the transport calls (fast, then slow on decline, the record
// zeroed again in between) return the same value and the same error as the slow path alone.

// checkInvoice checks Invoice.decodeFast against Invoice.UnmarshalJSON on b and reports
// whether the fast path accepted b.
func checkInvoice(t testing.TB, b []byte) bool {
	t.Helper()
	var slow Invoice
	slowErr := slow.UnmarshalJSON(b)

	var viaFresh Invoice
	freshErr := (&freshRecord[Invoice]{&viaFresh}).UnmarshalJSON(b)
	assertSameOutcome(t, b, slowErr, freshErr)
	assert.Equal(t, slow, viaFresh, "%q", b)

	var fast Invoice
	if fast.decodeFast(b) != nil {
		return false
	}
	require.NoError(t, slowErr, "the fast path accepted what encoding/json refuses: %q", b)
	assert.Equal(t, slow, fast, "%q", b)
	return true
}

// checkPage checks wirePage[T].decodeFast against decodeSlow on b and reports whether the
// fast path accepted b.
func checkPage[T any](t testing.TB, b []byte) bool {
	t.Helper()
	var slow wirePage[T]
	slowErr := slow.decodeSlow(b)

	var both wirePage[T]
	bothErr := both.UnmarshalJSON(b)
	assertSameOutcome(t, b, slowErr, bothErr)
	assert.Equal(t, slow, both, "%q", b)

	var fast wirePage[T]
	if fast.decodeFast(b) != nil {
		assert.True(t, reflect.ValueOf(fast).IsZero(), "a declining fast path leaves the page untouched: %q", b)
		return false
	}
	require.NoError(t, slowErr, "the fast path accepted what encoding/json refuses: %q", b)
	assert.Equal(t, slow, fast, "%q", b)
	return true
}

func assertSameOutcome(t testing.TB, b []byte, want, got error) {
	t.Helper()
	if want == nil {
		assert.NoError(t, got, "%q", b)
		return
	}
	if assert.Error(t, got, "%q", b) {
		assert.Equal(t, want.Error(), got.Error(), "%q", b)
	}
}

// checkPages runs checkPage for every record type of the package: Invoice has a fast record
// decoder, the others go through the shared envelope with their own UnmarshalJSON.
func checkPages(t testing.TB, b []byte) bool {
	t.Helper()
	ok := checkPage[Invoice](t, b)
	checkPage[Item](t, b)
	checkPage[Payment](t, b)
	checkPage[Customer](t, b)
	checkPage[PaymentIntent](t, b)
	checkPage[Encounter](t, b)
	return ok
}

func benchInvoice(testing.TB) []byte { return benchdata.Record("encounters_invoice.json") }

// benchPage is a find answer as ./bench serves it: n copies of the bench invoice.
func benchPage(tb testing.TB, n int) []byte {
	return benchdata.Page(`{"total":100000,"limit":100,"skip":200,"data":[`, benchInvoice(tb), n, `]}`)
}

// fakeBodies returns what the fake serves for invoices (testdata/fastdecode, written by
// TestFastDecodeSeedsAreCurrent): records and find pages in both shapes.
func fakeBodies(tb testing.TB) (records, pages [][]byte) {
	tb.Helper()
	files, err := filepath.Glob("testdata/fastdecode/*.json")
	require.NoError(tb, err)
	require.NotEmpty(tb, files)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(tb, err)
		if strings.HasPrefix(filepath.Base(name), "page-") {
			pages = append(pages, b)
		} else {
			records = append(records, b)
		}
	}
	return records, pages
}

// invoiceEdgeCases are records around the fast path's limits: each either decodes exactly or
// declines.
var invoiceEdgeCases = []string{
	`{}`,
	`{"id":"a","notes":"tab\tquote\"slash\/ \u00e9 \ud83d\ude00 \ud800"}`,
	"{\"id\":\"\xff\xfe\"}",
	`{"id":null}`,
	`{"id":"a","id":"b"}`,
	`{"ID":"a"}`,
	`{"Id":"a","id":"b"}`,
	`{"ıd":"a"}`,
	`{"finalizedat":1}`,
	`{"id":5}`,
	`{"id":"a","total":"1500.00","paid":"0","balance":-1.5e2}`,
	`{"total":"abc"}`,
	`{"total":true}`,
	`{"total":{"a":1}}`,
	`{"createdAt":"1700000000000"}`,
	`{"createdAt":1.7e12,"finalizedAt":-1}`,
	`{"createdAt":99999999999999999999}`,
	`{"finalizedAt":null,"createdAt":0}`,
	`{"subjectTags":[],"tags":["a","b\n"],"coverageTypes":[null]}`,
	`{"tags":"x"}`,
	`{"discounts":[]}`,
	`{"discounts":[null]}`,
	`{"discounts":[{"amount":null}]}`,
	`{"discounts":[{"amount":"1.50","percentage":3,"ID":"x"}]}`,
	`{"discounts":[{"id":"a","id":"b"}]}`,
	`{"discounts":[{"unknown":{"deep":[1,2,{"x":null}]}}]}`,
	`{"$populated":{}}`,
	`{"$populated":{"a":null,"a":{"x":1},"b\u0041":[1, 2],"\u00e9":"x"}}`,
	`{"$populated":[]}`,
	`{"$POPULATED":{}}`,
	`{"raw":"x","Raw":"y","unknown":{"nested":{"id":5}},"extra":[null,true]}`,
	`{"type":"weird","status":"paid","taxComplication":"exclusive"}`,
	` {"id":"a"} `,
	`{"id":"a"}  `,
	`{"id":"a"`,
	`{"id":"a"}x`,
	`null`,
	`[]`,
	`"x"`,
	``,
}

var pageEdgeCases = []string{
	`{"total":0,"limit":10,"skip":0,"data":[]}`,
	`{"total":2,"data":[{"id":"a"},{"id":"b","notes":null}]}`,
	`{"total":2,"data":[{"id":"a"},null]}`,
	`{"total":1,"data":[{"id":5}]}`,
	`{"total":1,"data":[{"id":"a"}],"extra":{"x":[1]}}`,
	`{"total":1,"limit":-1,"skip":-5}`,
	`{"total":-3,"data":[]}`,
	`{"limit":1,"data":[]}`,
	`{"total":null,"data":[]}`,
	`{"total":1.5}`,
	`{"total":"3"}`,
	`{"total":1,"total":2}`,
	`{"Total":1}`,
	`{"total":1,"DATA":[]}`,
	`{"total":1,"data":{}}`,
	`{"total":1,"data":null}`,
	`{"total":99999999999999999999}`,
	`[]`,
	`[{"id":"a"},{"id":"b","createdAt":"1"}]`,
	`[null]`,
	`[1]`,
	` [{"id":"a"}] `,
	`"x"`,
	`5`,
	`null`,
	`{"total":1,"data":[{"id":"a"}]`,
}

func TestInvoiceFastDecodeAgrees(t *testing.T) {
	records, _ := fakeBodies(t)
	for _, r := range records {
		assert.True(t, checkInvoice(t, r), "the fast path reads the fake's record %s", r)
	}
	assert.True(t, checkInvoice(t, benchInvoice(t)), "the fast path reads the bench record")
	for _, s := range invoiceEdgeCases {
		checkInvoice(t, []byte(s))
	}
}

func TestPageFastDecodeAgrees(t *testing.T) {
	_, pages := fakeBodies(t)
	for _, p := range pages {
		assert.True(t, checkPages(t, bytes.TrimSpace(p)), "the fast path reads the fake's page %s", p)
	}
	assert.True(t, checkPages(t, benchPage(t, 3)))
	for _, s := range pageEdgeCases {
		checkPages(t, []byte(s))
	}
}

// TestFastPathDeclines lists inputs the fast decoders must hand to encoding/json, and inputs
// they must read themselves, so a fast path that silently stopped running (or started
// guessing) fails here.
func TestFastPathDeclines(t *testing.T) {
	declineInvoice := []string{
		`{"id":null}`, `{"id":"a","id":"b"}`, `{"ID":"a"}`, `{"ıd":"a"}`, `{"finalizedat":1}`,
		`{"id":5}`, `{"total":"abc"}`, `{"total":true}`, `{"createdAt":"1700000000000"}`,
		`{"createdAt":1.7e12}`, `{"createdAt":99999999999999999999}`, `{"tags":["b\n"]}`,
		`{"coverageTypes":[null]}`, `{"tags":"x"}`, `{"discounts":[null]}`,
		`{"discounts":[{"amount":null}]}`, `{"discounts":[{"ID":"x"}]}`, `{"discounts":{}}`,
		`{"$populated":[]}`, `{"$POPULATED":{}}`, ` {"id":"a"}`, `{"id":"a"`, `null`, `[]`, `""`, ``,
	}
	for _, s := range declineInvoice {
		var inv Invoice
		assert.ErrorIs(t, inv.decodeFast([]byte(s)), jsonscan.ErrDecline, "invoice %s", s)
	}
	acceptInvoice := []string{
		`{}`, `{"id":"a","notes":"a\nb \u00e9"}`, "{\"id\":\"\xff\"}", `{"total":"1.50","paid":2,"balance":-1.5e2}`,
		`{"finalizedAt":-1,"createdAt":0}`, `{"discounts":[],"tags":[]}`,
		`{"$populated":{"a":null,"a":[1]}}`, `{"Raw":"x","unknown":{"id":5}}`,
	}
	for _, s := range acceptInvoice {
		var inv Invoice
		assert.NoError(t, inv.decodeFast([]byte(s)), "invoice %s", s)
	}

	declinePage := []string{
		`{"limit":1,"data":[]}`, `{"total":null}`, `{"total":1.5}`, `{"total":"3"}`,
		`{"total":1,"total":2}`, `{"Total":1}`, `{"total":1,"data":{}}`, `{"total":1,"data":null}`,
		`{"total":1,"data":[{"id":5}]}`, `[1]`, `"x"`, `5`, `null`,
	}
	for _, s := range declinePage {
		var p wirePage[Invoice]
		assert.ErrorIs(t, p.decodeFast([]byte(s)), jsonscan.ErrDecline, "page %s", s)
	}
	// A record the record decoder declines is decoded by its UnmarshalJSON; the page stays fast.
	acceptPage := []string{
		`{"total":0,"data":[]}`, `{"total":2,"data":[{"id":"a"},{"id":"b","notes":null}]}`,
		`[{"id":"a"},{"createdAt":"1"}]`, `[null]`, `[]`,
	}
	for _, s := range acceptPage {
		var p wirePage[Invoice]
		assert.NoError(t, p.decodeFast([]byte(s)), "page %s", s)
	}
}

// TestDecodeTarget: gets, creates, patches and removes of invoices decode through the fast
// path; records without one are decoded by encoding/json as before.
func TestDecodeTarget(t *testing.T) {
	inv := new(Invoice)
	fr, ok := decodeTarget(inv).(*freshRecord[Invoice])
	require.True(t, ok)
	assert.Same(t, inv, fr.v)
	item := new(Item)
	assert.Same(t, item, decodeTarget(item))
}

// TestFastKeysMatchStructs keeps the fast decoders' key sets in step with the structs: a field
// added to Invoice or Discount but not to the fast path would otherwise be dropped silently by
// it (an unknown key is skipped) while encoding/json decodes it.
func TestFastKeysMatchStructs(t *testing.T) {
	invoiceKeys := append(jsonKeys(reflect.TypeFor[Invoice]()), "finalizedAt", "createdAt")
	assert.ElementsMatch(t, invoiceKeys, invoiceFields.Keys())
	assert.ElementsMatch(t, jsonKeys(reflect.TypeFor[Discount]()), discountFields.Keys())
	assert.ElementsMatch(t, []string{"total", "limit", "skip", "data"}, pageFields.Keys())
}

func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		keys = append(keys, name)
	}
	return keys
}

func fuzzSeeds(f *testing.F, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(slices.Clone(s))
	}
}

func FuzzInvoiceFastDecode(f *testing.F) {
	records, _ := fakeBodies(f)
	fuzzSeeds(f, records...)
	fuzzSeeds(f, benchInvoice(f))
	for _, s := range invoiceEdgeCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkInvoice(t, b)
	})
}

func FuzzPageFastDecode(f *testing.F) {
	records, pages := fakeBodies(f)
	fuzzSeeds(f, pages...)
	fuzzSeeds(f, benchPage(f, 2))
	for _, r := range records {
		f.Add([]byte(`{"total":3,"limit":2,"skip":1,"data":[` + string(r) + `]}`))
		f.Add([]byte(`[` + string(r) + `,{"id":"x","status":null}]`))
	}
	for _, s := range pageEdgeCases {
		f.Add([]byte(s))
	}
	for _, s := range invoiceEdgeCases[:10] {
		f.Add([]byte(`{"total":1,"data":[` + s + `]}`))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkPages(t, b)
	})
}

// BenchmarkDecodePage compares the decoding of a bench-sized find answer (100 invoices) by the
// transport's json.Unmarshal with and without the fast path (./bench has the raw baseline).
func BenchmarkDecodePage(b *testing.B) {
	page := benchPage(b, 100)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			var p wirePage[Invoice]
			if err := p.DecodeBody(page); err != nil || len(p.Items) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("slow", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			var p slowPage[Invoice]
			if err := json.Unmarshal(page, &p); err != nil || len(p.Items) != 100 {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeInvoice(b *testing.B) {
	rec := benchInvoice(b)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			inv := new(Invoice)
			if err := json.Unmarshal(rec, decodeTarget(inv)); err != nil || inv.ID == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("slow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			inv := new(Invoice)
			if err := json.Unmarshal(rec, inv); err != nil || inv.ID == "" {
				b.Fatal(err)
			}
		}
	})
}

// TestDecodeBodyIsTheOldPath: what the transport now hands the body to gives exactly what it
// gave before BodyDecoder, json.Unmarshal, value and error text, for bodies around the edges of
// JSON: whitespace JSON does not allow (bytes.TrimSpace would drop it), trailing data, a cut.
func TestDecodeBodyIsTheOldPath(t *testing.T) {
	rec := string(benchInvoice(t))
	for _, body := range []string{
		rec, " \r\n\t" + rec + "\n", "\v" + rec, rec + "\f", rec + "\u00a0", rec + " {}",
		`{"id":"i","note":"x` + "\t", `{"id":"i"`, "", "null", `[]`, `"s"`,
		`{"total":1,"limit":1,"skip":0,"data":[` + rec + `]}`, `{"total":1,"data":[]}` + "\v",
		"\u00a0[]", `[` + rec + `] x`,
	} {
		t.Run(strconv.Quote(body[:min(len(body), 24)]), func(t *testing.T) {
			var got, want Invoice
			gotErr := decodeTarget(&got).(*freshRecord[Invoice]).DecodeBody([]byte(body))
			wantErr := json.Unmarshal([]byte(body), &want)
			assertSameResult(t, want, got, wantErr, gotErr)

			var gotPage wirePage[Invoice]
			var wantPage slowPage[Invoice]
			gotErr = gotPage.DecodeBody([]byte(body))
			wantErr = json.Unmarshal([]byte(body), &wantPage)
			assertSameResult(t, wirePage[Invoice](wantPage), gotPage, wantErr, gotErr)
		})
	}
}

func assertSameResult[T any](t *testing.T, want, got T, wantErr, gotErr error) {
	t.Helper()
	if wantErr != nil {
		require.Error(t, gotErr)
		assert.Equal(t, wantErr.Error(), gotErr.Error())
		return
	}
	require.NoError(t, gotErr)
	assert.Equal(t, want, got)
}
