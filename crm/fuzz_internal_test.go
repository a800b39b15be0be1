package crm

// Fuzz tests of the unexported decoders and the query encoder: they sit behind the client's
// methods, so the exported fuzzers cannot reach them directly.

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func FuzzMeetingBillingDocument(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"id":"a","type":"billing","attributes":{"amount":1}}}`,
		`{"data":[{"id":"a","attributes":{}},{"unique_id":"b"}],"meta":{"current_page":1,"total_pages":"2","total_count":3,"per_page":2}}`,
		`{"data":[],"meta":{"currentPage":2,"totalPages":2,"totalRecords":3}}`,
		`{"data":null,"meta":{"total_pages":1.5}}`,
		`{"meta":[]}`, `[]`, `{"data":"x"}`,
		`{"data":{"id":"a","attributes":{}}} x`, ` {"data":[]}` + "\n", `{"data":[{"id":"a"}]`,
	} {
		f.Add([]byte(seed), 1, 2)
	}
	f.Fuzz(func(t *testing.T, body []byte, page, records int) {
		// The transport hands the body to DecodeBody as received: the decoder itself must
		// refuse what is not JSON, trailing data included.
		var one billingDoc
		if one.DecodeBody(body) == nil {
			require.True(t, json.Valid(body), "invalid JSON accepted: %q", body)
		}
		var doc meetingBillingDoc
		if err := doc.DecodeBody(body); err != nil {
			return
		}
		require.True(t, json.Valid(body), "invalid JSON accepted: %q", body)
		p := pageOf(doc, page, records)
		assert.Len(t, p.Items, len(doc.Billings.Items))
		if p.HasMore {
			assert.Greater(t, p.Next, 0, "a next page is a real page")
			assert.NotEmpty(t, p.Items, "an empty page never asks for more")
		}
		if doc.Billings.Single {
			assert.False(t, p.HasMore)
		}
	})
}

func FuzzListQuery(f *testing.F) {
	f.Add(1, 15, "pending", "unpaid", "Acme Corp", "jane+x@acme.com", "-created_at")
	f.Add(0, 0, "", "", "a&b=c", "100%", "amount")
	f.Add(-1, 101, "p\x00", "?", "#", " ", "-")
	f.Fuzz(func(t *testing.T, page, records int, status, billingStatus, payer, search, sort string) {
		p := &ListMeetingBillingsParams{Page: page, Records: records, Status: Status(status), BillingStatus: billingStatus,
			PayerName: payer, Search: search, Sort: sort}
		q, err := p.query(page)
		if err != nil {
			return
		}
		back, perr := url.ParseQuery(q.Encode())
		require.NoError(t, perr, "the encoded query parses")
		assert.Equal(t, payer, back.Get("payer_name"), "values survive encoding exactly")
		assert.Equal(t, search, back.Get("search"))
		assert.Equal(t, status, back.Get("status"))
		assert.Equal(t, sort, back.Get("sort"))
		for k, vs := range back {
			assert.Len(t, vs, 1, "no parameter is sent twice: %s", k)
		}
	})
}
