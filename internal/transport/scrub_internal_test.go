package transport

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestCleanRedactsBoundsAndNeutralises(t *testing.T) {
	c := &Client{secrets: []string{"sk_live_abcdef"}}
	tests := []struct {
		name, in string
		limit    int
		want     string
	}{
		{name: "plain id untouched", in: "req_123", limit: 128, want: "req_123"},
		{name: "secret redacted", in: "Bearer sk_live_abcdef", limit: 128, want: "Bearer [REDACTED]"},
		{name: "control characters replaced", in: "a\x1b[2J\r\nb", limit: 128, want: "a\uFFFD[2J\uFFFD\uFFFDb"},
		{name: "invalid UTF-8 replaced", in: "a\xffb", limit: 128, want: "a\uFFFDb"},
		{name: "cut at the bound", in: strings.Repeat("x", 200), limit: 10, want: strings.Repeat("x", 10) + "…"},
		{name: "secret straddling the bound is redacted, not cut in half", in: "xxxxx sk_live_abcdef", limit: 12, want: "xxxxx [REDAC…"},
		{name: "cut on a rune boundary", in: "ééééé", limit: 5, want: "éé…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := c.clean(tc.in, tc.limit)
			assert.Equal(t, tc.want, got)
			assert.True(t, utf8.ValidString(got))
			assert.NotContains(t, got, "sk_live")
		})
	}
}
