package crm

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm/internal/oapiserver"
	"github.com/polybill/polybill-go/internal/benchdata"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// The fast decoders must read exactly what decodeSlow reads: for any input they accept, the
// slow path accepts too and gives an identical result (Attributes included). The slow
// document decoders read their billings through Billing.UnmarshalJSON, which tries the fast
// path first: the document checks hold the envelope and meta, and checkElements holds every
// billing's fast read against Billing.decodeSlow.

// benchRecord is the bench's GetBilling body, as the bench server sends it.
func benchRecord(testing.TB) []byte { return benchdata.Record("crm_billing.json") }

// benchPage is a page of n bench billings in the bench server's envelope: the record's data
// member verbatim, comma separated.
func benchPage(tb testing.TB, n int) []byte {
	tb.Helper()
	var doc struct{ Data json.RawMessage }
	require.NoError(tb, json.Unmarshal(benchRecord(tb), &doc))
	return benchdata.Page(`{"data":[`, doc.Data, n, `],"meta":{"current_page":1,"total_pages":1000,"total_count":100000,"per_page":100}}`)
}

// fakeResource is a billing as crmtest renders it (every attribute it can send), from the
// generated server model the fake uses.
func fakeResource(tb testing.TB) []byte {
	tb.Helper()
	s := func(v string) *string { return &v }
	at := func(v string) *time.Time {
		t, err := time.Parse(time.RFC3339Nano, v)
		require.NoError(tb, err)
		return &t
	}
	amount := polybill.MustDecimal("250.00")
	r := oapiserver.BillingResource{ID: "b-1", Type: "billing", Attributes: oapiserver.BillingAttributes{
		UniqueID: s("b-1"), MeetingID: s("m-1"), Amount: &amount, Currency: s("EUR"),
		PayerName: s("Acme Corp"), PayerEmail: s("billing@acme.com"), BillingType: s("session"),
		ParticipantEmail: s("jane@acme.com"), Status: s("paid"), BillingStatus: s("paid"), Notes: s("n"),
		DueAt: at("2026-02-10T00:00:00Z"), PaidAt: at("2026-02-01T09:15:00.123456789Z"),
		CreatedAt: at("2026-01-10T10:30:00Z"), UpdatedAt: at("2026-01-11T10:30:00+02:00"),
	}}
	b, err := json.Marshal(r)
	require.NoError(tb, err)
	return b
}

// seedResources are billing resources: the shapes servers send and the edge cases of the
// fast path (each either read exactly or declined).
var seedResources = []string{
	`{"id":"a","type":"billing","attributes":{}}`,
	`{"id":42,"type":"meeting_billing","attributes":{"fee_amount":1234.5,"fee_currency":"USD","invoice_due_date":"2026-03-01T00:00:00.000Z","billing_notes":"n","contact_unique_id":"c-1","status":"overdue","created_at":"2026-01-12 10:30:00 UTC"},"relationships":{"meeting":{"data":{"id":"m-1","type":"meeting"}}}}`,
	`{"id":"a","attributes":{"amount":"250.0","fee_amount":1,"uniqueId":"x","unique_id":"y","meetingUniqueId":"m","meeting_unique_id":"n"}}`,
	`{"id":"","attributes":{"unique_id":"u","amount":-0.5,"due_date":"2026-01-02","due_at":"bad","paid_at":12,"paidAt":"2026-01-01T00:00:00+05:30"}}`,
	`{"id":"a","attributes":{"status":true,"notes":1e3,"payer_name":"Zoë","payer_email":"\u00e9@x","currency":"\u0000"}}`,
	`{"id":"a","attributes":{"status":null}}`,
	`{"id":"a","id":"b","attributes":{}}`,
	`{"id":"a","attributes":{"status":"a","status":"b"}}`,
	`{"ID":"a","attributes":{}}`,
	`{"id":"a","attributes":{"Status":"paid","AMOUNT":1}}`,
	`{"id":"a","attributes":{"stätus":"x","extra":{"nested":[1,{"status":"x"}]}}}`,
	`{"id":"a","unique_id":"a","amount":1}`,
	`{"id":"a","attributes":[]}`,
	`{"id":{},"attributes":{}}`,
	`{"id":"a","attributes":{"amount":"abc"}}`,
	`{"id":"a","attributes":{"amount":[1]}}`,
	`{"id":"a","attributes":{"amount":1.005e2}}`,
	`{"id":"a","attributes":{"amount":"\u0031"}}`,
	`{"id":"a","attributes":{"created_at":{"t":1}}}`,
	"{\"id\":\"\xff\xfe\",\"attributes\":{\"notes\":\"\xc3\"}}",
	` {"id":"a","attributes":{}} `,
	`{"id":"a","attributes":{}`,
	`[]`, `null`, `"x"`, `1`, ``,
}

// seedDocuments are response bodies of GetBilling and ListMeetingBillings.
var seedDocuments = []string{
	`{"data":{"id":"a","type":"billing","attributes":{"amount":1}}}`,
	`{"data":[{"id":"a","attributes":{}},{"id":"b","attributes":{"unique_id":"b"}}],"meta":{"current_page":1,"total_pages":2,"total_count":3,"per_page":2}}`,
	`{"data":[],"meta":{"currentPage":2,"totalPages":2,"totalRecords":3,"page":1,"total":9,"records":4}}`,
	`{"data":[],"meta":{"current_page":"1","total_pages":1.5}}`,
	`{"data":[{"id":"a","attributes":{}},{"unique_id":"b"}]}`,
	`{"data":[{"id":"a","attributes":{"notes":"a\"b"}}]}`,
	`{"data":null,"meta":{"total_pages":1}}`,
	`{"data":{"id":"a","attributes":{}},"meta":null}`,
	`{"Data":{"id":"a","attributes":{}}}`,
	`{"data":{"id":"a","attributes":{}},"data":{"id":"b","attributes":{}}}`,
	`{"data":{"id":"a","attributes":{}},"meta":{"ignored":true,"per_page":-0,"perPage":99999999999999999999}}`,
	`{"data":{"id":"a","attributes":{}},"included":[],"links":{"self":"x"}}`,
	`{"meta":[]}`, `{}`, `[]`, `{"data":"x"}`, `{"data":[1]}`, `{"data":[{"id":"a","attributes":{}}]`,
}

func addSeeds(f *testing.F) {
	f.Add(benchRecord(f))
	f.Add(benchPage(f, 3))
	f.Add(fakeResource(f))
	f.Add([]byte(`{"data":` + string(fakeResource(f)) + `}`))
	f.Add([]byte(`{"data":[` + string(fakeResource(f)) + `],"meta":{"current_page":1,"per_page":15,"total_count":1,"total_pages":1}}`))
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(f, err)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range seedResources {
		f.Add([]byte(s))
	}
	for _, s := range seedDocuments {
		f.Add([]byte(s))
	}
}

// checkBilling asserts that when decodeFast accepts data, decodeSlow reads the same billing;
// it reports whether decodeFast accepted.
func checkBilling(t *testing.T, data []byte) bool {
	t.Helper()
	var fast Billing
	if err := fast.decodeFast(data); err != nil {
		require.ErrorIs(t, err, jsonscan.ErrDecline, "the fast path only ever declines")
		return false
	}
	var slow Billing
	require.NoError(t, slow.decodeSlow(data), "the fast path accepted %q", data)
	assert.Equal(t, slow, fast, "%q", data)
	return true
}

// checkElements runs checkBilling on the billings of a document body, as the slow document
// decoders split it.
func checkElements(t *testing.T, body []byte) {
	t.Helper()
	env, err := parseEnvelope(body)
	if err != nil || len(env.Data) == 0 {
		return
	}
	if env.Data[0] != '[' {
		checkBilling(t, env.Data)
		return
	}
	elems, err := parseArray(env.Data, "data")
	if err != nil {
		return
	}
	for _, e := range elems {
		checkBilling(t, e)
	}
}

func checkBillingDoc(t *testing.T, body []byte) bool {
	t.Helper()
	checkElements(t, body)
	var fast billingDoc
	if err := fast.decodeFast(body); err != nil {
		require.ErrorIs(t, err, jsonscan.ErrDecline)
		return false
	}
	var slow billingDoc
	require.NoError(t, slow.decodeSlow(body), "the fast path accepted %q", body)
	assert.Equal(t, slow, fast, "%q", body)
	return true
}

func checkMeetingBillingDoc(t *testing.T, body []byte) bool {
	t.Helper()
	checkElements(t, body)
	var fast meetingBillingDoc
	if err := fast.decodeFast(body); err != nil {
		require.ErrorIs(t, err, jsonscan.ErrDecline)
		return false
	}
	var slow meetingBillingDoc
	require.NoError(t, slow.decodeSlow(body), "the fast path accepted %q", body)
	assert.Equal(t, slow, fast, "%q", body)
	return true
}

func FuzzFastBilling(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) { checkBilling(t, data) })
}

func FuzzFastBillingDoc(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) { checkBillingDoc(t, body) })
}

func FuzzFastMeetingBillingDoc(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) { checkMeetingBillingDoc(t, body) })
}

// TestFastDecodeAgrees runs the checks over the seeds, so a plain `go test` holds the two
// paths against each other too.
func TestFastDecodeAgrees(t *testing.T) {
	for _, s := range seedResources {
		checkBilling(t, []byte(s))
	}
	for _, s := range seedDocuments {
		checkBillingDoc(t, []byte(s))
		checkMeetingBillingDoc(t, []byte(s))
	}
}

// The fast path must take the shapes the bench, the fake and the vendor document send:
// otherwise it silently stops being fast.
func TestFastDecodeAccepts(t *testing.T) {
	fixture := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		require.NoError(t, err)
		return b
	}
	assert.True(t, checkBillingDoc(t, benchRecord(t)), "bench record")
	assert.True(t, checkMeetingBillingDoc(t, benchPage(t, 100)), "bench page")
	assert.True(t, checkMeetingBillingDoc(t, benchPage(t, 0)), "empty bench page")
	assert.True(t, checkBilling(t, fakeResource(t)), "fake record")
	assert.True(t, checkBillingDoc(t, fixture("billing_jsonapi.json")))
	assert.True(t, checkBillingDoc(t, fixture("billing_fee_names.json")), "numeric id, SDK names, unknown members")
	assert.True(t, checkMeetingBillingDoc(t, fixture("meeting_list_snake_p1.json")))
	assert.True(t, checkMeetingBillingDoc(t, fixture("meeting_list_snake_p2.json")))
	assert.True(t, checkMeetingBillingDoc(t, []byte(`{"data":{"id":"a","type":"billing","attributes":{}}}`)), "single resource")
	assert.True(t, checkMeetingBillingDoc(t, []byte(`{"meta":{}}`)), "no data")
	assert.True(t, checkMeetingBillingDoc(t, []byte(`{"data":[{"id":"a","attributes":{}},{"unique_id":"b","notes":"a\u0026b"}]}`)),
		"a billing the fast path declines is read the slow way, not the whole page")
	assert.True(t, checkBillingDoc(t, []byte(`{"data":{"unique_id":"b"}}`)), "the envelope is read fast, the plain billing slow")

	var b Billing
	require.NoError(t, b.decodeFast([]byte(`{"id":"","type":"t","attributes":{"unique_id":"u","amount":"1.50","due_date":"2026-01-02","paid_at":"bad"}}`)))
	assert.Equal(t, "u", b.ID, "an empty id falls back to unique_id")
	assert.Equal(t, "t", b.Type)
	assert.Equal(t, "1.50", b.Amount.String())
	assert.True(t, b.Amount.IsQuoted())
	assert.Equal(t, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), *b.DueAt)
	assert.Nil(t, b.PaidAt, "unparseable times stay nil")
	assert.Nil(t, b.CreatedAt)
}

// Inputs the fast path must leave to decodeSlow: anything it cannot read exactly as
// decodeSlow does.
func TestFastDecodeDeclines(t *testing.T) {
	billings := map[string]string{
		"null value":                  `{"id":"a","attributes":{"status":null}}`,
		"null id":                     `{"id":null,"attributes":{}}`,
		"escape in a value":           `{"id":"a","attributes":{"notes":"a\nb"}}`,
		"escape in the id":            `{"id":"\u0061","attributes":{}}`,
		"repeated key":                `{"id":"a","id":"b","attributes":{}}`,
		"repeated attribute":          `{"id":"a","attributes":{"status":"a","status":"b"}}`,
		"case-folded key":             `{"ID":"a","attributes":{}}`,
		"case-folded attribute":       `{"id":"a","attributes":{"Status":"paid"}}`,
		"non-ASCII attribute key":     `{"id":"a","attributes":{"stätus":"x"}}`,
		"plain object":                `{"id":"a","unique_id":"a","amount":1}`,
		"attributes not an object":    `{"id":"a","attributes":[]}`,
		"no attributes":               `{"id":"a","type":"billing"}`,
		"object id":                   `{"id":{},"attributes":{}}`,
		"array status":                `{"id":"a","attributes":{"status":["paid"]}}`,
		"object timestamp":            `{"id":"a","attributes":{"created_at":{}}}`,
		"amount not a number":         `{"id":"a","attributes":{"amount":"abc"}}`,
		"amount an array":             `{"id":"a","attributes":{"amount":[1]}}`,
		"invalid JSON":                `{"id":"a","attributes":{}`,
		"trailing garbage":            `{"id":"a","attributes":{}} x`,
		"leading whitespace":          ` {"id":"a","attributes":{}}`,
		"not an object":               `[]`,
		"null":                        `null`,
		"empty":                       ``,
		"invalid JSON after the data": `{"id":"a","attributes":{},"x":tru}`,
	}
	for name, in := range billings {
		var b Billing
		assert.ErrorIs(t, b.decodeFast([]byte(in)), jsonscan.ErrDecline, name)
		assert.Zero(t, b, "%s: a declined decode leaves the billing alone", name)
	}
	docs := map[string]string{
		"null data":           `{"data":null}`,
		"case-folded data":    `{"Data":{"id":"a","attributes":{}}}`,
		"repeated data":       `{"data":{"id":"a","attributes":{}},"data":{"id":"b","attributes":{}}}`,
		"null meta":           `{"data":{"id":"a","attributes":{}},"meta":null}`,
		"count as a string":   `{"data":[],"meta":{"current_page":"1"}}`,
		"count with a point":  `{"data":[],"meta":{"total_pages":1.0}}`,
		"count overflows":     `{"data":[],"meta":{"total_count":99999999999999999999}}`,
		"meta not an object":  `{"data":[],"meta":[]}`,
		"null meta count":     `{"data":[],"meta":{"per_page":null}}`,
		"string data":         `{"data":"x"}`,
		"number element":      `{"data":[1]}`,
		"an element in error": `{"data":[{"id":"a","attributes":{}},{"id":"b","attributes":{"amount":"x"}}]}`,
		"a single in error":   `{"data":{"id":"b","attributes":{"amount":"x"}}}`,
		"invalid JSON":        `{"data":[{"id":"a","attributes":{}}]`,
	}
	for name, in := range docs {
		var m meetingBillingDoc
		assert.ErrorIs(t, m.decodeFast([]byte(in)), jsonscan.ErrDecline, name)
		assert.Zero(t, m, "%s: a declined decode leaves the page alone", name)
	}
	// billingDoc reads no meta and declines a list whatever its meta says: only the cases
	// about its data member are its own.
	for _, name := range []string{"string data", "a single in error", "invalid JSON"} {
		var d billingDoc
		assert.ErrorIs(t, d.decodeFast([]byte(docs[name])), jsonscan.ErrDecline, name)
	}
	var d billingDoc
	assert.ErrorIs(t, d.decodeFast([]byte(`{"meta":{}}`)), jsonscan.ErrDecline, "no data: decodeSlow reports it")
	assert.ErrorIs(t, d.decodeFast([]byte(`{"data":[]}`)), jsonscan.ErrDecline, "a list is not a billing")
}

// A declined input still decodes, through decodeSlow, with decodeSlow's error.
func TestFastDecodeFallsBack(t *testing.T) {
	var b Billing
	require.NoError(t, json.Unmarshal([]byte(`{"id":"a","unique_id":"u","notes":"a\nb"}`), &b))
	assert.Equal(t, Billing{ID: "a", UniqueID: "u", Notes: "a\nb", Attributes: json.RawMessage(`{"id":"a","unique_id":"u","notes":"a\nb"}`)}, b)
	err := json.Unmarshal([]byte(`{"id":"a","attributes":{"amount":"abc"}}`), &b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "field amount")
	var m meetingBillingDoc
	require.NoError(t, json.Unmarshal([]byte(`{"data":[{"id":"a","attributes":{}}],"meta":{"current_page":"2","total_pages":"3"}}`), &m))
	assert.Equal(t, 2, *m.meta.CurrentPage)
	assert.Equal(t, 3, *m.meta.TotalPages)
	assert.Len(t, m.billings, 1)
}

func TestPageSizeHint(t *testing.T) {
	n := func(v int) *int { return &v }
	page := benchPage(t, 100)
	data := page[len(`{"data":`):bytes.LastIndex(page, []byte(`,"meta"`))]
	assert.Equal(t, 100, pageMeta{PerPage: n(100)}.sizeHint(data), "a full page")
	assert.Equal(t, 100, pageMeta{CurrentPage: n(1), TotalCount: n(100000), PerPage: n(100)}.sizeHint(data))
	assert.Equal(t, 50, pageMeta{CurrentPage: n(1000), TotalCount: n(99950), PerPage: n(100)}.sizeHint(data), "the last page")
	assert.Equal(t, 100, pageMeta{}.sizeHint(data), "no meta: the elements are counted")
	assert.Equal(t, 100, pageMeta{CurrentPage: n(1001), TotalCount: n(100000), PerPage: n(100)}.sizeHint(data), "past the end: counted")
	small := []byte(`[{"attributes":{}},{"attributes":{}}]`)
	assert.Equal(t, 2, pageMeta{PerPage: n(1 << 40)}.sizeHint(small), "a hostile per_page allocates nothing large")
	assert.Equal(t, 2, pageMeta{CurrentPage: n(math.MaxInt), TotalCount: n(math.MinInt), PerPage: n(math.MaxInt)}.sizeHint(small), "overflow")
	assert.Equal(t, 1, pageMeta{PerPage: n(100)}.sizeHint([]byte(`[]`)), "an empty page")
}

// BenchmarkDecodeBillingDoc and BenchmarkDecodeBillingPage time the decode of the bench's
// bodies alone, through json.Unmarshal as the transport calls it, against the raw baseline's
// struct decode of the same bytes.
func BenchmarkDecodeBillingDoc(b *testing.B) {
	body := benchRecord(b)
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d billingDoc
			if err := json.Unmarshal(body, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) { // the fast path alone, without encoding/json's passes
		b.ReportAllocs()
		for b.Loop() {
			var d billingDoc
			if err := d.decodeFast(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("general", func(b *testing.B) { // the general reader alone, as before the fast path
		b.ReportAllocs()
		for b.Loop() {
			env, err := parseEnvelope(body)
			var d Billing
			if err == nil {
				err = d.decodeSlow(env.Data)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d struct {
				Data benchdata.CRMBilling `json:"data"`
			}
			if err := json.Unmarshal(body, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeBillingPage(b *testing.B) {
	body := benchPage(b, 100)
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d meetingBillingDoc
			if err := json.Unmarshal(body, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d struct {
				Data []benchdata.CRMBilling `json:"data"`
				Meta struct {
					CurrentPage int `json:"current_page"`
					TotalPages  int `json:"total_pages"`
				} `json:"meta"`
			}
			if err := json.Unmarshal(body, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestDecodeBodyIsTheOldPath: the transport's entry gives what json.Unmarshal gave before it,
// value and error text, around the edges of JSON (whitespace JSON does not allow, trailing
// data, a cut body).
func TestDecodeBodyIsTheOldPath(t *testing.T) {
	same := func(body string, want, got any, wantErr, gotErr error) {
		t.Helper()
		if wantErr != nil {
			require.Error(t, gotErr, "%q", body)
			assert.Equal(t, wantErr.Error(), gotErr.Error(), "%q", body)
			return
		}
		require.NoError(t, gotErr, "%q", body)
		assert.Equal(t, want, got, "%q", body)
	}
	rec, page := string(benchRecord(t)), string(benchPage(t, 2))
	for _, body := range []string{
		rec, page, " \r\n" + rec + "\t", "\v" + rec, page + "\f", rec + "\u00a0", page + " x",
		rec[:len(rec)-1], `{"data":{"id":"a","attributes":{"notes":"x` + "\t", "", "null", `[]`,
	} {
		var gotDoc, wantDoc billingDoc
		gotErr, wantErr := gotDoc.DecodeBody([]byte(body)), json.Unmarshal([]byte(body), &wantDoc)
		same(body, wantDoc, gotDoc, wantErr, gotErr)
		var gotPage, wantPage meetingBillingDoc
		gotErr, wantErr = gotPage.DecodeBody([]byte(body)), json.Unmarshal([]byte(body), &wantPage)
		same(body, wantPage, gotPage, wantErr, gotErr)
	}
}
