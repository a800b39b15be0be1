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

// A list whose data is null, or missing, is an empty list, not an error: null means absent
// (internal/wire's rule set), and a Rails serializer renders an empty association as null.
// Served by the fake's raw-body fault, read through the public client.
func TestNullOrMissingListIsEmpty(t *testing.T) {
	bodies := []struct{ name, body string }{
		{"data null", `{"data":null}`},
		{"data null with meta", `{"data":null,"meta":{"current_page":1,"total_pages":1,"total_count":0}}`},
		{"data missing", `{}`},
		{"data missing with meta", `{"meta":{"total_count":0}}`},
		{"data empty", `{"data":[]}`},
	}
	for _, tc := range bodies {
		t.Run(tc.name, func(t *testing.T) {
			srv := crmtest.New()
			t.Cleanup(srv.Close)
			c, err := crm.New(append(srv.ClientOptions(), polybill.WithMinRetryDelay(0))...)
			require.NoError(t, err)
			onList := func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/billing") }
			srv.Faults().Add(crmtest.Fault{Match: onList, Times: 2, Status: http.StatusOK, Body: tc.body})

			page, err := c.ListMeetingBillingsPage(context.Background(), "m1", nil)
			require.NoError(t, err)
			require.NotNil(t, page.Items, "an empty page, never a nil list")
			assert.Empty(t, page.Items)
			assert.False(t, page.HasMore)

			n := 0
			for _, err := range c.ListMeetingBillings(context.Background(), "m1", nil) {
				require.NoError(t, err)
				n++
			}
			assert.Zero(t, n)
			assert.NotEmpty(t, srv.Faults().Injected(), "the body was served")
		})
	}
}

// The report lists are empty, not an error, when data or its rows are null.
func TestNullReportListsAreEmpty(t *testing.T) {
	tests := []struct {
		name, prefix, body string
		check              func(t *testing.T, c *crm.Client)
	}{
		{"outstanding by payer, data null", "/billings/outstanding_by_payer", `{"data":null}`, func(t *testing.T, c *crm.Client) {
			rows, err := c.GetOutstandingByPayer(context.Background())
			require.NoError(t, err)
			assert.Empty(t, rows)
		}},
		{"EAP sessions, data null", "/billings/eap_sessions", `{"data":null,"meta":{"total_sessions":0}}`, func(t *testing.T, c *crm.Client) {
			s, err := c.GetEAPSessions(context.Background(), "p@example.com", "Acme")
			require.NoError(t, err)
			assert.Empty(t, s.Sessions)
			require.NotNil(t, s.TotalSessions)
			assert.Zero(t, *s.TotalSessions)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := crmtest.New()
			t.Cleanup(srv.Close)
			c, err := crm.New(append(srv.ClientOptions(), polybill.WithMinRetryDelay(0))...)
			require.NoError(t, err)
			srv.Faults().Add(crmtest.Fault{Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, tc.prefix) }, Status: http.StatusOK, Body: tc.body})
			tc.check(t, c)
			assert.NotEmpty(t, srv.Faults().Injected(), "the null body was served")
		})
	}
}
