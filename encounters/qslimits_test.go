package encounters_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// values returns "v0".."v<n-1>".
func values(prefix string, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// indexed writes key[0]=v0&key[1]=v1… for values from..to-1, readable (not percent-encoded).
func indexed(key, prefix string, from, to int) string {
	var parts []string
	for i := from; i < to; i++ {
		parts = append(parts, fmt.Sprintf("%s[%d]=%s%d", key, i-from, prefix, i))
	}
	return strings.Join(parts, "&")
}

func readable(t *testing.T, q *encounters.Query) string {
	t.Helper()
	enc, err := q.Encode()
	require.NoError(t, err)
	r, err := url.PathUnescape(enc)
	require.NoError(t, err)
	back, err := encounters.ParseQuery(enc)
	require.NoError(t, err)
	assert.Equal(t, enc, back.String(), "the query decodes back unchanged")
	return r
}

// Since qs 6.14.2 (CHANGELOG: "arrayLimit means max count, not max index") a server with qs's
// default arrayLimit of 20 reads a 21st indexed element as the sign of an object: 20 values are
// sent as a list, 21 are split into lists of at most 20.
func TestListsOfMoreThan20AreSplit(t *testing.T) {
	cases := []struct {
		name string
		q    *encounters.Query
		want string
	}{
		{"20 values: one list", encounters.NewQuery().In("id", values("v", 20)...),
			indexed("id[$in]", "v", 0, 20)},
		{"21 values: an $or of two lists", encounters.NewQuery().In("id", values("v", 21)...),
			indexed("$or[0][id][$in]", "v", 0, 20) + "&$or[1][id][$in][0]=v20"},
		{"$in next to other conditions on the field", encounters.NewQuery().Where("facility", "f").Gt("id", "a").In("id", values("v", 25)...),
			"facility=f&id[$gt]=a&" + indexed("$or[0][id][$in]", "v", 0, 20) + "&" + indexed("$or[1][id][$in]", "v", 20, 25)},
		{"$nin: an $and of lists", encounters.NewQuery().NotIn("id", values("v", 45)...).Limit(5),
			"$limit=#5&" + indexed("$and[0][id][$nin]", "v", 0, 20) + "&" + indexed("$and[1][id][$nin]", "v", 20, 40) + "&" + indexed("$and[2][id][$nin]", "v", 40, 45)},
		{"$in inside an $or alternative splits the alternative", encounters.NewQuery().Or(
			encounters.NewQuery().Where("type", "a").In("id", values("v", 22)...),
			encounters.NewQuery().Where("type", "b")),
			"$or[0][type]=a&" + indexed("$or[0][id][$in]", "v", 0, 20) + "&$or[1][type]=a&$or[1][id][$in][0]=v20&$or[1][id][$in][1]=v21&$or[2][type]=b"},
		{"$nin inside an $and entry joins the top-level $and", encounters.NewQuery().Set([]any{
			encounters.NewQuery().Where("type", "a").NotIn("id", values("v", 21)...)}, "$and"),
			"$and[0][type]=a&" + indexed("$and[1][id][$nin]", "v", 0, 20) + "&$and[2][id][$nin][0]=v20"},
		{"$in inside an $and entry becomes the top-level $or", encounters.NewQuery().Set([]any{
			encounters.NewQuery().In("id", values("v", 21)...)}, "$and"),
			indexed("$or[0][id][$in]", "v", 0, 20) + "&$or[1][id][$in][0]=v20"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, readable(t, tc.q)) })
	}
}

// What cannot be split within qs's limits (depth 5, 20 entries per list) is refused, naming
// the key at fault, rather than sent with a different meaning.
func TestListsThatCannotBeSplitAreRefused(t *testing.T) {
	cases := []struct {
		name   string
		q      *encounters.Query
		param  string
		reason string
	}{
		{"$in next to an $or of the caller's", encounters.NewQuery().In("id", values("v", 21)...).Or(encounters.NewQuery().Where("a", "b")),
			"id[$in]", "already has one"},
		{"$nin inside an $or alternative", encounters.NewQuery().Or(encounters.NewQuery().NotIn("id", values("v", 21)...)),
			"$or[0][id][$nin]", "inside an $or alternative"},
		{"more than 400 values", encounters.NewQuery().In("id", values("v", 401)...), "id[$in]", "more than the 20 alternatives"},
		{"an alternative split past 20", encounters.NewQuery().Or(encounters.NewQuery().In("id", values("v", 401)...)), "$or[0][id][$in]", "more than the 20"},
		{"in a $populate entry", encounters.NewQuery().Populate("items", encounters.Populate{Service: "billing-items", Method: encounters.PopulateFind,
			LocalKey: "id", ForeignKey: "invoice", Query: encounters.NewQuery().In("id", values("v", 21)...)}), "$populate[items][id][$in]", "21 elements"},
		{"a plain list over 20", encounters.NewQuery().Select(make([]string, 21)...), "$select", "reads at most 20"},
		{"deeper than qs's depth 5", encounters.NewQuery().Set("x", "a", "b", "c", "d", "e", "f", "g"), "a[b][c][d][e][f][g]", "qs depth 5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Contains(t, refused(t, tc.q, tc.param).Message, tc.reason)
		})
	}
}

// refused asserts that encoding q is refused before sending, as a validation error naming
// param, and returns the error.
func refused(t *testing.T, q *encounters.Query, param string) *polybill.Error {
	t.Helper()
	_, err := q.Encode()
	var perr *polybill.Error
	require.ErrorAs(t, err, &perr)
	assert.ErrorIs(t, err, polybill.ErrValidation)
	assert.Equal(t, param, perr.Param)
	return perr
}

// An empty alternative ({}: matches every record) was written as nothing, so the server saw
// a different list: Or(NewQuery(), Where("name", "x")) matched only "x" instead of everything.
func TestEmptyAlternativeIsRefused(t *testing.T) {
	cases := []struct {
		name  string
		q     *encounters.Query
		param string
	}{
		{"$or", encounters.NewQuery().Or(encounters.NewQuery(), encounters.NewQuery().Where("name", "x")), "$or[0]"},
		{"$or, second", encounters.NewQuery().Or(encounters.NewQuery().Where("name", "x"), encounters.NewQuery()), "$or[1]"},
		{"$and", encounters.NewQuery().Set([]any{encounters.NewQuery().Where("name", "x"), encounters.NewQuery()}, "$and"), "$and[1]"},
		{"nested object", encounters.NewQuery().Set(encounters.NewQuery(), "owner"), "owner"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Contains(t, refused(t, tc.q, tc.param).Message, "empty object")
		})
	}
	// Through a client: refused before sending.
	c, srv := setup(t, nil)
	before := srv.Requests()
	_, err := c.Invoices.Find(context.Background(), encounters.NewQuery().Or(encounters.NewQuery(), encounters.NewQuery().Where("facility", "x")))
	require.ErrorIs(t, err, polybill.ErrValidation)
	assert.Equal(t, before, srv.Requests())
}

// The split query means what the long list meant: the fake, which decodes with qs's rules,
// returns the same records for 45 values as the records that match them one by one.
func TestSplitListsFilterLikeTheLongList(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var queries []string
	srv := encounterstest.New()
	t.Cleanup(srv.Close)
	c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()),
		polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			mu.Lock()
			queries = append(queries, req.URL.RawQuery)
			mu.Unlock()
			return next(req)
		}))
	require.NoError(t, err)
	seedInvoices(t, c, 50) // subjects px-00..px-49, facilities fac-0/fac-1
	subjects := func(q *encounters.Query) []string {
		var out []string
		for inv, err := range c.Invoices.List(ctx, q) {
			require.NoError(t, err)
			out = append(out, inv.Subject)
		}
		return out
	}
	var wanted []any
	var want []string
	for i := 3; i < 48; i++ { // 45 subjects
		wanted = append(wanted, fmt.Sprintf("px-%02d", i))
		want = append(want, fmt.Sprintf("px-%02d", i))
	}
	assert.Equal(t, want, subjects(encounters.NewQuery().In("subject", wanted...).Sort("subject", encounters.Ascending)))
	last := queries[len(queries)-1]
	assert.Contains(t, last, "%24or%5B2%5D%5Bsubject%5D%5B%24in%5D%5B4%5D=px-47", "sent as an $or of three lists")

	assert.Equal(t, []string{"px-00", "px-01", "px-02", "px-48", "px-49"},
		subjects(encounters.NewQuery().NotIn("subject", wanted...).Sort("subject", encounters.Ascending)))

	var evens []string
	for _, s := range want {
		var n int
		_, _ = fmt.Sscanf(s, "px-%d", &n)
		if n%2 == 0 {
			evens = append(evens, s)
		}
	}
	assert.Equal(t, evens, subjects(encounters.NewQuery().Or(
		encounters.NewQuery().Where("facility", "fac-0").In("subject", wanted...),
		encounters.NewQuery().Where("facility", "nowhere")).Sort("subject", encounters.Ascending)),
		"an $or alternative split in three keeps its other condition")
}

// The fake decodes like qs (arrayLimit 20): a 21-value indexed $in arrives as an object and
// is refused, as a Mongo-style $in refuses anything but an array; 20 values are a list.
func TestFakeReadsLongListsAsQsDoes(t *testing.T) {
	srv := encounterstest.New()
	t.Cleanup(srv.Close)
	c, err := encounters.New(srv.ClientOptions()...)
	require.NoError(t, err)
	seedInvoices(t, c, 1) // the filter runs on a record
	get := func(raw string) (int, string) {
		req, err := http.NewRequestWithContext(context.Background(), "GET", srv.URL()+"/billing-invoices?"+raw, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		return resp.StatusCode, string(buf[:n])
	}
	status, body := get(indexed("subject%5B%24in%5D", "px-", 0, 20))
	assert.Equal(t, http.StatusOK, status, body)
	status, body = get(strings.ReplaceAll(strings.ReplaceAll(indexed("subject[$in]", "px-", 0, 21), "[", "%5B"), "]", "%5D"))
	assert.Equal(t, http.StatusBadRequest, status, body)
	assert.Contains(t, body, "$in needs an array")

	// The decoder itself: index 20 makes an object (qs >= 6.14.2), so the query cannot be
	// re-encoded as a list; depth past 5 is one literal key.
	q, err := encounters.ParseQuery(indexed("a", "v", 0, 21))
	require.NoError(t, err)
	_, err = q.Encode()
	assert.ErrorContains(t, err, "all-digit key")
	q, err = encounters.ParseQuery("a[1][2][3][4][5][6]=x")
	require.NoError(t, err)
	_, err = q.Encode()
	assert.ErrorContains(t, err, "brackets in a key", "qs keeps [6] as a literal key")
}

// GetWithCards sends the flag tagged, as @mycure/sdk-js tags every boolean of a query.
func TestGetWithCardsSendsTheTaggedFlag(t *testing.T) {
	var query string
	srv := encounterstest.New()
	t.Cleanup(srv.Close)
	c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()),
		polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			query = req.URL.RawQuery
			return next(req)
		}))
	require.NoError(t, err)
	cus := newCustomer(c)
	_, err = c.Customers.AddCard(context.Background(), cus.ID, "tok_visa")
	require.NoError(t, err)
	got, err := c.Customers.GetWithCards(context.Background(), cus.ID)
	require.NoError(t, err)
	assert.Equal(t, "%24populateStripeCards=%23true", query)
	assert.NotEmpty(t, got.Cards, "the fake attached the cards")
}

// FuzzLongLists: whatever lists and nesting the caller builds, the encoder either refuses
// with a validation error or sends a query whose every list holds at most 20 values, that
// decodes back unchanged, and that carries every value of each long list.
func FuzzLongLists(f *testing.F) {
	f.Add(uint16(21), uint16(0), uint8(0))
	f.Add(uint16(45), uint16(45), uint8(1))
	f.Add(uint16(401), uint16(3), uint8(2))
	f.Add(uint16(30), uint16(30), uint8(3))
	f.Fuzz(func(t *testing.T, nIn, nNin uint16, shape uint8) {
		in, nin := values("i", int(nIn%600)), values("n", int(nNin%600))
		base := encounters.NewQuery().Where("facility", "f")
		if len(in) > 0 {
			base.In("a", in...)
		}
		if len(nin) > 0 {
			base.NotIn("b", nin...)
		}
		var q *encounters.Query
		switch shape % 4 {
		case 0:
			q = base
		case 1:
			q = encounters.NewQuery().Or(base, encounters.NewQuery().Where("x", "y"))
		case 2:
			q = encounters.NewQuery().Set([]any{base, encounters.NewQuery().Where("x", "y")}, "$and")
		case 3:
			q = base.Or(encounters.NewQuery().Where("x", "y"))
		}
		enc, err := q.Encode()
		if err != nil {
			var perr *polybill.Error
			require.ErrorAs(t, err, &perr)
			require.ErrorIs(t, err, polybill.ErrValidation)
			return
		}
		back, err := encounters.ParseQuery(enc)
		require.NoError(t, err)
		require.Equal(t, enc, back.String())
		r, err := url.PathUnescape(enc)
		require.NoError(t, err)
		counts := map[string]int{}
		for part := range strings.SplitSeq(r, "&") {
			key, v, _ := strings.Cut(part, "=")
			var idx int
			if i := strings.LastIndex(key, "["); i >= 0 {
				if _, err := fmt.Sscanf(key[i:], "[%d]", &idx); err == nil {
					require.Less(t, idx, 20, "no list holds more than 20 values: %s", key)
				}
			}
			if strings.HasPrefix(v, "i") || strings.HasPrefix(v, "n") {
				counts[v]++
			}
		}
		// An $or alternative split per chunk repeats the alternative's other conditions (so a
		// value of another list can appear in several copies); none is lost.
		for _, v := range append(append([]any{}, in...), nin...) {
			require.GreaterOrEqual(t, counts[v.(string)], 1, "value %s is sent", v)
		}
	})
}
