package epilot_test

import (
	"context"
	"encoding/json"
	"testing"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/internal/recordtest"
)

// A fetched event's Raw is the record as sent, and stays so (see recordtest).
func TestEventRawIsTheRecordAsSentAndStaysSo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	create := func() (string, error) {
		ev, err := e.client.CreateBillingEvent(ctx, installment("contract-1", 10050, polybill.NewDate(2025, 6, 1)))
		if err != nil {
			return "", err
		}
		return ev.Fields().ID, nil
	}
	recordtest.RawIsTheRecordAsSent(t,
		func(opts ...polybill.RequestOption) (json.RawMessage, error) {
			id, err := create()
			if err != nil {
				return nil, err
			}
			ev, err := e.client.GetBillingEvent(ctx, id, opts...)
			if err != nil {
				return nil, err
			}
			return ev.Fields().Raw(), nil
		},
		func() error {
			id, err := create()
			if err == nil {
				_, err = e.client.GetBillingEvent(ctx, id)
			}
			return err
		},
		func(b []byte) (json.RawMessage, error) {
			ev, err := epilot.ParseBillingEvent(b)
			if err != nil {
				return nil, err
			}
			return ev.Fields().Raw(), nil
		})
}
