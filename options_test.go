package polybill_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

func TestNewConfigDefaultsAndValidation(t *testing.T) {
	c, err := polybill.NewConfig()
	require.NoError(t, err)
	assert.Equal(t, polybill.DefaultMaxRetries, c.MaxRetries)
	assert.Equal(t, polybill.DefaultMaxRetryDelay, c.MaxRetryDelay)
	assert.Equal(t, int64(polybill.DefaultMaxResponseBytes), c.MaxResponseBytes)

	bad := map[string]polybill.Option{
		"nil":                nil,
		"negative retries":   polybill.WithMaxRetries(-1),
		"negative delay":     polybill.WithMaxRetryDelay(-time.Second),
		"negative timeout":   polybill.WithAttemptTimeout(-1),
		"negative budget":    polybill.WithRetryBudget(-1, 0),
		"zero body bound":    polybill.WithMaxResponseBytes(0),
		"nil logger":         polybill.WithLogger(nil),
		"nil middleware":     polybill.WithMiddleware(nil),
		"header injection":   polybill.WithUserAgentSuffix("x\r\nEvil: 1"),
		"ftp base url":       polybill.WithBaseURL("ftp://x"),
		"relative base url":  polybill.WithBaseURL("billing"),
		"unparsable base ur": polybill.WithBaseURL("http://[::1"),
	}
	for name, opt := range bad {
		_, err := polybill.NewConfig(opt)
		assert.Error(t, err, name)
	}
	_, err = polybill.NewConfig(polybill.WithMinRetryDelay(time.Minute), polybill.WithMaxRetryDelay(time.Second))
	assert.Error(t, err)

	rc := polybill.NewRequestConfig(polybill.WithIdempotencyKey("k"), polybill.WithHeader("X-A", "1"), polybill.WithRequestMaxRetries(5))
	assert.Equal(t, "k", rc.IdempotencyKey)
	assert.Equal(t, "1", rc.Header.Get("X-A"))
	assert.Equal(t, 5, *rc.MaxRetries)
}
