package crm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// BenchmarkGetBilling compares one GetBilling through the SDK with the same request made
// with raw net/http + encoding/json against the same loopback fake; compare the two ns/op.
func BenchmarkGetBilling(b *testing.B) {
	srv := crmtest.New()
	defer srv.Close()
	id, err := srv.AddBilling(crmtest.Billing{MeetingID: "m", Amount: polybill.MustDecimal("250.00"), PayerName: "Acme Corp", PayerEmail: "billing@acme.com"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	b.Run("sdk", func(b *testing.B) {
		c, err := crm.New(srv.ClientOptions()...)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.GetBilling(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		hc := &http.Client{}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/billings/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+crmtest.DefaultToken)
			req.Header.Set("AppId", crmtest.DefaultAPIKey)
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var doc struct {
				Data struct {
					ID         string `json:"id"`
					Attributes struct {
						Amount json.Number `json:"amount"`
					} `json:"attributes"`
				} `json:"data"`
			}
			err = json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatal(err, resp.StatusCode)
			}
		}
	})
}

// BenchmarkDecodeBilling measures the tolerant decoder alone against encoding/json into a
// fixed struct (which reads one key set and one envelope only).
func BenchmarkDecodeBilling(b *testing.B) {
	body := []byte(`{"id":"billing-uuid-123","type":"billing","attributes":{"unique_id":"billing-uuid-123","meeting_id":"meeting-uuid-123","amount":250.00,"payer_name":"Acme Corp","payer_email":"billing@acme.com","billing_type":"session","status":"pending","created_at":"2026-01-10T10:30:00Z","updated_at":"2026-01-10T10:30:00Z"}}`)
	b.Run("tolerant", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v crm.Billing
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v struct {
				ID         string `json:"id"`
				Attributes struct {
					UniqueID, MeetingID, PayerName, PayerEmail, BillingType, Status string
					Amount                                                          json.Number
					CreatedAt, UpdatedAt                                            string
				} `json:"attributes"`
			}
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
