package encounters

import (
	"encoding/json"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/jsonscan"
)

// Find pages and gets are the SDK's hot paths. Through encoding/json a page of invoices is
// validated and decoded once for the page envelope, again for every record (its UnmarshalJSON
// calls json.Unmarshal on a plain alias), and the envelope's reflection decoder steps over every
// record's bytes a third time before handing them over. The fast path below splits the page
// once with jsonscan and reads each known field straight from its sub-slice. It handles the
// shapes HapiHub sends; anything it is not sure to read exactly as encoding/json would (null,
// a repeated key, a key that only differs in case from a known one, a value of an unexpected
// type, a numeric-string timestamp) makes it decline, and the same bytes are decoded the old
// way, so results and errors never depend on which path ran.
//
// The page envelope is shared by every service: it decodes each element with the record's fast
// decoder when the record type has one (fastRecord), and with the record's own UnmarshalJSON
// otherwise or when the record's fast decoder declines. Only a record whose UnmarshalJSON fails
// makes the whole page decline, so encoding/json reports the error exactly as before.

// fastRecord is a record type with a fast decoder.
type fastRecord interface {
	json.Unmarshaler
	// decodeFast decodes b into the zero receiver exactly as UnmarshalJSON would, or returns
	// jsonscan.ErrDecline, possibly after filling some fields: the caller zeroes the record
	// again before decoding it the slow way.
	decodeFast(b []byte) error
}

// decodeTarget is what the transport decodes a response into, given the fresh record out: out
// itself, or, when the record type has a fast decoder, a wrapper that tries it first. The
// wrapper is only ever used on a zero record, which is what decodeFast requires (on a non-zero
// record encoding/json merges into the existing fields; the fast path does not copy that).
func decodeTarget[T any](out *T) any {
	if _, ok := any(out).(fastRecord); ok {
		return &freshRecord[T]{out}
	}
	return out
}

// freshRecord decodes into a zero record through its fast decoder, falling back to the
// record's UnmarshalJSON: encoding/json hands both the same bytes (the value without the
// whitespace around it) and returns the Unmarshaler's error unchanged.
type freshRecord[T any] struct{ v *T }

// DecodeBody lets the transport skip json.Unmarshal's validation and skip passes. The fast
// path validates the value it reads and gets it without the whitespace JSON allows around it,
// as from encoding/json (Raw keeps exactly that); when it declines, the body takes exactly the
// transport's old path, json.Unmarshal, so a body that is not JSON (a \v after the value, a
// truncated string) is refused with the same error as before.
func (f *freshRecord[T]) DecodeBody(body []byte) error {
	if any(f.v).(fastRecord).decodeFast(jsonscan.TrimSpace(body)) == nil {
		return nil
	}
	var zero T
	*f.v = zero
	return json.Unmarshal(body, f.v)
}

func (f *freshRecord[T]) UnmarshalJSON(b []byte) error {
	r := any(f.v).(fastRecord)
	if r.decodeFast(b) == nil {
		return nil
	}
	var zero T
	*f.v = zero
	return r.UnmarshalJSON(b)
}

// DecodeBody: see freshRecord.DecodeBody.
func (p *wirePage[T]) DecodeBody(body []byte) error {
	if p.decodeFast(jsonscan.TrimSpace(body)) == nil {
		return nil
	}
	return json.Unmarshal(body, (*slowPage[T])(p))
}

// slowPage is a wirePage decoded by decodeSlow alone: DecodeBody's fallback, which must not
// try the fast path a second time.
type slowPage[T any] wirePage[T]

func (p *slowPage[T]) UnmarshalJSON(b []byte) error { return (*wirePage[T])(p).decodeSlow(b) }

var pageFields = jsonscan.NewFields("total", "limit", "skip", "data")

// decodeFast decodes a find answer (b without surrounding whitespace) as decodeSlow would, or
// declines and leaves p untouched.
func (p *wirePage[T]) decodeFast(b []byte) error {
	var out wirePage[T]
	if len(b) > 0 && b[0] == '[' {
		items, err := jsonscan.List(b, 0, decodeElement[T])
		if err != nil {
			return err
		}
		out.Items, out.IsArray = items, true
		*p = out
		return nil
	}
	err := pageFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "total":
			return intPtr(v, &out.Total)
		case "limit":
			return intPtr(v, &out.Limit)
		case "skip":
			return intPtr(v, &out.Skip)
		case "data":
			items, err := jsonscan.List(v, 0, decodeElement[T])
			out.Items = items
			return err
		}
		return nil
	}, nil)
	if err != nil {
		return err
	}
	if out.Total == nil {
		return jsonscan.ErrDecline // decodeSlow's "neither a page nor an array" error
	}
	*p = out
	return nil
}

func intPtr(v []byte, p **int) error {
	n := new(int)
	if err := jsonscan.Int(v, n); err != nil {
		return err
	}
	*p = n
	return nil
}

// decodeElement decodes e into the zero *p as encoding/json does for an element of a []T: by
// T's UnmarshalJSON, with the same bytes. An error declines, so the page is decoded again by
// encoding/json and reports it in its own words.
func decodeElement[T any](e []byte, p *T) error {
	switch r := any(p).(type) {
	case fastRecord:
		if r.decodeFast(e) == nil {
			return nil
		}
		var zero T
		*p = zero
		if r.UnmarshalJSON(e) != nil {
			return jsonscan.ErrDecline
		}
	case json.Unmarshaler:
		if r.UnmarshalJSON(e) != nil {
			return jsonscan.ErrDecline
		}
	default:
		// Every record type of this package has an UnmarshalJSON; a type without one
		// is left to encoding/json rather than decoded by rules copied from it.
		return jsonscan.ErrDecline
	}
	return nil
}

// text reads the JSON string v into s. A string without escapes is read straight from the
// bytes; one with escapes is unquoted by encoding/json itself, which is exactly what decoding
// it into a string field does (\u escapes, surrogate pairs, invalid UTF-8 replaced by U+FFFD),
// so free text such as notes with a newline or a quote stays on the fast path. Any other value
// declines. (jsonscan.String declines on every escape.)
func text[S ~string](v []byte, s *S) error {
	if jsonscan.String(v, s) == nil {
		return nil
	}
	if len(v) == 0 || v[0] != '"' {
		return jsonscan.ErrDecline
	}
	var t string
	if json.Unmarshal(v, &t) != nil {
		return jsonscan.ErrDecline
	}
	*s = S(t)
	return nil
}

// epochMillis reads a timestamp as millis.UnmarshalJSON does when it is a JSON integer; a
// numeric string, a fraction or an exponent declines (millis reads those through json.Number
// and float parsing, which the fast path does not copy).
func epochMillis(v []byte, t *time.Time) error {
	var ms int64
	if err := jsonscan.Int(v, &ms); err != nil {
		return err
	}
	*t = time.UnixMilli(ms).UTC()
	return nil
}

// populated reads $populated as encoding/json decodes an object into a fresh
// map[string]json.RawMessage: keys unquoted (jsonscan unquotes exactly as encoding/json does),
// each value copied as written, a repeated key keeping its last value, an empty object an
// empty, non-nil map. Anything but an object declines.
func populated(v []byte, p *Populated) error {
	if len(v) == 0 || v[0] != '{' {
		return jsonscan.ErrDecline
	}
	m := Populated{}
	err := jsonscan.ScanObject(v, func(k, val []byte) error {
		m[string(k)] = append(json.RawMessage(nil), val...)
		return nil
	})
	if err != nil {
		return jsonscan.ErrDecline
	}
	*p = m
	return nil
}

// invoiceFields are the keys Invoice.UnmarshalJSON reads: Invoice's JSON fields plus the two
// epoch-millisecond timestamps of its wrapper. TestFastKeysMatchStructs keeps them in step.
var invoiceFields = jsonscan.NewFields(
	"id", "facility", "type", "subject", "subjectType", "subjectTags", "or", "taxComplication",
	"notes", "discounts", "tags", "actionCode", "coverageTypes", "total", "paid", "balance",
	"status", "finalizedAt", "finalizedBy", "createdAt", "createdBy", "$populated",
)

// decodeFast decodes in place: a find page's records are written once, not built and copied.
func (i *Invoice) decodeFast(b []byte) error {
	err := invoiceFields.Object(b, func(k, v []byte) error {
		switch string(k) {
		case "id":
			return text(v, &i.ID)
		case "facility":
			return text(v, &i.Facility)
		case "type":
			return text(v, &i.Type)
		case "subject":
			return text(v, &i.Subject)
		case "subjectType":
			return text(v, &i.SubjectType)
		case "subjectTags":
			return textList(v, &i.SubjectTags)
		case "or":
			return text(v, &i.OR)
		case "taxComplication":
			return text(v, &i.TaxComplication)
		case "notes":
			return text(v, &i.Notes)
		case "discounts":
			return discounts(v, &i.Discounts)
		case "tags":
			return textList(v, &i.Tags)
		case "actionCode":
			return text(v, &i.ActionCode)
		case "coverageTypes":
			return textList(v, &i.CoverageTypes)
		case "total":
			return jsonscan.Value(v, &i.Total)
		case "paid":
			return jsonscan.Value(v, &i.Paid)
		case "balance":
			return jsonscan.Value(v, &i.Balance)
		case "status":
			return text(v, &i.Status)
		case "finalizedAt":
			return epochMillis(v, &i.FinalizedAt)
		case "finalizedBy":
			return text(v, &i.FinalizedBy)
		case "createdAt":
			return epochMillis(v, &i.CreatedAt)
		case "createdBy":
			return text(v, &i.CreatedBy)
		case "$populated":
			return populated(v, &i.Populated)
		}
		return nil
	}, nil)
	if err != nil {
		return err
	}
	i.Raw = make(json.RawMessage, len(b)) // make+copy allocates without zeroing first
	copy(i.Raw, b)
	return nil
}

func textList(v []byte, s *[]string) error {
	out, err := jsonscan.Strings(v)
	if err != nil {
		return err
	}
	*s = out
	return nil
}

var discountFields = jsonscan.NewFields("id", "promo", "code", "name", "amount", "percentage")

// discounts reads Discount objects (a plain struct, decoded by encoding/json's reflection):
// a null element, or anything but an object, declines. An invoice has a discount or two, so
// the slice grows by append rather than after a counting pass; [] is an empty, non-nil slice,
// as encoding/json decodes it.
func discounts(v []byte, ds *[]Discount) error {
	out := []Discount{}
	err := jsonscan.Elements(v, func(e []byte) error {
		var d Discount
		err := discountFields.Object(e, func(k, v []byte) error {
			switch string(k) {
			case "id":
				return text(v, &d.ID)
			case "promo":
				return text(v, &d.Promo)
			case "code":
				return text(v, &d.Code)
			case "name":
				return text(v, &d.Name)
			case "amount":
				d.Amount = new(polybill.Decimal)
				return jsonscan.Value(v, d.Amount)
			case "percentage":
				d.Percentage = new(polybill.Decimal)
				return jsonscan.Value(v, d.Percentage)
			}
			return nil
		}, nil)
		out = append(out, d)
		return err
	})
	if err != nil {
		return err
	}
	*ds = out
	return nil
}
