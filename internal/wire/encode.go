package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Encode writes v as the JSON body of a request: the one encoder behind every request body of
// the four API packages (each declares an unexported wire struct for its body), handed to the
// transport as bytes that every attempt re-sends unchanged.
//
// A struct field is written under its `json` name (else the first name of its `wire` tag),
// with encoding/json's omitempty and omitzero, in encoding/json's order (declaration order, an
// untagged embedded struct's fields promoted at its place, a name of an outer level shadowing
// the same name of an embedded one). A map[string]json.RawMessage field tagged `wire:",extra"`
// adds the properties the struct does not name, at every level:
//
//   - a key the struct declares, or one equal to it up to case (bytes.EqualFold, the rule the
//     reader matches keys by), is never taken from extra, whether the typed field is written
//     or omitted: the typed field wins, so its validation cannot be bypassed, and a reader
//     that matches keys as encoding/json does (up to case, the last one winning) cannot take
//     the extra for the field either;
//   - the other keys follow the typed fields in sorted key order, so a body is deterministic;
//   - each value is written verbatim (byte for byte, without the blanks around it), after a
//     check that it is one valid JSON value (*ExtraError otherwise).
//
// A value with its own MarshalJSON (polybill.Decimal, polybill.Date, time.Time, …) is written
// as that method returns it, checked but not re-indented or re-escaped: a Decimal read as
// 250.00 goes out as 250.00, a quoted one as "250.00" (a package whose spec wants a number
// sends Unquoted()). Other leaves are written as encoding/json writes them (strings
// HTML-escaped alike), so a body without extras is byte-identical to json.Marshal of the same
// struct.
func Encode(v any) ([]byte, error) {
	e := encoder{buf: make([]byte, 0, 512)} // most request bodies fit: one allocation
	if err := e.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// Declares reports whether Encode writes key from a typed field of v's struct type (whether or
// not the field is set), so that an extra property of that name would be ignored. A package
// whose Extra is filled only by its callers uses it to refuse such a key instead of dropping
// it.
func Declares(v any, key string) bool {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return false
	}
	return encodePlanFor(t).declared[foldKey(key)]
}

// foldKey is key case-folded as the reader folds keys (fold, encoding/json's rule): the form
// in which declared keys are compared.
func foldKey(key string) string { return string(fold(nil, []byte(key))) }

type encoder struct {
	buf   []byte
	depth int
}

// maxEncodeDepth stops a cyclic value (a pointer loop) instead of overflowing the stack.
const maxEncodeDepth = 1000

var (
	typeMarshaler = reflect.TypeFor[json.Marshaler]()
	errCycle      = errors.New("wire: value nested too deeply (a cycle?)")
)

func (e *encoder) value(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if e.depth++; e.depth > maxEncodeDepth {
		return errCycle
	}
	err := e.leaf(v)
	e.depth--
	return err
}

func (e *encoder) leaf(v reflect.Value) error {
	t := v.Type()
	ti := infoFor(t)
	switch {
	case ti.marshaler:
		return e.marshaler(v.Interface().(json.Marshaler), t)
	case ti.addrMarshaler && v.CanAddr():
		return e.marshaler(v.Addr().Interface().(json.Marshaler), t)
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if ti.ptrMarshaler {
			return e.marshaler(v.Interface().(json.Marshaler), t)
		}
		return e.value(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(v.Elem())
	case reflect.String:
		e.buf = appendString(e.buf, v.String())
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		// No money field is a float (DESIGN rule 5); a float left in a body is written
		// exactly as encoding/json writes it.
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		e.buf = append(e.buf, b...)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 && !infoFor(t.Elem()).addrMarshaler {
			b, err := json.Marshal(v.Interface()) // base64, as encoding/json
			if err != nil {
				return err
			}
			e.buf = append(e.buf, b...)
			return nil
		}
		return e.array(v)
	case reflect.Array:
		return e.array(v)
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Struct:
		return e.structValue(v)
	default:
		return fmt.Errorf("wire: cannot encode %s", t)
	}
	return nil
}

func (e *encoder) marshaler(m json.Marshaler, t reflect.Type) error {
	b, err := m.MarshalJSON()
	if err != nil {
		return fmt.Errorf("wire: encoding %s: %w", t, err)
	}
	if !json.Valid(b) {
		return fmt.Errorf("wire: %s.MarshalJSON wrote invalid JSON", t)
	}
	e.buf = append(e.buf, trimSpace(b)...)
	return nil
}

func (e *encoder) array(v reflect.Value) error {
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(v.Index(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) mapValue(v reflect.Value) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if v.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("wire: cannot encode %s: map key is not a string", v.Type())
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, k.String())
		e.buf = append(e.buf, ':')
		if err := e.value(v.MapIndex(k)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) structValue(v reflect.Value) error {
	p := encodePlanFor(v.Type())
	e.buf = append(e.buf, '{')
	first := true
	for _, f := range p.fields {
		fv, ok := fieldByIndex(v, f.index)
		if !ok || (f.omitEmpty && isEmpty(fv)) || (f.omitZero && isZero(fv)) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, f.key...)
		if err := e.value(fv); err != nil {
			return err
		}
	}
	if p.extra != nil {
		ev, ok := fieldByIndex(v, p.extra)
		if ok && ev.Len() > 0 {
			extra := ev.Interface().(map[string]json.RawMessage)
			keys := make([]string, 0, len(extra))
			for k := range extra {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			var folded [64]byte
			for _, k := range keys {
				if p.declared[string(fold(folded[:0], []byte(k)))] {
					continue
				}
				raw := extra[k]
				if !json.Valid(raw) {
					return &ExtraError{Key: k}
				}
				if !first {
					e.buf = append(e.buf, ',')
				}
				first = false
				e.buf = appendString(e.buf, k)
				e.buf = append(e.buf, ':')
				e.buf = append(e.buf, trimSpace(raw)...)
			}
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// ExtraError reports an extra property whose value is not one valid JSON value.
type ExtraError struct{ Key string }

func (e *ExtraError) Error() string {
	return "wire: extra property " + strconv.Quote(e.Key) + " is not valid JSON"
}

// fieldByIndex is v.FieldByIndex that stops at a nil embedded pointer (the field is absent).
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is encoding/json's omitzero test: IsZero() when the type has it, else the zero value.
func isZero(v reflect.Value) bool {
	if infoFor(v.Type()).zeroer {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return v.Interface().(interface{ IsZero() bool }).IsZero()
	}
	return v.IsZero()
}

// typeInfo is what the encoder asks of a type on every value, found once per type: asking
// reflect for an interface's method set is most of the cost of a small body otherwise.
type typeInfo struct {
	marshaler     bool // a non-pointer, non-interface type with its own MarshalJSON
	addrMarshaler bool // a non-pointer type whose pointer has MarshalJSON (used when addressable)
	ptrMarshaler  bool // a pointer type with MarshalJSON that its element lacks
	zeroer        bool // has IsZero() bool (omitzero)
}

var (
	typeInfos  sync.Map // reflect.Type → typeInfo
	typeZeroer = reflect.TypeFor[interface{ IsZero() bool }]()
)

func infoFor(t reflect.Type) typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(typeInfo)
	}
	var ti typeInfo
	switch t.Kind() {
	case reflect.Pointer:
		ti.ptrMarshaler = t.Implements(typeMarshaler) && !t.Elem().Implements(typeMarshaler)
	case reflect.Interface:
	default:
		ti.marshaler = t.Implements(typeMarshaler)
		ti.addrMarshaler = !ti.marshaler && reflect.PointerTo(t).Implements(typeMarshaler)
	}
	ti.zeroer = t.Implements(typeZeroer)
	typeInfos.Store(t, ti)
	return ti
}

type encodeField struct {
	index               []int
	key                 []byte // the quoted key and its colon
	omitEmpty, omitZero bool
}

type encodePlan struct {
	fields   []encodeField
	extra    []int
	declared map[string]bool // every key a field names, folded (foldKey): never taken from extra
}

var encodePlans sync.Map // reflect.Type → *encodePlan

func encodePlanFor(t reflect.Type) *encodePlan {
	if p, ok := encodePlans.Load(t); ok {
		return p.(*encodePlan)
	}
	p := &encodePlan{declared: map[string]bool{}}
	addEncodeFields(p, t, nil)
	// Written in index order, as encoding/json writes them: an embedded struct's fields where
	// the struct is declared.
	slices.SortStableFunc(p.fields, func(a, b encodeField) int { return slices.Compare(a.index, b.index) })
	actual, _ := encodePlans.LoadOrStore(t, p)
	return actual.(*encodePlan)
}

// addEncodeFields adds t's fields found at prefix. An embedded struct is walked after its
// level, so a name the outer level has stays the outer field's, as in encoding/json (which
// would drop a name two embedded structs of one depth both have; here the first one wins).
func addEncodeFields(p *encodePlan, t reflect.Type, prefix []int) {
	var embedded []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		f.Index = append(append([]int(nil), prefix...), f.Index...)
		jsonTag, hasJSON := f.Tag.Lookup("json")
		wireTag, hasWire := f.Tag.Lookup("wire")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && !hasJSON && !hasWire && ft.Kind() == reflect.Struct {
			embedded = append(embedded, f)
			continue
		}
		if hasWire && slices.Contains(strings.Split(wireTag, ","), "extra") {
			if p.extra == nil && f.Type == typeExtraMap {
				p.extra = f.Index
			}
			continue
		}
		if !f.IsExported() || jsonTag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(jsonTag, ",")
		var names []string
		if name == "" && hasWire {
			for _, n := range strings.Split(wireTag, ",") {
				switch n {
				case "", "raw", "flatten", "text", "millis":
				default:
					names = append(names, n)
				}
			}
			if len(names) == 0 || slices.Contains(strings.Split(wireTag, ","), "raw") {
				continue // a raw copy of the input is read-side only
			}
			name = names[0]
		}
		if name == "" {
			if hasJSON || hasWire || f.Type == typeProblems {
				continue
			}
			name = f.Name
		}
		if prefix != nil && slices.ContainsFunc(p.fields, func(f encodeField) bool { return string(f.key) == string(appendString(nil, name))+":" }) {
			continue // shadowed by a field of an outer level
		}
		for _, n := range append(names, name) {
			p.declared[foldKey(n)] = true
		}
		key := append(appendString(nil, name), ':')
		p.fields = append(p.fields, encodeField{
			index:     f.Index,
			key:       key,
			omitEmpty: hasOpt(opts, "omitempty"),
			omitZero:  hasOpt(opts, "omitzero"),
		})
	}
	for _, f := range embedded {
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		addEncodeFields(p, ft, f.Index)
	}
}

func hasOpt(opts, name string) bool {
	return slices.Contains(strings.Split(opts, ","), name)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does: <, > and & escaped,
// invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
