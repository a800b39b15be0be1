package polybill_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

func TestDateJSON(t *testing.T) {
	tests := []struct {
		in   string
		want polybill.Date
		ok   bool
	}{
		{`"2026-03-15"`, polybill.NewDate(2026, time.March, 15), true},
		{`"2026-03-15T00:30:00+05:30"`, polybill.NewDate(2026, time.March, 15), true},
		{`"2025-07-10T00:00:00.000Z"`, polybill.NewDate(2025, time.July, 10), true},
		{`null`, polybill.Date{}, true},
		{`""`, polybill.Date{}, true},
		{`"15/03/2026"`, polybill.Date{}, false},
		{`20260315`, polybill.Date{}, false},
	}
	for _, tt := range tests {
		var d polybill.Date
		err := json.Unmarshal([]byte(tt.in), &d)
		if !tt.ok {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, d, tt.in)
	}
	b, err := json.Marshal(struct {
		D polybill.Date `json:"d"`
		Z polybill.Date `json:"z,omitzero"`
	}{D: polybill.NewDate(2026, time.March, 5)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"d":"2026-03-05"}`, string(b))
	_, err = json.Marshal(polybill.NewDate(2026, time.February, 30))
	assert.Error(t, err, "an impossible day is never sent")
}

func TestDateParseAndCompare(t *testing.T) {
	d, err := polybill.ParseDate("2026-03-15")
	require.NoError(t, err)
	assert.Equal(t, "2026-03-15", d.String())
	_, err = polybill.ParseDate("2026-03-15T10:00:00Z")
	assert.Error(t, err, "callers pass dates, not timestamps")
	assert.True(t, polybill.NewDate(2026, 1, 31).Before(polybill.NewDate(2026, 2, 1)))
	assert.Equal(t, 0, d.Compare(polybill.DateOf(time.Date(2026, 3, 15, 23, 0, 0, 0, time.UTC))))
	assert.False(t, polybill.NewDate(2026, 2, 29).Valid())
	assert.True(t, polybill.NewDate(2028, 2, 29).Valid())
	assert.Equal(t, "", polybill.Date{}.String())
	// Year 0000 parses (ISO 8601 has it), so a date read from a server always writes back.
	zero, err := polybill.ParseDate("0000-01-01")
	require.NoError(t, err)
	out, err := json.Marshal(zero)
	require.NoError(t, err)
	assert.Equal(t, `"0000-01-01"`, string(out))
}

// FuzzDateUnmarshalJSON holds UnmarshalJSON (with its allocation-free path for
// "YYYY-MM-DD") to the reading it documents, written here the plain way: a JSON string
// parsed by time.Parse as a date, else as an RFC 3339 timestamp; null and "" the zero Date.
// A valid result survives a round trip.
func FuzzDateUnmarshalJSON(f *testing.F) {
	for _, s := range []string{`"2026-03-15"`, `"2026-03-15T00:30:00+05:30"`, `null`, `""`, `"x"`, `1`,
		`"2024-02-29"`, `"2023-02-29"`, `"0000-01-01"`, `"9999-12-31"`, `"2026-13-01"`, `"2026-00-10"`,
		`"2026-01-00"`, `"+026-01-01"`, `"2026-1-015"`, `"2026\u002d01-01"`, ` "2026-03-15" `} {
		f.Add([]byte(s))
	}
	reference := func(b []byte) (polybill.Date, bool) {
		var s string
		b = bytes.TrimSpace(b) // as the value a decoder hands over, whatever space surrounds it
		if string(b) == "null" {
			return polybill.Date{}, true
		}
		if json.Unmarshal(b, &s) != nil {
			return polybill.Date{}, false
		}
		if s == "" {
			return polybill.Date{}, true
		}
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return polybill.DateOf(t), true
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return polybill.DateOf(t), true
		}
		return polybill.Date{}, false
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d polybill.Date
		err := d.UnmarshalJSON(b)
		want, ok := reference(b)
		require.Equal(t, ok, err == nil, "input %q: error %v", b, err)
		require.Equal(t, want, d, "input %q", b)
		if err == nil && d.Valid() {
			out, err := json.Marshal(d)
			require.NoError(t, err)
			var back polybill.Date
			require.NoError(t, json.Unmarshal(out, &back))
			require.Equal(t, d, back)
		}
	})
}

// A date in its usual form is read without allocating: two per epilot event on every page.
func TestDateUnmarshalJSONDoesNotAllocate(t *testing.T) {
	b := []byte(`"2026-03-15"`)
	var d polybill.Date
	allocs := testing.AllocsPerRun(100, func() { _ = d.UnmarshalJSON(b) })
	assert.Zero(t, allocs)
	assert.Equal(t, polybill.NewDate(2026, time.March, 15), d)
}

func ExampleParseDate() {
	d, err := polybill.ParseDate("2026-03-15")
	fmt.Println(d, d.Valid(), err)
	_, err = polybill.ParseDate("15/03/2026")
	fmt.Println(err)
	// Reading JSON is tolerant: a timestamp where a date is specified keeps its calendar day.
	var due polybill.Date
	_ = json.Unmarshal([]byte(`"1970-01-01T00:00:00.000Z"`), &due)
	fmt.Println(due, polybill.NewDate(2026, time.February, 30).Valid())
	// Output:
	// 2026-03-15 true <nil>
	// polybill: invalid date "15/03/2026": want YYYY-MM-DD
	// 1970-01-01 false
}
