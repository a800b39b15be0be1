package clinic_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/internal/clientfuzz"
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

// FuzzClientDecoding feeds every body to the public client's reading of each answer, over a
// loopback server: it never panics, a 2xx body that is not JSON is an error and never a value,
// and every error is a *polybill.Error. Seeded with the bodies the fake really sends.
func FuzzClientDecoding(f *testing.F) {
	fake := seedFromFake(f)
	for _, s := range []string{`{"data":[{"id":"A"}]} x`, `{"id":"INV-1","payments":[`, `<html>`, ``, `null`, `{"data":null}`} {
		f.Add([]byte(s))
	}
	// The token endpoint answers a token; every other path the body under test.
	srv := clientfuzz.NewServer(f, map[string]string{clinic.TokenPath: `{"access_token":"fuzz-token-123456","token_type":"Bearer","expires_in":3600}`})
	c, err := clinic.New(append(fake.ClientOptions(), polybill.WithBaseURL(srv.URL), polybill.WithMaxRetries(0))...)
	require.NoError(f, err)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.Serve(body)
		page, err := c.ListInvoicesPage(ctx, nil)
		clientfuzz.Check(t, body, page, err)
		if err == nil {
			require.NotNil(t, page.Items)
		}
		inv, err := c.GetInvoice(ctx, "INV-1")
		clientfuzz.Check(t, body, inv, err)
		sum, err := c.GetSummary(ctx, nil)
		clientfuzz.Check(t, body, sum, err)
		res, err := c.RecordPayment(ctx, "INV-1", clinic.RecordPaymentParams{Amount: polybill.MustDecimal("1.00"), Mode: clinic.PaymentModeCash})
		clientfuzz.Check(t, body, res, err)
	})
}

// seedFromFake adds the bodies clinictest answers to a walk through every read.
func seedFromFake(f *testing.F) *clinictest.Server {
	fake := clinictest.New()
	f.Cleanup(fake.Close)
	id := fake.AddInvoice(clinictest.InvoiceSeed{PatientName: "Asha Rao", BranchID: "MUM-01", Items: []clinictest.ItemSeed{
		{Service: "Consultation", Department: "General Medicine", Quantity: polybill.MustDecimal("1"),
			Rate: polybill.MustDecimal("1000.00"), TaxPercent: polybill.MustDecimal("18")},
		{Service: "Complete blood count", Department: "Laboratory", Quantity: polybill.MustDecimal("2"),
			Rate: polybill.MustDecimal("550.00"), Discount: polybill.MustDecimal("100.00"), TaxPercent: polybill.MustDecimal("18")},
	}})
	rec := &clientfuzz.Recorder{Next: http.DefaultTransport}
	c, err := clinic.New(append(fake.ClientOptions(), polybill.WithHTTPClient(&http.Client{Transport: rec}))...)
	require.NoError(f, err)
	ctx := context.Background()
	_, err = c.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: polybill.MustDecimal("500.00"), Mode: clinic.PaymentModeUPI, Reference: "UPI-1"})
	require.NoError(f, err)
	_, _ = c.GetInvoice(ctx, id)
	_, _ = c.ListInvoicesPage(ctx, nil)
	_, _ = c.GetSummary(ctx, nil)
	require.GreaterOrEqual(f, rec.Seed(f), 4, "the fake's bodies seed the corpus")
	return fake
}
