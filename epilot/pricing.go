package epilot

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/paging"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// ChangeType is the kind of a configuration history row.
type ChangeType string

// Documented change types.
const (
	ChangeInstallmentAmount ChangeType = "installment_amount_changed"
	ChangeContractPricing   ChangeType = "contract_pricing_changed"
)

// IsKnown reports whether t is a documented change type.
func (t ChangeType) IsKnown() bool { return t == ChangeInstallmentAmount || t == ChangeContractPricing }

// ChangeSource says where a configuration change came from.
type ChangeSource string

// Documented change sources.
const (
	SourcePortal     ChangeSource = "portal"
	SourceEpilot     ChangeSource = "epilot"
	SourceERP        ChangeSource = "erp"
	SourceSystem     ChangeSource = "system"
	SourceAPI        ChangeSource = "api"
	SourceExternal   ChangeSource = "external"
	SourceJourney    ChangeSource = "journey"
	SourceAutomation ChangeSource = "automation"
	SourceUnknown    ChangeSource = "unknown"
)

// IsKnown reports whether s is a documented source.
func (s ChangeSource) IsKnown() bool {
	switch s {
	case SourcePortal, SourceEpilot, SourceERP, SourceSystem, SourceAPI, SourceExternal, SourceJourney, SourceAutomation, SourceUnknown:
		return true
	}
	return false
}

// PricingContext is the pricing a history row or pricing information refers to.
type PricingContext struct {
	BasePrice     *PriceContext  `json:"base_price,omitempty"`
	BasePrices    []PriceContext `json:"base_prices,omitempty"`
	WorkingPrice  *PriceContext  `json:"working_price,omitempty"`
	WorkingPrices []PriceContext `json:"working_prices,omitempty"`
	// Tariff and Tariffs are set on contract_pricing_changed contexts only.
	Tariff  *Tariff  `json:"tariff,omitempty"`
	Tariffs []Tariff `json:"tariffs,omitempty"`
}

// Tariff names the product of a contract's pricing.
type Tariff struct {
	ProductID    string `json:"product_id,omitempty"`
	ProductTitle string `json:"product_title,omitempty"`
}

// PriceContext is one price. Unit amounts are decimal strings only (no minor units): unit
// prices have more digits than the currency ("0.3120" EUR per kWh).
type PriceContext struct {
	PriceID                       string            `json:"price_id,omitempty"`
	PriceTitle                    string            `json:"price_title,omitempty"`
	TariffType                    string            `json:"tariff_type,omitempty"`
	PricingModel                  string            `json:"pricing_model,omitempty"`
	UnitAmountGross               *polybill.Decimal `json:"unit_amount_gross_decimal,omitempty"`
	UnitAmountNet                 *polybill.Decimal `json:"unit_amount_net_decimal,omitempty"`
	BeforeDiscountUnitAmountGross *polybill.Decimal `json:"before_discount_unit_amount_gross_decimal,omitempty"`
	BeforeDiscountUnitAmountNet   *polybill.Decimal `json:"before_discount_unit_amount_net_decimal,omitempty"`
	UnitDiscountAmount            *polybill.Decimal `json:"unit_discount_amount_decimal,omitempty"`
	UnitDiscountAmountNet         *polybill.Decimal `json:"unit_discount_amount_net_decimal,omitempty"`
	Currency                      polybill.Currency `json:"currency,omitempty"`
	BillingPeriod                 string            `json:"billing_period,omitempty"`
	Unit                          string            `json:"unit,omitempty"`
	HasDiscount                   bool              `json:"has_discount,omitempty"`
	IsDynamicTariff               bool              `json:"is_dynamic_tariff,omitempty"`
	DynamicTariff                 *DynamicTariff    `json:"dynamic_tariff,omitempty"`
}

// DynamicTariff describes a market-price-based tariff.
type DynamicTariff struct {
	Mode                string            `json:"mode,omitempty"`
	Interval            string            `json:"interval,omitempty"`
	AveragePrice        *polybill.Decimal `json:"average_price_decimal,omitempty"`
	MarkupAmount        *polybill.Decimal `json:"markup_amount_decimal,omitempty"`
	MarkupAmountNet     *polybill.Decimal `json:"markup_amount_net_decimal,omitempty"`
	MarkupAmountGross   *polybill.Decimal `json:"markup_amount_gross_decimal,omitempty"`
	MarketPrice         *polybill.Decimal `json:"market_price_decimal,omitempty"`
	MarketPriceCurrency polybill.Currency `json:"market_price_currency,omitempty"`
	Market              string            `json:"market,omitempty"`
	BiddingZone         string            `json:"bidding_zone,omitempty"`
	// Timestamp is a plain string in the spec (no format), kept as sent.
	Timestamp string `json:"timestamp,omitempty"`
}

// HistoryRow is one configuration change. ChangeType says which fields are set:
// installment_amount_changed rows have PreviousValue (nil for the first value), NewValue and
// Context; contract_pricing_changed rows have PreviousContext, NewContext, ChangedFields and
// possibly InstallmentAmount. A row of a change type this SDK does not know decodes with
// the common fields and its JSON in Raw(). A value that cannot be read (an amount_decimal of
// "", a bad date) leaves its field zero and is listed by Problems; the row is still returned.
type HistoryRow struct {
	EventID         string       `json:"event_id"`
	OrgID           string       `json:"org_id"`
	EntityType      string       `json:"entity_type"`
	EntityID        string       `json:"entity_id"`
	ChangeType      ChangeType   `json:"change_type"`
	SchemaVersion   int          `json:"schema_version"`
	ChangedAt       time.Time    `json:"changed_at"`
	EffectiveAt     time.Time    `json:"effective_at,omitzero"`
	CreatedAt       time.Time    `json:"created_at"`
	Source          ChangeSource `json:"source"`
	SourceLabel     string       `json:"source_label,omitempty"`
	SourceSystem    string       `json:"source_system,omitempty"`
	SourceReference string       `json:"source_reference,omitempty"`

	PreviousValue *Money          `json:"previous_value,omitempty"`
	NewValue      *Money          `json:"new_value,omitempty"`
	Context       *PricingContext `json:"context,omitempty"`

	PreviousContext   *PricingContext `json:"previous_context,omitempty"`
	NewContext        *PricingContext `json:"new_context,omitempty"`
	ChangedFields     []string        `json:"changed_fields,omitempty"`
	InstallmentAmount *Money          `json:"installment_amount,omitempty"`

	problems polybill.FieldProblems
	raw      json.RawMessage
}

// Raw returns the JSON the row was decoded from.
func (r *HistoryRow) Raw() json.RawMessage { return r.raw }

// Problems lists the values of the row that could not be read into their fields, with their
// paths relative to the row and their raw values; nil when there are none.
func (r *HistoryRow) Problems() []polybill.FieldProblem { return r.problems }

type historyRowFields HistoryRow

// historyRowWire reads a row's fields (named by their json tags) and keeps its JSON and
// problems, which HistoryRow holds unexported so that Raw stays a method as on every epilot
// record.
type historyRowWire struct {
	polybill.FieldProblems
	Raw json.RawMessage `wire:",raw"`
	historyRowFields
}

// UnmarshalJSON reads a row with the SDK's one reader and keeps its JSON.
func (r *HistoryRow) UnmarshalJSON(data []byte) error {
	var w historyRowWire
	if err := wire.Decode(data, &w); err != nil {
		return err
	}
	*r = HistoryRow(w.historyRowFields)
	r.problems, r.raw = w.FieldProblems, w.Raw
	return nil
}

type (
	contractPricingWire       ContractPricingInformation
	billingAccountPricingWire BillingAccountPricingInformation
)

// UnmarshalJSON reads the pricing information with the SDK's one reader (see the package doc).
func (p *ContractPricingInformation) UnmarshalJSON(data []byte) error {
	*p = ContractPricingInformation{}
	return wire.Decode(data, (*contractPricingWire)(p))
}

// UnmarshalJSON reads the pricing information with the SDK's one reader (see the package doc).
func (p *BillingAccountPricingInformation) UnmarshalJSON(data []byte) error {
	*p = BillingAccountPricingInformation{}
	return wire.Decode(data, (*billingAccountPricingWire)(p))
}

// PricingSchedule is how a contract's installments are scheduled.
type PricingSchedule struct {
	// Inferred is true when the schedule was derived from past events, not configured.
	Inferred bool `json:"inferred"`
	// BillingDueDay is 1..31, or 0 when there is no fixed day.
	BillingDueDay       int           `json:"billing_due_day,omitempty"`
	BillingPeriod       BillingPeriod `json:"billing_period,omitempty"`
	InstallmentsPerYear int           `json:"installments_per_year,omitempty"`
}

// ContractPricingInformation is a contract's current pricing.
type ContractPricingInformation struct {
	// FieldProblems lists the values that could not be read (an amount_decimal of "", a
	// unit price that is not a number), with their paths: the rest is still returned. A
	// history row's own problems are on the row.
	polybill.FieldProblems `json:"-"`

	EntityType               string           `json:"entity_type"`
	EntityID                 string           `json:"entity_id"`
	Title                    string           `json:"title,omitempty"`
	CurrentInstallmentAmount *Money           `json:"current_installment_amount,omitempty"`
	Context                  *PricingContext  `json:"context,omitempty"`
	Balance                  *Money           `json:"balance,omitempty"`
	Schedule                 *PricingSchedule `json:"schedule,omitempty"`
	PendingInstallmentChange bool             `json:"pending_installment_change,omitempty"`
	History                  []HistoryRow     `json:"history"`
}

// BillingAccountPricingInformation is the pricing of every contract of a billing account.
type BillingAccountPricingInformation struct {
	// FieldProblems: see ContractPricingInformation; each contract lists its own.
	polybill.FieldProblems `json:"-"`

	EntityType string                       `json:"entity_type"`
	EntityID   string                       `json:"entity_id"`
	Title      string                       `json:"title,omitempty"`
	Balance    *Money                       `json:"balance,omitempty"`
	Contracts  []ContractPricingInformation `json:"contracts"`
}

// PricingInformationParams tunes the pricing information calls; a nil
// *PricingInformationParams means the defaults.
type PricingInformationParams struct {
	// HistoryChangeTypes selects the embedded history; the API returns installment history
	// when it is empty.
	HistoryChangeTypes []ChangeType
	// ExcludeHistory leaves the history out (include_history=false), e.g. when the history
	// endpoint is called as well.
	ExcludeHistory bool
}

func changeTypesCSV(types []ChangeType) (string, error) {
	parts := make([]string, 0, len(types))
	for _, t := range types {
		if !t.IsKnown() {
			return "", transport.InvalidParam(API, "history_change_types", "unknown change type %q", t)
		}
		parts = append(parts, string(t))
	}
	return strings.Join(parts, ","), nil
}

func (p *PricingInformationParams) query() (url.Values, error) {
	q := url.Values{}
	if p == nil {
		return q, nil
	}
	csv, err := changeTypesCSV(p.HistoryChangeTypes)
	if err != nil {
		return nil, err
	}
	if csv != "" {
		q.Set("history_change_types", csv)
	}
	if p.ExcludeHistory {
		q.Set("include_history", "false")
	}
	return q, nil
}

// GetContractPricingInformation returns the current installment amount, balance, schedule
// and history of a contract. A nil params means the defaults.
func (c *Client) GetContractPricingInformation(ctx context.Context, contractID string, params *PricingInformationParams, opts ...polybill.RequestOption) (*ContractPricingInformation, error) {
	if contractID == "" {
		return nil, transport.InvalidParam(API, "id", "is required")
	}
	q, err := params.query()
	if err != nil {
		return nil, err
	}
	var out ContractPricingInformation
	err = c.tc.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getContractPricingInformation", "/v1/billing/contracts/{id}/pricing_information"), Params: []string{contractID}, Query: q}, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetBillingAccountPricingInformation returns the pricing information of every contract of
// a billing account. A nil params means the defaults.
func (c *Client) GetBillingAccountPricingInformation(ctx context.Context, accountID string, params *PricingInformationParams, opts ...polybill.RequestOption) (*BillingAccountPricingInformation, error) {
	if accountID == "" {
		return nil, transport.InvalidParam(API, "id", "is required")
	}
	q, err := params.query()
	if err != nil {
		return nil, err
	}
	var out BillingAccountPricingInformation
	err = c.tc.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getBillingAccountPricingInformation", "/v1/billing/billing_accounts/{id}/pricing_information"), Params: []string{accountID}, Query: q}, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// MaxHistoryPageSize is the largest `size` the history endpoints accept.
const MaxHistoryPageSize = 100

// ConfigurationHistoryParams filters and pages a configuration history; a nil
// *ConfigurationHistoryParams means the defaults.
type ConfigurationHistoryParams struct {
	// From is the 0-based offset of the first row (the API's `from`; must be >= 0). The list
	// methods start there, the page methods fetch the page there; set it to Page.Next to ask
	// for the next page.
	From int
	// ChangeType selects one kind of history; the API defaults to installment_amount_changed.
	ChangeType ChangeType
	// HistoryChangeTypes selects several kinds (sent comma-separated).
	HistoryChangeTypes []ChangeType
	// Size is the page size, 1..100; 0 leaves the server default (25).
	Size int
}

func (p ConfigurationHistoryParams) query(from int) (url.Values, error) {
	if from < 0 {
		return nil, transport.InvalidParam(API, "from", "must be >= 0, got %d", from)
	}
	if p.Size < 0 || p.Size > MaxHistoryPageSize {
		return nil, transport.InvalidParam(API, "size", "must be 1..%d (or 0 for the server default), got %d", MaxHistoryPageSize, p.Size)
	}
	if p.ChangeType != "" && !p.ChangeType.IsKnown() {
		return nil, transport.InvalidParam(API, "change_type", "unknown change type %q", p.ChangeType)
	}
	csv, err := changeTypesCSV(p.HistoryChangeTypes)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if p.ChangeType != "" {
		q.Set("change_type", string(p.ChangeType))
	}
	if csv != "" {
		q.Set("history_change_types", csv)
	}
	if from > 0 {
		q.Set("from", strconv.Itoa(from))
	}
	if p.Size > 0 {
		q.Set("size", strconv.Itoa(p.Size))
	}
	return q, nil
}

type historyResponse struct {
	Total   *int         `wire:"total"`
	History []HistoryRow `wire:"history"`
}

// DecodeBody reads a history page, as the transport hands it over, with the SDK's one reader.
func (r *historyResponse) DecodeBody(body []byte) error { return wire.Decode(body, r) }

func (c *Client) historyPage(ctx context.Context, op polybill.Operation, id string, p ConfigurationHistoryParams, from int, opts []polybill.RequestOption) (*polybill.Page[HistoryRow], error) {
	q, err := p.query(from)
	if err != nil {
		return nil, err
	}
	var out historyResponse
	if err := c.tc.Do(ctx, transport.Call{Method: http.MethodGet, Op: op, Params: []string{id}, Query: q}, &out, opts...); err != nil {
		return nil, err
	}
	page := &polybill.Page[HistoryRow]{Items: out.History, Total: -1, Next: from + len(out.History)}
	if page.Items == nil {
		page.Items = []HistoryRow{}
	}
	if out.Total != nil {
		page.Total = *out.Total
		page.HasMore = len(page.Items) > 0 && page.Next < page.Total
	} else {
		page.HasMore = len(page.Items) > 0 && (p.Size == 0 || len(page.Items) >= p.Size)
	}
	return page, nil
}

// historyParams copies *params (the zero value for nil), its slice too, so the caller's
// struct is never changed and later changes to it do not affect a sequence already returned.
func historyParams(params *ConfigurationHistoryParams) ConfigurationHistoryParams {
	if params == nil {
		return ConfigurationHistoryParams{}
	}
	p := *params
	p.HistoryChangeTypes = slices.Clone(p.HistoryChangeTypes)
	return p
}

// ListContractConfigurationHistoryPage returns one page of a contract's configuration
// history, newest first, starting at offset params.From (nil params: the first page with the
// defaults). Page.Total is the API's `total`; Page.Next is the offset of the next page.
func (c *Client) ListContractConfigurationHistoryPage(ctx context.Context, contractID string, params *ConfigurationHistoryParams, opts ...polybill.RequestOption) (*polybill.Page[HistoryRow], error) {
	p := historyParams(params)
	return c.contractHistoryPage(ctx, contractID, p, p.From, opts)
}

func (c *Client) contractHistoryPage(ctx context.Context, contractID string, p ConfigurationHistoryParams, from int, opts []polybill.RequestOption) (*polybill.Page[HistoryRow], error) {
	if contractID == "" {
		return nil, transport.InvalidParam(API, "id", "is required")
	}
	return c.historyPage(ctx, transport.Op("getContractConfigurationHistory", "/v1/billing/contracts/{id}/configuration_history"), contractID, p, from, opts)
}

// ListContractConfigurationHistory returns a contract's configuration history from offset
// params.From on (nil params: all of it), fetching pages lazily. params and opts are copied
// now: changing them while ranging changes nothing.
func (c *Client) ListContractConfigurationHistory(ctx context.Context, contractID string, params *ConfigurationHistoryParams, opts ...polybill.RequestOption) iter.Seq2[HistoryRow, error] {
	p := historyParams(params)
	opts = slices.Clone(opts)
	return paging.Iterate(p.From, func(from int) (*polybill.Page[HistoryRow], error) {
		return c.contractHistoryPage(ctx, contractID, p, from, opts)
	})
}

// ListBillingAccountConfigurationHistoryPage returns one page of the configuration history
// of a billing account's contracts, newest first, starting at offset params.From (nil params:
// the first page with the defaults). Page.Next is the offset of the next page.
func (c *Client) ListBillingAccountConfigurationHistoryPage(ctx context.Context, accountID string, params *ConfigurationHistoryParams, opts ...polybill.RequestOption) (*polybill.Page[HistoryRow], error) {
	p := historyParams(params)
	return c.accountHistoryPage(ctx, accountID, p, p.From, opts)
}

func (c *Client) accountHistoryPage(ctx context.Context, accountID string, p ConfigurationHistoryParams, from int, opts []polybill.RequestOption) (*polybill.Page[HistoryRow], error) {
	if accountID == "" {
		return nil, transport.InvalidParam(API, "id", "is required")
	}
	return c.historyPage(ctx, transport.Op("getBillingAccountConfigurationHistory", "/v1/billing/billing_accounts/{id}/configuration_history"), accountID, p, from, opts)
}

// ListBillingAccountConfigurationHistory returns the configuration history of a billing
// account from offset params.From on (nil params: all of it), fetching pages lazily. params
// and opts are copied now: changing them while ranging changes nothing.
func (c *Client) ListBillingAccountConfigurationHistory(ctx context.Context, accountID string, params *ConfigurationHistoryParams, opts ...polybill.RequestOption) iter.Seq2[HistoryRow, error] {
	p := historyParams(params)
	opts = slices.Clone(opts)
	return paging.Iterate(p.From, func(from int) (*polybill.Page[HistoryRow], error) {
		return c.accountHistoryPage(ctx, accountID, p, from, opts)
	})
}
