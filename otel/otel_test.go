package polybillotel_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
	polybillotel "github.com/polybill/polybill-go/otel"
)

// telemetry collects what one client emitted, and what its attempts sent.
type telemetry struct {
	spans       *tracetest.SpanRecorder
	reader      *sdkmetric.ManualReader
	mu          sync.Mutex
	traceparent []string
	// credentials are the values of every credential header sent (tokens fetched during the
	// call included), which must not reach telemetry either.
	credentials []string
}

func newTelemetry() *telemetry {
	return &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
}

// options instruments a client and records, as the RoundTripper under the client sees them,
// the traceparent header of every attempt and the credentials of every request.
func (tm *telemetry) options() []polybill.Option {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tm.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tm.reader))
	return []polybill.Option{
		polybillotel.Instrument(polybillotel.WithTracerProvider(tp), polybillotel.WithMeterProvider(mp)),
		polybill.WithHTTPClient(&http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
			tm.mu.Lock()
			if _, ok := polybill.CallInfoFrom(r.Context()); ok {
				tm.traceparent = append(tm.traceparent, r.Header.Get("traceparent"))
			}
			for name, values := range r.Header {
				if n := strings.ToLower(name); n == "authorization" || strings.Contains(n, "key") || strings.Contains(n, "token") {
					for _, v := range values {
						fields := strings.Fields(v) // "Bearer <token>": the token
						tm.credentials = append(tm.credentials, fields[len(fields)-1])
					}
				}
			}
			tm.mu.Unlock()
			return http.DefaultTransport.RoundTrip(r)
		})}),
		polybill.WithMinRetryDelay(time.Millisecond), polybill.WithMaxRetryDelay(20 * time.Millisecond),
	}
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// spanLines renders the ended spans, in end order, one line each: name, kind, parent,
// status and sorted attributes. Values that vary by run (ports, request ids, timings)
// are replaced by a marker.
func (tm *telemetry) spanLines(t *testing.T) []string {
	ended := tm.spans.Ended()
	names := map[trace.SpanID]string{}
	for _, s := range ended {
		names[s.SpanContext().SpanID()] = s.Name()
	}
	var lines []string
	for _, s := range ended {
		var attrs []string
		for _, kv := range s.Attributes() {
			v := kv.Value.String()
			switch kv.Key {
			case "server.port", "polybill.request_id":
				v = "*"
			}
			attrs = append(attrs, string(kv.Key)+"="+v)
		}
		sort.Strings(attrs)
		parent := names[s.Parent().SpanID()]
		if parent == "" {
			parent = "-"
		}
		lines = append(lines, fmt.Sprintf("%s|%s|parent=%s|%s %s|%s", s.Name(), s.SpanKind(), parent, s.Status().Code, s.Status().Description, strings.Join(attrs, " ")))
	}
	return lines
}

// metricLines renders every data point: counters and gauges with their value, histograms
// with their count.
func (tm *telemetry) metricLines(t *testing.T) []string {
	var rm metricdata.ResourceMetrics
	require.NoError(t, tm.reader.Collect(context.Background(), &rm))
	var lines []string
	attrs := func(s attribute.Set) string {
		var out []string
		for _, kv := range s.ToSlice() {
			out = append(out, string(kv.Key)+"="+kv.Value.String())
		}
		return strings.Join(out, ",")
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s{%s} %d", m.Name, attrs(p.Attributes), p.Value))
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s{%s} %g", m.Name, attrs(p.Attributes), p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s{%s} count=%d", m.Name, attrs(p.Attributes), p.Count))
				}
			default:
				t.Fatalf("unexpected metric %s %T", m.Name, m.Data)
			}
		}
	}
	sort.Strings(lines)
	return lines
}

// Never in telemetry: a path value (an email), a query value, body values, and each fake's
// credentials (each scenario adds its own).
const (
	secretID        = "ann.private@example.com"
	secretQuery     = "needle-query-value"
	secretBody      = "SAP-needle-external"
	secretContract  = "contract-needle-7"
	secretPayer     = "Needle Payer Name"
	secretReference = "NEFT-needle-UTR-0001"
	secretInvoice   = "INV-needle-0001"
)

// scenario runs one situation against a fake with injected faults, through a client with
// opts, checks what the call returned, and returns the values that must not reach
// telemetry.
type scenario func(t *testing.T, opts []polybill.Option) (forbidden []string)

// crmGet is GetBilling of a billing whose id is an email, after faults, with extra options.
func crmGet(wantErr error, extra []polybill.Option, faults ...crmtest.Fault) scenario {
	return func(t *testing.T, opts []polybill.Option) []string {
		srv := crmtest.New()
		t.Cleanup(srv.Close)
		_, err := srv.AddBilling(crmtest.Billing{UniqueID: secretID, PayerName: secretPayer})
		require.NoError(t, err)
		c, err := crm.New(append(srv.ClientOptions(), polybill.WithOptions(opts...), polybill.WithOptions(extra...))...)
		require.NoError(t, err)
		for _, f := range faults {
			srv.Faults().Add(f)
		}
		_, err = c.GetBilling(context.Background(), secretID)
		requireErrorIs(t, err, wantErr)
		return []string{secretID, secretPayer, crmtest.DefaultToken, crmtest.DefaultAPIKey}
	}
}

// epilotCreate creates an event with an ExternalID, the POST failing with fault: the
// client then looks the event up by external_id inside the create's call.
// settled tells whether the lookup is expected to find the event.
func epilotCreate(fault epilottest.Fault, settled bool) scenario {
	return func(t *testing.T, opts []polybill.Option) []string {
		srv := epilottest.New()
		t.Cleanup(srv.Close)
		c, err := epilot.New(append(srv.ClientOptions(), polybill.WithOptions(opts...))...)
		require.NoError(t, err)
		fault.Match = func(r *http.Request) bool { return r.Method == http.MethodPost }
		srv.Faults().Add(fault)
		ev := &epilot.PaymentEvent{EventFields: epilot.EventFields{
			Amount: epilot.MinorUnits(4217, "EUR"), BookingDate: polybill.NewDate(2025, 6, 18),
			Contract: epilot.Link(secretContract), ExternalID: secretBody,
		}}
		_, err = c.CreateBillingEvent(context.Background(), ev)
		if settled {
			require.NoError(t, err)
		} else {
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.True(t, pe.Ambiguous, "nothing settled the create")
			assert.Equal(t, polybill.CodeConnection, pe.Code, "errors.As finds the create's error first")
		}
		return []string{secretBody, secretContract, "4217", "42.17", srv.Token()}
	}
}

// clinicPayment records a payment with a reference whose POST is reset after the server
// committed it: the client finds it on the invoice inside the payment's call.
func clinicPayment(t *testing.T, opts []polybill.Option) []string {
	srv := clinictest.New()
	t.Cleanup(srv.Close)
	c, err := clinic.New(append(srv.ClientOptions(), polybill.WithOptions(opts...))...)
	require.NoError(t, err)
	id := srv.AddInvoice(clinictest.InvoiceSeed{ID: secretInvoice, Items: []clinictest.ItemSeed{
		{Service: "Consultation", Department: "General Medicine", Quantity: polybill.MustDecimal("1"), Rate: polybill.MustDecimal("1000.00"), TaxPercent: polybill.MustDecimal("18")},
	}})
	srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/payments")
	}, ResetAfterHandler: true})
	res, err := c.RecordPayment(context.Background(), id, clinic.RecordPaymentParams{Amount: polybill.MustDecimal("517.31"), Mode: clinic.PaymentModeNEFT, Reference: secretReference})
	require.NoError(t, err)
	assert.True(t, res.Reconciled)
	assert.Equal(t, 1, srv.PaymentCount(id), "sent once, found once")
	return []string{secretInvoice, secretReference, "517.31", clinictest.DefaultClientSecret, clinictest.DefaultClientID}
}

// clinicRefresh: the token is revoked, so the call's first attempt gets 401; the client
// fetches a new token and replays the attempt.
func clinicRefresh(t *testing.T, opts []polybill.Option) []string {
	srv := clinictest.New()
	t.Cleanup(srv.Close)
	c, err := clinic.New(append(srv.ClientOptions(), polybill.WithOptions(opts...))...)
	require.NoError(t, err)
	require.NoError(t, c.Authenticate(context.Background()))
	srv.RevokeTokens()
	_, err = c.GetSummary(context.Background(), &clinic.SummaryParams{BranchID: secretQuery})
	require.NoError(t, err)
	return []string{secretQuery, clinictest.DefaultClientSecret, clinictest.DefaultClientID}
}

func requireErrorIs(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
	} else {
		require.ErrorIs(t, err, want)
	}
}

// The attributes every span of an operation carries (server.port varies by run).
const (
	crmGetAttrs        = "http.request.method=GET polybill.api=crm polybill.operation=getBilling server.address=127.0.0.1 server.port=* url.template=/billings/{unique_id}"
	epilotCreateAttrs  = "http.request.method=POST polybill.api=epilot polybill.operation=createBillingEvent server.address=127.0.0.1 server.port=* url.template=/v1/billing/events"
	epilotLookupAttrs  = "http.request.method=GET polybill.api=epilot polybill.operation=getBillingEventByExternalId server.address=127.0.0.1 server.port=* url.template=/v1/billing/external/{external_id}"
	epilotListAttrs    = "http.request.method=GET polybill.api=epilot polybill.operation=getBillingEvents server.address=127.0.0.1 server.port=* url.template=/v1/billing/events"
	clinicPayAttrs     = "http.request.method=POST polybill.api=clinic polybill.operation=recordPayment server.address=127.0.0.1 server.port=* url.template=/api/v1/billing/invoices/{id}/payments"
	clinicInvoiceAttrs = "http.request.method=GET polybill.api=clinic polybill.operation=getInvoice server.address=127.0.0.1 server.port=* url.template=/api/v1/billing/invoices/{id}"
	clinicSummaryAttrs = "http.request.method=GET polybill.api=clinic polybill.operation=getSummary server.address=127.0.0.1 server.port=* url.template=/api/v1/billing/summary"
)

// TestTelemetry checks the exact spans (name, kind, parent, status, attributes, in end
// order) and metric data points of each situation the issue names, that every attempt sent
// its own span's traceparent, and that nothing secret reached any of it.
func TestTelemetry(t *testing.T) {
	tests := []struct {
		name        string
		run         scenario
		wantSpans   []string
		wantMetrics []string
	}{
		{
			name: "success",
			run:  crmGet(nil, nil),
			wantSpans: []string{
				"GET /billings/{unique_id}|client|parent=crm getBilling|Unset |" + sorted(crmGetAttrs, "http.response.status_code=200 polybill.retry=false"),
				"crm getBilling|client|parent=-|Unset |" + sorted(crmGetAttrs, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=1 polybill.request_id=*"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.call.duration{polybill.api=crm,polybill.operation=getBilling,polybill.outcome=ok} count=1",
				"polybill.client.retry_budget.tokens{polybill.api=crm} 20",
			},
		},
		{
			name: "a 503 retried",
			run:  crmGet(nil, nil, crmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"}),
			wantSpans: []string{
				"GET /billings/{unique_id}|client|parent=crm getBilling|Error 503|" + sorted(crmGetAttrs, "error.type=503 http.response.status_code=503 polybill.retry=true polybill.retry.reason=503 polybill.retry.wait=0"),
				"GET /billings/{unique_id}|client|parent=crm getBilling|Unset |" + sorted(crmGetAttrs, "http.request.resend_count=1 http.response.status_code=200 polybill.retry=false"),
				"crm getBilling|client|parent=-|Unset |" + sorted(crmGetAttrs, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=2 polybill.request_id=*"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=crm,polybill.operation=getBilling} 2",
				"polybill.client.call.duration{polybill.api=crm,polybill.operation=getBilling,polybill.outcome=ok} count=1",
				"polybill.client.retries{polybill.api=crm,polybill.operation=getBilling,polybill.retry.reason=503} 1",
				"polybill.client.retry_budget.tokens{polybill.api=crm} 19.2",
			},
		},
		{
			name: "a 429 whose Retry-After is over the cap",
			run:  crmGet(polybill.ErrRateLimited, nil, crmtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "60"}),
			wantSpans: []string{
				"GET /billings/{unique_id}|client|parent=crm getBilling|Error 429|" + sorted(crmGetAttrs, "error.type=429 http.response.status_code=429 polybill.retry=false polybill.retry.refused=retry_after_over_cap"),
				"crm getBilling|client|parent=-|Error rate_limited|" + sorted(crmGetAttrs, "error.type=429 http.response.status_code=429 polybill.ambiguous=false polybill.attempts=1 polybill.outcome=rate_limited polybill.request_id=*"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.call.duration{polybill.api=crm,polybill.operation=getBilling,polybill.outcome=rate_limited} count=1",
				"polybill.client.rate_limit.refusals{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.retry_budget.tokens{polybill.api=crm} 20",
			},
		},
		{
			name: "a retry refused by the empty budget",
			run:  crmGet(polybill.ErrServer, []polybill.Option{polybill.WithRetryBudget(0.5, 0)}, crmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"}),
			wantSpans: []string{
				"GET /billings/{unique_id}|client|parent=crm getBilling|Error 503|" + sorted(crmGetAttrs, "error.type=503 http.response.status_code=503 polybill.retry=false polybill.retry.refused=retry_budget"),
				"crm getBilling|client|parent=-|Error server|" + sorted(crmGetAttrs, "error.type=503 http.response.status_code=503 polybill.ambiguous=false polybill.attempts=1 polybill.outcome=server polybill.request_id=*"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.call.duration{polybill.api=crm,polybill.operation=getBilling,polybill.outcome=server} count=1",
				"polybill.client.retry_budget.refusals{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.retry_budget.tokens{polybill.api=crm} 0.5",
			},
		},
		{
			// The connection breaks after the server stored the event: the create is
			// ambiguous, and the lookup by external_id (which also lists the contract's
			// events, to be sure no second event has it) finds it inside the create's call.
			name: "an ambiguous write reconciled (epilot create by external_id)",
			run:  epilotCreate(epilottest.Fault{ResetAfterHandler: true}, true),
			wantSpans: []string{
				"POST /v1/billing/events|client|parent=epilot createBillingEvent|Error connection|" + sorted(epilotCreateAttrs, "error.type=connection polybill.retry=false"),
				"GET /v1/billing/external/{external_id}|client|parent=epilot getBillingEventByExternalId|Unset |" + sorted(epilotLookupAttrs, "http.response.status_code=200 polybill.retry=false"),
				"epilot getBillingEventByExternalId|client|parent=epilot createBillingEvent|Unset |" + sorted(epilotLookupAttrs, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=1"),
				"GET /v1/billing/events|client|parent=epilot getBillingEvents|Unset |" + sorted(epilotListAttrs, "http.response.status_code=200 polybill.retry=false"),
				"epilot getBillingEvents|client|parent=epilot createBillingEvent|Unset |" + sorted(epilotListAttrs, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=1"),
				"epilot createBillingEvent|client|parent=-|Unset |" + sorted(epilotCreateAttrs, "polybill.ambiguous=true polybill.attempts=1 polybill.reconciled=true"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=epilot,polybill.operation=createBillingEvent} 1",
				"polybill.client.attempts{polybill.api=epilot,polybill.operation=getBillingEventByExternalId} 1",
				"polybill.client.attempts{polybill.api=epilot,polybill.operation=getBillingEvents} 1",
				"polybill.client.call.duration{polybill.api=epilot,polybill.operation=createBillingEvent,polybill.outcome=ok} count=1",
				"polybill.client.call.duration{polybill.api=epilot,polybill.operation=getBillingEventByExternalId,polybill.outcome=ok} count=1",
				"polybill.client.call.duration{polybill.api=epilot,polybill.operation=getBillingEvents,polybill.outcome=ok} count=1",
				"polybill.client.reconciliations{polybill.api=epilot,polybill.operation=createBillingEvent,polybill.reconciled=true} 1",
				"polybill.client.retry_budget.tokens{polybill.api=epilot} 20",
			},
		},
		{
			// The connection breaks before the server stored anything: the lookup finds
			// nothing, which does not prove nothing will be stored, so the create stays
			// ambiguous and unsettled.
			name: "an ambiguous write the lookup could not settle (epilot)",
			run:  epilotCreate(epilottest.Fault{ResetBeforeHandler: true}, false),
			wantSpans: []string{
				"POST /v1/billing/events|client|parent=epilot createBillingEvent|Error connection|" + sorted(epilotCreateAttrs, "error.type=connection polybill.retry=false"),
				"GET /v1/billing/external/{external_id}|client|parent=epilot getBillingEventByExternalId|Error 404|" + sorted(epilotLookupAttrs, "error.type=404 http.response.status_code=404 polybill.retry=false"),
				"epilot getBillingEventByExternalId|client|parent=epilot createBillingEvent|Error not_found|" + sorted(epilotLookupAttrs, "error.type=404 http.response.status_code=404 polybill.ambiguous=false polybill.attempts=1 polybill.outcome=not_found"),
				"epilot createBillingEvent|client|parent=-|Error connection|" + sorted(epilotCreateAttrs, "error.type=connection polybill.ambiguous=true polybill.attempts=1 polybill.outcome=connection polybill.reconciled=false"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=epilot,polybill.operation=createBillingEvent} 1",
				"polybill.client.attempts{polybill.api=epilot,polybill.operation=getBillingEventByExternalId} 1",
				"polybill.client.call.duration{polybill.api=epilot,polybill.operation=createBillingEvent,polybill.outcome=connection} count=1",
				"polybill.client.call.duration{polybill.api=epilot,polybill.operation=getBillingEventByExternalId,polybill.outcome=not_found} count=1",
				"polybill.client.reconciliations{polybill.api=epilot,polybill.operation=createBillingEvent,polybill.reconciled=false} 1",
				"polybill.client.retry_budget.tokens{polybill.api=epilot} 20",
			},
		},
		{
			name: "an ambiguous write reconciled (clinic payment by reference)",
			run:  clinicPayment,
			wantSpans: []string{
				"POST /api/v1/billing/invoices/{id}/payments|client|parent=clinic recordPayment|Error connection|" + sorted(clinicPayAttrs, "error.type=connection polybill.retry=false"),
				"GET /api/v1/billing/invoices/{id}|client|parent=clinic getInvoice|Unset |" + sorted(clinicInvoiceAttrs, "http.response.status_code=200 polybill.retry=false"),
				"clinic getInvoice|client|parent=clinic recordPayment|Unset |" + sorted(clinicInvoiceAttrs, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=1"),
				"clinic recordPayment|client|parent=-|Unset |" + sorted(clinicPayAttrs, "polybill.ambiguous=true polybill.attempts=1 polybill.reconciled=true"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=clinic,polybill.operation=getInvoice} 1",
				"polybill.client.attempts{polybill.api=clinic,polybill.operation=recordPayment} 1",
				"polybill.client.call.duration{polybill.api=clinic,polybill.operation=getInvoice,polybill.outcome=ok} count=1",
				"polybill.client.call.duration{polybill.api=clinic,polybill.operation=recordPayment,polybill.outcome=ok} count=1",
				"polybill.client.reconciliations{polybill.api=clinic,polybill.operation=recordPayment,polybill.reconciled=true} 1",
				"polybill.client.retry_budget.tokens{polybill.api=clinic} 20",
				"polybill.client.token.fetches{polybill.api=clinic,polybill.outcome=ok} 1",
			},
		},
		{
			name: "a 401 refresh and replay",
			run:  clinicRefresh,
			wantSpans: []string{
				"GET /api/v1/billing/summary|client|parent=clinic getSummary|Error 401|" + sorted(clinicSummaryAttrs, "error.type=401 http.response.status_code=401 polybill.retry=true polybill.retry.reason=token_refresh polybill.retry.wait=0"),
				"GET /api/v1/billing/summary|client|parent=clinic getSummary|Unset |" + sorted(clinicSummaryAttrs, "http.request.resend_count=1 http.response.status_code=200 polybill.retry=false"),
				"clinic getSummary|client|parent=-|Unset |" + sorted(clinicSummaryAttrs, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=2"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=clinic,polybill.operation=getSummary} 2",
				"polybill.client.call.duration{polybill.api=clinic,polybill.operation=getSummary,polybill.outcome=ok} count=1",
				"polybill.client.retries{polybill.api=clinic,polybill.operation=getSummary,polybill.retry.reason=token_refresh} 1",
				"polybill.client.retry_budget.tokens{polybill.api=clinic} 20",
				"polybill.client.token.fetches{polybill.api=clinic,polybill.outcome=ok} 2",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := newTelemetry()
			forbidden := tt.run(t, tm.options())
			assert.Equal(t, tt.wantSpans, tm.spanLines(t))
			assert.Equal(t, tt.wantMetrics, tm.metricLines(t))
			tm.assertTraceparentPerAttempt(t)
			tm.assertNothingSecret(t, forbidden...)
		})
	}
}

// assertTraceparentPerAttempt checks that each attempt sent the W3C context of its own span.
func (tm *telemetry) assertTraceparentPerAttempt(t *testing.T) {
	t.Helper()
	var attempts []string
	for _, s := range tm.spans.Ended() {
		if strings.HasPrefix(s.Name(), "GET ") || strings.HasPrefix(s.Name(), "POST ") {
			sc := s.SpanContext()
			attempts = append(attempts, fmt.Sprintf("00-%s-%s-01", sc.TraceID(), sc.SpanID()))
		}
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	assert.Equal(t, attempts, tm.traceparent, "every attempt carries its own span's traceparent")
}

// assertNothingSecret fails if any forbidden value, or a credential any request sent,
// appears in a span name, attribute, event, link or status, or in a metric's name or
// attributes; each also escaped as in a path or a query (an email's @ as %40).
func (tm *telemetry) assertNothingSecret(t *testing.T, forbidden ...string) {
	t.Helper()
	var texts []string
	for _, s := range tm.spans.Ended() {
		texts = append(texts, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			texts = append(texts, string(kv.Key), kv.Value.String())
		}
		for _, e := range s.Events() {
			texts = append(texts, e.Name)
			for _, kv := range e.Attributes {
				texts = append(texts, string(kv.Key), kv.Value.String())
			}
		}
		for _, l := range s.Links() {
			for _, kv := range l.Attributes {
				texts = append(texts, string(kv.Key), kv.Value.String())
			}
		}
	}
	texts = append(texts, tm.metricLines(t)...)
	all := strings.Join(texts, "\n")
	tm.mu.Lock()
	credentials := append([]string(nil), tm.credentials...)
	tm.mu.Unlock()
	require.NotEmpty(t, credentials, "the scenario sent credentials")
	for _, f := range append(forbidden, credentials...) {
		require.NotEmpty(t, f)
		for _, form := range []string{f, url.PathEscape(f), url.QueryEscape(f)} {
			assert.NotContains(t, all, form)
		}
	}
	assert.NotContains(t, all, "?", "no query string")
	assert.NotContains(t, all, "Bearer")
}

func sorted(parts ...string) string {
	var all []string
	for _, p := range parts {
		all = append(all, strings.Fields(p)...)
	}
	sort.Strings(all)
	return strings.Join(all, " ")
}
