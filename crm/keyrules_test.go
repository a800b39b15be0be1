package crm_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
)

// The rule set of internal/wire through the public client, on a body served by the fake:
// invalid UTF-8 becomes U+FFFD (in values and keys), a case variant of a known key is read into
// its field (and is not reported), the last of duplicate keys wins, and unknown keys at every
// level stay reachable in the raw attributes, as sent.
func TestKeyRulesThroughTheClient(t *testing.T) {
	srv := crmtest.New()
	t.Cleanup(srv.Close)
	c, err := crm.New(append(srv.ClientOptions(), polybill.WithMinRetryDelay(0))...)
	require.NoError(t, err)
	body := "{\"data\":{\"id\":\"b1\",\"type\":\"billing\",\"attributes\":{\"payer_name\":\"A\xffB\",\"PAYER_EMAIL\":\"x@example.com\"," +
		"\"payer_type\":\"first\",\"payer_type\":\"last\",\"Status\":\"paid\",\"k\xff\":1,\"org\":{\"deep\":{\"x\":[1, 2]}}}}}"
	srv.Faults().Add(crmtest.Fault{Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/billings/") },
		Status: http.StatusOK, Body: body})

	b, err := c.GetBilling(context.Background(), "b1")
	require.NoError(t, err)
	assert.Equal(t, "A\uFFFDB", b.PayerName, "invalid UTF-8 is U+FFFD")
	assert.Equal(t, "x@example.com", b.PayerEmail, "a case variant of a known key")
	assert.Equal(t, crm.StatusPaid, b.Status)
	assert.Equal(t, "last", b.PayerType, "the last duplicate wins")
	assert.Empty(t, b.Problems())
	assert.Equal(t, `1`, string(rawField(t, b.Attributes, "k\uFFFD")), "an unknown key, its invalid UTF-8 replaced as encoding/json does")
	assert.Equal(t, `{"deep":{"x":[1, 2]}}`, string(rawField(t, b.Attributes, "org")), "unknown nested values as sent")
}
