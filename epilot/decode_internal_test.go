package epilot

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fetched event keeps the body the transport hands over as its Raw (wire.DecodeBody);
// ParseBillingEvent, whose input is the caller's, copies.
func TestFetchedEventSharesTheBody(t *testing.T) {
	body := []byte(`{"_id":"e1","type":"payment"}`)
	var d decodedEvent
	require.NoError(t, d.DecodeBody(body))
	raw := d.Fields().Raw()
	require.Equal(t, string(body), string(raw))
	assert.Same(t, &body[0], &raw[0])

	ev, err := ParseBillingEvent(body)
	require.NoError(t, err)
	assert.NotSame(t, &body[0], &ev.Fields().Raw()[0])
}
