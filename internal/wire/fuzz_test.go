package wire_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
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

// agree holds only fields whose wire rules are encoding/json's own (a string read from a JSON
// string, an int from an integer, a bool, a map of strings, a list of objects, unknown keys),
// so on every body encoding/json reads into its mirror without an error the two must agree
// exactly. (wire reads more than encoding/json, a number into a string for one; where
// encoding/json reports a type error there is nothing to agree on.)
type agree struct {
	polybill.FieldProblems
	Note  string                     `wire:"note"`
	Count int                        `wire:"count"`
	Paid  bool                       `wire:"paid"`
	Tags  map[string]string          `wire:"tags"`
	Lines []agreeLine                `wire:"lines"`
	Extra map[string]json.RawMessage `wire:",extra"`
}

type agreeLine struct {
	Name  string                     `wire:"name"`
	Extra map[string]json.RawMessage `wire:",extra"`
}

type stdAgree struct {
	Note  string            `json:"note"`
	Count int               `json:"count"`
	Paid  bool              `json:"paid"`
	Tags  map[string]string `json:"tags"`
	Lines []struct {
		Name string `json:"name"`
	} `json:"lines"`
}

// unknown is encoding/json's reading of the keys of obj that no name of names matches (by its
// own rule: equal up to case), the last occurrence winning.
func unknown(t *testing.T, obj json.RawMessage, names ...string) map[string]json.RawMessage {
	var all map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(obj, &all))
	out := map[string]json.RawMessage{}
	for k, v := range all {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(k, n) }) {
			out[k] = v
		}
	}
	return out
}

// FuzzAgreesWithEncodingJSON: on every body encoding/json accepts and reads into the same
// shape without a type error, Decode reads the same values, reports no problem, and keeps as
// unknown exactly the keys encoding/json does not match, with their bytes as sent.
func FuzzAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range []string{`{"note":"a\u00e9","count":3,"paid":true,"tags":{"a":"b","a":"c"},"lines":[{"name":"x","q":1}],"z":[1, 2]}`,
		"{\"Note\":\"N\",\"NOTE\":\"M\",\"k\xff\":1,\"note\":\"\xffx\"}", `{"lines":null,"tags":null,"x":null}`,
		`{"COUNT":-7,"Paid":false,"lines":[{"NAME":"y"},{"name":"z","name":"w"}]}`, `{"tag\u017f":{"a":"b"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var std stdAgree
		if json.Unmarshal(body, &std) != nil {
			return // not JSON (FuzzDecode), or a type error: nothing to agree on
		}
		if t := bytes.TrimLeft(body, " \t\r\n"); t[0] != '{' {
			return
		}
		var got agree
		require.NoError(t, wire.Decode(body, &got))
		require.Empty(t, got.Problems())
		require.Equal(t, std.Note, got.Note)
		require.Equal(t, std.Count, got.Count)
		require.Equal(t, std.Paid, got.Paid)
		require.Equal(t, std.Tags, got.Tags)
		require.Len(t, got.Lines, len(std.Lines))
		for i := range std.Lines {
			require.Equal(t, std.Lines[i].Name, got.Lines[i].Name)
		}
		wantExtra := unknown(t, body, "note", "count", "paid", "tags", "lines")
		require.Equal(t, len(wantExtra), len(got.Extra), "unknown keys")
		for k, v := range wantExtra {
			require.Equal(t, string(v), string(got.Extra[k]), "unknown key %q", k)
		}
		var objs struct{ Lines []json.RawMessage }
		require.NoError(t, json.Unmarshal(body, &objs))
		for i, l := range objs.Lines {
			if string(l) == "null" {
				continue
			}
			want := unknown(t, l, "name")
			require.Equal(t, len(want), len(got.Lines[i].Extra), "unknown keys of lines[%d]", i)
			for k, v := range want {
				require.Equal(t, string(v), string(got.Lines[i].Extra[k]), "lines[%d]: unknown key %q", i, k)
			}
		}
	})
}
