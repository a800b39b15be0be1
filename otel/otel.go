// Package polybillotel traces and measures every call of the four polybill clients with
// OpenTelemetry. It is its own module (github.com/polybill/polybill-go/otel) so the core
// module does not depend on OpenTelemetry.
//
//	client, err := epilot.New(epilot.WithToken(tok), polybillotel.Instrument())
//
// enables it with the global tracer provider, meter provider and propagator (W3C trace
// context when the global propagator is the default no-op one); WithTracerProvider,
// WithMeterProvider and WithPropagator choose others.
//
// Traces: one client span per call, named "<api> <operationId>" (e.g. "crm getBilling"),
// with the HTTP client semantic-convention attributes http.request.method, server.address,
// server.port, url.template, http.response.status_code and error.type, and polybill.api,
// polybill.operation, polybill.attempts, polybill.request_id, polybill.ambiguous and, on a
// write whose outcome was in doubt and that the client read back to settle (epilot
// CreateBillingEvent by external_id, clinic RecordPayment by reference), polybill.reconciled
// (true when the record was found; the call then succeeds, with polybill.ambiguous true).
// The read-back's calls are spans of their own under the write's span. Under each call
// span, one client span per HTTP attempt, named "<method> <url.template>", with its status,
// http.request.resend_count, polybill.retry, polybill.retry.reason, polybill.retry.wait
// (seconds) and polybill.retry.refused; its context is sent in the traceparent header.
//
// Metrics: polybill.client.call.duration (histogram, seconds, by polybill.api,
// polybill.operation and polybill.outcome), polybill.client.attempts, polybill.client.retries
// (by polybill.retry.reason), polybill.client.retry_budget.tokens (observable gauge, the
// value after each API's latest call), polybill.client.retry_budget.refusals,
// polybill.client.rate_limit.refusals (Retry-After beyond the cap),
// polybill.client.token.fetches (by polybill.outcome ok or failed) and
// polybill.client.reconciliations (by polybill.reconciled: traces are usually sampled, and
// an ambiguous write nothing settled is what an operator alerts on).
//
// Never in telemetry: credentials, query strings, bodies, path values (the route template
// names the call) or error messages (error.type is a status code or an error class).
package polybillotel

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	polybill "github.com/polybill/polybill-go"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/polybill/polybill-go/otel"

// Attribute keys of this package (the semantic-convention ones come from semconv).
const (
	AttrAPI          = attribute.Key("polybill.api")
	AttrOperation    = attribute.Key("polybill.operation")
	AttrAttempts     = attribute.Key("polybill.attempts")
	AttrRequestID    = attribute.Key("polybill.request_id")
	AttrAmbiguous    = attribute.Key("polybill.ambiguous")
	AttrReconciled   = attribute.Key("polybill.reconciled")
	AttrOutcome      = attribute.Key("polybill.outcome")
	AttrRetry        = attribute.Key("polybill.retry")
	AttrRetryReason  = attribute.Key("polybill.retry.reason")
	AttrRetryWait    = attribute.Key("polybill.retry.wait")
	AttrRetryRefused = attribute.Key("polybill.retry.refused")
)

// Option configures Instrument.
type Option func(*config)

type config struct {
	tp   trace.TracerProvider
	mp   metric.MeterProvider
	prop propagation.TextMapPropagator
}

// WithTracerProvider sets the tracer provider (default: otel.GetTracerProvider()).
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets the meter provider (default: otel.GetMeterProvider()).
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// WithPropagator sets the propagator writing the attempt's context into its headers
// (default: the global one, or W3C trace context when the global one writes nothing).
func WithPropagator(p propagation.TextMapPropagator) Option { return func(c *config) { c.prop = p } }

// Instrument returns an option for any of the four clients (crm, epilot, encounters,
// clinic) that traces and measures its calls. Each client gets its own instruments.
func Instrument(opts ...Option) polybill.Option {
	return polybill.WithOptionsFunc(func() (polybill.Option, error) {
		cfg := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider(), prop: otel.GetTextMapPropagator()}
		for _, o := range opts {
			if o == nil {
				return polybill.Option{}, errors.New("polybillotel: option is nil")
			}
			o(&cfg)
		}
		if cfg.tp == nil || cfg.mp == nil || cfg.prop == nil {
			return polybill.Option{}, errors.New("polybillotel: nil provider or propagator")
		}
		if len(cfg.prop.Fields()) == 0 {
			cfg.prop = propagation.TraceContext{}
		}
		in, err := newInstrumentation(cfg)
		if err != nil {
			return polybill.Option{}, err
		}
		return polybill.WithOptions(polybill.WithObserver(in.observer()), polybill.WithMiddleware(in.inject)), nil
	})
}

type instrumentation struct {
	tracer trace.Tracer
	prop   propagation.TextMapPropagator

	duration       metric.Float64Histogram
	attempts       metric.Int64Counter
	retries        metric.Int64Counter
	budgetRefusals metric.Int64Counter
	rateRefusals   metric.Int64Counter
	tokenFetches   metric.Int64Counter
	reconciliation metric.Int64Counter

	ops    sync.Map // opKey -> *opData: names and attribute sets built once per operation
	tokens sync.Map // api -> *atomic.Uint64 (float64 bits): the retry budget after the latest call
}

func newInstrumentation(cfg config) (*instrumentation, error) {
	in := &instrumentation{tracer: cfg.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)), prop: cfg.prop}
	m := cfg.mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var err error
	in.duration, err = m.Float64Histogram("polybill.client.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of polybill calls, retries and waits included."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60))
	add(err)
	in.attempts, err = m.Int64Counter("polybill.client.attempts", metric.WithUnit("{attempt}"), metric.WithDescription("HTTP attempts made by polybill calls."))
	add(err)
	in.retries, err = m.Int64Counter("polybill.client.retries", metric.WithUnit("{retry}"), metric.WithDescription("Retries made by polybill calls, by reason."))
	add(err)
	in.budgetRefusals, err = m.Int64Counter("polybill.client.retry_budget.refusals", metric.WithUnit("{retry}"), metric.WithDescription("Retries not made because the client's retry budget was empty."))
	add(err)
	in.rateRefusals, err = m.Int64Counter("polybill.client.rate_limit.refusals", metric.WithUnit("{call}"), metric.WithDescription("Calls that returned a rate-limit error because Retry-After exceeded the cap."))
	add(err)
	in.tokenFetches, err = m.Int64Counter("polybill.client.token.fetches", metric.WithUnit("{fetch}"), metric.WithDescription("Token fetches (OAuth2 or login)."))
	add(err)
	in.reconciliation, err = m.Int64Counter("polybill.client.reconciliations", metric.WithUnit("{call}"), metric.WithDescription("Ambiguous writes settled by reading the record back."))
	add(err)
	gauge, err := m.Float64ObservableGauge("polybill.client.retry_budget.tokens", metric.WithUnit("{token}"), metric.WithDescription("Tokens in the client's retry budget after the API's latest call."))
	add(err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		in.tokens.Range(func(k, v any) bool {
			o.ObserveFloat64(gauge, math.Float64frombits(v.(*atomic.Uint64).Load()), metric.WithAttributes(AttrAPI.String(k.(string))))
			return true
		})
		return nil
	}, gauge)
	return in, err
}

type opKey struct{ api, id, route, method string }

// opData is what one operation's telemetry repeats on every call, built once.
type opData struct {
	callName, attemptName string
	callAttrs             []attribute.KeyValue
	attrs                 metric.MeasurementOption // api, operation
	mu                    sync.Mutex
	byOutcome             map[string]metric.MeasurementOption
	byReason              map[string]metric.MeasurementOption
	byReconciled          map[string]metric.MeasurementOption
}

func (in *instrumentation) op(info polybill.CallInfo) *opData {
	k := opKey{info.API, info.Operation.ID, info.Operation.Route, info.Method}
	if d, ok := in.ops.Load(k); ok {
		return d.(*opData)
	}
	base := []attribute.KeyValue{AttrAPI.String(info.API), AttrOperation.String(info.Operation.ID)}
	d := &opData{
		callName:    info.API + " " + info.Operation.ID,
		attemptName: info.Method + " " + info.Operation.Route,
		callAttrs: append(append([]attribute.KeyValue(nil), base...),
			semconv.HTTPRequestMethodKey.String(info.Method), semconv.URLTemplateKey.String(info.Operation.Route)),
		attrs:        metric.WithAttributeSet(attribute.NewSet(base...)),
		byOutcome:    map[string]metric.MeasurementOption{},
		byReason:     map[string]metric.MeasurementOption{},
		byReconciled: map[string]metric.MeasurementOption{},
	}
	actual, _ := in.ops.LoadOrStore(k, d)
	return actual.(*opData)
}

// with returns the operation's metric attributes plus kv, cached by kv's value.
func (d *opData) with(cache map[string]metric.MeasurementOption, kv attribute.KeyValue, info polybill.CallInfo) metric.MeasurementOption {
	value := kv.Value.String()
	d.mu.Lock()
	defer d.mu.Unlock()
	if o, ok := cache[value]; ok {
		return o
	}
	o := metric.WithAttributeSet(attribute.NewSet(AttrAPI.String(info.API), AttrOperation.String(info.Operation.ID), kv))
	cache[value] = o
	return o
}

type callKey struct{}

// callRecord is the call span's state, reachable from each attempt's context. It is itself
// the context CallStart returns (the span's context plus itself under callKey): one
// allocation instead of a context.WithValue and a record.
type callRecord struct {
	context.Context
	span   trace.Span
	op     *opData
	server sync.Once
}

// opOf is the operation's data from the call's record in ctx (a context lookup, cheaper than
// hashing the operation), or from the cache.
func (in *instrumentation) opOf(ctx context.Context, info polybill.CallInfo) *opData {
	if rec, _ := ctx.Value(callKey{}).(*callRecord); rec != nil {
		return rec.op
	}
	return in.op(info)
}

func (r *callRecord) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return r
	}
	return r.Context.Value(key)
}

// clientSpan is the start option of every span, built once: trace.WithSpanKind boxes its
// value on each call.
var clientSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

func (in *instrumentation) observer() *polybill.Observer {
	return &polybill.Observer{
		CallStart: func(ctx context.Context, info polybill.CallInfo) context.Context {
			d := in.op(info)
			ctx, span := in.tracer.Start(ctx, d.callName, clientSpan...)
			if span.IsRecording() {
				span.SetAttributes(d.callAttrs...)
			}
			return &callRecord{Context: ctx, span: span, op: d}
		},
		AttemptStart: func(ctx context.Context, info polybill.CallInfo) context.Context {
			d := in.opOf(ctx, info)
			ctx, span := in.tracer.Start(ctx, d.attemptName, clientSpan...)
			if span.IsRecording() {
				span.SetAttributes(d.callAttrs...)
				if info.Attempt > 1 {
					span.SetAttributes(semconv.HTTPRequestResendCountKey.Int(info.Attempt - 1))
				}
			}
			return ctx
		},
		AttemptEnd: func(ctx context.Context, info polybill.CallInfo, a polybill.AttemptResult) {
			d := in.opOf(ctx, info)
			in.attempts.Add(ctx, 1, d.attrs)
			if a.Retry {
				in.retries.Add(ctx, 1, d.with(d.byReason, AttrRetryReason.String(a.RetryReason), info))
			}
			switch a.Refused {
			case polybill.RefusedRetryBudget:
				in.budgetRefusals.Add(ctx, 1, d.attrs)
			case polybill.RefusedRetryAfterOverCap:
				in.rateRefusals.Add(ctx, 1, d.attrs)
			}
			span := trace.SpanFromContext(ctx)
			if span.IsRecording() {
				if a.StatusCode > 0 {
					span.SetAttributes(semconv.HTTPResponseStatusCodeKey.Int(a.StatusCode))
				}
				span.SetAttributes(AttrRetry.Bool(a.Retry))
				if a.Retry {
					span.SetAttributes(AttrRetryReason.String(a.RetryReason), AttrRetryWait.Float64(a.Wait.Seconds()))
				}
				if a.Refused != "" {
					span.SetAttributes(AttrRetryRefused.String(a.Refused))
				}
				if a.ErrorType != "" {
					span.SetAttributes(semconv.ErrorTypeKey.String(a.ErrorType))
					span.SetStatus(codes.Error, a.ErrorType)
				}
			}
			span.End()
		},
		CallEnd: func(ctx context.Context, info polybill.CallInfo, r polybill.CallResult) {
			rec, _ := ctx.Value(callKey{}).(*callRecord)
			d := in.opOf(ctx, info)
			outcome := Outcome(r.Err)
			in.duration.Record(ctx, r.Took.Seconds(), d.with(d.byOutcome, AttrOutcome.String(outcome), info))
			in.budget(info.API, r.RetryTokens)
			if r.ReconcileAttempted {
				in.reconciliation.Add(ctx, 1, d.with(d.byReconciled, AttrReconciled.Bool(r.Reconciled), info))
			}
			if rec == nil {
				return
			}
			span := rec.span
			if span.IsRecording() {
				span.SetAttributes(AttrAttempts.Int(info.Attempt), AttrAmbiguous.Bool(r.Ambiguous))
				if r.ReconcileAttempted {
					span.SetAttributes(AttrReconciled.Bool(r.Reconciled))
				}
				if r.StatusCode > 0 {
					span.SetAttributes(semconv.HTTPResponseStatusCodeKey.Int(r.StatusCode))
				}
				if r.RequestID != "" {
					span.SetAttributes(AttrRequestID.String(r.RequestID))
				}
				if r.Err != nil {
					span.SetAttributes(semconv.ErrorTypeKey.String(errorType(r)), AttrOutcome.String(outcome))
					span.SetStatus(codes.Error, outcome)
				}
			}
			span.End()
		},
		TokenFetch: func(ctx context.Context, api string, _ time.Duration, ok bool) {
			outcome := "ok"
			if !ok {
				outcome = "failed"
			}
			in.tokenFetches.Add(ctx, 1, metric.WithAttributes(AttrAPI.String(api), AttrOutcome.String(outcome)))
		},
	}
}

func (in *instrumentation) budget(api string, tokens float64) {
	v, ok := in.tokens.Load(api)
	if !ok {
		v, _ = in.tokens.LoadOrStore(api, new(atomic.Uint64))
	}
	v.(*atomic.Uint64).Store(math.Float64bits(tokens))
}

// inject is the middleware that writes the attempt span's context into the request
// headers (traceparent) and records the server address on the spans.
func (in *instrumentation) inject(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	ctx := req.Context()
	if _, ok := polybill.CallInfoFrom(ctx); ok {
		in.prop.Inject(ctx, propagation.HeaderCarrier(req.Header))
		if span := trace.SpanFromContext(ctx); span.IsRecording() {
			host, port := req.URL.Hostname(), req.URL.Port()
			attrs := []attribute.KeyValue{semconv.ServerAddressKey.String(host)}
			if p, err := strconv.Atoi(port); err == nil {
				attrs = append(attrs, semconv.ServerPortKey.Int(p))
			}
			span.SetAttributes(attrs...)
			if rec, _ := ctx.Value(callKey{}).(*callRecord); rec != nil {
				rec.server.Do(func() { rec.span.SetAttributes(attrs...) })
			}
		}
	}
	return next(req)
}

// Outcome is the polybill.outcome of a call's error: "ok", or the class of a
// *polybill.Error: "not_found", "unauthorized", "forbidden", "validation", "conflict",
// "rate_limited", "server", "response_too_large", "canceled", "timeout", "connection" or
// "error".
//
// The class is the first *polybill.Error's: a write whose reconciliation failed returns its
// own error joined with the lookup's (a 404 from a lookup that found nothing), and the
// call's outcome is the write's, not "not_found".
func Outcome(err error) string {
	if err == nil {
		return "ok"
	}
	var e *polybill.Error
	if errors.As(err, &e) {
		err = e
	}
	for _, c := range outcomes {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	if e != nil {
		switch e.Code {
		case polybill.CodeCanceled:
			return "canceled"
		case polybill.CodeTimeout:
			return "timeout"
		case polybill.CodeConnection:
			return "connection"
		}
	}
	return "error"
}

var outcomes = []struct {
	err  error
	name string
}{
	{polybill.ErrNotFound, "not_found"}, {polybill.ErrUnauthorized, "unauthorized"}, {polybill.ErrForbidden, "forbidden"},
	{polybill.ErrValidation, "validation"}, {polybill.ErrConflict, "conflict"}, {polybill.ErrRateLimited, "rate_limited"},
	{polybill.ErrServer, "server"}, {polybill.ErrResponseTooLarge, "response_too_large"},
	{context.Canceled, "canceled"}, {context.DeadlineExceeded, "timeout"},
}

// errorType is error.type per the HTTP semantic conventions: the status code when the
// server answered with an error, otherwise the error class.
func errorType(r polybill.CallResult) string {
	if r.StatusCode >= 400 {
		return strconv.Itoa(r.StatusCode)
	}
	return Outcome(r.Err)
}
