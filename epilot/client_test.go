package epilot_test

import (
	"context"
	"errors"
	"fmt"
	"golang.org/x/oauth2"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewFromEnv(t *testing.T) {
	srv := epilottest.New(epilottest.WithToken("env-token"))
	defer srv.Close()
	t.Setenv(epilot.EnvAPIURL, srv.URL())
	t.Setenv(epilot.EnvToken, "env-token")
	c, err := epilot.NewFromEnv()
	require.NoError(t, err)
	_, err = c.GetBillingEvent(context.Background(), "nope")
	require.ErrorIs(t, err, polybill.ErrNotFound, "authenticated with EPILOT_TOKEN against EPILOT_API_URL")

	// Options override the environment.
	c, err = epilot.NewFromEnv(epilot.WithToken("other"))
	require.NoError(t, err)
	_, err = c.GetBillingEvent(context.Background(), "nope")
	require.ErrorIs(t, err, polybill.ErrUnauthorized)
}

func TestDefaultBaseURL(t *testing.T) {
	t.Setenv(epilot.EnvAPIURL, "")
	t.Setenv(epilot.EnvToken, "a-token")
	var seen string
	c, err := epilot.NewFromEnv(polybill.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.URL.String()
		return &http.Response{StatusCode: 204, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
	})}))
	require.NoError(t, err)
	require.NoError(t, c.DeleteBillingEvent(context.Background(), "ev 1"))
	assert.Equal(t, "https://billing.sls.epilot.io/v1/billing/events/ev%201", seen)
}

func TestConstructorRefusesBadOptions(t *testing.T) {
	for name, opt := range map[string]epilot.Option{
		"empty token":      epilot.WithToken(" "),
		"nil token source": epilot.WithTokenSource(nil),
		"unknown style":    epilot.WithEntityIDStyle(epilot.EntityIDStyle(9)),
		"plain http":       polybill.WithBaseURL("http://billing.example.com"),
		"nil option":       nil,
		"not a base url":   polybill.WithBaseURL("::"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := epilot.New(opt)
			assert.Error(t, err)
		})
	}
}

// tokenFunc adapts a function to oauth2.TokenSource.
type tokenFunc func() (*oauth2.Token, error)

func (f tokenFunc) Token() (*oauth2.Token, error) { return f() }

func bearer(tok string) (*oauth2.Token, error) { return &oauth2.Token{AccessToken: tok}, nil }

func TestTokenSourceRefreshesAfter401(t *testing.T) {
	srv := epilottest.New(epilottest.WithToken("fresh"))
	defer srv.Close()
	var calls atomic.Int32
	c, err := epilot.New(polybill.WithBaseURL(srv.URL()), epilot.WithTokenSource(tokenFunc(func() (*oauth2.Token, error) {
		if calls.Add(1) == 1 {
			return bearer("stale")
		}
		return bearer("fresh")
	})))
	require.NoError(t, err)
	_, err = c.GetBillingEvent(context.Background(), "x")
	require.ErrorIs(t, err, polybill.ErrNotFound, "the 401 triggered one refresh and a replay")
	assert.Equal(t, int32(2), calls.Load())

	failing, err := epilot.New(polybill.WithBaseURL(srv.URL()), polybill.WithMinRetryDelay(time.Millisecond), polybill.WithMaxRetryDelay(time.Millisecond), epilot.WithTokenSource(tokenFunc(func() (*oauth2.Token, error) {
		return nil, errors.New("vault down")
	})))
	require.NoError(t, err)
	_, err = failing.GetBillingEvent(context.Background(), "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "vault down")
	assert.Equal(t, int64(2), srv.Requests(), "nothing sent without credentials")
}

func TestErrorShapes(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		is          error
		wantMessage string
		wantTitle   string
	}{
		{"vendor envelope", 404, `{"error":"Not Found","message":"Billing event not found."}`, polybill.ErrNotFound, "Billing event not found.", "Not Found"},
		{"api gateway auth failure", 401, `{"message":"Unauthorized"}`, polybill.ErrUnauthorized, "Unauthorized", ""},
		{"only error", 403, `{"error":"Forbidden"}`, polybill.ErrForbidden, "Forbidden", "Forbidden"},
		{"validation", 422, `{"error":"Unprocessable Entity","message":"Validation failed: 'billing_amount' must be a positive integer."}`, polybill.ErrValidation, "Validation failed: 'billing_amount' must be a positive integer.", "Unprocessable Entity"},
		{"html from a gateway", 502, `<html><body>Bad Gateway</body></html>`, polybill.ErrServer, "", ""},
		{"empty body", 500, ``, polybill.ErrServer, "", ""},
		{"json of another shape", 400, `{"errors":[{"code":1}]}`, polybill.ErrValidation, "", ""},
		{"message of the wrong type", 400, `{"error":"Bad Request","message":["a","b"]}`, polybill.ErrValidation, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvValidated(t, false, polybill.WithMaxRetries(0))
			e.srv.Faults().Add(epilottest.Fault{Status: tt.status, Body: tt.body})
			_, err := e.client.GetBillingEvent(context.Background(), "ev-1")
			require.ErrorIs(t, err, tt.is)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "epilot", pe.API)
			assert.Equal(t, tt.status, pe.StatusCode)
			assert.Equal(t, tt.wantMessage, pe.Message)
			assert.NotEmpty(t, pe.Code)
			if tt.wantTitle != "" {
				require.Len(t, pe.Details, 1)
				assert.Equal(t, tt.wantTitle, pe.Details[0].Title)
			}
			assert.Equal(t, tt.body, string(pe.Body))
			assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), e.srv.Token(), "the token never appears in an error")
		})
	}
}

func TestFakeAnswersInTheVendorShape(t *testing.T) {
	e := newEnv(t, epilot.WithToken("wrong"))
	_, err := e.client.GetCustomerBalance(context.Background(), "c")
	require.ErrorIs(t, err, polybill.ErrUnauthorized)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.JSONEq(t, `{"error":"Unauthorized","message":"Missing or invalid authorization token."}`, string(pe.Body))
	assert.NotContains(t, err.Error(), "wrong")
}
