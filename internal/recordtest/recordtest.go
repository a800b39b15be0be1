// Package recordtest holds the checks every API package runs, through its public client,
// on a record it fetched.
package recordtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

// RawIsTheRecordAsSent checks what a client promises of a fetched record's Raw, which it
// reads in place from the body it received instead of copying (wire.DecodeBody): Raw is the
// record as sent (the body WithResponseInto hands over), later calls leave it alone, so
// nothing writes to that body afterwards, and a record decoded with json.Unmarshal from the
// caller's bytes keeps a copy of them.
//
// fetch gets the first record with the options given; fetchAnother gets some other record;
// unmarshal decodes a record of the same type with json.Unmarshal and returns its Raw.
func RawIsTheRecordAsSent(t *testing.T,
	fetch func(...polybill.RequestOption) (json.RawMessage, error),
	fetchAnother func() error,
	unmarshal func([]byte) (json.RawMessage, error),
) {
	t.Helper()
	var resp *http.Response
	raw, err := fetch(polybill.WithResponseInto(&resp))
	require.NoError(t, err)
	sent, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, string(bytes.TrimSpace(sent)), string(raw))
	want := string(raw)
	for range 10 {
		require.NoError(t, fetchAnother())
	}
	assert.Equal(t, want, string(raw), "later calls left the first record alone")

	buf := []byte(want)
	mine, err := unmarshal(buf)
	require.NoError(t, err)
	for i := range buf {
		buf[i] = ' '
	}
	assert.Equal(t, want, string(mine), "a record decoded from the caller's bytes keeps a copy of them")
}
