// Package spectest holds each API's public types against its spec, openapi/<api>.yaml, which
// is the source of truth (DESIGN rule 1, issue 13 Deliver 5): every property of every schema a
// 2xx response can carry must be read into a typed field, unless it is listed as deliberately
// raw-only (reachable through the record's raw JSON), and every property of every request body
// must be settable through a public field.
//
// The response check walks the spec and the Go types together, from each operation's 2xx
// schema and the type the client reads that body into, through allOf/oneOf/anyOf, arrays,
// additionalProperties and every property, asking internal/wire which field a key is read
// into (wire.Field): so a property is "typed" exactly when the one reader reads it.
package spectest

import (
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/polybill/polybill-go/internal/wire"
)

// Load reads the spec file (openapi/<api>.yaml, relative to the test's package directory).
func Load(t testing.TB, file string) *openapi3.T {
	t.Helper()
	spec, err := openapi3.NewLoader().LoadFromFile(file)
	if err != nil {
		t.Fatalf("spectest: load %s: %v", file, err)
	}
	return spec
}

// Responses describes how an API's client reads its responses.
type Responses struct {
	// Types maps every operationId whose 2xx answer has a JSON body to the Go type the client
	// hands that body to internal/wire. An operation of the spec missing here fails the check,
	// so a new operation cannot go unchecked.
	Types map[string]reflect.Type
	// Through maps a type that reads itself (its UnmarshalJSON calls wire.Decode on another
	// type) to the type it reads through.
	Through map[reflect.Type]reflect.Type
	// Arrays maps a type that reads a JSON array as well as an object (a OneOrMany written by
	// hand: crm's payment split, an encounters find answer) to the type of the array's elements.
	Arrays map[reflect.Type]reflect.Type
	// RawOnly lists the properties deliberately read only through the raw JSON, as
	// "Schema.property" (Schema is the component's name, or the path to an inline schema), each
	// with why. An entry that no longer names an untyped property fails the check.
	RawOnly map[string]string
}

// CheckResponses fails t for every response property of spec without a typed field.
func CheckResponses(t testing.TB, spec *openapi3.T, r Responses) {
	t.Helper()
	w := &walker{t: t, r: r, seen: map[visit]bool{}, used: map[string]bool{}}
	for _, op := range operations(spec) {
		for code, resp := range op.op.Responses.Map() {
			if !strings.HasPrefix(code, "2") || resp.Value == nil {
				continue
			}
			mt := resp.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				continue
			}
			typ, ok := r.Types[op.op.OperationID]
			if !ok {
				t.Errorf("spectest: operation %s answers JSON but has no Go type in Responses.Types", op.op.OperationID)
				continue
			}
			w.op = op.op.OperationID
			w.walk(mt.Schema, typ, op.op.OperationID+"."+code)
		}
	}
	for id := range r.RawOnly {
		if !w.used[id] {
			t.Errorf("spectest: RawOnly lists %s, which is not an untyped property of any response", id)
		}
	}
}

type namedOp struct {
	path string
	op   *openapi3.Operation
}

// operations returns the spec's operations in a stable order.
func operations(spec *openapi3.T) []namedOp {
	var out []namedOp
	for p, item := range spec.Paths.Map() {
		for _, op := range item.Operations() {
			out = append(out, namedOp{p, op})
		}
	}
	slices.SortFunc(out, func(a, b namedOp) int { return strings.Compare(a.op.OperationID, b.op.OperationID) })
	return out
}

type visit struct {
	s *openapi3.Schema
	t reflect.Type
}

type walker struct {
	t    testing.TB
	r    Responses
	op   string
	seen map[visit]bool
	used map[string]bool
}

func (w *walker) resolve(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if via, ok := w.r.Through[t]; ok {
		return w.resolve(via)
	}
	return t
}

func (w *walker) walk(s *openapi3.SchemaRef, t reflect.Type, name string) {
	if s == nil || s.Value == nil {
		return
	}
	if s.Ref != "" {
		name = path.Base(s.Ref)
	}
	t = w.resolve(t)
	if wire.Leaf(t) {
		return
	}
	v := s.Value
	if w.seen[visit{v, t}] {
		return
	}
	w.seen[visit{v, t}] = true
	for _, sub := range slices.Concat(v.AllOf, v.OneOf, v.AnyOf) {
		w.walk(sub, t, name)
	}
	if v.Items != nil {
		if elem, ok := wire.Elem(t); ok {
			w.walk(v.Items, elem, name+"[]")
		} else if elem, ok := w.r.Arrays[t]; ok {
			w.walk(v.Items, elem, name+"[]")
		} else {
			w.t.Errorf("spectest: %s: %s is an array in the spec, but %s is not a list", w.op, name, t)
		}
	}
	props := make([]string, 0, len(v.Properties))
	for p := range v.Properties {
		props = append(props, p)
	}
	slices.Sort(props)
	for _, p := range props {
		if ps := v.Properties[p]; ps.Value != nil && ps.Value.WriteOnly {
			continue // never in a response
		}
		id := name + "." + p
		ft, ok := wire.Field(t, p)
		_, raw := w.r.RawOnly[id]
		switch {
		case !ok && raw:
			w.used[id] = true
		case !ok:
			w.t.Errorf("spectest: %s: property %s has no typed field in %s (add one, or list it in RawOnly with why)", w.op, id, t)
		case raw:
			w.t.Errorf("spectest: %s: %s is listed in RawOnly but is read into %s", w.op, id, ft)
		default:
			w.walk(v.Properties[p], ft, id)
		}
	}
	if ap := v.AdditionalProperties.Schema; ap != nil {
		if t.Kind() == reflect.Map {
			w.walk(ap, t.Elem(), name+"{}")
		}
	}
}

// Requests maps, per operationId with a JSON (or form) request body, each property of that
// body to the public field that sets it, as "Type.Field" on the params type of the method
// (Type is the params value's type name; a dotted path follows nested fields).
type Requests struct {
	// Params maps an operationId to the public type a caller fills to send its body.
	Params map[string]reflect.Type
	// Fields maps "operationId.property" to the field path of Params[operationId] that sets
	// it ("Amount", "Billing.Amount"), or to "-" with why after it ("- the SDK sets it").
	Fields map[string]string
	// Methods maps "operationId.property" to the method expression of the public method that
	// sends it ((*InvoiceService).Finalize for a patch's finalize operator), for properties no
	// params field sets because one method sends each. Removing the method breaks the build.
	Methods map[string]any
	// Bodies maps every operationId of Params to the type the client encodes its body from
	// with wire.Encode (the package's unexported wire struct), or to nil when a library writes
	// it (oauth2's token form). Each property Fields maps to a field must be a key that type
	// writes (wire.Declares, level by level), so a field whose tag is lost fails here.
	Bodies map[string]reflect.Type
}

// CheckRequests fails t for every request body property of spec that no public field sets,
// and for every mapped field that does not exist.
func CheckRequests(t testing.TB, spec *openapi3.T, r Requests) {
	t.Helper()
	used := map[string]bool{}
	for _, op := range operations(spec) {
		rb := op.op.RequestBody
		if rb == nil || rb.Value == nil {
			continue
		}
		for _, mt := range rb.Value.Content {
			if mt.Schema == nil {
				continue
			}
			id := op.op.OperationID
			params, ok := r.Params[id]
			if !ok {
				t.Errorf("spectest: operation %s takes a body but has no params type in Requests.Params", id)
				continue
			}
			for _, p := range properties(mt.Schema) {
				key := id + "." + p
				used[key] = true
				if m, ok := r.Methods[key]; ok {
					if v := reflect.ValueOf(m); v.Kind() != reflect.Func || v.IsNil() {
						t.Errorf("spectest: Requests.Methods[%s] is not a method expression", key)
					}
					continue
				}
				f, ok := r.Fields[key]
				if !ok {
					t.Errorf("spectest: request property %s (%s) is not settable: map it to a field of %s in Requests.Fields", key, op.path, params)
					continue
				}
				if strings.HasPrefix(f, "-") {
					continue
				}
				if err := hasField(params, f); err != nil {
					t.Errorf("spectest: request property %s: %v", key, err)
				}
				body, ok := r.Bodies[id]
				if !ok {
					t.Errorf("spectest: operation %s has no body type in Requests.Bodies", id)
				} else if body != nil {
					if err := writes(body, p); err != nil {
						t.Errorf("spectest: request property %s: %v", key, err)
					}
				}
			}
		}
	}
	for key := range r.Fields {
		if !used[key] {
			t.Errorf("spectest: Requests.Fields maps %s, which is not a request property of the spec", key)
		}
		if _, twice := r.Methods[key]; twice {
			t.Errorf("spectest: %s is in both Requests.Fields and Requests.Methods", key)
		}
	}
	for key := range r.Methods {
		if !used[key] {
			t.Errorf("spectest: Requests.Methods maps %s, which is not a request property of the spec", key)
		}
	}
}

// properties lists the leaf properties of a request schema as dotted paths ("billing.amount",
// "items[].name"), through allOf/oneOf/anyOf; an object with no properties of its own (a free
// map) is a leaf.
func properties(s *openapi3.SchemaRef) []string {
	seen := map[string]bool{}
	var walk func(s *openapi3.SchemaRef, prefix string, depth int)
	walk = func(s *openapi3.SchemaRef, prefix string, depth int) {
		if s == nil || s.Value == nil || depth > 8 {
			return
		}
		v := s.Value
		for _, sub := range slices.Concat(v.AllOf, v.OneOf, v.AnyOf) {
			walk(sub, prefix, depth+1)
		}
		if v.Items != nil && prefix != "" {
			walk(v.Items, strings.TrimSuffix(prefix, ".")+"[].", depth+1)
		}
		for p, ps := range v.Properties {
			if ps.Value != nil && ps.Value.ReadOnly {
				continue // set by the server, never sent
			}
			if ps.Value != nil && (len(ps.Value.Properties) > 0 || hasNested(ps.Value)) {
				walk(ps, prefix+p+".", depth+1)
				continue
			}
			seen[strings.TrimSuffix(prefix, ".")+sep(prefix)+p] = true
		}
	}
	walk(s, "", 0)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// hasNested reports whether v is composed of or lists objects with properties.
func hasNested(v *openapi3.Schema) bool {
	for _, sub := range slices.Concat(v.AllOf, v.OneOf, v.AnyOf) {
		if sub.Value != nil && (len(sub.Value.Properties) > 0 || hasNested(sub.Value)) {
			return true
		}
	}
	return v.Items != nil && v.Items.Value != nil && (len(v.Items.Value.Properties) > 0 || hasNested(v.Items.Value))
}

func sep(prefix string) string {
	if prefix == "" {
		return ""
	}
	return "."
}

// writes checks that wire.Encode writes the property path ("billing.amount", "items[].name")
// from body: each key is one body's level declares, and the level below is the type the key's
// field holds.
func writes(body reflect.Type, property string) error {
	cur := body
	parts := strings.Split(property, ".")
	for i, part := range parts {
		name, isList := strings.CutSuffix(part, "[]")
		for cur.Kind() == reflect.Pointer {
			cur = cur.Elem()
		}
		if !wire.Declares(reflect.New(cur).Interface(), name) {
			return fmt.Errorf("the body %s does not write %q (the field of %s that should, or its tag, is missing)", body, name, cur)
		}
		if i == len(parts)-1 {
			break
		}
		ft, ok := wire.Field(cur, name)
		if !ok {
			return fmt.Errorf("the body %s writes %q but no field of %s holds what is below it", body, name, cur)
		}
		if isList {
			if ft, ok = wire.Elem(ft); !ok {
				return fmt.Errorf("%q of %s is not a list", name, cur)
			}
		}
		cur = ft
	}
	return nil
}

// hasField checks that the exported field path exists on t.
func hasField(t reflect.Type, fieldPath string) error {
	cur := t
	for part := range strings.SplitSeq(fieldPath, ".") {
		for cur.Kind() == reflect.Pointer || cur.Kind() == reflect.Slice {
			cur = cur.Elem()
		}
		if cur.Kind() != reflect.Struct {
			return fmt.Errorf("%s.%s: %s is not a struct", t, fieldPath, cur)
		}
		f, ok := cur.FieldByName(part)
		if !ok || !f.IsExported() {
			return fmt.Errorf("%s has no exported field %s", t, fieldPath)
		}
		cur = f.Type
	}
	return nil
}
