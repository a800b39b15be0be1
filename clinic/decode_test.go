package clinic_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
)

const cannedSecret = "canned-client-secret-xyz"

// canned answers the token request with a token and every other request with status/body,
// without a network, so fuzzing runs the whole client stack at full speed.
type canned struct {
	mu     sync.Mutex
	status int
	body   []byte
	ctype  string
	last   *url.URL
}

func (c *canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r}
	if r.URL.Path == clinic.TokenPath {
		resp.Body = io.NopCloser(bytes.NewReader([]byte(`{"access_token":"canned-token-123456","token_type":"Bearer","expires_in":3600}`)))
		return resp, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = r.URL
	resp.StatusCode = c.status
	if c.ctype != "" {
		resp.Header.Set("Content-Type", c.ctype)
	}
	resp.Body = io.NopCloser(bytes.NewReader(c.body))
	return resp, nil
}

func cannedClient(t testing.TB, c *canned) *clinic.Client {
	client, err := clinic.New(polybill.WithBaseURL("https://tenant.bioecko.test"),
		clinic.WithClientCredentials("canned", cannedSecret),
		polybill.WithHTTPClient(&http.Client{Transport: c}), polybill.WithMaxRetries(0))
	require.NoError(t, err)
	return client
}

func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name                 string
		status               int
		body, ctype          string
		code, message, param string
		sentinel             error
	}{
		{"assumed shape", 400, `{"error":"validation_error","message":"bad","details":[{"field":"amount","message":"must be positive"}]}`, "", "validation_error", "bad", "amount", polybill.ErrValidation},
		{"nested error object", 422, `{"error":{"code":"amount_exceeds_balance","message":"too much"}}`, "", "amount_exceeds_balance", "too much", "", polybill.ErrValidation},
		{"RFC 6749", 401, `{"error":"invalid_token","error_description":"expired"}`, "", "invalid_token", "expired", "", polybill.ErrUnauthorized},
		{"errors map", 400, `{"message":"Invalid input","errors":{"payment_mode":["is not included in the list"],"amount":"must be > 0"}}`, "", "bad_request", "Invalid input", "amount", polybill.ErrValidation},
		{"details as strings", 400, `{"error":"bad","details":["amount is required"]}`, "", "bad", "amount is required", "", polybill.ErrValidation},
		{"numeric code", 409, `{"code":4091,"message":"not payable"}`, "", "4091", "not payable", "", polybill.ErrConflict},
		{"HTML from a proxy", 502, `<html>Bad Gateway</html>`, "text/html", "server_error", "", "", polybill.ErrServer},
		{"empty body", 404, ``, "", "not_found", "", "", polybill.ErrNotFound},
		{"JSON array", 403, `["forbidden"]`, "", "forbidden", "", "", polybill.ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &canned{status: tc.status, body: []byte(tc.body), ctype: tc.ctype}
			_, err := cannedClient(t, c).GetInvoice(context.Background(), "INV-1")
			require.ErrorIs(t, err, tc.sentinel)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.status, pe.StatusCode)
			assert.Equal(t, tc.code, pe.Code)
			assert.Equal(t, tc.message, pe.Message)
			assert.Equal(t, tc.param, pe.Param)
			assert.Equal(t, tc.body, string(pe.Body), "the raw body is kept")
			assert.Equal(t, "clinic", pe.API)
		})
	}
}

func FuzzListInvoicesResponse(f *testing.F) {
	f.Add([]byte(`[{"id":"A","total":1,"paid":0,"balance":1,"status":"paid","date":"2026-03-01"}]`), 1, 1)
	f.Add([]byte(`{"data":[],"meta":{"total":0,"total_pages":0}}`), 2, 20)
	f.Add([]byte(`{"items":[{"id":"B","total":"1.50"}],"pagination":{"total_count":-4,"last_page":1}}`), 1, 1)
	f.Add([]byte(`{"data":null}`), 1, 100)
	f.Add([]byte(`null`), 1, 5)
	f.Add([]byte(`{"data":[{"date":"2026-02-30"}]}`), 1, 5)
	f.Fuzz(func(t *testing.T, body []byte, page, perPage int) {
		if page < 1 || page > 1000 || perPage < 1 || perPage > 100 {
			return
		}
		c := &canned{status: 200, body: body}
		p, err := cannedClient(t, c).ListInvoicesPage(context.Background(), &clinic.ListInvoicesParams{Page: page, PerPage: perPage})
		if err != nil {
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			return
		}
		require.NotNil(t, p.Items)
		if len(p.Items) < perPage {
			require.False(t, p.HasMore, "a short page is the last one")
		}
		if p.HasMore {
			require.Equal(t, page+1, p.Next)
		}
	})
}

func FuzzInvoiceResponse(f *testing.F) {
	f.Add([]byte(`{"id":"INV-1","date":"2026-03-15","status":"paid","grand_total":1,"paid":1,"balance":0,"line_items":[],"payments":[{"id":"P","amount":1,"payment_mode":"cash","recorded_at":"2026-03-15T14:30:00+05:30"}]}`))
	f.Add([]byte(`{"total":"12.5","patient_id":"P","branch_id":"B"}`))
	f.Add([]byte(`{"payments":[{"recorded_at":7}]}`))
	f.Add([]byte(`{"date":"2026-03-15T25:00:00Z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &canned{status: 200, body: body}
		inv, err := cannedClient(t, c).GetInvoice(context.Background(), "INV-1")
		if err != nil {
			return
		}
		require.Equal(t, clinic.Currency, inv.Currency, "INR unless the API says otherwise")
		if len(bytes.TrimSpace(body)) > 0 {
			require.NotEmpty(t, inv.Raw)
		}
	})
}

func FuzzSummaryResponse(f *testing.F) {
	f.Add([]byte(`{"total_billed":450000.00,"collection_by_mode":{"cash":120000},"revenue_by_department":{"Surgery":"1.5"}}`))
	f.Add([]byte(`{"collection_by_mode":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &canned{status: 200, body: body}
		_, _ = cannedClient(t, c).GetSummary(context.Background(), nil)
	})
}

func FuzzErrorEnvelope(f *testing.F) {
	f.Add(400, []byte(`{"error":"validation_error","message":"m","details":[{"field":"amount"}]}`))
	f.Add(422, []byte(`{"error":{"code":1,"message":{"x":1},"details":{"a":["b"]}}}`))
	f.Add(500, []byte(`{"errors":{"amount":7}}`))
	f.Add(401, []byte(`{"error":"invalid_token","error_description":"`+cannedSecret+`"}`))
	f.Add(503, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		c := &canned{status: status, body: body}
		_, err := cannedClient(t, c).GetInvoice(context.Background(), "INV-1")
		var pe *polybill.Error
		require.ErrorAs(t, err, &pe)
		require.Equal(t, status, pe.StatusCode)
		require.NotEmpty(t, pe.Code)
		require.NotContains(t, err.Error(), cannedSecret, "the client secret never leaks")
		require.LessOrEqual(t, len(pe.Body), polybill.MaxErrorBody)
	})
}

// FuzzListQuery proves filter values cannot inject or override query parameters.
func FuzzListQuery(f *testing.F) {
	f.Add("PAT-2026-00123", "MUM-01", 1, 20)
	f.Add("a&status=paid", "b#c", 3, 100)
	f.Add("x=1&per_page=5", "%2F..", 2, 1)
	f.Fuzz(func(t *testing.T, patient, branch string, page, perPage int) {
		c := &canned{status: 200, body: []byte(`[]`)}
		_, err := cannedClient(t, c).ListInvoicesPage(context.Background(), &clinic.ListInvoicesParams{
			PatientID: patient, BranchID: branch, Page: page, PerPage: perPage,
		})
		if err != nil {
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			return
		}
		q := c.last.Query()
		assert.Equal(t, patient, q.Get("patient_id"))
		assert.Equal(t, branch, q.Get("branch_id"))
		assert.Len(t, q["per_page"], 1)
		assert.Len(t, q["page"], 1)
		assert.Empty(t, q["status"])
		if page > 0 {
			assert.Equal(t, strconv.Itoa(page), q.Get("page"))
		}
	})
}

func FuzzDateJSON(f *testing.F) {
	f.Add([]byte(`"2026-03-15"`))
	f.Add([]byte(`"2026-03-15T00:30:00+05:30"`))
	f.Add([]byte(`null`))
	f.Add([]byte(`"2026-02-30"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d clinic.Date
		if json.Unmarshal(b, &d) != nil {
			return
		}
		out, err := json.Marshal(d)
		require.NoError(t, err)
		var back clinic.Date
		require.NoError(t, json.Unmarshal(out, &back))
		require.Equal(t, d, back)
	})
}
