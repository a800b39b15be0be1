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
			name:       "503 before committing: lookup says 404, create is sent again",
			externalID: "SAP-2",
			faults:     []epilottest.Fault{{Match: isCreate, Status: http.StatusServiceUnavailable, Body: `{"error":"Service Unavailable","message":"try later"}`}},
			wantStored: 1, wantCreates: 2, wantLookups: 1,
		},
		{
			// From the client a reset before the handler looks exactly like one while the
			// server is still storing the event: a 404 then proves nothing, so the create is
			// not re-sent and the caller learns the outcome is unknown.
			name:       "connection reset before the handler: lookup 404, ambiguous error, no second create",
			externalID: "SAP-3",
			faults:     []epilottest.Fault{{Match: isCreate, ResetBeforeHandler: true}},
			wantErr:    true, wantStored: 0, wantCreates: 1, wantLookups: 1,
		},
		{
			name:       "committed twice-dropped: still one event",
			externalID: "SAP-4",
			faults: []epilottest.Fault{
				{Match: isCreate, Status: http.StatusBadGateway, Body: `{"error":"Bad Gateway","message":"upstream"}`},
				{Match: isCreate, ResetAfterHandler: true},
			},
			wantStored: 1, wantCreates: 2, wantLookups: 2,
		},
		{
			name:       "attempts exhausted: the ambiguous error is returned",
			externalID: "SAP-5",
			faults:     []epilottest.Fault{{Match: isCreate, Status: http.StatusInternalServerError, Body: `{"error":"Internal Server Error","message":"boom"}`, Times: -1}},
			wantErr:    true, wantStored: 0, wantCreates: 3, wantLookups: 3,
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
			assert.Len(t, e.srv.Events(), tt.wantStored)
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
