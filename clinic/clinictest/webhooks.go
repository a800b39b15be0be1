package clinictest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/internal/oapiserver"
	"github.com/polybill/polybill-go/clinic/webhook"
)

type hookEndpoint struct{ url, secret string }

type pendingEvent struct {
	event webhook.EventType
	data  any
}

// Delivery records one webhook POST the fake made.
type Delivery struct {
	URL       string
	Event     webhook.EventType
	WebhookID string
	Body      []byte
	// StatusCode is the receiver's answer; 0 when the POST failed (Err is set).
	StatusCode int
	Err        error
}

// Deliveries returns every webhook delivery so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// SendWebhook delivers an arbitrary event (any documented or undocumented name, any data) to
// every registered endpoint, signed like the real thing. It returns the first delivery error.
func (s *Server) SendWebhook(ctx context.Context, event webhook.EventType, data any) error {
	for _, d := range s.deliver(ctx, []pendingEvent{{event, data}}) {
		if d.Err != nil {
			return d.Err
		}
		if d.StatusCode < 200 || d.StatusCode > 299 {
			return fmt.Errorf("clinictest: webhook to %s answered %d", d.URL, d.StatusCode)
		}
	}
	return nil
}

// deliver POSTs each event to each endpoint, synchronously so a test sees the deliveries as
// soon as the call that caused them returns. ASSUMPTION: the data keys mirror the payment and
// invoice resources (the vendor does not document them).
func (s *Server) deliver(ctx context.Context, events []pendingEvent) []Delivery {
	s.mu.Lock()
	hooks := append([]hookEndpoint(nil), s.hooks...)
	s.mu.Unlock()
	var out []Delivery
	for _, ev := range events {
		for _, h := range hooks {
			d := s.post(ctx, h, ev)
			out = append(out, d)
			s.mu.Lock()
			s.deliveries = append(s.deliveries, d)
			s.mu.Unlock()
		}
	}
	return out
}

func (s *Server) post(ctx context.Context, h hookEndpoint, ev pendingEvent) Delivery {
	data, err := json.Marshal(ev.data)
	if err != nil {
		return Delivery{URL: h.url, Event: ev.event, Err: err}
	}
	id := "wh_" + newToken()[3:15]
	body, err := json.Marshal(map[string]any{
		"event": ev.event, "timestamp": s.now().Format(time.RFC3339), "data": json.RawMessage(data), "webhook_id": id,
	})
	if err != nil {
		return Delivery{URL: h.url, Event: ev.event, Err: err}
	}
	d := Delivery{URL: h.url, Event: ev.event, WebhookID: id, Body: body}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		d.Err = err
		return d
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, h.secret))
	resp, err := s.hookClient.Do(req)
	if err != nil {
		d.Err = err
		return d
	}
	_ = resp.Body.Close()
	d.StatusCode = resp.StatusCode
	return d
}

func paymentData(p oapiserver.Payment) webhook.PaymentData {
	d := webhook.PaymentData{
		PaymentID: p.ID, Amount: p.Amount, PaymentMode: clinic.PaymentMode(p.PaymentMode), PaymentDate: polybill.DateOf(p.PaymentDate.Time),
	}
	if p.InvoiceID != nil {
		d.InvoiceID = *p.InvoiceID
	}
	if p.Reference != nil {
		d.Reference = *p.Reference
	}
	return d
}

func invoiceData(inv *invoice) webhook.InvoiceData {
	return webhook.InvoiceData{
		InvoiceID: inv.id, InvoiceNumber: inv.number, Status: string(inv.status),
		Total: inv.grandTotal, Balance: money(inv.balance()),
	}
}
