// Package webhook verifies and decodes Bio Ecko webhook deliveries.
//
// Bio Ecko signs each delivery with HMAC-SHA256 over the raw request body, keyed with the
// endpoint's secret, and sends the result in the X-Bio-Ecko-Signature header. The vendor does not
// say how the digest is encoded, so [Verify] accepts lower- or upper-case hex and standard or
// URL-safe base64 (padded or not), each with or without a "sha256=" prefix, and compares in
// constant time. Several secrets may be given so an endpoint keeps working while its secret is
// rotated.
//
// The envelope is {"event", "timestamp", "data", "webhook_id"}. Bio Ecko sends no timestamp or
// replay header and signs the body only, so the envelope's timestamp is the one signed clock:
// [Handler] refuses a delivery older than its tolerance ([DefaultTolerance], [ErrTooOld]) or
// too far in the future ([ErrTooNew]), and de-duplicates the deliveries inside that window
// through a [Deduper] (in memory by default; share one between replicas, or across restarts,
// with your own implementation).
//
// A minimal receiver:
//
//	secrets := []string{os.Getenv("BIOECKO_WEBHOOK_SECRET")}
//	h, err := webhook.NewHandler(secrets, func(ctx context.Context, e *webhook.Event) error {
//		if e.Type == webhook.PaymentReceived {
//			p, err := e.Payment()
//			if err != nil {
//				return err
//			}
//			log.Printf("paid %s on %s", p.Amount, p.InvoiceID)
//		}
//		return nil
//	})
//	if err != nil {
//		log.Fatal(err) // BIOECKO_WEBHOOK_SECRET unset
//	}
//	http.Handle("/hooks/bioecko", h)
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
)

// SignatureHeader is the header carrying the HMAC-SHA256 of the raw body.
const SignatureHeader = "X-Bio-Ecko-Signature"

// Errors returned by [Verify]. They never contain the secret or the signature.
var (
	ErrMissingSignature = errors.New("webhook: missing " + SignatureHeader + " header")
	ErrInvalidSignature = errors.New("webhook: signature does not match the body")
	ErrNoSecret         = errors.New("webhook: no secret configured")
)

// Errors returned by [Event.CheckTime] (and answered 400 by [Handler]).
var (
	// ErrTooOld marks a delivery whose signed timestamp is older than the tolerance (or
	// missing): a replay, or a redelivery too late to tell from one.
	ErrTooOld = errors.New("webhook: delivery too old")
	// ErrTooNew marks a delivery whose timestamp is further in the future than the clock
	// skew allows.
	ErrTooNew = errors.New("webhook: delivery timestamp in the future")
)

// CheckTime checks the delivery's signed timestamp against now: it must be at most tolerance
// old and at most skew in the future. Only trust it after [Verify]: the timestamp is signed as
// part of the body.
func (e *Event) CheckTime(now time.Time, tolerance, skew time.Duration) error {
	switch {
	case e.Timestamp.IsZero():
		return fmt.Errorf("%w: the envelope has no timestamp", ErrTooOld)
	case now.Sub(e.Timestamp) > tolerance:
		return fmt.Errorf("%w: sent %s ago, tolerance %s", ErrTooOld, now.Sub(e.Timestamp).Round(time.Second), tolerance)
	case e.Timestamp.Sub(now) > skew:
		return fmt.Errorf("%w: %s ahead, clock skew allowance %s", ErrTooNew, e.Timestamp.Sub(now).Round(time.Second), skew)
	}
	return nil
}

// Sign returns the signature Bio Ecko would send for body: the lower-case hex HMAC-SHA256 keyed
// with secret. Use it to sign deliveries in tests (clinictest does).
func Sign(body []byte, secret string) string {
	return hex.EncodeToString(mac(body, secret))
}

// Verify checks signature (the X-Bio-Ecko-Signature header value) against the raw body with each
// secret in turn; it returns nil when any secret matches. Empty secrets are ignored, so an unset
// rotation slot never verifies anything.
func Verify(body []byte, signature string, secrets ...string) error {
	signature = strings.TrimSpace(signature)
	if signature == "" {
		return ErrMissingSignature
	}
	got, ok := decodeSignature(signature)
	if !ok {
		return ErrInvalidSignature
	}
	configured := false
	for _, s := range secrets {
		if s == "" {
			continue
		}
		configured = true
		// hmac.Equal is constant-time in the content; its length check leaks only the
		// length, which is public (32 bytes for SHA-256).
		if hmac.Equal(got, mac(body, s)) {
			return nil
		}
	}
	if !configured {
		return ErrNoSecret
	}
	return ErrInvalidSignature
}

func mac(body []byte, secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// decodeSignature accepts every encoding the vendor might use (ASSUMPTION, apis.md §4.9.5) and
// returns the 32 digest bytes.
func decodeSignature(s string) ([]byte, bool) {
	if len(s) > 7 && strings.EqualFold(s[:7], "sha256=") {
		s = s[7:]
	}
	if len(s) == hex.EncodedLen(sha256.Size) {
		if b, err := hex.DecodeString(s); err == nil {
			return b, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == sha256.Size {
			return b, true
		}
	}
	return nil, false
}

// EventType names a Bio Ecko event. Unknown names decode too; [EventType.IsKnown] tells them apart.
type EventType string

// The events listed on docs.bioecko.com/api/webhooks (2026-02-01). The name of the test ping sent
// when an endpoint is saved is not documented.
const (
	PatientCreated         EventType = "patient.created"
	PatientUpdated         EventType = "patient.updated"
	AppointmentBooked      EventType = "appointment.booked"
	AppointmentRescheduled EventType = "appointment.rescheduled"
	AppointmentCancelled   EventType = "appointment.cancelled"
	AppointmentCheckedIn   EventType = "appointment.checked_in"
	VisitStarted           EventType = "visit.started"
	VisitCompleted         EventType = "visit.completed"
	PrescriptionCreated    EventType = "prescription.created"
	LabOrderCreated        EventType = "lab_order.created"
	LabResultReady         EventType = "lab_result.ready"
	InvoiceCreated         EventType = "invoice.created"
	InvoicePaid            EventType = "invoice.paid"
	PaymentReceived        EventType = "payment.received"
	RefundProcessed        EventType = "refund.processed"
	StockLow               EventType = "stock.low"
	GRNCompleted           EventType = "grn.completed"
	POCreated              EventType = "po.created"
	UserCreated            EventType = "user.created"
	UserRoleChanged        EventType = "user.role_changed"
)

var knownEvents = map[EventType]bool{
	PatientCreated: true, PatientUpdated: true, AppointmentBooked: true, AppointmentRescheduled: true,
	AppointmentCancelled: true, AppointmentCheckedIn: true, VisitStarted: true, VisitCompleted: true,
	PrescriptionCreated: true, LabOrderCreated: true, LabResultReady: true, InvoiceCreated: true,
	InvoicePaid: true, PaymentReceived: true, RefundProcessed: true, StockLow: true,
	GRNCompleted: true, POCreated: true, UserCreated: true, UserRoleChanged: true,
}

// IsKnown reports whether t is one of the documented events.
func (t EventType) IsKnown() bool { return knownEvents[t] }

// IsBilling reports whether t is one of the billing events.
func (t EventType) IsBilling() bool {
	return t == InvoiceCreated || t == InvoicePaid || t == PaymentReceived || t == RefundProcessed
}

// Event is a decoded delivery. Data is left raw because its shape differs per event and is not
// documented; [Event.Payment] and [Event.Invoice] decode the billing ones.
type Event struct {
	Type      EventType       `json:"event"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
	WebhookID string          `json:"webhook_id"`

	// Raw is the whole body as received, so fields this package does not know stay reachable.
	Raw json.RawMessage `json:"-"`
}

// Parse decodes an envelope. It does not verify the signature; use [VerifyAndParse] or [Handler]
// for untrusted input.
func Parse(body []byte) (*Event, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("webhook: decoding envelope: %w", err)
	}
	if e.Type == "" {
		return nil, errors.New("webhook: envelope has no event")
	}
	e.Raw = append(json.RawMessage(nil), body...)
	return &e, nil
}

// VerifyAndParse verifies the signature and decodes the envelope.
func VerifyAndParse(body []byte, signature string, secrets ...string) (*Event, error) {
	if err := Verify(body, signature, secrets...); err != nil {
		return nil, err
	}
	return Parse(body)
}

// DedupKey identifies a delivery for de-duplication. It combines webhook_id with the event and
// timestamp because the vendor's example ("wh_abc123") does not say whether webhook_id names the
// delivery or the endpoint (ASSUMPTION, apis.md §4.9.5): keyed on webhook_id alone, an endpoint
// id would make every delivery after the first look like a duplicate.
func (e *Event) DedupKey() string {
	return e.WebhookID + "\x00" + string(e.Type) + "\x00" + e.Timestamp.UTC().Format(time.RFC3339Nano)
}

// PaymentData is the data of payment.received (ASSUMPTION: the vendor does not document it; these
// are the keys the clinictest fake sends, mirroring the payment resource).
//
// PaymentMode and PaymentDate decode tolerantly, so one odd value does not cost the whole
// event: an unknown mode decodes as it is (PaymentMode.IsKnown false; a non-string value as
// its JSON text), and a payment_date that is not a date leaves PaymentDate zero. Raw keeps the
// data object as received, the odd value included.
type PaymentData struct {
	PaymentID   string             `json:"payment_id"`
	InvoiceID   string             `json:"invoice_id"`
	Amount      polybill.Decimal   `json:"amount"`
	PaymentMode clinic.PaymentMode `json:"payment_mode"`
	Reference   string             `json:"reference,omitempty"`
	PaymentDate clinic.Date        `json:"payment_date,omitzero"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the known fields, the mode and date tolerantly, and keeps the object
// in Raw.
func (p *PaymentData) UnmarshalJSON(b []byte) error {
	type plain PaymentData
	var v struct {
		plain
		PaymentMode json.RawMessage `json:"payment_mode"`
		PaymentDate json.RawMessage `json:"payment_date"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = PaymentData(v.plain)
	if len(v.PaymentMode) > 0 && string(v.PaymentMode) != "null" {
		var mode string
		if json.Unmarshal(v.PaymentMode, &mode) != nil {
			mode = string(v.PaymentMode)
		}
		p.PaymentMode = clinic.PaymentMode(mode)
	}
	if len(v.PaymentDate) > 0 {
		var d clinic.Date
		if d.UnmarshalJSON(v.PaymentDate) == nil {
			p.PaymentDate = d
		}
	}
	p.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// InvoiceData is the data of invoice.created and invoice.paid (ASSUMPTION, as for PaymentData).
type InvoiceData struct {
	InvoiceID     string           `json:"invoice_id"`
	InvoiceNumber string           `json:"invoice_number,omitempty"`
	Status        string           `json:"status,omitempty"`
	Total         polybill.Decimal `json:"total"`
	Balance       polybill.Decimal `json:"balance"`
}

// Payment decodes the data of a payment.received event.
func (e *Event) Payment() (*PaymentData, error) {
	if e.Type != PaymentReceived {
		return nil, fmt.Errorf("webhook: event %q is not %s", e.Type, PaymentReceived)
	}
	var p PaymentData
	if err := json.Unmarshal(e.Data, &p); err != nil {
		return nil, fmt.Errorf("webhook: decoding %s data: %w", e.Type, err)
	}
	return &p, nil
}

// Invoice decodes the data of an invoice.created or invoice.paid event.
func (e *Event) Invoice() (*InvoiceData, error) {
	if e.Type != InvoicePaid && e.Type != InvoiceCreated {
		return nil, fmt.Errorf("webhook: event %q is not an invoice event", e.Type)
	}
	var d InvoiceData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return nil, fmt.Errorf("webhook: decoding %s data: %w", e.Type, err)
	}
	return &d, nil
}
