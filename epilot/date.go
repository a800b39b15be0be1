package epilot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Date is a calendar date without a time of day, written as "2006-01-02". The API types
// booking_date, due_date, start_date and termination_date as OpenAPI `date`.
//
// Reading is lenient: the vendor's own examples send due_date as a timestamp
// ("1970-01-01T00:00:00.000Z", the legacy spec typed it date-time), so a timestamp is accepted
// and its calendar date (in the offset it was written with) is kept. Writing always sends the
// date form the current spec asks for. The zero Date means "not set" and is omitted.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "2006-01-02" or an RFC 3339 timestamp (whose date part is kept).
func ParseDate(s string) (Date, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return DateOf(t), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return DateOf(t), nil
	}
	return Date{}, fmt.Errorf("epilot: %q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", s)
}

// IsZero reports whether d is the zero Date (not set).
func (d Date) IsZero() bool { return d == Date{} }

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

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Time(time.UTC).Before(e.Time(time.UTC)) }

// MarshalJSON writes "2006-01-02"; the zero Date is null (fields holding it use omitzero).
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(strconv.Quote(d.String())), nil
}

// UnmarshalJSON accepts a date or an RFC 3339 timestamp; null and "" leave the zero Date.
func (d *Date) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("epilot: date: %w", err)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// timestamp is a time.Time that reads the timestamp shapes seen from epilot (RFC 3339 with or
// without fraction, or a bare date) and writes RFC 3339. Unexported: public fields are
// time.Time; this type only lives in the wire structs.
type timestamp struct{ time.Time }

func (t timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(strconv.Quote(t.UTC().Format(time.RFC3339Nano))), nil
}

func (t *timestamp) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("epilot: timestamp: %w", err)
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t.Time = v
		return nil
	}
	if v, err := time.Parse(time.DateOnly, s); err == nil {
		t.Time = v
		return nil
	}
	return fmt.Errorf("epilot: %q is not an RFC 3339 timestamp", s)
}

// stamp is the entity bookkeeping timestamp (_created_at, _updated_at). The API sets it, and
// the legacy reference shows it as a plain string ("string" in its examples, which Prism
// mocks echo), so an unparsable value reads as the zero time instead of failing the whole
// entity; the original stays reachable through Raw().
type stamp struct{ timestamp }

func (s *stamp) UnmarshalJSON(data []byte) error {
	if err := s.timestamp.UnmarshalJSON(data); err != nil {
		s.Time = time.Time{}
	}
	return nil
}
