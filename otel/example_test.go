package polybillotel_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	polybillotel "github.com/polybill/polybill-go/otel"
)

// Instrument one client; here against the in-process crm fake with an in-memory span
// recorder. In production, pass nothing (the global providers) or your own providers.
func ExampleInstrument() {
	srv := crmtest.New()
	defer srv.Close()
	if _, err := srv.AddBilling(crmtest.Billing{UniqueID: "ann@example.com"}); err != nil {
		panic(err)
	}
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))

	client, err := crm.New(append(srv.ClientOptions(), polybillotel.Instrument(polybillotel.WithTracerProvider(tp)))...)
	if err != nil {
		panic(err)
	}
	if _, err := client.GetBilling(context.Background(), "ann@example.com"); err != nil {
		panic(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// GET /billings/{unique_id}
	// crm getBilling
}
