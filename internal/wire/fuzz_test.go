package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/internal/wire"
)

// FuzzDecode: Decode never panics, refuses every body encoding/json refuses as JSON, accepts
// every body it accepts (of the right top-level type), and agrees with it on the values both
// read: strings, maps of raw values, and unknown keys kept verbatim.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"id":"1","note":"a\u00e9\ud800","lines":[{"name":"x","amount":1.5e2}]}`,
		`{"attributes":{"note":"n"},"x":[1,{"y":null}]}`, "{\"note\":\"\xff\"}", `{"tags":{"a":"b","a":"c"}}`,
		`{"id":12345678901234567890}`, `[`, `{"a":1}x`, `null`, `{"Note":"N","NOTE":"M"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r record
		err := wire.Decode(body, &r)
		var x json.RawMessage
		stdErr := json.Unmarshal(body, &x)
		if stdErr != nil {
			require.Error(t, err)
			require.Equal(t, stdErr.Error(), err.Error())
			return
		}
		if x[0] != '{' && string(x) != "null" {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		// encoding/json's own reading of the string-typed and raw fields.
		var std struct {
			ID   json.RawMessage `json:"id"`
			Note json.RawMessage `json:"note"`
			Tags json.RawMessage `json:"tags"`
		}
		require.NoError(t, json.Unmarshal(body, &std))
		var s string
		if json.Unmarshal(std.Note, &s) == nil && len(std.Note) > 0 && std.Note[0] == '"' {
			require.Equal(t, s, r.Note)
		}
		var tags map[string]string
		if json.Unmarshal(std.Tags, &tags) == nil && tags != nil && len(r.Problems()) == 0 {
			require.Equal(t, tags, r.Tags)
		}
		for k, v := range r.Extra {
			require.True(t, json.Valid(v), k)
		}
	})
}
