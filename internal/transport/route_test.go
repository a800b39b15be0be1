package transport

import (
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
