package clinictest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/clinic/clinictest"
)

// These tests speak raw HTTP to the fake, to pin down what it answers to requests the SDK
// itself would never send.

func token(t *testing.T, srv *clinictest.Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(srv.URL()+"/api/v1/auth/token", form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func call(t *testing.T, srv *clinictest.Server, method, path, tok, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func creds() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {clinictest.DefaultClientID}, "client_secret": {clinictest.DefaultClientSecret}}
}

func TestTokenEndpoint(t *testing.T) {
	clock := clinictest.NewManualClock(time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC))
	srv := clinictest.New(clinictest.WithClock(clock), clinictest.WithTokenTTL(10*time.Minute))
	defer srv.Close()

	status, body := token(t, srv, creds())
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "Bearer", body["token_type"])
	assert.Equal(t, float64(600), body["expires_in"])
	assert.Equal(t, "billing:read billing:write", body["scope"])
	tok := body["access_token"].(string)

	status, _ = call(t, srv, http.MethodGet, "/api/v1/billing/summary", tok, "")
	assert.Equal(t, http.StatusOK, status)
	clock.Advance(10 * time.Minute)
	status, errBody := call(t, srv, http.MethodGet, "/api/v1/billing/summary", tok, "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "Access token expired.", errBody["message"])

	tests := []struct {
		name   string
		mutate func(url.Values)
		status int
		code   string
	}{
		{"wrong secret", func(v url.Values) { v.Set("client_secret", "nope") }, 401, "invalid_client"},
		{"unknown client", func(v url.Values) { v.Set("client_id", "ghost") }, 401, "invalid_client"},
		{"password grant", func(v url.Values) { v.Set("grant_type", "password") }, 400, "unsupported_grant_type"},
		{"missing secret", func(v url.Values) { v.Del("client_secret") }, 400, "invalid_request"},
		{"scope not assigned", func(v url.Values) { v.Set("scope", "lab:write") }, 400, "invalid_scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := creds()
			tc.mutate(form)
			status, body := token(t, srv, form)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.code, body["error"])
		})
	}
}

func TestRequestsAreValidatedAgainstTheSpec(t *testing.T) {
	srv := clinictest.New()
	defer srv.Close()
	id := srv.AddInvoice(clinictest.InvoiceSeed{})
	_, body := token(t, srv, creds())
	tok := body["access_token"].(string)

	tests := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"no token", http.MethodGet, "/api/v1/billing/invoices", "", 401, ""},
		{"unknown payment mode", http.MethodPost, "/api/v1/billing/invoices/" + id + "/payments", `{"amount":10,"payment_mode":"bitcoin"}`, 400, "payment_mode"},
		{"zero amount", http.MethodPost, "/api/v1/billing/invoices/" + id + "/payments", `{"amount":0,"payment_mode":"cash"}`, 400, "amount"},
		{"missing amount", http.MethodPost, "/api/v1/billing/invoices/" + id + "/payments", `{"payment_mode":"cash"}`, 400, "amount"},
		{"malformed date", http.MethodPost, "/api/v1/billing/invoices/" + id + "/payments", `{"amount":1,"payment_mode":"cash","payment_date":"15/03/2026"}`, 400, "payment_date"},
		{"per_page over 100", http.MethodGet, "/api/v1/billing/invoices?per_page=500", "", 400, "per_page"},
		{"bad status filter", http.MethodGet, "/api/v1/billing/invoices?status=open", "", 400, "status"},
		{"unknown route", http.MethodGet, "/api/v1/billing/refunds", "", 404, ""},
		{"unknown invoice", http.MethodGet, "/api/v1/billing/invoices/INV-0", "", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bearer := tok
			if tc.name == "no token" {
				bearer = ""
			}
			status, body := call(t, srv, tc.method, tc.path, bearer, tc.body)
			assert.Equal(t, tc.status, status)
			assert.NotEmpty(t, body["error"], "vendor-shaped error body")
			if tc.field != "" {
				details, _ := body["details"].([]any)
				require.NotEmpty(t, details, "%v", body)
				assert.Equal(t, tc.field, details[0].(map[string]any)["field"])
			}
		})
	}
	assert.Equal(t, 0, srv.PaymentCount(id))
}
