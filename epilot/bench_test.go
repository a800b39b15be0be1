package epilot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// BenchmarkGetBillingEvent compares one GetBillingEvent through the SDK with the same request
// made with raw net/http + encoding/json against the same loopback fake; compare the ns/op.
func BenchmarkGetBillingEvent(b *testing.B) {
	srv := epilottest.New()
	defer srv.Close()
	id, err := srv.AddEvent(eventFixtures(b)["installment"])
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	b.Run("sdk", func(b *testing.B) {
		c, err := epilot.New(srv.ClientOptions()...)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.GetBillingEvent(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		hc := &http.Client{}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/v1/billing/events/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+srv.Token())
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var doc struct {
				ID                   string      `json:"_id"`
				Type                 string      `json:"type"`
				BillingAmount        int64       `json:"billing_amount"`
				BillingAmountDecimal json.Number `json:"billing_amount_decimal"`
				BillingCurrency      string      `json:"billing_currency"`
			}
			err = json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatal(err, resp.StatusCode)
			}
		}
	})
}

// BenchmarkParseBillingEvent measures the union decoder (dispatch on type, unknown
// properties kept raw) against encoding/json into one fixed struct.
func BenchmarkParseBillingEvent(b *testing.B) {
	body := eventFixtures(b)["installment"]
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := epilot.ParseBillingEvent(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v struct {
				Type          string          `json:"type"`
				BillingAmount int64           `json:"billing_amount"`
				Decimal       string          `json:"billing_amount_decimal"`
				Currency      string          `json:"billing_currency"`
				BookingDate   string          `json:"booking_date"`
				Contract      json.RawMessage `json:"contract"`
			}
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
