package crm_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
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
