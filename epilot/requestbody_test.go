package epilot_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/internal/fake"
	"github.com/polybill/polybill-go/internal/spectest"
)

// raw is an org's property as the API stored it: spaces, a <, a long decimal. It must go back
// byte for byte at every level, only the blanks around a value trimmed (the old path re-encoded nested relations and whole contracts
// through encoding/json, which compacted them and escaped <).
const raw = `{ "sap" : "<4711>", "n": 1.000000000000000000001 }`

func orgRelation(id string) epilot.Relation {
	r := epilot.Link(id)
	r.Extra = map[string]json.RawMessage{"z_note": json.RawMessage(raw)}
	r.Items[0].Extra = map[string]json.RawMessage{"role": json.RawMessage(` "payer" `)}
	return r
}

// The exact bytes each write sends (one encoder, internal/wire.Encode): typed fields in
// declaration order, then Extra's keys sorted, each value verbatim; a key the SDK models is
// never taken from Extra.
func TestRequestBodies(t *testing.T) {
	ctx := context.Background()
	var b fake.Bodies
	e := newEnv(t, polybill.WithMiddleware(b.Middleware))
	note := "<b>"

	_, err := e.client.CreateBillingEvent(ctx, &epilot.InstallmentEvent{EventFields: epilot.EventFields{
		ID:           "ignored-on-create",
		Amount:       epilot.MinorUnits(2500, "EUR"),
		BookingDate:  polybill.NewDate(2025, 6, 1),
		DueDate:      polybill.NewDate(2025, 6, 30),
		Contract:     orgRelation("contract-1"),
		ExternalID:   "erp-1",
		ExternalLink: &epilot.ExternalLink{Href: "https://erp.example/1", Title: "ERP"},
		Note:         note,
		Extra:        map[string]json.RawMessage{"x_org": json.RawMessage(raw), "billing_amount": json.RawMessage(`1`)},
	}})
	require.NoError(t, err)
	assert.Equal(t, `{"type":"installment","billing_amount":2500,"billing_amount_decimal":"25.00","billing_currency":"EUR",`+
		`"booking_date":"2025-06-01","due_date":"2025-06-30",`+
		`"contract":{"$relation":[{"entity_id":"contract-1","role":"payer"}],"z_note":`+raw+`},`+
		`"external_id":"erp-1","note":"\u003cb\u003e",`+
		`"external_link":{"href":"https://erp.example/1","url":"https://erp.example/1","title":"ERP"},"x_org":`+raw+`}`, b.Last())

	_, err = e.client.UpdateBillingEvent(ctx, "ev-1", epilot.BillingEventUpdate{
		Status: epilot.EventStatusOpen, Attachments: orgRelation("file-1"), Note: &note,
		Extra: map[string]json.RawMessage{"x_org": json.RawMessage(raw), "note": json.RawMessage(`"lost"`)},
	})
	require.Error(t, err, "no such event; the body was sent all the same")
	assert.Equal(t, `{"status":"open","attachments":{"$relation":[{"entity_id":"file-1","role":"payer"}],"z_note":`+raw+`},`+
		`"note":"\u003cb\u003e","x_org":`+raw+`}`, b.Last())

	created, err := e.client.CreateContract(ctx, epilot.Contract{
		ID: "ignored", Name: "Grid <1>", Status: epilot.ContractActive, BillingDueDay: epilot.Ptr(0),
		NoticeTimeAmount: decimalPtr("1.50"), StartDate: polybill.NewDate(2025, 1, 1),
		Customer: orgRelation("cust-1"),
		Extra:    map[string]json.RawMessage{"meter_point": json.RawMessage(raw), "status": json.RawMessage(`"lost"`)},
	})
	require.NoError(t, err)
	assert.Equal(t, `{"contract_name":"Grid \u003c1\u003e","status":"active","notice_time_amount":1.50,"start_date":"2025-01-01",`+
		`"billing_due_day":0,"customer":{"$relation":[{"entity_id":"cust-1","role":"payer"}],"z_note":`+raw+`},"meter_point":`+raw+`}`, b.Last())

	_, err = e.client.UpdateContract(ctx, created.ID, epilot.Contract{Status: epilot.ContractTerminated, Extra: map[string]json.RawMessage{"meter_point": json.RawMessage(raw)}})
	require.NoError(t, err)
	assert.Equal(t, `{"status":"terminated","meter_point":`+raw+`}`, b.Last())
}

// A contract read back from a server that sent a duration as a string ("1.5") goes out with
// the JSON number the spec types it as: the strict writer, not the value's read form.
func TestContractDurationsGoOutAsNumbers(t *testing.T) {
	var b fake.Bodies
	e := newEnv(t, polybill.WithMiddleware(b.Middleware))
	q := func(s string) *polybill.Decimal { d := polybill.MustDecimal(s).Quoted(); return &d }
	_, err := e.client.CreateContract(context.Background(), epilot.Contract{
		Name: "c", BillingDurationAmount: q("12"), RenewalDurationAmount: q("1"), NoticeTimeAmount: q("1.50"),
	})
	require.NoError(t, err)
	assert.Equal(t, `{"contract_name":"c","billing_duration_amount":12,"renewal_duration_amount":1,"notice_time_amount":1.50}`, b.Last())
}

// IsKnown accepts exactly the spec's enums: the constants are held to openapi/epilot.yaml.
func TestEnumsMatchSpec(t *testing.T) {
	spec := spectest.Load(t, "../openapi/epilot.yaml")
	spectest.CheckEnum(t, spec, "ContractStatus", epilot.ContractDraft, epilot.ContractInApprovalProcess, epilot.ContractApproved, epilot.ContractActive, epilot.ContractDeactivated, epilot.ContractRevoked, epilot.ContractTerminated, epilot.ContractExpired)
	spectest.CheckEnum(t, spec, "Branch", epilot.BranchPower, epilot.BranchGas, epilot.BranchWater, epilot.BranchWasteWater, epilot.BranchDistrictHeating)
	spectest.CheckEnum(t, spec, "BillingPeriod", epilot.PeriodWeekly, epilot.PeriodMonthly, epilot.PeriodEveryQuarter, epilot.PeriodEvery6Months, epilot.PeriodYearly)
	spectest.CheckEnum(t, spec, "DurationUnit", epilot.UnitWeeks, epilot.UnitMonths, epilot.UnitYears)
	spectest.CheckEnum(t, spec, "ConfigurationChangeType", epilot.ChangeInstallmentAmount, epilot.ChangeContractPricing)
	sources := []epilot.ChangeSource{epilot.SourcePortal, epilot.SourceEpilot, epilot.SourceERP, epilot.SourceSystem, epilot.SourceAPI, epilot.SourceExternal, epilot.SourceJourney, epilot.SourceAutomation, epilot.SourceUnknown}
	spectest.CheckEnum(t, spec, "ConfigurationHistoryRowBase.source", sources...)
	spectest.CheckEnum(t, spec, "EventDirection", epilot.DirectionDebit, epilot.DirectionCredit)
	spectest.CheckEnum(t, spec, "EventStatus", epilot.EventStatusOpen, epilot.EventStatusClosed)
	spectest.CheckEnum(t, spec, "getBillingEvents?event_type", epilot.KindInstallment, epilot.KindReimbursement)
	for _, s := range sources {
		assert.True(t, s.IsKnown(), s)
	}
	for _, known := range []interface{ IsKnown() bool }{epilot.ContractExpired, epilot.BranchGas, epilot.PeriodYearly, epilot.UnitYears, epilot.ChangeContractPricing, epilot.DirectionCredit, epilot.EventStatusOpen} {
		assert.True(t, known.IsKnown(), known)
	}
	for _, unknown := range []interface{ IsKnown() bool }{epilot.ContractStatus("x"), epilot.Branch("x"), epilot.BillingPeriod("x"), epilot.DurationUnit("x"), epilot.ChangeType("x"), epilot.ChangeSource("x")} {
		assert.False(t, unknown.IsKnown(), unknown)
	}
}
