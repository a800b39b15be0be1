package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	polybill "github.com/polybill/polybill-go"
)

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// errSyntax marks the tokenizer's own rejection; Decode reports encoding/json's error instead.
var errSyntax = errors.New("wire: invalid JSON")

// Decode reads the JSON document data into v, a non-nil pointer, by the rules of the package
// doc. The only errors are a body that is not JSON and a top level of another JSON type than
// v's; an unreadable value below the top level is a problem recorded on its record.
func Decode(data []byte, v any) error { return decode(data, v, false) }

// DecodeBody is Decode for a response body handed over by its only owner, which never
// writes to it again (the transport's, see transport.BodyDecoder): the Raw of the top-level
// object is the body itself instead of a copy of it. Only the top level: a Raw below it (a
// record of a page, a nested object) is still a copy, so a record kept from a page never
// keeps the whole page alive. The top-level record's Raw is the body less surrounding
// space, so sharing it keeps nothing alive that a copy would not hold.
func DecodeBody(body []byte, v any) error { return decode(body, v, true) }

func decode(data []byte, v any, owned bool) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic("wire: Decode needs a non-nil pointer")
	}
	c := planFor(rv.Type().Elem())
	// The path of the value being read: a pooled buffer, since the recursive readers make any
	// array of this frame escape, and a fresh one per record cost up to a third of the
	// allocations of a small answer.
	pp := paths.Get().(*[]pathElem)
	defer func() { *pp = (*pp)[:0]; paths.Put(pp) }()
	d := decoder{data: data, path: (*pp)[:0], sharedRaw: -1}
	d.ws()
	if owned {
		d.sharedRaw = d.i
	}
	err := d.top(c, rv.Elem())
	if err == nil {
		d.ws()
		if d.i != len(d.data) {
			err = errSyntax
		}
	}
	if err == errSyntax {
		var x json.RawMessage
		if jerr := json.Unmarshal(data, &x); jerr != nil {
			return jerr
		}
		return errors.New("wire: invalid JSON") // unreachable: the grammars are the same
	}
	return err
}

// top reads the top-level value: a JSON type other than v's is an error, not a problem.
func (d *decoder) top(c *codec, v reflect.Value) error {
	if d.i >= len(d.data) {
		return errSyntax
	}
	want := byte(0)
	switch c.kind {
	case kStruct, kMap:
		want = '{'
	case kSlice:
		want = '['
	}
	if got := d.data[d.i]; want != 0 && got != want && got != 'n' {
		start := d.i
		if err := d.skip(0); err != nil {
			return err
		}
		if d.ws(); d.i != len(d.data) {
			return errSyntax
		}
		return fmt.Errorf("wire: expected a JSON %s, got %s", kindName(want), describe(d.data[start:d.i]))
	}
	return d.value(c, v, 0)
}

type decoder struct {
	data []byte
	i    int
	// problems is the list of the record being read, nil outside any record; path is the
	// JSON path from that record to the value being read.
	problems *polybill.FieldProblems
	path     []pathElem
	// sharedRaw is where the top-level value starts when its Raw may share the data
	// (DecodeBody), -1 otherwise.
	sharedRaw int
}

var paths = sync.Pool{New: func() any { p := make([]pathElem, 0, 16); return &p }}

type pathElem struct {
	key   string
	index int // -1 for a key
}

func (d *decoder) problem(raw []byte, reason string) {
	if d.problems == nil {
		return
	}
	var sb strings.Builder
	for i, p := range d.path {
		if p.index >= 0 {
			sb.WriteByte('[')
			sb.WriteString(strconv.Itoa(p.index))
			sb.WriteByte(']')
			continue
		}
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(p.key)
	}
	*d.problems = append(*d.problems, polybill.FieldProblem{Path: sb.String(), Raw: bytes.Clone(raw), Reason: reason})
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (d *decoder) ws() {
	for d.i < len(d.data) && isWS(d.data[d.i]) {
		d.i++
	}
}

// mismatch skips the value at d.i and records it as a problem.
func (d *decoder) mismatch(depth int, want string) error {
	start := d.i
	if err := d.skip(depth); err != nil {
		return err
	}
	raw := d.data[start:d.i]
	d.problem(raw, "expected "+want+", got "+describe(raw))
	return nil
}

// value reads the value at d.i into v. depth counts the arrays and objects around it.
func (d *decoder) value(c *codec, v reflect.Value, depth int) error {
	if d.i >= len(d.data) {
		return errSyntax
	}
	ch := d.data[d.i]
	if ch == 'n' {
		return d.literal("null") // null is absent: v keeps what it holds
	}
	switch c.kind {
	case kStruct:
		if ch == '"' && c.st.text != nil {
			start := d.i
			esc, err := d.str()
			if err != nil {
				return err
			}
			v.FieldByIndex(c.st.text).SetString(unquote(d.data[start:d.i], esc))
			return nil
		}
		if ch != '{' {
			return d.mismatch(depth, "an object")
		}
		return d.object(c.st, v, depth+1)
	case kOneOrMany:
		switch ch {
		case '[':
			return d.array(c.elem, v.Field(0), depth+1)
		case '{':
			one := reflect.MakeSlice(c.elem.typ, 1, 1)
			d.path = append(d.path, pathElem{index: 0})
			err := d.value(c.elem.elem, one.Index(0), depth)
			d.path = d.path[:len(d.path)-1]
			v.Field(0).Set(one)
			v.Field(1).SetBool(true)
			return err
		}
		return d.mismatch(depth, "an array or object")
	case kPtr:
		if v.IsNil() {
			if isContainer(c.elem) && !fits(c.elem, ch) {
				return d.mismatch(depth, "an object or array")
			}
			p := reflect.New(c.elem.typ)
			n := d.problemCount()
			if err := d.value(c.elem, p.Elem(), depth); err != nil {
				return err
			}
			if d.problemCount() == n || isContainer(c.elem) {
				// A leaf that could not be read leaves the pointer nil; a container keeps what it
				// could read. A mismatched container is recorded without allocating.
				v.Set(p)
			}
			return nil
		}
		return d.value(c.elem, v.Elem(), depth)
	case kSlice:
		if ch != '[' {
			return d.mismatch(depth, "an array")
		}
		return d.array(c, v, depth+1)
	case kMap:
		if ch != '{' {
			return d.mismatch(depth, "an object")
		}
		return d.mapObject(c, v, depth+1)
	case kRawMessage:
		start := d.i
		if err := d.skip(depth); err != nil {
			return err
		}
		v.SetBytes(bytes.Clone(d.data[start:d.i]))
		return nil
	case kAny:
		start := d.i
		if err := d.skip(depth); err != nil {
			return err
		}
		var x any
		if err := json.Unmarshal(d.data[start:d.i], &x); err != nil {
			return errSyntax
		}
		v.Set(reflect.ValueOf(&x).Elem())
		return nil
	}
	// A leaf.
	start := d.i
	var esc bool
	switch ch {
	case '"':
		var err error
		if esc, err = d.str(); err != nil {
			return err
		}
	case '{', '[':
		if err := d.skip(depth); err != nil {
			return err
		}
		raw := d.data[start:d.i]
		if c.kind == kUnmarshaler { // a leaf type that reads containers itself
			if reason := d.leaf(c, v, raw, false); reason != "" {
				d.problem(raw, reason)
			}
			return nil
		}
		d.problem(raw, "expected "+leafName(c.kind)+", got "+describe(raw))
		return nil
	default:
		if err := d.skip(depth); err != nil {
			return err
		}
	}
	raw := d.data[start:d.i]
	if reason := d.leaf(c, v, raw, esc); reason != "" {
		d.problem(raw, reason)
	}
	return nil
}

// fits reports whether a value starting with ch can be read into the container c.
func fits(c *codec, ch byte) bool {
	switch c.kind {
	case kStruct:
		return ch == '{' || (ch == '"' && c.st.text != nil)
	case kMap:
		return ch == '{'
	case kSlice:
		return ch == '['
	}
	return ch == '{' || ch == '['
}

// setTime sets the time.Time v without boxing t in an interface.
func setTime(v reflect.Value, t time.Time) { *v.Addr().Interface().(*time.Time) = t }

func isContainer(c *codec) bool {
	return c.kind == kStruct || c.kind == kSlice || c.kind == kMap || c.kind == kOneOrMany
}

func (d *decoder) problemCount() int {
	if d.problems == nil {
		return 0
	}
	return len(*d.problems)
}

// leaf reads the validated scalar raw into v; a non-empty answer is why it could not, and v
// is then left as it was.
func (d *decoder) leaf(c *codec, v reflect.Value, raw []byte, esc bool) string {
	switch c.kind {
	case kString:
		if raw[0] == '"' {
			v.SetString(unquote(raw, esc))
		} else {
			v.SetString(string(raw)) // a number or boolean: its literal text
		}
	case kInt, kUint:
		n, ok := integer(scalar(raw, esc))
		if !ok {
			return "expected an integer, got " + describe(raw)
		}
		if c.kind == kInt {
			if v.OverflowInt(n) {
				return "integer out of range"
			}
			v.SetInt(n)
		} else {
			if n < 0 || v.OverflowUint(uint64(n)) {
				return "integer out of range"
			}
			v.SetUint(uint64(n))
		}
	case kFloat:
		f, err := strconv.ParseFloat(string(scalar(raw, esc)), 64)
		if err != nil || v.OverflowFloat(f) {
			return "expected a number, got " + describe(raw)
		}
		v.SetFloat(f)
	case kBool:
		switch string(scalar(raw, esc)) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return "expected a boolean, got " + describe(raw)
		}
	case kTime:
		if raw[0] != '"' {
			return "expected a time, got " + describe(raw)
		}
		t, ok := ParseTime(unquote(raw, esc))
		if !ok {
			return "not a time"
		}
		setTime(v, t)
	case kMillis:
		dec, err := polybill.ParseDecimal(string(scalar(raw, esc)))
		if err != nil {
			return "expected epoch milliseconds, got " + describe(raw)
		}
		ms, err := dec.Round(0).MinorUnits(0)
		if err != nil {
			return "epoch milliseconds out of range"
		}
		setTime(v, time.UnixMilli(ms).UTC())
	case kUnmarshaler:
		// Into the field itself (a pointer in an interface does not allocate); a failed read
		// leaves it zero.
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			v.SetZero()
			return err.Error()
		}
	}
	return ""
}

// scalar is the text of a scalar: a string's content, or a number's or literal's own bytes.
// Without escapes it is a slice of raw, so reading a number or boolean from it allocates
// nothing (strconv copies what its errors keep, so string(scalar(…)) passed to it does not
// escape): one allocation per number field on every record otherwise.
func scalar(raw []byte, esc bool) []byte {
	if raw[0] != '"' {
		return raw
	}
	if !esc {
		return raw[1 : len(raw)-1]
	}
	return []byte(unquote(raw, esc))
}

// integer reads an integer from text: 42, "42", and 4.0 (a count written as a float).
func integer(text []byte) (int64, bool) {
	if n, err := strconv.ParseInt(string(text), 10, 64); err == nil {
		return n, true
	}
	dec, err := polybill.ParseDecimal(string(text))
	if err != nil {
		return 0, false
	}
	n, err := dec.MinorUnits(0)
	if err != nil || !polybill.DecimalFromInt(n).Equal(dec) {
		return 0, false
	}
	return n, true
}

// timeLayouts are the forms a time is read in, the most common first.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05Z07:00", time.DateOnly}

// ParseTime parses s in the first of the layouts the APIs send times in (RFC 3339 with or
// without a zone, Rails' "2006-01-02 15:04:05 UTC", a bare date); ok is false for "" and for
// text none fits.
func ParseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// unquote decodes a validated JSON string as encoding/json does.
func unquote(raw []byte, esc bool) string {
	inner := raw[1 : len(raw)-1]
	if !esc && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return string(inner) // unreachable: raw was validated
	}
	return s
}

// object reads the object at d.i into the struct v.
func (d *decoder) object(sp *structPlan, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	// A record (a struct embedding FieldProblems) starts its own problem list and path.
	var savedProblems *polybill.FieldProblems
	var savedPath []pathElem
	if sp.problems != nil {
		savedProblems, savedPath = d.problems, d.path
		d.problems = v.FieldByIndex(sp.problems).Addr().Interface().(*polybill.FieldProblems)
		d.path = d.path[len(d.path):] // the same backing array, past the enclosing path
		defer func() { d.problems, d.path = savedProblems, savedPath }()
	}
	start := d.i
	st := memberState{}
	if err := d.members(sp, v, depth, &st, false); err != nil {
		return err
	}
	if sp.raw != nil && !st.rawSet {
		raw := d.data[start:d.i]
		if start != d.sharedRaw {
			raw = bytes.Clone(raw)
		}
		v.FieldByIndex(sp.raw).SetBytes(raw[:len(raw):len(raw)])
	}
	return nil
}

// memberState is what members tracks across an object and its flattened inner object.
type memberState struct {
	ranks  [64]uint8 // per field: 1 + the rank of the name it was read from, 0 when unread
	outer  uint64    // fields read from the outer object: the inner one does not override them
	rawSet bool
}

// members reads the members of the object at d.i ('{') into v; inner is true for the members
// of a flattened object (JSON:API's attributes), where the resource's own members win.
func (d *decoder) members(sp *structPlan, v reflect.Value, depth int, st *memberState, inner bool) error {
	d.i++
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		key, err := d.key()
		if err != nil {
			return err
		}
		ref, known := sp.lookup(key)
		switch {
		case known:
			f := &sp.fields[ref.field]
			if d.i < len(d.data) && d.data[d.i] == 'n' {
				if err := d.literal("null"); err != nil {
					return err
				}
				break
			}
			if r := st.ranks[ref.field]; (r != 0 && int(r)-1 < ref.rank) || (inner && st.outer&(1<<ref.field) != 0) {
				// A less preferred name of a field already read.
				if err := d.skip(depth); err != nil {
					return err
				}
				break
			}
			st.ranks[ref.field] = uint8(ref.rank + 1)
			if !inner {
				st.outer |= 1 << ref.field
			}
			fv := v.FieldByIndex(f.index)
			fv.SetZero() // a repeated key: the last wins
			d.path = append(d.path, pathElem{key: f.name, index: -1})
			err := d.value(f.codec, fv, depth)
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return err
			}
		case sp.flatten != "" && string(key) == sp.flatten && d.i < len(d.data) && d.data[d.i] == '{':
			if depth+1 > maxDepth {
				return errSyntax
			}
			start := d.i
			if err := d.members(sp, v, depth+1, st, true); err != nil {
				return err
			}
			v.FieldByIndex(sp.raw).SetBytes(bytes.Clone(d.data[start:d.i]))
			st.rawSet = true
		default:
			start := d.i
			if err := d.skip(depth); err != nil {
				return err
			}
			if sp.extra != nil {
				m := v.FieldByIndex(sp.extra).Addr().Interface().(*map[string]json.RawMessage)
				if *m == nil {
					*m = map[string]json.RawMessage{}
				}
				(*m)[string(key)] = bytes.Clone(d.data[start:d.i])
			}
		}
		if done, err := d.next('}'); err != nil || done {
			return err
		}
	}
}

// key reads a member's key and its colon, leaving d.i at the value. The key shares d.data's
// memory unless it had to be decoded.
func (d *decoder) key() ([]byte, error) {
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return nil, errSyntax
	}
	start := d.i
	esc, err := d.str()
	if err != nil {
		return nil, err
	}
	key := d.data[start+1 : d.i-1]
	if esc {
		key = []byte(unquote(d.data[start:d.i], esc))
	}
	d.ws()
	if d.i >= len(d.data) || d.data[d.i] != ':' {
		return nil, errSyntax
	}
	d.i++
	d.ws()
	return key, nil
}

// next consumes the separator after a member or element: ',' (done false) or closing (done
// true), with the whitespace around it.
func (d *decoder) next(closing byte) (done bool, err error) {
	d.ws()
	if d.i >= len(d.data) {
		return false, errSyntax
	}
	switch d.data[d.i] {
	case ',':
		d.i++
		d.ws()
		return false, nil
	case closing:
		d.i++
		return true, nil
	}
	return false, errSyntax
}

// array reads the array at d.i into the slice v; an empty array is an empty, non-nil slice. The
// elements are decoded in place, in a slice grown once to the counted length (reflect's Grow and
// SetLen allocate no slice headers).
func (d *decoder) array(c *codec, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	d.i++
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		v.Set(reflect.MakeSlice(c.typ, 0, 0))
		return nil
	}
	v.SetLen(0)
	v.Grow(countElements(d.data[d.i:]))
	for i := 0; ; i++ {
		if i == v.Cap() {
			v.Grow(1)
		}
		v.SetLen(i + 1)
		d.path = append(d.path, pathElem{index: i})
		err := d.value(c.elem, v.Index(i), depth)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
		if done, err := d.next(']'); err != nil {
			return err
		} else if done {
			return nil
		}
	}
}

// mapObject reads the object at d.i into the map v.
func (d *decoder) mapObject(c *codec, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	m := reflect.MakeMap(c.typ)
	v.Set(m)
	d.i++
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		key, err := d.key()
		if err != nil {
			return err
		}
		k := string(key)
		ev := reflect.New(c.elem.typ).Elem()
		d.path = append(d.path, pathElem{key: k, index: -1})
		err = d.value(c.elem, ev, depth)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(k).Convert(c.typ.Key()), ev)
		if done, err := d.next('}'); err != nil || done {
			return err
		}
	}
}

// countElements estimates the number of elements of the array whose content starts data,
// from its top-level commas, stopping at its end. It only sizes a slice.
func countElements(data []byte) int {
	n, depth, inString := 0, 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
		case ']', '}':
			if depth == 0 {
				if n == 0 && i == 0 {
					return 0
				}
				return n + 1
			}
			depth--
		case ',':
			if depth == 0 {
				n++
			}
		}
	}
	return n + 1
}

func kindName(c byte) string {
	if c == '[' {
		return "array"
	}
	return "object"
}

func leafName(k kind) string {
	switch k {
	case kString:
		return "a string"
	case kInt, kUint:
		return "an integer"
	case kFloat:
		return "a number"
	case kBool:
		return "a boolean"
	case kTime:
		return "a time"
	}
	return "a scalar"
}

// describe names the JSON kind of v without echoing it (values may hold personal data).
func describe(v []byte) string {
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
