package encounters

import (
	"bytes"
	"fmt"
	"strconv"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters/internal/qs"
	"github.com/polybill/polybill-go/internal/wire"
)

// wirePage decodes both find shapes: a Feathers page {total,limit,skip,data}
// and a bare array (services without pagination; both HapiHub SDKs accept it).
type wirePage[T any] struct {
	Items   []T  `wire:"data"`
	Total   *int `wire:"total"`
	Limit   *int `wire:"limit"`
	Skip    *int `wire:"skip"`
	IsArray bool
}

// DecodeBody reads a find answer, as the transport hands it over, with the SDK's one reader.
func (p *wirePage[T]) DecodeBody(b []byte) error {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		p.IsArray = true
		return wire.Decode(b, &p.Items)
	}
	if err := wire.Decode(b, p); err != nil {
		return err
	}
	if p.Total == nil {
		return fmt.Errorf("encounters: find response is neither a page {total,limit,skip,data} nor an array")
	}
	return nil
}

// record reads one record body (a get, create, patch or remove answer) with the SDK's one
// reader.
type record[T any] struct{ v *T }

// bodyReader is a record type read through a wire struct of its own (Customer, PaymentIntent):
// it reads with the reader it is given, wire.Decode from its UnmarshalJSON (the caller's
// bytes, copied) and wire.DecodeBody from record.DecodeBody. Every other record type's
// UnmarshalJSON is decode, the one reader over its own tags, which record.DecodeBody calls
// with wire.DecodeBody directly; a record type whose UnmarshalJSON does more must implement
// bodyReader.
type bodyReader interface {
	read(b []byte, decodeWith func([]byte, any) error) error
}

var (
	_ bodyReader = (*PaymentIntent)(nil)
	_ bodyReader = (*Customer)(nil)
)

// DecodeBody reads a body the transport hands over with wire.DecodeBody, so the record's Raw
// shares it (see wire.DecodeBody).
func (r record[T]) DecodeBody(b []byte) error {
	if v, ok := any(r.v).(bodyReader); ok {
		*r.v = *new(T)
		return v.read(b, wire.DecodeBody)
	}
	return readWith(b, r.v, wire.DecodeBody)
}

// decodeTarget is what the transport decodes a one-record answer into.
func decodeTarget[T any](out *T) any { return record[T]{out} }

// decode reads one JSON document into a response value with the SDK's one reader.
func decode[T any](b []byte, v *T) error { return readWith(b, v, wire.Decode) }

// readWith reads b into v with decodeWith (wire.Decode or wire.DecodeBody).
func readWith[T any](b []byte, v *T, decodeWith func([]byte, any) error) error {
	*v = *new(T)
	return decodeWith(b, v)
}

// toPage computes the next $skip. A page knows its total; a bare array has
// none, so another page is assumed only when the array filled the $limit the
// caller asked for.
func (p *wirePage[T]) toPage(q *Query) *polybill.Page[T] {
	skip, requested := 0, -1
	if q != nil {
		if v, ok := q.obj().Get("$skip"); ok {
			if n, ok := v.(qs.Number); ok {
				skip, _ = strconv.Atoi(string(n))
			}
		}
		if v, ok := q.obj().Get("$limit"); ok {
			if n, ok := v.(qs.Number); ok {
				requested, _ = strconv.Atoi(string(n))
			}
		}
	}
	out := &polybill.Page[T]{Items: p.Items, Total: -1}
	if p.Items == nil {
		out.Items = []T{}
	}
	// An empty body (sdk-js reads it as null) is an empty last page.
	if p.IsArray || p.Total == nil {
		out.Next = skip + len(p.Items)
		out.HasMore = requested > 0 && len(p.Items) >= requested
		return out
	}
	// Trust the server's skip (it may clamp), but never a nonsensical one.
	if p.Skip != nil && *p.Skip >= 0 {
		skip = *p.Skip
	}
	out.Total = max(*p.Total, -1)
	out.Next = skip + len(p.Items)
	out.HasMore = len(p.Items) > 0 && out.Next < out.Total
	return out
}
