package epilot_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
	"github.com/polybill/polybill-go/internal/clientfuzz"
)

// cannedClient answers every request with status and body, without a network.
func cannedClient(t testing.TB, status int, body string, seen *url.Values) *epilot.Client {
	t.Helper()
	c, err := epilot.New(
		polybill.WithBaseURL("https://billing.example.test"),
		epilot.WithToken("tok"),
		polybill.WithMaxRetries(0),
		polybill.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if seen != nil {
				*seen = r.URL.Query()
			}
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})}),
	)
	require.NoError(t, err)
	return c
}

func FuzzParseBillingEvent(f *testing.F) {
	f.Add(`{"type":"installment","billing_amount":10050,"billing_amount_decimal":"100.50","billing_currency":"EUR","booking_date":"2025-06-01","due_date":"2025-06-15","contract":{"$relation":[{"entity_id":"c"}]}}`)
	f.Add(`{"type":"grid_fee_adjustment","x":{"y":[1,2,{"z":null}]},"billing_amount_decimal":100.5}`)
	f.Add(`{"type":"payment","paid_date":"2025-06-18T14:00:00Z","related_event":{"$relation":[{"entity_id":"e"}]}}`)
	f.Add(`{"due_date":"1970-01-01T00:00:00.000Z","_created_at":"2025-01-01","_tags":["a"]}`)
	f.Add(`{"type":"bonus","billing_amount":-9223372036854775808,"billing_amount_decimal":"-92233720368547758.08","billing_currency":"EUR"}`)
	f.Add(`{"type":1}`)
	f.Add(`null`)
	for _, b := range eventFixtures(f) {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, in string) {
		ev, err := epilot.ParseBillingEvent([]byte(in))
		if err != nil {
			return
		}
		_ = ev.Fields().Amount.Check()
		out, err := json.Marshal(ev)
		require.NoError(t, err, "a decoded event re-encodes")
		again, err := epilot.ParseBillingEvent(out)
		require.NoError(t, err, "the re-encoded event decodes: %s", out)
		assert.Equal(t, ev.Kind(), again.Kind())
		assert.Equal(t, len(ev.Fields().Extra), len(again.Fields().Extra))
		for k, v := range ev.Fields().Extra {
			var a, b any
			require.NoError(t, json.Unmarshal(v, &a))
			require.NoError(t, json.Unmarshal(again.Fields().Extra[k], &b))
			assert.Equal(t, a, b, "extra %q survives", k)
		}
	})
}

func FuzzErrorEnvelope(f *testing.F) {
	f.Add(404, `{"error":"Not Found","message":"Billing event not found."}`)
	f.Add(401, `{"message":"Unauthorized"}`)
	f.Add(422, `{"error":"Unprocessable Entity","message":"Validation failed"}`)
	f.Add(502, `<html>Bad Gateway</html>`)
	f.Add(500, `{"error":{"nested":true},"message":7}`)
	f.Add(400, ``)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 400 || status > 599 {
			return
		}
		_, err := cannedClient(t, status, body, nil).GetBillingEvent(context.Background(), "ev")
		var pe *polybill.Error
		require.True(t, errors.As(err, &pe), "every failure is a *polybill.Error")
		assert.Equal(t, status, pe.StatusCode)
		assert.NotEmpty(t, pe.Code)
		assert.NotContains(t, pe.Error(), "tok\n")
	})
}

func FuzzListResponse(f *testing.F) {
	f.Add(`{"hits":3,"results":[{"type":"installment"},{"type":"x"},{}]}`, 0)
	f.Add(`{"hits":1000,"results":[]}`, 10)
	f.Add(`{"results":[{"type":"payment"}]}`, 0)
	f.Add(`{"hits":"many"}`, 0)
	f.Add(`[]`, 0)
	f.Fuzz(func(t *testing.T, body string, from int) {
		if from < 0 || from > 1_000_000 {
			return
		}
		page, err := cannedClient(t, 200, body, nil).ListBillingEventsPage(context.Background(), &epilot.ListBillingEventsParams{From: from})
		if err != nil {
			var pe *polybill.Error
			require.True(t, errors.As(err, &pe))
			assert.Equal(t, polybill.CodeInvalidResponse, pe.Code)
			return
		}
		assert.Equal(t, from+len(page.Items), page.Next)
		for _, ev := range page.Items {
			require.NotNil(t, ev)
		}
		if page.HasMore {
			assert.NotEmpty(t, page.Items, "an empty page never claims more")
		}
	})
}

func FuzzListQuery(f *testing.F) {
	f.Add("f589786b-3024-43cd-9cb3-5a3c953f2896", "c&d=e", "contact 1", 50, 0)
	f.Add("a/b?c#d", "%2F..", "ü", 1, 1)
	f.Add("x", "y", "", 0, 1000)
	f.Fuzz(func(t *testing.T, id1, id2, contact string, size, from int) {
		var seen url.Values
		p := epilot.ListBillingEventsParams{EntityIDs: []string{id1, id2}, ContactID: contact, Size: size, From: from}
		_, err := cannedClient(t, 200, `{"hits":0,"results":[]}`, &seen).ListBillingEventsPage(context.Background(), &p)
		if err != nil {
			require.ErrorIs(t, err, polybill.ErrValidation)
			assert.Nil(t, seen, "refused before sending")
			return
		}
		assert.Equal(t, []string{id1, id2}, seen["entity_id"], "ids arrive intact")
		if contact != "" {
			assert.Equal(t, contact, seen.Get("contact_id"))
		}
	})
}

func FuzzContractAndPricingDecoders(f *testing.F) {
	f.Add(`{"_id":"c","contract_name":"Grid","billing_due_day":0,"notice_time_amount":1.5,"x":{"y":1}}`)
	f.Add(`{"entity_type":"contract","entity_id":"c","history":[{"change_type":"installment_amount_changed","previous_value":null,"new_value":{"amount":1,"amount_decimal":"0.01","currency":"EUR"}}]}`)
	f.Add(`{"balance":8990,"balance_decimal":"89.90","balance_currency":"EUR"}`)
	f.Fuzz(func(t *testing.T, in string) {
		var c epilot.Contract
		if json.Unmarshal([]byte(in), &c) == nil {
			out, err := json.Marshal(c)
			require.NoError(t, err)
			var back epilot.Contract
			require.NoError(t, json.Unmarshal(out, &back), "%s", out)
			assert.Equal(t, c.ID, back.ID)
			assert.Equal(t, len(c.Extra), len(back.Extra))
		}
		var p epilot.ContractPricingInformation
		_ = json.Unmarshal([]byte(in), &p)
		var b epilot.Balance
		if json.Unmarshal([]byte(in), &b) == nil {
			_ = b.Amount.Check()
		}
	})
}

// FuzzClientDecoding feeds every body to the public client's reading of each answer, over a
// loopback server: it never panics, a 2xx body that is not JSON is an error and never a value,
// and every error is a *polybill.Error. Seeded with the bodies the fake really sends.
func FuzzClientDecoding(f *testing.F) {
	fake := seedFromFake(f)
	for _, s := range []string{`{"hits":1,"results":[{"_id":"e","type":"payment"}]} x`, `{"_id":"e","type":"payment"`, `<html>`, ``, `null`, `{"results":null}`} {
		f.Add([]byte(s))
	}
	srv := clientfuzz.NewServer(f, nil)
	// The fake's credentials, pointed at the loopback server that answers the body under test.
	c, err := epilot.New(append(fake.ClientOptions(), polybill.WithBaseURL(srv.URL), polybill.WithMaxRetries(0))...)
	require.NoError(f, err)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.Serve(body)
		page, err := c.ListBillingEventsPage(ctx, nil)
		clientfuzz.Check(t, body, page, err)
		if err == nil {
			require.NotNil(t, page.Items)
		}
		ev, err := c.GetBillingEvent(ctx, "e")
		clientfuzz.CheckErr(t, body, err)
		if err != nil {
			require.Nil(t, ev)
		}
		bal, err := c.GetCustomerBalance(ctx, "cu")
		clientfuzz.Check(t, body, bal, err)
		cp, err := c.GetContractPricingInformation(ctx, "c", nil)
		clientfuzz.Check(t, body, cp, err)
		ap, err := c.GetBillingAccountPricingInformation(ctx, "a", nil)
		clientfuzz.Check(t, body, ap, err)
		hist, err := c.ListContractConfigurationHistoryPage(ctx, "c", nil)
		clientfuzz.Check(t, body, hist, err)
		con, err := c.UpdateContract(ctx, "c", epilot.Contract{Description: "d"})
		clientfuzz.Check(t, body, con, err)
	})
}

// seedFromFake adds the bodies epilottest answers to a walk through every read, and the
// vendor-shaped event fixtures.
func seedFromFake(f *testing.F) *epilottest.Server {
	fake := epilottest.New()
	f.Cleanup(fake.Close)
	rec := &clientfuzz.Recorder{Next: http.DefaultTransport}
	c, err := epilot.New(append(fake.ClientOptions(), polybill.WithHTTPClient(&http.Client{Transport: rec}))...)
	require.NoError(f, err)
	ctx := context.Background()
	con, err := c.CreateContract(ctx, epilot.Contract{Name: "Grid", BillingPeriod: epilot.PeriodMonthly, InstallmentAmount: epilot.Ptr[int64](10000),
		BalanceCurrency: "EUR", BillingAccount: epilot.Link("acct-1"), Customer: epilot.Link("cu-1")})
	require.NoError(f, err)
	_, err = c.UpdateContract(ctx, con.ID, epilot.Contract{InstallmentAmount: epilot.Ptr[int64](10100)})
	require.NoError(f, err)
	for _, b := range eventFixtures(f) {
		_, err := fake.AddEvent(b)
		require.NoError(f, err)
		f.Add(b)
	}
	ev, err := c.CreateBillingEvent(ctx, &epilot.InstallmentEvent{EventFields: epilot.EventFields{Amount: epilot.MinorUnits(10100, "EUR"),
		BookingDate: polybill.NewDate(2025, 1, 15), DueDate: polybill.NewDate(2025, 1, 15), Contract: epilot.Link(con.ID), Note: "n"}})
	require.NoError(f, err)
	_, _ = c.GetBillingEvent(ctx, ev.Fields().ID)
	_, _ = c.ListBillingEventsPage(ctx, nil)
	_, _ = c.GetCustomerBalance(ctx, "cu-1")
	_, _ = c.GetContractPricingInformation(ctx, con.ID, nil)
	_, _ = c.GetBillingAccountPricingInformation(ctx, "acct-1", nil)
	_, _ = c.ListContractConfigurationHistoryPage(ctx, con.ID, nil)
	require.GreaterOrEqual(f, rec.Seed(f), 8, "the fake's bodies seed the corpus")
	return fake
}
