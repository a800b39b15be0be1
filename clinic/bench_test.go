package clinic_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
)

// BenchmarkGetInvoice compares the SDK with raw net/http + encoding/json against the same
// loopback fake (same token, same body); the ratio of the two ns/op is the SDK's overhead.
func BenchmarkGetInvoice(b *testing.B) {
	srv := clinictest.New()
	defer srv.Close()
	id := seedConsultation(srv, clinictest.InvoiceSeed{})
	client, err := clinic.New(srv.ClientOptions()...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := client.GetInvoice(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("raw", func(b *testing.B) {
		resp, err := http.PostForm(srv.URL()+clinic.TokenPath, map[string][]string{
			"grant_type": {"client_credentials"}, "client_id": {clinictest.DefaultClientID}, "client_secret": {clinictest.DefaultClientSecret},
		})
		if err != nil {
			b.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/api/v1/billing/invoices/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var inv map[string]any
			err = json.NewDecoder(resp.Body).Decode(&inv)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(err, resp.StatusCode)
			}
		}
	})
}
