package clinic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day, as Bio Ecko sends dates ("2026-03-15"). The zero Date means "not set".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the given day. Use [Date.Valid] to check it.
func NewDate(year int, month time.Month, day int) Date { return Date{year, month, day} }

// DateOf returns the day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("clinic: invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real calendar day (2026-02-30 is not).
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	return DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)) == d
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Time returns midnight of d in loc (UTC when nil).
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	return d.Time(nil).Compare(e.Time(nil))
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("clinic: invalid date %s", d)
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD". Being a tolerant reader it also takes an RFC 3339 timestamp
// (keeping the day in the timestamp's own offset, so 2026-03-15T00:30:00+05:30 is the 15th),
// null and "".
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("clinic: date must be a string: %w", err)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		*d = DateOf(t)
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		*d = DateOf(t)
		return nil
	}
	return fmt.Errorf("clinic: invalid date %q", s)
}
