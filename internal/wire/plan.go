package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	polybill "github.com/polybill/polybill-go"
)

// kind is how a Go type is read.
type kind uint8

const (
	kString kind = iota
	kInt
	kUint
	kFloat
	kBool
	kTime
	kRawMessage
	kUnmarshaler // a leaf type with its own UnmarshalJSON (Decimal, Date, …)
	kPtr
	kStruct
	kSlice
	kMap
	kAny
	kOneOrMany
	kMillis // a time.Time sent as epoch milliseconds (`wire:"createdAt,millis"`)
)

// codec is the plan for one Go type.
type codec struct {
	kind kind
	typ  reflect.Type
	elem *codec      // kPtr, kSlice, kMap
	st   *structPlan // kStruct
}

type structPlan struct {
	fields []field
	// names maps every name of every field to (field, rank); folded maps the names folded as
	// encoding/json folds them (fold) for the case-insensitive fallback.
	names    map[string]keyRef
	folded   map[string]keyRef
	extra    []int // index of the `wire:",extra"` map, nil when none
	raw      []int // index of the `wire:",raw"` field, nil when none
	flatten  string
	problems []int // index of the embedded polybill.FieldProblems, nil when none
	text     []int // index of the `wire:",text"` string field, nil when none
}

// isRecord reports whether t is declared for this package: it embeds polybill.FieldProblems or
// has a `wire` tag, itself or in an embedded struct. Such a type is read by its plan even when it
// has an UnmarshalJSON, which is then expected to call Decode (for users of encoding/json).
func isRecord(t reflect.Type) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if _, tagged := f.Tag.Lookup("wire"); tagged {
			return true
		}
		if f.Anonymous && (f.Type == typeProblems || (f.Type.Kind() == reflect.Struct && isRecord(f.Type))) {
			return true
		}
	}
	return false
}

// OneOrMany is a list the server may also send as a single object (crm's `data`: a list of
// billings, or the vendor document's one resource).
type OneOrMany[T any] struct {
	Items []T
	// Single is true when the value was one object rather than a list.
	Single bool
}

func (*OneOrMany[T]) oneOrMany() {}

type field struct {
	index []int
	name  string // the preferred name, for problem paths
	codec *codec
}

type keyRef struct {
	field, rank int
}

var (
	plans           sync.Map // reflect.Type → *codec
	typeTime        = reflect.TypeFor[time.Time]()
	typeRawMessage  = reflect.TypeFor[json.RawMessage]()
	typeProblems    = reflect.TypeFor[polybill.FieldProblems]()
	typeUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	typeExtraMap    = reflect.TypeFor[map[string]json.RawMessage]()
	typeOneOrMany   = reflect.TypeFor[interface{ oneOrMany() }]()
	planMu          sync.Mutex
)

// planFor returns the cached plan of t, building it (and those of the types it holds) once.
func planFor(t reflect.Type) *codec {
	if c, ok := plans.Load(t); ok {
		return c.(*codec)
	}
	planMu.Lock()
	defer planMu.Unlock()
	building := map[reflect.Type]*codec{}
	c := build(t, building)
	for t, c := range building {
		plans.LoadOrStore(t, c)
	}
	return c
}

func build(t reflect.Type, building map[reflect.Type]*codec) *codec {
	if c, ok := plans.Load(t); ok {
		return c.(*codec)
	}
	if c, ok := building[t]; ok {
		return c // a recursive type: filled in below
	}
	c := &codec{typ: t}
	building[t] = c
	switch {
	case t == typeTime:
		c.kind = kTime
		return c
	case t == typeRawMessage:
		c.kind = kRawMessage
		return c
	case t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(typeOneOrMany):
		c.kind = kOneOrMany
		c.elem = build(t.Field(0).Type, building)
		return c
	case t.Kind() == reflect.Struct && isRecord(t):
		// A record is read by its plan even when it also has an UnmarshalJSON (which calls
		// Decode, for users decoding it with encoding/json).
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(typeUnmarshaler):
		c.kind = kUnmarshaler
		return c
	}
	switch t.Kind() {
	case reflect.String:
		c.kind = kString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.kind = kInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.kind = kUint
	case reflect.Float32, reflect.Float64:
		c.kind = kFloat
	case reflect.Bool:
		c.kind = kBool
	case reflect.Pointer:
		c.kind = kPtr
		c.elem = build(t.Elem(), building)
	case reflect.Slice:
		c.kind = kSlice
		c.elem = build(t.Elem(), building)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic("wire: map key of " + t.String() + " is not a string")
		}
		c.kind = kMap
		c.elem = build(t.Elem(), building)
	case reflect.Interface:
		c.kind = kAny
	case reflect.Struct:
		c.kind = kStruct
		c.st = buildStruct(t, building)
	default:
		panic("wire: cannot read into " + t.String())
	}
	return c
}

func buildStruct(t reflect.Type, building map[reflect.Type]*codec) *structPlan {
	sp := &structPlan{names: map[string]keyRef{}, folded: map[string]keyRef{}}
	addFields(sp, t, nil, building)
	if len(sp.fields) > 64 {
		panic("wire: more than 64 fields in " + t.String())
	}
	return sp
}

// addFields adds the fields of t, found at prefix inside the planned struct, to sp.
func addFields(sp *structPlan, t reflect.Type, prefix []int, building map[reflect.Type]*codec) {
	var embedded []reflect.StructField
	defer func() {
		// An embedded struct's fields are read as the outer struct's own, as encoding/json
		// promotes them; a name the outer level already has stays the outer field's.
		for _, f := range embedded {
			addFields(sp, f.Type, f.Index, building)
		}
	}()
	for i := range t.NumField() {
		f := t.Field(i)
		f.Index = append(append([]int(nil), prefix...), f.Index...)
		if f.Type == typeProblems && f.Anonymous {
			if sp.problems == nil {
				sp.problems = f.Index
			}
			continue
		}
		tag, ok := f.Tag.Lookup("wire")
		if !ok && f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			// Even an unexported embedded struct's exported fields are read, as in encoding/json;
			// after the fields of this level, which win.
			embedded = append(embedded, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if !ok {
			tag = f.Tag.Get("json")
			if tag == "" || tag == "-" {
				continue
			}
			tag, _, _ = strings.Cut(tag, ",")
		}
		if tag == "-" {
			continue
		}
		parts := strings.Split(tag, ",")
		var names []string
		var isRaw, isExtra, isFlatten, isText, isMillis bool
		for _, p := range parts {
			switch p {
			case "":
			case "raw":
				isRaw = true
			case "extra":
				isExtra = true
			case "flatten":
				isFlatten = true
			case "text":
				isText = true
			case "millis":
				isMillis = true
			default:
				names = append(names, p)
			}
		}
		switch {
		case isText:
			if f.Type.Kind() != reflect.String {
				panic("wire: text field " + t.String() + "." + f.Name + " is not a string")
			}
			sp.text = f.Index
			continue
		case isExtra:
			if sp.extra != nil && prefix != nil {
				continue
			}
			if f.Type != typeExtraMap {
				panic("wire: extra field " + t.String() + "." + f.Name + " is not a map[string]json.RawMessage")
			}
			sp.extra = f.Index
			continue
		case isRaw:
			if sp.raw != nil && prefix != nil {
				continue
			}
			if f.Type != typeRawMessage {
				panic("wire: raw field " + t.String() + "." + f.Name + " is not a json.RawMessage")
			}
			sp.raw = f.Index
			if isFlatten {
				sp.flatten = names[0]
			}
			continue
		}
		if len(names) == 0 {
			continue
		}
		if _, taken := sp.names[names[0]]; taken && prefix != nil {
			continue // shadowed by a field of an outer level
		}
		fi := len(sp.fields)
		c := &codec{kind: kMillis, typ: f.Type}
		if !isMillis {
			c = build(f.Type, building)
		} else if f.Type != typeTime {
			panic("wire: millis field " + t.String() + "." + f.Name + " is not a time.Time")
		}
		sp.fields = append(sp.fields, field{index: f.Index, name: names[0], codec: c})
		for r, n := range names {
			if _, dup := sp.names[n]; dup {
				panic("wire: key " + n + " named twice in " + t.String())
			}
			sp.names[n] = keyRef{fi, r}
			low := string(fold(nil, []byte(n)))
			if _, dup := sp.folded[low]; !dup {
				sp.folded[low] = keyRef{fi, r}
			}
		}
	}
}

// lookup finds the field key names: exactly, else as encoding/json matches a key to a field
// (bytes.EqualFold: ASCII case, and Unicode simple folding, so "tagſ" is "tags").
func (sp *structPlan) lookup(key []byte) (keyRef, bool) {
	if r, ok := sp.names[string(key)]; ok {
		return r, true
	}
	if len(sp.folded) == 0 {
		return keyRef{}, false
	}
	var buf [64]byte
	r, ok := sp.folded[string(fold(buf[:0], key))]
	return r, ok
}

// fold appends the case-folded form of name to out, as encoding/json's foldName does: ASCII
// letters upper-cased, every other rune replaced by the smallest rune of its fold set, so that
// fold(x) == fold(y) exactly when bytes.EqualFold(x, y).
func fold(out, name []byte) []byte {
	for i := 0; i < len(name); {
		if c := name[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(name[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return out
}

// Field returns the type of the field of the struct type t (or a pointer to one) that key is
// read into, for tests that hold a type against its API's spec (internal/spectest). A
// flattened object's key (JSON:API's attributes) gives t itself; a OneOrMany gives its element
// type for every key of the element. ok is false when no field of t reads key (by its exact
// name: the spec's keys are the names the tags declare) or t is not read as an object.
func Field(t reflect.Type, key string) (_ reflect.Type, ok bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	c := planFor(t)
	if c.kind == kOneOrMany {
		return Field(c.elem.elem.typ, key)
	}
	if c.kind != kStruct {
		return nil, false
	}
	if c.st.flatten != "" && key == c.st.flatten {
		return t, true
	}
	r, ok := c.st.names[key]
	if !ok {
		return nil, false
	}
	f := c.st.fields[r.field]
	return f.codec.typ, true
}

// Elem returns the element type of a list type t: a slice's, or a OneOrMany's.
func Elem(t reflect.Type) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch c := planFor(t); c.kind {
	case kSlice:
		return t.Elem(), true
	case kOneOrMany:
		return c.elem.elem.typ, true
	}
	return nil, false
}

// Leaf reports whether t is read as one value rather than member by member: a scalar, a time,
// raw JSON, an interface, or a type with its own UnmarshalJSON that is not declared with wire
// tags (Decimal, Date). What a spec says below such a value is the leaf type's business.
func Leaf(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch planFor(t).kind {
	case kStruct, kSlice, kMap, kOneOrMany:
		return false
	}
	return true
}
