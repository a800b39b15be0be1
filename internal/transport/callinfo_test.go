package transport_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// A token request made with the context of an API call's attempt (an authenticator that
// fetches inside Apply with the request's context) must not pass for that operation.
func TestTokenRequestInsideAnAttemptHasNoCallInfo(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 200)
	var infos []bool
	var c *transport.Client
	mw := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		_, ok := polybill.CallInfoFrom(req.Context())
		infos = append(infos, ok)
		if req.URL.Path == "/x" {
			tokenReq, err := http.NewRequestWithContext(req.Context(), http.MethodPost, srv.URL+"/token", nil)
			require.NoError(t, err)
			resp, err := c.PlainHTTPClient().Do(tokenReq)
			require.NoError(t, err)
			resp.Body.Close()
		}
		return next(req)
	}
	c = newClient(t, srv.URL, nil, polybill.WithMiddleware(mw))
	require.NoError(t, c.Do(context.Background(), transport.Call{Method: http.MethodGet, Op: opX}, nil))
	assert.Equal(t, []bool{true, false}, infos, "the attempt has CallInfo, the token request inside it none")
}

func TestCallWithoutOperationIsRefused(t *testing.T) {
	rec := &recorder{}
	srv := statusServer(t, rec, 200)
	c := newClient(t, srv.URL, nil)
	err := c.Do(context.Background(), transport.Call{Method: http.MethodGet}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "without its spec operation")
	assert.Equal(t, int64(0), rec.attempts.Load())
}
