package epilot

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// Balance is a customer's balance (Kontostand) across all their contracts and orders. A
// positive amount means the customer owes money; a negative one is a credit (Guthaben).
type Balance struct {
	// Amount is balance (minor units), balance_decimal and balance_currency. Amount.Check
	// reports when the two forms disagree.
	Amount Money
	raw    json.RawMessage
}

// Raw returns the JSON the balance was decoded from.
func (b *Balance) Raw() json.RawMessage { return b.raw }

type balanceWire struct {
	Balance         *int64            `json:"balance"`
	BalanceDecimal  *polybill.Decimal `json:"balance_decimal"`
	BalanceCurrency polybill.Currency `json:"balance_currency"`
}

// UnmarshalJSON reads {balance, balance_decimal, balance_currency}.
func (b *Balance) UnmarshalJSON(data []byte) error {
	var w balanceWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = Balance{Amount: Money{MinorUnits: w.Balance, Decimal: w.BalanceDecimal, Currency: w.BalanceCurrency}, raw: append(json.RawMessage(nil), data...)}
	return nil
}

// GetCustomerBalance returns the balance of a customer; id is a contact id or a billing
// account id.
func (c *Client) GetCustomerBalance(ctx context.Context, id string, opts ...polybill.RequestOption) (*Balance, error) {
	if id == "" {
		return nil, polybill.InvalidParam(apiName, "id", "is required")
	}
	var out Balance
	if err := c.t.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getCustomerBalance", "/v1/billing/customers/{id}/balance"), Params: []string{id}}, &out, opts...); err != nil {
		return nil, err
	}
	return &out, nil
}
