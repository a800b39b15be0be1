package epilot

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// Balance is a customer's balance (Kontostand) across all their contracts and orders. A
// positive amount means the customer owes money; a negative one is a credit (Guthaben).
type Balance struct {
	// Amount is balance (minor units), balance_decimal and balance_currency. Amount.Check
	// reports when the two forms disagree.
	Amount Money
	// problems lists the values that could not be read (a balance_decimal of "" or with more
	// digits than Decimal holds): the balance is still returned, see Problems.
	problems polybill.FieldProblems
	raw      json.RawMessage
}

// Raw returns the JSON the balance was decoded from.
func (b *Balance) Raw() json.RawMessage { return b.raw }

// Problems lists the values of the balance that could not be read into their fields, with
// their paths and raw values (see the package doc); nil when there are none.
func (b *Balance) Problems() []polybill.FieldProblem { return b.problems }

// balanceWire is the JSON shape of a balance: each key is declared here, once.
type balanceWire struct {
	polybill.FieldProblems
	Raw             json.RawMessage   `wire:",raw"`
	Balance         *int64            `wire:"balance"`
	BalanceDecimal  *polybill.Decimal `wire:"balance_decimal"`
	BalanceCurrency polybill.Currency `wire:"balance_currency"`
}

// UnmarshalJSON reads {balance, balance_decimal, balance_currency} with the SDK's one reader;
// a value that cannot be read is a problem (see Problems), not an error.
func (b *Balance) UnmarshalJSON(data []byte) error {
	var w balanceWire
	if err := wire.Decode(data, &w); err != nil {
		return err
	}
	*b = Balance{Amount: Money{MinorUnits: w.Balance, Decimal: w.BalanceDecimal, Currency: w.BalanceCurrency}, problems: w.FieldProblems, raw: w.Raw}
	return nil
}

// GetCustomerBalance returns the balance of a customer; id is a contact id or a billing
// account id.
func (c *Client) GetCustomerBalance(ctx context.Context, id string, opts ...polybill.RequestOption) (*Balance, error) {
	if id == "" {
		return nil, transport.InvalidParam(API, "id", "is required")
	}
	var out Balance
	if err := c.tc.Do(ctx, transport.Call{Method: http.MethodGet, Op: transport.Op("getCustomerBalance", "/v1/billing/customers/{id}/balance"), Params: []string{id}}, &out, opts...); err != nil {
		return nil, err
	}
	return &out, nil
}
