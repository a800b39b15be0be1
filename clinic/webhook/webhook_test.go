package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/webhook"
)

const body = `{"event":"payment.received","timestamp":"2026-03-15T14:30:00+05:30","data":{"payment_id":"PAY-1","invoice_id":"INV-1","amount":1500.00,"payment_mode":"upi","reference":"UPI-TXN-123456"},"webhook_id":"wh_abc123"}`

// digest is computed independently of the package under test.
func digest(b, secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(b))
	return m.Sum(nil)
}

func TestVerifyAcceptsEveryEncoding(t *testing.T) {
	d := digest(body, "s3cret")
	tests := []struct {
		name string
		sig  string
	}{
		{"hex", hex.EncodeToString(d)},
		{"upper hex", strings.ToUpper(hex.EncodeToString(d))},
		{"prefixed hex", "sha256=" + hex.EncodeToString(d)},
		{"upper prefix", "SHA256=" + hex.EncodeToString(d)},
		{"base64", base64.StdEncoding.EncodeToString(d)},
		{"unpadded base64", base64.RawStdEncoding.EncodeToString(d)},
		{"url-safe base64", base64.URLEncoding.EncodeToString(d)},
		{"prefixed base64", "sha256=" + base64.StdEncoding.EncodeToString(d)},
		{"surrounding space", " " + hex.EncodeToString(d) + " "},
		{"Sign helper", webhook.Sign([]byte(body), "s3cret")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, webhook.Verify([]byte(body), tc.sig, "s3cret"))
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	good := hex.EncodeToString(digest(body, "s3cret"))
	tests := []struct {
		name    string
		body    string
		sig     string
		secrets []string
		want    error
	}{
		{"tampered body", strings.Replace(body, "1500.00", "15000.00", 1), good, []string{"s3cret"}, webhook.ErrInvalidSignature},
		{"wrong secret", body, good, []string{"other"}, webhook.ErrInvalidSignature},
		{"truncated hex", body, good[:len(good)-2], []string{"s3cret"}, webhook.ErrInvalidSignature},
		{"truncated base64", body, base64.StdEncoding.EncodeToString(digest(body, "s3cret"))[:20], []string{"s3cret"}, webhook.ErrInvalidSignature},
		{"not an encoding", body, "sha256=zz", []string{"s3cret"}, webhook.ErrInvalidSignature},
		{"empty header", body, "", []string{"s3cret"}, webhook.ErrMissingSignature},
		{"no secret", body, good, nil, webhook.ErrNoSecret},
		{"only empty secrets", body, good, []string{"", ""}, webhook.ErrNoSecret},
		{"prefix only", body, "sha256=", []string{"s3cret"}, webhook.ErrInvalidSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify([]byte(tc.body), tc.sig, tc.secrets...)
			require.ErrorIs(t, err, tc.want)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestVerifyRotation(t *testing.T) {
	sig := webhook.Sign([]byte(body), "new-secret")
	require.NoError(t, webhook.Verify([]byte(body), sig, "old-secret", "new-secret"))
	require.ErrorIs(t, webhook.Verify([]byte(body), sig, "old-secret"), webhook.ErrInvalidSignature)
}

func TestParse(t *testing.T) {
	e, err := webhook.Parse([]byte(body))
	require.NoError(t, err)
	assert.Equal(t, webhook.PaymentReceived, e.Type)
	assert.True(t, e.Type.IsKnown())
	assert.True(t, e.Type.IsBilling())
	assert.Equal(t, "wh_abc123", e.WebhookID)
	_, offset := e.Timestamp.Zone()
	assert.Equal(t, 5*3600+1800, offset, "the +05:30 offset is kept")
	assert.JSONEq(t, body, string(e.Raw))

	p, err := e.Payment()
	require.NoError(t, err)
	assert.Equal(t, "INV-1", p.InvoiceID)
	assert.Equal(t, "1500.00", p.Amount.String())
	assert.Equal(t, "UPI-TXN-123456", p.Reference)
	_, err = e.Invoice()
	require.Error(t, err, "a payment event is not an invoice event")

	unknown, err := webhook.Parse([]byte(`{"event":"ping.test","timestamp":"2026-03-15T14:30:00Z","data":{},"webhook_id":"wh_1","extra":1}`))
	require.NoError(t, err)
	assert.False(t, unknown.Type.IsKnown())
	assert.Contains(t, string(unknown.Raw), `"extra":1`)

	for _, bad := range []string{``, `[]`, `{"data":{}}`, `{"event":"x","timestamp":"yesterday"}`} {
		_, err := webhook.Parse([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestInvoiceData(t *testing.T) {
	e, err := webhook.Parse([]byte(`{"event":"invoice.paid","timestamp":"2026-03-15T14:30:00+05:30","data":{"invoice_id":"INV-1","status":"paid","total":"2360.00","balance":0},"webhook_id":"wh_1"}`))
	require.NoError(t, err)
	d, err := e.Invoice()
	require.NoError(t, err)
	assert.Equal(t, "INV-1", d.InvoiceID)
	assert.Equal(t, "2360.00", d.Total.String())
	assert.True(t, d.Balance.IsZero())
	_, err = e.Payment()
	require.Error(t, err)
}

func post(h http.Handler, b, sig string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(b))
	if sig != "" {
		req.Header.Set(webhook.SignatureHeader, sig)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// bodyTime is the signed timestamp of body.
var bodyTime = time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)

// at is a clock standing at t.
func at(t time.Time) webhook.HandlerOption { return webhook.WithClock(func() time.Time { return t }) }

func newHandler(t *testing.T, fn webhook.HandlerFunc, opts ...webhook.HandlerOption) *webhook.Handler {
	t.Helper()
	h, err := webhook.NewHandler([]string{"s3cret"}, fn, opts...)
	require.NoError(t, err)
	return h
}

// delivery is a signed envelope with this webhook_id and timestamp.
func delivery(id string, ts time.Time) (string, string) {
	b := `{"event":"invoice.created","timestamp":"` + ts.Format(time.RFC3339) + `","data":{},"webhook_id":"` + id + `"}`
	return b, webhook.Sign([]byte(b), "s3cret")
}

func TestHandler(t *testing.T) {
	var calls atomic.Int32
	fail := atomic.Bool{}
	h := newHandler(t, func(_ context.Context, e *webhook.Event) error {
		calls.Add(1)
		if fail.Load() {
			return errors.New("database down")
		}
		return nil
	}, webhook.WithMaxBodyBytes(4096), at(bodyTime.Add(time.Minute)))
	sig := webhook.Sign([]byte(body), "s3cret")

	fail.Store(true)
	assert.Equal(t, http.StatusInternalServerError, post(h, body, sig).Code, "a failed handler asks for redelivery")
	fail.Store(false)
	assert.Equal(t, http.StatusNoContent, post(h, body, sig).Code, "the redelivery is handled")
	assert.Equal(t, http.StatusOK, post(h, body, sig).Code, "a duplicate is acknowledged")
	assert.Equal(t, int32(2), calls.Load(), "the duplicate did not reach the handler")

	other := strings.Replace(body, "14:30:00", "14:31:00", 1)
	assert.Equal(t, http.StatusNoContent, post(h, other, webhook.Sign([]byte(other), "s3cret")).Code,
		"same webhook_id with another timestamp is a different delivery")
	assert.Equal(t, int32(3), calls.Load())

	assert.Equal(t, http.StatusUnauthorized, post(h, body, webhook.Sign([]byte(body), "wrong")).Code)
	assert.Equal(t, http.StatusUnauthorized, post(h, body, "").Code)
	big := `{"event":"x","pad":"` + strings.Repeat("a", 5000) + `"}`
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(h, big, webhook.Sign([]byte(big), "s3cret")).Code)
	notJSON := "not json"
	assert.Equal(t, http.StatusBadRequest, post(h, notJSON, webhook.Sign([]byte(notJSON), "s3cret")).Code)
	noTime := `{"event":"invoice.created","data":{},"webhook_id":"wh_1"}`
	assert.Equal(t, http.StatusBadRequest, post(h, noTime, webhook.Sign([]byte(noTime), "s3cret")).Code, "an envelope without its timestamp")
	assert.Equal(t, int32(3), calls.Load(), "rejected deliveries never reach the handler")

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/hook", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

// Issue 15: a genuine delivery was accepted again after a restart, on another replica, or
// after 10,000 newer deliveries.
func TestHandlerRefusesReplays(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	count := func(n *atomic.Int32) webhook.HandlerFunc {
		return func(context.Context, *webhook.Event) error { n.Add(1); return nil }
	}

	t.Run("after a restart: too old", func(t *testing.T) {
		var n atomic.Int32
		b, sig := delivery("wh_1", now.Add(-webhook.DefaultTolerance-time.Second))
		restarted := newHandler(t, count(&n), at(now)) // remembers nothing
		rec := post(restarted, b, sig)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Contains(t, rec.Body.String(), "too old")
		assert.Zero(t, n.Load())

		b, sig = delivery("wh_2", now.Add(-webhook.DefaultTolerance+time.Second))
		assert.Equal(t, http.StatusNoContent, post(restarted, b, sig).Code, "inside the window")
	})
	t.Run("from the future beyond the clock skew", func(t *testing.T) {
		var n atomic.Int32
		h := newHandler(t, count(&n), at(now))
		b, sig := delivery("wh_f", now.Add(webhook.DefaultClockSkew+time.Second))
		assert.Equal(t, http.StatusBadRequest, post(h, b, sig).Code)
		b, sig = delivery("wh_g", now.Add(webhook.DefaultClockSkew-time.Second))
		assert.Equal(t, http.StatusNoContent, post(h, b, sig).Code, "skew inside the allowance")
	})
	t.Run("on another replica sharing the store", func(t *testing.T) {
		var n atomic.Int32
		shared := webhook.NewMemoryDeduper(100) // stands in for a store both replicas reach
		a := newHandler(t, count(&n), at(now), webhook.WithDeduper(shared))
		b := newHandler(t, count(&n), at(now), webhook.WithDeduper(shared))
		body, sig := delivery("wh_r", now.Add(-time.Minute))
		assert.Equal(t, http.StatusNoContent, post(a, body, sig).Code)
		assert.Equal(t, http.StatusOK, post(b, body, sig).Code, "the other replica sees the duplicate")
		assert.EqualValues(t, 1, n.Load())
	})
	t.Run("after 10,000 newer deliveries", func(t *testing.T) {
		var n atomic.Int32
		h := newHandler(t, count(&n), at(now))
		first, sig := delivery("wh_first", now.Add(-time.Minute))
		require.Equal(t, http.StatusNoContent, post(h, first, sig).Code)
		for i := range 10_001 {
			b, s := delivery(fmt.Sprintf("wh_%d", i), now)
			require.Equal(t, http.StatusNoContent, post(h, b, s).Code)
		}
		assert.Equal(t, http.StatusOK, post(h, first, sig).Code, "still remembered inside the window")
		assert.EqualValues(t, 10_002, n.Load())
	})
}

func TestEventCheckTime(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		ts   time.Time
		want error
	}{
		{"now", now, nil},
		{"exactly the tolerance", now.Add(-10 * time.Minute), nil},
		{"past the tolerance", now.Add(-10*time.Minute - time.Second), webhook.ErrTooOld},
		{"no timestamp", time.Time{}, webhook.ErrTooOld},
		{"inside the skew", now.Add(time.Minute), nil},
		{"past the skew", now.Add(time.Minute + time.Second), webhook.ErrTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&webhook.Event{Timestamp: tt.ts}).CheckTime(now, 10*time.Minute, time.Minute)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestNewHandlerRefusesBadArguments(t *testing.T) {
	ok := func(context.Context, *webhook.Event) error { return nil }
	tests := []struct {
		name    string
		secrets []string
		fn      webhook.HandlerFunc
		opts    []webhook.HandlerOption
		param   string
	}{
		{"no secrets", nil, ok, nil, "secrets"},
		{"empty list", []string{}, ok, nil, "secrets"},
		{"unset environment variable", []string{os.Getenv("POLYBILL_TEST_UNSET_VARIABLE")}, ok, nil, "secrets[0]"},
		{"empty rotation slot", []string{"new", ""}, ok, nil, "secrets[1]"},
		{"nil callback", []string{"s"}, nil, nil, "fn"},
		{"nil deduper", []string{"s"}, ok, []webhook.HandlerOption{webhook.WithDeduper(nil)}, "WithDeduper"},
		{"zero tolerance", []string{"s"}, ok, []webhook.HandlerOption{webhook.WithTolerance(0)}, "WithTolerance"},
		{"negative skew", []string{"s"}, ok, []webhook.HandlerOption{webhook.WithClockSkew(-time.Second)}, "WithClockSkew"},
		{"zero body bound", []string{"s"}, ok, []webhook.HandlerOption{webhook.WithMaxBodyBytes(0)}, "WithMaxBodyBytes"},
		{"nil clock", []string{"s"}, ok, []webhook.HandlerOption{webhook.WithClock(nil)}, "WithClock"},
		{"nil option", []string{"s"}, ok, []webhook.HandlerOption{nil}, "opts[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := webhook.NewHandler(tt.secrets, tt.fn, tt.opts...)
			assert.Nil(t, h)
			var pe *polybill.Error
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, polybill.ErrValidation)
			assert.Equal(t, tt.param, pe.Param)
		})
	}
}

func TestMemoryDeduper(t *testing.T) {
	ctx := context.Background()
	later := time.Hour
	d := webhook.NewMemoryDeduper(2)
	for _, k := range []string{"a", "b", "c"} {
		first, err := d.Claim(ctx, k, later)
		require.NoError(t, err)
		require.True(t, first)
	}
	first, _ := d.Claim(ctx, "a", later)
	assert.True(t, first, "over capacity, the oldest claim is forgotten")
	first, _ = d.Claim(ctx, "c", later)
	assert.False(t, first)
	require.NoError(t, d.Release(ctx, "c"))
	first, _ = d.Claim(ctx, "c", later)
	assert.True(t, first, "a released claim can be claimed again")

	expired := webhook.NewMemoryDeduper(10)
	first, _ = expired.Claim(ctx, "x", time.Millisecond)
	require.True(t, first)
	time.Sleep(5 * time.Millisecond)
	first, _ = expired.Claim(ctx, "x", later)
	assert.True(t, first, "a key past its ttl is forgotten (its delivery is refused as too old anyway)")
}

func TestPaymentDataDecodesTolerantly(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		wantMode  clinic.PaymentMode
		wantKnown bool
		wantDate  polybill.Date
	}{
		{"documented", `{"payment_mode":"upi","payment_date":"2026-03-15"}`, clinic.PaymentModeUPI, true, polybill.NewDate(2026, 3, 15)},
		{"timestamp date", `{"payment_mode":"card","payment_date":"2026-03-15T14:30:00+05:30"}`, clinic.PaymentModeCard, true, polybill.NewDate(2026, 3, 15)},
		{"unknown mode", `{"payment_mode":"crypto","payment_date":"2026-03-15"}`, "crypto", false, polybill.NewDate(2026, 3, 15)},
		{"mode not a string", `{"payment_mode":7}`, "7", false, polybill.Date{}},
		{"unparsable date", `{"payment_mode":"cash","payment_date":"15/03/2026"}`, clinic.PaymentModeCash, true, polybill.Date{}},
		{"date not a string", `{"payment_mode":"cash","payment_date":20260315}`, clinic.PaymentModeCash, true, polybill.Date{}},
		{"absent", `{}`, "", false, polybill.Date{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &webhook.Event{Type: webhook.PaymentReceived, Data: json.RawMessage(tt.data)}
			p, err := e.Payment()
			require.NoError(t, err, "an odd value does not cost the event")
			assert.Equal(t, tt.wantMode, p.PaymentMode)
			assert.Equal(t, tt.wantKnown, p.PaymentMode.IsKnown())
			assert.Equal(t, tt.wantDate, p.PaymentDate)
			assert.JSONEq(t, tt.data, string(p.Raw), "the raw value stays reachable")
		})
	}
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte(body), webhook.Sign([]byte(body), "s3cret"), "s3cret")
	f.Add([]byte(body), "sha256="+base64.StdEncoding.EncodeToString(digest(body, "k")), "k")
	f.Add([]byte{}, "", "")
	f.Add([]byte("x"), "sha256=", "k")
	f.Add([]byte("x"), strings.Repeat("=", 64), "k")
	f.Fuzz(func(t *testing.T, b []byte, sig, secret string) {
		err := webhook.Verify(b, sig, secret)
		if err == nil {
			// Only a real HMAC of b under secret may verify.
			require.NotEmpty(t, secret)
			m := hmac.New(sha256.New, []byte(secret))
			m.Write(b)
			require.NoError(t, webhook.Verify(b, hex.EncodeToString(m.Sum(nil)), secret))
		}
		require.NoError(t, webhook.Verify(b, webhook.Sign(b, secret+"x"), secret+"x"))
	})
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(body))
	f.Add([]byte(`{"event":"invoice.paid","data":{"total":"1.5"}}`))
	f.Add([]byte(`{"event":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := webhook.Parse(b)
		if err != nil {
			return
		}
		require.NotEmpty(t, e.Type)
		_, _ = e.Payment()
		_, _ = e.Invoice()
		_ = e.DedupKey()
	})
}
