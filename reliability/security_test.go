package reliability_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/epilot"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// errorTexts is every way an error can be printed, labelled: Error(), the fmt verbs, the
// *polybill.Error fields a caller may log (Message, Body, Details), and each error in its
// chain (wrapped causes and joined errors).
func errorTexts(label string, err error) map[string]string {
	out := map[string]string{}
	if err == nil {
		return out
	}
	out[label+" Error()"] = err.Error()
	out[label+" %v"] = fmt.Sprintf("%v", err)
	out[label+" %+v"] = fmt.Sprintf("%+v", err)
	out[label+" %#v"] = fmt.Sprintf("%#v", err)
	out[label+" %q"] = fmt.Sprintf("%q", err)
	var pe *polybill.Error
	if errors.As(err, &pe) {
		out[label+" Message"] = pe.Message
		out[label+" Body"] = string(pe.Body)
		for i, d := range pe.Details {
			out[fmt.Sprintf("%s Details[%d]", label, i)] = strings.Join([]string{d.Code, d.Title, d.Message, d.Field, string(d.Raw)}, " ")
		}
	}
	var inner []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		inner = append(inner, u.Unwrap())
	case interface{ Unwrap() []error }:
		inner = u.Unwrap()
	}
	for i, e := range inner {
		for k, v := range errorTexts(fmt.Sprintf("%s unwrap[%d]", label, i), e) {
			out[k] = v
		}
	}
	return out
}

// TestSecretsNeverLeak runs every client (each credential style) through success, error
// envelopes that echo the request's credentials back, 5xx retries, failed token requests
// that echo the secret, resets, broken bodies and a nil context, with a JSON logger at debug
// level, and looks for every credential in every log line, error text and panic value.
func TestSecretsNeverLeak(t *testing.T) {
	scenarios := []struct {
		name string
		mode frontMode
	}{
		{"success", modeProxy},
		{"400 echoing credentials", modeEcho400},
		{"500 echoing credentials, retried", modeEcho500},
		{"token request refused, echoing the secret", modeEchoTok},
		{"connection reset", modeReset},
		{"broken 200 body echoing credentials", modeGarbage},
	}
	for _, rig := range secretRigs(t) {
		for _, sc := range scenarios {
			t.Run(rig.name+"/"+sc.name, func(t *testing.T) {
				f := newFront(t, rig.fake)
				f.setMode(sc.mode)
				var logs syncBuffer
				capture := &tokenCapture{}
				call := rig.build(t, f.URL(),
					polybill.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
					polybill.WithMiddleware(capture.middleware()), polybill.WithMaxRetries(2))
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				err := call(ctx)
				if sc.mode != modeProxy {
					require.Error(t, err)
				}
				texts := errorTexts("err", err)

				// A nil context is a programming error; whatever happens must not print secrets.
				func() {
					defer func() {
						if p := recover(); p != nil {
							texts["panic"] = fmt.Sprintf("%v %+v", p, p)
						}
					}()
					//nolint:staticcheck // a nil context on purpose
					for k, v := range errorTexts("nil-context err", call(nil)) {
						texts[k] = v
					}
				}()

				secrets := append(append([]string(nil), rig.secrets...), capture.list()...)
				require.NotEmpty(t, secrets)
				logText := logs.String()
				if sc.mode != modeEchoTok {
					assert.NotEmpty(t, logText, "the debug logger wrote nothing")
				}
				for _, s := range secrets {
					assert.NotContains(t, logText, s, "a credential in the logs")
					for where, text := range texts {
						assert.NotContains(t, text, s, "a credential in %s", where)
					}
				}
			})
		}
	}
}

// TestNoAuthHeaderFollowsRedirect points each client at a server on 127.0.0.1 that redirects
// every API call to localhost (another host): the credentials go to the first, never to the
// second.
func TestNoAuthHeaderFollowsRedirect(t *testing.T) {
	for _, rig := range secretRigs(t) {
		t.Run(rig.name, func(t *testing.T) {
			other := newFront(t, rig.fake)
			other.setMode(modeRecord404)
			first := newFront(t, rig.fake)
			first.setMode(modeRedirect)
			first.redirect = strings.Replace(other.URL(), "127.0.0.1", "localhost", 1)
			capture := &tokenCapture{}
			call := rig.build(t, first.URL(), polybill.WithMiddleware(capture.middleware()))
			err := call(context.Background())
			require.Error(t, err)

			var authed bool
			for _, r := range first.requests() {
				if !isTokenPath(strings.SplitN(r.RequestURI, "?", 2)[0]) && (r.Header.Get("Authorization") != "" || r.Header.Get("AppId") != "") {
					authed = true
				}
			}
			require.True(t, authed, "the client sent no credentials to its own host")
			got := other.requests()
			require.NotEmpty(t, got, "the redirect was not followed")
			secrets := append(append([]string(nil), rig.secrets...), capture.list()...)
			for _, r := range got {
				assert.True(t, strings.HasPrefix(r.Host, "localhost:"), "redirect went to %s", r.Host)
				for _, h := range []string{"Authorization", "Appid", "X-Api-Key", "Cookie", "Proxy-Authorization"} {
					assert.Empty(t, r.Header.Values(h), "%s followed the redirect to another host", h)
				}
				for k, vs := range r.Header {
					for _, v := range vs {
						for _, s := range secrets {
							assert.NotContains(t, v, s, "header %s carried a credential to another host", k)
						}
					}
				}
			}
		})
	}
}

// pathCase is one API call with its path parameters, and the route it must reach.
type pathCase struct {
	op     string // the operationId the call must report (CallInfo), checked against the sources
	method string
	route  string // the path with {} where each parameter goes
	call   func(ctx context.Context, id string) error
}

func (pc pathCase) name() string { return pc.op + " " + pc.method }

// pathCases lists one public call per operation whose route has a path parameter. Every
// parameter of the call gets the same id. TestPathCasesCoverEveryOperation keeps the list
// complete: it finds the operations in the packages' sources by itself.
func pathCases(t *testing.T, base, clinicToken string, more ...polybill.Option) []pathCase {
	opts := polybill.WithOptions(append([]polybill.Option{polybill.WithBaseURL(base), polybill.WithMaxRetries(0)}, more...)...)
	cc, err := crm.New(opts, crm.WithToken(crmToken), crm.WithAPIKey(crmAPIKey))
	require.NoError(t, err)
	ec, err := epilot.New(opts, epilot.WithToken(epilotToken))
	require.NoError(t, err)
	nc, err := encounters.New(opts, encounters.WithToken(encToken))
	require.NoError(t, err)
	kc, err := clinic.New(opts, clinic.WithClientCredentials(clinicClientID, clinicSecret), clinic.WithTokenURL(clinicToken))
	require.NoError(t, err)
	ret := func(_ any, err error) error { return err }
	first := func(seq iter.Seq2[epilot.HistoryRow, error]) error {
		for _, err := range seq {
			return err
		}
		return nil
	}
	note := "x"
	newBilling := crm.CreateBillingParams{Amount: polybill.MustDecimal("1.00"), PayerName: "p", PayerEmail: "p@example.com"}
	return []pathCase{
		{"getBilling", "GET", "/billings/{}", func(ctx context.Context, id string) error { return ret(cc.GetBilling(ctx, id)) }},
		{"deleteBilling", "DELETE", "/billings/{}", func(ctx context.Context, id string) error { return cc.DeleteBilling(ctx, id) }},
		{"updateBilling", "PUT", "/billings/{}", func(ctx context.Context, id string) error {
			return ret(cc.UpdateBilling(ctx, id, crm.UpdateBillingParams{Notes: "x"}))
		}},
		{"getEapSessions", "GET", "/billings/eap_sessions/{}/{}", func(ctx context.Context, id string) error { return ret(cc.GetEAPSessions(ctx, id, id)) }},
		{"getPaymentSplit", "GET", "/billings/{}/payment_split", func(ctx context.Context, id string) error { return ret(cc.GetPaymentSplit(ctx, id)) }},
		{"getParticipantReport", "GET", "/billings/reports/participant/{}", func(ctx context.Context, id string) error { return ret(cc.GetParticipantReport(ctx, id)) }},
		{"getMeetingBilling", "GET", "/meetings/{}/billing", func(ctx context.Context, id string) error { return ret(cc.GetMeetingBilling(ctx, id)) }},
		{"createMeetingBilling", "POST", "/meetings/{}/billing", func(ctx context.Context, id string) error { return ret(cc.CreateMeetingBilling(ctx, id, newBilling)) }},

		{"getBillingEvent", "GET", "/v1/billing/events/{}", func(ctx context.Context, id string) error { return ret(ec.GetBillingEvent(ctx, id)) }},
		{"updateBillingEvent", "PATCH", "/v1/billing/events/{}", func(ctx context.Context, id string) error {
			return ret(ec.UpdateBillingEvent(ctx, id, epilot.BillingEventUpdate{Note: &note}))
		}},
		{"deleteBillingEvent", "DELETE", "/v1/billing/events/{}", func(ctx context.Context, id string) error { return ec.DeleteBillingEvent(ctx, id) }},
		{"getBillingEventByExternalId", "GET", "/v1/billing/external/{}", func(ctx context.Context, id string) error { return ret(ec.GetBillingEventByExternalID(ctx, id)) }},
		{"updateContractEntity", "PATCH", "/v1/billing/contracts/{}", func(ctx context.Context, id string) error {
			return ret(ec.UpdateContract(ctx, id, epilot.Contract{Name: "x"}))
		}},
		{"deleteContractEntity", "DELETE", "/v1/billing/contracts/{}", func(ctx context.Context, id string) error { return ec.DeleteContract(ctx, id) }},
		{"getCustomerBalance", "GET", "/v1/billing/customers/{}/balance", func(ctx context.Context, id string) error { return ret(ec.GetCustomerBalance(ctx, id)) }},
		{"getContractPricingInformation", "GET", "/v1/billing/contracts/{}/pricing_information", func(ctx context.Context, id string) error {
			return ret(ec.GetContractPricingInformation(ctx, id, nil))
		}},
		{"getBillingAccountPricingInformation", "GET", "/v1/billing/billing_accounts/{}/pricing_information", func(ctx context.Context, id string) error {
			return ret(ec.GetBillingAccountPricingInformation(ctx, id, nil))
		}},
		{"getContractConfigurationHistory", "GET", "/v1/billing/contracts/{}/configuration_history", func(ctx context.Context, id string) error {
			return first(ec.ListContractConfigurationHistory(ctx, id, nil))
		}},
		{"getBillingAccountConfigurationHistory", "GET", "/v1/billing/billing_accounts/{}/configuration_history", func(ctx context.Context, id string) error {
			return first(ec.ListBillingAccountConfigurationHistory(ctx, id, nil))
		}},

		{"getCustomer", "GET", "/billing/customers/{}", func(ctx context.Context, id string) error { return ret(nc.Customers.Get(ctx, id)) }},
		{"patchCustomer", "PATCH", "/billing/customers/{}", func(ctx context.Context, id string) error { return ret(nc.Customers.SetDefaultCard(ctx, id, "card_1")) }},
		{"removeCustomer", "DELETE", "/billing/customers/{}", func(ctx context.Context, id string) error { return ret(nc.Customers.Delete(ctx, id)) }},
		{"getInvoice", "GET", "/billing-invoices/{}", func(ctx context.Context, id string) error { return ret(nc.Invoices.Get(ctx, id, nil)) }},
		{"patchInvoice", "PATCH", "/billing-invoices/{}", func(ctx context.Context, id string) error {
			return ret(nc.Invoices.Patch(ctx, id, encounters.PatchInvoiceParams{Notes: "x"}))
		}},
		{"removeInvoice", "DELETE", "/billing-invoices/{}", func(ctx context.Context, id string) error { return ret(nc.Invoices.Delete(ctx, id)) }},
		{"getItem", "GET", "/billing-items/{}", func(ctx context.Context, id string) error { return ret(nc.Items.Get(ctx, id, nil)) }},
		{"patchItem", "PATCH", "/billing-items/{}", func(ctx context.Context, id string) error {
			return ret(nc.Items.Patch(ctx, id, encounters.PatchItemParams{Name: "x"}))
		}},
		{"removeItem", "DELETE", "/billing-items/{}", func(ctx context.Context, id string) error { return ret(nc.Items.Delete(ctx, id)) }},
		{"getEncounter", "GET", "/medical-encounters/{}", func(ctx context.Context, id string) error { return ret(nc.Encounters.Get(ctx, id, nil)) }},
		{"patchEncounter", "PATCH", "/medical-encounters/{}", func(ctx context.Context, id string) error {
			return ret(nc.Encounters.Patch(ctx, id, encounters.PatchEncounterParams{Tags: []string{"x"}}))
		}},
		{"removeEncounter", "DELETE", "/medical-encounters/{}", func(ctx context.Context, id string) error { return ret(nc.Encounters.Delete(ctx, id)) }},
		{"getPayment", "GET", "/billing-payments/{}", func(ctx context.Context, id string) error { return ret(nc.Payments.Get(ctx, id, nil)) }},
		{"patchPayment", "PATCH", "/billing-payments/{}", func(ctx context.Context, id string) error {
			return ret(nc.Payments.Patch(ctx, id, encounters.PatchPaymentParams{Notes: "x"}))
		}},
		{"removePayment", "DELETE", "/billing-payments/{}", func(ctx context.Context, id string) error { return ret(nc.Payments.Delete(ctx, id)) }},
		{"getPaymentIntent", "GET", "/billing-payment-intents/{}", func(ctx context.Context, id string) error { return ret(nc.PaymentIntents.Get(ctx, id)) }},
		{"patchPaymentIntent", "PATCH", "/billing-payment-intents/{}", func(ctx context.Context, id string) error { return ret(nc.PaymentIntents.Capture(ctx, id)) }},
		{"removePaymentIntent", "DELETE", "/billing-payment-intents/{}", func(ctx context.Context, id string) error { return ret(nc.PaymentIntents.Delete(ctx, id)) }},

		{"getInvoice", "GET", "/api/v1/billing/invoices/{}", func(ctx context.Context, id string) error { return ret(kc.GetInvoice(ctx, id)) }},
		{"recordPayment", "POST", "/api/v1/billing/invoices/{}/payments", func(ctx context.Context, id string) error {
			return ret(kc.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: polybill.MustDecimal("1.00"), Mode: clinic.PaymentModeCash}))
		}},
	}
}

// TestPathCasesCoverEveryOperation finds, in the sources of the four API packages, every
// operation declared with a path parameter (transport.Op("<id>", "/…/{…}")), and checks
// that pathCases calls each of them and that each call really reaches the server as that
// operation (its CallInfo, seen by a middleware) with an id that needs escaping. A new call
// site with a path parameter fails this test until it gets a case.
func TestPathCasesCoverEveryOperation(t *testing.T) {
	want := map[string]bool{} // "<api> <operationId> <route>"
	for _, api := range []string{"crm", "epilot", "encounters", "clinic"} {
		files, err := filepath.Glob(filepath.Join("..", api, "*.go"))
		require.NoError(t, err)
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if !ok || len(c.Args) != 2 {
					return true
				}
				sel, ok := c.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Op" {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "transport" {
					return true
				}
				id, ok1 := c.Args[0].(*ast.BasicLit)
				route, ok2 := c.Args[1].(*ast.BasicLit)
				require.True(t, ok1 && ok2, "%s: transport.Op with non-literal arguments", name)
				if r, _ := strconv.Unquote(route.Value); strings.Contains(r, "{") {
					opID, _ := strconv.Unquote(id.Value)
					want[api+" "+opID+" "+r] = true
				}
				return true
			})
		}
	}
	require.Len(t, want, 39, "operations with a path parameter found in the sources (update when one is added)")

	var mu sync.Mutex
	seen := map[string]bool{}
	record := polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		if info, ok := polybill.CallInfoFrom(req.Context()); ok {
			mu.Lock()
			seen[info.API+" "+info.Operation.ID+" "+info.Operation.Route] = true
			mu.Unlock()
		}
		return next(req)
	})
	clinicFake := clinicFakeURL(t)
	f := newFront(t, clinicFake)
	f.setMode(modeRecord404)
	cases := pathCases(t, f.URL(), clinicFake+clinic.TokenPath, record)
	for _, pc := range cases {
		_ = pc.call(context.Background(), "a/b")
	}
	for op := range want {
		assert.True(t, seen[op], "no path case reaches %s with an id that needs escaping", op)
	}
	for op := range seen {
		assert.True(t, want[op], "%s was called but not found in the sources", op)
	}
}

// TestPathParametersCannotChangeTheRoute sends ids made to escape their segment through
// every client method with a path parameter, and checks what the server received: the same
// method, the route's segments with the id as exactly one segment (never a dot segment), no
// query, no injected header. Refusing an id before sending (ErrValidation) is also fine.
func TestPathParametersCannotChangeTheRoute(t *testing.T) {
	ids := []string{"../x", "..", ".", "a/b", "/", "%2e%2e", "%2e%2e%2fadmin", "..%2F..%2Fadmin", "x?admin=1", "x#frag",
		"x\r\nX-Injected: 1", "\r\n", "x\nX-Injected: 1", "a b", "a+b", "%", "%00", "\x00", "..\\..\\x", "ü/é", ""}
	clinicFake := clinicFakeURL(t)
	f := newFront(t, clinicFake)
	f.setMode(modeRecord404)
	for _, pc := range pathCases(t, f.URL(), clinicFake+clinic.TokenPath) {
		for _, id := range ids {
			t.Run(fmt.Sprintf("%s/%q", pc.name(), id), func(t *testing.T) {
				before := len(f.requests())
				err := pc.call(context.Background(), id)
				require.Error(t, err)
				var got []recorded
				for _, r := range f.requests()[before:] {
					if !isTokenPath(r.RequestURI) {
						got = append(got, r)
					}
				}
				if len(got) == 0 {
					assert.ErrorIs(t, err, polybill.ErrValidation, "nothing was sent, so the id must have been refused locally")
					return
				}
				require.Len(t, got, 1, "one call, one request")
				r := got[0]
				assert.Equal(t, pc.method, r.Method)
				assert.NotContains(t, r.RequestURI, "?", "the id added a query")
				assert.NotContains(t, r.RequestURI, "#")
				assert.Empty(t, r.Header.Values("X-Injected"), "the id injected a header")
				want := strings.Split(pc.route, "/")
				seg := strings.Split(r.RequestURI, "/")
				require.Len(t, seg, len(want), "the id changed the number of path segments: %s", r.RequestURI)
				for i, w := range want {
					if w != "{}" {
						assert.Equal(t, w, seg[i], "segment %d of %s", i, r.RequestURI)
						continue
					}
					assert.NotContains(t, []string{".", ".."}, seg[i], "a raw dot segment: %s", r.RequestURI)
					dec, err := url.PathUnescape(seg[i])
					require.NoError(t, err)
					assert.Equal(t, id, dec, "segment %d of %s", i, r.RequestURI)
				}
			})
		}
	}
}

// clinicFakeURL starts a clinic fake that knows the test's client credentials.
func clinicFakeURL(t *testing.T) string {
	srv := clinictest.New(clinictest.WithClient(clinicClientID, clinicSecret, clinic.ScopeBillingRead, clinic.ScopeBillingWrite))
	t.Cleanup(srv.Close)
	return srv.URL()
}

// TestHugeResponseIsCut streams 100 MB at every client, chunked and with a Content-Length:
// the call fails with ErrResponseTooLarge at the default bound (32 MiB) and the client stops
// reading there (the server cannot send the rest). The memory it takes is logged; the
// allocation bound is asserted in TestHugeResponseAllocatesLessThanItsSize.
func TestHugeResponseIsCut(t *testing.T) {
	for _, rig := range secretRigs(t) {
		switch rig.name {
		case "crm (token source with refresh token)", "epilot (token func)", "encounters (static token)":
			continue // one row per API is enough here
		}
		for _, mode := range []frontMode{modeHuge, modeHugeCL} {
			name := rig.name + "/chunked"
			if mode == modeHugeCL {
				name = rig.name + "/content-length"
			}
			t.Run(name, func(t *testing.T) {
				f := newFront(t, rig.fake)
				call := rig.build(t, f.URL())
				f.setMode(modeProxy)
				_ = call(context.Background()) // fetch credentials first (404 for the unknown id)
				f.setMode(mode)

				peak, allocated, err := measureHeap(func() error { return call(context.Background()) })

				require.Error(t, err)
				assert.ErrorIs(t, err, polybill.ErrResponseTooLarge)
				var pe *polybill.Error
				require.True(t, errors.As(err, &pe))
				assert.Equal(t, polybill.CodeResponseTooLarge, pe.Code)
				assert.Less(t, len(pe.Body), polybill.MaxErrorBody+1)
				t.Logf("%s: peak live heap +%d MiB, %d MiB allocated in total, %d MiB sent by the server: %v",
					name, peak>>20, allocated>>20, f.sent.Load()>>20, err)
				// What the client allocates on the way is TestHugeResponseAllocatesLessThanItsSize.
				assert.Less(t, f.sent.Load(), int64(hugeSize), "the client read the whole body")
			})
		}
	}
}

// measureHeap runs fn and reports how far the live heap grew above its level before (sampled
// every 100µs while fn runs) and how much was allocated in total.
func measureHeap(fn func() error) (peak, allocated uint64, err error) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	base := read()
	done := make(chan struct{})
	var maxSeen uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			if v := read(); v > maxSeen {
				maxSeen = v
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	err = fn()
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&after)
	if maxSeen > base {
		peak = maxSeen - base
	}
	return peak, after.TotalAlloc - before.TotalAlloc, err
}

// TestPlainHTTPRefused: every constructor, and NewFromEnv through the vendor's environment
// variable, refuses http:// to a host that is not loopback, accepts loopback, and accepts
// anything with WithInsecureHTTP.
func TestPlainHTTPRefused(t *testing.T) {
	type ctor struct {
		name   string
		new    func(opts ...polybill.Option) error
		env    string
		envNew func() error
	}
	ctors := []ctor{
		{"crm", func(o ...polybill.Option) error {
			_, err := crm.New(polybill.WithOptions(o...), crm.WithToken(crmToken), crm.WithAPIKey(crmAPIKey))
			return err
		}, crm.EnvAPIURL, func() error {
			_, err := crm.NewFromEnv(crm.WithToken(crmToken), crm.WithAPIKey(crmAPIKey))
			return err
		}},
		{"epilot", func(o ...polybill.Option) error {
			_, err := epilot.New(polybill.WithOptions(o...), epilot.WithToken(epilotToken))
			return err
		}, epilot.EnvAPIURL, func() error { _, err := epilot.NewFromEnv(epilot.WithToken(epilotToken)); return err }},
		{"encounters", func(o ...polybill.Option) error {
			_, err := encounters.New(polybill.WithOptions(o...), encounters.WithToken(encToken))
			return err
		}, encounters.EnvAPIURL, func() error { _, err := encounters.NewFromEnv(encounters.WithToken(encToken)); return err }},
		{"clinic", func(o ...polybill.Option) error {
			_, err := clinic.New(polybill.WithOptions(o...), clinic.WithClientCredentials(clinicClientID, clinicSecret))
			return err
		}, clinic.EnvAPIURL, func() error {
			_, err := clinic.NewFromEnv(clinic.WithClientCredentials(clinicClientID, clinicSecret))
			return err
		}},
	}
	refused := []string{"http://billing.example.com", "http://10.0.0.5:8080", "http://192.168.1.10", "http://0.0.0.0:80",
		"http://localhost.example.com", "http://127.0.0.1.nip.io", "http://[fe80::1]", "HTTP://billing.example.com"}
	allowed := []string{"http://127.0.0.1:9999", "http://localhost:9999", "http://[::1]:9999", "https://billing.example.com"}
	for _, c := range ctors {
		t.Run(c.name, func(t *testing.T) {
			for _, u := range refused {
				err := c.new(polybill.WithBaseURL(u))
				assert.Error(t, err, "New accepted %s", u)
				assert.NoError(t, c.new(polybill.WithBaseURL(u), polybill.WithInsecureHTTP()), "WithInsecureHTTP %s", u)
				t.Setenv(c.env, u)
				assert.Error(t, c.envNew(), "NewFromEnv accepted %s=%s", c.env, u)
			}
			for _, u := range allowed {
				assert.NoError(t, c.new(polybill.WithBaseURL(u)), "New refused %s", u)
			}
		})
	}
	t.Run("clinic token URL", func(t *testing.T) {
		_, err := clinic.New(polybill.WithBaseURL("https://billing.example.com"), clinic.WithClientCredentials(clinicClientID, clinicSecret),
			clinic.WithTokenURL("http://auth.example.com/token"))
		assert.Error(t, err, "a plain http token URL on another host carries the client secret in clear")
	})
}
