package epilot

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// Billing events are the SDK's hot path: GetBillingEvent, and 100k events through one
// ListBillingEvents iterator. Decoding them with encoding/json alone costs a validation per
// nesting level (json.Unmarshal's own validation and skip of the body, then every event, then
// every relation item, each re-validating its own bytes with a new decoder) plus one
// allocation per string, map and pointer. The fast path splits the bytes with jsonscan and
// reads each known field straight from its sub-slice, with a handful of allocations per event
// (see eventDecoder.finish). decodedEvent and eventList are transport.BodyDecoders, so a
// response body reaches it without json.Unmarshal's two passes.
//
// It reads the shapes the API sends. Anything it is not sure to read exactly as the
// encoding/json path would (null, escapes in strings, a repeated key, a key that only differs
// in case from a known one, a value of an unexpected type, invalid JSON) declines with
// jsonscan.ErrDecline, and the same bytes are decoded the encoding/json way, so results and
// errors never depend on which path ran. fastdecode_internal_test.go checks that claim
// differentially, with fuzz targets.

// DecodeBody decodes a response holding one event, as json.Unmarshal would.
func (d *decodedEvent) DecodeBody(body []byte) error {
	if ev, ok := parseEventFast(jsonscan.TrimSpace(body)); ok {
		d.BillingEvent = ev
		return nil
	}
	return json.Unmarshal(body, (*slowEvent)(d))
}

// slowEvent is a decodedEvent read by parseEventSlow alone: DecodeBody's fallback once the
// fast path has declined, so the body is not offered to the fast path a second time.
type slowEvent decodedEvent

func (s *slowEvent) UnmarshalJSON(data []byte) error {
	ev, err := parseEventSlow(data)
	if err != nil {
		return err
	}
	s.BillingEvent = ev
	return nil
}

// DecodeBody decodes a page of events into a fresh list, as json.Unmarshal would. Results
// keeps its capacity (ListBillingEvents sets it to the page size asked for), so a page is
// appended without growing.
func (l *eventList) DecodeBody(body []byte) error {
	results := l.Results[:0]
	*l = eventList{Results: results}
	if l.fast(jsonscan.TrimSpace(body)) == nil {
		return nil
	}
	*l = eventList{Results: results}
	return json.Unmarshal(body, l)
}

// fast decodes a page. An event the fast path declines is decoded alone by parseEventSlow,
// which is what encoding/json runs for it (decodedEvent.UnmarshalJSON), so one odd event does
// not send the whole page down the slow path. An event that fails to decode declines the page:
// which error json.Unmarshal reports then depends on the rest of the page.
func (l *eventList) fast(data []byte) error {
	d := getEventDecoder()
	defer putEventDecoder(d)
	return eventListFields.Object(data, func(k, v []byte) error {
		switch string(k) {
		case "hits":
			var n int
			if err := jsonscan.Int(v, &n); err != nil {
				return err
			}
			l.Hits = &n
			return nil
		case "results":
			if l.Results == nil {
				l.Results = []decodedEvent{} // as encoding/json decodes [] into a nil slice
			}
			return jsonscan.Elements(v, func(e []byte) error {
				ev, err := d.event(e)
				if err != nil {
					if ev, err = parseEventSlow(e); err != nil {
						return err
					}
				}
				l.Results = append(l.Results, decodedEvent{ev})
				return nil
			})
		default:
			// A key of eventList without a case here (see eventField).
			return jsonscan.ErrDecline
		}
	}, nil)
}

// parseEventFast decodes one event (no surrounding whitespace) as ParseBillingEvent would,
// or reports ok false when it cannot be sure to.
func parseEventFast(data []byte) (BillingEvent, bool) {
	d := getEventDecoder()
	defer putEventDecoder(d)
	ev, err := d.event(data)
	return ev, err == nil
}

// The key sets of the objects read by the fast path: exactly the JSON names of the wire types
// the encoding/json path decodes into. Each callback reading known keys names every key it
// reads and declines any other, so a field added to a wire type declines until the fast path
// learns it (TestFastPathKnowsEveryKey fails meanwhile), instead of being read into another
// field.
var (
	eventListFields    = jsonscan.NewFields(wireKeys[eventList]()...)
	eventFields        = jsonscan.NewFields(wireKeys[eventWire]()...)
	relationFields     = jsonscan.NewFields(wireKeys[Relation]()...)
	relationItemFields = jsonscan.NewFields(wireKeys[relationItemWire]()...)
	externalLinkFields = jsonscan.NewFields(wireKeys[ExternalLink]()...)
)

func wireKeys[T any]() []string {
	return slices.Sorted(maps.Keys(jsonKeys(reflect.TypeFor[T]())))
}

// eventDecoder is the scratch state of the fast event decoder. Strings, tag lists and Extra
// entries are not built as they are met but recorded as pending sub-slices of the input and
// built by finish, all strings of one event in one allocation. A decoder is reused (pooled),
// so the pending lists cost nothing per event.
type eventDecoder struct {
	f     *EventFields // of the event being decoded
	typ   string
	box   *amountBox
	strs  []pendingString
	lists []pendingList
	extra []pendingExtra
	arena []byte
}

// pendingString is a plain JSON string's text (src, a sub-slice of the input) to store in
// *dst; a nil dst is an element of a pending list.
type pendingString struct {
	dst *string
	src []byte
}

// pendingList is a list of n strings whose texts are the n nil-dst pendingStrings from
// index first on.
type pendingList struct {
	dst      *[]string
	first, n int
}

// pendingExtra is an unknown property to keep in *dst.
type pendingExtra struct {
	dst        *map[string]json.RawMessage
	key, value []byte
}

// amountBox holds both forms of an event's amount, so Money's two pointers cost one
// allocation.
type amountBox struct {
	units int64
	dec   polybill.Decimal
}

var eventDecoders = sync.Pool{New: func() any { return new(eventDecoder) }}

func getEventDecoder() *eventDecoder { return eventDecoders.Get().(*eventDecoder) }

// putEventDecoder returns d to the pool without references to the last input or event, so a
// pooled decoder never keeps them alive.
func putEventDecoder(d *eventDecoder) {
	d.reset()
	clear(d.strs[:cap(d.strs)])
	clear(d.extra[:cap(d.extra)])
	clear(d.lists[:cap(d.lists)])
	eventDecoders.Put(d)
}

func (d *eventDecoder) reset() {
	d.f = nil
	d.typ = ""
	d.box = nil
	d.strs = d.strs[:0]
	d.lists = d.lists[:0]
	d.extra = d.extra[:0]
}

// event decodes one event, or declines.
func (d *eventDecoder) event(data []byte) (BillingEvent, error) {
	d.reset()
	// Decoded in place: the kind, known only at the end, picks the pointer's type (asKind).
	ev := new(InstallmentEvent)
	d.f = &ev.EventFields
	if err := eventFields.Object(data, d.eventField, d.keepExtra(&d.f.Extra)); err != nil {
		return nil, err
	}
	d.finish(data)
	if k := EventKind(d.typ); k.IsKnown() {
		return asKind(k, ev), nil
	}
	return &CustomEvent{Type: d.typ, EventFields: ev.EventFields}, nil
}

// eventField reads one known property of an event into d.f. Each case reads the value
// exactly as encoding/json reads the eventWire field, or declines.
func (d *eventDecoder) eventField(k, v []byte) error {
	f := d.f
	switch string(k) {
	case "type":
		return d.str(v, &d.typ)
	case "_id":
		return d.str(v, &f.ID)
	case "_title":
		return d.str(v, &f.Title)
	case "_org":
		return d.str(v, &f.Org)
	case "_schema":
		return d.str(v, &f.Schema)
	case "_tags":
		return d.strings(v, &f.Tags)
	case "_created_at":
		var s stamp
		_ = s.UnmarshalJSON(v) // never fails: an unreadable stamp is the zero time
		f.CreatedAt = s.Time
	case "_updated_at":
		var s stamp
		_ = s.UnmarshalJSON(v)
		f.UpdatedAt = s.Time
	case "billing_amount":
		b := d.amount()
		if err := jsonscan.Int(v, &b.units); err != nil {
			return err
		}
		f.Amount.MinorUnits = &b.units
	case "billing_amount_decimal":
		b := d.amount()
		if err := readDecimal(v, &b.dec); err != nil {
			return err
		}
		f.Amount.Decimal = &b.dec
	case "billing_currency":
		return d.str(v, (*string)(&f.Amount.Currency))
	case "booking_date":
		return readDate(v, &f.BookingDate)
	case "due_date":
		return readDate(v, &f.DueDate)
	case "paid_date":
		var t timestamp
		if t.UnmarshalJSON(v) != nil {
			return jsonscan.ErrDecline
		}
		f.PaidDate = t.Time
	case "contract":
		return d.relation(v, &f.Contract)
	case "attachments":
		return d.relation(v, &f.Attachments)
	case "direction":
		return d.str(v, (*string)(&f.Direction))
	case "status":
		return d.str(v, (*string)(&f.Status))
	case "external_id":
		return d.str(v, &f.ExternalID)
	case "related_event":
		if _, ok := jsonscan.PlainText(v); ok {
			return d.str(v, &f.RelatedEvent)
		}
		// The $relation object form (or an escaped string): the wire type's own reader.
		var r relatedEventRef
		if r.UnmarshalJSON(v) != nil {
			return jsonscan.ErrDecline
		}
		f.RelatedEvent = string(r)
	case "external_link":
		l := new(ExternalLink)
		f.ExternalLink = l
		return externalLinkFields.Object(v, func(k, v []byte) error {
			switch string(k) {
			case "href":
				return d.str(v, &l.Href)
			case "title":
				return d.str(v, &l.Title)
			default:
				return jsonscan.ErrDecline // a key of ExternalLink without a case here
			}
		}, nil)
	case "note":
		return d.str(v, &f.Note)
	case "internal_note":
		return d.str(v, &f.InternalNote)
	default:
		// A key of eventWire without a case here: a new wire field must get one before the
		// fast path may accept it.
		return jsonscan.ErrDecline
	}
	return nil
}

func (d *eventDecoder) amount() *amountBox {
	if d.box == nil {
		d.box = new(amountBox)
	}
	return d.box
}

// relation reads {"$relation":[item, …]} as encoding/json reads a Relation.
func (d *eventDecoder) relation(v []byte, r *Relation) error {
	return relationFields.Object(v, func(k, v []byte) error {
		if string(k) != "$relation" {
			return jsonscan.ErrDecline // a key of Relation without a case here
		}
		// Sized once, so the item pointers recorded by the pending lists stay valid.
		items := make([]RelationItem, 0, jsonscan.CountElements(v))
		err := jsonscan.Elements(v, func(e []byte) error {
			if len(items) == cap(items) {
				return jsonscan.ErrDecline
			}
			items = append(items, RelationItem{})
			it := &items[len(items)-1]
			return relationItemFields.Object(e, func(k, v []byte) error {
				switch string(k) {
				case "entity_id":
					return d.str(v, &it.EntityID)
				case "_tags":
					return d.strings(v, &it.Tags)
				default:
					return jsonscan.ErrDecline // a key of RelationItem without a case here
				}
			}, d.keepExtra(&it.Extra))
		})
		r.Items = items
		return err
	}, nil)
}

// str records the plain JSON string v for *dst.
func (d *eventDecoder) str(v []byte, dst *string) error {
	t, ok := jsonscan.PlainText(v)
	if !ok {
		return jsonscan.ErrDecline
	}
	d.strs = append(d.strs, pendingString{dst: dst, src: t})
	return nil
}

// strings records the array of plain strings v for *dst.
func (d *eventDecoder) strings(v []byte, dst *[]string) error {
	first := len(d.strs)
	err := jsonscan.Elements(v, func(e []byte) error {
		t, ok := jsonscan.PlainText(e)
		if !ok {
			return jsonscan.ErrDecline
		}
		d.strs = append(d.strs, pendingString{src: t})
		return nil
	})
	if err != nil {
		return err
	}
	d.lists = append(d.lists, pendingList{dst: dst, first: first, n: len(d.strs) - first})
	return nil
}

// keepExtra returns the reader of unknown properties into *dst.
func (d *eventDecoder) keepExtra(dst *map[string]json.RawMessage) func(k, v []byte) error {
	return func(k, v []byte) error {
		d.extra = append(d.extra, pendingExtra{dst: dst, key: k, value: v})
		return nil
	}
}

// finish builds what the pending lists describe, in four allocations however many fields
// there are: one string holds the text of every string, key and tag of the event; one []string
// backs every tag list; one buffer holds Raw() and, after it, the Extra values (each capped, so
// appending to one never writes over another or over Raw()); and the Extra maps. Strings of
// one event therefore share memory: keeping any of them keeps the event's string text (a few
// hundred bytes) alive, never more than the event itself.
func (d *eventDecoder) finish(data []byte) {
	arena := d.arena[:0]
	for _, p := range d.strs {
		arena = append(arena, p.src...)
	}
	for _, x := range d.extra {
		arena = append(arena, x.key...)
	}
	d.arena = arena
	text := string(arena)
	off := 0
	next := func(n int) string {
		s := text[off : off+n]
		off += n
		return s
	}

	if len(d.lists) > 0 {
		n := 0
		for _, l := range d.lists {
			n += l.n
		}
		all := make([]string, n)
		for _, l := range d.lists {
			list := all[:l.n:l.n]
			all = all[l.n:]
			for i := range list {
				d.strs[l.first+i].dst = &list[i]
			}
			*l.dst = list
		}
	}
	for _, p := range d.strs {
		*p.dst = next(len(p.src))
	}

	size := len(data)
	for _, x := range d.extra {
		size += len(x.value)
	}
	buf := make([]byte, size)
	end := copy(buf, data)
	d.f.raw = buf[:end:end]
	for _, x := range d.extra {
		if *x.dst == nil {
			*x.dst = map[string]json.RawMessage{}
		}
		start := end
		end += copy(buf[start:], x.value)
		(*x.dst)[next(len(x.key))] = buf[start:end:end] // a repeated key: the last wins, as in encoding/json
	}
}

// readDecimal reads billing_amount_decimal as (*polybill.Decimal).UnmarshalJSON does. A
// plain string takes UnmarshalText, which parses the same text without UnmarshalJSON's copies.
func readDecimal(v []byte, dst *polybill.Decimal) error {
	if t, ok := jsonscan.PlainText(v); ok {
		q := polybill.Decimal{}.Quoted() // UnmarshalText keeps the quoted form
		if q.UnmarshalText(t) != nil {
			return jsonscan.ErrDecline
		}
		*dst = q
		return nil
	}
	return jsonscan.Value(v, dst)
}

// readDate reads a date as (*Date).UnmarshalJSON does. The usual "2006-01-02" string is
// parsed here without UnmarshalJSON's json.Unmarshal of the string; anything else is left to
// UnmarshalJSON itself.
func readDate(v []byte, dst *Date) error {
	if t, ok := jsonscan.PlainText(v); ok && len(t) == len(time.DateOnly) {
		if tm, err := time.Parse(time.DateOnly, string(t)); err == nil {
			*dst = polybill.DateOf(tm)
			return nil
		}
	}
	return jsonscan.Value(v, dst)
}
