package epilot

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Entities in epilot are open (`additionalProperties: true` on BaseEntity): orgs add their own
// attributes to contracts and billing events. The SDK keeps every property it does not model in
// an Extra map of raw JSON values (read by internal/wire's `,extra` field, at every level: events,
// contracts, relations and relation items), so a read-modify-write never loses them and each value
// round-trips byte for byte: MarshalJSON writes the stored bytes verbatim (encoding/json,
// when it wraps a MarshalJSON, compacts whitespace and escapes <, > and &).

var knownKeysCache sync.Map // reflect.Type -> map[string]bool

// jsonKeys returns the JSON names of t's fields (t is a struct type).
func jsonKeys(t reflect.Type) map[string]bool {
	if v, ok := knownKeysCache.Load(t); ok {
		return v.(map[string]bool)
	}
	keys := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			for k := range jsonKeys(f.Type) { // promoted fields of an embedded struct
				keys[k] = true
			}
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		keys[name] = true
	}
	knownKeysCache.Store(t, keys)
	return keys
}

// marshalOpen encodes wire (a struct) and appends the extra properties verbatim, in key order.
// An extra key that wire already encodes is skipped: the modelled field wins.
func marshalOpen(wire any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(wire)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	known := jsonKeys(reflect.TypeOf(wire))
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1]) // without the closing brace
	first := len(b) == 2    // "{}"
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		if known[k] {
			continue
		}
		v := extra[k]
		if !json.Valid(v) {
			return nil, &json.UnsupportedValueError{Str: "epilot: extra property " + k + " is not valid JSON"}
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
