package polybillotel_test

import (
	"context"
	"fmt"
	"net/http"
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

// The values that must never reach telemetry: a path value (an email), credentials, a
// query value, a body value.
const (
	secretID    = "ann.private@example.com"
	secretQuery = "needle-query-value"
	secretBody  = "SAP-needle-external"
)

// telemetry collects what one client emitted, and what its attempts sent.
type telemetry struct {
	spans       *tracetest.SpanRecorder
	reader      *sdkmetric.ManualReader
	mu          sync.Mutex
	traceparent []string
}

func newTelemetry() *telemetry {
	return &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
}

// options instruments a client and records the traceparent header of every attempt as the
// server-side RoundTripper sees it.
func (tm *telemetry) options() []polybill.Option {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tm.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tm.reader))
	return []polybill.Option{
		polybillotel.Instrument(polybillotel.WithTracerProvider(tp), polybillotel.WithMeterProvider(mp)),
		polybill.WithHTTPClient(&http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
			if _, ok := polybill.CallInfoFrom(r.Context()); ok {
				tm.mu.Lock()
				tm.traceparent = append(tm.traceparent, r.Header.Get("traceparent"))
				tm.mu.Unlock()
			}
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
			v := kv.Value.Emit()
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
			out = append(out, string(kv.Key)+"="+kv.Value.Emit())
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

const crmBase = "http.request.method=GET polybill.api=crm polybill.operation=getBilling server.address=127.0.0.1 server.port=* url.template=/billings/{unique_id}"

func crmFixture(t *testing.T, opts ...polybill.Option) (*crmtest.Server, *crm.Client, *telemetry) {
	srv := crmtest.New()
	t.Cleanup(srv.Close)
	_, err := srv.AddBilling(crmtest.Billing{UniqueID: secretID})
	require.NoError(t, err)
	tm := newTelemetry()
	c, err := crm.New(append(append(srv.ClientOptions(), tm.options()...), opts...)...)
	require.NoError(t, err)
	return srv, c, tm
}

func TestCRMCalls(t *testing.T) {
	tests := []struct {
		name        string
		opts        []polybill.Option
		faults      []crmtest.Fault
		calls       int
		wantErr     error
		wantSpans   []string
		wantMetrics []string
	}{
		{
			name:  "success",
			calls: 1,
			wantSpans: []string{
				"GET /billings/{unique_id}|client|parent=crm getBilling|Unset |" + sorted(crmBase, "http.response.status_code=200 polybill.retry=false"),
				"crm getBilling|client|parent=-|Unset |" + sorted(crmBase, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=1 polybill.request_id=*"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.call.duration{polybill.api=crm,polybill.operation=getBilling,polybill.outcome=ok} count=1",
				"polybill.client.retry_budget.tokens{polybill.api=crm} 20",
			},
		},
		{
			name:   "a 503 retried",
			faults: []crmtest.Fault{{Status: http.StatusServiceUnavailable, RetryAfter: "0"}},
			calls:  1,
			wantSpans: []string{
				"GET /billings/{unique_id}|client|parent=crm getBilling|Error 503|" + sorted(crmBase, "error.type=503 http.response.status_code=503 polybill.retry=true polybill.retry.reason=503 polybill.retry.wait=0"),
				"GET /billings/{unique_id}|client|parent=crm getBilling|Unset |" + sorted(crmBase, "http.request.resend_count=1 http.response.status_code=200 polybill.retry=false"),
				"crm getBilling|client|parent=-|Unset |" + sorted(crmBase, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=2 polybill.request_id=*"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=crm,polybill.operation=getBilling} 2",
				"polybill.client.call.duration{polybill.api=crm,polybill.operation=getBilling,polybill.outcome=ok} count=1",
				"polybill.client.retries{polybill.api=crm,polybill.operation=getBilling,polybill.retry.reason=503} 1",
				"polybill.client.retry_budget.tokens{polybill.api=crm} 19.2",
			},
		},
		{
			name:    "a 429 whose Retry-After is over the cap",
			faults:  []crmtest.Fault{{Status: http.StatusTooManyRequests, RetryAfter: "60"}},
			calls:   1,
			wantErr: polybill.ErrRateLimited,
			wantSpans: []string{
				"GET /billings/{unique_id}|client|parent=crm getBilling|Error 429|" + sorted(crmBase, "error.type=429 http.response.status_code=429 polybill.retry=false polybill.retry.refused=retry_after_over_cap"),
				"crm getBilling|client|parent=-|Error rate_limited|" + sorted(crmBase, "error.type=429 http.response.status_code=429 polybill.ambiguous=false polybill.attempts=1 polybill.outcome=rate_limited polybill.request_id=*"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.call.duration{polybill.api=crm,polybill.operation=getBilling,polybill.outcome=rate_limited} count=1",
				"polybill.client.rate_limit.refusals{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.retry_budget.tokens{polybill.api=crm} 20",
			},
		},
		{
			name:    "a retry refused by the empty budget",
			opts:    []polybill.Option{polybill.WithRetryBudget(0.5, 0)},
			faults:  []crmtest.Fault{{Status: http.StatusServiceUnavailable, RetryAfter: "0"}},
			calls:   1,
			wantErr: polybill.ErrServer,
			wantSpans: []string{
				"GET /billings/{unique_id}|client|parent=crm getBilling|Error 503|" + sorted(crmBase, "error.type=503 http.response.status_code=503 polybill.retry=false polybill.retry.refused=retry_budget"),
				"crm getBilling|client|parent=-|Error server|" + sorted(crmBase, "error.type=503 http.response.status_code=503 polybill.ambiguous=false polybill.attempts=1 polybill.outcome=server polybill.request_id=*"),
			},
			wantMetrics: []string{
				"polybill.client.attempts{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.call.duration{polybill.api=crm,polybill.operation=getBilling,polybill.outcome=server} count=1",
				"polybill.client.retry_budget.refusals{polybill.api=crm,polybill.operation=getBilling} 1",
				"polybill.client.retry_budget.tokens{polybill.api=crm} 0.5",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c, tm := crmFixture(t, tt.opts...)
			for _, f := range tt.faults {
				srv.Faults().Add(f)
			}
			_, err := c.GetBilling(context.Background(), secretID)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantSpans, tm.spanLines(t))
			assert.Equal(t, tt.wantMetrics, tm.metricLines(t))
			tm.assertTraceparentPerAttempt(t)
			tm.assertNothingSecret(t, secretID)
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

// assertNothingSecret fails if any forbidden value appears in a span name, attribute,
// event, link or status, or in a metric attribute.
func (tm *telemetry) assertNothingSecret(t *testing.T, forbidden ...string) {
	t.Helper()
	var texts []string
	for _, s := range tm.spans.Ended() {
		texts = append(texts, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			texts = append(texts, string(kv.Key), kv.Value.Emit())
		}
		for _, e := range s.Events() {
			texts = append(texts, e.Name)
			for _, kv := range e.Attributes {
				texts = append(texts, string(kv.Key), kv.Value.Emit())
			}
		}
		for _, l := range s.Links() {
			for _, kv := range l.Attributes {
				texts = append(texts, string(kv.Key), kv.Value.Emit())
			}
		}
	}
	texts = append(texts, tm.metricLines(t)...)
	all := strings.Join(texts, "\n")
	for _, f := range forbidden {
		assert.NotContains(t, all, f)
		assert.NotContains(t, all, strings.ReplaceAll(f, "@", "%40"))
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

func TestEpilotAmbiguousWriteReconciled(t *testing.T) {
	srv := epilottest.New()
	t.Cleanup(srv.Close)
	tm := newTelemetry()
	c, err := epilot.New(append(srv.ClientOptions(), tm.options()...)...)
	require.NoError(t, err)
	srv.Faults().Add(epilottest.Fault{
		Match:             func(r *http.Request) bool { return r.Method == http.MethodPost },
		ResetAfterHandler: true,
	})
	ev := &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount: epilot.MinorUnits(4200, "EUR"), BookingDate: polybill.NewDate(2025, 6, 18),
		Contract: epilot.Link("contract-1"), ExternalID: secretBody,
	}}
	_, err = c.CreateBillingEvent(context.Background(), ev)
	require.NoError(t, err)

	create := "http.request.method=POST polybill.api=epilot polybill.operation=createBillingEvent server.address=127.0.0.1 server.port=* url.template=/v1/billing/events"
	lookup := "http.request.method=GET polybill.api=epilot polybill.operation=getBillingEventByExternalId server.address=127.0.0.1 server.port=* url.template=/v1/billing/external/{external_id}"
	// The lookup lists the contract's events to be sure no second event has this external_id.
	list := "http.request.method=GET polybill.api=epilot polybill.operation=getBillingEvents server.address=127.0.0.1 server.port=* url.template=/v1/billing/events"
	assert.Equal(t, []string{
		"POST /v1/billing/events|client|parent=epilot createBillingEvent|Error connection|" + sorted(create, "error.type=connection polybill.retry=false"),
		"GET /v1/billing/external/{external_id}|client|parent=epilot getBillingEventByExternalId|Unset |" + sorted(lookup, "http.response.status_code=200 polybill.retry=false"),
		"epilot getBillingEventByExternalId|client|parent=epilot createBillingEvent|Unset |" + sorted(lookup, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=1"),
		"GET /v1/billing/events|client|parent=epilot getBillingEvents|Unset |" + sorted(list, "http.response.status_code=200 polybill.retry=false"),
		"epilot getBillingEvents|client|parent=epilot createBillingEvent|Unset |" + sorted(list, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=1"),
		"epilot createBillingEvent|client|parent=-|Unset |" + sorted(create, "polybill.ambiguous=true polybill.attempts=1 polybill.reconciled=true"),
	}, tm.spanLines(t))
	assert.Equal(t, []string{
		"polybill.client.attempts{polybill.api=epilot,polybill.operation=createBillingEvent} 1",
		"polybill.client.attempts{polybill.api=epilot,polybill.operation=getBillingEventByExternalId} 1",
		"polybill.client.attempts{polybill.api=epilot,polybill.operation=getBillingEvents} 1",
		"polybill.client.call.duration{polybill.api=epilot,polybill.operation=createBillingEvent,polybill.outcome=ok} count=1",
		"polybill.client.call.duration{polybill.api=epilot,polybill.operation=getBillingEventByExternalId,polybill.outcome=ok} count=1",
		"polybill.client.call.duration{polybill.api=epilot,polybill.operation=getBillingEvents,polybill.outcome=ok} count=1",
		"polybill.client.reconciliations{polybill.api=epilot,polybill.operation=createBillingEvent,polybill.reconciled=true} 1",
		"polybill.client.retry_budget.tokens{polybill.api=epilot} 20",
	}, tm.metricLines(t))
	tm.assertTraceparentPerAttempt(t)
	tm.assertNothingSecret(t, secretBody, srv.Token(), "4200")
}

func TestClinicTokenRefreshAndReplay(t *testing.T) {
	srv := clinictest.New()
	t.Cleanup(srv.Close)
	tm := newTelemetry()
	c, err := clinic.New(append(srv.ClientOptions(), tm.options()...)...)
	require.NoError(t, err)
	require.NoError(t, c.Authenticate(context.Background()))
	srv.RevokeTokens()
	q := &clinic.SummaryParams{BranchID: secretQuery}
	_, err = c.GetSummary(context.Background(), q)
	require.NoError(t, err)

	base := "http.request.method=GET polybill.api=clinic polybill.operation=getSummary server.address=127.0.0.1 server.port=* url.template=/api/v1/billing/summary"
	assert.Equal(t, []string{
		"GET /api/v1/billing/summary|client|parent=clinic getSummary|Error 401|" + sorted(base, "error.type=401 http.response.status_code=401 polybill.retry=true polybill.retry.reason=token_refresh polybill.retry.wait=0"),
		"GET /api/v1/billing/summary|client|parent=clinic getSummary|Unset |" + sorted(base, "http.request.resend_count=1 http.response.status_code=200 polybill.retry=false"),
		"clinic getSummary|client|parent=-|Unset |" + sorted(base, "http.response.status_code=200 polybill.ambiguous=false polybill.attempts=2"),
	}, tm.spanLines(t))
	assert.Equal(t, []string{
		"polybill.client.attempts{polybill.api=clinic,polybill.operation=getSummary} 2",
		"polybill.client.call.duration{polybill.api=clinic,polybill.operation=getSummary,polybill.outcome=ok} count=1",
		"polybill.client.retries{polybill.api=clinic,polybill.operation=getSummary,polybill.retry.reason=token_refresh} 1",
		"polybill.client.retry_budget.tokens{polybill.api=clinic} 20",
		"polybill.client.token.fetches{polybill.api=clinic,polybill.outcome=ok} 2",
	}, tm.metricLines(t))
	tm.assertTraceparentPerAttempt(t)
	tm.assertNothingSecret(t, secretQuery, clinictest.DefaultClientSecret, clinictest.DefaultClientID)
}
