package encounters_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/internal/recordtest"
)

// A fetched record's Raw is the record as sent, and stays so (see recordtest).
func TestRecordRawIsTheRecordAsSentAndStaysSo(t *testing.T) {
	ctx := context.Background()
	c, _ := setup(t, nil)
	newInvoice := func() string {
		enc, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterOutpatient, Invoice: true})
		require.NoError(t, err)
		return enc.ID
	}
	recordtest.RawIsTheRecordAsSent(t,
		func(opts ...polybill.RequestOption) (json.RawMessage, error) {
			inv, err := c.Invoices.Get(ctx, newInvoice(), nil, opts...)
			if err != nil {
				return nil, err
			}
			return inv.Raw, nil
		},
		func() error {
			_, err := c.Invoices.Get(ctx, newInvoice(), nil)
			return err
		},
		func(b []byte) (json.RawMessage, error) {
			var inv encounters.Invoice
			err := json.Unmarshal(b, &inv)
			return inv.Raw, err
		})
}
