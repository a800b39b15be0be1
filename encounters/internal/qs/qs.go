// Package qs encodes and decodes HapiHub query strings.
//
// HapiHub is a Feathers.js server that parses query strings with the npm qs
// package, so every value arrives as a string. Its clients (@mycure/sdk-js
// 5.33, the 2023 MyCure frontend) therefore tag typed scalars with "#":
// numbers and booleans are sent as "#10" and "#true", an empty array as "#[]",
// and strings unchanged. Structure follows qs.stringify with
// strictNullHandling: brackets for nesting (a[b][c]=v), indices for arrays
// (a[$in][0]=x), and a bare key without "=" for null. Keys and values are
// percent-encoded leaving only RFC 3986 unreserved characters.
//
// A value is one of: nil (null), string, Number, bool, []any (array) or
// *Object (ordered map). The encoder refuses values the decoder could not read
// back unchanged (a string starting with "#", a key with brackets, an
// all-digit object key, an array longer than MaxArray elements, an empty
// object below the root, a key nested deeper than MaxDepth, more than
// MaxParams parameters) instead of sending an ambiguous query. The decoder
// reads what qs.parse reads with its defaults (arrayLimit 20, depth 5,
// parameterLimit 1000), so the fake that uses it sees what HapiHub sees.
package qs

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MaxArray is the longest array qs reads back as an array. qs.parse's default
// arrayLimit is 20 and, since qs 6.14.2 ("arrayLimit means max count, not max
// index", CHANGELOG.md of npm qs 6.14.2), it counts elements: indices 0..19
// parse as an array, and an index of 20 or more (a 21st element) turns the
// whole array into an object with numeric keys. @mycure/sdk-js 5.33.3 depends
// on qs ^6.9.1, which resolves to such a version.
const MaxArray = 20

// MaxDepth is how many bracket groups qs.parse reads as nesting (its default
// depth 5): in a[1][2][3][4][5][6] the rest, "[6]", becomes one literal key.
const MaxDepth = 5

// MaxParams is how many parameters qs.parse reads (its default
// parameterLimit 1000); the rest are dropped without an error.
const MaxParams = 1000

// Number is a JSON-style number kept as its decimal text, so no precision is
// lost between the caller and the wire.
type Number string

var numberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// ValidNumber reports whether s is a number the encoder can tag with "#".
func ValidNumber(s string) bool { return numberRE.MatchString(s) }

// Object is an insertion-ordered map; the order is the order of the query.
type Object struct {
	keys []string
	m    map[string]any
}

// NewObject returns an empty Object.
func NewObject() *Object { return &Object{m: map[string]any{}} }

// Set adds or replaces a key, keeping its first position.
func (o *Object) Set(k string, v any) {
	if o.m == nil {
		o.m = map[string]any{}
	}
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

// Get returns the value stored under k.
func (o *Object) Get(k string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.m[k]
	return v, ok
}

// Delete removes k.
func (o *Object) Delete(k string) {
	if _, ok := o.m[k]; !ok {
		return
	}
	delete(o.m, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// Keys returns the keys in insertion order.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return append([]string(nil), o.keys...)
}

// Len is the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// Clone copies o deeply.
func (o *Object) Clone() *Object {
	if o == nil {
		return nil
	}
	c := NewObject()
	for _, k := range o.keys {
		c.Set(k, cloneValue(o.m[k]))
	}
	return c
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case *Object:
		return t.Clone()
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}

// KeyError is returned for a query the encoder refuses or the decoder cannot
// read; Path is the bracketed key at fault.
type KeyError struct {
	Path   string
	Reason string
}

func (e *KeyError) Error() string { return fmt.Sprintf("query key %q: %s", e.Path, e.Reason) }

// Encode renders o as a HapiHub query string (without the leading "?").
func Encode(o *Object) (string, error) {
	e := encoder{}
	for _, k := range o.Keys() {
		if err := checkKey(k, k); err != nil {
			return "", err
		}
		if err := e.value(k, 0, o.m[k]); err != nil {
			return "", err
		}
	}
	return e.b.String(), nil
}

// encoder writes one query string, counting its parameters.
type encoder struct {
	b      strings.Builder
	params int
}

func checkKey(path, k string) error {
	switch {
	case k == "":
		return &KeyError{path, "empty key"}
	case strings.ContainsAny(k, "[]"):
		return &KeyError{path, "brackets in a key would be read back as nesting"}
	case isIndex(k):
		return &KeyError{path, "an all-digit key would be read back as an array index"}
	}
	return nil
}

func isIndex(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (e *encoder) emit(key string, value *string) error {
	if e.params++; e.params > MaxParams {
		return &KeyError{key, fmt.Sprintf("more than %d parameters; HapiHub (qs parameterLimit %d) drops the rest", MaxParams, MaxParams)}
	}
	if e.b.Len() > 0 {
		e.b.WriteByte('&')
	}
	e.b.WriteString(Escape(key))
	if value != nil {
		e.b.WriteByte('=')
		e.b.WriteString(Escape(*value))
	}
	return nil
}

// value writes v under path, which has depth bracket groups.
func (e *encoder) value(path string, depth int, v any) error {
	if depth > MaxDepth {
		return &KeyError{path, fmt.Sprintf("nested %d levels; HapiHub (qs depth %d) reads the deeper brackets as one literal key", depth, MaxDepth)}
	}
	switch t := v.(type) {
	case nil:
		return e.emit(path, nil)
	case string:
		if strings.HasPrefix(t, "#") {
			return &KeyError{path, "a string starting with \"#\" would be read back as a typed value"}
		}
		return e.emit(path, &t)
	case Number:
		if !ValidNumber(string(t)) {
			return &KeyError{path, fmt.Sprintf("%q is not a number", string(t))}
		}
		s := "#" + string(t)
		return e.emit(path, &s)
	case bool:
		s := "#" + strconv.FormatBool(t)
		return e.emit(path, &s)
	case []any:
		if len(t) == 0 {
			s := "#[]"
			return e.emit(path, &s)
		}
		if len(t) > MaxArray {
			return &KeyError{path, fmt.Sprintf("%d elements; HapiHub (qs arrayLimit %d, a count since qs 6.14.2) reads at most %d as an array", len(t), MaxArray, MaxArray)}
		}
		for i, el := range t {
			if err := e.value(path+"["+strconv.Itoa(i)+"]", depth+1, el); err != nil {
				return err
			}
		}
	case *Object:
		if t.Len() == 0 {
			// qs.stringify writes nothing for an empty object, so the key would vanish: an
			// empty $or alternative ({}, which matches everything) would drop out of the list.
			return &KeyError{path, "an empty object is written as nothing, so the server would not see this key"}
		}
		for _, k := range t.Keys() {
			p := path + "[" + k + "]"
			if err := checkKey(p, k); err != nil {
				return err
			}
			if err := e.value(p, depth+1, t.m[k]); err != nil {
				return err
			}
		}
	default:
		return &KeyError{path, fmt.Sprintf("unsupported value type %T", v)}
	}
	return nil
}

const upperhex = "0123456789ABCDEF"

// Escape percent-encodes every byte except RFC 3986 unreserved characters,
// as qs does in its default RFC3986 format.
func Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

func unescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", errors.New("invalid percent-encoding")
			}
			b.WriteByte(byte(unhex(s[i+1])<<4 | unhex(s[i+2])))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// appendMarker is the segment of "a[]=x" (qs: push onto the array).
const appendMarker = "\x00append"

// Decode parses a HapiHub query string (with or without the leading "?").
// "#"-tagged values become Number, bool or an empty array; a bare key is
// null; indexed keys become arrays as qs builds them (indices above 20 stay
// object keys, sparse indices are compacted).
func Decode(raw string) (*Object, error) {
	raw = strings.TrimPrefix(raw, "?")
	root := NewObject()
	params := 0
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		if params++; params > MaxParams {
			break // qs.parse drops parameters past its parameterLimit
		}
		rawKey, rawVal, hasVal := strings.Cut(part, "=")
		key, err := unescape(rawKey)
		if err != nil {
			return nil, &KeyError{rawKey, err.Error()}
		}
		var val any
		if hasVal {
			s, err := unescape(rawVal)
			if err != nil {
				return nil, &KeyError{key, err.Error()}
			}
			val = typed(s)
		}
		segs, err := splitKey(key)
		if err != nil {
			return nil, err
		}
		if err := insert(root, key, segs, val); err != nil {
			return nil, err
		}
	}
	// The root stays an object even when every key is a digit.
	for _, k := range root.keys {
		root.m[k] = finish(root.m[k])
	}
	return root, nil
}

func typed(s string) any {
	if !strings.HasPrefix(s, "#") {
		return s
	}
	switch t := s[1:]; {
	case t == "[]":
		return []any{}
	case t == "true":
		return true
	case t == "false":
		return false
	case ValidNumber(t):
		return Number(t)
	}
	return s
}

func splitKey(key string) ([]string, error) {
	i := strings.IndexByte(key, '[')
	if i < 0 {
		if strings.IndexByte(key, ']') >= 0 {
			return nil, &KeyError{key, "unbalanced bracket"}
		}
		return []string{key}, nil
	}
	if i == 0 {
		return nil, &KeyError{key, "key starts with a bracket"}
	}
	segs := []string{key[:i]}
	rest := key[i:]
	for rest != "" {
		if len(segs) > MaxDepth {
			// qs.parse (depth 5) keeps the remaining brackets as one literal key.
			segs = append(segs, rest)
			break
		}
		if rest[0] != '[' {
			return nil, &KeyError{key, "text after a closing bracket"}
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return nil, &KeyError{key, "unbalanced bracket"}
		}
		seg := rest[1:j]
		if strings.IndexByte(seg, '[') >= 0 {
			return nil, &KeyError{key, "nested bracket"}
		}
		if seg == "" {
			seg = appendMarker
		}
		segs = append(segs, seg)
		rest = rest[j+1:]
	}
	return segs, nil
}

// insert places val at segs; while decoding, arrays are *Object with index
// keys and are turned into []any by finish.
func insert(o *Object, key string, segs []string, val any) error {
	for i, seg := range segs {
		last := i == len(segs)-1
		if seg == appendMarker {
			seg = nextIndex(o)
		}
		cur, exists := o.m[seg]
		if last {
			if !exists {
				o.Set(seg, val)
				return nil
			}
			// Repeated key: qs collects the values into an array.
			if arr, ok := cur.(*Object); ok && arr.Len() > 0 && allIndices(arr) {
				arr.Set(nextIndex(arr), val)
				return nil
			}
			if _, ok := cur.(*Object); ok {
				return &KeyError{key, "a value and nested keys under the same key"}
			}
			arr := NewObject()
			arr.Set("0", cur)
			arr.Set("1", val)
			o.Set(seg, arr)
			return nil
		}
		switch t := cur.(type) {
		case *Object:
			o = t
		case nil: // absent, or null followed by nested keys (nesting wins, as in qs)
			n := NewObject()
			o.Set(seg, n)
			o = n
		case []any:
			if len(t) != 0 {
				return &KeyError{key, "conflicting keys"}
			}
			n := NewObject()
			o.Set(seg, n)
			o = n
		default:
			return &KeyError{key, "a value and nested keys under the same key"}
		}
	}
	return nil
}

func nextIndex(o *Object) string {
	n := 0
	for _, k := range o.keys {
		if i, err := strconv.Atoi(k); err == nil && i >= n && isIndex(k) {
			n = i + 1
		}
	}
	return strconv.Itoa(n)
}

func allIndices(o *Object) bool {
	for _, k := range o.keys {
		if !isIndex(k) || (len(k) > 1 && k[0] == '0') {
			return false
		}
		if i, err := strconv.Atoi(k); err != nil || i >= MaxArray {
			return false
		}
	}
	return true
}

// finish turns objects whose keys are all small indices into arrays
// (compacting sparse indices, as qs does) and recurses.
func finish(v any) any {
	o, ok := v.(*Object)
	if !ok {
		return v
	}
	for _, k := range o.keys {
		o.m[k] = finish(o.m[k])
	}
	if o.Len() == 0 || !allIndices(o) {
		return o
	}
	idx := make([]int, 0, o.Len())
	for _, k := range o.keys {
		i, _ := strconv.Atoi(k)
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]any, 0, len(idx))
	for _, i := range idx {
		out = append(out, o.m[strconv.Itoa(i)])
	}
	return out
}
