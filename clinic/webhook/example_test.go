package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/polybill/polybill-go/clinic/webhook"
)

func ExampleVerify() {
	body := []byte(`{"event":"invoice.paid","timestamp":"2026-03-15T14:30:00+05:30","data":{"invoice_id":"INV-1"},"webhook_id":"wh_abc123"}`)
	header := webhook.Sign(body, "endpoint-secret") // what Bio Ecko sends in X-Bio-Ecko-Signature

	// During a rotation, pass the new and the old secret.
	fmt.Println(webhook.Verify(body, header, "new-secret", "endpoint-secret"))
	fmt.Println(webhook.Verify(body, "sha256="+header, "endpoint-secret"))
	fmt.Println(webhook.Verify([]byte(strings.Replace(string(body), "INV-1", "INV-2", 1)), header, "endpoint-secret"))
	// Output:
	// <nil>
	// <nil>
	// webhook: signature does not match the body
}

func ExampleSign() {
	// Checked against: printf "{}" | openssl dgst -sha256 -hmac secret
	fmt.Println(webhook.Sign([]byte(`{}`), "secret"))
	// Output: 77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13
}

func ExampleParse() {
	e, err := webhook.Parse([]byte(`{"event":"payment.received","timestamp":"2026-03-15T14:30:00+05:30","data":{"invoice_id":"INV-1","amount":1500.00,"payment_mode":"upi"},"webhook_id":"wh_1"}`))
	if err != nil {
		panic(err)
	}
	p, err := e.Payment()
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Type, e.Type.IsBilling(), p.InvoiceID, p.Amount, p.PaymentMode)
	// Output: payment.received true INV-1 1500.00 upi
}

func ExampleNewHandler() {
	h, err := webhook.NewHandler([]string{"endpoint-secret"}, func(ctx context.Context, e *webhook.Event) error {
		fmt.Println("handled", e.Type)
		return nil
	})
	if err != nil {
		log.Fatal(err) // an empty secret or a nil function
	}
	body := `{"event":"invoice.created","timestamp":"` + time.Now().Format(time.RFC3339) + `","data":{},"webhook_id":"wh_9"}`
	for range 2 { // Bio Ecko redelivers; the duplicate is acknowledged without calling the handler
		req := httptest.NewRequest(http.MethodPost, "/hooks/bioecko", strings.NewReader(body))
		req.Header.Set(webhook.SignatureHeader, webhook.Sign([]byte(body), "endpoint-secret"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// handled invoice.created
	// 204
	// 200
}
