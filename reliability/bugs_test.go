package reliability_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// TestEpilotCreateAfterAttemptTimeoutIsNotDuplicated is the chaos run's epilot duplicate,
// made deterministic. The first POST of CreateBillingEvent is slower than the attempt
// timeout: the client gives up, asks GET /v1/billing/external/{id}, gets a 404 because the
// server has not processed the POST yet, and sends the create again. Then the first POST
// is processed too, and the event exists twice. A 404 after a client-side timeout does not
// prove the write will not happen; only a server's definitive answer does (DESIGN rule 4).
func TestEpilotCreateAfterAttemptTimeoutIsNotDuplicated(t *testing.T) {
	srv := epilottest.New()
	closed := false
	defer func() {
		if !closed {
			srv.Close()
		}
	}()
	client, err := epilot.New(append(srv.ClientOptions(),
		polybill.WithAttemptTimeout(100*time.Millisecond),
		polybill.WithMinRetryDelay(time.Millisecond), polybill.WithMaxRetryDelay(10*time.Millisecond))...)
	require.NoError(t, err)
	ctx := context.Background()
	contract, err := client.CreateContract(ctx, epilot.Contract{Name: "timeout"})
	require.NoError(t, err)

	// The server takes 400 ms before it processes the first create; the client waits 100.
	srv.Faults().Add(fault{
		Match:   func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/v1/billing/events" },
		Latency: 400 * time.Millisecond,
	})
	ev, err := client.CreateBillingEvent(ctx, &epilot.InstallmentEvent{EventFields: epilot.EventFields{
		Amount: epilot.MinorUnits(1250, "EUR"), BookingDate: polybill.NewDate(2025, 6, 1), DueDate: polybill.NewDate(2025, 6, 15),
		Contract: epilot.Link(contract.ID), ExternalID: "ERP-timeout-1",
	}})
	t.Logf("CreateBillingEvent: event %v, err %v", ev != nil, err)

	// Close waits for every request in flight, the slow first create included.
	srv.Close()
	closed = true
	n := 0
	for _, raw := range srv.Events() {
		var e struct {
			ExternalID string `json:"external_id"`
		}
		require.NoError(t, json.Unmarshal(raw, &e))
		if e.ExternalID == "ERP-timeout-1" {
			n++
		}
	}
	assert.Equal(t, 1, n, "events stored with external_id ERP-timeout-1 (epilot.Client.CreateBillingEvent re-sent a create whose first attempt was still in flight)")
}

// TestHugeResponseAllocatesLessThanItsSize: a 100 MB chunked body cut at the default bound
// (32 MiB) must not cost 100 MB of allocations. readBounded reads with io.ReadAll, whose
// buffer grows by about 1.25x per step, so reaching the bound allocates about six times the
// bound in total (~200 MB), more than the whole body the bound is there to refuse.
func TestHugeResponseAllocatesLessThanItsSize(t *testing.T) {
	rig := secretRigs(t)[0]
	f := newFront(t, rig.fake)
	call := rig.build(t, f.URL())
	f.setMode(modeHuge)
	peak, allocated, err := measureHeap(func() error { return call(context.Background()) })
	require.ErrorIs(t, err, polybill.ErrResponseTooLarge)
	t.Logf("peak live heap +%d MiB, %d MiB allocated in total for a body cut at %d MiB", peak>>20, allocated>>20, polybill.DefaultMaxResponseBytes>>20)
	assert.Less(t, allocated, uint64(hugeSize), "allocated in total while refusing a 100 MB body (internal/transport readBounded)")
}
