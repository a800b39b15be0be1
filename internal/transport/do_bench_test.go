package transport_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// cannedRoundTripper answers every request with the same 200 JSON body, without a network:
// BenchmarkDo then measures what the transport itself costs per call (the P1 benchmarks in
// bench/ add a loopback server and net/http's own work, which hide small changes in noise).
// Like net/http's Transport it derives a cancelable context from the request's, so a
// deadline context of the transport's pays for its child as it does in a real call.
type cannedRoundTripper struct{ body []byte }

func (rt cannedRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	_, cancel := context.WithCancelCause(req.Context())
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(rt.body))}},
		ContentLength: int64(len(rt.body)),
		Body:          &cancelBody{Reader: bytes.NewReader(rt.body), cancel: cancel},
		Request:       req,
	}, nil
}

type cancelBody struct {
	*bytes.Reader
	cancel context.CancelCauseFunc
}

func (b *cancelBody) Close() error { b.cancel(nil); return nil }

var _ io.ReadCloser = (*cancelBody)(nil)

// BenchmarkDo is one GET through the transport as crm configures it (static credentials, a
// request id), decoding a small body. go test -run '^$' -bench Do -benchmem ./internal/transport/
func BenchmarkDo(b *testing.B) {
	body := []byte(`{"data":{"id":"b1","type":"billing","attributes":{"unique_id":"b1","amount":"12.50"}}}`)
	cfg, err := transport.NewConfig("test", nil, []polybill.Option{
		polybill.WithBaseURL("http://127.0.0.1:1"),
		polybill.WithHTTPClient(&http.Client{Transport: cannedRoundTripper{body: body}}),
	})
	if err != nil {
		b.Fatal(err)
	}
	c, err := transport.New(transport.Settings{
		API:             "test",
		Config:          cfg,
		Auth:            transport.StaticHeaders(http.Header{"AppId": {"k"}, "Authorization": {"Bearer t"}}),
		RequestIDHeader: "X-Request-ID",
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var out struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	call := transport.Call{Method: http.MethodGet, Op: transport.Op("getBilling", "/billings/{unique_id}"), Params: []string{"b1"}}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Do(ctx, call, &out); err != nil {
			b.Fatal(err)
		}
	}
}
