package clinic_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
)

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
