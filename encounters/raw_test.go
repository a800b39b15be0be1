package encounters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
)

// A fetched record's Raw is the record as sent, and stays so: the client reads it in place
// from the body it received (no copy), so nothing may write to that body afterwards, neither a
// later call nor WithResponseInto's copy of it. UnmarshalJSON, whose input is the caller's,
// copies.
func TestRecordRawIsTheRecordAsSentAndStaysSo(t *testing.T) {
	ctx := context.Background()
	c, _ := setup(t, nil)
	newInvoice := func() string {
		enc, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterOutpatient, Invoice: true})
		require.NoError(t, err)
		return enc.ID
	}
	var resp *http.Response
	inv, err := c.Invoices.Get(ctx, newInvoice(), nil, polybill.WithResponseInto(&resp))
	require.NoError(t, err)
	sent, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, string(bytes.TrimSpace(sent)), string(inv.Raw))
	want := string(inv.Raw)
	for range 10 {
		_, err := c.Invoices.Get(ctx, newInvoice(), nil)
		require.NoError(t, err)
	}
	assert.Equal(t, want, string(inv.Raw), "later calls left the first record alone")

	buf := []byte(want)
	var mine encounters.Invoice
	require.NoError(t, json.Unmarshal(buf, &mine))
	for i := range buf {
		buf[i] = ' '
	}
	assert.Equal(t, want, string(mine.Raw), "UnmarshalJSON keeps a copy, not the caller's bytes")
}
