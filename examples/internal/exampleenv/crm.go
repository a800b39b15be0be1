package exampleenv

import (
	"context"
	"fmt"
	"time"

	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// CRMNow is the fake's clock in the crm examples: the seeded billings fall in the first
// quarter of 2026, and the aging report is computed as of this moment, so the output of an
// example is the same on every run.
var CRMNow = time.Date(2026, time.April, 1, 12, 0, 0, 0, time.UTC)

// CRMEnv is the 23blocks CRM client of an example, and the fake behind it when not live.
type CRMEnv struct {
	Client *crm.Client
	// Fake is nil when talking to the real API.
	Fake *crmtest.Server

	booked bool
}

var crmVendor = register(vendor{
	api: "crm", urlVar: crm.EnvAPIURL, defaultURL: crm.DefaultBaseURL,
	required: []string{crm.EnvAuthToken, crm.EnvAPIKey},
	vars:     []string{crm.EnvAPIURL, crm.EnvAuthToken, crm.EnvAPIKey},
})

// CRM connects to crmtest, with its clock stopped at CRMNow, or with -live to 23blocks
// (BLOCKS_AUTH_TOKEN and BLOCKS_API_KEY; BLOCKS_API_URL defaults to crm.DefaultBaseURL).
func CRM(ctx context.Context) (*CRMEnv, error) {
	if crmVendor.isLive() {
		if err := crmVendor.goLive(); err != nil {
			return nil, err
		}
		c, err := crm.NewFromEnv()
		if err != nil {
			return nil, crmVendor.liveError(err)
		}
		return &CRMEnv{Client: c}, nil
	}
	f := crmtest.New(crmtest.WithClock(crmtest.NewManualClock(CRMNow)))
	crmVendor.announceFake(f.URL())
	c, err := crm.New(f.ClientOptions()...)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &CRMEnv{Client: c, Fake: f}, nil
}

// Close stops the fake, if any.
func (e *CRMEnv) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}

// Billing returns the unique id to use for an example's billing: the spec's example id
// against the real API, or on the fake a pending 250.00 session billing with that id, billed
// to Acme Corp for meeting-uuid-123 (the spec's example record).
func (e *CRMEnv) Billing(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	if _, ok := e.Fake.Billing(exampleID); !ok {
		e.add(crmtest.Billing{
			UniqueID: exampleID, MeetingID: "meeting-uuid-123", Amount: must("250.00"),
			PayerName: "Acme Corp", PayerEmail: "billing@acme.com", ParticipantEmail: "jane@acme.com",
			BillingType: "session", Status: string(crm.StatusPending), Notes: "First session",
			DueAt:     crmDay(2026, time.April, 10),
			CreatedAt: time.Date(2026, time.January, 10, 10, 30, 0, 0, time.UTC),
		})
	}
	return exampleID
}

// PaymentSplit is Billing with a payment split on the fake: 70 % to the therapist, 30 % to
// the clinic (splits are set up in the vendor's back office; the API cannot write them).
func (e *CRMEnv) PaymentSplit(exampleID string) string {
	id := e.Billing(exampleID)
	if e.Fake != nil {
		Check(e.Fake.SetPaymentSplit(id, []crmtest.SplitEntry{
			{RecipientName: "Dr. Smith", RecipientEmail: "smith@clinic.com", Amount: must("175.00"), Percentage: must("70")},
			{RecipientName: "Clinic Admin", RecipientEmail: "admin@clinic.com", Amount: must("75.00"), Percentage: must("30")},
		}))
	}
	return id
}

// Meeting returns the meeting id to use: the spec's example id against the real API, or on
// the fake a group session with five participants billed to Acme Corp, the first of them
// under the spec's example billing id (billing-uuid-123) and the last already paid.
func (e *CRMEnv) Meeting(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	participants := []string{"jane@acme.com", "john@acme.com", "priya@acme.com", "sam@acme.com", "lee@acme.com"}
	for i, p := range participants {
		b := crmtest.Billing{
			MeetingID: exampleID, Amount: must("250.00"), PayerName: "Acme Corp", PayerEmail: "billing@acme.com",
			ParticipantEmail: p, BillingType: "session", Status: string(crm.StatusPending),
			CreatedAt: time.Date(2026, time.January, 10, 10, 30+i, 0, 0, time.UTC),
		}
		if i == 0 {
			b.UniqueID = "billing-uuid-123"
		}
		if i == len(participants)-1 {
			b.Status, b.PaidAt = string(crm.StatusPaid), crmDay(2026, time.January, 12)
		}
		e.add(b)
	}
	return exampleID
}

// EAPSessions returns the participant and payer to use: as given against the real API, or on
// the fake after seeding four fortnightly 150.00 EAP sessions of that participant billed to
// that payer (three paid, the latest pending).
func (e *CRMEnv) EAPSessions(participantEmail, payerName string) (string, string) {
	if e.Fake == nil {
		return participantEmail, payerName
	}
	for i := range 4 {
		created := time.Date(2026, time.January, 13+14*i, 15, 0, 0, 0, time.UTC)
		b := crmtest.Billing{
			MeetingID: fmt.Sprintf("meeting-eap-%d", i+1), Amount: must("150.00"),
			PayerName: payerName, PayerEmail: crmPayerEmail(payerName), ParticipantEmail: participantEmail,
			BillingType: "eap_session", Status: string(crm.StatusPending), CreatedAt: created,
		}
		if i < 3 {
			paid := created.Add(48 * time.Hour)
			b.Status, b.PaidAt = string(crm.StatusPaid), &paid
		}
		e.add(b)
	}
	return participantEmail, payerName
}

// Participant returns the participant email to use: as given against the real API, or on the
// fake after seeding that participant's EAP sessions billed to Acme Corp.
func (e *CRMEnv) Participant(exampleEmail string) string {
	email, _ := e.EAPSessions(exampleEmail, "Acme Corp")
	return email
}

// Book seeds the fake (once; nothing happens against the real API) with a small ledger for
// the reports: three payers, billings created between December 2025 and March 2026, one
// paid and the others outstanding in every aging bucket as of CRMNow.
func (e *CRMEnv) Book() {
	if e.Fake == nil || e.booked {
		return
	}
	e.booked = true
	ledger := []struct {
		payer, amount, status string
		created, due          *time.Time
		participant           string
		paid                  *time.Time
		billingType           string
	}{
		{"Acme Corp", "250.00", "pending", crmDay(2026, time.March, 20), crmDay(2026, time.April, 15), "jane@acme.com", nil, "consultation"},
		{"Acme Corp", "400.00", "overdue", crmDay(2026, time.February, 1), crmDay(2026, time.February, 15), "john@acme.com", nil, "session"},
		{"Widget Inc", "750.00", "overdue", crmDay(2025, time.December, 1), crmDay(2025, time.December, 31), "ana@widget.com", nil, "session"},
		{"Widget Inc", "300.00", "paid", crmDay(2026, time.January, 15), crmDay(2026, time.January, 30), "ana@widget.com", crmDay(2026, time.January, 20), "session"},
		{"Globex", "180.00", "pending", crmDay(2026, time.March, 5), crmDay(2026, time.March, 20), "omar@globex.example", nil, "consultation"},
		{"Globex", "500.00", "pending", crmDay(2026, time.January, 5), crmDay(2026, time.January, 20), "omar@globex.example", nil, "session"},
	}
	for _, l := range ledger {
		e.add(crmtest.Billing{
			MeetingID: "meeting-" + l.created.Format("20060102"), Amount: must(l.amount),
			PayerName: l.payer, PayerEmail: crmPayerEmail(l.payer), ParticipantEmail: l.participant,
			BillingType: l.billingType, Status: l.status, CreatedAt: *l.created, DueAt: l.due, PaidAt: l.paid,
		})
	}
}

func (e *CRMEnv) add(b crmtest.Billing) {
	_, err := e.Fake.AddBilling(b)
	Check(err)
}

// crmPayerEmail is the billing address of the example payers.
func crmPayerEmail(payer string) string {
	switch payer {
	case "Acme Corp":
		return "billing@acme.com"
	case "Widget Inc":
		return "finance@widget.com"
	case "Globex":
		return "ap@globex.example"
	}
	return "billing@example.com"
}

func crmDay(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 9, 0, 0, 0, time.UTC)
	return &t
}
