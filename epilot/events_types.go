package epilot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/wire"
)

// EventKind is the `type` of a billing event (Buchungssatz).
type EventKind string

// The event kinds with their own variant in the API spec. Any other `type` is a custom event.
const (
	KindInstallment   EventKind = "installment"   // Abschlagszahlung; due_date required
	KindPayment       EventKind = "payment"       // Zahlungseingang
	KindReimbursement EventKind = "reimbursement" // Rückerstattung
	KindDunningFee    EventKind = "dunning_fee"   // Mahngebühr
	KindInvoice       EventKind = "invoice"       // due_date required
	KindFinalBill     EventKind = "final_bill"    // Endabrechnung
	KindBonus         EventKind = "bonus"         // Gutschrift
	KindCorrection    EventKind = "correction"    // Korrekturbuchung
	// KindChargeback (Lastschrift-Rückgabe) is named in the vendor's description of `type`
	// but has no variant, so it is a custom kind: it decodes as *CustomEvent.
	KindChargeback EventKind = "chargeback"
)

var knownKinds = []EventKind{KindInstallment, KindPayment, KindReimbursement, KindDunningFee,
	KindInvoice, KindFinalBill, KindBonus, KindCorrection}

// IsKnown reports whether k has its own variant (and Go type) in this SDK.
func (k EventKind) IsKnown() bool {
	for _, kk := range knownKinds {
		if k == kk {
			return true
		}
	}
	return false
}

// Direction says whether an event is owed by the customer (debit) or to the customer (credit).
// The API infers it from the kind when it is omitted.
type Direction string

// Known directions.
const (
	DirectionDebit  Direction = "debit"
	DirectionCredit Direction = "credit"
)

// IsKnown reports whether d is a documented direction.
func (d Direction) IsKnown() bool { return d == DirectionDebit || d == DirectionCredit }

// EventStatus is whether an event is settled. The API defaults it to closed.
type EventStatus string

// Known statuses.
const (
	EventStatusOpen   EventStatus = "open"
	EventStatusClosed EventStatus = "closed"
)

// IsKnown reports whether s is a documented status.
func (s EventStatus) IsKnown() bool { return s == EventStatusOpen || s == EventStatusClosed }

// ExternalLink links an event to another system.
type ExternalLink struct {
	Href  string `json:"href"`
	Title string `json:"title,omitempty"`
}

// BillingEvent is one of *InstallmentEvent, *PaymentEvent, *ReimbursementEvent,
// *DunningFeeEvent, *InvoiceEvent, *FinalBillEvent, *BonusEvent, *CorrectionEvent or
// *CustomEvent. Switch on the type (or on Kind()) to get the typed value:
//
//	switch e := ev.(type) {
//	case *epilot.InstallmentEvent:
//		fmt.Println("due", e.DueDate)
//	case *epilot.CustomEvent:
//		fmt.Println("custom", e.Type, string(e.Raw()))
//	}
//
// The API's union has no discriminator; the SDK dispatches on `type` itself, and a `type` it
// does not know (or a missing one) decodes as *CustomEvent, never as an error.
type BillingEvent interface {
	// Kind is the event's `type`.
	Kind() EventKind
	// Fields gives access to the fields every kind has.
	Fields() *EventFields
	// Problems lists the values of the event that could not be read (see the package doc).
	Problems() []polybill.FieldProblem
	json.Marshaler
	isBillingEvent()
}

// EventFields are the fields every billing event has. Zero values mean "absent".
type EventFields struct {
	// FieldProblems lists the values that could not be read into their fields (an amount
	// "" or with more digits than Decimal holds, a bad date); the event is still returned.
	polybill.FieldProblems

	ID        string    // _id
	Title     string    // _title
	Org       string    // _org
	Schema    string    // _schema
	Tags      []string  // _tags
	CreatedAt time.Time // _created_at; zero when absent or unparsable
	UpdatedAt time.Time // _updated_at; zero when absent or unparsable

	// Amount is billing_amount (minor units), billing_amount_decimal and billing_currency.
	// On create, one of the two forms is enough; on read, Amount.Check reports a mismatch.
	Amount Money
	// BookingDate is the general-ledger booking date (Buchungsdatum); required on create.
	BookingDate Date
	// DueDate (Fälligkeitsdatum) is required for installments and invoices.
	DueDate Date
	// PaidDate is a timestamp, unlike the other dates.
	PaidDate time.Time
	// Contract links the event to its contract or billing account; required on create.
	Contract     Relation
	Direction    Direction
	Status       EventStatus
	ExternalID   string // id in the source system; see Client.CreateBillingEvent
	RelatedEvent string // id of a related event
	ExternalLink *ExternalLink
	Attachments  Relation
	Note         string // shown to the customer
	InternalNote string // staff only

	// Extra holds every property the SDK does not model, as raw JSON. It is sent back on
	// create, so org-specific attributes survive a read-modify-write byte for byte. A key
	// the SDK models (e.g. "billing_amount") is ignored here: the typed field wins.
	Extra map[string]json.RawMessage

	raw json.RawMessage
}

// Fields returns f; it makes every event kind a BillingEvent.
func (f *EventFields) Fields() *EventFields { return f }

// Raw returns the JSON the event was decoded from (nil for an event built in Go).
func (f *EventFields) Raw() json.RawMessage { return f.raw }

func (f *EventFields) isBillingEvent() {}

// The nine kinds. Each is EventFields plus its kind; CustomEvent also carries its type string.
type (
	// InstallmentEvent is an installment (Abschlagszahlung).
	InstallmentEvent struct{ EventFields }
	// PaymentEvent is a payment received (Zahlungseingang).
	PaymentEvent struct{ EventFields }
	// ReimbursementEvent is money paid back to the customer (Rückerstattung).
	ReimbursementEvent struct{ EventFields }
	// DunningFeeEvent is a dunning fee (Mahngebühr).
	DunningFeeEvent struct{ EventFields }
	// InvoiceEvent is an invoice.
	InvoiceEvent struct{ EventFields }
	// FinalBillEvent is a final bill (Endabrechnung).
	FinalBillEvent struct{ EventFields }
	// BonusEvent is a bonus credited to the customer (Gutschrift).
	BonusEvent struct{ EventFields }
	// CorrectionEvent is a correction (Korrekturbuchung).
	CorrectionEvent struct{ EventFields }
	// CustomEvent is any other kind, e.g. "chargeback" or an org's "grid_fee_adjustment".
	// Type is its `type`; Raw() keeps the whole JSON it was read from.
	CustomEvent struct {
		Type string
		EventFields
	}
)

// Kind returns KindInstallment.
func (*InstallmentEvent) Kind() EventKind { return KindInstallment }

// Kind returns KindPayment.
func (*PaymentEvent) Kind() EventKind { return KindPayment }

// Kind returns KindReimbursement.
func (*ReimbursementEvent) Kind() EventKind { return KindReimbursement }

// Kind returns KindDunningFee.
func (*DunningFeeEvent) Kind() EventKind { return KindDunningFee }

// Kind returns KindInvoice.
func (*InvoiceEvent) Kind() EventKind { return KindInvoice }

// Kind returns KindFinalBill.
func (*FinalBillEvent) Kind() EventKind { return KindFinalBill }

// Kind returns KindBonus.
func (*BonusEvent) Kind() EventKind { return KindBonus }

// Kind returns KindCorrection.
func (*CorrectionEvent) Kind() EventKind { return KindCorrection }

// Kind returns the event's Type.
func (e *CustomEvent) Kind() EventKind { return EventKind(e.Type) }

// MarshalJSON writes the event with its `type` set from its Go type.
func (e *InstallmentEvent) MarshalJSON() ([]byte, error) {
	return e.EventFields.marshal(string(KindInstallment))
}

// MarshalJSON writes the event with its `type` set from its Go type.
func (e *PaymentEvent) MarshalJSON() ([]byte, error) {
	return e.EventFields.marshal(string(KindPayment))
}

// MarshalJSON writes the event with its `type` set from its Go type.
func (e *ReimbursementEvent) MarshalJSON() ([]byte, error) {
	return e.EventFields.marshal(string(KindReimbursement))
}

// MarshalJSON writes the event with its `type` set from its Go type.
func (e *DunningFeeEvent) MarshalJSON() ([]byte, error) {
	return e.EventFields.marshal(string(KindDunningFee))
}

// MarshalJSON writes the event with its `type` set from its Go type.
func (e *InvoiceEvent) MarshalJSON() ([]byte, error) {
	return e.EventFields.marshal(string(KindInvoice))
}

// MarshalJSON writes the event with its `type` set from its Go type.
func (e *FinalBillEvent) MarshalJSON() ([]byte, error) {
	return e.EventFields.marshal(string(KindFinalBill))
}

// MarshalJSON writes the event with its `type` set from its Go type.
func (e *BonusEvent) MarshalJSON() ([]byte, error) { return e.EventFields.marshal(string(KindBonus)) }

// MarshalJSON writes the event with its `type` set from its Go type.
func (e *CorrectionEvent) MarshalJSON() ([]byte, error) {
	return e.EventFields.marshal(string(KindCorrection))
}

// MarshalJSON writes the event with its Type.
func (e *CustomEvent) MarshalJSON() ([]byte, error) { return e.EventFields.marshal(e.Type) }

// ParseBillingEvent decodes one billing event. It dispatches on `type`: the eight documented
// kinds get their own Go type, anything else (including a missing type) a *CustomEvent. Unknown
// properties are kept in Extra, the whole input in Raw(); values that cannot be read are listed
// by Problems.
func ParseBillingEvent(data []byte) (BillingEvent, error) {
	return parseBillingEvent(data, wire.Decode)
}

// parseBillingEvent is ParseBillingEvent with the reader to use: wire.DecodeBody for a body
// the transport hands over (Raw then shares it), wire.Decode for bytes that are not ours.
func parseBillingEvent(data []byte, decodeWith func([]byte, any) error) (BillingEvent, error) {
	var w eventWire
	if err := decodeWith(data, &w); err != nil {
		return nil, fmt.Errorf("epilot: decode billing event: %w", err)
	}
	return w.event(), nil
}

// event is the BillingEvent w was read into.
func (w *eventWire) event() BillingEvent {
	f := w.fields()
	f.Extra, f.raw, f.FieldProblems = w.Extra, w.Raw, w.FieldProblems
	return newEvent(w.Type, f)
}

// newEvent wraps f in the Go type of the kind typ.
func newEvent(typ string, f EventFields) BillingEvent {
	if !EventKind(typ).IsKnown() {
		return &CustomEvent{Type: typ, EventFields: f}
	}
	return asKind(EventKind(typ), &InstallmentEvent{f})
}

// asKind returns ev as the Go type of the known kind k. The eight known kinds have one layout
// (struct{ EventFields }), so the pointer converts without a copy; the fast decoder fills an
// event before it knows its kind.
func asKind(k EventKind, ev *InstallmentEvent) BillingEvent {
	switch k {
	case KindPayment:
		return (*PaymentEvent)(ev)
	case KindReimbursement:
		return (*ReimbursementEvent)(ev)
	case KindDunningFee:
		return (*DunningFeeEvent)(ev)
	case KindInvoice:
		return (*InvoiceEvent)(ev)
	case KindFinalBill:
		return (*FinalBillEvent)(ev)
	case KindBonus:
		return (*BonusEvent)(ev)
	case KindCorrection:
		return (*CorrectionEvent)(ev)
	default:
		return ev
	}
}

// relatedEventRef reads related_event as a plain id; the vendor spec also declares
// `$relation` properties on it, so an object {"$relation":[{"entity_id":…}]} is read too.
type relatedEventRef string

func (r *relatedEventRef) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var rel Relation
		if err := wire.Decode(data, &rel); err != nil {
			return err
		}
		if ids := rel.IDs(); len(ids) > 0 {
			*r = relatedEventRef(ids[0])
		}
		return nil
	}
	if len(data) > 0 && data[0] == '[' {
		return errors.New("expected an id or a relation, got an array")
	}
	var s string // a string, or a number's literal text (ids are sent as 42 or "42")
	if err := wire.Decode(data, &s); err != nil {
		return err
	}
	*r = relatedEventRef(s)
	return nil
}

// eventWire is the JSON shape of a billing event: each field's wire key is declared here, once,
// for reading (wire.Decode) and writing (wire.Encode) alike.
type eventWire struct {
	polybill.FieldProblems `json:"-"`
	Extra                  map[string]json.RawMessage `json:"-" wire:",extra"`
	Raw                    json.RawMessage            `json:"-" wire:",raw"`

	Type                 string            `json:"type"`
	ID                   string            `json:"_id,omitempty"`
	Title                string            `json:"_title,omitempty"`
	Org                  string            `json:"_org,omitempty"`
	Schema               string            `json:"_schema,omitempty"`
	Tags                 []string          `json:"_tags,omitempty"`
	CreatedAt            stamp             `json:"_created_at,omitzero"`
	UpdatedAt            stamp             `json:"_updated_at,omitzero"`
	BillingAmount        *int64            `json:"billing_amount,omitempty"`
	BillingAmountDecimal *polybill.Decimal `json:"billing_amount_decimal,omitempty"`
	BillingCurrency      polybill.Currency `json:"billing_currency,omitempty"`
	BookingDate          Date              `json:"booking_date,omitzero"`
	DueDate              Date              `json:"due_date,omitzero"`
	PaidDate             timestamp         `json:"paid_date,omitzero"`
	Contract             *Relation         `json:"contract,omitempty"`
	Direction            Direction         `json:"direction,omitempty"`
	Status               EventStatus       `json:"status,omitempty"`
	ExternalID           string            `json:"external_id,omitempty"`
	RelatedEvent         relatedEventRef   `json:"related_event,omitempty"`
	ExternalLink         *ExternalLink     `json:"external_link,omitempty"`
	Attachments          *Relation         `json:"attachments,omitempty"`
	Note                 string            `json:"note,omitempty"`
	InternalNote         string            `json:"internal_note,omitempty"`
}

func (w *eventWire) fields() EventFields {
	f := EventFields{
		ID: w.ID, Title: w.Title, Org: w.Org, Schema: w.Schema, Tags: w.Tags,
		CreatedAt: w.CreatedAt.Time, UpdatedAt: w.UpdatedAt.Time,
		Amount:      Money{MinorUnits: w.BillingAmount, Decimal: w.BillingAmountDecimal, Currency: w.BillingCurrency},
		BookingDate: w.BookingDate, DueDate: w.DueDate, PaidDate: w.PaidDate.Time,
		Direction: w.Direction, Status: w.Status, ExternalID: w.ExternalID,
		RelatedEvent: string(w.RelatedEvent), ExternalLink: w.ExternalLink,
		Note: w.Note, InternalNote: w.InternalNote,
	}
	if w.Contract != nil {
		f.Contract = *w.Contract
	}
	if w.Attachments != nil {
		f.Attachments = *w.Attachments
	}
	return f
}

func (f *EventFields) wire(typ string) eventWire {
	w := eventWire{
		Type: typ, ID: f.ID, Title: f.Title, Org: f.Org, Schema: f.Schema, Tags: f.Tags,
		CreatedAt: stamp{timestamp{f.CreatedAt}}, UpdatedAt: stamp{timestamp{f.UpdatedAt}},
		BillingAmount: f.Amount.MinorUnits, BillingAmountDecimal: f.Amount.Decimal, BillingCurrency: f.Amount.Currency,
		BookingDate: f.BookingDate, DueDate: f.DueDate, PaidDate: timestamp{f.PaidDate},
		Direction: f.Direction, Status: f.Status, ExternalID: f.ExternalID,
		RelatedEvent: relatedEventRef(f.RelatedEvent), ExternalLink: f.ExternalLink,
		Note: f.Note, InternalNote: f.InternalNote, Extra: f.Extra,
	}
	if !f.Contract.IsZero() {
		c := f.Contract
		w.Contract = &c
	}
	if !f.Attachments.IsZero() {
		a := f.Attachments
		w.Attachments = &a
	}
	return w
}

func (f *EventFields) marshal(typ string) ([]byte, error) { return wire.Encode(f.wire(typ)) }
