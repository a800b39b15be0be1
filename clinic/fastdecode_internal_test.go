package clinic

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/benchdata"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// compactFixture is a recorded bench payload, compacted as the bench server sends it.
func compactFixture(_ testing.TB, name string) []byte { return benchdata.Record(name) }

// benchPage is a page of n bench summaries in the bench server's envelope.
func benchPage(tb testing.TB, n int) []byte {
	return benchdata.Page(`{"data":[`, compactFixture(tb, "clinic_summary.json"), n, `],"meta":{"page":1,"per_page":100,"total":100000,"total_pages":1000}}`)
}

// BenchmarkDecodeInvoice decodes the bench invoice as GetInvoice does (the transport hands the
// body to invoiceBody.DecodeBody) and as the bench's raw side does (a json.Decoder into a plain
// struct).
func BenchmarkDecodeInvoice(b *testing.B) {
	body := compactFixture(b, "clinic_invoice.json")
	b.Run("sdk", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var inv Invoice
			if err := (*invoiceBody)(&inv).DecodeBody(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var inv benchdata.ClinicInvoice
			if err := json.NewDecoder(bytes.NewReader(body)).Decode(&inv); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodePage decodes one 100-summary page as listInvoicesPage does (the transport
// hands the body to invoicePageBody.DecodeBody) and as the bench's raw side does.
func BenchmarkDecodePage(b *testing.B) {
	page := benchPage(b, maxPerPage)
	b.Run("sdk", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			d := invoicePageBody{page: 1, perPage: maxPerPage}
			if err := d.DecodeBody(page); err != nil || d.err != nil {
				b.Fatal(err, d.err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			var doc struct {
				Data []benchdata.ClinicSummary `json:"data"`
				Meta struct {
					TotalPages int `json:"total_pages"`
				} `json:"meta"`
			}
			if err := json.NewDecoder(bytes.NewReader(page)).Decode(&doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The fast decoders must agree with encoding/json: whenever one accepts its input, the
// encoding/json path accepts it too and decodes exactly the same value (Raw included). The
// checks below are shared by the table tests and the fuzz targets.

// checkInvoice reports whether invoiceFast accepted b, failing t if the slow path disagrees.
// It checks both entries: Invoice.UnmarshalJSON (b is the value encoding/json hands it) and
// invoiceBody.DecodeBody (b is a whole response body), whose every result and error must be
// json.Unmarshal's.
func checkInvoice(t *testing.T, b []byte) bool {
	t.Helper()
	var viaBody Invoice
	bodyErr := (*invoiceBody)(&viaBody).DecodeBody(b)
	var ref slowInvoice
	if refErr := json.Unmarshal(b, &ref); refErr != nil {
		require.Error(t, bodyErr, "DecodeBody accepted what json.Unmarshal refuses: %q", b)
		assert.Equal(t, refErr.Error(), bodyErr.Error(), "%q", b)
	} else {
		require.NoError(t, bodyErr, "%q", b)
		assert.Equal(t, Invoice(ref), viaBody, "%q", b)
	}

	fast, err := invoiceFast(b)
	if err != nil {
		require.ErrorIs(t, err, jsonscan.ErrDecline, "the fast path only ever declines")
		return false
	}
	var slow Invoice
	require.NoError(t, slow.unmarshalSlow(b), "the fast path accepted what encoding/json refuses: %q", b)
	assert.Equal(t, slow, fast, "%q", b)
	return true
}

// oldPage is what listInvoicesPage did before the transport handed it the body: json.Unmarshal
// into a json.RawMessage (its error is the transport's), then the encoding/json page decoder
// (its error is the list's).
func oldPage(body []byte, page, perPage int) (p *polybill.Page[InvoiceSummary], transportErr, listErr error) {
	var raw json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err, nil
	}
	items, meta, err := decodeInvoicePageSlow(jsonscan.TrimSpace(raw))
	if err != nil {
		return nil, nil, err
	}
	return invoicePageOf(items, meta, page, perPage), nil, nil
}

// checkPage reports whether decodeInvoicePageFast accepted body, failing t if the slow path
// disagrees about the items, the metadata or the page built from them, or if
// invoicePageBody.DecodeBody does not give exactly what oldPage gives, errors included.
func checkPage(t *testing.T, body []byte, page, perPage int) bool {
	t.Helper()
	d := invoicePageBody{page: page, perPage: perPage}
	bodyErr := d.DecodeBody(body)
	want, transportErr, listErr := oldPage(body, page, perPage)
	switch {
	case transportErr != nil:
		require.Error(t, bodyErr, "DecodeBody accepted what json.Unmarshal refuses: %q", body)
		assert.Equal(t, transportErr.Error(), bodyErr.Error(), "%q", body)
	case listErr != nil:
		require.NoError(t, bodyErr, "%q", body)
		require.Error(t, d.err, "%q", body)
		assert.Equal(t, listErr.Error(), d.err.Error(), "%q", body)
		assert.Equal(t, json.RawMessage(jsonscan.TrimSpace(body)), d.raw)
	default:
		require.NoError(t, bodyErr, "%q", body)
		require.NoError(t, d.err, "%q", body)
		assert.Equal(t, want, d.out, "%q", body)
	}

	items, meta, err := decodeInvoicePageFast(jsonscan.TrimSpace(body), perPage)
	if err != nil {
		require.ErrorIs(t, err, jsonscan.ErrDecline, "the fast path only ever declines")
		return false
	}
	require.NotNil(t, items)
	slowItems, slowMeta, err := decodeInvoicePageSlow(jsonscan.TrimSpace(body))
	require.NoError(t, err, "the fast path accepted what encoding/json refuses: %q", body)
	assert.Equal(t, slowMeta, meta, "%q", body)
	assert.Equal(t, invoicePageOf(slowItems, slowMeta, page, perPage), invoicePageOf(items, meta, page, perPage), "%q", body)
	return true
}

// checkParts runs every record decoder on b and each against what encoding/json calls for the
// same bytes, reporting the names of those that accepted.
func checkParts(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	accepted := map[string]bool{}
	agree := func(name string, fastErr, slowErr error, fast, slow any) {
		t.Helper()
		if fastErr != nil {
			require.ErrorIs(t, fastErr, jsonscan.ErrDecline, "%s: the fast path only ever declines", name)
			return
		}
		accepted[name] = true
		require.NoError(t, slowErr, "%s: the fast path accepted what encoding/json refuses: %q", name, b)
		assert.Equal(t, slow, fast, "%s: %q", name, b)
	}
	{
		fast, err := (&records{}).lineItem(b)
		var slow LineItem
		agree("line item", err, slow.UnmarshalJSON(b), fast, slow)
	}
	{
		fast, err := (&records{}).payment(b)
		var slow Payment
		agree("payment", err, slow.UnmarshalJSON(b), fast, slow)
	}
	{
		fast, err := (&records{}).summary(b)
		var slow InvoiceSummary
		agree("summary", err, slow.UnmarshalJSON(b), fast, slow)
	}
	{
		var fast, slow Party
		var t texts
		err := partyFast(b, &t, 3)
		if err == nil {
			t.flush()
			fast = Party{ID: t.get(3), Name: t.get(4)}
		}
		agree("party", err, json.Unmarshal(b, &slow), fast, slow)
	}
	{
		var fast, slow TaxBreakdown
		agree("tax", taxFast(b, &fast), json.Unmarshal(b, &slow), fast, slow)
	}
	{
		fast, err := metaFast(b)
		slow := new(listMeta)
		agree("meta", err, json.Unmarshal(b, slow), fast, slow)
	}
	{
		// texts, on the elements of an array of strings
		var elems [][]byte
		if jsonscan.Elements(b, func(e []byte) error { elems = append(elems, e); return nil }) == nil {
			fast := make([]string, len(elems))
			var t texts
			var err error
			for i, e := range elems {
				if i == maxSlots {
					err = jsonscan.ErrDecline
				}
				if err == nil {
					err = t.add(i, e)
				}
			}
			if err == nil {
				t.flush()
				for i := range elems {
					fast[i] = t.get(i)
				}
			}
			var slow []string
			agree("texts", err, json.Unmarshal(b, &slow), fast, slow)
		}
	}
	if !json.Valid(b) {
		// The leaf readers below only ever see one value jsonscan has validated.
		return accepted
	}
	{
		var fast, slow Date
		agree("date", date(b, &fast), slow.UnmarshalJSON(b), fast, slow)
	}
	{
		var fast, slow InvoiceStatus
		agree("status", readEnum(b, invoiceStatuses, &fast), json.Unmarshal(b, &slow), fast, slow)
	}
	{
		var fast, slow PaymentMode
		agree("mode", readEnum(b, paymentModes, &fast), json.Unmarshal(b, &slow), fast, slow)
	}
	return accepted
}

// readEnum reads an enum value as the fast decoders do: a constant, else through texts.
func readEnum[S ~string](v []byte, known []S, s *S) error {
	if c, ok := constant(v, known); ok {
		*s = c
		return nil
	}
	var t texts
	if err := t.add(0, v); err != nil {
		return err
	}
	t.flush()
	*s = S(t.get(0))
	return nil
}

// fakeInvoice and fakePage are bodies the fake (clinictest) serves: its field order, its
// number forms.
const (
	fakeInvoice = `{"balance":1860.00,"branch":{"id":"MUM-01"},"currency":"INR","date":"2026-11-23","discount":100.00,"grand_total":2360.00,"id":"INV-2026-00001","invoice_number":"MUM-01/2026/00001","line_items":[{"amount":1180.00,"department":"General Medicine","discount":0.00,"quantity":1,"rate":1000.00,"service_name":"Consultation","tax":180.00},{"amount":1180.00,"department":"Laboratory","discount":100.00,"quantity":2,"rate":550.00,"service_name":"Complete blood count","tax":180.00}],"paid":500.00,"patient":{"id":"PAT-2026-00001","name":"Test Patient"},"payments":[{"amount":500.00,"id":"PAY-2026-00001","invoice_id":"INV-2026-00001","payment_date":"2026-11-23","payment_mode":"upi","recorded_at":"2026-11-23T05:05:31+05:30","reference":"UPI-1"}],"status":"partially_paid","sub_total":2100.00,"tax":{"cgst":180.00,"igst":0.00,"sgst":180.00,"total":360.00},"total":2360.00}`
	fakePage    = `{"data":[{"balance":1860.00,"branch_id":"MUM-01","date":"2026-11-23","id":"INV-2026-00001","invoice_number":"MUM-01/2026/00001","paid":500.00,"patient_id":"PAT-2026-00001","patient_name":"Test Patient","status":"partially_paid","total":2360.00},{"balance":2360.00,"branch_id":"MUM-01","date":"2026-11-23","id":"INV-2026-00002","invoice_number":"MUM-01/2026/00002","paid":0.00,"patient_id":"PAT-2026-00001","patient_name":"Ravi Kumar","status":"finalized","total":2360.00}],"meta":{"page":1,"per_page":2,"total":2,"total_pages":1}}`
)

// acceptedInvoices are shapes the fast path must read itself (so it cannot silently decline
// everything); the slow path must agree on each.
func acceptedInvoices(tb testing.TB) []string {
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, compactFixture(tb, "clinic_invoice.json"), "", "  "); err != nil {
		tb.Fatal(err)
	}
	return []string{
		string(compactFixture(tb, "clinic_invoice.json")),
		pretty.String(),
		fakeInvoice,
		`{}`,
		`{"id":"INV-1","line_items":[],"payments":[]}`,
		// the variants: total for grand_total, flat patient and branch keys, no currency
		`{"id":"INV-2","total":"12.50","patient_id":"P-1","patient_name":"Ravi","branch_id":"DEL-02"}`,
		`{"grand_total":5,"total":7,"patient":{"id":"P"},"patient_id":"Q","branch":{"name":"x"},"branch_id":"B"}`,
		// numbers as strings and strings as numbers where Decimal takes both
		`{"sub_total":"2100.00","tax":{"cgst":"1.5","sgst":1.5,"igst":0,"total":3},"paid":1e2}`,
		// an interstate invoice, unknown keys (nested, too), unknown enum values, non-ASCII text
		`{"status":"void","currency":"USD","tax":{"igst":360.00,"total":360.00,"rate":18},"extra":{"a":[1,{"b":null}]},"patient":{"id":"P","name":"Zoë","age":40}}`,
		// dates: a timestamp, a leap day, year 0, the empty string
		`{"date":"2026-03-15T23:30:00+05:30","payments":[{"payment_date":"2024-02-29"},{"payment_date":"0000-01-01"},{"payment_date":""}]}`,
		// recorded_at that is not RFC 3339 reads as zero
		`{"payments":[{"id":"P","amount":1,"payment_mode":"wallet","recorded_at":"yesterday"}]}`,
		`{"line_items":[{"service_name":"X","quantity":1,"rate":1,"amount":1,"note":"n"}]}`,
		// more line items than list splits on the stack
		`{"line_items":[` + strings.Repeat(`{"service_name":"X","amount":1},`, 20) + `{"service_name":"Y"}]}`,
	}
}

func TestInvoiceFastAgrees(t *testing.T) {
	for _, in := range acceptedInvoices(t) {
		assert.True(t, checkInvoice(t, []byte(in)), "declined: %s", in)
	}
}

func TestInvoiceFastDeclines(t *testing.T) {
	for _, in := range []string{
		`null`,
		`[]`,
		` {}`, // encoding/json hands UnmarshalJSON trimmed bytes; anything else is not ours
		`{"id":null}`,
		`{"id":"a\u0041"}`,
		`{"id":"a","id":"b"}`,
		`{"ID":"a"}`,
		`{"Grand_Total":1}`,
		`{"ſtatus":"paid"}`,
		`{"id":1}`,
		`{"status":"pa\u0069d"}`,
		`{"date":"2026-02-30"}`,
		`{"date":20260315}`,
		`{"date":null}`,
		`{"paid":"abc"}`,
		`{"paid":1.005e-30000}`,
		`{"total":null}`,
		`{"patient":"P-1"}`,
		`{"patient":{"id":"P","ID":"Q"}}`,
		`{"patient":{"id":"P","id":"Q"}}`,
		`{"tax":[]}`,
		`{"tax":{"cgst":null}}`,
		`{"line_items":{}}`,
		`{"line_items":null}`,
		`{"line_items":[null]}`,
		`{"line_items":[{"rate":"1,000"}]}`,
		`{"line_items":[{"Service_Name":"x"}]}`,
		`{"payments":[{"recorded_at":7}]}`,
		`{"payments":[{"recorded_at":null}]}`,
		`{"payments":[{"payment_mode":"c\u0061sh"}]}`,
		`{"payments":[1]}`,
		`{"id":"a",}`,
		`{"id":"\xff"}`,
		"{\"id\":\"\xff\"}",
		`{"id":"a"}x`,
		"\f{}", // not JSON whitespace
		"{}\u00a0",
	} {
		assert.False(t, checkInvoice(t, []byte(in)), "accepted: %s", in)
	}
}

// acceptedPages are list bodies the fast path must read itself.
func acceptedPages(tb testing.TB) []string {
	item := string(compactFixture(tb, "clinic_summary.json"))
	return []string{
		string(benchPage(tb, 3)),
		fakePage,
		`[` + item + `,` + item + `]`,
		` [] `,
		"\n\t" + fakePage + "\r\n",
		`{"data":[]}`,
		`{"data":[],"meta":{}}`,
		`{"meta":{"total_count":10,"last_page":2,"current_page":1,"per_page":5},"data":[{"id":"A","total":"1.50","status":"paid","x":{"y":[]}}]}`,
		`{"data":[{"id":"A"}],"meta":{"total":-4,"total_pages":0},"links":{"next":null}}`,
		`{"data":[{"date":"2026-03-15T00:30:00+05:30","status":"unknown"}]}`,
	}
}

func TestInvoicePageFastAgrees(t *testing.T) {
	for _, in := range acceptedPages(t) {
		for _, pp := range [][2]int{{1, 1}, {1, 2}, {2, 2}, {1, 100}} {
			assert.True(t, checkPage(t, []byte(in), pp[0], pp[1]), "declined: %s", in)
		}
	}
}

func TestInvoicePageFastDeclines(t *testing.T) {
	for _, in := range []string{
		``,
		`null`,
		`{}`,
		`{"meta":{"total":1}}`,
		`{"data":null}`,
		`{"data":{}}`,
		`{"data":[],"data":[]}`,
		`{"Data":[]}`,
		`{"items":[]}`,
		`{"invoices":[]}`,
		`{"data":[],"pagination":{"total":1}}`,
		`{"data":[],"meta":null}`,
		`{"data":[],"meta":{"total":1.0}}`,
		`{"data":[],"meta":{"total":"1"}}`,
		`{"data":[],"meta":{"total":1,"total":2}}`,
		`{"data":[],"meta":{"Total":1}}`,
		`{"data":[],"meta":{"page":99999999999999999999}}`,
		`{"data":[null]}`,
		`{"data":[{"id":null}]}`,
		`{"data":[{"id":"a","ID":"b"}]}`,
		`{"data":[{"id":"\u00e9"}]}`,
		`{"data":[{"total":"x"}]}`,
		`{"data":[{"date":"15/03/2026"}]}`,
		`[{"status":7}]`,
		`[1]`,
		`[{}],`,
		`"data"`,
		"\f[]",
	} {
		assert.False(t, checkPage(t, []byte(in), 1, 20), "accepted: %s", in)
	}
}

func TestRecordDecodersAgree(t *testing.T) {
	for _, tt := range []struct {
		in      string
		accept  []string // decoders that must read in themselves
		decline []string // decoders that must leave in to encoding/json
	}{
		{in: `{"service_name":"Consultation","department":"General Medicine","quantity":1,"rate":1000.00,"discount":0.00,"tax":180.00,"amount":1180.00}`, accept: []string{"line item"}},
		{in: `{"id":"PAY-1","invoice_id":"INV-1","amount":1500.00,"payment_mode":"upi","reference":"UPI-1","payment_date":"2026-03-15","recorded_at":"2026-03-15T14:30:00+05:30"}`, accept: []string{"payment"}},
		{in: `{"id":"P","name":"Asha Rao"}`, accept: []string{"party", "summary", "payment"}},
		{in: `{"cgst":180.00,"sgst":180.00,"igst":0.00,"total":360.00}`, accept: []string{"tax"}},
		{in: `{"total":1,"total_pages":2,"page":1,"current_page":1,"last_page":2,"total_count":1}`, accept: []string{"meta"}},
		{in: `{"total":1.5}`, accept: []string{"tax", "summary"}, decline: []string{"meta"}},
		{in: `{"payment_mode":"cash","recorded_at":"not a time"}`, accept: []string{"payment"}},
		{in: `{"payment_mode":7}`, decline: []string{"payment"}},
		{in: `"2026-03-15"`, accept: []string{"date"}},
		{in: `"2024-02-29"`, accept: []string{"date"}},
		{in: `"2000-02-29"`, accept: []string{"date"}},
		{in: `"2026-03-15T01:02:03Z"`, accept: []string{"date"}},
		{in: `""`, accept: []string{"date", "status"}},
		{in: `null`, accept: []string{"date"}, decline: []string{"status", "mode", "party", "line item"}},
		{in: `"cash"`, accept: []string{"mode", "status"}},
		{in: `"partially_paid"`, accept: []string{"mode", "status"}},
		{in: `"2026-02-29"`, decline: []string{"date"}},
		{in: `"1900-02-29"`, decline: []string{"date"}},
		{in: `"2026-04-31"`, decline: []string{"date"}},
		{in: `"2026-13-01"`, decline: []string{"date"}},
		{in: `"2026-00-10"`, decline: []string{"date"}},
		{in: `"２０２６-03-15"`, decline: []string{"date"}},
		{in: `"cash`, decline: []string{"mode", "date"}},
		{in: `["a","","é","a\"b"]`, decline: []string{"texts"}},
		{in: `["a","","é","€"]`, accept: []string{"texts"}},
		{in: `["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16"]`, accept: []string{"texts"}},
		{in: `["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17"]`, decline: []string{"texts"}},
		{in: "[\"a\xc3\",\"\xa9b\"]", decline: []string{"texts"}}, // joined, the two would be valid UTF-8
		{in: `[1]`, decline: []string{"texts"}},
	} {
		got := checkParts(t, []byte(tt.in))
		for _, name := range tt.accept {
			assert.True(t, got[name], "%s declined %s", name, tt.in)
		}
		for _, name := range tt.decline {
			assert.False(t, got[name], "%s accepted %s", name, tt.in)
		}
	}
}

// fuzzEdges are seeds for every fuzz target below: escapes, nulls, repeated keys, case-folded
// and non-ASCII keys, numbers as strings, nested unknown objects, invalid JSON.
var fuzzEdges = []string{
	`{"id":"a\"b","status":"paid\n"}`,
	`{"id":null,"total":null,"data":null}`,
	`{"id":"a","id":"b"}`,
	`{"Id":"a","DATA":[],"Meta":{}}`,
	`{"ſervice_name":"x","K":1}`,
	`{"total":"1.50","paid":"0","quantity":"2","page":"1"}`,
	`{"unknown":{"nested":[{"deep":{"x":null}}],"s":"\u00e9"}}`,
	`{"date":"2026-02-29","payment_date":"2024-02-29T10:00:00Z"}`,
	`{"amount":1e400,"rate":-0,"tax":0.000000000000000000001}`,
	`{"id":"a",}`,
	`[{"id":"a"},]`,
	"{\"id\":\"\xff\xfe\"}",
}

// TestFastKeysMatchStructs keeps the fast decoders' key lists in step with the structs: a key
// a struct gains but its list lacks would be skipped by the fast path (an unknown key) while
// encoding/json decodes it. Each list must hold exactly its struct's JSON keys, plus the
// variants the slow paths read besides them.
func TestFastKeysMatchStructs(t *testing.T) {
	for _, c := range []struct {
		name   string
		fields *jsonscan.Fields
		want   []string
	}{
		{"summary", summaryFields, jsonKeys(reflect.TypeFor[InvoiceSummary]())},
		// Invoice.unmarshalSlow reads the variants besides Invoice's own keys.
		{"invoice", invoiceFields, append(jsonKeys(reflect.TypeFor[Invoice]()), "total", "patient_id", "patient_name", "branch_id")},
		{"party", partyFields, jsonKeys(reflect.TypeFor[Party]())},
		{"tax", taxFields, jsonKeys(reflect.TypeFor[TaxBreakdown]())},
		{"line item", lineItemFields, jsonKeys(reflect.TypeFor[LineItem]())},
		{"payment", paymentFields, jsonKeys(reflect.TypeFor[Payment]())},
		{"page", pageFields, jsonKeys(reflect.TypeFor[invoicePage]())},
		{"meta", metaFields, jsonKeys(reflect.TypeFor[listMeta]())},
	} {
		assert.ElementsMatch(t, c.want, c.fields.Keys(), c.name)
	}
}

// TestFastKeysAreHandled checks the other half: each listed key is read by its decoder, not
// declined by the default of its switch (the page's rare keys, declined on purpose, aside).
func TestFastKeysAreHandled(t *testing.T) {
	sample := map[string]string{
		"date": `"2026-01-02"`, "payment_date": `"2026-01-02"`, "recorded_at": `"2026-01-02T03:04:05+05:30"`,
		"status": `"paid"`, "payment_mode": `"cash"`, "currency": `"INR"`,
		"patient": `{"id":"P","name":"N"}`, "branch": `{"id":"B"}`, "tax": `{"cgst":1}`,
		"line_items": `[{"amount":1}]`, "payments": `[{"amount":1}]`,
		"data": `[{"id":"a"}]`, "meta": `{"page":1}`,
	}
	value := func(key string) string {
		if v, ok := sample[key]; ok {
			return v
		}
		return `"1"` // a string or a decimal
	}
	for _, key := range summaryFields.Keys() {
		b := []byte(`{"` + key + `":` + value(key) + `}`)
		assert.True(t, checkParts(t, b)["summary"], "summary declines %q", b)
	}
	for _, key := range invoiceFields.Keys() {
		b := []byte(`{"` + key + `":` + value(key) + `}`)
		assert.True(t, checkInvoice(t, b), "invoice declines %q", b)
	}
	parts := map[string]*jsonscan.Fields{"party": partyFields, "tax": taxFields, "line item": lineItemFields, "payment": paymentFields}
	for name, fields := range parts {
		for _, key := range fields.Keys() {
			v := value(key)
			if name == "line item" && key == "tax" { // a line item's tax is an amount
				v = `"1"`
			}
			b := []byte(`{"` + key + `":` + v + `}`)
			assert.True(t, checkParts(t, b)[name], "%s declines %q", name, b)
		}
	}
	for _, key := range metaFields.Keys() {
		b := []byte(`{"` + key + `":1}`)
		assert.True(t, checkParts(t, b)["meta"], "meta declines %q", b)
	}
	for _, key := range pageFields.Keys() {
		b := []byte(`{"data":[],"` + key + `":` + value(key) + `}`)
		if key == "data" {
			b = []byte(`{"data":[]}`)
		}
		rare := key == "items" || key == "invoices" || key == "pagination"
		assert.Equal(t, !rare, checkPage(t, b, 1, 10), "page on %q", b)
	}
}

// jsonKeys returns the keys encoding/json decodes into a struct of type t: each exported
// field's tag name (options such as omitempty cut off), or its Go name when the tag gives
// none; "-" fields are skipped and untagged embedded structs are flattened.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				keys = append(keys, jsonKeys(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		keys = append(keys, name)
	}
	return keys
}

func FuzzInvoiceFastMatchesSlow(f *testing.F) {
	for _, in := range acceptedInvoices(f) {
		f.Add([]byte(in))
	}
	for _, in := range fuzzEdges {
		f.Add([]byte(in))
	}
	f.Add([]byte(" \r\n" + fakeInvoice + "\t"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkInvoice(t, b)
	})
}

func FuzzInvoicePageFastMatchesSlow(f *testing.F) {
	for i, in := range acceptedPages(f) {
		f.Add([]byte(in), 1+i%3, 1+i%4)
	}
	for _, in := range fuzzEdges {
		f.Add([]byte(in), 1, 20)
		f.Add([]byte(`{"data":[`+in+`]}`), 2, 1)
	}
	f.Fuzz(func(t *testing.T, b []byte, page, perPage int) {
		if page < 1 || page > 1000 || perPage < 1 || perPage > maxPerPage {
			return
		}
		checkPage(t, b, page, perPage)
	})
}

func FuzzRecordDecodersMatchSlow(f *testing.F) {
	for _, in := range acceptedInvoices(f) {
		// Each record the invoices hold, and the invoices themselves.
		f.Add([]byte(in))
		_ = jsonscan.ScanObject([]byte(in), func(_, v []byte) error {
			f.Add(v)
			if len(v) > 0 && v[0] == '[' {
				_ = jsonscan.ScanArray(v, func(e []byte) error { f.Add(e); return nil })
			}
			return nil
		})
	}
	for _, in := range acceptedPages(f) {
		f.Add([]byte(strings.TrimSpace(in)))
	}
	for _, in := range fuzzEdges {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkParts(t, b)
	})
}

// BenchmarkDecodeRatio times the SDK's and the raw decode alternately, one call each per
// iteration, and reports sdk/raw: on a shared machine the two then see the same load.
func BenchmarkDecodeRatio(b *testing.B) {
	invoice := compactFixture(b, "clinic_invoice.json")
	page := benchPage(b, maxPerPage)
	run := func(b *testing.B, sdk, raw func() error) {
		var tSDK, tRaw time.Duration
		for b.Loop() {
			t0 := time.Now()
			if err := sdk(); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := raw(); err != nil {
				b.Fatal(err)
			}
			tSDK, tRaw = tSDK+t1.Sub(t0), tRaw+time.Since(t1)
		}
		b.ReportMetric(float64(tSDK)/float64(tRaw), "sdk/raw")
	}
	b.Run("invoice", func(b *testing.B) {
		run(b, func() error {
			var inv Invoice
			return (*invoiceBody)(&inv).DecodeBody(invoice)
		}, func() error {
			var inv benchdata.ClinicInvoice
			return json.NewDecoder(bytes.NewReader(invoice)).Decode(&inv)
		})
	})
	b.Run("page", func(b *testing.B) {
		run(b, func() error {
			d := invoicePageBody{page: 1, perPage: maxPerPage}
			if err := d.DecodeBody(page); err != nil {
				return err
			}
			return d.err
		}, func() error {
			var doc struct {
				Data []benchdata.ClinicSummary `json:"data"`
				Meta struct {
					TotalPages int `json:"total_pages"`
				} `json:"meta"`
			}
			return json.NewDecoder(bytes.NewReader(page)).Decode(&doc)
		})
	})
}
