package encounters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/internal/clientfuzz"
)

// fuzzServer answers every request with the status and body under test.
type fuzzServer struct {
	status atomic.Int64
	body   atomic.Pointer[[]byte]
}

func (f *fuzzServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(int(f.status.Load()))
	_, _ = w.Write(*f.body.Load())
}

// FuzzClientDecoding feeds arbitrary bodies and statuses to the public client's
// reading of a page (both shapes), of each record and of the Feathers error: every
// outcome is a decoded value or a *polybill.Error, never a panic, and a 2xx body
// that is not JSON is an error. Seeded with the bodies the fake really sends.
func FuzzClientDecoding(f *testing.F) {
	seedFromFake(f)
	seeds := []struct {
		status int
		body   string
	}{
		{200, `{"total":3,"limit":2,"skip":0,"data":[{"id":"a","createdAt":1700000000000,"paid":10.5},{"id":"b"}]}`},
		{200, `[{"id":"a","status":"weird","balance":"1.10"}]`},
		{200, `{"total":1}`},
		{200, `{"data":null,"total":null}`},
		{200, `{"id":"x","createdAt":"1700000000000","finalizedAt":null,"total":1e400}`},
		{200, `[]`},
		{200, `null`},
		{200, `{"id":"i","total":1} {}`},
		{200, ` [{"id":"a"}] x`},
		{200, `{"id":"i","createdAt":1700000000000`},
		{200, "{\"id\":\"i\",\"total\":1,\"data\":[]}\v"},
		{200, "\u00a0[]"},
		{400, `{"name":"BadRequest","message":"m","code":400,"className":"bad-request","data":{"a":1},"errors":{"amount":"x","item":{"message":"y"}}}`},
		{422, `{"name":"Unprocessable","errors":[{"path":"p","message":"m"},1,"s",null]}`},
		{404, `{"name":7,"message":[]}`},
		{500, `<html>`},
		{401, ``},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
	fs := &fuzzServer{}
	empty := []byte{}
	fs.body.Store(&empty)
	srv := httptest.NewServer(fs)
	f.Cleanup(srv.Close)
	client, err := encounters.New(polybill.WithBaseURL(srv.URL), encounters.WithToken("t"), polybill.WithMaxRetries(0))
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			status = 200 + (status%400+400)%400
		}
		fs.status.Store(int64(status))
		fs.body.Store(&body)
		check := func(err error) {
			if err == nil {
				require.True(t, status < 300, "status %d accepted", status)
				// The reader gets the body straight from the transport: it must refuse
				// what is not JSON. (A 204 carries no body whatever the server writes; an
				// empty body is a find's empty page, the transport's rule.)
				require.True(t, status == http.StatusNoContent || json.Valid(body) || len(bytes.TrimSpace(body)) == 0, "invalid JSON accepted: %q", body)
				return
			}
			var perr *polybill.Error
			require.ErrorAs(t, err, &perr, "status %d: %v", status, err)
			require.LessOrEqual(t, len(perr.Body), polybill.MaxErrorBody)
		}
		page, err := client.Invoices.Find(context.Background(), encounters.NewQuery().Limit(2))
		check(err)
		if err == nil {
			require.NotNil(t, page)
			require.GreaterOrEqual(t, page.Next, 0, strconv.Quote(string(body)))
		}
		_, err = client.Payments.Get(context.Background(), "p", nil)
		check(err)
		_, err = client.Invoices.Get(context.Background(), "i", nil)
		check(err)
		_, err = client.PaymentIntents.Get(context.Background(), "pi")
		check(err)
		_, err = client.Customers.GetWithCards(context.Background(), "c")
		check(err)
		var enc encounters.Encounter
		_ = json.Unmarshal(body, &enc)
	})
}

// seedFromFake adds the bodies encounterstest answers to a walk through the services, as
// 200 answers.
func seedFromFake(f *testing.F) {
	fake := encounterstest.New()
	f.Cleanup(fake.Close)
	rec := &clientfuzz.Recorder{Next: http.DefaultTransport}
	c, err := encounters.New(append(fake.ClientOptions(), polybill.WithHTTPClient(&http.Client{Transport: rec}))...)
	require.NoError(f, err)
	ctx := context.Background()
	enc, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterOutpatient, Invoice: true})
	require.NoError(f, err)
	it, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: enc.ID, Type: "service", Ref: "svc-cbc", Price: polybill.MustDecimal("250.25"), Quantity: 2})
	require.NoError(f, err)
	_, err = c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: it.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100")})
	require.NoError(f, err)
	_, _ = c.Invoices.Get(ctx, enc.ID, nil)
	_, _ = c.Invoices.Find(ctx, nil)
	_, _ = c.Items.Find(ctx, nil)
	_, _ = c.Payments.Find(ctx, nil)
	_, _ = c.Encounters.Find(ctx, nil)
	n := 0
	for _, b := range rec.Bodies() {
		f.Add(200, b)
		n++
	}
	require.GreaterOrEqual(f, n, 8, "the fake's bodies seed the corpus")
}
