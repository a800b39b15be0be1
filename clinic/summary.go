package clinic

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// Summary is the financial summary of [Client.GetSummary]. Both maps are open: any payment mode
// or department may appear, and integer amounts (120000) decode like decimals (1500.00).
type Summary struct {
	polybill.FieldProblems `json:"-"`
	TotalBilled            polybill.Decimal                 `json:"total_billed"`
	TotalCollected         polybill.Decimal                 `json:"total_collected"`
	TotalOutstanding       polybill.Decimal                 `json:"total_outstanding"`
	CollectionByMode       map[PaymentMode]polybill.Decimal `json:"collection_by_mode"`
	RevenueByDepartment    map[string]polybill.Decimal      `json:"revenue_by_department"`

	Raw json.RawMessage `json:"-" wire:",raw"`
}

// UnmarshalJSON reads the object as the client does.
func (s *Summary) UnmarshalJSON(b []byte) error { return decode(b, s) }

// SummaryParams selects what [Client.GetSummary] aggregates. Zero fields are not sent.
type SummaryParams struct {
	DateFrom Date
	DateTo   Date
	BranchID string
}

// GetSummary returns billed, collected and outstanding totals with collections by payment mode
// and revenue by department. Requires billing:read.
func (c *Client) GetSummary(ctx context.Context, params *SummaryParams, opts ...polybill.RequestOption) (*Summary, error) {
	var sp SummaryParams
	if params != nil {
		sp = *params
	}
	q := url.Values{}
	if err := dateRange(q, sp.DateFrom, sp.DateTo); err != nil {
		return nil, err
	}
	set(q, "branch_id", sp.BranchID)
	var s Summary
	if err := c.do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getSummary", "/api/v1/billing/summary"), Query: q}, &s, opts); err != nil {
		return nil, err
	}
	return &s, nil
}
