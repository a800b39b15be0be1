package reliability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

// rig is one API under chaos: its fake, a client wired with the attempt counter and the
// counting logger, the operations the run mixes, and a check of the fake's final state.
type rig struct {
	name     string
	faults   *faults
	requests func() int64
	counter  *attemptCounter
	logs     *countingHandler
	injected []atomic.Int64 // by faultMix index
	// tokenInjected counts the token endpoint's faults, by tokenFaultMix index.
	tokenInjected []atomic.Int64
	// during, when set, runs beside the calls until stop is closed (the token revoker).
	during func(stop <-chan struct{})
	// tokens counts the tokens the fake issued; nil for rigs with a static token.
	tokens func() int64

	// call makes one random operation; key is the unique key a write carries (reference,
	// external id, idemp, note). write reports whether it was a create; acked is the id of
	// the record the call reported as created.
	call func(ctx context.Context, rng *rand.Rand, key string, opts []polybill.RequestOption) (op string, write bool, acked string, err error)
	// state reads the fake's state after the run (faults off): for every write key seen,
	// how many records carry it and the id of one of them.
	state func(t *testing.T) map[string]keyState
	close func()
}

type keyState struct {
	count int
	ids   []string
}

// chaosOptions are the client options of every rig: small retry delays so the run is fast,
// a per-attempt timeout for the injected latency, the attempt counter and the logger.
func chaosOptions(counter *attemptCounter, logs *countingHandler) polybill.Option {
	return polybill.WithOptions(
		polybill.WithMaxRetries(3),
		polybill.WithMinRetryDelay(chaosMinRetryDelay),
		polybill.WithMaxRetryDelay(chaosMaxRetryDelay),
		polybill.WithAttemptTimeout(chaosAttemptTimeout),
		polybill.WithRetryBudget(30, 0.5),
		polybill.WithLogger(slog.New(logs)),
		polybill.WithMiddleware(counter.middleware()),
	)
}

func newRig(name string, f *faults, requests func() int64) *rig {
	return &rig{
		name: name, faults: f, requests: requests,
		counter: newAttemptCounter(), logs: newCountingHandler(slog.LevelWarn),
		injected: make([]atomic.Int64, len(faultMix)), tokenInjected: make([]atomic.Int64, len(tokenFaultMix)),
	}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func addState(m map[string]keyState, key, id string) {
	s := m[key]
	s.count++
	s.ids = append(s.ids, id)
	m[key] = s
}

func newCRMRig(t *testing.T) *rig {
	srv := crmtest.New()
	r := newRig("crm", srv.Faults(), srv.Requests)
	r.close = srv.Close
	var seeded []string
	for i := range 10 {
		id, err := srv.AddBilling(crmtest.Billing{MeetingID: "m-seed", Amount: polybill.MustDecimal("100.00"),
			PayerName: "Seed Payer", PayerEmail: "seed@example.com", Notes: fmt.Sprintf("seed-%d", i)})
		require.NoError(t, err)
		seeded = append(seeded, id)
	}
	c, err := crm.New(append(srv.ClientOptions(), chaosOptions(r.counter, r.logs))...)
	require.NoError(t, err)
	statuses := []crm.Status{crm.StatusPending, "paid", "overdue"}
	r.call = func(ctx context.Context, rng *rand.Rand, key string, opts []polybill.RequestOption) (string, bool, string, error) {
		switch x := rng.Float64(); {
		case x < 0.35:
			b, err := c.CreateMeetingBilling(ctx, "m-chaos", crm.CreateBillingParams{Amount: polybill.MustDecimal("12.50"),
				PayerName: "Chaos Payer", PayerEmail: "chaos@example.com", Notes: key}, opts...)
			if err != nil {
				return "create billing", true, "", err
			}
			return "create billing", true, b.UniqueID, nil
		case x < 0.60:
			_, err := c.GetBilling(ctx, pick(rng, seeded), opts...)
			return "get billing", false, "", err
		case x < 0.75:
			_, err := c.UpdateBilling(ctx, pick(rng, seeded), crm.UpdateBillingParams{Status: pick(rng, statuses)}, opts...)
			return "update billing (PUT)", false, "", err
		case x < 0.90:
			_, err := c.ListMeetingBillingsPage(ctx, "m-seed", &crm.ListMeetingBillingsParams{Page: 1, Records: 10}, opts...)
			return "list billings", false, "", err
		default:
			_, err := c.GetOutstandingByPayer(ctx, opts...)
			return "outstanding report", false, "", err
		}
	}
	r.state = func(t *testing.T) map[string]keyState {
		m := map[string]keyState{}
		for _, b := range srv.Billings() {
			addState(m, b.Notes, b.UniqueID)
		}
		return m
	}
	return r
}

func newEpilotRig(t *testing.T) *rig {
	srv := epilottest.New()
	r := newRig("epilot", srv.Faults(), srv.Requests)
	r.close = srv.Close
	c, err := epilot.New(append(srv.ClientOptions(), chaosOptions(r.counter, r.logs))...)
	require.NoError(t, err)
	ctx := context.Background()
	// Creates go to one contract; reads list and total another, whose events stay few, so
	// the fake's cost per read does not grow with the run.
	contract, err := c.CreateContract(ctx, epilot.Contract{Name: "Chaos contract", Customer: epilot.Link("cust-chaos")})
	require.NoError(t, err)
	readContract, err := c.CreateContract(ctx, epilot.Contract{Name: "Read contract", Customer: epilot.Link("cust-read")})
	require.NoError(t, err)
	event := func(contractID, ext string) *epilot.InstallmentEvent {
		return &epilot.InstallmentEvent{EventFields: epilot.EventFields{
			Amount: epilot.MinorUnits(1250, "EUR"), BookingDate: polybill.NewDate(2025, 6, 1), DueDate: polybill.NewDate(2025, 6, 15),
			Contract: epilot.Link(contractID), ExternalID: ext,
		}}
	}
	var seeded, seededExt []string
	for i := range 5 {
		ext := fmt.Sprintf("seed-%d", i)
		ev, err := c.CreateBillingEvent(ctx, event(readContract.ID, ext))
		require.NoError(t, err)
		seeded, seededExt = append(seeded, ev.Fields().ID), append(seededExt, ext)
	}
	r.call = func(ctx context.Context, rng *rand.Rand, key string, opts []polybill.RequestOption) (string, bool, string, error) {
		switch x := rng.Float64(); {
		case x < 0.35:
			ev, err := c.CreateBillingEvent(ctx, event(contract.ID, key), opts...)
			if err != nil {
				return "create event (external_id)", true, "", err
			}
			return "create event (external_id)", true, ev.Fields().ID, nil
		case x < 0.60:
			_, err := c.GetBillingEvent(ctx, pick(rng, seeded), opts...)
			return "get event", false, "", err
		case x < 0.75:
			_, err := c.GetBillingEventByExternalID(ctx, pick(rng, seededExt), opts...)
			return "get event by external_id", false, "", err
		case x < 0.90:
			_, err := c.ListBillingEventsPage(ctx, &epilot.ListBillingEventsParams{Size: 20, EntityIDs: []string{readContract.ID}}, opts...)
			return "list events", false, "", err
		default:
			_, err := c.GetCustomerBalance(ctx, "cust-read", opts...)
			return "customer balance", false, "", err
		}
	}
	r.state = func(t *testing.T) map[string]keyState {
		m := map[string]keyState{}
		for _, raw := range srv.Events() {
			var ev struct {
				ID         string `json:"_id"`
				ExternalID string `json:"external_id"`
			}
			require.NoError(t, json.Unmarshal(raw, &ev))
			addState(m, ev.ExternalID, ev.ID)
		}
		return m
	}
	return r
}

func newEncountersRig(t *testing.T) *rig {
	srv := encounterstest.New()
	r := newRig("encounters", srv.Faults(), srv.Requests)
	r.close = srv.Close
	c, err := encounters.New(append(srv.ClientOptions(), chaosOptions(r.counter, r.logs))...)
	require.NoError(t, err)
	ctx := context.Background()
	enc, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-chaos", Patient: "px-1", Invoice: true})
	require.NoError(t, err)
	var items []string
	for range 32 {
		it, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: enc.ID, Type: "service", Ref: "svc-1", Price: polybill.MustDecimal("1000000")})
		require.NoError(t, err)
		items = append(items, it.ID)
	}
	_, err = c.Encounters.Finalize(ctx, enc.ID)
	require.NoError(t, err)
	draft, err := c.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-chaos", Patient: "px-2", Invoice: true})
	require.NoError(t, err)

	r.call = func(ctx context.Context, rng *rand.Rand, key string, opts []polybill.RequestOption) (string, bool, string, error) {
		switch x := rng.Float64(); {
		case x < 0.30:
			p, err := c.Payments.Create(ctx, encounters.CreatePaymentParams{Item: pick(rng, items), Type: encounters.PaymentPrivate,
				PaymentMethod: "CASH", Amount: polybill.MustDecimal("1.00"), Idemp: key}, opts...)
			if err != nil {
				return "create payment (idemp)", true, "", err
			}
			return "create payment (idemp)", true, p.ID, nil
		case x < 0.40:
			it, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: draft.ID, Type: "service", Ref: "svc-2", Name: key,
				Price: polybill.MustDecimal("5.00")}, opts...)
			if err != nil {
				return "create item", true, "", err
			}
			return "create item", true, it.ID, nil
		case x < 0.65:
			_, err := c.Invoices.Get(ctx, enc.ID, nil, opts...)
			return "get invoice", false, "", err
		case x < 0.80:
			_, err := c.Items.Get(ctx, pick(rng, items), nil, opts...)
			return "get item", false, "", err
		case x < 0.92:
			_, err := c.Payments.Find(ctx, encounters.NewQuery().Where("item", pick(rng, items)).Limit(10), opts...)
			return "find payments", false, "", err
		default:
			_, err := c.Items.Find(ctx, encounters.NewQuery().Where("invoice", enc.ID).Limit(10), opts...)
			return "find items", false, "", err
		}
	}
	// The state is read with a plain client: no attempt timeout, no counting.
	inspect, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()))
	require.NoError(t, err)
	r.state = func(t *testing.T) map[string]keyState {
		m := map[string]keyState{}
		ctx := context.Background()
		for p, err := range inspect.Payments.List(ctx, encounters.NewQuery().Limit(50)) {
			require.NoError(t, err)
			addState(m, p.Idemp, p.ID)
		}
		for it, err := range inspect.Items.List(ctx, encounters.NewQuery().Where("invoice", draft.ID).Limit(50)) {
			require.NoError(t, err)
			addState(m, it.Name, it.ID)
		}
		return m
	}
	return r
}

func newClinicRig(t *testing.T) *rig {
	srv := clinictest.New()
	r := newRig("clinic", srv.Faults(), srv.Requests)
	r.close = srv.Close
	// Tokens are revoked all through the run (a secret rotation on repeat), so the clients go
	// back to the token endpoint, which faults (tokenFaultMix).
	r.during = func(stop <-chan struct{}) {
		tick := time.NewTicker(chaosTokenRevokeEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				srv.RevokeTokens()
			}
		}
	}
	r.tokens = func() int64 { return int64(srv.TokensIssued()) }
	var invoices []string
	for i := range 40 {
		invoices = append(invoices, srv.AddInvoice(clinictest.InvoiceSeed{PatientName: fmt.Sprintf("Chaos Patient %d", i),
			Items: []clinictest.ItemSeed{{Service: "Surgery", Department: "General", Quantity: polybill.MustDecimal("1"),
				Rate: polybill.MustDecimal("10000000.00"), TaxPercent: polybill.MustDecimal("0")}}}))
	}
	c, err := clinic.New(append(srv.ClientOptions(), chaosOptions(r.counter, r.logs))...)
	require.NoError(t, err)
	r.call = func(ctx context.Context, rng *rand.Rand, key string, opts []polybill.RequestOption) (string, bool, string, error) {
		switch x := rng.Float64(); {
		case x < 0.35:
			res, err := c.RecordPayment(ctx, pick(rng, invoices), clinic.RecordPaymentParams{Amount: polybill.MustDecimal("1.00"),
				Mode: clinic.PaymentModeCash, Reference: key}, opts...)
			if err != nil {
				return "record payment (reference)", true, "", err
			}
			return "record payment (reference)", true, res.Payment.ID, nil
		case x < 0.65:
			_, err := c.GetInvoice(ctx, pick(rng, invoices), opts...)
			return "get invoice", false, "", err
		case x < 0.85:
			_, err := c.ListInvoicesPage(ctx, &clinic.ListInvoicesParams{PerPage: 10}, opts...)
			return "list invoices", false, "", err
		default:
			_, err := c.GetSummary(ctx, nil, opts...)
			return "summary", false, "", err
		}
	}
	inspect, err := clinic.New(srv.ClientOptions()...)
	require.NoError(t, err)
	r.state = func(t *testing.T) map[string]keyState {
		m := map[string]keyState{}
		for _, id := range invoices {
			inv, err := inspect.GetInvoice(context.Background(), id)
			require.NoError(t, err)
			for _, p := range inv.Payments {
				addState(m, p.Reference, p.ID)
			}
		}
		return m
	}
	return r
}

// allRigs builds the four rigs; the caller closes them.
func allRigs(t *testing.T) []*rig {
	return []*rig{newCRMRig(t), newEpilotRig(t), newEncountersRig(t), newClinicRig(t)}
}

// opStats counts one kind of operation.
type opStats struct {
	mu     sync.Mutex
	byName map[string]int
	time   map[string]time.Duration
}

func (o *opStats) add(name string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byName == nil {
		o.byName, o.time = map[string]int{}, map[string]time.Duration{}
	}
	o.byName[name]++
	o.time[name] += d
}
