package crm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

func asError(t *testing.T, err error) *polybill.Error {
	t.Helper()
	var pe *polybill.Error
	require.True(t, errors.As(err, &pe), "want *polybill.Error, got %T: %v", err, err)
	return pe
}

func TestServerErrorsAreTyped(t *testing.T) {
	ctx := context.Background()
	srv := crmtest.New()
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		opts       []crm.Option
		call       func(c *crm.Client) error
		sentinel   error
		status     int
		code       string
		detail     string
		param      string
		retryable  bool
		wantDetail int
	}{
		{
			name:     "wrong token",
			opts:     []crm.Option{crm.WithToken("stolen-or-stale")},
			call:     func(c *crm.Client) error { _, err := c.GetAgingReport(ctx); return err },
			sentinel: polybill.ErrUnauthorized, status: 401, code: "unauthorized", detail: "Invalid or missing authentication token.",
		},
		{
			name:     "wrong API key",
			opts:     []crm.Option{crm.WithAPIKey("not-the-key")},
			call:     func(c *crm.Client) error { _, err := c.GetAgingReport(ctx); return err },
			sentinel: polybill.ErrUnauthorized, status: 401, code: "invalid_api_key", detail: "Invalid or missing API key.",
		},
		{
			name:     "API key in a header the server does not read",
			opts:     []crm.Option{crm.WithAPIKeyHeader("X-App-Key")},
			call:     func(c *crm.Client) error { _, err := c.GetAgingReport(ctx); return err },
			sentinel: polybill.ErrUnauthorized, status: 401, code: "invalid_api_key",
		},
		{
			name:     "missing billing",
			call:     func(c *crm.Client) error { _, err := c.GetBilling(ctx, "nope"); return err },
			sentinel: polybill.ErrNotFound, status: 404, code: "not_found", detail: "The requested billing record could not be found.",
		},
		{
			name: "server-side validation of a field the client passes through",
			call: func(c *crm.Client) error {
				_, err := c.CreateMeetingBilling(ctx, "m", crm.CreateBillingParams{
					Amount: polybill.MustDecimal("10"), PayerName: "Acme", PayerEmail: "a@acme.com",
					Extra: map[string]json.RawMessage{"fee_amount": json.RawMessage(`"ten"`)},
				})
				return err
			},
			sentinel: polybill.ErrValidation, status: 422, code: "validation_error", param: "fee_amount",
		},
		{
			name: "unsupported sort field",
			call: func(c *crm.Client) error {
				_, err := c.ListMeetingBillingsPage(ctx, "m", &crm.ListMeetingBillingsParams{Sort: "colour"})
				return err
			},
			sentinel: polybill.ErrValidation, status: 400, code: "bad_request", detail: `cannot sort by "colour"`, param: "sort",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := crm.New(append(srv.ClientOptions(), tt.opts...)...)
			require.NoError(t, err)
			err = tt.call(c)
			pe := asError(t, err)
			assert.ErrorIs(t, err, tt.sentinel)
			assert.Equal(t, crm.API, pe.API)
			assert.Equal(t, tt.status, pe.StatusCode)
			assert.Equal(t, tt.code, pe.Code)
			if tt.detail != "" {
				assert.Equal(t, tt.detail, pe.Message)
			}
			assert.Equal(t, tt.param, pe.Param)
			assert.Regexp(t, `^req_`, pe.RequestID, "the id the client sent, echoed by the server")
			require.Len(t, pe.Details, 1)
			assert.NotEmpty(t, pe.Details[0].Raw)
			assert.NotEmpty(t, pe.Body)
			assert.False(t, pe.Retryable)
			for _, secret := range []string{crmtest.DefaultToken, crmtest.DefaultAPIKey, "stolen-or-stale", "not-the-key"} {
				assert.NotContains(t, pe.Error(), secret, "no secret in the message")
				assert.NotContains(t, fmt.Sprintf("%+v", err), secret)
			}
		})
	}
	assert.Empty(t, srv.Billings(), "nothing was stored by the failed create")
}

func TestLocalValidationRefusesBeforeSending(t *testing.T) {
	ctx := context.Background()
	valid := func() crm.CreateBillingParams {
		return crm.CreateBillingParams{Amount: polybill.MustDecimal("250.00"), PayerName: "Acme Corp", PayerEmail: "billing@acme.com"}
	}
	tests := []struct {
		name   string
		change func(p *crm.CreateBillingParams)
		param  string
	}{
		{"no amount", func(p *crm.CreateBillingParams) { p.Amount = polybill.Decimal{} }, "amount"},
		{"negative amount", func(p *crm.CreateBillingParams) { p.Amount = polybill.MustDecimal("-1") }, "amount"},
		{"no payer name", func(p *crm.CreateBillingParams) { p.PayerName = "" }, "payer_name"},
		{"blank payer name", func(p *crm.CreateBillingParams) { p.PayerName = "  " }, "payer_name"},
		{"no payer email", func(p *crm.CreateBillingParams) { p.PayerEmail = "" }, "payer_email"},
		{"payer email without domain", func(p *crm.CreateBillingParams) { p.PayerEmail = "billing" }, "payer_email"},
		{"payer email with display name", func(p *crm.CreateBillingParams) { p.PayerEmail = "Billing <billing@acme.com>" }, "payer_email"},
		{"bad participant email", func(p *crm.CreateBillingParams) { p.ParticipantEmail = "jane@" }, "participant_email"},
		{"unknown status", func(p *crm.CreateBillingParams) { p.Status = "void" }, "status"},
		{"bad currency", func(p *crm.CreateBillingParams) { p.Currency = "usd" }, "currency"},
		{"extra overriding a named field", func(p *crm.CreateBillingParams) { p.Extra = map[string]json.RawMessage{"amount": []byte(`1`)} }, "Extra.amount"},
		{"extra naming a field up to case", func(p *crm.CreateBillingParams) { p.Extra = map[string]json.RawMessage{"Payer_Name": []byte(`"x"`)} }, "Extra.Payer_Name"},
		{"extra naming a field that is not set", func(p *crm.CreateBillingParams) { p.Extra = map[string]json.RawMessage{"status": []byte(`"void"`)} }, "Extra.status"},
		{"extra that is not JSON", func(p *crm.CreateBillingParams) { p.Extra = map[string]json.RawMessage{"metadata": []byte(`{`)} }, "Extra.metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newFake(t, nil)
			p := valid()
			tt.change(&p)
			_, err := c.CreateMeetingBilling(ctx, "m", p)
			pe := asError(t, err)
			assert.ErrorIs(t, err, polybill.ErrValidation)
			assert.Equal(t, polybill.CodeInvalidParams, pe.Code)
			assert.Equal(t, tt.param, pe.Param)
			assert.Contains(t, pe.Error(), tt.param)
			assert.Zero(t, pe.StatusCode)
			assert.Zero(t, srv.Requests(), "nothing was sent")
			assert.Empty(t, srv.Billings(), "nothing was stored")
		})
	}

	updates := []struct {
		name   string
		params crm.UpdateBillingParams
		param  string
	}{
		{"empty update", crm.UpdateBillingParams{}, "billing"},
		{"unknown status", crm.UpdateBillingParams{Status: "refunded"}, "status"},
		{"zero amount", crm.UpdateBillingParams{Amount: &polybill.Decimal{}}, "amount"},
		{"bad payer email", crm.UpdateBillingParams{PayerEmail: "x"}, "payer_email"},
	}
	for _, tt := range updates {
		t.Run("update/"+tt.name, func(t *testing.T) {
			srv, c := newFake(t, nil)
			_, err := c.UpdateBilling(ctx, "b", tt.params)
			assert.Equal(t, tt.param, asError(t, err).Param)
			assert.ErrorIs(t, err, polybill.ErrValidation)
			assert.Zero(t, srv.Requests())
		})
	}

	lists := []struct {
		name   string
		params crm.ListMeetingBillingsParams
		param  string
	}{
		{"negative page", crm.ListMeetingBillingsParams{Page: -1}, "page"},
		{"negative records", crm.ListMeetingBillingsParams{Records: -1}, "records"},
		{"sort with injection", crm.ListMeetingBillingsParams{Sort: "amount;drop"}, "sort"},
		{"sort with an empty field", crm.ListMeetingBillingsParams{Sort: "amount,,status"}, "sort"},
		{"sort with a trailing comma", crm.ListMeetingBillingsParams{Sort: "amount,"}, "sort"},
		{"sort of a bare minus", crm.ListMeetingBillingsParams{Sort: "-"}, "sort"},
		{"sort with a space", crm.ListMeetingBillingsParams{Sort: "amount, status"}, "sort"},
		{"sort with an empty dotted name", crm.ListMeetingBillingsParams{Sort: "meeting..start_time"}, "sort"},
	}
	for _, tt := range lists {
		t.Run("list/"+tt.name, func(t *testing.T) {
			srv, c := newFake(t, nil)
			_, err := c.ListMeetingBillingsPage(ctx, "m", &tt.params)
			assert.Equal(t, tt.param, asError(t, err).Param)
			assert.Zero(t, srv.Requests())
		})
	}
}

func TestDecodeErrorVariants(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		code    string
		message string
		param   string
		details int
	}{
		{"json:api", `{"errors":[{"status":"404","code":"not_found","title":"Billing Not Found","detail":"gone"}]}`, "not_found", "gone", "", 1},
		{"json:api without code leaves it to the status", `{"errors":[{"status":"404","title":"Billing Not Found"}]}`, "", "Billing Not Found", "", 1},
		{"json:api several with pointer", `{"errors":[{"code":"invalid","detail":"bad email","source":{"pointer":"/data/attributes/payer_email"}},{"code":"blank","detail":"no name"}]}`, "invalid", "bad email", "payer_email", 2},
		{"json:api parameter source", `{"errors":[{"code":"bad_request","detail":"x","source":{"parameter":"start_date"}}]}`, "bad_request", "x", "start_date", 1},
		{"strings", `{"errors":["Amount can't be blank","Payer email is invalid"]}`, "validation_error", "Amount can't be blank, Payer email is invalid", "", 2},
		{"success false", `{"success":false,"errors":["Nope"]}`, "validation_error", "Nope", "", 1},
		{"rails map", `{"errors":{"payer_email":["is invalid"],"amount":["can't be blank"]}}`, "validation_error", "amount can't be blank, payer_email is invalid", "amount", 2},
		{"error and message", `{"error":"invalid_token","message":"Token expired"}`, "invalid_token", "Token expired", "", 0},
		{"nested error", `{"error":{"code":"rate_limited","message":"slow down"}}`, "rate_limited", "slow down", "", 0},
		{"numeric code", `{"errors":[{"code":422,"detail":"x"}]}`, "422", "x", "", 1},
		{"html", `<html>Bad Gateway</html>`, "", "", "", 0},
		{"empty object", `{}`, "", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e polybill.Error
			crm.DecodeError([]byte(tt.body), &e)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.message, e.Message)
			assert.Equal(t, tt.param, e.Param)
			assert.Len(t, e.Details, tt.details)
			for _, d := range e.Details {
				assert.True(t, json.Valid(d.Raw), "detail keeps its raw JSON")
			}
		})
	}
}

// A 404 without a code gets "not_found" from its status, not the SDK's "validation_error".
func TestMissingCodeDerivedFromStatus(t *testing.T) {
	srv := crmtest.New()
	t.Cleanup(srv.Close)
	srv.Faults().Add(crmtest.Fault{Status: http.StatusNotFound, Body: `{"errors":[{"status":"404","title":"Billing Not Found"}]}`,
		Header: http.Header{"Content-Type": {"application/json"}}})
	c, err := crm.New(srv.ClientOptions()...)
	require.NoError(t, err)
	_, err = c.GetBilling(context.Background(), "x")
	pe := asError(t, err)
	assert.Equal(t, "not_found", pe.Code)
	assert.Equal(t, "Billing Not Found", pe.Message)
	assert.ErrorIs(t, err, polybill.ErrNotFound)
}
