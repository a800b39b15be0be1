package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

func TestHandler(t *testing.T) {
	var calls atomic.Int32
	fail := atomic.Bool{}
	h := webhook.NewHandler([]string{"s3cret"}, func(_ context.Context, e *webhook.Event) error {
		calls.Add(1)
		if fail.Load() {
			return errors.New("database down")
		}
		return nil
	}, webhook.WithMaxBodyBytes(4096))
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
	assert.Equal(t, int32(3), calls.Load(), "rejected deliveries never reach the handler")

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/hook", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

func TestHandlerWithoutDedup(t *testing.T) {
	var calls atomic.Int32
	h := webhook.NewHandler([]string{"s3cret"}, func(context.Context, *webhook.Event) error {
		calls.Add(1)
		return nil
	}, webhook.WithDeduper(nil))
	sig := webhook.Sign([]byte(body), "s3cret")
	post(h, body, sig)
	post(h, body, sig)
	assert.Equal(t, int32(2), calls.Load())
}

func TestMemoryDeduperForgetsOldest(t *testing.T) {
	d := webhook.NewMemoryDeduper(2)
	for _, k := range []string{"a", "b", "c"} {
		require.True(t, d.Begin(k))
		d.End(k, true)
	}
	assert.True(t, d.Begin("a"), "a was evicted")
	assert.False(t, d.Begin("c"))
	assert.False(t, d.Begin("a"), "a is in flight")
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
