package transport

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

func TestPathEscapesEverySegment(t *testing.T) {
	tests := map[string]string{
		"a/b":            "/x/a%2Fb/y",
		"..":             "/x/%2E%2E/y",
		".":              "/x/%2E/y",
		"../x":           "/x/..%2Fx/y",
		"ann+1@mail.com": "/x/ann%2B1@mail.com/y",
		"Acme Corp":      "/x/Acme%20Corp/y",
		"100%":           "/x/100%25/y",
		"a?b#c":          "/x/a%3Fb%23c/y",
		"a\r\nX: y":      "/x/a%0D%0AX:%20y/y",
		"%2e%2e":         "/x/%252e%252e/y",
	}
	for in, want := range tests {
		got, err := fillRoute("test", "/x/{id}/y", []string{in})
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
}

func TestFillRoute(t *testing.T) {
	tests := []struct {
		name, route string
		params      []string
		want        string
		wantParam   string // the placeholder an error names; "" with want "" means a mismatch error
	}{
		{"no placeholders", "/billings/reports/aging", nil, "/billings/reports/aging", ""},
		{"two in order", "/billings/eap_sessions/{participant_email}/{payer_name}", []string{"a@b.c", "Acme/Co"}, "/billings/eap_sessions/a@b.c/Acme%2FCo", ""},
		{"inside a segment", "/x/{id}/balance", []string{"7"}, "/x/7/balance", ""},
		{"empty value names the placeholder", "/billings/{unique_id}/payment_split", []string{""}, "", "unique_id"},
		{"too few values", "/a/{x}/{y}", []string{"1"}, "", ""},
		{"too many values", "/a/{x}", []string{"1", "2"}, "", ""},
		{"values for a route without placeholders", "/a", []string{"1"}, "", ""},
		{"unclosed placeholder", "/a/{x", []string{"1"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fillRoute("test", tt.route, tt.params)
			if tt.want != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			if tt.wantParam != "" {
				assert.ErrorIs(t, err, polybill.ErrValidation)
				assert.Equal(t, tt.wantParam, pe.Param)
			} else {
				assert.Contains(t, pe.Message, "internal: route")
			}
		})
	}
}

// FuzzFillRoute: whatever the value, the filled path keeps the template's segments (no value
// adds, removes or climbs a segment, or starts a query or fragment) and the server reads the
// value back exactly.
func FuzzFillRoute(f *testing.F) {
	for _, s := range []string{"a/b", "..", ".", "%2e%2e", "a?b#c", "a\r\nX: y", "ann+1@mail.com", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := fillRoute("test", "/x/{id}/y", []string{v})
		if v == "" {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		u, err := url.Parse("https://h" + got)
		require.NoError(t, err)
		assert.Empty(t, u.RawQuery)
		assert.Empty(t, u.Fragment)
		segs := strings.Split(u.EscapedPath(), "/")
		require.Len(t, segs, 4, got)
		assert.Equal(t, "x", segs[1])
		assert.Equal(t, "y", segs[3])
		back, err := url.PathUnescape(segs[2])
		require.NoError(t, err)
		assert.Equal(t, v, back)
		resolved := u.ResolveReference(&url.URL{Path: "."})
		assert.True(t, strings.HasPrefix(resolved.EscapedPath(), "/x/"), "dot segments cannot climb: %s", resolved.EscapedPath())
	})
}
