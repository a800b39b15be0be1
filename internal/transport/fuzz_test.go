package transport

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseRetryAfter feeds arbitrary Retry-After and Retry-After-Ms values (a server's,
// hence untrusted) to parseRetryAfter: it must never panic, never return a negative wait,
// return 0 when it reports no hint, and give the same answer for the same input.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	seeds := []struct{ ms, ra string }{
		{"", "3"},
		{"", "1.5"},
		{"", "0"},
		{"", "-5"},
		{"-5", ""},
		{"250", "9"},
		{"soon", "2"},
		{"", "tomorrow-ish"},
		{"", "99999999999999999999"},
		{"1e309", ""},
		{"NaN", "NaN"},
		{"", "Inf"},
		{"", "-Inf"},
		{"+Inf", "+Inf"},
		{"", "0x1p-2"},
		{"", "1e-400"},
		{"", " 7 "},
		{"", now.Add(7 * time.Second).Format(http.TimeFormat)},
		{"", now.Add(-time.Hour).Format(http.TimeFormat)},
		{"", "Sun, 06 Nov 1994 08:49:37 GMT"},
		{"", "Sunday, 06-Nov-94 08:49:37 GMT"},
		{"", "Sun Nov  6 08:49:37 1994"},
		{"", "Fri, 31 Dec 9999 23:59:59 GMT"},
		{"", "Mon, 01 Jan 0001 00:00:00 GMT"},
		{"", "\x00"},
		{"\r\n", "1\r\n"},
	}
	for _, s := range seeds {
		f.Add(s.ms, s.ra, int64(0))
	}
	f.Add("", "1", int64(-1<<63))
	f.Add("", "Fri, 31 Dec 9999 23:59:59 GMT", int64(-1<<62))
	f.Add("", "Mon, 01 Jan 0001 00:00:00 GMT", int64(1<<62))

	f.Fuzz(func(t *testing.T, ms, ra string, shift int64) {
		// Header values with line breaks cannot arrive over HTTP/1.1, but the parser must
		// survive whatever a Header map holds.
		h := http.Header{}
		if ms != "" {
			h["Retry-After-Ms"] = []string{ms}
		}
		if ra != "" {
			h["Retry-After"] = []string{ra}
		}
		at := now.Add(time.Duration(shift))
		d, ok := parseRetryAfter(h, at)
		if d < 0 {
			t.Fatalf("parseRetryAfter(ms=%q, ra=%q) = %v: negative wait", ms, ra, d)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(ms=%q, ra=%q) = %v, false: a wait without a hint", ms, ra, d)
		}
		if d2, ok2 := parseRetryAfter(h, at); d2 != d || ok2 != ok {
			t.Fatalf("parseRetryAfter(ms=%q, ra=%q) not deterministic: %v,%v then %v,%v", ms, ra, d, ok, d2, ok2)
		}
		// A plain non-negative integer of seconds (with no Retry-After-Ms) is that many
		// seconds, saturated at the largest Duration. The parser goes through float64, so
		// past 2^53 ns (about 104 days) the result may be off by float rounding: a few
		// hundred nanoseconds on a wait of months, which no caller can observe.
		if strings.TrimSpace(ms) == "" {
			if n, err := strconv.ParseUint(strings.TrimSpace(ra), 10, 64); err == nil {
				want := time.Duration(1<<63 - 1)
				if n <= uint64((1<<63-1)/int64(time.Second)) {
					want = time.Duration(n) * time.Second
				}
				diff := d - want
				if diff < 0 {
					diff = -diff
				}
				if !ok || diff > want/(1<<40)+time.Microsecond {
					t.Fatalf("parseRetryAfter(ra=%q) = %v, %v; want %v, true", ra, d, ok, want)
				}
			}
		}
	})
}
