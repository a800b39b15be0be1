package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/wire"
)

type line struct {
	polybill.FieldProblems
	Name   string                     `wire:"name"`
	Amount *polybill.Decimal          `wire:"amount,fee_amount"`
	Count  int                        `wire:"count"`
	Extra  map[string]json.RawMessage `wire:",extra"`
}

type meta struct {
	Total *int `wire:"total"`
}

type record struct {
	polybill.FieldProblems
	ID      string                     `wire:"id"`
	Note    string                     `wire:"note"`
	Amount  polybill.Decimal           `wire:"amount,fee_amount"`
	Due     *time.Time                 `wire:"due_at"`
	Day     polybill.Date              `wire:"day"`
	Paid    bool                       `wire:"paid"`
	Lines   []line                     `wire:"lines"`
	Meta    meta                       `wire:"meta"`
	Tags    map[string]string          `wire:"tags"`
	Attrs   json.RawMessage            `wire:"attributes,raw,flatten"`
	Extra   map[string]json.RawMessage `wire:",extra"`
	Ignored string
}

func decode(t *testing.T, body string) record {
	t.Helper()
	var r record
	require.NoError(t, wire.Decode([]byte(body), &r))
	return r
}

func TestRules(t *testing.T) {
	t.Run("invalid UTF-8 becomes U+FFFD in keys and values", func(t *testing.T) {
		r := decode(t, "{\"note\":\"a\xffb\",\"k\xff\":1}")
		assert.Equal(t, "a\uFFFDb", r.Note)
		assert.Contains(t, r.Extra, "k\uFFFD")
	})
	t.Run("case variants match the field and are not also unknown", func(t *testing.T) {
		r := decode(t, `{"Note":"x","ID":"7"}`)
		assert.Equal(t, "x", r.Note)
		assert.Equal(t, "7", r.ID)
		assert.Empty(t, r.Extra)
	})
	t.Run("duplicate keys: the last wins", func(t *testing.T) {
		r := decode(t, `{"note":"a","note":"b","lines":[{"name":"x"}],"lines":[{"count":2}]}`)
		assert.Equal(t, "b", r.Note)
		require.Len(t, r.Lines, 1)
		assert.Equal(t, "", r.Lines[0].Name)
		assert.Equal(t, 2, r.Lines[0].Count)
	})
	t.Run("the preferred name wins wherever it stands", func(t *testing.T) {
		r := decode(t, `{"amount":"1.5","fee_amount":2}`)
		assert.Equal(t, "1.5", r.Amount.String())
		r = decode(t, `{"fee_amount":2,"amount":"1.5"}`)
		assert.Equal(t, "1.5", r.Amount.String())
		r = decode(t, `{"fee_amount":2}`)
		assert.Equal(t, "2", r.Amount.String())
	})
	t.Run("null is absent", func(t *testing.T) {
		r := decode(t, `{"note":null,"due_at":null,"lines":null,"amount":null}`)
		r.Attrs = nil
		assert.Equal(t, record{}, r)
	})
	t.Run("numbers and booleans read into strings as their text", func(t *testing.T) {
		r := decode(t, `{"id":42,"note":true}`)
		assert.Equal(t, "42", r.ID)
		assert.Equal(t, "true", r.Note)
	})
	t.Run("unknown keys are kept verbatim at every level", func(t *testing.T) {
		r := decode(t, `{"x":{"a" : [1, 2]},"lines":[{"name":"n","y":"\u00e9"}]}`)
		assert.JSONEq(t, `{"a":[1,2]}`, string(r.Extra["x"]))
		assert.Equal(t, `{"a" : [1, 2]}`, string(r.Extra["x"]))
		assert.Equal(t, `"\u00e9"`, string(r.Lines[0].Extra["y"]))
	})
	t.Run("flatten reads a JSON:API resource and a plain object alike", func(t *testing.T) {
		r := decode(t, `{"id":"1","attributes":{"note":"n","z":1}}`)
		assert.Equal(t, "1", r.ID)
		assert.Equal(t, "n", r.Note)
		assert.Equal(t, `{"note":"n","z":1}`, string(r.Attrs))
		assert.Contains(t, r.Extra, "z")
		r = decode(t, `{"id":"1","note":"n"}`)
		assert.Equal(t, "n", r.Note)
		assert.Equal(t, `{"id":"1","note":"n"}`, string(r.Attrs))
	})
	t.Run("untagged fields are not read", func(t *testing.T) {
		r := decode(t, `{"Ignored":"x"}`)
		assert.Empty(t, r.Ignored)
		assert.Contains(t, r.Extra, "Ignored")
	})
	t.Run("integers from strings and whole floats", func(t *testing.T) {
		r := decode(t, `{"meta":{"total":"3"},"lines":[{"count":4.0}]}`)
		assert.Equal(t, 3, *r.Meta.Total)
		assert.Equal(t, 4, r.Lines[0].Count)
		assert.Empty(t, r.Problems())
	})
}

func TestTolerantLeaves(t *testing.T) {
	body := `{"id":"1","amount":"","due_at":"yesterday","day":"2026-13-40","paid":"maybe",
		"lines":[{"name":"a","amount":4.440892098500626e-16},{"name":"b","amount":"250.00 ","count":1.5},{"name":"c","amount":"3.10"}],
		"meta":{"total":"many"},"tags":{"k":{}},"note":["x"]}`
	r := decode(t, body)
	assert.Equal(t, "1", r.ID)
	assert.True(t, r.Amount.IsZero())
	assert.Nil(t, r.Due)
	require.Len(t, r.Lines, 3)
	assert.Equal(t, "a", r.Lines[0].Name)
	assert.Nil(t, r.Lines[0].Amount, "a float residue is never rounded")
	assert.Equal(t, "3.10", r.Lines[2].Amount.String())
	assert.Empty(t, r.Lines[2].Problems())
	var paths []string
	raws := map[string]string{}
	for _, p := range r.Problems() {
		paths = append(paths, p.Path)
		raws[p.Path] = string(p.Raw)
		assert.NotEmpty(t, p.Reason)
	}
	assert.Equal(t, []string{"amount", "due_at", "day", "paid", "meta.total", "tags.k", "note"}, paths)
	assert.Equal(t, `""`, raws["amount"])
	assert.Equal(t, `"many"`, raws["meta.total"])
	assert.Equal(t, `["x"]`, raws["note"])
	require.Len(t, r.Lines[0].Problems(), 1)
	assert.Equal(t, "amount", r.Lines[0].Problems()[0].Path)
	assert.Equal(t, "4.440892098500626e-16", string(r.Lines[0].Problems()[0].Raw))
	require.Len(t, r.Lines[1].Problems(), 2)
	assert.Equal(t, `"250.00 "`, string(r.Lines[1].Problems()[0].Raw))
	assert.Equal(t, "count", r.Lines[1].Problems()[1].Path)
}

func TestPathsInsideNestedValuesWithoutRecords(t *testing.T) {
	type inner struct {
		N int `wire:"n"`
	}
	type outer struct {
		polybill.FieldProblems
		Rows []inner `wire:"rows"`
	}
	var o outer
	require.NoError(t, wire.Decode([]byte(`{"rows":[{"n":1},{"n":"x"}]}`), &o))
	require.Len(t, o.Problems(), 1)
	assert.Equal(t, "rows[1].n", o.Problems()[0].Path)
}

func TestErrors(t *testing.T) {
	for _, body := range []string{``, `{`, `{"id":1,}`, `{"id":"1"} x`, `<html>`, `{"note":"\x01"}`, `{"a":tru}`} {
		var r record
		err := wire.Decode([]byte(body), &r)
		require.Error(t, err, body)
		var x json.RawMessage
		assert.EqualError(t, err, json.Unmarshal([]byte(body), &x).Error(), body)
	}
	var r record
	assert.ErrorContains(t, wire.Decode([]byte(`[1]`), &r), "expected a JSON object, got an array")
	var l []record
	assert.ErrorContains(t, wire.Decode([]byte(`{}`), &l), "expected a JSON array, got an object")
	assert.NoError(t, wire.Decode([]byte(` null `), &r))
}

func TestDepthLimit(t *testing.T) {
	deep := func(n int) []byte {
		b := []byte(`{"x":`)
		for range n {
			b = append(b, '[')
		}
		for range n {
			b = append(b, ']')
		}
		return append(b, '}')
	}
	var r record
	require.NoError(t, wire.Decode(deep(9999), &r))
	require.Error(t, wire.Decode(deep(10000), &r))
	var x any
	require.Error(t, json.Unmarshal(deep(10000), &x))
}

// Numbers, booleans, dates and string amounts are read in place: a record full of them
// allocates what an empty one does.
func TestScalarsAreReadWithoutAllocating(t *testing.T) {
	type scalars struct {
		N      int64            `wire:"n"`
		Q      int              `wire:"q"`
		F      float64          `wire:"f"`
		B      bool             `wire:"b"`
		Due    polybill.Date    `wire:"due"`
		Amount polybill.Decimal `wire:"amount"`
	}
	full := []byte(`{"n":42,"q":"7","f":1.5,"b":true,"due":"2026-03-15","amount":"100.50"}`)
	var v scalars
	require.NoError(t, wire.Decode(full, &v))
	assert.Equal(t, scalars{N: 42, Q: 7, F: 1.5, B: true, Due: polybill.NewDate(2026, time.March, 15), Amount: v.Amount}, v)
	assert.Equal(t, "100.50", v.Amount.String())
	none := []byte(`{}`)
	empty := testing.AllocsPerRun(100, func() { _ = wire.Decode(none, &v) })
	got := testing.AllocsPerRun(100, func() { _ = wire.Decode(full, &v) })
	assert.Equal(t, empty, got, "allocations beyond an empty record's")
}

// DecodeBody's top-level Raw is the body itself (capped, so an append to it cannot write into
// the body); every Raw below the top level is a copy, so a record kept from a page never keeps
// the page; Decode copies every Raw.
func TestDecodeBodySharesOnlyTheTopLevelRaw(t *testing.T) {
	type item struct {
		ID  string          `wire:"id"`
		Raw json.RawMessage `wire:",raw"`
	}
	type doc struct {
		Item  item            `wire:"item"`
		Items []item          `wire:"items"`
		Raw   json.RawMessage `wire:",raw"`
	}
	body := []byte(` {"item":{"id":"a"},"items":[{"id":"b"}]} `)
	shares := func(raw json.RawMessage) bool {
		for i := range body {
			if len(raw) > 0 && &body[i] == &raw[0] {
				return true
			}
		}
		return false
	}

	var owned doc
	require.NoError(t, wire.DecodeBody(body, &owned))
	assert.Equal(t, `{"item":{"id":"a"},"items":[{"id":"b"}]}`, string(owned.Raw))
	assert.True(t, shares(owned.Raw), "the top-level Raw is the body")
	assert.Equal(t, len(owned.Raw), cap(owned.Raw), "capped at its end")
	assert.False(t, shares(owned.Item.Raw), "a nested Raw is a copy")
	require.Len(t, owned.Items, 1)
	assert.False(t, shares(owned.Items[0].Raw), "a page's record is a copy")

	var copied doc
	require.NoError(t, wire.Decode(body, &copied))
	assert.False(t, shares(copied.Raw), "Decode copies")
	assert.Equal(t, owned, copied)
}
