package crm

import (
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// GetBilling and the billing pages of ListMeetingBillings are the SDK's hot paths (one
// record per call; 100k records through one iterator). The general reader (decodeSlow) splits
// every object into a member list, looks each field up by all its alternative names, and
// allocates every string, time and amount on its own. The fast path below reads the shape the
// API actually sends (a JSON:API resource, exact key names, plain strings) from one jsonscan
// split per object, finds each field through a key table, and builds each billing from three
// allocations: its strings, its amount and times, and its raw attributes.
//
// Whenever the input is anything it is not sure to read exactly as decodeSlow would (the
// plain-object form, null, a string with escapes, a repeated key, a key that differs from a
// known one only in case, a value of an unexpected type, an amount decodeSlow would reject, a
// count sent as "2" or 4.0), it declines and decodeSlow reads the same bytes, so results and errors
// never depend on which path ran.

var (
	// envelopeFields is the top level of every response.
	envelopeFields = jsonscan.NewFields("data", "meta")
	// resourceFields is a JSON:API resource; its other members (links, relationships) are
	// not read.
	resourceFields = jsonscan.NewFields("id", "type", "attributes")
	billingAttrs   = newAltKeys(billingKeys[:])
	metaAttrs      = newAltKeys(metaKeys[:])
)

// altKeys is the key set of an object whose fields each have alternative names (names[f] for
// field f, in order of preference), read as object.value reads it: a field's value is that of
// its first name present.
type altKeys struct {
	fields *jsonscan.Fields
	// byLen lists the names by length: a known key is found among the two or three names of
	// its length, cheaper than a second map lookup after the one jsonscan.Fields makes.
	byLen [][]altKey
}

type altKey struct {
	name        string
	field, rank uint8
}

func newAltKeys(names [][]string) *altKeys {
	a := &altKeys{}
	var all []string
	for f, alts := range names {
		for r, k := range alts {
			for len(a.byLen) <= len(k) {
				a.byLen = append(a.byLen, nil)
			}
			a.byLen[len(k)] = append(a.byLen[len(k)], altKey{k, uint8(f), uint8(r)})
			all = append(all, k)
		}
	}
	a.fields = jsonscan.NewFields(all...)
	return a
}

// read scans the object data and sets vals[f] to the value of field f, nil when absent.
// jsonscan.Fields declines null values (which object.value skips) and repeated keys (where
// object.get takes the last), so the first present name is the preferred one.
func (a *altKeys) read(data []byte, vals [][]byte) error {
	var rank [64]uint8 // jsonscan.Fields holds at most 64 keys
	return a.fields.Object(data, func(k, v []byte) error {
		for _, c := range a.byLen[len(k)] { // k is known: Fields found it
			if c.name == string(k) {
				if vals[c.field] == nil || c.rank < rank[c.field] {
					vals[c.field], rank[c.field] = v, c.rank
				}
				return nil
			}
		}
		return jsonscan.ErrDecline // unreachable: every name of fields is in byLen
	}, nil)
}

// splitEnvelope returns the `data` and `meta` members of body (nil when absent).
func splitEnvelope(body []byte) (data, meta []byte, err error) {
	err = envelopeFields.Object(body, func(k, v []byte) error {
		if k[0] == 'd' {
			data = v
		} else {
			meta = v
		}
		return nil
	}, nil)
	return data, meta, err
}

func (d *billingDoc) decodeFast(body []byte) error {
	data, _, err := splitEnvelope(body)
	if err != nil {
		return err
	}
	if data == nil {
		return jsonscan.ErrDecline // decodeSlow reports the missing data
	}
	var b Billing
	if err := b.UnmarshalJSON(data); err != nil {
		return jsonscan.ErrDecline // decodeSlow reports it
	}
	d.billing = b
	return nil
}

// decodeFast sets the same fields decodeSlow sets for the same input, and nothing on decline.
// Each billing goes through Billing.UnmarshalJSON, as in decodeSlow: one billing the fast
// path declines (a note with an escape) costs that billing a slow read, not the whole page.
func (d *meetingBillingDoc) decodeFast(body []byte) error {
	data, meta, err := splitEnvelope(body)
	if err != nil {
		return err
	}
	var m pageMeta
	if meta != nil {
		if err := m.decodeFast(meta); err != nil {
			return err
		}
	}
	switch {
	case data == nil:
		d.meta, d.billings = m, nil
	case data[0] == '[':
		list := make([]Billing, 0, m.sizeHint(data))
		if err := jsonscan.Elements(data, func(e []byte) error {
			list = append(list, Billing{})
			return list[len(list)-1].UnmarshalJSON(e)
		}); err != nil {
			return jsonscan.ErrDecline // decodeSlow reports it
		}
		d.meta, d.billings = m, list
	default:
		var b Billing
		if err := b.UnmarshalJSON(data); err != nil {
			return jsonscan.ErrDecline
		}
		d.meta, d.billings, d.single = m, []Billing{b}, true
	}
	return nil
}

// sizeHint is the number of billings the page's data array holds, as its meta says: a full
// page (per_page), or what is left of the total on the last one. When the meta cannot tell,
// or tells something no JSON:API billing fits in (one takes at least 18 bytes, so a hostile
// count cannot make the page allocate more than its body's size), the elements are counted
// instead, which costs one more pass over the bytes. Either way it only sizes a slice.
func (m pageMeta) sizeHint(data []byte) int {
	n := 0
	if m.PerPage != nil {
		n = *m.PerPage
		if m.CurrentPage != nil && m.TotalCount != nil && *m.CurrentPage > 0 {
			n = min(n, *m.TotalCount-(*m.CurrentPage-1)*n)
		}
	}
	if n <= 0 || n > len(data)/len(`{"attributes":{}},`) {
		return jsonscan.CountElements(data)
	}
	return n
}

// decodeFast reads the counts as JSON integers only; counts sent as strings or as 4.0 decline
// to parsePageMeta.
func (m *pageMeta) decodeFast(data []byte) error {
	var vals [numMetaFields][]byte
	if err := metaAttrs.read(data, vals[:]); err != nil {
		return err
	}
	var out pageMeta
	dst := [numMetaFields]**int{&out.CurrentPage, &out.TotalPages, &out.TotalCount, &out.PerPage}
	for f, v := range vals {
		if v == nil {
			continue
		}
		n := new(int)
		if err := jsonscan.Int(v, n); err != nil {
			return err
		}
		*dst[f] = n
	}
	*m = out
	return nil
}

// Text slots of a billing: the attribute fields (by their billingKeys index; bAmount stays
// empty), then the resource's id and type.
const (
	textID = numBillingFields + iota
	textType
	numTexts
)

// billingPointees is what a billing's pointer fields point to.
type billingPointees struct {
	amount                      polybill.Decimal
	due, paid, created, updated time.Time
}

// decodeFast reads a JSON:API billing resource, or declines (the plain-object form
// included). b is only written on success.
func (b *Billing) decodeFast(data []byte) error {
	var raw [numTexts][]byte // the attribute values by billingKeys index, then id and type
	var attrs []byte
	if err := resourceFields.Object(data, func(k, v []byte) error {
		switch string(k) {
		case "id":
			raw[textID] = v
		case "type":
			raw[textType] = v
		default: // "attributes"
			attrs = v
		}
		return nil
	}, nil); err != nil {
		return err
	}
	if attrs == nil || attrs[0] != '{' {
		// decodeSlow reads such a resource as a plain object: its members are the attributes.
		return jsonscan.ErrDecline
	}
	if err := billingAttrs.read(attrs, raw[:numBillingFields]); err != nil {
		return err
	}

	var amount polybill.Decimal
	hasAmount := raw[bAmount] != nil
	if hasAmount {
		if amount.UnmarshalJSON(raw[bAmount]) != nil {
			return jsonscan.ErrDecline // decodeSlow reports it, naming the field
		}
		raw[bAmount] = nil
	}

	// Every text goes into one string: a billing's fields are kept together anyway, and one
	// allocation replaces one per field.
	var texts [numTexts][]byte
	n := 0
	for i, v := range raw {
		if v == nil {
			continue
		}
		t, ok := scalarText(v)
		if !ok {
			return jsonscan.ErrDecline // an escape (decoded) or a container (an error)
		}
		texts[i] = t
		n += len(t)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, t := range texts {
		sb.Write(t)
	}
	all := sb.String()
	var s [numTexts]string
	for i, t := range texts {
		s[i], all = all[:len(t)], all[len(t):]
	}

	due, hasDue := parseTimestamp(s[bDueAt])
	paid, hasPaid := parseTimestamp(s[bPaidAt])
	created, hasCreated := parseTimestamp(s[bCreatedAt])
	updated, hasUpdated := parseTimestamp(s[bUpdatedAt])

	out := Billing{
		ID:                  s[textID],
		Type:                s[textType],
		UniqueID:            s[bUniqueID],
		MeetingID:           s[bMeetingID],
		Currency:            s[bCurrency],
		PayerName:           s[bPayerName],
		PayerEmail:          s[bPayerEmail],
		PayerType:           s[bPayerType],
		BillingType:         s[bBillingType],
		ParticipantEmail:    s[bParticipantEmail],
		ParticipantUniqueID: s[bParticipantUniqueID],
		Status:              Status(s[bStatus]),
		BillingStatus:       s[bBillingStatus],
		Notes:               s[bNotes],
		SessionDate:         s[bSessionDate],
		Attributes:          clone(attrs),
	}
	if out.ID == "" {
		out.ID = out.UniqueID
	}
	if hasAmount || hasDue || hasPaid || hasCreated || hasUpdated {
		// One allocation for all pointer fields: they live as long as the billing anyway.
		h := &billingPointees{amount: amount, due: due, paid: paid, created: created, updated: updated}
		if hasAmount {
			out.Amount = &h.amount
		}
		if hasDue {
			out.DueAt = &h.due
		}
		if hasPaid {
			out.PaidAt = &h.paid
		}
		if hasCreated {
			out.CreatedAt = &h.created
		}
		if hasUpdated {
			out.UpdatedAt = &h.updated
		}
	}
	*b = out
	return nil
}
