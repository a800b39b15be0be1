package epilot

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// ContractStatus is a contract's lifecycle state.
type ContractStatus string

// Documented contract statuses.
const (
	ContractDraft             ContractStatus = "draft"
	ContractInApprovalProcess ContractStatus = "in_approval_process"
	ContractApproved          ContractStatus = "approved"
	ContractActive            ContractStatus = "active"
	ContractDeactivated       ContractStatus = "deactivated"
	ContractRevoked           ContractStatus = "revoked"
	ContractTerminated        ContractStatus = "terminated"
	ContractExpired           ContractStatus = "expired"
)

// IsKnown reports whether s is a documented status.
func (s ContractStatus) IsKnown() bool {
	switch s {
	case ContractDraft, ContractInApprovalProcess, ContractApproved, ContractActive, ContractDeactivated, ContractRevoked, ContractTerminated, ContractExpired:
		return true
	}
	return false
}

// Branch is the utility a contract supplies.
type Branch string

// Documented branches.
const (
	BranchPower           Branch = "power"
	BranchGas             Branch = "gas"
	BranchWater           Branch = "water"
	BranchWasteWater      Branch = "waste_water"
	BranchDistrictHeating Branch = "district_heating"
)

// IsKnown reports whether b is a documented branch.
func (b Branch) IsKnown() bool {
	switch b {
	case BranchPower, BranchGas, BranchWater, BranchWasteWater, BranchDistrictHeating:
		return true
	}
	return false
}

// BillingPeriod is how often a contract is billed.
type BillingPeriod string

// Documented billing periods.
const (
	PeriodWeekly       BillingPeriod = "weekly"
	PeriodMonthly      BillingPeriod = "monthly"
	PeriodEveryQuarter BillingPeriod = "every_quarter"
	PeriodEvery6Months BillingPeriod = "every_6_months"
	PeriodYearly       BillingPeriod = "yearly"
)

// IsKnown reports whether p is a documented period.
func (p BillingPeriod) IsKnown() bool {
	switch p {
	case PeriodWeekly, PeriodMonthly, PeriodEveryQuarter, PeriodEvery6Months, PeriodYearly:
		return true
	}
	return false
}

// DurationUnit is the unit of renewal and notice durations.
type DurationUnit string

// Documented duration units.
const (
	UnitWeeks  DurationUnit = "weeks"
	UnitMonths DurationUnit = "months"
	UnitYears  DurationUnit = "years"
)

// IsKnown reports whether u is a documented unit.
func (u DurationUnit) IsKnown() bool { return u == UnitWeeks || u == UnitMonths || u == UnitYears }

// Contract is an epilot contract entity. Every field is optional; zero values are not sent,
// so the same type serves create, a partial update and the stored result.
type Contract struct {
	polybill.FieldProblems `json:"-"`

	ID        string    `json:"_id,omitempty"`
	Title     string    `json:"_title,omitempty"`
	Org       string    `json:"_org,omitempty"`
	Schema    string    `json:"_schema,omitempty"`
	Tags      []string  `json:"_tags,omitempty"`
	CreatedAt time.Time `json:"_created_at,omitzero"`
	UpdatedAt time.Time `json:"_updated_at,omitzero"`

	Name                string         `json:"contract_name,omitempty"`
	Number              string         `json:"contract_number,omitempty"`
	Status              ContractStatus `json:"status,omitempty"`
	Description         string         `json:"description,omitempty"`
	AccountNumber       string         `json:"account_number,omitempty"`
	Branch              Branch         `json:"branch,omitempty"`
	BillingAddress      string         `json:"billing_address,omitempty"`
	DeliveryAddress     string         `json:"delivery_address,omitempty"`
	AdditionalAddresses string         `json:"additional_addresses,omitempty"`
	TerminationDate     Date           `json:"termination_date,omitzero"`
	TerminationReason   string         `json:"termination_reason,omitempty"`
	BillingPeriod       BillingPeriod  `json:"billing_period,omitempty"`
	// The duration amounts are JSON numbers in the spec (not integers); Decimal keeps any
	// value exactly and the public API free of floats.
	BillingDurationAmount *polybill.Decimal `json:"billing_duration_amount,omitempty"`
	RenewalDurationAmount *polybill.Decimal `json:"renewal_duration_amount,omitempty"`
	RenewalDurationUnit   DurationUnit      `json:"renewal_duration_unit,omitempty"`
	NoticeTimeAmount      *polybill.Decimal `json:"notice_time_amount,omitempty"`
	NoticeTimeUnit        DurationUnit      `json:"notice_time_unit,omitempty"`
	StartDate             Date              `json:"start_date,omitzero"`
	// BillingDueDay is the day of the month installments fall due, 1..31; 0 means "not
	// configured" (a pointer so 0 can be sent).
	BillingDueDay *int `json:"billing_due_day,omitempty"`
	// InstallmentAmount and Balance are minor units of BalanceCurrency. The API gives no
	// decimal twin for contract amounts; use InstallmentMoney and BalanceMoney.
	InstallmentAmount *int64            `json:"installment_amount,omitempty"`
	Balance           *int64            `json:"balance,omitempty"`
	BalanceCurrency   polybill.Currency `json:"balance_currency,omitempty"`
	// Customer links the contract to its customer (contact); ListBillingEvents' ContactID
	// and GetCustomerBalance follow this link. ASSUMPTION: epilot's usual `customer` relation.
	Customer Relation `json:"customer,omitzero"`
	// BillingAccount links the contract to a billing account (ASSUMPTION, as Customer).
	BillingAccount Relation `json:"billing_account,omitzero"`

	// Extra holds properties the SDK does not model (org-specific attributes), as raw JSON.
	Extra map[string]json.RawMessage `json:"-" wire:",extra"`
	raw   json.RawMessage
}

// InstallmentMoney is InstallmentAmount as Money in BalanceCurrency (zero Money when unset).
func (c *Contract) InstallmentMoney() Money {
	if c.InstallmentAmount == nil {
		return Money{}
	}
	return MinorUnits(*c.InstallmentAmount, c.BalanceCurrency)
}

// BalanceMoney is Balance as Money in BalanceCurrency (zero Money when unset).
func (c *Contract) BalanceMoney() Money {
	if c.Balance == nil {
		return Money{}
	}
	return MinorUnits(*c.Balance, c.BalanceCurrency)
}

// Raw returns the JSON the contract was decoded from.
func (c *Contract) Raw() json.RawMessage { return c.raw }

type contractAlias Contract

// contractWire reads the API-set timestamps leniently (see stamp).
type contractWire struct {
	contractAlias
	CreatedAt stamp `json:"_created_at,omitzero"`
	UpdatedAt stamp `json:"_updated_at,omitzero"`
}

// MarshalJSON writes the contract with its Extra properties (see wire.Encode).
func (c Contract) MarshalJSON() ([]byte, error) {
	return wire.Encode(contractWire{contractAlias(c), stamp{timestamp{c.CreatedAt}}, stamp{timestamp{c.UpdatedAt}}})
}

// UnmarshalJSON reads a contract, keeping unknown properties in Extra.
func (c *Contract) UnmarshalJSON(data []byte) error {
	var w contractWire
	if err := wire.Decode(data, &w); err != nil {
		return err
	}
	*c = Contract(w.contractAlias)
	c.CreatedAt, c.UpdatedAt = w.CreatedAt.Time, w.UpdatedAt.Time
	c.raw = bytes.Clone(bytes.Trim(data, " \t\r\n"))
	return nil
}

// validate is the strict writer: documented enums and ranges are checked before sending.
func (c *Contract) validate() error {
	switch {
	case c.Status != "" && !c.Status.IsKnown():
		return transport.InvalidParam(API, "status", "unknown contract status %q", c.Status)
	case c.Branch != "" && !c.Branch.IsKnown():
		return transport.InvalidParam(API, "branch", "unknown branch %q", c.Branch)
	case c.BillingPeriod != "" && !c.BillingPeriod.IsKnown():
		return transport.InvalidParam(API, "billing_period", "unknown billing period %q", c.BillingPeriod)
	case c.RenewalDurationUnit != "" && !c.RenewalDurationUnit.IsKnown():
		return transport.InvalidParam(API, "renewal_duration_unit", "unknown unit %q", c.RenewalDurationUnit)
	case c.NoticeTimeUnit != "" && !c.NoticeTimeUnit.IsKnown():
		return transport.InvalidParam(API, "notice_time_unit", "unknown unit %q", c.NoticeTimeUnit)
	case c.BillingDueDay != nil && (*c.BillingDueDay < 0 || *c.BillingDueDay > 31):
		return transport.InvalidParam(API, "billing_due_day", "must be 0..31, got %d", *c.BillingDueDay)
	case c.BalanceCurrency != "" && !c.BalanceCurrency.Valid():
		return transport.InvalidParam(API, "balance_currency", "%q is not an ISO 4217 code", c.BalanceCurrency)
	}
	for name, d := range map[string]*polybill.Decimal{
		"billing_duration_amount": c.BillingDurationAmount,
		"renewal_duration_amount": c.RenewalDurationAmount,
		"notice_time_amount":      c.NoticeTimeAmount,
	} {
		if d != nil && d.Sign() < 0 {
			return transport.InvalidParam(API, name, "must not be negative, got %s", d)
		}
	}
	return nil
}

// body is the request body of a create or update: c without the fields the API sets itself
// (_id, _org, timestamps), its Extra properties byte for byte, and the durations as the JSON
// numbers the spec types them as (a Decimal read from a string would go back as one).
func (c Contract) body() ([]byte, error) {
	c.ID, c.Org, c.CreatedAt, c.UpdatedAt = "", "", time.Time{}, time.Time{}
	for _, d := range []**polybill.Decimal{&c.BillingDurationAmount, &c.RenewalDurationAmount, &c.NoticeTimeAmount} {
		if *d != nil {
			u := (*d).Unquoted()
			*d = &u
		}
	}
	b, err := c.MarshalJSON()
	if err != nil {
		return nil, transport.InvalidParam(API, "extra", "%v", err)
	}
	return b, nil
}

// CreateContract creates a contract and returns the stored one (with _id, _title, _org and
// timestamps). A create is not repeated after an ambiguous failure: the API has no way to
// tell whether it landed.
func (c *Client) CreateContract(ctx context.Context, contract Contract, opts ...polybill.RequestOption) (*Contract, error) {
	if err := contract.validate(); err != nil {
		return nil, err
	}
	body, err := contract.body()
	if err != nil {
		return nil, err
	}
	var out Contract
	err = c.tc.Do(ctx, transport.Call{Method: http.MethodPost, Op: transport.Op("createContractEntity", "/v1/billing/contracts"), Body: body, Safety: transport.UnsafeWrite}, transport.DecodeFunc(out.UnmarshalJSON), opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateContract changes the fields set in patch (zero fields are not sent) and returns the
// updated contract. Setting InstallmentAmount records an installment_amount_changed row in
// the configuration history.
func (c *Client) UpdateContract(ctx context.Context, id string, patch Contract, opts ...polybill.RequestOption) (*Contract, error) {
	if id == "" {
		return nil, transport.InvalidParam(API, "id", "is required")
	}
	if err := patch.validate(); err != nil {
		return nil, err
	}
	body, err := patch.body()
	if err != nil {
		return nil, err
	}
	var out Contract
	// Same fields to the same values: idempotent in effect, so retried like a PUT.
	err = c.tc.Do(ctx, transport.Call{Method: http.MethodPatch, Op: transport.Op("updateContractEntity", "/v1/billing/contracts/{id}"), Params: []string{id}, Body: body, Safety: transport.Idempotent}, transport.DecodeFunc(out.UnmarshalJSON), opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteContract deletes a contract. The legacy API answered 204 with the deleted contract
// as body; the current one sends no body. Either is accepted and discarded.
//
// A retried delete whose retry finds nothing (404) succeeded: the first attempt deleted the
// record and its answer was lost. It returns nil, not ErrNotFound; a 404 on the first
// attempt is ErrNotFound.
func (c *Client) DeleteContract(ctx context.Context, id string, opts ...polybill.RequestOption) error {
	if id == "" {
		return transport.InvalidParam(API, "id", "is required")
	}
	return c.tc.Do(ctx, transport.Call{Method: http.MethodDelete, Op: transport.Op("deleteContractEntity", "/v1/billing/contracts/{id}"), Params: []string{id}}, nil, opts...)
}
