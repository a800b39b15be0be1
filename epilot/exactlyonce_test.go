package epilot_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

func isCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/v1/billing/events"
}

func isLookup(r *http.Request) bool {
	return r.Method == http.MethodGet && len(r.URL.Path) > len("/v1/billing/external/") && r.URL.Path[:len("/v1/billing/external/")] == "/v1/billing/external/"
}

func paymentWithExternalID(ext string) *epilot.PaymentEvent {
	return &epilot.PaymentEvent{EventFields: epilot.EventFields{
		Amount: epilot.MinorUnits(4200, "EUR"), BookingDate: polybill.NewDate(2025, 6, 18),
		Contract: epilot.Link("contract-1"), ExternalID: ext,
	}}
}

func TestCreateBillingEventExactlyOnce(t *testing.T) {
	tests := []struct {
		name        string
		externalID  string
		faults      []epilottest.Fault
		wantErr     bool
		wantStored  int // events in the fake afterwards
		wantCreates int // POSTs that reached the fake
		wantLookups int
	}{
		{
			name:       "committed then connection dropped: the lookup finds it",
			externalID: "SAP-1",
			faults:     []epilottest.Fault{{Match: isCreate, ResetAfterHandler: true}},
			wantStored: 1, wantCreates: 1, wantLookups: 1,
		},
		{
			// A 5xx does not prove the backend is done: re-sending could store it twice.
			name:       "503 then lookup 404: ambiguous error, no second create",
			externalID: "SAP-2",
			faults:     []epilottest.Fault{{Match: isCreate, Status: http.StatusServiceUnavailable, Body: `{"error":"Service Unavailable","message":"try later"}`}},
			wantErr:    true, wantStored: 0, wantCreates: 1, wantLookups: 1,
		},
		{
			// A gateway 504 in front of a backend that commits after the lookup: the bug of
			// issue 15 (re-sending gave two events and err == nil).
			name:       "gateway 504, the backend commits after the lookup: ambiguous error, one event",
			externalID: "SAP-7",
			faults:     []epilottest.Fault{{Match: isCreate, LateCommit: true, LateCommitAfter: 1, Body: `{"message":"Endpoint request timed out"}`}},
			wantErr:    true, wantStored: 1, wantCreates: 1, wantLookups: 1,
		},
		{
			name:       "gateway 504, the backend commits before the lookup: the lookup finds it",
			externalID: "SAP-8",
			faults:     []epilottest.Fault{{Match: isCreate, LateCommit: true, Body: `{"message":"Endpoint request timed out"}`}},
			wantStored: 1, wantCreates: 1, wantLookups: 1,
		},
		{
			name:       "committed twice-dropped: the first 502 is already ambiguous, one create",
			externalID: "SAP-4",
			faults: []epilottest.Fault{
				{Match: isCreate, Status: http.StatusBadGateway, Body: `{"error":"Bad Gateway","message":"upstream"}`},
				{Match: isCreate, ResetAfterHandler: true},
			},
			wantErr: true, wantStored: 0, wantCreates: 1, wantLookups: 1,
		},
		{
			name:       "persistent 500: one create, one lookup, the ambiguous error",
			externalID: "SAP-5",
			faults:     []epilottest.Fault{{Match: isCreate, Status: http.StatusInternalServerError, Body: `{"error":"Internal Server Error","message":"boom"}`, Times: -1}},
			wantErr:    true, wantStored: 0, wantCreates: 1, wantLookups: 1,
		},
		{
			name:       "without external id: no lookup, no second create",
			externalID: "",
			faults:     []epilottest.Fault{{Match: isCreate, ResetAfterHandler: true}},
			wantErr:    true, wantStored: 1, wantCreates: 1, wantLookups: 0,
		},
		{
			name:       "a 422 is definitive: no lookup",
			externalID: "SAP-6",
			faults:     []epilottest.Fault{{Match: isCreate, Status: http.StatusUnprocessableEntity, Body: `{"error":"Unprocessable Entity","message":"no"}`}},
			wantErr:    true, wantStored: 0, wantCreates: 1, wantLookups: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var creates, lookups int
			count := polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				switch {
				case isCreate(req):
					creates++
				case isLookup(req):
					lookups++
				}
				return next(req)
			})
			e := newEnvValidated(t, false, count)
			for _, f := range tt.faults {
				e.srv.Faults().Add(f)
			}
			got, err := e.client.CreateBillingEvent(context.Background(), paymentWithExternalID(tt.externalID))
			e.srv.Faults().CommitLate() // the backend finishes whatever it accepted
			assert.Equal(t, tt.wantStored, len(e.srv.Events()), "events stored")
			assert.Equal(t, tt.wantCreates, creates, "creates sent")
			assert.Equal(t, tt.wantLookups, lookups, "lookups sent")
			if tt.wantErr {
				require.Error(t, err)
				if tt.wantLookups > 0 || tt.wantStored > 0 {
					var pe *polybill.Error
					require.ErrorAs(t, err, &pe)
					assert.True(t, pe.Ambiguous, "the caller learns the write may have happened")
				}
				return
			}
			require.NoError(t, err)
			require.IsType(t, &epilot.PaymentEvent{}, got)
			assert.Equal(t, tt.externalID, got.Fields().ExternalID)
			var stored struct {
				ID string `json:"_id"`
			}
			require.NoError(t, jsonUnmarshal(e.srv.Events()[0], &stored))
			assert.Equal(t, stored.ID, got.Fields().ID, "the caller gets the one stored event")
		})
	}
}

func TestCreateContractIsNotRepeatedAfterAmbiguousFailure(t *testing.T) {
	e := newEnvValidated(t, false)
	e.srv.Faults().Add(epilottest.Fault{Match: func(r *http.Request) bool { return r.Method == http.MethodPost }, ResetAfterHandler: true})
	_, err := e.client.CreateContract(context.Background(), epilot.Contract{Name: "x"})
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Ambiguous)
	assert.Len(t, e.srv.Contracts(), 1, "committed once, never re-sent")
}

func TestReadsAreRetried(t *testing.T) {
	e := newEnvValidated(t, false)
	ev, err := e.client.CreateBillingEvent(context.Background(), paymentWithExternalID("r-1"))
	require.NoError(t, err)
	e.srv.Faults().Add(epilottest.Fault{Status: http.StatusServiceUnavailable, Body: `{"error":"Service Unavailable","message":"x"}`, Times: 2})
	got, err := e.client.GetBillingEvent(context.Background(), ev.Fields().ID)
	require.NoError(t, err)
	assert.Equal(t, ev.Fields().ID, got.Fields().ID)
	assert.Equal(t, 2, e.srv.Faults().Injected()["status_503"])
}

// otherEvent is a lookup answer for another external_id than the one asked for.
const otherEvent = `{"_id":"ev-other","type":"payment","external_id":"SOMEONE-ELSE","billing_amount":4200,` +
	`"billing_amount_decimal":"42.00","billing_currency":"EUR","booking_date":"2025-06-18",` +
	`"contract":{"$relation":[{"entity_id":"contract-1"}]}}`

func TestReconciliationReturnsOnlyTheLookedUpEvent(t *testing.T) {
	e := newEnvValidated(t, false)
	e.srv.Faults().Add(epilottest.Fault{Match: isCreate, Status: http.StatusServiceUnavailable, Body: `{"message":"busy"}`})
	e.srv.Faults().Add(epilottest.Fault{Match: isLookup, Status: http.StatusOK, Body: otherEvent})
	got, err := e.client.CreateBillingEvent(context.Background(), paymentWithExternalID("MINE-1"))
	assert.Nil(t, got, "another event is never the result")
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Ambiguous)
	assert.Contains(t, err.Error(), `reconciliation lookup by external_id "MINE-1"`)
	assert.Contains(t, err.Error(), `SOMEONE-ELSE`)

	e.srv.Faults().Add(epilottest.Fault{Match: isLookup, Status: http.StatusOK, Body: otherEvent})
	_, err = e.client.GetBillingEventByExternalID(context.Background(), "MINE-1")
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, polybill.CodeInvalidResponse, pe.Code)
}

func TestDuplicateExternalIDIsReportedNotPicked(t *testing.T) {
	e := newEnvValidated(t, false)
	ctx := context.Background()
	var ids []string
	for range 2 { // epilot does not deduplicate: both are stored
		ev, err := e.client.CreateBillingEvent(ctx, paymentWithExternalID("DUP-1"))
		require.NoError(t, err)
		ids = append(ids, ev.Fields().ID)
	}
	_, err := e.client.CreateBillingEvent(ctx, paymentWithExternalID("ALONE-1"))
	require.NoError(t, err)

	_, err = e.client.GetBillingEventByExternalID(ctx, "DUP-1")
	var dup *epilot.DuplicateExternalIDError
	require.ErrorAs(t, err, &dup)
	assert.ElementsMatch(t, ids, dup.IDs())
	assert.Equal(t, "DUP-1", dup.ExternalID)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, epilot.CodeDuplicateExternalID, pe.Code)
	for _, id := range ids {
		assert.Contains(t, err.Error(), id)
	}

	single, err := e.client.GetBillingEventByExternalID(ctx, "ALONE-1")
	require.NoError(t, err, "one match is returned as before")
	assert.Equal(t, "ALONE-1", single.Fields().ExternalID)

	t.Run("reconciliation does not pick one", func(t *testing.T) {
		e.srv.Faults().Add(epilottest.Fault{Match: isCreate, ResetAfterHandler: true})
		got, err := e.client.CreateBillingEvent(ctx, paymentWithExternalID("DUP-1"))
		assert.Nil(t, got)
		var pe *polybill.Error
		require.ErrorAs(t, err, &pe)
		assert.True(t, pe.Ambiguous)
		var dup *epilot.DuplicateExternalIDError
		require.ErrorAs(t, err, &dup)
		assert.Len(t, dup.Events, 3)
	})
	t.Run("ensure does not pick one", func(t *testing.T) {
		_, _, err := e.client.EnsureBillingEvent(ctx, paymentWithExternalID("DUP-1"))
		var dup *epilot.DuplicateExternalIDError
		require.ErrorAs(t, err, &dup)
	})
}

func TestEnsureBillingEvent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first, created, err := e.client.EnsureBillingEvent(ctx, paymentWithExternalID("ENS-1"))
	require.NoError(t, err)
	assert.True(t, created)
	again, created, err := e.client.EnsureBillingEvent(ctx, paymentWithExternalID("ENS-1"))
	require.NoError(t, err)
	assert.False(t, created, "the existing event is returned")
	assert.Equal(t, first.Fields().ID, again.Fields().ID)
	assert.Len(t, e.srv.Events(), 1)

	_, _, err = e.client.EnsureBillingEvent(ctx, paymentWithExternalID(""))
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, polybill.ErrValidation)
	assert.Equal(t, "external_id", pe.Param)
	assert.Len(t, e.srv.Events(), 1, "nothing sent")
}
