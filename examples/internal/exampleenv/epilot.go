package exampleenv

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// EpilotNow is the fake's clock in the epilot examples (the moment of the spec's create
// example), so the _updated_at stamps an example prints are the same on every run.
var EpilotNow = time.Date(2025, time.June, 18, 14, 0, 1, 0, time.UTC)

// The ids of the spec's examples: the Grid Contract, its installment, the customer (contact)
// and the billing account the contract belongs to.
const (
	epilotContractID = "f589786b-3024-43cd-9cb3-5a3c953f2896"
	epilotEventID    = "5da0a718-c822-403d-9f5d-20d4584e0528"
	epilotExternalID = "SAP-4711"
	epilotContactID  = "9a3e2c71-6f0b-4c1e-8d2a-8c1f0f6e5b11"
	epilotAccountID  = "2b4d6f80-1a3c-4e5f-8091-a2b3c4d5e6f7"
	epilotBonusID    = "3f6c1a2e-8b4d-4e7f-9a10-5c2d7e8f9b31"
)

// EpilotEnv is the epilot Billing API client of an example, and the fake behind it when not live.
type EpilotEnv struct {
	Client *epilot.Client
	// Fake is nil when talking to the real API.
	Fake *epilottest.Server

	contracts map[string]bool // seeded contract ids
	history   map[string]bool // contract ids with seeded history rows
}

var epilotVendor = register(vendor{
	api: "epilot", urlVar: epilot.EnvAPIURL, defaultURL: epilot.DefaultBaseURL,
	required: []string{epilot.EnvToken},
	vars:     []string{epilot.EnvAPIURL, epilot.EnvToken},
})

// Epilot connects to epilottest, with its clock stopped at EpilotNow, or with -live to epilot
// (EPILOT_TOKEN; EPILOT_API_URL defaults to the production endpoint).
func Epilot(ctx context.Context) (*EpilotEnv, error) {
	if epilotVendor.isLive() {
		if err := epilotVendor.goLive(); err != nil {
			return nil, err
		}
		c, err := epilot.NewFromEnv()
		if err != nil {
			return nil, epilotVendor.liveError(err)
		}
		return &EpilotEnv{Client: c}, nil
	}
	f := epilottest.New(epilottest.WithClock(epilottest.NewManualClock(EpilotNow)))
	epilotVendor.announceFake(f.URL())
	c, err := epilot.New(f.ClientOptions()...)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &EpilotEnv{Client: c, Fake: f, contracts: map[string]bool{}, history: map[string]bool{}}, nil
}

// Close stops the fake, if any.
func (e *EpilotEnv) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}

// Contract returns the contract id to use: the spec's example id against the real API, or on
// the fake the spec's monthly Grid Contract (power, 100.50 EUR installments due on the 15th)
// with that id, for the example customer and billing account, and its ledger: the June
// installment of 100.50 EUR (open, external id SAP-4711) and a 10.60 EUR bonus, so the
// balance is the spec's 89.90 EUR.
func (e *EpilotEnv) Contract(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	e.addContract(exampleID, epilotContactID, epilotAccountID)
	return exampleID
}

// Event returns the billing event id to use: the spec's example id against the real API, or
// on the fake the id of the seeded June installment of the example contract.
func (e *EpilotEnv) Event(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	e.Contract(epilotContractID)
	if exampleID != epilotEventID {
		e.addInstallment(exampleID, epilotContractID, "")
	}
	return exampleID
}

// ExternalEvent returns the external id to look up: as given against the real API, or on the
// fake after seeding an installment of the example contract with that external id.
func (e *EpilotEnv) ExternalEvent(exampleExternalID string) string {
	if e.Fake == nil {
		return exampleExternalID
	}
	e.Contract(epilotContractID)
	if exampleExternalID != epilotExternalID {
		e.addInstallment("", epilotContractID, exampleExternalID)
	}
	return exampleExternalID
}

// Customer returns the customer (contact) id to use: as given against the real API, or on the
// fake after seeding a contract of that customer with its ledger (see Contract).
func (e *EpilotEnv) Customer(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	if exampleID == epilotContactID {
		e.Contract(epilotContractID)
	} else {
		e.addContract("", exampleID, epilotAccountID)
	}
	return exampleID
}

// BillingAccount returns the billing account id to use: as given against the real API, or on
// the fake after seeding a contract of that account with its ledger (see Contract).
func (e *EpilotEnv) BillingAccount(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	if exampleID == epilotAccountID {
		e.Contract(epilotContractID)
	} else {
		e.addContract("", epilotContactID, exampleID)
	}
	return exampleID
}

// ContractHistory is Contract with the spec's two configuration history rows on the fake:
// the installment raised from 100.50 to 120.00 EUR in the portal on 1 March 2025, and the
// working price lowered from 0.3120 to 0.2980 EUR/kWh by the ERP on 1 April 2025. (The API
// cannot write history rows; they come from changes in epilot's back office or ERP.)
func (e *EpilotEnv) ContractHistory(exampleID string) string {
	id := e.Contract(exampleID)
	if e.Fake != nil {
		e.addHistory(id)
	}
	return id
}

// AccountHistory is BillingAccount with the history rows of ContractHistory on the account's
// contract.
func (e *EpilotEnv) AccountHistory(exampleID string) string {
	if e.Fake == nil {
		return exampleID
	}
	contractID := epilotContractID
	if exampleID != epilotAccountID {
		contractID = e.addContract("", epilotContactID, exampleID)
	} else {
		e.Contract(contractID)
	}
	e.addHistory(contractID)
	return exampleID
}

// EpilotIDs decodes a JSON array of strings, the form an array-valued parameter example takes
// in a generated program (the generator renders it as a JSON string).
func EpilotIDs(jsonArray string) []string {
	var ids []string
	Check(json.Unmarshal([]byte(jsonArray), &ids))
	return ids
}

// EpilotChangeTypes splits a comma-separated history_change_types value, the form the
// spec's example takes, into the SDK's change types.
func EpilotChangeTypes(csv string) []epilot.ChangeType {
	var types []epilot.ChangeType
	for _, t := range strings.Split(csv, ",") {
		if t = strings.TrimSpace(t); t != "" {
			types = append(types, epilot.ChangeType(t))
		}
	}
	return types
}

// addContract stores the Grid Contract (with id, or a fake-assigned one when id is empty) for
// the customer and billing account, with its ledger, once per id, and returns its id.
func (e *EpilotEnv) addContract(id, customer, account string) string {
	if id != "" && e.contracts[id] {
		return id
	}
	c := map[string]any{
		"_title": "Grid Contract", "_created_at": "2025-01-01T08:00:00Z",
		"contract_name": "Grid Contract", "contract_number": "12345", "status": "active", "branch": "power",
		"billing_period": "monthly", "billing_due_day": 15, "installment_amount": 10050, "balance_currency": "EUR",
		"start_date":      "2025-01-01",
		"customer":        epilotLink(customer),
		"billing_account": epilotLink(account),
	}
	if id != "" {
		c["_id"] = id
	}
	id = Must(e.Fake.AddContract(epilotRaw(c)))
	e.contracts[id] = true
	eventID, externalID, bonusID := "", "SAP-4711-"+id[:8], ""
	if id == epilotContractID {
		eventID, externalID, bonusID = epilotEventID, epilotExternalID, epilotBonusID
	}
	e.addInstallment(eventID, id, externalID)
	bonus := map[string]any{
		"type": "bonus", "billing_amount": 1060, "billing_amount_decimal": "10.60", "billing_currency": "EUR",
		"booking_date": "2025-05-15", "direction": "credit", "status": "closed", "note": "Neukundenbonus",
		"_created_at": "2025-05-15T10:00:00Z", "contract": epilotLink(id),
	}
	if bonusID != "" {
		bonus["_id"] = bonusID
	}
	Must(e.Fake.AddEvent(epilotRaw(bonus)))
	return id
}

// addInstallment stores the June installment of 100.50 EUR (open) on the contract.
func (e *EpilotEnv) addInstallment(id, contractID, externalID string) {
	ev := map[string]any{
		"type": "installment", "billing_amount": 10050, "billing_amount_decimal": "100.50", "billing_currency": "EUR",
		"booking_date": "2025-06-01", "due_date": "2025-06-15", "direction": "debit", "status": "open",
		"_created_at": "2025-06-01T10:00:00Z", "contract": epilotLink(contractID),
	}
	if id != "" {
		ev["_id"] = id
	}
	if externalID != "" {
		ev["external_id"] = externalID
	}
	Must(e.Fake.AddEvent(epilotRaw(ev)))
}

// addHistory stores the spec's two history rows on the contract, once.
func (e *EpilotEnv) addHistory(contractID string) {
	if e.history[contractID] {
		return
	}
	e.history[contractID] = true
	rows := []map[string]any{
		{
			"event_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "org_id": "739224", "entity_type": "contract",
			"entity_id": contractID, "change_type": "installment_amount_changed", "schema_version": 1,
			"changed_at": "2025-03-01T08:00:00Z", "created_at": "2025-03-01T08:00:01Z", "source": "portal",
			"previous_value": map[string]any{"amount": 10050, "amount_decimal": "100.50", "currency": "EUR"},
			"new_value":      map[string]any{"amount": 12000, "amount_decimal": "120.00", "currency": "EUR"},
		},
		{
			"event_id": "8d2e3f4a-5b6c-4d7e-9f0a-1b2c3d4e5f60", "org_id": "739224", "entity_type": "contract",
			"entity_id": contractID, "change_type": "contract_pricing_changed", "schema_version": 1,
			"changed_at": "2025-04-01T00:00:00Z", "created_at": "2025-04-01T00:00:02Z", "source": "erp",
			"changed_fields": []string{"working_price"},
			"previous_context": map[string]any{"working_price": map[string]any{
				"price_id": "p-1", "unit_amount_gross_decimal": "0.3120", "currency": "EUR", "unit": "kwh"}},
			"new_context": map[string]any{"working_price": map[string]any{
				"price_id": "p-2", "unit_amount_gross_decimal": "0.2980", "currency": "EUR", "unit": "kwh"}},
		},
	}
	for _, r := range rows {
		Check(e.Fake.AddHistoryRow(epilotRaw(r)))
	}
}

// link is epilot's relation {"$relation": [{"entity_id": id}]}.
func epilotLink(id string) map[string]any {
	return map[string]any{"$relation": []map[string]string{{"entity_id": id}}}
}

func epilotRaw(v any) json.RawMessage { return Must(json.Marshal(v)) }
