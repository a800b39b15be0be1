package epilot_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/epilot/epilottest"
)

// A page whose results are null or missing is an empty page, not an error (null means absent).
func TestNullOrMissingResultsAreAnEmptyPage(t *testing.T) {
	for _, body := range []string{`{"hits":0,"results":null}`, `{"hits":0}`, `{}`, `{"results":[]}`} {
		t.Run(body, func(t *testing.T) {
			e := newEnvValidated(t, false)
			e.srv.Faults().Add(epilottest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/v1/billing/events" },
				Times: 2, Status: http.StatusOK, Body: body})
			page, err := e.client.ListBillingEventsPage(context.Background(), nil)
			require.NoError(t, err)
			require.NotNil(t, page.Items)
			assert.Empty(t, page.Items)
			assert.False(t, page.HasMore)
			for _, err := range e.client.ListBillingEvents(context.Background(), nil) {
				require.NoError(t, err)
				t.Fatal("an empty page yields nothing")
			}
			assert.NotEmpty(t, e.srv.Faults().Injected())
		})
	}
}
