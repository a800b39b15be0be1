package polybillotel_test

import (
	"context"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	polybillotel "github.com/polybill/polybill-go/otel"
)

// BenchmarkP1Telemetry is the P1 call (crm GetBilling against the fake on loopback) without
// telemetry and with Instrument over no-op providers: the cost of the hooks, the cached
// names and attribute sets, the spans' contexts and the traceparent injection. Compare the
// two sub-benchmarks' cpu-ns/op (the process's CPU time per call, client and fake: target
// "noop" ≤ 1.05× "off"), e.g. with -count 5 and benchstat.
func BenchmarkP1Telemetry(b *testing.B) {
	srv := crmtest.New()
	defer srv.Close()
	if _, err := srv.AddBilling(crmtest.Billing{UniqueID: "b-1"}); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts []polybill.Option
	}{
		{"off", nil},
		{"noop", []polybill.Option{polybillotel.Instrument(
			polybillotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			polybillotel.WithMeterProvider(metricnoop.NewMeterProvider()))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := crm.New(append(srv.ClientOptions(), polybill.WithOptions(bc.opts...))...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if _, err := c.GetBilling(ctx, "b-1"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
