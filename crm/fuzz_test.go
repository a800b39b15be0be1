package crm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/internal/clientfuzz"
)

// The decoders read untrusted server bytes: they must never panic, and what they accept must
// be self-consistent.

func FuzzDecodeError(f *testing.F) {
	for _, seed := range []string{
		`{"errors":[{"status":"404","code":"not_found","title":"Billing Not Found","detail":"gone"}]}`,
		`{"errors":[{"code":"invalid","source":{"pointer":"/data/attributes/payer_email"}}]}`,
		`{"errors":["a","b"]}`,
		`{"success":false,"errors":["x"]}`,
		`{"errors":{"amount":["can't be blank"],"payer":"x"}}`,
		`{"error":"invalid_token","message":"expired"}`,
		`{"error":{"code":"x","message":"y"}}`,
		`{"errors":[1,null,{"code":5}]}`,
		`{"errors":"plain"}`,
		`<html>`, ``, `null`, `[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var e polybill.Error
		crm.DecodeError(body, &e)
		for _, d := range e.Details {
			if len(d.Raw) > 0 {
				assert.True(t, json.Valid(d.Raw))
			}
		}
		var again polybill.Error
		crm.DecodeError(body, &again)
		assert.Equal(t, e.Code, again.Code, "deterministic")
		assert.Equal(t, e.Message, again.Message)
		assert.Equal(t, e.Param, again.Param)
	})
}

func FuzzBilling(f *testing.F) {
	for _, seed := range []string{
		`{"id":"a","type":"billing","attributes":{"amount":250.00,"status":"paid","created_at":"2026-01-10T10:30:00Z"}}`,
		`{"unique_id":"a","fee_amount":"1e3","due_at":"2026-02-10","payload":{"x":[1,2]}}`,
		`{"id":1,"attributes":{"amount":null,"paid_at":"nope"}}`,
		`{"attributes":"x"}`, `[]`, `"s"`, `null`, `{"amount":1e400}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b crm.Billing
		if err := json.Unmarshal(data, &b); err != nil {
			return
		}
		if b.Amount != nil {
			out, err := json.Marshal(b.Amount)
			require.NoError(t, err)
			var back polybill.Decimal
			require.NoError(t, json.Unmarshal(out, &back))
			assert.True(t, back.Equal(*b.Amount), "amounts round-trip exactly")
		}
		if len(b.Attributes) > 0 {
			assert.True(t, json.Valid(b.Attributes))
		}
	})
}

func FuzzReports(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"total_revenue":45000.00,"period":{"start_date":"2026-01-01"}}}`,
		`{"data":{"id":"r","type":"t","attributes":{"thirty_days":"3","items":[{"amount":1}]}}}`,
		`{"data":{"participantEmail":"a","sessions":[{"date":"x","amount":"2"}]}}`,
		`{"data":[{"participant_unique_id":"c","percentage":"70.5"}]}`,
		`{"data":{"splits":[{"amount":1}],"total_amount":2}}`,
		`{"data":[{"attributes":{"session_date":"2026-02-10"}}],"meta":{"total_sessions":"4","total_amount":6.00}}`,
		`{"data":{"session_count":4.0,"remaining_sessions":2}}`,
		`{"data":null}`, `{}`, `x`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{&crm.RevenueReport{}, &crm.AgingReport{}, &crm.ParticipantReport{}, &crm.PaymentSplit{}, &crm.EAPSessions{}, &crm.PayerOutstanding{}}
		for _, target := range targets {
			_ = json.Unmarshal(body, target) // must not panic
		}
	})
}

// FuzzClientDecoding feeds every body to the public client's reading of each answer, over a
// loopback server: it never panics, a 2xx body that is not JSON is an error and never a value,
// and every error is a *polybill.Error. Seeded with the bodies the fake really sends.
func FuzzClientDecoding(f *testing.F) {
	fake := seedFromFake(f)
	for _, s := range []string{`{"data":{"id":"b","attributes":{"amount":1}}} x`, `{"data":[{"id":"b"}]`, `<html>`, ``, `null`, `{"data":null}`} {
		f.Add([]byte(s))
	}
	srv := clientfuzz.NewServer(f, nil)
	// The fake's credentials, pointed at the loopback server that answers the body under test.
	c, err := crm.New(append(fake.ClientOptions(), polybill.WithBaseURL(srv.URL), polybill.WithMaxRetries(0))...)
	require.NoError(f, err)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.Serve(body)
		b, err := c.GetBilling(ctx, "b")
		clientfuzz.Check(t, body, b, err)
		page, err := c.ListMeetingBillingsPage(ctx, "m", nil)
		clientfuzz.Check(t, body, page, err)
		if err == nil {
			require.NotNil(t, page.Items)
		}
		rows, err := c.GetOutstandingByPayer(ctx)
		clientfuzz.CheckErr(t, body, err)
		if err != nil {
			require.Nil(t, rows)
		}
		eap, err := c.GetEAPSessions(ctx, "p@example.com", "Acme")
		clientfuzz.Check(t, body, eap, err)
		rev, err := c.GetRevenueReport(ctx, nil)
		clientfuzz.Check(t, body, rev, err)
		aging, err := c.GetAgingReport(ctx)
		clientfuzz.Check(t, body, aging, err)
		part, err := c.GetParticipantReport(ctx, "p@example.com")
		clientfuzz.Check(t, body, part, err)
		split, err := c.GetPaymentSplit(ctx, "b")
		clientfuzz.Check(t, body, split, err)
	})
}

// seedFromFake adds the bodies crmtest answers to a walk through every read.
func seedFromFake(f *testing.F) *crmtest.Server {
	fake := crmtest.New()
	f.Cleanup(fake.Close)
	rec := &clientfuzz.Recorder{Next: http.DefaultTransport}
	c, err := crm.New(append(fake.ClientOptions(), polybill.WithHTTPClient(&http.Client{Transport: rec}))...)
	require.NoError(f, err)
	ctx := context.Background()
	due := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, amount := range []string{"250.00", "99.5", "1200"} {
		_, err := c.CreateMeetingBilling(ctx, "m", crm.CreateBillingParams{Amount: polybill.MustDecimal(amount), PayerName: "Acme",
			PayerEmail: "billing@acme.com", ParticipantEmail: "p@example.com", BillingType: "session", DueAt: &due, Notes: strconv.Itoa(i)})
		require.NoError(f, err)
	}
	page, err := c.ListMeetingBillingsPage(ctx, "m", nil)
	require.NoError(f, err)
	_, _ = c.GetBilling(ctx, page.Items[0].UniqueID)
	_, _ = c.GetPaymentSplit(ctx, page.Items[0].UniqueID)
	_, _ = c.GetOutstandingByPayer(ctx)
	_, _ = c.GetEAPSessions(ctx, "p@example.com", "Acme")
	_, _ = c.GetRevenueReport(ctx, nil)
	_, _ = c.GetAgingReport(ctx)
	_, _ = c.GetParticipantReport(ctx, "p@example.com")
	require.GreaterOrEqual(f, rec.Seed(f), 8, "the fake's bodies seed the corpus")
	return fake
}
