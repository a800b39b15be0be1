package epilot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	polybill "github.com/polybill/polybill-go"
)

// Date is a calendar day ("2006-01-02"); it is [polybill.Date], shared by every package. The
// API types booking_date, due_date, start_date and termination_date as OpenAPI `date`, and the
// vendor's own examples send due_date as a timestamp: polybill.Date reads both. Construct one
// with polybill.NewDate, polybill.ParseDate or polybill.DateOf.
type Date = polybill.Date

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
	// data is one validated JSON value. A string without escapes or bytes outside ASCII is
	// its own text; only other values need json.Unmarshal (and its allocations).
	text, ok := plainText(data)
	if !ok {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("epilot: timestamp: %w", err)
		}
		text = []byte(s)
	}
	if len(text) == 0 {
		t.Time = time.Time{}
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, string(text)); err == nil {
		t.Time = v
		return nil
	}
	if v, err := time.Parse(time.DateOnly, string(text)); err == nil {
		t.Time = v
		return nil
	}
	return fmt.Errorf("epilot: %q is not an RFC 3339 timestamp", text)
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

// plainText is the text of the JSON string v when it has no escape and only ASCII bytes.
func plainText(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	inner := v[1 : len(v)-1]
	for _, c := range inner {
		if c == '\\' || c >= 0x80 {
			return nil, false
		}
	}
	return inner, true
}
