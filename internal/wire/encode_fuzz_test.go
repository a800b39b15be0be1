package wire_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/internal/wire"
)

// FuzzEncode: whatever the typed fields and the extras hold, the body is valid JSON and reads
// back to the same values; an extra that is not valid JSON is refused, never sent.
func FuzzEncode(f *testing.F) {
	f.Add("name", "k", []byte(`{"a":[1,2.50,"x"]}`), int64(3))
	f.Add("<&>\u2028", "name", []byte(`"shadowed"`), int64(-1))
	f.Add("\xff", "", []byte(`  1e400 `), int64(0))
	f.Add("", "z", []byte(`{`), int64(0))
	f.Fuzz(func(t *testing.T, name, key string, raw []byte, n int64) {
		type rec struct {
			Name  string                     `json:"name"`
			N     *int64                     `json:"n,omitempty"`
			List  []string                   `json:"list,omitempty"`
			Extra map[string]json.RawMessage `json:"-" wire:",extra"`
		}
		in := rec{Name: name, List: []string{key, name}, Extra: map[string]json.RawMessage{key: raw}}
		if n != 0 {
			in.N = &n
		}
		got, err := wire.Encode(in)
		declared := wire.Declares(in, key) // "name", "n", "list" and their case variants
		if !json.Valid(raw) && !declared {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		require.True(t, json.Valid(got), "%s", got)

		// Our own reader gets back what was written: the typed fields, and the extra verbatim
		// (blanks around it trimmed) unless its key is a declared one.
		var read rec
		require.NoError(t, wire.Decode(got, &read))
		assert.Equal(t, in.N, read.N)
		assert.Equal(t, len(in.List), len(read.List))
		if !declared && utf8.ValidString(key) {
			assert.Equal(t, string(bytes.TrimSpace(raw)), string(read.Extra[key]))
		} else if declared {
			assert.Empty(t, read.Extra, "a declared key never comes from Extra")
		}

		var back map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(got, &back))
		var gotName string
		require.NoError(t, json.Unmarshal(back["name"], &gotName))
		want, _ := json.Marshal(name) // what encoding/json makes of invalid UTF-8
		var wantName string
		require.NoError(t, json.Unmarshal(want, &wantName))
		assert.Equal(t, wantName, gotName)
		if n != 0 {
			assert.JSONEq(t, string(json.RawMessage(mustJSON(n))), string(back["n"]))
		}
		if !declared {
			var wantV, gotV any
			if json.Unmarshal(raw, &wantV) != nil {
				return // valid JSON that encoding/json cannot hold (1e400): sent verbatim all the same
			}
			var sentKey string // invalid UTF-8 in a key goes out as U+FFFD, as encoding/json writes it
			require.NoError(t, json.Unmarshal(mustJSON(key), &sentKey))
			require.NoError(t, json.Unmarshal(back[sentKey], &gotV))
			assert.Equal(t, wantV, gotV)
		}
	})
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
