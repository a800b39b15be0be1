package clinic_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

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
