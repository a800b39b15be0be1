package epilot

import (
	"encoding/json"
	"reflect"
	"strconv"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// The events list is the SDK's hot path (100k events through one iterator). Decoding it with
// encoding/json costs one validation per nesting level: the page, then every event
// (ParseBillingEvent), then every relation item, each re-validating its own bytes and building
// a new decoder. The fast path below splits the page once with jsonscan and reads each event's
// known fields straight from its sub-slices. It handles the shapes the API sends; anything it is
// not sure to read exactly as encoding/json would (null, escapes, a repeated key, a key that
// only differs in case from a known one, a value of an unexpected type) makes it give up, and
// the page is decoded the old way, so results and errors are unchanged.

// fastEventList decodes a page of events, trying the fast path first.
type fastEventList struct{ eventList }

func (l *fastEventList) UnmarshalJSON(data []byte) error {
	if l.fast(data) {
		return nil
	}
	l.eventList = eventList{}
	return json.Unmarshal(data, &l.eventList)
}

var eventListKeys = []string{"hits", "results"}

func (l *fastEventList) fast(data []byte) bool {
	var seenHits, seenResults bool
	err := jsonscan.ScanObject(data, func(k, v []byte) error {
		switch string(k) {
		case "hits":
			if seenHits || !isNumber(v) {
				return errSlow
			}
			seenHits = true
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return errSlow
			}
			l.Hits = &n
		case "results":
			if seenResults || v[0] != '[' {
				return errSlow
			}
			seenResults = true
			l.Results = make([]decodedEvent, 0, countElems(v))
			return jsonscan.ScanArray(v, func(elem []byte) error {
				ev, ok := parseEventFast(elem)
				if !ok {
					return errSlow
				}
				l.Results = append(l.Results, decodedEvent{ev})
				return nil
			})
		default:
			if jsonscan.FoldsToKnown(k, eventListKeys) {
				return errSlow
			}
		}
		return nil
	})
	return err == nil
}

// errSlow makes a fast decoder give up for the encoding/json path.
var errSlow = errorString("epilot: fast path declined")

type errorString string

func (e errorString) Error() string { return string(e) }

// countElems estimates the number of elements of a JSON array from its top-level commas; it
// only sizes a slice.
func countElems(v []byte) int {
	n, depth, inStr := 0, 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 1 {
				n++
			}
		}
	}
	return n + 1
}

func isNumber(v []byte) bool { return len(v) > 0 && (v[0] == '-' || ('0' <= v[0] && v[0] <= '9')) }

// plainStrings reads an array of plain strings (an empty array is an empty, non-nil slice, as
// encoding/json decodes it).
func plainStrings(v []byte) ([]string, bool) {
	if v[0] != '[' {
		return nil, false
	}
	out := make([]string, 0, countElems(v))
	err := jsonscan.ScanArray(v, func(e []byte) error {
		s, ok := jsonscan.PlainString(e)
		if !ok {
			return errSlow
		}
		out = append(out, s)
		return nil
	})
	return out, err == nil
}

var eventKeys, eventKeyBit = func() ([]string, map[string]uint32) {
	var ks []string
	bits := map[string]uint32{}
	for k := range jsonKeys(reflect.TypeFor[eventWire]()) {
		bits[k] = 1 << len(ks)
		ks = append(ks, k)
	}
	return ks, bits
}()

var relationItemKeys = []string{"entity_id", "_tags"}

// parseEventFast decodes one event as ParseBillingEvent would, or reports ok false when it
// cannot be sure to.
func parseEventFast(data []byte) (BillingEvent, bool) {
	if len(data) == 0 || data[0] != '{' {
		return nil, false
	}
	var w eventWire
	var extra map[string]json.RawMessage
	var seen uint32
	err := jsonscan.ScanObject(data, func(k, v []byte) error {
		if string(v) == "null" {
			return errSlow
		}
		bit, ok := eventKeyBit[string(k)]
		if !ok {
			if jsonscan.FoldsToKnown(k, eventKeys) {
				return errSlow
			}
			if extra == nil {
				extra = map[string]json.RawMessage{}
			}
			extra[string(k)] = append(json.RawMessage(nil), v...)
			return nil
		}
		if seen&bit != 0 {
			return errSlow
		}
		seen |= bit
		var err error
		switch string(k) {
		case "type":
			err = str(v, &w.Type)
		case "_id":
			err = str(v, &w.ID)
		case "_title":
			err = str(v, &w.Title)
		case "_org":
			err = str(v, &w.Org)
		case "_schema":
			err = str(v, &w.Schema)
		case "direction":
			err = str(v, (*string)(&w.Direction))
		case "status":
			err = str(v, (*string)(&w.Status))
		case "external_id":
			err = str(v, &w.ExternalID)
		case "note":
			err = str(v, &w.Note)
		case "internal_note":
			err = str(v, &w.InternalNote)
		case "billing_currency":
			err = str(v, (*string)(&w.BillingCurrency))
		case "_tags":
			tags, ok := plainStrings(v)
			if !ok {
				return errSlow
			}
			w.Tags = tags
		case "_created_at":
			err = w.CreatedAt.UnmarshalJSON(v)
		case "_updated_at":
			err = w.UpdatedAt.UnmarshalJSON(v)
		case "billing_amount":
			if !isNumber(v) {
				return errSlow
			}
			n, perr := strconv.ParseInt(string(v), 10, 64)
			if perr != nil {
				return errSlow
			}
			w.BillingAmount = &n
		case "billing_amount_decimal":
			w.BillingAmountDecimal = new(polybill.Decimal)
			err = w.BillingAmountDecimal.UnmarshalJSON(v)
		case "booking_date":
			err = w.BookingDate.UnmarshalJSON(v)
		case "due_date":
			err = w.DueDate.UnmarshalJSON(v)
		case "paid_date":
			err = w.PaidDate.UnmarshalJSON(v)
		case "contract":
			w.Contract, err = relationFast(v)
		case "attachments":
			w.Attachments, err = relationFast(v)
		case "related_event":
			err = w.RelatedEvent.UnmarshalJSON(v)
		default: // external_link and anything rarer: encoding/json on the value alone
			err = errSlow
		}
		return err
	})
	if err != nil {
		return nil, false
	}
	f := w.fields()
	f.Extra = extra
	f.raw = append(json.RawMessage(nil), data...)
	return newEvent(w.Type, f), true
}

// str reads a plain JSON string into s.
func str(v []byte, s *string) error {
	t, ok := jsonscan.PlainString(v)
	if !ok {
		return errSlow
	}
	*s = t
	return nil
}

// relationFast reads {"$relation":[{"entity_id":…,"_tags":[…],…}]} as encoding/json reads a
// Relation (items through RelationItem.UnmarshalJSON).
func relationFast(v []byte) (*Relation, error) {
	if v[0] != '{' {
		return nil, errSlow
	}
	r := new(Relation)
	seen := false
	err := jsonscan.ScanObject(v, func(k, v []byte) error {
		if string(k) != "$relation" {
			if jsonscan.FoldsToKnown(k, []string{"$relation"}) {
				return errSlow
			}
			return nil
		}
		if seen || v[0] != '[' {
			return errSlow
		}
		seen = true
		r.Items = make([]RelationItem, 0, countElems(v))
		return jsonscan.ScanArray(v, func(e []byte) error {
			it, ok := relationItemFast(e)
			if !ok {
				return errSlow
			}
			r.Items = append(r.Items, it)
			return nil
		})
	})
	return r, err
}

func relationItemFast(v []byte) (RelationItem, bool) {
	var it RelationItem
	if v[0] != '{' {
		return it, false
	}
	var seenID, seenTags bool
	err := jsonscan.ScanObject(v, func(k, v []byte) error {
		if string(v) == "null" {
			return errSlow
		}
		switch string(k) {
		case "entity_id":
			if seenID {
				return errSlow
			}
			seenID = true
			return str(v, &it.EntityID)
		case "_tags":
			if seenTags {
				return errSlow
			}
			seenTags = true
			tags, ok := plainStrings(v)
			if !ok {
				return errSlow
			}
			it.Tags = tags
		default:
			if jsonscan.FoldsToKnown(k, relationItemKeys) {
				return errSlow
			}
			if it.Extra == nil {
				it.Extra = map[string]json.RawMessage{}
			}
			it.Extra[string(k)] = append(json.RawMessage(nil), v...)
		}
		return nil
	})
	return it, err == nil
}
