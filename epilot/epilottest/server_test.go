package epilottest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/polybill/polybill-go/epilot/internal/oapiserver"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/epilot/epilottest"
	"github.com/polybill/polybill-go/internal/fake"
)

// raw sends a request the SDK would refuse to send, to prove the fake validates on its own.
func raw(t *testing.T, srv *epilottest.Server, method, path, body, token string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL()+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	rv, err := fake.NewResponseValidator(spec, http.DefaultTransport)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: rv}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusMethodNotAllowed && !strings.HasPrefix(path, "/v1/nope") {
		assert.Empty(t, rv.Errors(), "the fake's answer conforms to the spec")
	}
	return resp.StatusCode, string(b)
}

func TestFakeValidatesRequests(t *testing.T) {
	srv := epilottest.New()
	defer srv.Close()
	tok := srv.Token()
	valid := `{"type":"payment","billing_amount":100,"billing_amount_decimal":"1.00","billing_currency":"EUR","booking_date":"2025-01-01","contract":{"$relation":[{"entity_id":"c"}]}}`
	tests := []struct {
		name                 string
		method, path, body   string
		token                string
		wantStatus           int
		wantError, wantInMsg string
	}{
		{"valid create", "POST", "/v1/billing/events", valid, tok, 201, "", ""},
		{"no token", "GET", "/v1/billing/events", "", "", 401, "Unauthorized", "authorization"},
		{"wrong token", "GET", "/v1/billing/events", "", "other", 401, "Unauthorized", "authorization"},
		{"size over the maximum", "GET", "/v1/billing/events?size=5000", "", tok, 400, "Bad Request", "size"},
		{"event_type outside the filter's enum", "GET", "/v1/billing/events?event_type=payment", "", tok, 400, "Bad Request", "event_type"},
		{"fractional from", "GET", "/v1/billing/events?from=1.5", "", tok, 400, "Bad Request", "from"},
		{"installment without due_date", "POST", "/v1/billing/events", strings.Replace(valid, `"payment"`, `"installment"`, 1), tok, 422, "Unprocessable Entity", "Validation failed"},
		{"cents as a string", "POST", "/v1/billing/events", strings.Replace(valid, `100,`, `"100",`, 1), tok, 422, "Unprocessable Entity", ""},
		{"timestamp as booking date", "POST", "/v1/billing/events", strings.Replace(valid, `"2025-01-01"`, `"2025-01-01T00:00:00Z"`, 1), tok, 422, "Unprocessable Entity", ""},
		{"missing contract", "POST", "/v1/billing/events", strings.Replace(valid, `,"contract":{"$relation":[{"entity_id":"c"}]}`, ``, 1), tok, 422, "Unprocessable Entity", ""},
		{"href-only external_link on create (epilot's create schema requires url)", "POST", "/v1/billing/events",
			strings.TrimSuffix(valid, "}") + `,"external_link":{"href":"https://x.example/1"}}`, tok, 422, "Unprocessable Entity", "url"},
		{"external_link with url but no href", "POST", "/v1/billing/events",
			strings.TrimSuffix(valid, "}") + `,"external_link":{"url":"https://x.example/1"}}`, tok, 422, "Unprocessable Entity", "href"},
		{"empty update", "PATCH", "/v1/billing/events/x", `{}`, tok, 422, "Unprocessable Entity", ""},
		{"history size over 100", "GET", "/v1/billing/contracts/c/configuration_history?size=101", "", tok, 400, "Bad Request", ""},
		{"bad history_change_types", "GET", "/v1/billing/contracts/c/pricing_information?history_change_types=foo", "", tok, 400, "Bad Request", ""},
		{"contract due day 32", "POST", "/v1/billing/contracts", `{"billing_due_day":32}`, tok, 422, "Unprocessable Entity", ""},
		{"unknown event", "GET", "/v1/billing/events/nope", "", tok, 404, "Not Found", "not found"},
		{"unknown route", "GET", "/v1/nope", "", tok, 404, "Not Found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := raw(t, srv, tt.method, tt.path, tt.body, tt.token)
			assert.Equal(t, tt.wantStatus, status, body)
			if tt.wantError != "" {
				assert.Contains(t, body, `"error":"`+tt.wantError+`"`)
				assert.Contains(t, body, `"message":"`)
				assert.Contains(t, body, tt.wantInMsg)
			}
		})
	}
	assert.Len(t, srv.Events(), 1, "only the valid create was stored")
}

func TestFakeSeedingHelpers(t *testing.T) {
	srv := epilottest.New(epilottest.WithOrg("42"))
	defer srv.Close()
	id, err := srv.AddEvent([]byte(`{"type":"bonus","billing_amount":1,"billing_amount_decimal":"0.01","billing_currency":"EUR","booking_date":"2025-01-01","contract":{"$relation":[{"entity_id":"c"}]},"x":1.000000000000000000001}`))
	require.NoError(t, err)
	require.NotEmpty(t, id)
	status, body := raw(t, srv, "GET", "/v1/billing/events/"+id, "", srv.Token())
	assert.Equal(t, 200, status)
	assert.Contains(t, body, `"x":1.000000000000000000001`, "stored values are kept byte for byte")
	assert.Contains(t, body, `"_org":"42"`)

	_, err = srv.AddContract([]byte(`[]`))
	assert.Error(t, err)
	assert.Error(t, srv.AddHistoryRow([]byte(`null`)))
}
