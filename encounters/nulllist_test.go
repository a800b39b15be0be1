package encounters_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// A find answer whose data is null (or an empty body, which sdk-js reads as null) is an empty
// page, not an error (null means absent).
func TestNullFindDataIsAnEmptyPage(t *testing.T) {
	for _, body := range []string{`{"total":0,"limit":10,"skip":0,"data":null}`, `{"total":0,"limit":10,"skip":0}`, `[]`, `null`} {
		t.Run(body, func(t *testing.T) {
			c, srv := setup(t, nil)
			srv.Faults().Add(encounterstest.Fault{Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/billing-invoices") },
				Times: 2, Status: http.StatusOK, Body: body})
			page, err := c.Invoices.Find(context.Background(), nil)
			require.NoError(t, err)
			require.NotNil(t, page.Items)
			assert.Empty(t, page.Items)
			assert.False(t, page.HasMore)
			for _, err := range c.Invoices.List(context.Background(), nil) {
				require.NoError(t, err)
				t.Fatal("an empty page yields nothing")
			}
		})
	}
}
