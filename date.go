package polybill

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day without a time of day, written "2006-01-02" (OpenAPI format date):
// epilot booking and due dates, Bio Ecko invoice and payment dates. The zero Date means "not
// set"; struct fields holding one use omitzero.
//
// Reading is tolerant: a server that sends a timestamp where a date is specified (epilot's own
// examples do) decodes to the calendar day in the timestamp's own offset, so
// 2026-03-15T00:30:00+05:30 is the 15th. Writing always sends the date form.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the day y-m-d. Use Valid to check it is a real calendar day.
func NewDate(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "2006-01-02" strictly: input from callers is a date, not a timestamp.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if d := DateOf(t); err != nil || !d.Valid() {
		return Date{}, fmt.Errorf("polybill: invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date (not set).
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real calendar day (2026-02-30 is not) with a four-digit year.
// Year 0000 is valid (ISO 8601 counts it), so whatever a server sends and we read writes back.
func (d Date) Valid() bool {
	if d.Year < 0 || d.Year > 9999 {
		return false
	}
	return DateOf(d.Time(time.UTC)) == d
}

// String returns "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time returns midnight of d in loc (UTC when loc is nil).
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.Time(nil).Compare(e.Time(nil)) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// MarshalJSON writes "2006-01-02"; the zero Date is null. An impossible day is an error
// rather than a date the server would misread.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("polybill: invalid date %04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads a date, or an RFC 3339 timestamp (its calendar day); null and "" leave
// the zero Date.
func (d *Date) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 12 && data[0] == '"' && data[11] == '"' {
		if v, ok := dateOnly(data[1:11]); ok {
			*d = v
			return nil
		}
	}
	return d.unmarshalGeneral(data)
}

// dateOnly reads "YYYY-MM-DD" without allocating: nearly every date arrives so, and a page of
// epilot events has two per event (booking and due date), which cost four allocations an
// event when every date went through a string and time.Parse. ok is false for anything else,
// an impossible day included; unmarshalGeneral then reads or rejects it as it always did
// (FuzzDateUnmarshalJSON holds the two to the same answers).
func dateOnly(b []byte) (Date, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return Date{}, false
	}
	y, ok1 := digits(b[:4])
	m, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:])
	d := Date{Year: y, Month: time.Month(m), Day: day}
	return d, ok1 && ok2 && ok3 && d.Valid()
}

// digits reads b as a decimal number of ASCII digits only (no sign).
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// unmarshalGeneral reads what dateOnly does not: null, "", a timestamp, an escaped string.
func (d *Date) unmarshalGeneral(data []byte) error {
	if string(data) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' && plainASCII(data[1:len(data)-1]) {
		s = string(data[1 : len(data)-1]) // without json.Unmarshal's allocations
	} else if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("polybill: date must be a string: %w", err)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		*d = DateOf(t)
		return nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		*d = DateOf(t)
		return nil
	}
	return fmt.Errorf("polybill: %q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", s)
}

// MarshalText and UnmarshalText make Date usable in query strings and map keys.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses "2006-01-02".
func (d *Date) UnmarshalText(text []byte) error {
	v, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// plainASCII reports whether b holds only printable ASCII without '"' or '\\': a JSON string's
// content that is its own text.
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
