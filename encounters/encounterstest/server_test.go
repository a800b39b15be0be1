package encounterstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

var testStart = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

const testTTL = time.Hour // the fake's default token lifetime

func TestClientOptions(t *testing.T) {
	srv := encounterstest.New(encounterstest.WithToken("custom-token"))
	defer srv.Close()
	opts := srv.ClientOptions()
	require.Len(t, opts, 2)

	client, err := encounters.New(opts...)
	require.NoError(t, err)
	ctx := context.Background()
	inv, err := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)
	assert.Equal(t, "inv-1", inv.ID)
	require.NoError(t, client.Authenticate(ctx), "a static token has nothing to obtain")
	assert.Zero(t, srv.Logins())

	// Options appended after ClientOptions win: a wrong token is refused.
	bad, err := encounters.New(append(srv.ClientOptions(), encounters.WithToken("wrong"))...)
	require.NoError(t, err)
	_, err = bad.Invoices.Find(ctx, nil)
	assert.ErrorIs(t, err, polybill.ErrUnauthorized)
}

// TestSignInDoesNotShiftIDs: issuing tokens has a counter of its own, so the
// first record after a sign-in (or a refresh) is still number 1.
func TestSignInDoesNotShiftIDs(t *testing.T) {
	clock := encounterstest.NewManualClock(testStart)
	srv := encounterstest.New(encounterstest.WithUser("cashier@example.com", "s3cret"), encounterstest.WithClock(clock))
	defer srv.Close()
	client, err := encounters.New(polybill.WithBaseURL(srv.URL()),
		encounters.WithCredentials("cashier@example.com", "s3cret"), encounterstest.WithTokenClock(clock.Now))
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, client.Authenticate(ctx))
	enc, err := client.Encounters.Create(ctx, encounters.CreateEncounterParams{Facility: "fac-1", Patient: "px-1", Type: encounters.EncounterOutpatient, Invoice: true})
	require.NoError(t, err)
	assert.Equal(t, "enc-1", enc.ID)

	clock.Advance(2 * testTTL) // the JWT expired: the next call refreshes it
	item, err := client.Items.Create(ctx, encounters.CreateItemParams{Invoice: enc.ID, Type: "service", Price: polybill.MustDecimal("100")})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Refreshes())
	assert.Equal(t, "itm-2", item.ID)
}

// TestGeneratedInvoiceIDSkipsChosenIDs: an invoice created with a chosen id
// is never overwritten by a later generated one.
func TestGeneratedInvoiceIDSkipsChosenIDs(t *testing.T) {
	srv := encounterstest.New()
	defer srv.Close()
	client, err := encounters.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	chosen, err := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{ID: "inv-1", Facility: "fac-chosen", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)
	generated, err := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-generated", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)
	assert.Equal(t, "inv-1", chosen.ID)
	assert.NotEqual(t, "inv-1", generated.ID)
	got, err := client.Invoices.Get(ctx, "inv-1", nil)
	require.NoError(t, err)
	assert.Equal(t, "fac-chosen", got.Facility)
	assert.Equal(t, 2, srv.Count("billing-invoices"))
}

// TestIdempotencyKeyReuse: an identical repeat of a payment create returns the
// first payment; the same idemp with a different request is a 409 Conflict
// naming the key, and nothing is recorded.
func TestIdempotencyKeyReuse(t *testing.T) {
	const key = "idem-key-1"
	base := func(item string) encounters.CreatePaymentParams {
		return encounters.CreatePaymentParams{Item: item, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100"), Idemp: key}
	}
	cases := []struct {
		name     string
		change   func(p *encounters.CreatePaymentParams, other string)
		conflict bool
	}{
		{"identical repeat", func(*encounters.CreatePaymentParams, string) {}, false},
		{"same amount at another scale", func(p *encounters.CreatePaymentParams, _ string) { p.Amount = polybill.MustDecimal("100.00") }, false},
		{"another item", func(p *encounters.CreatePaymentParams, other string) { p.Item = other }, true},
		{"another amount", func(p *encounters.CreatePaymentParams, _ string) { p.Amount = polybill.MustDecimal("50") }, true},
		{"another method", func(p *encounters.CreatePaymentParams, _ string) { p.PaymentMethod = "GCASH" }, true},
		{"another type", func(p *encounters.CreatePaymentParams, _ string) { p.Type = encounters.PaymentRefund }, true},
		{"notes added", func(p *encounters.CreatePaymentParams, _ string) { p.Notes = "second" }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := encounterstest.New()
			defer srv.Close()
			client, err := encounters.New(append(srv.ClientOptions(), polybill.WithMaxRetries(0))...)
			require.NoError(t, err)
			ctx := context.Background()
			inv, err := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
			require.NoError(t, err)
			var items [2]string
			for i := range items {
				it, err := client.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: polybill.MustDecimal("500")})
				require.NoError(t, err)
				items[i] = it.ID
			}
			first, err := client.Payments.Create(ctx, base(items[0]))
			require.NoError(t, err)

			again := base(items[0])
			tc.change(&again, items[1])
			second, err := client.Payments.Create(ctx, again)
			assert.Equal(t, 1, srv.Count("billing-payments"))
			if !tc.conflict {
				require.NoError(t, err)
				assert.Equal(t, first.ID, second.ID)
				assert.True(t, first.Amount.Equal(second.Amount))
				return
			}
			require.Error(t, err)
			assert.Nil(t, second)
			assert.ErrorIs(t, err, polybill.ErrConflict)
			var perr *polybill.Error
			require.True(t, errors.As(err, &perr))
			assert.Equal(t, 409, perr.StatusCode)
			assert.Equal(t, "Conflict", perr.Code)
			assert.Equal(t, "idemp", perr.Param)
			assert.Contains(t, perr.Message, key)
			assert.False(t, perr.Retryable)
		})
	}
}

// TestIdempotencyKeyFreedByRemove: once the payment a key created is removed,
// the key may record a new payment.
func TestIdempotencyKeyFreedByRemove(t *testing.T) {
	srv := encounterstest.New()
	defer srv.Close()
	client, err := encounters.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	inv, err := client.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter})
	require.NoError(t, err)
	it, err := client.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Price: polybill.MustDecimal("500")})
	require.NoError(t, err)
	p := encounters.CreatePaymentParams{Item: it.ID, Type: encounters.PaymentPrivate, PaymentMethod: "CASH", Amount: polybill.MustDecimal("100"), Idemp: "k"}
	first, err := client.Payments.Create(ctx, p)
	require.NoError(t, err)
	_, err = client.Payments.Delete(ctx, first.ID)
	require.NoError(t, err)
	p.Amount = polybill.MustDecimal("200")
	second, err := client.Payments.Create(ctx, p)
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, second.ID)
	assert.Equal(t, "200", second.Amount.String())
}
