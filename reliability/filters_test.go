package reliability_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/epilot"
)

// TestListFiltersRefuseUnknownEnumValues: a list filter with a value the API does not define
// is refused before sending in every package, as creates and updates are; the server would
// match nothing and answer an empty page that looks like an answer (issue 14 §7).
func TestListFiltersRefuseUnknownEnumValues(t *testing.T) {
	ctx := context.Background()
	f := newFourClients(t)

	first := func(seqErr error) error { return seqErr }
	tests := []struct {
		api, param string
		requests   func() int64
		call       func() error
	}{
		{"crm", "status", f.crmSrv.Requests, func() error {
			_, err := f.crm.ListMeetingBillingsPage(ctx, "meeting-1", &crm.ListMeetingBillingsParams{Status: "PENDING"})
			return err
		}},
		{"crm", "status", f.crmSrv.Requests, func() error {
			for _, err := range f.crm.ListMeetingBillings(ctx, "meeting-1", &crm.ListMeetingBillingsParams{Status: "PENDING"}) {
				return first(err)
			}
			return nil
		}},
		{"epilot", "event_type", f.epSrv.Requests, func() error {
			_, err := f.ep.ListBillingEventsPage(ctx, &epilot.ListBillingEventsParams{EventType: "PENDING"})
			return err
		}},
		{"epilot", "change_type", f.epSrv.Requests, func() error {
			_, err := f.ep.ListContractConfigurationHistoryPage(ctx, "contract-1", &epilot.ConfigurationHistoryParams{ChangeType: "PENDING"})
			return err
		}},
		{"encounters", "status", f.encSrv.Requests, func() error {
			_, err := f.enc.Invoices.Find(ctx, encounters.NewQuery().Where("status", encounters.InvoiceStatus("PENDING")))
			return err
		}},
		{"encounters", "type[$in]", f.encSrv.Requests, func() error {
			_, err := f.enc.Payments.Find(ctx, encounters.NewQuery().In("type", encounters.PaymentPrivate, encounters.PaymentType("PENDING")))
			return err
		}},
		{"encounters", "type[$in]", f.encSrv.Requests, func() error {
			_, err := f.enc.Payments.Find(ctx, encounters.NewQuery().In("type", []encounters.PaymentType{"PENDING"}))
			return err
		}},
		{"clinic", "status", f.clSrv.Requests, func() error {
			_, err := f.cl.ListInvoicesPage(ctx, &clinic.ListInvoicesParams{Status: "PENDING"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.api+"/"+tt.param, func(t *testing.T) {
			before := tt.requests()
			requireConfigError(t, tt.call(), tt.api, tt.param)
			assert.Equal(t, before, tt.requests(), "nothing was sent")
		})
	}
}
