// Package wire is the one reader of every response of the four APIs: a declarative decoder
// driven by struct tags, over one validating single-pass JSON tokenizer, with a plan per Go type
// built by reflection once and cached.
//
// It is also the one writer of their request bodies: Encode (encode.go) writes a wire struct
// with its `,extra` properties verbatim; see its doc.
//
// # Declaring a field
//
// A field is read from the keys its `wire` tag names, in order of preference:
//
//	Amount *polybill.Decimal `wire:"amount,fee_amount"`
//
// Without a `wire` tag the `json` tag's name is used; a field with neither (or `wire:"-"`) is
// not read. Options, written as a tag of their own:
//
//	Extra map[string]json.RawMessage `wire:",extra"`     // every key no field names, verbatim
//	Raw   json.RawMessage            `wire:",raw"`       // the whole object, verbatim
//	Attrs json.RawMessage            `wire:"attributes,raw,flatten"` // JSON:API: the members of
//	    // "attributes" are read as this struct's own; Attrs keeps that object (or, without an
//	    // "attributes" object, the whole object)
//
// A struct embedding polybill.FieldProblems collects the problems of its fields and of the
// nested values it holds (see Tolerant leaves).
//
// # The rule set
//
// These rules hold for every response type of every API; the API package docs link here.
//
//   - Key matching: a key matches a field when it equals one of the field's names, or, when no
//     name equals it, when it equals one up to case, folded exactly as encoding/json folds keys
//     (bytes.EqualFold: "NOTE" and "Note" are "note", and so is Unicode's fold set, "tagſ" is
//     "tags"). The same rule decides what is unknown: a key that matches a field is never also
//     kept in Extra. FuzzAgreesWithEncodingJSON holds this against encoding/json.
//   - Alternative names: when several of a field's names are present, the earliest in the tag
//     wins, wherever it stands in the object.
//   - Duplicate keys: the last occurrence wins, as in encoding/json.
//   - null means absent: the field keeps its zero value and null is not a problem.
//   - Strings are decoded as encoding/json decodes them: escapes resolved, invalid UTF-8
//     replaced by U+FFFD, in keys and values alike. A number or boolean read into a string field
//     is kept as its literal text (servers send ids as 42 or "42").
//   - Nesting depth: at most 10000 nested arrays and objects, encoding/json's limit.
//   - A body that is not JSON (invalid, truncated, trailing data) is an error with
//     encoding/json's own message, and nothing decoded from it is returned. A body whose top
//     level is of another JSON type than the response type (an array for an object) is an
//     error too.
//
// # Tolerant leaves
//
// A value that cannot be read into its field (a JSON type other than the field's, a decimal
// string that is not a number, an amount needing more digits than polybill.Decimal holds, an
// unparsable date or time) never fails the record, the page or the call: the field stays zero
// (nil for a pointer), and the nearest enclosing struct embedding polybill.FieldProblems
// records a polybill.FieldProblem with the value's JSON path relative to that record and the
// raw value. An amount is never rounded: one that needs more digits than Decimal holds (a
// JavaScript float residue such as 4.440892098500626e-16) is such a problem.
//
// # Replacing it with encoding/json/v2
//
// Decode (and DecodeBody, its variant for a body the transport hands over) is the only
// reading function the API packages call (they also name the type OneOrMany; the spec tests
// of internal/spectest ask Field, Elem and Leaf, which read the same tags). When
// encoding/json/v2 is stable, Decode can become a call to json.Unmarshal with per-type
// unmarshalers (v2's UnmarshalFromFunc) implementing the same rules, without touching the API
// packages.
package wire
