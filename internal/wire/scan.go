package wire

import "unicode/utf8"

// The validating tokenizer: the grammar, whitespace, escapes and nesting limit of
// encoding/json, so Decode accepts exactly what json.Unmarshal accepts.

// skip validates and skips the value at d.i (no leading whitespace). depth is the number of
// objects and arrays around it.
func (d *decoder) skip(depth int) error {
	if d.i >= len(d.data) {
		return errSyntax
	}
	switch c := d.data[d.i]; c {
	case '{':
		return d.skipObject(depth + 1)
	case '[':
		return d.skipArray(depth + 1)
	case '"':
		_, err := d.str()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		if c == '-' || isDigit(c) {
			return d.number()
		}
		return errSyntax
	}
}

func (d *decoder) skipObject(depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	d.i++
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return errSyntax
		}
		if _, err := d.str(); err != nil {
			return err
		}
		d.ws()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return errSyntax
		}
		d.i++
		d.ws()
		if err := d.skip(depth); err != nil {
			return err
		}
		if done, err := d.next('}'); err != nil || done {
			return err
		}
	}
}

func (d *decoder) skipArray(depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	d.i++
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return nil
	}
	for {
		if err := d.skip(depth); err != nil {
			return err
		}
		if done, err := d.next(']'); err != nil || done {
			return err
		}
	}
}

// str validates and skips the string at d.i (which is '"'), reporting whether it holds an
// escape or a byte outside ASCII (either needs a decode).
func (d *decoder) str() (esc bool, err error) {
	data := d.data
	i := d.i + 1
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.i = i + 1
			return esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(data) {
				return esc, errSyntax
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) {
					return esc, errSyntax
				}
				for _, h := range data[i+2 : i+6] {
					if !isHex(h) {
						return esc, errSyntax
					}
				}
				i += 6
			default:
				return esc, errSyntax
			}
		case c < 0x20:
			return esc, errSyntax
		default:
			if c >= utf8.RuneSelf {
				esc = true // not an escape, but the text needs utf8 checking: unquote decides
			}
			i++
		}
	}
	return esc, errSyntax
}

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number validates and skips -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) number() error {
	data, i := d.data, d.i
	if data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data) || !isDigit(data[i]):
		return errSyntax
	case data[i] == '0':
		i++
	default:
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			return errSyntax
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return errSyntax
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	d.i = i
	return nil
}

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.i < len(lit) || string(d.data[d.i:d.i+len(lit)]) != lit {
		return errSyntax
	}
	d.i += len(lit)
	return nil
}
