package clinic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fetched invoice keeps the body the transport hands over as its Raw (wire.DecodeBody).
func TestInvoiceBodySharesTheBody(t *testing.T) {
	body := []byte(`{"id":"INV-1"}`)
	var inv Invoice
	require.NoError(t, (*invoiceBody)(&inv).DecodeBody(body))
	require.Equal(t, string(body), string(inv.Raw))
	assert.Same(t, &body[0], &inv.Raw[0])
}
