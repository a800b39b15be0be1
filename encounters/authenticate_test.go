package encounters_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

func TestAuthenticateSignsInOnceAndCallsReuseTheToken(t *testing.T) {
	c, srv := setup(t, []encounterstest.Option{encounterstest.WithUser("cashier@example.com", "s3cret")},
		encounters.WithCredentials("cashier@example.com", "s3cret"))
	ctx := context.Background()

	require.NoError(t, c.Authenticate(ctx))
	assert.Equal(t, 1, srv.Logins())
	assert.EqualValues(t, 1, c.TokenFetches())

	require.NoError(t, c.Authenticate(ctx), "a cached token is reused")
	_, err := c.Invoices.Find(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Logins(), "the call used the token Authenticate obtained")
	assert.EqualValues(t, 1, c.TokenFetches())
	assert.EqualValues(t, 2, srv.Requests(), "one sign-in and one find")
}

func TestAuthenticateRefreshesAnExpiringToken(t *testing.T) {
	clock := encounterstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	c, srv := setup(t, []encounterstest.Option{encounterstest.WithUser("a@b.c", "pw"), encounterstest.WithClock(clock)},
		encounters.WithCredentials("a@b.c", "pw"), encounterstest.WithTokenClock(clock.Now))
	ctx := context.Background()
	require.NoError(t, c.Authenticate(ctx))
	clock.Advance(2 * time.Hour) // past the fake's 1h JWT lifetime
	require.NoError(t, c.Authenticate(ctx))
	assert.Equal(t, 1, srv.Logins())
	assert.Equal(t, 1, srv.Refreshes())
	_, err := c.Invoices.Find(ctx, nil)
	require.NoError(t, err, "the refreshed token is accepted")
	assert.EqualValues(t, 2, c.TokenFetches())
}

func TestAuthenticateWrongPasswordFailsWithoutLeakingIt(t *testing.T) {
	c, srv := setup(t, []encounterstest.Option{encounterstest.WithUser("a@b.c", "right")},
		encounters.WithCredentials("a@b.c", "wrong-password"))
	err := c.Authenticate(context.Background())
	require.ErrorIs(t, err, polybill.ErrUnauthorized)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "NotAuthenticated", pe.Code)
	assert.Equal(t, 401, pe.StatusCode)
	assert.NotContains(t, err.Error(), "wrong-password")
	assert.Equal(t, 0, srv.Logins())
	assert.EqualValues(t, 1, srv.Requests(), "a refused sign-in is not retried")
}

func TestAuthenticateWithStaticTokenDoesNothing(t *testing.T) {
	c, srv := setup(t, nil) // encounters.WithToken(srv.Token())
	require.NoError(t, c.Authenticate(context.Background()))
	assert.Zero(t, srv.Requests(), "a static token has nothing to obtain")
	assert.Zero(t, c.TokenFetches())

	// Even a token the server would refuse: only the first call finds out.
	bad, srv2 := setup(t, nil, encounters.WithToken("not-the-token"))
	require.NoError(t, bad.Authenticate(context.Background()))
	assert.Zero(t, srv2.Requests())
}

func TestAuthenticateCanceledContext(t *testing.T) {
	c, srv := setup(t, []encounterstest.Option{encounterstest.WithUser("a@b.c", "pw")}, encounters.WithCredentials("a@b.c", "pw"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Authenticate(ctx)
	require.ErrorIs(t, err, context.Canceled)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, polybill.CodeCanceled, pe.Code)
	assert.Zero(t, srv.Logins())

	// The failure is not cached: a live context signs in.
	require.NoError(t, c.Authenticate(context.Background()))
	assert.Equal(t, 1, srv.Logins())
}
