package reliability_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
	"github.com/stretchr/testify/require"
)

// TestListFiltersRefuseUnknownEnumValues: a list filter with a value the API does not define
// is refused before sending in every package, as creates and updates are; the server would
// match nothing and answer an empty page that looks like an answer (issue 14 §7).
func TestListFiltersRefuseUnknownEnumValues(t *testing.T) {
	ctx := context.Background()
	crmSrv := crmtest.New()
	t.Cleanup(crmSrv.Close)
	crmc, err := crm.New(crmSrv.ClientOptions()...)
	require.NoError(t, err)
	epSrv := epilottest.New()
	t.Cleanup(epSrv.Close)
	epc, err := epilot.New(polybill.WithBaseURL(epSrv.URL()), epilot.WithToken(epSrv.Token()))
	require.NoError(t, err)
	encSrv := encounterstest.New()
	t.Cleanup(encSrv.Close)
	encc, err := encounters.New(polybill.WithBaseURL(encSrv.URL()), encounters.WithToken(encSrv.Token()))
	require.NoError(t, err)
	clSrv := clinictest.New()
	t.Cleanup(clSrv.Close)
	clc, err := clinic.New(polybill.WithBaseURL(clSrv.URL()), clinic.WithClientCredentials(clinictest.DefaultClientID, clinictest.DefaultClientSecret))
	require.NoError(t, err)

	first := func(seqErr error) error { return seqErr }
	tests := []struct {
		api, param string
		requests   func() int64
		call       func() error
	}{
		{"crm", "status", crmSrv.Requests, func() error {
			_, err := crmc.ListMeetingBillingsPage(ctx, "meeting-1", &crm.ListMeetingBillingsParams{Status: "PENDING"})
			return err
		}},
		{"crm", "status", crmSrv.Requests, func() error {
			for _, err := range crmc.ListMeetingBillings(ctx, "meeting-1", &crm.ListMeetingBillingsParams{Status: "PENDING"}) {
				return first(err)
			}
			return nil
		}},
		{"epilot", "event_type", epSrv.Requests, func() error {
			_, err := epc.ListBillingEventsPage(ctx, &epilot.ListBillingEventsParams{EventType: "PENDING"})
			return err
		}},
		{"epilot", "change_type", epSrv.Requests, func() error {
			_, err := epc.ListContractConfigurationHistoryPage(ctx, "contract-1", &epilot.ConfigurationHistoryParams{ChangeType: "PENDING"})
			return err
		}},
		{"encounters", "status", encSrv.Requests, func() error {
			_, err := encc.Invoices.Find(ctx, encounters.NewQuery().Where("status", encounters.InvoiceStatus("PENDING")))
			return err
		}},
		{"encounters", "type[$in]", encSrv.Requests, func() error {
			_, err := encc.Payments.Find(ctx, encounters.NewQuery().In("type", encounters.PaymentPrivate, encounters.PaymentType("PENDING")))
			return err
		}},
		{"encounters", "type[$in]", encSrv.Requests, func() error {
			_, err := encc.Payments.Find(ctx, encounters.NewQuery().In("type", []encounters.PaymentType{"PENDING"}))
			return err
		}},
		{"clinic", "status", clSrv.Requests, func() error {
			_, err := clc.ListInvoicesPage(ctx, &clinic.ListInvoicesParams{Status: "PENDING"})
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
