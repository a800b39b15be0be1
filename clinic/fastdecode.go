package clinic

import (
	"encoding/json"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// The invoice list (ListInvoices) and the invoice detail (GetInvoice, and the reconciliation
// of RecordPayment) are the hot paths of this package. encoding/json re-validates every nested
// level of them (Invoice, LineItem, Payment and InvoiceSummary each call json.Unmarshal on their
// own bytes). The fast decoders below split the bytes with jsonscan and read each known field
// straight from its sub-slice. They handle the shapes the API sends; anything they are not sure
// to read exactly as encoding/json would (null, escapes, a repeated key, a key differing only
// in case from a known one, a value of an unexpected type, the rarer envelope keys) makes them
// return jsonscan.ErrDecline, and the same bytes are decoded the old way, so results and errors
// never depend on which path ran. fastdecode_internal_test.go checks that the two paths agree.
// GetInvoice and ListInvoices hand the fast decoders the body as received (invoiceBody and
// invoicePageBody are transport.BodyDecoders), sparing json.Unmarshal's validation and skip
// passes too: jsonscan validates as it splits.

// ---- the list page ----

// The key lists below are checked against the structs' json tags by TestFastKeysMatchStructs,
// and every known callback names each key of its list: a key added to a struct but not taught
// to its fast decoder fails that test, and a listed key a callback does not handle declines.
var (
	pageFields = jsonscan.NewFields("data", "items", "invoices", "meta", "pagination")
	metaFields = jsonscan.NewFields("total", "total_count", "total_pages", "last_page", "page", "current_page")
	// summaryFields are InvoiceSummary's JSON keys.
	summaryFields = jsonscan.NewFields("id", "invoice_number", "patient_id", "patient_name", "branch_id", "total", "paid", "balance", "status", "date")
)

// decodeInvoicePageFast is invoicePageBody's fast path: a bare array, or an object with a
// data array and an optional meta object (items, invoices and pagination are rare: declined).
// perPage only sizes the slice.
func decodeInvoicePageFast(trimmed []byte, perPage int) (items []InvoiceSummary, meta *listMeta, err error) {
	var r records
	var scratch [256]byte
	r.rec.buf = scratch[:0]
	if len(trimmed) > 0 && trimmed[0] == '[' {
		items, err := jsonscan.List(trimmed, perPage, into(r.summary))
		return items, nil, err
	}
	err = pageFields.Object(trimmed, func(k, v []byte) error {
		var err error
		switch string(k) {
		case "data":
			items, err = jsonscan.List(v, perPage, into(r.summary))
		case "meta":
			meta, err = metaFast(v)
		case "items", "invoices", "pagination": // rare: the slow path picks among them
			err = jsonscan.ErrDecline
		default: // a key of pageFields not handled here
			err = jsonscan.ErrDecline
		}
		return err
	}, nil)
	if err == nil && items == nil { // no data: list gives a non-nil slice for any array
		err = jsonscan.ErrDecline
	}
	return items, meta, err
}

func metaFast(v []byte) (*listMeta, error) {
	m := new(listMeta)
	err := metaFields.Object(v, func(k, v []byte) error {
		n := new(int)
		if err := jsonscan.Int(v, n); err != nil {
			return err
		}
		switch string(k) {
		case "total":
			m.Total = n
		case "total_count":
			m.TotalCount = n
		case "total_pages":
			m.TotalPages = n
		case "last_page":
			m.LastPage = n
		case "page":
			m.Page = n
		case "current_page":
			m.CurrentPage = n
		default: // a key of metaFields not handled here
			return jsonscan.ErrDecline
		}
		return nil
	}, nil)
	return m, err
}

// records decodes the records of one response; rec gathers the strings of each record.
type records struct{ rec texts }

// summary decodes one summary as InvoiceSummary.UnmarshalJSON does, or declines.
func (r *records) summary(b []byte) (InvoiceSummary, error) {
	const (
		id = iota
		number
		patientID
		patientName
		branchID
		status
	)
	var s InvoiceSummary
	t := &r.rec
	t.reset()
	err := summaryFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "id":
			return t.add(id, v)
		case "invoice_number":
			return t.add(number, v)
		case "patient_id":
			return t.add(patientID, v)
		case "patient_name":
			return t.add(patientName, v)
		case "branch_id":
			return t.add(branchID, v)
		case "total":
			return jsonscan.Value(v, &s.Total)
		case "paid":
			return jsonscan.Value(v, &s.Paid)
		case "balance":
			return jsonscan.Value(v, &s.Balance)
		case "status":
			if c, ok := constant(v, invoiceStatuses); ok {
				s.Status = c
				return nil
			}
			return t.add(status, v)
		case "date":
			return date(v, &s.Date)
		default: // a key of summaryFields not handled here
			return jsonscan.ErrDecline
		}
	}, nil)
	if err != nil {
		return InvoiceSummary{}, err
	}
	t.flush()
	s.ID, s.InvoiceNumber, s.PatientID, s.PatientName, s.BranchID = t.get(id), t.get(number), t.get(patientID), t.get(patientName), t.get(branchID)
	if st := t.get(status); st != "" { // else unset, "" or a constant already set
		s.Status = InvoiceStatus(st)
	}
	s.Raw = append(json.RawMessage(nil), b...)
	return s, nil
}

// ---- the invoice detail ----

var (
	// invoiceFields are the keys Invoice.UnmarshalJSON reads: Invoice's own and its variants.
	invoiceFields = jsonscan.NewFields("id", "invoice_number", "date", "status", "currency", "patient", "branch",
		"line_items", "sub_total", "discount", "tax", "grand_total", "paid", "balance", "payments",
		"total", "patient_id", "patient_name", "branch_id")
	partyFields    = jsonscan.NewFields("id", "name")
	taxFields      = jsonscan.NewFields("cgst", "sgst", "igst", "total")
	lineItemFields = jsonscan.NewFields("service_name", "department", "quantity", "rate", "discount", "tax", "amount")
	paymentFields  = jsonscan.NewFields("id", "invoice_id", "amount", "payment_mode", "reference", "payment_date", "recorded_at")
)

// invoiceFast decodes an invoice as Invoice.UnmarshalJSON's encoding/json path does, or
// declines.
func invoiceFast(b []byte) (Invoice, error) {
	const (
		id = iota
		number
		status
		currency
		patientID
		patientName
		branchID
		patient               // and patient+1: the patient object's id and name
		branch  = patient + 2 // and branch+1: the branch object's
	)
	var inv Invoice
	var v variants
	var r records
	var top texts         // the strings of the invoice and its parties
	var scratch [512]byte // one allocation at most, for both
	top.buf, r.rec.buf = scratch[:0:256], scratch[256:256]
	err := invoiceFields.Object(b, func(k, val []byte) error {
		var err error
		switch string(k) {
		case "id":
			err = top.add(id, val)
		case "invoice_number":
			err = top.add(number, val)
		case "date":
			err = date(val, &inv.Date)
		case "status":
			if c, ok := constant(val, invoiceStatuses); ok {
				inv.Status = c
			} else {
				err = top.add(status, val)
			}
		case "currency":
			if c, ok := constant(val, currencies); ok {
				inv.Currency = c
			} else {
				err = top.add(currency, val)
			}
		case "patient":
			err = partyFast(val, &top, patient)
		case "branch":
			err = partyFast(val, &top, branch)
		case "line_items":
			inv.LineItems, err = jsonscan.List(val, 0, into(r.lineItem))
		case "sub_total":
			err = jsonscan.Value(val, &inv.SubTotal)
		case "discount":
			err = jsonscan.Value(val, &inv.Discount)
		case "tax":
			err = taxFast(val, &inv.Tax)
		case "grand_total":
			err = jsonscan.Value(val, &inv.GrandTotal)
		case "paid":
			err = jsonscan.Value(val, &inv.Paid)
		case "balance":
			err = jsonscan.Value(val, &inv.Balance)
		case "payments":
			inv.Payments, err = jsonscan.List(val, 0, into(r.payment))
		case "total":
			v.Total = new(polybill.Decimal)
			err = jsonscan.Value(val, v.Total)
		case "patient_id":
			err = top.add(patientID, val)
		case "patient_name":
			err = top.add(patientName, val)
		case "branch_id":
			err = top.add(branchID, val)
		default: // a key of invoiceFields not handled here
			err = jsonscan.ErrDecline
		}
		return err
	}, nil)
	if err != nil {
		return Invoice{}, err
	}
	top.flush()
	inv.ID, inv.InvoiceNumber = top.get(id), top.get(number)
	if st := top.get(status); st != "" { // else unset, "" or a constant already set
		inv.Status = InvoiceStatus(st)
	}
	if c := top.get(currency); c != "" {
		inv.Currency = polybill.Currency(c)
	}
	inv.Patient = Party{ID: top.get(patient), Name: top.get(patient + 1)}
	inv.Branch = Party{ID: top.get(branch), Name: top.get(branch + 1)}
	v.PatientID, v.PatientName, v.BranchID = top.get(patientID), top.get(patientName), top.get(branchID)
	v.apply(&inv)
	inv.Raw = append(json.RawMessage(nil), b...)
	return inv, nil
}

// partyFast reads a patient or branch object: its id into slot and its name into slot+1 of t,
// whose owner flushes.
func partyFast(b []byte, t *texts, slot int) error {
	return partyFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "id":
			return t.add(slot, v)
		case "name":
			return t.add(slot+1, v)
		default: // a key of partyFields not handled here
			return jsonscan.ErrDecline
		}
	}, nil)
}

func taxFast(b []byte, t *TaxBreakdown) error {
	return taxFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "cgst":
			return jsonscan.Value(v, &t.CGST)
		case "sgst":
			return jsonscan.Value(v, &t.SGST)
		case "igst":
			return jsonscan.Value(v, &t.IGST)
		case "total":
			return jsonscan.Value(v, &t.Total)
		default: // a key of taxFields not handled here
			return jsonscan.ErrDecline
		}
	}, nil)
}

// lineItem decodes a line item as LineItem.UnmarshalJSON does, or declines.
func (r *records) lineItem(b []byte) (LineItem, error) {
	const (
		service = iota
		department
	)
	var l LineItem
	t := &r.rec
	t.reset()
	err := lineItemFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "service_name":
			return t.add(service, v)
		case "department":
			return t.add(department, v)
		case "quantity":
			return jsonscan.Value(v, &l.Quantity)
		case "rate":
			return jsonscan.Value(v, &l.Rate)
		case "discount":
			return jsonscan.Value(v, &l.Discount)
		case "tax":
			return jsonscan.Value(v, &l.Tax)
		case "amount":
			return jsonscan.Value(v, &l.Amount)
		default: // a key of lineItemFields not handled here
			return jsonscan.ErrDecline
		}
	}, nil)
	if err != nil {
		return LineItem{}, err
	}
	t.flush()
	l.ServiceName, l.Department = t.get(service), t.get(department)
	l.Raw = append(json.RawMessage(nil), b...)
	return l, nil
}

// payment decodes a payment as Payment.UnmarshalJSON does, or declines.
func (r *records) payment(b []byte) (Payment, error) {
	const (
		id = iota
		invoiceID
		mode
		reference
		recordedAt
	)
	var p Payment
	t := &r.rec
	t.reset()
	err := paymentFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "id":
			return t.add(id, v)
		case "invoice_id":
			return t.add(invoiceID, v)
		case "amount":
			return jsonscan.Value(v, &p.Amount)
		case "payment_mode":
			if c, ok := constant(v, paymentModes); ok {
				p.Mode = c
				return nil
			}
			return t.add(mode, v)
		case "reference":
			return t.add(reference, v)
		case "payment_date":
			return date(v, &p.PaymentDate)
		case "recorded_at":
			return t.add(recordedAt, v)
		default: // a key of paymentFields not handled here
			return jsonscan.ErrDecline
		}
	}, nil)
	if err != nil {
		return Payment{}, err
	}
	t.flush()
	p.ID, p.InvoiceID, p.Reference = t.get(id), t.get(invoiceID), t.get(reference)
	if m := t.get(mode); m != "" { // else unset, "" or a constant already set
		p.Mode = PaymentMode(m)
	}
	if ts := t.get(recordedAt); ts != "" { // "" parses as the zero time: skip the error it allocates
		p.RecordedAt = parseRecordedAt(ts)
	}
	p.Raw = append(json.RawMessage(nil), b...)
	return p, nil
}

// parseRecordedAt is Payment's reading of recorded_at, for both paths: a timestamp that is not
// RFC 3339 must not cost the caller the payment (it stays in Raw), so it reads as zero.
func parseRecordedAt(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// texts gathers the plain JSON strings of one record (jsonscan.PlainText: no escape, valid
// UTF-8; anything else declines) and makes them Go strings with a single allocation, which
// they then share: a record's strings live and die together. Each string has a slot, numbered
// by the record's decoder, and is assigned to its field after flush. The texts do not keep the
// records off the heap: the scratch arrays that decodeInvoicePageFast and invoiceFast give buf
// escape (go build -gcflags=-m: "moved to heap: scratch"), one allocation per call, and the
// string flush makes is a heap allocation too, at most one per record.
type texts struct {
	buf   []byte           // the texts, one after another
	spans [maxSlots][2]int // bounds of each slot's text in buf and joined
	set   uint16           // the slots added
	// joined is buf as a string, after flush.
	joined string
}

const maxSlots = 16

func (t *texts) reset() {
	t.buf, t.set, t.joined = t.buf[:0], 0, ""
}

// add queues the JSON string v for slot.
func (t *texts) add(slot int, v []byte) error {
	text, ok := jsonscan.PlainText(v)
	if !ok {
		return jsonscan.ErrDecline
	}
	start := len(t.buf)
	t.buf = append(t.buf, text...)
	t.spans[slot] = [2]int{start, len(t.buf)}
	t.set |= 1 << slot
	return nil
}

// flush makes the queued strings.
func (t *texts) flush() {
	if t.set != 0 {
		t.joined = string(t.buf)
	}
}

// get returns slot's string after flush; "" when it was not set.
func (t *texts) get(slot int) string {
	if t.set&(1<<slot) == 0 {
		return ""
	}
	return t.joined[t.spans[slot][0]:t.spans[slot][1]]
}

// ---- leaf readers ----

// into adapts a reader that returns its record to jsonscan.List, which decodes in place.
func into[T any](read func([]byte) (T, error)) func([]byte, *T) error {
	return func(e []byte, dst *T) (err error) {
		*dst, err = read(e)
		return err
	}
}

var (
	invoiceStatuses = []InvoiceStatus{InvoiceStatusDraft, InvoiceStatusFinalized, InvoiceStatusPaid, InvoiceStatusPartiallyPaid, InvoiceStatusCancelled}
	paymentModes    = []PaymentMode{PaymentModeCash, PaymentModeCard, PaymentModeUPI, PaymentModeNEFT, PaymentModeCheque, PaymentModeOnline, PaymentModeInsurance}
	currencies      = []polybill.Currency{Currency}
)

// constant returns the constant among known that the JSON value v spells, if any: statuses
// and modes repeat on every record, and a constant needs no allocation.
func constant[S ~string](v []byte, known []S) (S, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		inner := v[1 : len(v)-1]
		for _, k := range known {
			if string(inner) == string(k) { // the constants hold no quote or backslash
				return k, true
			}
		}
	}
	return "", false
}

// date reads v as Date.UnmarshalJSON does. That method decodes its string with json.Unmarshal
// and then tries two time layouts; the common case, a plain "YYYY-MM-DD" naming a real day, is
// read here directly, and anything else goes to Date.UnmarshalJSON itself.
func date(v []byte, d *Date) error {
	if len(v) == len(`"2006-01-02"`) && v[0] == '"' && v[11] == '"' && v[5] == '-' && v[8] == '-' {
		y, okY := digits(v[1:5])
		m, okM := digits(v[6:8])
		day, okD := digits(v[9:11])
		if parsed := (Date{Year: y, Month: time.Month(m), Day: day}); okY && okM && okD && parsed.Valid() {
			*d = parsed
			return nil
		}
	}
	return jsonscan.Value(v, d)
}

// digits reads a number of ASCII digits only: time.Parse takes no sign in a date's fields.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
