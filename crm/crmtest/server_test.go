package crmtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polybill/polybill-go/crm/internal/oapiserver"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/crm/crmtest"
)

type vendorError struct {
	Errors []struct {
		Status string `json:"status"`
		Code   string `json:"code"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Source struct {
			Pointer   string `json:"pointer"`
			Parameter string `json:"parameter"`
		} `json:"source"`
	} `json:"errors"`
}

// Raw requests, as any HTTP client (or the official SDK) would send them.
func TestFakeSpeaksTheVendorShape(t *testing.T) {
	srv := crmtest.New()
	t.Cleanup(srv.Close)
	auth := http.Header{"Authorization": {"Bearer " + crmtest.DefaultToken}, "Appid": {crmtest.DefaultAPIKey}}

	tests := []struct {
		name            string
		method, path    string
		header          http.Header
		body            string
		status          int
		code            string
		pointer, param  string
		detailSubstring string
	}{
		{name: "no token", method: "GET", path: "/billings/reports/aging", header: http.Header{"Appid": {crmtest.DefaultAPIKey}}, status: 401, code: "unauthorized"},
		{name: "no API key", method: "GET", path: "/billings/reports/aging", header: http.Header{"Authorization": {"Bearer " + crmtest.DefaultToken}}, status: 401, code: "invalid_api_key"},
		{name: "x-api-key accepted", method: "GET", path: "/billings/reports/aging", header: http.Header{"Authorization": {"Bearer " + crmtest.DefaultToken}, "X-Api-Key": {crmtest.DefaultAPIKey}}, status: 200},
		{name: "unknown route", method: "GET", path: "/billings/a/b/c/d/e", header: auth, status: 404, code: "not_found"},
		{name: "PATCH is not the update verb", method: "PATCH", path: "/billings/x", header: auth, body: `{"billing":{"status":"paid"}}`, status: 405, code: "method_not_allowed"},
		{name: "SDK write names alone miss the documented amount", method: "POST", path: "/meetings/m/billing", header: auth,
			body: `{"billing":{"fee_amount":250,"payer_name":"Acme","payer_email":"a@acme.com"}}`, status: 422, code: "validation_error", pointer: "/data/attributes/amount"},
		{name: "invalid payer email", method: "POST", path: "/meetings/m/billing", header: auth,
			body: `{"billing":{"amount":250,"payer_name":"Acme","payer_email":"nope"}}`, status: 422, code: "validation_error", pointer: "/data/attributes/payer_email"},
		{name: "zero amount", method: "POST", path: "/meetings/m/billing", header: auth,
			body: `{"billing":{"amount":0,"payer_name":"Acme","payer_email":"a@acme.com"}}`, status: 422, code: "validation_error", pointer: "/data/attributes/amount"},
		{name: "unknown status", method: "PUT", path: "/billings/x", header: auth, body: `{"billing":{"status":"void"}}`, status: 422, code: "validation_error", pointer: "/data/attributes/status"},
		{name: "page size under 1", method: "GET", path: "/meetings/m/billing?records=0", header: auth, status: 400, code: "bad_request", param: "records"},
		{name: "sort that is not a sort list", method: "GET", path: "/meetings/m/billing?sort=amount,,status", header: auth, status: 400, code: "bad_request", param: "sort"},
		{name: "sort by a field the fake does not keep", method: "GET", path: "/meetings/m/billing?sort=meeting.start_time", header: auth, status: 400, code: "bad_request", param: "sort", detailSubstring: "meeting.start_time"},
		{name: "bad date", method: "GET", path: "/billings/reports/revenue?start_date=01/01/2026", header: auth, status: 400, code: "bad_request", param: "start_date"},
		{name: "missing billing", method: "GET", path: "/billings/x", header: auth, status: 404, code: "not_found", detailSubstring: "could not be found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), tt.method, srv.URL()+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header = tt.header.Clone()
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode, string(body))
			if tt.status < 400 {
				return
			}
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			var e vendorError
			require.NoError(t, json.Unmarshal(body, &e))
			require.Len(t, e.Errors, 1)
			assert.Equal(t, tt.code, e.Errors[0].Code)
			assert.Equal(t, strconv.Itoa(tt.status), e.Errors[0].Status, "status is a string")
			assert.Equal(t, tt.pointer, e.Errors[0].Source.Pointer)
			assert.Equal(t, tt.param, e.Errors[0].Source.Parameter)
			assert.Contains(t, e.Errors[0].Detail, tt.detailSubstring)
		})
	}
	assert.Empty(t, srv.Billings(), "no rejected write was stored")
}

func TestSeedingHelpers(t *testing.T) {
	srv := crmtest.New()
	t.Cleanup(srv.Close)
	id, err := srv.AddBilling(crmtest.Billing{UniqueID: "b-1"})
	require.NoError(t, err)
	assert.Equal(t, "b-1", id)
	_, err = srv.AddBilling(crmtest.Billing{UniqueID: "b-1"})
	assert.Error(t, err, "duplicate ids are refused")
	b, ok := srv.Billing("b-1")
	require.True(t, ok)
	assert.Equal(t, "pending", b.Status, "the vendor's initial state")
	assert.False(t, b.CreatedAt.IsZero())
	assert.Error(t, srv.SetPaymentSplit("nope", nil))
	assert.Len(t, srv.Billings(), 1)
}

func TestSpecLoads(t *testing.T) {
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	assert.Equal(t, 8, spec.Paths.Len(), "8 paths carry the 11 operations")
	ops := 0
	for _, item := range spec.Paths.Map() {
		ops += len(item.Operations())
	}
	assert.Equal(t, 11, ops)
}

// Like a Rails permit list, the fake drops names it does not permit without an error: the
// older currency, due_at and notes are lost, the official SDK's names are kept.
func TestFakeDropsUnpermittedNames(t *testing.T) {
	srv := crmtest.New()
	t.Cleanup(srv.Close)
	post := func(body string) string {
		req, err := http.NewRequestWithContext(context.Background(), "POST", srv.URL()+"/meetings/m/billing", strings.NewReader(body))
		require.NoError(t, err)
		req.Header = http.Header{"Authorization": {"Bearer " + crmtest.DefaultToken}, "X-Api-Key": {crmtest.DefaultAPIKey},
			"Content-Type": {"application/json"}}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		var doc struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		return doc.Data.ID
	}
	old, ok := srv.Billing(post(`{"billing":{"amount":250,"payer_name":"Acme","payer_email":"a@acme.com",` +
		`"currency":"USD","due_at":"2026-02-10T00:00:00Z","notes":"lost"}}`))
	require.True(t, ok)
	assert.Empty(t, old.Currency)
	assert.Empty(t, old.Notes)
	assert.Nil(t, old.DueAt)

	sdk, ok := srv.Billing(post(`{"billing":{"amount":250,"payer_name":"Acme","payer_email":"a@acme.com",` +
		`"fee_currency":"USD","invoice_due_date":"2026-02-10T00:00:00.000Z","billing_notes":"kept"}}`))
	require.True(t, ok)
	assert.Equal(t, "USD", sdk.Currency)
	assert.Equal(t, "kept", sdk.Notes)
	require.NotNil(t, sdk.DueAt)
	assert.Equal(t, "2026-02-10T00:00:00Z", sdk.DueAt.Format(time.RFC3339))
}
