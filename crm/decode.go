package crm

import (
	"bytes"
	"encoding/json"
	"fmt"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/wire"
)

// 23blocks' server, its vendor document and its official TypeScript SDK disagree on envelopes
// (`data` plain or JSON:API `{id,type,attributes}`, one resource or a list), on key names
// (`amount`/`fee_amount`, `meeting_id`/`meeting_unique_id`, snake_case/camelCase meta) and on
// value types (amounts as numbers or numeric strings). Every response type is read by
// internal/wire from the `wire` tags on its fields: each field names all the keys it is read
// from, once; the `attributes,raw,flatten` tag reads a JSON:API resource and a plain object
// alike. Nothing is replaced by a default (the SDK's "missing date → now" fallback is exactly
// what we must not do), a value that cannot be read is reported by Problems, and the raw JSON
// stays reachable on every result.

// dataDoc is the `{"data": …}` envelope of the single-object answers.
type dataDoc[T any] struct {
	Data *T `wire:"data"`
}

// decode reads body's `data` into out; a response without data is an error.
func decodeData[T any](body []byte, out *T) error {
	var doc dataDoc[T]
	if err := wire.Decode(body, &doc); err != nil {
		return fmt.Errorf("crm: %w", err)
	}
	if doc.Data != nil {
		*out = *doc.Data
	}
	return nil
}

// rawDoc is an envelope whose `data` and `meta` are read in a second step, for the answers
// whose `data` is one of two different types (a list of billings, or one summary).
type rawDoc struct {
	Data json.RawMessage `wire:"data"`
	Meta json.RawMessage `wire:"meta"`
}

// pageMeta is the pagination block of a list. Each field is nil when the server did not send
// it; snake_case (current_page, total_pages, total_count, per_page, as the official SDK reads)
// and camelCase (totalPages, totalRecords, as the vendor's meetings document shows) are both
// read.
type pageMeta struct {
	polybill.FieldProblems
	CurrentPage *int `wire:"current_page,currentPage,page"`
	TotalPages  *int `wire:"total_pages,totalPages"`
	TotalCount  *int `wire:"total_count,totalCount,totalRecords,total_records,total"`
	PerPage     *int `wire:"per_page,perPage,records"`
}

func isArray(raw json.RawMessage) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '['
}
