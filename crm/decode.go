package crm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// This file is the tolerant reader. 23blocks' server, its vendor document and its official
// TypeScript SDK disagree on envelopes (`data` plain or JSON:API `{id,type,attributes}`, one
// resource or a list), on key names (`amount`/`fee_amount`, `meeting_id`/`meeting_unique_id`,
// snake_case/camelCase meta) and on value types (amounts as numbers or numeric strings). Every
// documented variant is read through an object with alternative key names; nothing is replaced
// by a default (the SDK's "missing date → now" fallback is exactly what we must not do), and
// the raw JSON stays reachable on every result.

// object is one JSON object split into its members; the values are still raw and share the
// memory of the document they were read from (copy what a result keeps). A key sent twice is
// read as its last occurrence, as encoding/json would.
type object []member

type member struct {
	key   []byte
	value json.RawMessage
}

// parseObject splits raw, a JSON object, into its members with one validating scan. null
// decodes as an empty object.
func parseObject(raw json.RawMessage) (object, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return object{}, nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("crm: expected a JSON object, got %s", describe(raw))
	}
	var buf [32]member // most objects fit: one allocation of the right size below
	ms := buf[:0]
	if err := jsonscan.ScanObject(raw, func(k, v []byte) error {
		ms = append(ms, member{k, v})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("crm: %w", err)
	}
	return append(make(object, 0, len(ms)), ms...), nil
}

// get returns the value of key k (its last occurrence).
func (o object) get(k string) (json.RawMessage, bool) {
	for i := len(o) - 1; i >= 0; i-- {
		if string(o[i].key) == k {
			return o[i].value, true
		}
	}
	return nil, false
}

// resource is a JSON:API resource object, or a plain object standing in for one.
type resource struct {
	id, typ  string
	attrs    object
	rawAttrs json.RawMessage // a copy: results keep it
}

// parseResource accepts `{"id","type","attributes":{…}}` and a plain attributes object alike:
// the vendor shows the first for billings and the second for reports, and the SDK's report
// service expects the first for reports too.
func parseResource(raw json.RawMessage) (resource, error) {
	o, err := parseObject(raw)
	if err != nil {
		return resource{}, err
	}
	if a, ok := o.get("attributes"); ok && len(bytes.TrimSpace(a)) > 0 && bytes.TrimSpace(a)[0] == '{' {
		attrs, err := parseObject(a)
		if err != nil {
			return resource{}, err
		}
		id, err := o.str("id")
		if err != nil {
			return resource{}, err
		}
		typ, err := o.str("type")
		if err != nil {
			return resource{}, err
		}
		return resource{id: id, typ: typ, attrs: attrs, rawAttrs: clone(bytes.TrimSpace(a))}, nil
	}
	id, err := o.str("id")
	if err != nil {
		return resource{}, err
	}
	return resource{id: id, attrs: o, rawAttrs: clone(bytes.TrimSpace(raw))}, nil
}

// clone copies raw JSON a result keeps out of the document it was read from.
func clone(raw []byte) json.RawMessage { return json.RawMessage(bytes.Clone(raw)) }

// value returns the first of keys that is present and not null.
func (o object) value(keys ...string) (json.RawMessage, bool) {
	for _, k := range keys {
		if v, ok := o.get(k); ok && !isNull(v) {
			return v, true
		}
	}
	return nil, false
}

// str reads a string. Numbers and booleans are kept as their literal text (Rails ids are
// sometimes integers); objects and arrays are a decode error rather than a silent "".
func (o object) str(keys ...string) (string, error) {
	v, ok := o.value(keys...)
	if !ok {
		return "", nil
	}
	v = bytes.TrimSpace(v)
	if text, ok := scalarText(v); ok {
		return string(text), nil
	}
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", fmt.Errorf("crm: field %s: %w", keys[0], err)
		}
		return s, nil
	}
	return "", fmt.Errorf("crm: field %s: expected a string, got %s", keys[0], describe(v))
}

// scalarText is the text str reads from the validated, trimmed, non-null value v without
// decoding anything: a string without escapes is its own text (its bytes kept as they are,
// valid UTF-8 or not), and a number or boolean is its literal. ok is false for a string with
// escapes (which needs a decode) and for an object or array (an error). The fast decoder
// reads strings through the same function, so both read the same text.
func scalarText(v []byte) (text []byte, ok bool) {
	switch v[0] {
	case '"':
		if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 {
			return inner, true
		}
		return nil, false
	case '{', '[':
		return nil, false
	default:
		return v, true
	}
}

// decimal reads an amount sent as a JSON number or a numeric string; nil when absent.
func (o object) decimal(keys ...string) (*polybill.Decimal, error) {
	v, ok := o.value(keys...)
	if !ok {
		return nil, nil
	}
	var d polybill.Decimal
	if err := d.UnmarshalJSON(v); err != nil {
		return nil, fmt.Errorf("crm: field %s: %w", keys[0], err)
	}
	return &d, nil
}

// integer reads a count sent as a JSON number or a numeric string; nil when absent.
func (o object) integer(keys ...string) (*int, error) {
	v, ok := o.value(keys...)
	if !ok {
		return nil, nil
	}
	s := strings.Trim(string(bytes.TrimSpace(v)), `"`)
	n, err := strconv.Atoi(s)
	if err != nil {
		// 4.0 is a count too; anything with a real fraction is not.
		if f, ferr := polybill.ParseDecimal(s); ferr == nil {
			if u, uerr := f.MinorUnits(0); uerr == nil {
				n := int(u)
				return &n, nil
			}
		}
		return nil, fmt.Errorf("crm: field %s: expected an integer, got %s", keys[0], describe(v))
	}
	return &n, nil
}

// timestamp reads an ISO-8601 timestamp (with or without fraction or zone) or a bare date.
// It is nil when absent, and also when the text cannot be parsed: the text itself stays in the
// raw attributes, and a guessed time (the official SDK substitutes "now") would be a lie.
func (o object) timestamp(keys ...string) *time.Time {
	s, err := o.str(keys...)
	if err != nil {
		return nil
	}
	if t, ok := parseTimestamp(s); ok {
		return &t
	}
	return nil
}

// timestampLayouts are the forms a timestamp is read in, the most common first.
var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05Z07:00", time.DateOnly}

// parseTimestamp parses s in the first of timestampLayouts that fits; ok is false for ""
// and for text none fits.
func parseTimestamp(s string) (t time.Time, ok bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// list reads an array of raw elements; nil when absent.
func (o object) list(keys ...string) ([]json.RawMessage, error) {
	v, ok := o.value(keys...)
	if !ok {
		return nil, nil
	}
	return parseArray(v, keys[0])
}

func parseArray(v json.RawMessage, name string) ([]json.RawMessage, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || isNull(v) {
		return nil, nil
	}
	if v[0] != '[' {
		return nil, fmt.Errorf("crm: field %s: expected an array, got %s", name, describe(v))
	}
	var items []json.RawMessage // elements share v's memory
	if err := jsonscan.ScanArray(v, func(e []byte) error {
		items = append(items, e)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("crm: field %s: %w", name, err)
	}
	return items, nil
}

// decodeList decodes a JSON array as encoding/json would into a []T, calling each element's
// UnmarshalJSON directly (data is part of a document already validated whole).
func decodeList[T any, PT interface {
	*T
	json.Unmarshaler
}](data []byte) ([]T, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '[' {
		var out []T // not an array: encoding/json's answer, and its error
		err := json.Unmarshal(data, &out)
		return out, err
	}
	out := []T{}
	if err := jsonscan.ScanArray(data, func(e []byte) error {
		out = append(out, *new(T))
		return PT(&out[len(out)-1]).UnmarshalJSON(e)
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// describe names the JSON kind of v for error messages without echoing the value (which may
// hold personal data such as emails).
func describe(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// errs collects the first decode error of a run of field reads, so decoders stay flat.
type errs struct{ err error }

func (e *errs) str(o object, keys ...string) string {
	s, err := o.str(keys...)
	e.keep(err)
	return s
}

func (e *errs) decimal(o object, keys ...string) *polybill.Decimal {
	d, err := o.decimal(keys...)
	e.keep(err)
	return d
}

func (e *errs) integer(o object, keys ...string) *int {
	n, err := o.integer(keys...)
	e.keep(err)
	return n
}

func (e *errs) keep(err error) {
	if e.err == nil && err != nil {
		e.err = err
	}
}

// envelope is the top level of every response: `data` plus an optional `meta`.
type envelope struct {
	Data json.RawMessage `json:"data"`
	Meta json.RawMessage `json:"meta"`
}

// parseEnvelope finds `data` and `meta` in one validating scan of body; both share body's
// memory. Keys match as encoding/json matches field names (case-insensitively, the last
// occurrence wins). Anything but an object (null, an array, invalid JSON) gets encoding/json's
// answer, as before.
func parseEnvelope(body []byte) (envelope, error) {
	var env envelope
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		err := jsonscan.ScanObject(body, func(k, v []byte) error {
			switch {
			case foldEqual(k, "data"):
				env.Data = v
			case foldEqual(k, "meta"):
				env.Meta = v
			}
			return nil
		})
		if err == nil {
			return env, nil
		}
	}
	var std envelope // a separate variable: env stays on the stack
	if err := json.Unmarshal(body, &std); err != nil {
		return std, fmt.Errorf("crm: %w", err)
	}
	return std, nil
}

// foldEqual reports whether key equals the lower-case ASCII name up to ASCII case, which is
// how encoding/json matches a key to a field whose name has no K or S.
func foldEqual(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		if key[i]|0x20 != name[i] {
			return false
		}
	}
	return true
}

// pageMeta is the pagination block of a list. Each field is nil when the server did not send
// it; snake_case (current_page, total_pages, total_count, per_page, as the official SDK reads)
// and camelCase (totalPages, totalRecords, as the vendor's meetings document shows) are both
// read.
type pageMeta struct {
	CurrentPage *int
	TotalPages  *int
	TotalCount  *int
	PerPage     *int
}

func parsePageMeta(raw json.RawMessage) (pageMeta, error) {
	o, err := parseObject(raw)
	if err != nil {
		return pageMeta{}, err
	}
	var e errs
	m := pageMeta{
		CurrentPage: e.integer(o, metaKeys[metaCurrentPage]...),
		TotalPages:  e.integer(o, metaKeys[metaTotalPages]...),
		TotalCount:  e.integer(o, metaKeys[metaTotalCount]...),
		PerPage:     e.integer(o, metaKeys[metaPerPage]...),
	}
	return m, e.err
}

// The pageMeta fields, indexing metaKeys.
const (
	metaCurrentPage = iota
	metaTotalPages
	metaTotalCount
	metaPerPage
	numMetaFields
)

// metaKeys names the keys each pageMeta field is read from, in order of preference. Both
// parsePageMeta and the fast page decoder read these lists, so they cannot drift apart.
var metaKeys = [numMetaFields][]string{
	metaCurrentPage: {"current_page", "currentPage", "page"},
	metaTotalPages:  {"total_pages", "totalPages"},
	metaTotalCount:  {"total_count", "totalCount", "totalRecords", "total_records", "total"},
	metaPerPage:     {"per_page", "perPage", "records"},
}
