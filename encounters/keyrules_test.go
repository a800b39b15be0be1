package encounters_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// The rule set of internal/wire through the public client, on a body served by the fake:
// invalid UTF-8 becomes U+FFFD (in values and keys), a case variant of a known key is read into
// its field (and is not reported), the last of duplicate keys wins, and unknown keys at every
// level stay reachable in the record's Raw, as sent.
func TestKeyRulesThroughTheClient(t *testing.T) {
	c, srv := setup(t, nil)
	item := "{\"id\":\"itm-1\",\"NAME\":\"A\xffB\",\"description\":\"d1\",\"description\":\"d2\",\"price\":1," +
		"\"x\xff\":{\"y\":[1, 2]},\"discounts\":[{\"code\":\"c\",\"z\":true}],\"createdAt\":1700000000000}"
	srv.Faults().Add(encounterstest.Fault{Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/billing-items") },
		Status: http.StatusOK, Body: `{"total":1,"limit":10,"skip":0,"data":[` + item + `]}`})

	page, err := c.Items.Find(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	it := page.Items[0]
	assert.Equal(t, "A\uFFFDB", it.Name, "a case variant of a known key; invalid UTF-8 is U+FFFD")
	assert.Equal(t, "d2", it.Description, "the last duplicate wins")
	assert.Equal(t, "1", it.Price.String())
	assert.Empty(t, it.Problems())
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(it.Raw, &raw))
	assert.Equal(t, `{"y":[1, 2]}`, string(raw["x\uFFFD"]), "an unknown key, its invalid UTF-8 replaced as encoding/json does")
	assert.Equal(t, `[{"code":"c","z":true}]`, string(raw["discounts"]), "unknown keys of nested values, as sent")
}
