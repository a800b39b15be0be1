// Package jsonscan splits a JSON object into its top-level members, or a JSON array into its
// elements, in one validating pass over the bytes and without decoding the values.
//
// The tolerant readers of the API packages need an object's members as raw JSON (to read
// alternative key names, to keep unknown properties verbatim). Decoding into
// map[string]json.RawMessage does that at the price of a second validation pass, a copy of every
// value and a map; ScanObject reports the same members as sub-slices of the input instead, so a
// caller copies only what it keeps.
//
// The accepted language is exactly encoding/json's: the same grammar, whitespace, string
// escapes (invalid UTF-8 is accepted and, in keys, replaced by U+FFFD as encoding/json does) and
// nesting limit. On invalid input the error is encoding/json's own error for the same input.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// maxDepth is encoding/json's nesting limit: 10000 nested objects or arrays, the outermost
// counted.
const maxDepth = 10000

// errSyntax marks the scanner's own rejection; callers see encoding/json's error instead.
var errSyntax = errors.New("jsonscan: invalid JSON")

// ErrNotObject is returned by ScanObject for valid JSON that is not an object (null included),
// ErrNotArray by ScanArray for valid JSON that is not an array.
var (
	ErrNotObject = errors.New("jsonscan: not a JSON object")
	ErrNotArray  = errors.New("jsonscan: not a JSON array")
)

// ScanObject calls fn for every member of the JSON object data, in document order. key is the
// unquoted key: a sub-slice of data when the key has no escape and is valid UTF-8, else a new
// slice. value is the member's value exactly as written, without the whitespace around it, as a
// sub-slice of data with no spare capacity. Both share data's memory: copy what you keep
// beyond data's lifetime. A repeated key is reported each time it
// occurs (encoding/json keeps the last). data is validated as it is scanned: when the scan
// fails, fn may already have been called for the members before the fault. An error from fn
// stops the scan and is returned as is.
func ScanObject(data []byte, fn func(key, value []byte) error) error {
	s := scanner{data: data}
	s.ws()
	if s.i >= len(data) || data[s.i] != '{' {
		return s.fail(ErrNotObject, false)
	}
	s.i++
	s.ws()
	if s.i < len(data) && data[s.i] == '}' {
		s.i++
		return s.finish(false)
	}
	for {
		if s.i >= len(data) || data[s.i] != '"' {
			return s.fail(errSyntax, false)
		}
		ks := s.i
		esc, nonASCII, err := s.str()
		if err != nil {
			return s.fail(err, false)
		}
		key := data[ks+1 : s.i-1]
		if esc || (nonASCII && !utf8.Valid(key)) {
			key = unquote(data[ks:s.i])
		}
		s.ws()
		if s.i >= len(data) || data[s.i] != ':' {
			return s.fail(errSyntax, false)
		}
		s.i++
		s.ws()
		vs := s.i
		if err := s.skipValue(1); err != nil {
			return s.fail(err, false)
		}
		if err := fn(key, data[vs:s.i:s.i]); err != nil {
			return err
		}
		if done, err := s.next('}'); err != nil {
			return s.fail(err, false)
		} else if done {
			return s.finish(false)
		}
	}
}

// ScanArray calls fn for every element of the JSON array data, in order, with the element's
// bytes as written (no surrounding whitespace; a sub-slice of data). As with ScanObject, data
// is validated as it is scanned and an error from fn is returned as is.
func ScanArray(data []byte, fn func(elem []byte) error) error {
	s := scanner{data: data}
	s.ws()
	if s.i >= len(data) || data[s.i] != '[' {
		return s.fail(ErrNotArray, true)
	}
	s.i++
	s.ws()
	if s.i < len(data) && data[s.i] == ']' {
		s.i++
		return s.finish(true)
	}
	for {
		vs := s.i
		if err := s.skipValue(1); err != nil {
			return s.fail(err, true)
		}
		if err := fn(data[vs:s.i:s.i]); err != nil {
			return err
		}
		if done, err := s.next(']'); err != nil {
			return s.fail(err, true)
		} else if done {
			return s.finish(true)
		}
	}
}

// next consumes the separator after a member or element: a ',' (done false) or closing (done
// true), with the whitespace around it.
func (s *scanner) next(closing byte) (done bool, err error) {
	s.ws()
	if s.i >= len(s.data) {
		return false, errSyntax
	}
	switch s.data[s.i] {
	case ',':
		s.i++
		s.ws()
		return false, nil
	case closing:
		s.i++
		return true, nil
	}
	return false, errSyntax
}

// finish checks that only whitespace follows the top-level value.
func (s *scanner) finish(array bool) error {
	s.ws()
	if s.i != len(s.data) {
		return s.fail(errSyntax, array)
	}
	return nil
}

// fail turns a rejection into encoding/json's error for the same input, so callers report
// exactly what a json.Unmarshal would have. want is returned when encoding/json accepts the
// input (valid JSON of another kind, such as null).
func (s *scanner) fail(want error, array bool) error {
	var err error
	if array {
		var v []json.RawMessage
		err = json.Unmarshal(s.data, &v)
	} else {
		var v map[string]json.RawMessage
		err = json.Unmarshal(s.data, &v)
	}
	if err != nil {
		return err
	}
	return want
}

// unquote decodes a quoted JSON string with escapes or invalid UTF-8, as encoding/json does
// (invalid UTF-8 becomes U+FFFD).
func unquote(quoted []byte) []byte {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return quoted[1 : len(quoted)-1] // unreachable: quoted was validated
	}
	return []byte(s)
}

type scanner struct {
	data []byte
	i    int
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) ws() {
	for s.i < len(s.data) && isWS(s.data[s.i]) {
		s.i++
	}
}

// skipValue validates and skips the value at s.i (no leading whitespace). depth is the number
// of objects and arrays around it.
func (s *scanner) skipValue(depth int) error {
	if s.i >= len(s.data) {
		return errSyntax
	}
	switch c := s.data[s.i]; c {
	case '{':
		return s.object(depth + 1)
	case '[':
		return s.array(depth + 1)
	case '"':
		_, _, err := s.str()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || ('0' <= c && c <= '9') {
			return s.number()
		}
		return errSyntax
	}
}

func (s *scanner) object(depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	s.i++ // '{'
	s.ws()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		if s.i >= len(s.data) || s.data[s.i] != '"' {
			return errSyntax
		}
		if _, _, err := s.str(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return errSyntax
		}
		s.i++
		s.ws()
		if err := s.skipValue(depth); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.data) {
			return errSyntax
		}
		switch s.data[s.i] {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

func (s *scanner) array(depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	s.i++ // '['
	s.ws()
	if s.i < len(s.data) && s.data[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		if err := s.skipValue(depth); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.data) {
			return errSyntax
		}
		switch s.data[s.i] {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// str validates and skips the string at s.i (which is '"'), reporting whether it holds an
// escape or a byte outside ASCII.
func (s *scanner) str() (esc, nonASCII bool, err error) {
	d := s.data
	i := s.i + 1
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			s.i = i + 1
			return esc, nonASCII, nil
		case c == '\\':
			esc = true
			if i+1 >= len(d) {
				return esc, nonASCII, errSyntax
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) {
					return esc, nonASCII, errSyntax
				}
				for _, h := range d[i+2 : i+6] {
					if !isHex(h) {
						return esc, nonASCII, errSyntax
					}
				}
				i += 6
			default:
				return esc, nonASCII, errSyntax
			}
		case c < 0x20:
			return esc, nonASCII, errSyntax
		default:
			if c >= utf8.RuneSelf {
				nonASCII = true
			}
			i++
		}
	}
	return esc, nonASCII, errSyntax
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number validates and skips -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	d, i := s.data, s.i
	if d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d) || !isDigit(d[i]):
		return errSyntax
	case d[i] == '0':
		i++
	default:
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return errSyntax
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return errSyntax
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	s.i = i
	return nil
}

func (s *scanner) literal(lit string) error {
	if len(s.data)-s.i < len(lit) || string(s.data[s.i:s.i+len(lit)]) != lit {
		return errSyntax
	}
	s.i += len(lit)
	return nil
}

// PlainString returns the text of a JSON string value without escapes whose bytes are valid
// UTF-8: exactly what encoding/json decodes it to. ok is false for anything else (escapes,
// invalid UTF-8, a non-string), and the caller falls back to encoding/json.
func PlainString(v []byte) (string, bool) {
	t, ok := PlainText(v)
	return string(t), ok
}

// PlainText is PlainString without the string: the text as a sub-slice of v, for decoders that
// build one string for several fields or parse the text in place.
func PlainText(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') >= 0 {
		return nil, false
	}
	for _, c := range inner {
		if c >= utf8.RuneSelf {
			if !utf8.Valid(inner) {
				return nil, false
			}
			break
		}
	}
	return inner, true
}

// FoldsToKnown reports whether a key not found among known could still be matched to one of
// them by encoding/json's case-insensitive field matching (a key with any byte outside ASCII
// counts, as Unicode case folding may apply). Fast decoders fall back to encoding/json then.
func FoldsToKnown(k []byte, known []string) bool {
	for _, c := range k {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	for _, kk := range known {
		if strings.EqualFold(string(k), kk) {
			return true
		}
	}
	return false
}
