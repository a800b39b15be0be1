package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

type member struct{ key, value string }

func scanAll(data []byte) ([]member, error) {
	var got []member
	err := ScanObject(data, func(k, v []byte) error {
		got = append(got, member{string(k), string(v)})
		return nil
	})
	return got, err
}

func TestScanObject(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []member
	}{
		{"empty", `{}`, nil},
		{"empty with space", " \t\r\n{ \n } \n", nil},
		{"scalars", `{"s":"x","n":-1.5e+3,"t":true,"f":false,"z":null,"i":0}`,
			[]member{{"s", `"x"`}, {"n", `-1.5e+3`}, {"t", "true"}, {"f", "false"}, {"z", "null"}, {"i", "0"}}},
		{"whitespace is not part of a value", "{ \"a\" :\n [ 1 , 2 ] ,\t\"b\" : { \"c\" : \"}\" } }",
			[]member{{"a", "[ 1 , 2 ]"}, {"b", `{ "c" : "}" }`}}},
		{"nested", `{"a":{"b":[{"c":[[]]},{}]},"d":[]}`, []member{{"a", `{"b":[{"c":[[]]},{}]}`}, {"d", `[]`}}},
		{"escaped key", `{"a\"b":1,"\u00e9":2,"\/":3}`, []member{{`a"b`, "1"}, {"é", "2"}, {"/", "3"}}},
		{"utf-8 key as is", `{"é":1}`, []member{{"é", "1"}}},
		{"invalid utf-8 key like encoding/json", "{\"a\xffb\":1}", []member{{"a\uFFFDb", "1"}}},
		{"strings keep their escapes", `{"s":"a\"b\\\n\u0041"}`, []member{{"s", `"a\"b\\\n\u0041"`}}},
		{"duplicates reported in order", `{"a":1,"a":2}`, []member{{"a", "1"}, {"a", "2"}}},
		{"braces inside strings", `{"a":"{[","b":"]}"}`, []member{{"a", `"{["`}, {"b", `"]}"`}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanAll([]byte(tt.in))
			if err != nil {
				t.Fatalf("ScanObject(%q): %v", tt.in, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ScanObject(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("member %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestScanObjectRejects(t *testing.T) {
	for _, in := range []string{
		``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{"a":1 "b":2}`, `{"a":1}x`, `{"a":1}{}`,
		`{a:1}`, `{'a':1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":True}`, `{"a":"x}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12g4"}`,
		"{\"a\":\"\x01\"}", "{\"a\":\"\n\"}", `{"a":[1,]}`, `{"a":[1 2]}`, `{"a":{"b"}}`, `{"a":NaN}`,
		"{\"a\":1}\x00", "\xef\xbb\xbf{}", `{"a":1]`, `{"a":[}`,
	} {
		_, err := scanAll([]byte(in))
		if err == nil {
			t.Errorf("ScanObject(%q) accepted invalid JSON", in)
			continue
		}
		var m map[string]json.RawMessage
		jerr := json.Unmarshal([]byte(in), &m)
		if jerr == nil || err.Error() != jerr.Error() {
			t.Errorf("ScanObject(%q) = %v, want encoding/json's error %v", in, err, jerr)
		}
	}
}

func TestScanObjectNotAnObject(t *testing.T) {
	for _, in := range []string{`null`, ` null `} {
		if _, err := scanAll([]byte(in)); !errors.Is(err, ErrNotObject) {
			t.Errorf("ScanObject(%q) = %v, want ErrNotObject", in, err)
		}
	}
	for _, in := range []string{`[]`, `"x"`, `1`, `true`} {
		if _, err := scanAll([]byte(in)); err == nil {
			t.Errorf("ScanObject(%q) accepted a non-object", in)
		}
	}
}

func TestScanObjectDepth(t *testing.T) {
	nest := func(n int) []byte {
		return []byte(`{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`)
	}
	if _, err := scanAll(nest(maxDepth)); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	_, err := scanAll(nest(maxDepth + 1))
	var m map[string]json.RawMessage
	jerr := json.Unmarshal(nest(maxDepth+1), &m)
	if err == nil || jerr == nil || err.Error() != jerr.Error() {
		t.Errorf("depth %d: got %v, encoding/json %v", maxDepth+1, err, jerr)
	}
}

func TestScanObjectCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := ScanObject([]byte(`{"a":1,"b":2,"c":3}`), func(k, v []byte) error {
		n++
		if string(k) == "b" {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Errorf("got %v after %d members, want the callback's error after 2", err, n)
	}
}

func TestScanObjectAliasesInput(t *testing.T) {
	data := []byte(`{"a":[1],"b":2}`)
	var a []byte
	if err := ScanObject(data, func(k, v []byte) error {
		if string(k) == "a" {
			a = v
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if &a[0] != &data[5] {
		t.Error("the value is not a sub-slice of the input")
	}
	if cap(a) != len(a) {
		t.Error("appending to a value could overwrite the input")
	}
}

func TestScanArray(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{`[]`, nil},
		{` [ ] `, nil},
		{`[1, "a" ,{"b":[2]},[],null,true]`, []string{"1", `"a"`, `{"b":[2]}`, "[]", "null", "true"}},
		{"[\n{ }\n]", []string{"{ }"}},
	} {
		var got []string
		err := ScanArray([]byte(tt.in), func(e []byte) error {
			got = append(got, string(e))
			return nil
		})
		if err != nil {
			t.Errorf("ScanArray(%q): %v", tt.in, err)
			continue
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("ScanArray(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{``, `[`, `[1,]`, `[1 2]`, `[1]]`, `{}`, `null`, `[01]`} {
		err := ScanArray([]byte(in), func([]byte) error { return nil })
		if err == nil {
			t.Errorf("ScanArray(%q) accepted it", in)
			continue
		}
		var v []json.RawMessage
		if jerr := json.Unmarshal([]byte(in), &v); jerr != nil && err.Error() != jerr.Error() {
			t.Errorf("ScanArray(%q) = %v, want encoding/json's error %v", in, err, jerr)
		}
	}
}

func FuzzScanObject(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"a":1}`, `{"a":{"b":[1,2,{"c":null}]},"d":"e\"f","g":-0.5E-7}`, `{"a":1,"a":2}`,
		`{"\u00e9\ud800":true}`, "{\"\xff\":false}", ` { "a" : [ ] } `, `{"a":1,}`, `{"a":01}`, `[1]`, `null`,
		`{"a":"\u00"}`, `{"data":[{"id":"1","attributes":{"amount":"1.50"}}],"meta":{"page":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := map[string][]byte{}
		err := ScanObject(data, func(k, v []byte) error {
			got[string(k)] = v
			return nil
		})
		var want map[string]json.RawMessage
		jerr := json.Unmarshal(data, &want)
		isObject := len(bytes.TrimLeft(data, " \t\r\n")) > 0 && bytes.TrimLeft(data, " \t\r\n")[0] == '{'
		if jerr != nil || !isObject {
			if err == nil {
				t.Fatalf("ScanObject(%q) accepted input encoding/json rejects as an object (%v)", data, jerr)
			}
			if jerr != nil && err.Error() != jerr.Error() {
				t.Fatalf("ScanObject(%q) = %v, encoding/json says %v", data, err, jerr)
			}
			return
		}
		if err != nil {
			t.Fatalf("ScanObject(%q) rejected a valid object: %v", data, err)
		}
		if len(got) != len(want) {
			t.Fatalf("ScanObject(%q) found %d distinct keys, encoding/json %d", data, len(got), len(want))
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok {
				t.Fatalf("ScanObject(%q) misses key %q", data, k)
			}
			var gc, wc bytes.Buffer
			if err := json.Compact(&gc, g); err != nil {
				t.Fatalf("value of %q is not valid JSON: %q", k, g)
			}
			_ = json.Compact(&wc, w)
			if !bytes.Equal(gc.Bytes(), wc.Bytes()) {
				t.Fatalf("key %q: ScanObject %q, encoding/json %q", k, g, w)
			}
			if !bytes.Equal(g, w) {
				t.Fatalf("key %q: span %q is not the value as written %q", k, g, w)
			}
		}
	})
}

func TestPlainStringMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{`"abc"`, `""`, `"ünï"`, `"a\"b"`, `"\u00e9"`, "\"\xff\"", `12`, `null`, `"`, `"a`} {
		got, ok := PlainString([]byte(in))
		var want string
		err := json.Unmarshal([]byte(in), &want)
		if ok {
			assert.NoError(t, err, in)
			assert.Equal(t, want, got, in)
		} else {
			// Refused inputs are the ones encoding/json must handle: escapes, bad UTF-8, non-strings.
			assert.True(t, err != nil || !strings.HasPrefix(in, `"`) || strings.Contains(in, `\`) || !utf8.ValidString(in), in)
		}
	}
}

func TestFoldsToKnown(t *testing.T) {
	known := []string{"billing_amount", "type"}
	assert.True(t, FoldsToKnown([]byte("Billing_Amount"), known))
	assert.True(t, FoldsToKnown([]byte("TYPE"), known))
	assert.True(t, FoldsToKnown([]byte("tÿpe"), known), "non-ASCII keys may fold")
	assert.False(t, FoldsToKnown([]byte("unknown_field"), known))
}
