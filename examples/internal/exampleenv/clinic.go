package exampleenv

import (
	"context"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
)

// ClinicEnv is the Bio Ecko client of an example, and the fake behind it when not live.
type ClinicEnv struct {
	Client *clinic.Client
	// Fake is nil when talking to the real API.
	Fake *clinictest.Server
}

var clinicVendor = register(vendor{
	api: "clinic", urlVar: clinic.EnvAPIURL,
	required: []string{clinic.EnvAPIURL, clinic.EnvClientID, clinic.EnvClientSecret},
	vars:     []string{clinic.EnvAPIURL, clinic.EnvClientID, clinic.EnvClientSecret},
})

// Clinic connects to clinictest, or with -live to Bio Ecko (BIOECKO_API_URL,
// BIOECKO_CLIENT_ID and BIOECKO_CLIENT_SECRET).
func Clinic(ctx context.Context) (*ClinicEnv, error) {
	if clinicVendor.isLive() {
		if err := clinicVendor.goLive(); err != nil {
			return nil, err
		}
		c, err := clinic.NewFromEnv()
		if err != nil {
			return nil, clinicVendor.liveError(err)
		}
		return &ClinicEnv{Client: c}, nil
	}
	f := clinictest.New()
	clinicVendor.announceFake(f.URL())
	c, err := clinic.New(f.ClientOptions()...)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &ClinicEnv{Client: c, Fake: f}, nil
}

// Close stops the fake, if any.
func (e *ClinicEnv) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}

// Invoice returns the id to use for an example's invoice: the spec's example id against the
// real API, or a freshly seeded GST invoice with that id on the fake.
func (e *ClinicEnv) Invoice(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	return e.Fake.AddInvoice(clinictest.InvoiceSeed{
		ID: exampleID, PatientID: "PAT-2026-00123", PatientName: "Asha Rao", BranchID: "MUM-01", Date: polybill.NewDate(2026, time.March, 15),
		Items: []clinictest.ItemSeed{
			{Service: "Consultation", Department: "General Medicine", Quantity: must("1"), Rate: must("800.00"), TaxPercent: must("0")},
			{Service: "Complete Blood Count", Department: "Pathology", Quantity: must("1"), Rate: must("1360.00"), TaxPercent: must("18")},
		},
	})
}

// PartiallyPaidInvoice is Invoice with part of the balance paid, so filters on
// status=partially_paid find it on the fake.
func (e *ClinicEnv) PartiallyPaidInvoice(ctx context.Context, exampleID string) string {
	id := e.Invoice(exampleID)
	if e.Fake == nil {
		return id
	}
	Must(e.Client.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount: must("1500.00"), Mode: clinic.PaymentModeCash, PaymentDate: polybill.NewDate(2026, time.March, 15),
	}))
	return id
}
