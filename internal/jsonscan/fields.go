package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// The API packages decode their hot responses (a page of 100 records, the record of a GET) with
// a fast path built on ScanObject, and fall back to encoding/json for anything the fast path is
// not sure to read exactly as encoding/json would. The helpers below are that fast path's
// shared vocabulary: each returns ErrDecline instead of guessing, and the caller then decodes
// the same bytes the slow, exact way, so results and errors never depend on which path ran.

// TrimSpace drops the whitespace JSON allows around a value: space, tab, CR and LF.
// bytes.TrimSpace also drops \v, \f and Unicode spaces, which json.Unmarshal refuses, so a fast
// path trimming with it would accept bodies the exact path rejects.
func TrimSpace(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }

// ErrDecline makes a fast decoder give up; the caller decodes the input with encoding/json.
var ErrDecline = errors.New("jsonscan: fast path declined")

// Fields is the key set of one object type read by a fast decoder. It gives each known key a
// bit, so a repeated key (encoding/json keeps the last, with merging rules a fast decoder does
// not copy) declines, and it recognises unknown keys that encoding/json's case-insensitive
// matching would still assign to a known field.
type Fields struct {
	keys []string
	bit  map[string]uint64
}

// NewFields returns the key set of keys (at most 64).
func NewFields(keys ...string) *Fields {
	if len(keys) > 64 {
		panic("jsonscan: more than 64 fields")
	}
	f := &Fields{keys: keys, bit: make(map[string]uint64, len(keys))}
	for i, k := range keys {
		f.bit[k] = 1 << i
	}
	return f
}

// Keys returns the known keys.
func (f *Fields) Keys() []string { return f.keys }

// Object scans the JSON object data. Each known key is passed to known once, with its value;
// a repeated known key, a known key whose value is null, and an unknown key that folds onto a
// known one decline. Other unknown keys go to unknown, which may be nil to skip them. Anything
// but an object declines too. Every failure, a callback's error included, is ErrDecline: the
// caller's answer to any of them is the slow path, which reports its own error.
func (f *Fields) Object(data []byte, known func(key, value []byte) error, unknown func(key, value []byte) error) error {
	if len(data) == 0 || data[0] != '{' {
		return ErrDecline
	}
	var seen uint64
	err := ScanObject(data, func(k, v []byte) error {
		bit, ok := f.bit[string(k)]
		if !ok {
			if FoldsToKnown(k, f.keys) {
				return ErrDecline
			}
			if unknown == nil {
				return nil
			}
			return unknown(k, v)
		}
		if seen&bit != 0 || string(v) == "null" {
			return ErrDecline
		}
		seen |= bit
		return known(k, v)
	})
	if err != nil {
		return ErrDecline
	}
	return nil
}

// Elements calls fn for each element of the JSON array data; anything but an array, invalid
// JSON and an error from fn decline (ErrDecline).
func Elements(data []byte, fn func(elem []byte) error) error {
	if len(data) == 0 || data[0] != '[' {
		return ErrDecline
	}
	if err := ScanArray(data, fn); err != nil {
		return ErrDecline
	}
	return nil
}

// List decodes the JSON array v into a new slice, each element by decode into its zero slot;
// an empty array is an empty, non-nil slice, as encoding/json decodes it. With a size hint (a
// page's size) the elements are decoded as they are split; without one (0) they are split
// first, so the slice is made once at its length, without a counting pass over v and without
// copying decoded records as it grows. Any failure declines.
func List[T any](v []byte, hint int, decode func(elem []byte, dst *T) error) ([]T, error) {
	if hint > 0 {
		out := make([]T, 0, hint)
		err := Elements(v, func(e []byte) error {
			out = append(out, *new(T))
			return decode(e, &out[len(out)-1])
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	var small [128][]byte // a page holds at most a few hundred elements; longer lists spill to the heap
	elems := small[:0]
	if err := Elements(v, func(e []byte) error {
		elems = append(elems, e)
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]T, len(elems))
	for i, e := range elems {
		if decode(e, &out[i]) != nil {
			return nil, ErrDecline
		}
	}
	return out, nil
}

// String sets *s to the plain JSON string v (see PlainString), or declines.
func String[S ~string](v []byte, s *S) error {
	t, ok := PlainString(v)
	if !ok {
		return ErrDecline
	}
	*s = S(t)
	return nil
}

// Strings reads an array of plain strings; an empty array is an empty, non-nil slice, as
// encoding/json decodes it.
func Strings(v []byte) ([]string, error) {
	out := make([]string, 0, CountElements(v))
	err := Elements(v, func(e []byte) error {
		s, ok := PlainString(e)
		if !ok {
			return ErrDecline
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Int sets *n to the JSON integer v, or declines (a fraction, an exponent, overflow, a string).
func Int[N ~int | ~int64](v []byte, n *N) error {
	if len(v) == 0 || !(v[0] == '-' || ('0' <= v[0] && v[0] <= '9')) {
		return ErrDecline
	}
	i, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || int64(N(i)) != i {
		return ErrDecline
	}
	*n = N(i)
	return nil
}

// Value decodes v with u's own UnmarshalJSON (a leaf type's: a decimal, a date), as
// encoding/json would hand it the value; any error declines.
func Value(v []byte, u json.Unmarshaler) error {
	if u.UnmarshalJSON(v) != nil {
		return ErrDecline
	}
	return nil
}

// Bool sets *b to the JSON literal true or false, or declines.
func Bool(v []byte, b *bool) error {
	switch string(v) {
	case "true":
		*b = true
	case "false":
		*b = false
	default:
		return ErrDecline
	}
	return nil
}

// CountElements estimates the number of elements of the JSON array v from its top-level
// commas. It only sizes a slice: on malformed input the answer is merely wrong, never a panic.
func CountElements(v []byte) int {
	n, depth, inString := 0, 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
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
			depth--
		case ',':
			if depth == 1 {
				n++
			}
		}
	}
	return n + 1
}
