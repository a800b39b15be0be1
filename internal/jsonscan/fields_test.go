package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type pair struct {
	ID   string `json:"id"`
	Size int    `json:"size"`
}

// decodePair is a fast decoder as the API packages write them.
func decodePair(data []byte) (p pair, extra []string, err error) {
	err = pairFields.Object(data, func(k, v []byte) error {
		switch string(k) {
		case "id":
			return String(v, &p.ID)
		default:
			return Int(v, &p.Size)
		}
	}, func(k, _ []byte) error {
		extra = append(extra, string(k))
		return nil
	})
	return p, extra, err
}

var pairFields = NewFields("id", "size")

func TestFieldsObject(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     pair
		extra    []string
		declines bool
	}{
		{name: "known and unknown", in: `{"id":"a","x":[1,{"y":2}],"size":3}`, want: pair{"a", 3}, extra: []string{"x"}},
		{name: "empty", in: `{}`},
		{name: "repeated key", in: `{"id":"a","id":"b"}`, declines: true},
		{name: "null", in: `{"id":null}`, declines: true},
		{name: "folded key", in: `{"ID":"a"}`, declines: true},
		{name: "non-ASCII key", in: `{"ſize":1}`, declines: true},
		{name: "escaped string", in: `{"id":"a\n"}`, declines: true},
		{name: "fraction", in: `{"size":1.5}`, declines: true},
		{name: "exponent", in: `{"size":1e3}`, declines: true},
		{name: "overflow", in: `{"size":99999999999999999999}`, declines: true},
		{name: "string number", in: `{"size":"1"}`, declines: true},
		{name: "array", in: `[]`, declines: true},
		{name: "invalid", in: `{"id":"a",}`, declines: true},
		{name: "empty input", in: ``, declines: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, extra, err := decodePair([]byte(tt.in))
			if tt.declines {
				assert.ErrorIs(t, err, ErrDecline)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.extra, extra)
		})
	}
}

func TestLeafReaders(t *testing.T) {
	var b bool
	require.NoError(t, Bool([]byte("true"), &b))
	assert.True(t, b)
	assert.ErrorIs(t, Bool([]byte(`"true"`), &b), ErrDecline)

	s, err := Strings([]byte(`[]`))
	require.NoError(t, err)
	assert.NotNil(t, s)
	_, err = Strings([]byte(`["a","\u0062"]`))
	assert.ErrorIs(t, err, ErrDecline)

	assert.Equal(t, 3, CountElements([]byte(`[1,[2,3],{"a":",","b":4}]`)))
}

// FuzzFieldsObject checks the fast decoder against encoding/json: whenever it accepts an
// input, encoding/json accepts it too and decodes the same values.
func FuzzFieldsObject(f *testing.F) {
	for _, s := range []string{`{"id":"a","size":1}`, `{"id":"a","Size":1}`, `{"size":-0}`, `{"id":"\u00e9"}`, `{"x":{"id":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, _, err := decodePair(data)
		if err != nil {
			return
		}
		var want pair
		require.NoError(t, json.Unmarshal(data, &want), "fast path accepted what encoding/json rejects")
		assert.Equal(t, want, got)
	})
}

func TestList(t *testing.T) {
	readInt := func(e []byte, dst *int) error { return Int(e, dst) }
	many := "[" + strings.Repeat("1,", 299) + "1]"
	for _, hint := range []int{0, 2, 1000} {
		got, err := List([]byte(`[1, 2 ,3]`), hint, readInt)
		require.NoError(t, err)
		assert.Equal(t, []int{1, 2, 3}, got, "hint %d", hint)

		got, err = List([]byte(`[]`), hint, readInt)
		require.NoError(t, err)
		assert.NotNil(t, got, "an empty array is an empty, non-nil slice")
		assert.Empty(t, got)

		got, err = List([]byte(many), hint, readInt)
		require.NoError(t, err)
		assert.Len(t, got, 300, "more elements than the stack buffer holds")

		for _, bad := range []string{`[1,"2"]`, `{}`, `[1,]`, ``, `null`} {
			_, err = List([]byte(bad), hint, readInt)
			assert.ErrorIs(t, err, ErrDecline, "%q with hint %d", bad, hint)
		}
	}
}
