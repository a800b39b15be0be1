package clinic_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/internal/oapiserver"
	"github.com/polybill/polybill-go/clinic/webhook"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// The vendor's own documented bodies decode, exactly.
func TestVendorDocumentedBodies(t *testing.T) {
	c := &canned{status: 200, body: readFixture(t, "vendor_summary.json")}
	s, err := cannedClient(t, c).GetSummary(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "450000.00", s.TotalBilled.String())
	assert.Equal(t, "380000.00", s.TotalCollected.String())
	assert.Equal(t, "70000.00", s.TotalOutstanding.String())
	assert.Equal(t, "150000", s.CollectionByMode[clinic.PaymentModeUPI].String())
	assert.Len(t, s.CollectionByMode, 4)
	assert.Equal(t, "120000", s.RevenueByDepartment["Surgery"].String())

	// What RecordPayment sends is the vendor's request example, byte for byte in meaning.
	var sent []byte
	capture := &captureBody{next: &canned{status: 201, body: []byte(`{"id":"PAY-1","amount":1500.00,"payment_mode":"upi","reference":"UPI-TXN-123456","payment_date":"2026-03-15"}`)}, body: &sent}
	client := cannedClientWith(t, capture)
	_, err = client.RecordPayment(context.Background(), "INV-1", clinic.RecordPaymentParams{
		Amount: dec("1500.00"), Mode: clinic.PaymentModeUPI, Reference: "UPI-TXN-123456", PaymentDate: polybill.NewDate(2026, 3, 15),
	})
	require.NoError(t, err)
	assert.JSONEq(t, string(readFixture(t, "vendor_payment_request.json")), string(sent))
	assert.Contains(t, string(sent), `"amount":1500.00`, "a JSON number with the paise, as in the vendor example")

	e, err := webhook.Parse(readFixture(t, "vendor_webhook_lab_result.json"))
	require.NoError(t, err)
	assert.Equal(t, webhook.LabResultReady, e.Type)
	assert.Equal(t, "wh_abc123", e.WebhookID)
}

// Every response example in openapi/clinic.yaml decodes through the public client.
func TestSpecExamplesDecode(t *testing.T) {
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	calls := map[string]func(*testing.T, *clinic.Client) error{
		"listinvoices": func(t *testing.T, c *clinic.Client) error {
			p, err := c.ListInvoicesPage(context.Background(), nil)
			if err == nil && len(p.Items) == 0 {
				t.Error("list example decoded to no items")
			}
			return err
		},
		"getinvoice": func(t *testing.T, c *clinic.Client) error {
			inv, err := c.GetInvoice(context.Background(), "INV-2026-00042")
			if err == nil {
				// The YAML loader turns 2360.00 into a float, so compare values, not text.
				assert.True(t, inv.Total.Equal(dec("2360")), inv.Total.String())
				assert.True(t, inv.Balance.Equal(dec("860")), inv.Balance.String())
				assert.Len(t, inv.Payments, 1)
			}
			return err
		},
		"recordpayment": func(t *testing.T, c *clinic.Client) error {
			res, err := c.RecordPayment(context.Background(), "INV-2026-00042", clinic.RecordPaymentParams{Amount: dec("1500.00"), Mode: clinic.PaymentModeUPI})
			if err == nil {
				assert.Equal(t, "PAY-2026-00077", res.Payment.ID)
			}
			return err
		},
		"getsummary": func(t *testing.T, c *clinic.Client) error {
			_, err := c.GetSummary(context.Background(), nil)
			return err
		},
	}
	seen := 0
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			// The embedded spec capitalises operation ids (oapi-codegen's default).
			call, ok := calls[strings.ToLower(op.OperationID)]
			if !ok {
				require.Equal(t, "issuetoken", strings.ToLower(op.OperationID), "an operation without a client method: %s %s", method, path)
				continue
			}
			for code, resp := range op.Responses.Map() {
				if !strings.HasPrefix(code, "2") {
					continue
				}
				for name, ex := range resp.Value.Content.Get("application/json").Examples {
					body, err := json.Marshal(ex.Value.Value)
					require.NoError(t, err)
					t.Run(op.OperationID+"/"+name, func(t *testing.T) {
						status := http.StatusOK
						if code == "201" {
							status = http.StatusCreated
						}
						require.NoError(t, call(t, cannedClient(t, &canned{status: status, body: body})))
					})
					seen++
				}
			}
		}
	}
	assert.Equal(t, 5, seen, "two list examples and one per other operation")
}
