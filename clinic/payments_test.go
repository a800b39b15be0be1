package clinic_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/clinic/webhook"
)

func onPayments(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/payments")
}

func TestPartialThenFullPaymentMovesStatusAndSummary(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	id := seedConsultation(f.srv, clinictest.InvoiceSeed{})

	res, err := f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{
		Amount: dec("1500.00"), Mode: clinic.PaymentModeUPI, Reference: "UPI-TXN-123456", PaymentDate: polybill.NewDate(2026, 3, 15),
	})
	require.NoError(t, err)
	assert.False(t, res.Reconciled)
	assert.Equal(t, "1500.00", res.Payment.Amount.String())
	assert.Equal(t, clinic.PaymentModeUPI, res.Payment.Mode)
	assert.Equal(t, polybill.NewDate(2026, 3, 15), res.Payment.PaymentDate)
	_, offset := res.Payment.RecordedAt.Zone()
	assert.Equal(t, 19800, offset, "timestamps carry the +05:30 offset")

	inv, err := f.client.GetInvoice(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, clinic.InvoiceStatusPartiallyPaid, inv.Status)
	assert.Equal(t, "1500.00", inv.Paid.String())
	assert.Equal(t, "860.00", inv.Balance.String())
	p, ok := inv.PaymentByReference("UPI-TXN-123456")
	require.True(t, ok)
	assert.Equal(t, res.Payment.ID, p.ID)

	sum, err := f.client.GetSummary(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "2360.00", sum.TotalBilled.String())
	assert.Equal(t, "1500.00", sum.TotalCollected.String())
	assert.Equal(t, "860.00", sum.TotalOutstanding.String())

	// Overpayment: refused locally when the caller passes the balance it knows...
	before := f.srv.Requests()
	_, err = f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("1000.00"), Mode: clinic.PaymentModeCash, KnownBalance: &inv.Balance})
	require.ErrorIs(t, err, polybill.ErrValidation)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "amount", pe.Param)
	assert.Equal(t, 0, pe.StatusCode)
	assert.Equal(t, before, f.srv.Requests(), "refused before sending")

	// ...and by the server otherwise, as a typed error naming the field.
	_, err = f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("1000.00"), Mode: clinic.PaymentModeCash})
	require.ErrorIs(t, err, polybill.ErrValidation)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 422, pe.StatusCode)
	assert.Equal(t, "amount_exceeds_balance", pe.Code)
	assert.Equal(t, "amount", pe.Param)
	assert.False(t, pe.Ambiguous)
	assert.Equal(t, 1, f.srv.PaymentCount(id))

	res, err = f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("860"), Mode: clinic.PaymentModeCard, Reference: "CARD-77", KnownBalance: &inv.Balance})
	require.NoError(t, err)
	assert.Equal(t, "860.00", res.Payment.Amount.String())
	assert.Equal(t, clinic.InvoiceStatusPaid, f.srv.InvoiceStatus(id))

	sum, err = f.client.GetSummary(ctx, &clinic.SummaryParams{DateFrom: polybill.NewDate(2026, 3, 1), DateTo: polybill.NewDate(2026, 3, 31), BranchID: "MUM-01"})
	require.NoError(t, err)
	assert.Equal(t, "2360.00", sum.TotalCollected.String())
	assert.True(t, sum.TotalOutstanding.IsZero())
	assert.Equal(t, "1500.00", sum.CollectionByMode[clinic.PaymentModeUPI].String())
	assert.Equal(t, "860.00", sum.CollectionByMode[clinic.PaymentModeCard].String())
	assert.Equal(t, "1180.00", sum.RevenueByDepartment["General Medicine"].String())
	assert.Equal(t, "1180.00", sum.RevenueByDepartment["Laboratory"].String())

	other, err := f.client.GetSummary(ctx, &clinic.SummaryParams{BranchID: "DEL-02"})
	require.NoError(t, err)
	assert.True(t, other.TotalBilled.IsZero(), "branch filter")

	_, err = f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("1"), Mode: clinic.PaymentModeCash})
	require.ErrorIs(t, err, polybill.ErrConflict, "a paid invoice takes no more payments")
}

func TestRecordPaymentIsNeverDoubled(t *testing.T) {
	ctx := context.Background()
	params := clinic.RecordPaymentParams{Amount: dec("500.00"), Mode: clinic.PaymentModeNEFT, Reference: "NEFT-UTR-0001"}
	tests := []struct {
		name           string
		fault          clinictest.Fault
		params         clinic.RecordPaymentParams
		wantReconciled bool
		wantPayments   int
	}{
		{"reset after the server committed, with reference", clinictest.Fault{Match: onPayments, ResetAfterHandler: true}, params, true, 1},
		{"reset after commit, no reference", clinictest.Fault{Match: onPayments, ResetAfterHandler: true},
			clinic.RecordPaymentParams{Amount: dec("500.00"), Mode: clinic.PaymentModeNEFT}, false, 1},
		{"reset before the handler ran", clinictest.Fault{Match: onPayments, ResetBeforeHandler: true}, params, false, 0},
		{"503 from a proxy", clinictest.Fault{Match: onPayments, Status: 503, Body: `{"error":"unavailable"}`}, params, false, 0},
		{"truncated success body", clinictest.Fault{Match: onPayments, TruncateBody: true}, params, true, 1},
		// A gateway 504 in front of a backend that records the payment after the lookup: the
		// payment is not sent again, the caller learns the outcome is unknown, and the backend's
		// late commit leaves exactly one payment.
		{"gateway 504, committed after the lookup", clinictest.Fault{Match: onPayments, LateCommit: true, LateCommitAfter: 1}, params, false, 1},
		{"gateway 504, committed before the lookup", clinictest.Fault{Match: onPayments, LateCommit: true}, params, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var posts atomic.Int32
			countPosts := polybill.WithMiddleware(func(r *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				if onPayments(r) {
					posts.Add(1)
				}
				return next(r)
			})
			f := newFixture(t, nil, countPosts)
			f.offSpec = true
			id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
			// An older payment with the same reference but another amount must not be
			// mistaken for this one.
			_, err := f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("1.00"), Mode: clinic.PaymentModeNEFT, Reference: tc.params.Reference})
			require.NoError(t, err)

			f.srv.Faults().Add(tc.fault)
			posts.Store(0)
			res, err := f.client.RecordPayment(ctx, id, tc.params)
			f.srv.Faults().CommitLate() // the backend finishes what it accepted
			assert.Equal(t, int32(1), posts.Load(), "an irreversible payment is sent once")
			assert.Equal(t, 1+tc.wantPayments, f.srv.PaymentCount(id))
			if tc.wantReconciled {
				require.NoError(t, err)
				assert.True(t, res.Reconciled, "the caller is told the payment exists")
				assert.Equal(t, "500.00", res.Payment.Amount.String())
				assert.Equal(t, tc.params.Reference, res.Payment.Reference)
				var cause *polybill.Error
				require.ErrorAs(t, res.Cause, &cause)
				assert.True(t, cause.Ambiguous || cause.Code == polybill.CodeInvalidResponse, "cause: %v", cause)
				return
			}
			require.Error(t, err)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.False(t, pe.Retryable)
			assert.Nil(t, res)
		})
	}
}

// Reconciliation accepts only the payment this call recorded: same reference, amount and mode,
// and only one such payment.
func TestReconciliationMatchesOnlyThisPayment(t *testing.T) {
	ctx := context.Background()
	params := clinic.RecordPaymentParams{Amount: dec("500.00"), Mode: clinic.PaymentModeNEFT, Reference: "NEFT-UTR-0002"}
	tests := []struct {
		name    string
		earlier []clinic.RecordPaymentParams
	}{
		{"same amount and mode, another reference", []clinic.RecordPaymentParams{{Amount: dec("500.00"), Mode: clinic.PaymentModeNEFT, Reference: "NEFT-UTR-9999"}}},
		{"same reference and amount, another mode", []clinic.RecordPaymentParams{{Amount: dec("500.00"), Mode: clinic.PaymentModeCash, Reference: params.Reference}}},
		{"same reference and mode, another amount", []clinic.RecordPaymentParams{{Amount: dec("50.00"), Mode: clinic.PaymentModeNEFT, Reference: params.Reference}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.offSpec = true
			id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
			for _, p := range tc.earlier {
				_, err := f.client.RecordPayment(ctx, id, p)
				require.NoError(t, err)
			}
			// Nothing is committed: a payment found now can only be an older one.
			f.srv.Faults().Add(clinictest.Fault{Match: onPayments, Status: http.StatusServiceUnavailable, Body: `{"error":"unavailable"}`})
			res, err := f.client.RecordPayment(ctx, id, params)
			assert.Nil(t, res, "an older payment is not this call's")
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.True(t, pe.Ambiguous)
			assert.Contains(t, err.Error(), "503")
			assert.Contains(t, err.Error(), `reconciliation by reference "NEFT-UTR-0002"`, "the text says which part is the read-back's")
			assert.Contains(t, err.Error(), "no payment with this reference, amount and mode")
		})
	}
	t.Run("two payments match: ambiguous, not one picked", func(t *testing.T) {
		f := newFixture(t, nil)
		f.offSpec = true
		id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
		_, err := f.client.RecordPayment(ctx, id, params) // the same reference reused
		require.NoError(t, err)
		f.srv.Faults().Add(clinictest.Fault{Match: onPayments, ResetAfterHandler: true})
		res, err := f.client.RecordPayment(ctx, id, params)
		assert.Nil(t, res)
		var pe *polybill.Error
		require.ErrorAs(t, err, &pe)
		assert.True(t, pe.Ambiguous)
		assert.Contains(t, err.Error(), "2 payments match reference, amount and mode")
		assert.Equal(t, 2, f.srv.PaymentCount(id))
	})
}

func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
	_, err := f.client.GetSummary(ctx, nil) // the token request, so the counts below are calls only
	require.NoError(t, err)

	pay := func(p clinic.RecordPaymentParams) func() error {
		return func() error { _, err := f.client.RecordPayment(ctx, id, p); return err }
	}
	list := func(p clinic.ListInvoicesParams) func() error {
		return func() error { _, err := f.client.ListInvoicesPage(ctx, &p); return err }
	}
	tests := []struct {
		name  string
		call  func() error
		param string
	}{
		{"unknown payment mode", pay(clinic.RecordPaymentParams{Amount: dec("10"), Mode: "bitcoin"}), "payment_mode"},
		{"empty payment mode", pay(clinic.RecordPaymentParams{Amount: dec("10")}), "payment_mode"},
		{"zero amount", pay(clinic.RecordPaymentParams{Amount: dec("0"), Mode: clinic.PaymentModeCash}), "amount"},
		{"negative amount", pay(clinic.RecordPaymentParams{Amount: dec("-5.00"), Mode: clinic.PaymentModeCash}), "amount"},
		{"fractional paise", pay(clinic.RecordPaymentParams{Amount: dec("10.005"), Mode: clinic.PaymentModeCash}), "amount"},
		{"malformed payment date", pay(clinic.RecordPaymentParams{Amount: dec("10"), Mode: clinic.PaymentModeCash, PaymentDate: polybill.NewDate(2026, 2, 30)}), "payment_date"},
		{"empty invoice id", func() error {
			_, err := f.client.RecordPayment(ctx, "", clinic.RecordPaymentParams{Amount: dec("10"), Mode: clinic.PaymentModeCash})
			return err
		}, "id"},
		{"empty id on get", func() error { _, err := f.client.GetInvoice(ctx, ""); return err }, "id"},
		{"unknown status filter", list(clinic.ListInvoicesParams{Status: "open"}), "status"},
		{"per_page too large", list(clinic.ListInvoicesParams{PerPage: 101}), "per_page"},
		{"negative page", list(clinic.ListInvoicesParams{Page: -1}), "page"},
		{"malformed date_from", list(clinic.ListInvoicesParams{DateFrom: polybill.NewDate(2026, 13, 1)}), "date_from"},
		{"malformed date_to", list(clinic.ListInvoicesParams{DateTo: polybill.NewDate(2026, 4, 31)}), "date_to"},
		{"reversed range", list(clinic.ListInvoicesParams{DateFrom: polybill.NewDate(2026, 4, 2), DateTo: polybill.NewDate(2026, 4, 1)}), "date_from"},
		{"summary malformed date", func() error {
			_, err := f.client.GetSummary(ctx, &clinic.SummaryParams{DateFrom: polybill.NewDate(2026, 2, 30)})
			return err
		}, "date_from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.srv.Requests()
			err := tc.call()
			require.ErrorIs(t, err, polybill.ErrValidation)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.param, pe.Param)
			assert.Equal(t, polybill.CodeInvalidParams, pe.Code)
			assert.Contains(t, err.Error(), "clinic")
			assert.Equal(t, before, f.srv.Requests(), "nothing was sent")
		})
	}

	// The iterator reports the same refusal as its first and only element.
	n := 0
	for _, err := range f.client.ListInvoices(ctx, &clinic.ListInvoicesParams{PerPage: 500}) {
		require.ErrorIs(t, err, polybill.ErrValidation)
		n++
	}
	assert.Equal(t, 1, n)
}

func TestDraftInvoiceRefusesPayments(t *testing.T) {
	f := newFixture(t, nil)
	id := seedConsultation(f.srv, clinictest.InvoiceSeed{Status: clinic.InvoiceStatusDraft})
	_, err := f.client.RecordPayment(context.Background(), id, clinic.RecordPaymentParams{Amount: dec("10"), Mode: clinic.PaymentModeCash})
	require.ErrorIs(t, err, polybill.ErrConflict, "drafts take no payments")
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invoice_not_payable", pe.Code)
}

func TestWebhooksAreDeliveredSigned(t *testing.T) {
	const secret = "whsec-clinic-test"
	var mu sync.Mutex
	var got []*webhook.Event
	// The fake's clock stands at march15: the deliveries are stamped with it.
	h, err := webhook.NewHandler([]string{secret}, func(_ context.Context, e *webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
		return nil
	}, webhook.WithClock(func() time.Time { return march15 }))
	require.NoError(t, err)
	receiver := httptest.NewServer(h)
	defer receiver.Close()

	f := newFixture(t, []clinictest.Option{clinictest.WithWebhookEndpoint(receiver.URL, secret)})
	ctx := context.Background()
	id := seedConsultation(f.srv, clinictest.InvoiceSeed{})
	_, err = f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("2000.00"), Mode: clinic.PaymentModeCash, Reference: "R1"})
	require.NoError(t, err)
	_, err = f.client.RecordPayment(ctx, id, clinic.RecordPaymentParams{Amount: dec("360.00"), Mode: clinic.PaymentModeInsurance, Reference: "CLAIM-9"})
	require.NoError(t, err)

	mu.Lock()
	events := append([]*webhook.Event(nil), got...)
	mu.Unlock()
	got = nil
	require.Len(t, events, 3)
	assert.Equal(t, []webhook.EventType{webhook.PaymentReceived, webhook.PaymentReceived, webhook.InvoicePaid},
		[]webhook.EventType{events[0].Type, events[1].Type, events[2].Type})
	p, err := events[1].Payment()
	require.NoError(t, err)
	assert.Equal(t, id, p.InvoiceID)
	assert.Equal(t, "360.00", p.Amount.String())
	assert.Equal(t, "CLAIM-9", p.Reference)
	assert.Equal(t, clinic.PaymentModeInsurance, p.PaymentMode)
	assert.Equal(t, polybill.NewDate(2026, 3, 15), p.PaymentDate)
	paid, err := events[2].Invoice()
	require.NoError(t, err)
	assert.Equal(t, "paid", paid.Status)
	assert.True(t, paid.Balance.IsZero())
	assert.Equal(t, "2360.00", paid.Total.String())
	for _, d := range f.srv.Deliveries() {
		assert.Equal(t, http.StatusNoContent, d.StatusCode)
		require.NoError(t, webhook.Verify(d.Body, webhook.Sign(d.Body, secret), secret))
	}

	// A custom event, and a receiver with the wrong secret refusing it.
	require.NoError(t, f.srv.SendWebhook(ctx, webhook.RefundProcessed, map[string]any{"invoice_id": id}))
	mu.Lock()
	require.Len(t, got, 1)
	assert.Equal(t, webhook.RefundProcessed, got[0].Type)
	mu.Unlock()

	wrongHandler, err := webhook.NewHandler([]string{"other"}, func(context.Context, *webhook.Event) error { return nil })
	require.NoError(t, err)
	wrong := httptest.NewServer(wrongHandler)
	defer wrong.Close()
	f2 := clinictest.New(clinictest.WithWebhookEndpoint(wrong.URL, secret))
	defer f2.Close()
	err = f2.SendWebhook(ctx, webhook.InvoiceCreated, map[string]any{"invoice_id": "X", "created": time.Now().Unix()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
}
