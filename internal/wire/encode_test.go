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

type inner struct {
	Name  string                     `json:"name"`
	Extra map[string]json.RawMessage `json:"-" wire:",extra"`
}

type base struct {
	ID    string `json:"id,omitempty"`
	Shade string `json:"shade,omitempty"`
}

type body struct {
	base
	Shade   string           `json:"shade,omitempty"` // shadows base.Shade
	Amount  polybill.Decimal `json:"amount"`
	Due     *polybill.Date   `json:"due,omitempty"`
	At      *time.Time       `json:"at,omitempty"`
	Notes   *string          `json:"notes,omitempty"`
	Tags    []string         `json:"tags,omitempty"`
	Inner   *inner           `json:"inner,omitempty"`
	When    time.Time        `json:"when,omitzero"`
	ReadKey string           `wire:"read_key,readKey"`
	Raw     json.RawMessage  `wire:",raw"`
	//lint:ignore U1000 an unexported field is never written; this one shows it
	skip  int
	Extra map[string]json.RawMessage `json:"-" wire:",extra"`
}

func TestEncode(t *testing.T) {
	notes := "a <b> & c"
	due := polybill.NewDate(2026, time.March, 1)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"zero", body{}, `{"amount":0,"read_key":""}`},
		{"typed fields in declaration order, embedded ones in place, leaves as their MarshalJSON writes them",
			body{base: base{ID: "x", Shade: "lost"}, Shade: "kept", Amount: polybill.MustDecimal("250.00"), Due: &due, At: &at, Notes: &notes, Tags: []string{"a"}, ReadKey: "k"},
			`{"id":"x","shade":"kept","amount":250.00,"due":"2026-03-01","at":"2026-03-01T09:30:00Z","notes":"a \u003cb\u003e \u0026 c","tags":["a"],"read_key":"k"}`},
		{"quoted decimal stays a string", body{Amount: polybill.MustDecimal("1.50").Quoted()}, `{"amount":"1.50","read_key":""}`},
		{"extras verbatim, sorted, after the typed fields; a declared key never comes from extra",
			body{Amount: polybill.MustDecimal("1"), Extra: map[string]json.RawMessage{
				"z": json.RawMessage(`{ "keep" : [1, 2.50] }`), "a": json.RawMessage(`"x"`),
				"amount": json.RawMessage(`999`), "notes": json.RawMessage(`"omitted typed field still wins"`),
				"readKey": json.RawMessage(`1`), "AMOUNT": json.RawMessage(`2`), "Notes": json.RawMessage(`"case variant"`), "ſkip": json.RawMessage(`"not a field: sent"`), "tagſ": json.RawMessage(`"folds to tags"`),
			}},
			`{"amount":1,"read_key":"","a":"x","z":{ "keep" : [1, 2.50] },"ſkip":"not a field: sent"}`},
		{"extras at a nested level", body{Inner: &inner{Name: "n", Extra: map[string]json.RawMessage{"name": []byte(`"no"`), "b": []byte(`true`)}}},
			`{"amount":0,"inner":{"name":"n","b":true},"read_key":""}`},
		{"maps sorted, nil slice null", map[string]any{"b": []int(nil), "a": 1.5}, `{"a":1.5,"b":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wire.Encode(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.True(t, json.Valid(got))
		})
	}
}

func TestEncodeMatchesEncodingJSONWithoutExtras(t *testing.T) {
	s := "\x00\u2028\xff<tab>\t\"\\é"
	in := struct {
		A string            `json:"a"`
		B *int              `json:"b,omitempty"`
		C []byte            `json:"c"`
		D map[string]string `json:"d"`
		E any               `json:"e"`
		F [2]bool           `json:"f"`
		G uint8             `json:"g"`
		H float64           `json:"h"`
		base
		Shade string `json:"shade"`
		I     int
	}{base: base{ID: "i", Shade: "lost"}, Shade: "kept", I: 3, A: s, C: []byte("hi"), D: map[string]string{"y": s, "x": ""}, E: []any{nil, "q"}, G: 7, H: 1e21}
	want, err := json.Marshal(in)
	require.NoError(t, err)
	got, err := wire.Encode(in)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestEncodeRefuses(t *testing.T) {
	_, err := wire.Encode(body{Extra: map[string]json.RawMessage{"bad": json.RawMessage(`{`)}})
	var xe *wire.ExtraError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, "bad", xe.Key)
	_, err = wire.Encode(body{Extra: map[string]json.RawMessage{"empty": nil}})
	require.ErrorAs(t, err, &xe)
	_, err = wire.Encode(map[int]string{1: "a"})
	assert.Error(t, err)
	_, err = wire.Encode(make(chan int))
	assert.Error(t, err)
}

func TestDeclares(t *testing.T) {
	for key, want := range map[string]bool{"amount": true, "Amount": true, "notes": true, "id": true, "readKey": true, "read_key": true, "READKEY": true, "Raw": false, "skip": false, "other": false} {
		assert.Equal(t, want, wire.Declares(&body{}, key), key)
	}
	assert.False(t, wire.Declares(map[string]any{}, "a"))
}

// BenchmarkEncode compares the encoder with encoding/json on a request-sized body (an epilot
// event's shape: strings, a decimal, dates, a nested relation, two extras).
func BenchmarkEncode(b *testing.B) {
	due := polybill.NewDate(2026, time.March, 1)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	notes := "first session"
	v := body{base: base{ID: "ev-1"}, Amount: polybill.MustDecimal("250.00"), Due: &due, At: &at, Notes: &notes,
		Tags: []string{"a", "b"}, Inner: &inner{Name: "contract-1", Extra: map[string]json.RawMessage{"role": []byte(`"payer"`)}},
		ReadKey: "k", Extra: map[string]json.RawMessage{"x_org": []byte(`{"sap":"4711"}`), "y": []byte(`[1,2]`)}}
	b.Run("wire.Encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := wire.Encode(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Marshal_without_extras", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
