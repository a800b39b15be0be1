package polybill_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	polybill "github.com/polybill/polybill-go"
)

func TestErrorClasses(t *testing.T) {
	classes := []error{polybill.ErrUnauthorized, polybill.ErrForbidden, polybill.ErrNotFound, polybill.ErrValidation,
		polybill.ErrConflict, polybill.ErrRateLimited, polybill.ErrServer, polybill.ErrResponseTooLarge}
	tests := []struct {
		err  *polybill.Error
		want error
	}{
		{&polybill.Error{StatusCode: 401}, polybill.ErrUnauthorized},
		{&polybill.Error{Code: polybill.CodeUnauthenticated}, polybill.ErrUnauthorized},
		{&polybill.Error{StatusCode: 403}, polybill.ErrForbidden},
		{&polybill.Error{StatusCode: 404}, polybill.ErrNotFound},
		{&polybill.Error{StatusCode: 400}, polybill.ErrValidation},
		{&polybill.Error{StatusCode: 422}, polybill.ErrValidation},
		{&polybill.Error{API: "crm", Code: polybill.CodeInvalidParams, Param: "amount", Message: "is required"}, polybill.ErrValidation},
		{&polybill.Error{StatusCode: 409}, polybill.ErrConflict},
		{&polybill.Error{StatusCode: 429}, polybill.ErrRateLimited},
		{&polybill.Error{StatusCode: 502}, polybill.ErrServer},
		{&polybill.Error{Code: polybill.CodeResponseTooLarge, StatusCode: 200}, polybill.ErrResponseTooLarge},
	}
	for _, tt := range tests {
		for _, class := range classes {
			assert.Equal(t, class == tt.want, errors.Is(tt.err, class), "%v is %v", tt.err, class)
		}
	}
	// A 503 asking to come back later is both a server error and a rate limit.
	e := &polybill.Error{StatusCode: http.StatusServiceUnavailable, RetryAfter: time.Minute}
	assert.ErrorIs(t, e, polybill.ErrServer)
	assert.ErrorIs(t, e, polybill.ErrRateLimited)
}

func TestErrorTextAndUnwrap(t *testing.T) {
	e := &polybill.Error{API: "crm", StatusCode: 404, Code: "not_found", Message: "Billing not found", RequestID: "req-1",
		Body: []byte(`{"secret":"personal data"}`)}
	assert.Equal(t, "crm: 404 not_found: Billing not found [request id req-1]", e.Error())
	assert.Equal(t, e.Error(), fmt.Sprintf("%+v", e))
	assert.NotContains(t, fmt.Sprintf("%+v", e), "personal data")

	local := &polybill.Error{API: "epilot", Code: polybill.CodeInvalidParams, Param: "size", Message: "must be between 1 and 1000, got -1"}
	assert.Equal(t, "epilot: invalid_params (size): must be between 1 and 1000, got -1", local.Error())
	assert.Equal(t, "size", local.Param)

	wrapped := &polybill.Error{API: "clinic", Code: polybill.CodeCanceled, Err: context.Canceled}
	assert.ErrorIs(t, wrapped, context.Canceled)
	assert.Contains(t, wrapped.Error(), "context canceled")
}
