package polybill

import "encoding/json"

// FieldProblem is one value of a response that could not be read into its typed field: a
// decimal string that is not a number, an amount with more digits than Decimal holds, an
// unparsable date, a JSON type other than the field's. The record is still returned; the typed
// field stays zero (nil for pointers) and the value as sent is in Raw.
type FieldProblem struct {
	// Path is the JSON path of the value inside the record, such as "amount" or
	// "items[3].balance".
	Path string
	// Raw is the value exactly as sent.
	Raw json.RawMessage
	// Reason says why the value could not be read.
	Reason string
}

// FieldProblems is embedded in every response record of the four APIs: its Problems method
// lists the fields the record could not read (see the package doc of each API, and the rule
// set in the decoding section of docs/architecture.md). A record read without trouble has
// none.
type FieldProblems []FieldProblem

// Problems returns the fields that could not be read, in document order; nil when there are
// none.
func (p FieldProblems) Problems() []FieldProblem { return p }
