package epilot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/benchdata"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// benchFixture is the event ./bench serves, compacted as the bench server sends it.
func benchFixture(testing.TB) []byte { return benchdata.Record("epilot_event.json") }

// benchPage is a page of n copies of the bench event, as the bench server sends it.
func benchPage(tb testing.TB, n int) []byte {
	return benchdata.Page(`{"hits":100000,"results":[`, benchFixture(tb), n, "]}")
}

// BenchmarkDecodePage decodes one 1000-event page as the transport does for ListBillingEvents
// (eventList.DecodeBody) and as the bench's raw side does (a json.Decoder into a plain struct).
func BenchmarkDecodePage(b *testing.B) {
	page := benchPage(b, MaxEventsPageSize)
	b.Run("sdk", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			out := eventList{Results: make([]decodedEvent, 0, MaxEventsPageSize)}
			if err := out.DecodeBody(page); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			var out struct {
				Hits    int                     `json:"hits"`
				Results []benchdata.EpilotEvent `json:"results"`
			}
			if err := json.NewDecoder(bytes.NewReader(page)).Decode(&out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeEvent is the same for one event (GetBillingEvent).
func BenchmarkDecodeEvent(b *testing.B) {
	ev := benchFixture(b)
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out decodedEvent
			if err := out.DecodeBody(ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out benchdata.EpilotEvent
			if err := json.NewDecoder(bytes.NewReader(ev)).Decode(&out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// ---- the fast path agrees with the encoding/json path ----

// slowEventList is eventList decoded without any fast path.
type slowEventList struct {
	Hits    *int        `json:"hits"`
	Results []slowEvent `json:"results"`
}

// requireSameEvents checks that got holds the events of want, nil for nil.
func requireSameEvents(t *testing.T, want []slowEvent, got []decodedEvent, in []byte) {
	t.Helper()
	require.Equal(t, want == nil, got == nil, "nil results: %q", in)
	require.Len(t, got, len(want), "%q", in)
	for i := range want {
		require.Equal(t, want[i].BillingEvent, got[i].BillingEvent, "event %d of %q", i, in)
	}
}

// checkEvent compares the paths on one event: when the fast path accepts in, encoding/json
// accepts it too with an identical event (Raw and Extra included); and ParseBillingEvent,
// whichever path it takes, returns what the encoding/json path returns, errors included. It
// reports whether the fast path accepted.
func checkEvent(t *testing.T, in []byte) bool {
	t.Helper()
	fast, ok := parseEventFast(jsonscan.TrimSpace(in))
	slow, slowErr := parseEventSlow(in)
	if ok {
		require.NoError(t, slowErr, "the fast path accepted what encoding/json refuses: %q", in)
		require.Equal(t, slow, fast, "fast and encoding/json paths disagree on %q", in)
		checkNoAliasing(t, in, fast)
	}
	got, err := ParseBillingEvent(in)
	if slowErr != nil {
		require.EqualError(t, err, slowErr.Error(), "%q", in)
		require.Nil(t, got)
	} else {
		require.NoError(t, err, "%q", in)
		require.Equal(t, slow, got, "%q", in)
	}

	// A response body: DecodeBody must do exactly what json.Unmarshal does.
	var want, body decodedEvent
	wantErr := json.Unmarshal(in, &want)
	err = body.DecodeBody(in)
	if wantErr != nil {
		require.EqualError(t, err, wantErr.Error(), "%q", in)
	} else {
		require.NoError(t, err, "%q", in)
		require.Equal(t, want, body, "%q", in)
	}
	return ok
}

// checkNoAliasing checks that want, decoded by the fast path from in, owns its memory as the
// encoding/json path's values do. Raw(), each Extra value and each tag list is capped, so
// appending to one never writes into another (they share backing arrays). And nothing in it
// shares the input's bytes or the pooled decoder's scratch: an event decoded from a copy of in
// stays equal to want after the copy is overwritten and the decoder reused.
func checkNoAliasing(t *testing.T, in []byte, want BillingEvent) {
	t.Helper()
	checkCapped(t, want, in)
	buf := bytes.Clone(in)
	ev, ok := parseEventFast(jsonscan.TrimSpace(buf))
	require.True(t, ok, "the fast path accepts a copy of %q", in)
	overwrite(buf)
	require.Equal(t, want, ev, "the event decoded from %q changed when its input was overwritten", in)
}

// checkCapped checks that each slice of ev the fast path builds in a shared buffer is capped.
func checkCapped(t *testing.T, ev BillingEvent, in []byte) {
	t.Helper()
	f := ev.Fields()
	assert.Equal(t, len(f.raw), cap(f.raw), "Raw() is capped: %q", in)
	assert.Equal(t, len(f.Tags), cap(f.Tags), "_tags is capped: %q", in)
	for k, v := range f.Extra {
		assert.Equal(t, len(v), cap(v), "Extra[%q] is capped: %q", k, in)
	}
	for _, r := range []Relation{f.Contract, f.Attachments} {
		for i, it := range r.Items {
			assert.Equal(t, len(it.Tags), cap(it.Tags), "relation item %d _tags is capped: %q", i, in)
			for k, v := range it.Extra {
				assert.Equal(t, len(v), cap(v), "relation item %d Extra[%q] is capped: %q", i, k, in)
			}
		}
	}
}

// overwrite writes over every byte of an input the fast path read, then decodes another event,
// reusing the pooled decoder's scratch buffers.
func overwrite(buf []byte) {
	for i := range buf {
		buf[i] = '#'
	}
	parseEventFast([]byte(`{"type":"xxxxxxxx","_tags":["xxxxxxxx","xxxxxxxx"],"xxxxxxxx":"xxxxxxxx"}`))
}

// checkList compares the paths on one page. When the fast page decoder accepts it,
// encoding/json alone (slowEventList) accepts it too, with the same hits and identical events.
// And DecodeBody, as the transport calls it, returns what json.Unmarshal into eventList
// returns, errors included (they become the message of the SDK's error). It reports whether the
// fast page decoder accepted.
func checkList(t *testing.T, in []byte) bool {
	t.Helper()
	var ref slowEventList
	refErr := json.Unmarshal(in, &ref)
	var fast eventList
	ok := fast.fast(jsonscan.TrimSpace(in)) == nil
	if ok {
		require.NoError(t, refErr, "the fast path accepted a page encoding/json refuses: %q", in)
		require.Equal(t, ref.Hits, fast.Hits, "%q", in)
		requireSameEvents(t, ref.Results, fast.Results, in)
		// As checkNoAliasing, for the whole page (whose events checkEvent checks for caps:
		// those the fast path declines here are decoded by encoding/json, without).
		buf := bytes.Clone(in)
		var again eventList
		require.NoError(t, again.fast(jsonscan.TrimSpace(buf)), "the fast path accepts a copy of %q", in)
		overwrite(buf)
		require.Equal(t, fast, again, "the page decoded from %q changed when its input was overwritten", in)
	}

	// The transport's contract: DecodeBody leaves out as json.Unmarshal would, given the same
	// out (ListBillingEvents presets Results' capacity).
	want := eventList{Results: make([]decodedEvent, 0, 2)}
	wantErr := json.Unmarshal(in, &want)
	require.Equal(t, refErr == nil, wantErr == nil, "%q: %v, %v", in, refErr, wantErr)
	got := eventList{Results: make([]decodedEvent, 0, 2)}
	err := got.DecodeBody(in)
	if wantErr != nil {
		require.EqualError(t, err, wantErr.Error(), "%q", in)
		return ok
	}
	require.NoError(t, err, "%q", in)
	require.Equal(t, want, got, "%q", in)
	require.Equal(t, ref.Hits, got.Hits, "%q", in)
	require.Len(t, got.Results, len(ref.Results), "%q", in)
	for i := range ref.Results {
		require.Equal(t, ref.Results[i].BillingEvent, got.Results[i].BillingEvent, "event %d of %q", i, in)
	}
	return ok
}

// fakeRecord is fixture as the fake (epilottest) stores and serves it: stamped with the
// fields the API sets, keys sorted, values verbatim, no HTML escaping. (An internal test
// cannot import epilottest, which imports this package.)
func fakeRecord(tb testing.TB, fixture []byte) []byte {
	tb.Helper()
	var e map[string]json.RawMessage
	require.NoError(tb, json.Unmarshal(fixture, &e))
	for k, v := range map[string]string{"_id": `"7c9e6679-7425-40de-944b-e07fc1f90ae7"`, "_org": `"739224"`,
		"_schema": `"billing_event"`, "_created_at": `"2025-06-01T10:00:00.123456789Z"`} {
		if _, ok := e[k]; !ok {
			e[k] = json.RawMessage(v)
		}
	}
	e["_updated_at"] = json.RawMessage(`"2025-06-02T08:30:00.5Z"`)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(tb, enc.Encode(e))
	return buf.Bytes()
}

// eventSeeds are the events the fuzz targets start from: the bench event, every fixture as
// written, compacted and as the fake serves it, and edge cases for each rule of the fast path.
func eventSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	seeds := [][]byte{benchFixture(tb)}
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(tb, err)
	require.NotEmpty(tb, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(tb, err)
		var compact bytes.Buffer
		require.NoError(tb, json.Compact(&compact, b))
		seeds = append(seeds, b, compact.Bytes(), fakeRecord(tb, b))
	}
	for _, s := range edgeEvents {
		seeds = append(seeds, []byte(s))
	}
	for _, c := range mustDecline {
		seeds = append(seeds, []byte(c.in))
	}
	return seeds
}

// edgeEvents are accepted by the fast path, or decoded by ParseBillingEvent either way: the
// shapes near each rule.
var edgeEvents = []string{
	`{}`,
	` {"type":"payment"} `,
	`{"type":"chargeback","_tags":[],"contract":{},"attachments":{"$relation":[]}}`,
	`{"type":"bonus","billing_amount":-9223372036854775808,"billing_amount_decimal":"-92233720368547758.08","billing_currency":"EUR"}`,
	`{"type":"invoice","billing_amount":-0,"billing_amount_decimal":1.50e1,"billing_currency":"KWD"}`,
	`{"billing_amount_decimal":"1.5e3","due_date":"2025-02-28","booking_date":"2024-02-29"}`,
	`{"due_date":"2025-06-15T23:30:00-05:00","booking_date":"","paid_date":"2025-06-18"}`,
	`{"_created_at":"2025-06-01T10:00:00+02:00","_updated_at":7,"paid_date":"2025-06-18T14:00:00.999999999Z"}`,
	`{"_created_at":{"not":"a time"},"_updated_at":"","paid_date":""}`,
	`{"related_event":"ev-1"}`,
	`{"related_event":{"$relation":[{"entity_id":"ev-2"},{"entity_id":"ev-3"}]}}`,
	`{"related_event":{"$relation":[]}}`,
	`{"external_link":{"href":"https://sap.example/4711","title":"SAP","rel":"x"}}`,
	`{"external_link":{}}`,
	`{"contract":{"$relation":[{"entity_id":"c","_tags":["a","b"],"x":{"y":[1,{"z":null}]},"x":2},{"_schema":"contract"},{}]},"other":1}`,
	`{"x":1,"x":{"a":"b"},"y":"\u00e9","z":null,"":"empty key","\u0078\u0079":[]}`,
	`{"note":"Grüße, 💶","internal_note":"","_title":"a/b <c> & d"}`,
	`{"type":"grid_fee_adjustment","grid_operator":{"id":"NB-7","name":"Netz GmbH"},"n":100.500000000000000001}`,
	"{\n\t\"type\" : \"installment\" ,\r\n \"_tags\" : [ \"a\" , \"b\" ] }\n",
}

// mustDecline are events the fast path must leave to encoding/json, each for a stated reason.
var mustDecline = []struct{ name, in string }{
	{"null document", `null`},
	{"array", `[{"type":"payment"}]`},
	{"string", `"installment"`},
	{"invalid JSON", `{"type":"payment",}`},
	{"trailing data", `{"type":"payment"} {}`},
	{"vertical tab before", "\v{\"type\":\"payment\"}"},
	{"no-break space after", "{\"type\":\"payment\"}\u00a0"},
	{"null value", `{"type":"payment","note":null}`},
	{"null tag", `{"_tags":["a",null]}`},
	{"escaped string", `{"type":"pay\u006dent"}`},
	{"escaped tag", `{"_tags":["a\nb"]}`},
	{"escaped entity id", `{"contract":{"$relation":[{"entity_id":"c\/1"}]}}`},
	{"invalid UTF-8", "{\"note\":\"\xff\"}"},
	{"repeated known key", `{"type":"payment","type":"bonus"}`},
	{"repeated relation key", `{"contract":{"$relation":[],"$relation":[{"entity_id":"c"}]}}`},
	{"case-folded key", `{"Type":"payment"}`},
	{"case-folded relation key", `{"contract":{"$RELATION":[{"entity_id":"c"}]}}`},
	{"case-folded item key", `{"contract":{"$relation":[{"Entity_ID":"c"}]}}`},
	{"non-ASCII key folding onto a known one", `{"ſtatus":"open"}`},
	{"non-ASCII unknown key", `{"über":"nicht"}`},
	{"amount as string", `{"billing_amount":"10050"}`},
	{"amount with fraction", `{"billing_amount":100.5}`},
	{"amount with exponent", `{"billing_amount":1e4}`},
	{"amount overflow", `{"billing_amount":9223372036854775808}`},
	{"decimal too precise", `{"billing_amount_decimal":"0.12345678901234567890"}`},
	{"decimal not a number", `{"billing_amount_decimal":"abc"}`},
	{"decimal as bool", `{"billing_amount_decimal":true}`},
	{"number as type", `{"type":1}`},
	{"tags not an array", `{"_tags":"a"}`},
	{"relation not an object", `{"contract":[{"entity_id":"c"}]}`},
	{"relation items not an array", `{"contract":{"$relation":{"entity_id":"c"}}}`},
	{"relation item not an object", `{"contract":{"$relation":["c"]}}`},
	{"impossible date", `{"booking_date":"2025-02-30"}`},
	{"date as number", `{"due_date":20250615}`},
	{"bad paid date", `{"paid_date":"yesterday"}`},
	{"external link as string", `{"external_link":"https://x"}`},
	{"external link href as number", `{"external_link":{"href":1}}`},
	{"related event as number", `{"related_event":1}`},
}

func TestFastEventDeclines(t *testing.T) {
	for _, c := range mustDecline {
		t.Run(c.name, func(t *testing.T) {
			assert.False(t, checkEvent(t, []byte(c.in)), "the fast path must decline %s", c.in)
		})
	}
}

// TestFastEventAgrees runs every seed through both paths, and checks that the fast path does
// accept the shapes the API sends (a fast path that always declines would pass the rest).
func TestFastEventAgrees(t *testing.T) {
	for _, in := range eventSeeds(t) {
		checkEvent(t, in)
	}
	assert.True(t, checkEvent(t, benchFixture(t)), "the bench event takes the fast path")
	for _, s := range edgeEvents {
		assert.True(t, checkEvent(t, []byte(s)), "the fast path accepts %s", s)
	}
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.True(t, checkEvent(t, b), "the fast path accepts %s", f)
		assert.True(t, checkEvent(t, fakeRecord(t, b)), "the fast path accepts %s as the fake serves it", f)
	}
}

func FuzzEventFastPath(f *testing.F) {
	for _, s := range eventSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkEvent(t, in) })
}

// page wraps events as the list endpoint does.
func page(hits string, events ...string) string {
	return `{"hits":` + hits + `,"results":[` + strings.Join(events, ",") + `]}`
}

// mustDeclinePage are pages the fast page decoder must leave to json.Unmarshal.
var mustDeclinePage = []struct{ name, in string }{
	{"null", `null`},
	{"array", `[]`},
	{"hits as string", `{"hits":"3","results":[]}`},
	{"hits with fraction", `{"hits":3.0,"results":[]}`},
	{"hits null", `{"hits":null,"results":[]}`},
	{"results null", `{"hits":0,"results":null}`},
	{"results not an array", `{"hits":1,"results":{"type":"payment"}}`},
	{"repeated results", `{"results":[{}],"results":[{},{}]}`},
	{"case-folded keys", `{"Hits":1,"RESULTS":[{"type":"bonus"}]}`},
	{"an event encoding/json refuses", page("2", `{"type":"payment"}`, `{"type":1}`)},
	{"an event that is not an object", page("2", `{"type":"payment"}`, `7`)},
	{"truncated", `{"hits":1,"results":[{"type":"payment"}]`},
	{"trailing data", `{"hits":0,"results":[]} {}`},
	{"vertical tab before", "\v{\"hits\":0,\"results\":[]}"},
	{"no-break space after", "{\"hits\":0,\"results\":[]}\u00a0"},
}

func TestFastListDeclines(t *testing.T) {
	for _, c := range mustDeclinePage {
		t.Run(c.name, func(t *testing.T) {
			assert.False(t, checkList(t, []byte(c.in)), "the fast path must decline %q", c.in)
		})
	}
}

// TestFastListAgrees decodes pages of fast-path events, of events the fast path declines, and
// of both; the page itself takes the fast path.
func TestFastListAgrees(t *testing.T) {
	for _, in := range pageSeeds(t) {
		checkList(t, in)
	}
	for _, in := range []string{
		string(benchPage(t, 3)),
		" \r\n\t" + page("0") + "\n",
		`{"results":[{"type":"payment"}],"next":"x"}`,
		`{"hits":5}`,
		page("4", `{"type":"pay\u006dent"}`, `null`, `{"note":null}`, string(benchFixture(t))),
	} {
		assert.True(t, checkList(t, []byte(in)), "the fast path accepts %s", in)
	}
}

func pageSeeds(tb testing.TB) [][]byte {
	events := eventSeeds(tb)
	seeds := [][]byte{benchPage(tb, 2)}
	for i := 0; i+1 < len(events); i += 2 {
		seeds = append(seeds, []byte(page(strconv.Itoa(i), string(events[i]), string(events[i+1]))))
	}
	for _, c := range mustDeclinePage {
		seeds = append(seeds, []byte(c.in))
	}
	return seeds
}

func FuzzEventListFastPath(f *testing.F) {
	for _, s := range pageSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkList(t, in) })
}

// ---- the fast path reads every key of the wire types ----

// wireFieldTypes maps each JSON key of the struct type typ to its field's type, as jsonKeys
// finds the keys (the key sets of the fast path's objects).
func wireFieldTypes(typ reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			maps.Copy(fields, wireFieldTypes(f.Type))
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

// wireSample is a JSON value for a field of type typ that both paths read into a non-zero
// value, distinct for each n.
func wireSample(t *testing.T, typ reflect.Type, n int) string {
	t.Helper()
	switch typ {
	case reflect.TypeFor[stamp](), reflect.TypeFor[timestamp]():
		return fmt.Sprintf(`"2025-06-%02dT10:00:00Z"`, n+1)
	case reflect.TypeFor[Date]():
		return fmt.Sprintf(`"2025-07-%02d"`, n+1)
	case reflect.TypeFor[*polybill.Decimal]():
		return fmt.Sprintf(`"%d.25"`, n+1)
	case reflect.TypeFor[*Relation](), reflect.TypeFor[Relation]():
		return fmt.Sprintf(`{"$relation":[{"entity_id":"rel-%d"}]}`, n)
	case reflect.TypeFor[[]RelationItem]():
		return fmt.Sprintf(`[{"entity_id":"rel-%d"}]`, n)
	case reflect.TypeFor[*ExternalLink]():
		return fmt.Sprintf(`{"href":"link-%d"}`, n)
	case reflect.TypeFor[[]decodedEvent]():
		return fmt.Sprintf(`[{"type":"payment","_id":"ev-%d"}]`, n)
	}
	switch k := typ.Kind(); {
	case k == reflect.String:
		return fmt.Sprintf(`"s-%d"`, n)
	case k == reflect.Slice && typ.Elem().Kind() == reflect.String:
		return fmt.Sprintf(`["t-%d","u-%d"]`, n, n)
	case k == reflect.Pointer && typ.Elem().Kind() >= reflect.Int && typ.Elem().Kind() <= reflect.Int64:
		return strconv.Itoa(n + 1)
	}
	t.Fatalf("no sample JSON value for a field of type %v: add one to wireSample", typ)
	return ""
}

// TestFastPathKnowsEveryKey sets each JSON key of each struct the fast path reads (alone, then
// all together) to a distinctive value, and checks that the fast path accepts the document and
// decodes it exactly as encoding/json does. A field added to one of these structs, whose key
// jsonscan.NewFields then accepts, fails here until the fast path reads it into that field.
func TestFastPathKnowsEveryKey(t *testing.T) {
	for _, c := range []struct {
		typ  reflect.Type
		wrap func(obj string) string // the event or page holding an object of typ
		page bool
	}{
		{reflect.TypeFor[eventWire](), func(o string) string { return o }, false},
		{reflect.TypeFor[ExternalLink](), func(o string) string { return `{"external_link":` + o + `}` }, false},
		{reflect.TypeFor[Relation](), func(o string) string { return `{"contract":` + o + `}` }, false},
		{reflect.TypeFor[relationItemWire](), func(o string) string { return `{"attachments":{"$relation":[` + o + `]}}` }, false},
		{reflect.TypeFor[eventList](), func(o string) string { return o }, true},
	} {
		t.Run(c.typ.Name(), func(t *testing.T) {
			fields := wireFieldTypes(c.typ)
			keys := slices.Sorted(maps.Keys(fields))
			require.Equal(t, slices.Sorted(maps.Keys(jsonKeys(c.typ))), keys)
			check := func(members []string) {
				in := c.wrap("{" + strings.Join(members, ",") + "}")
				if c.page {
					assert.True(t, checkList(t, []byte(in)), "the fast path accepts %s", in)
				} else {
					assert.True(t, checkEvent(t, []byte(in)), "the fast path accepts %s", in)
				}
			}
			var all []string
			for n, k := range keys {
				member := strconv.Quote(k) + ":" + wireSample(t, fields[k], n)
				check([]string{member})
				all = append(all, member)
			}
			check(all)
		})
	}
}

// ---- the leaf readers agree with the methods they stand in for ----

// timestampReference is timestamp.UnmarshalJSON as it was before its plain-string shortcut:
// json.Unmarshal of the string, then the same layouts.
func timestampReference(data []byte) (time.Time, error) {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return time.Time{}, nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return time.Time{}, fmt.Errorf("epilot: timestamp: %w", err)
	}
	if s == "" {
		return time.Time{}, nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v, nil
	}
	if v, err := time.Parse(time.DateOnly, s); err == nil {
		return v, nil
	}
	return time.Time{}, fmt.Errorf("epilot: %q is not an RFC 3339 timestamp", s)
}

// checkLeaves compares readDate, readDecimal and timestamp.UnmarshalJSON with the methods the
// encoding/json path calls, for one JSON value v.
func checkLeaves(t *testing.T, v []byte) {
	t.Helper()
	if !json.Valid(v) {
		return // the readers only ever see values jsonscan or encoding/json validated
	}
	v = bytes.TrimSpace(v)

	var want, got Date
	wantErr := want.UnmarshalJSON(v)
	if readDate(v, &got) == nil {
		require.NoError(t, wantErr, "readDate accepted %q", v)
		require.Equal(t, want, got, "%q", v)
	}

	var wantD, gotD polybill.Decimal
	wantErr = wantD.UnmarshalJSON(v)
	if readDecimal(v, &gotD) == nil {
		require.NoError(t, wantErr, "readDecimal accepted %q", v)
		require.Equal(t, wantD, gotD, "%q", v)
	}

	wantT, wantErr := timestampReference(v)
	var gotT timestamp
	err := gotT.UnmarshalJSON(v)
	if wantErr != nil {
		require.EqualError(t, err, wantErr.Error(), "%q", v)
	} else {
		require.NoError(t, err, "%q", v)
		require.Equal(t, wantT, gotT.Time, "%q", v)
	}
}

var leafSeeds = []string{
	`"2025-06-15"`, `"2024-02-29"`, `"2025-02-29"`, `"0000-01-01"`, `"9999-12-31"`, `""`, `null`,
	`"2025-06-15T23:30:00-05:00"`, `"2025-06-15T10:00:00.123Z"`, `"1970-01-01T00:00:00.000Z"`,
	`"2025-6-15"`, `"string"`, `"2025-06-1\u0035"`, `20250615`, `{"a":1}`, `[]`,
	`"100.50"`, `100.50`, `"-0.00"`, `1.5e3`, `"1.5e3"`, `"1e-20"`, `"12345678901234567890"`,
	`"0.1234567890123456789"`, `"abc"`, `"1\u0030"`, `" 1"`, `"+1"`, `true`,
	"\"2025-06-15T10:00:00+02:00\"", "\"\xff\"",
}

func TestLeafReadersAgree(t *testing.T) {
	for _, s := range leafSeeds {
		checkLeaves(t, []byte(s))
	}
	// The shortcuts are taken: plain dates and decimals are read without UnmarshalJSON.
	var d Date
	require.NoError(t, readDate([]byte(`"2025-06-15"`), &d))
	assert.Equal(t, polybill.NewDate(2025, 6, 15), d)
	var dec polybill.Decimal
	require.NoError(t, readDecimal([]byte(`"100.50"`), &dec))
	assert.Equal(t, polybill.MustDecimal("100.50").Quoted(), dec)
}

func FuzzLeafReaders(f *testing.F) {
	for _, s := range leafSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) { checkLeaves(t, v) })
}
