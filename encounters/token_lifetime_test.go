package encounters_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// TestShortLivedTokenIsUsedNotRefetched: a JWT that lives 20 s (less than the 30 s renewal
// margin) used to be fetched again and again without pause within one call; a client whose
// clock runs ahead of the server's sees a JWT that is already expired, which must still be
// sent once per call rather than loop. The deadline only bounds the test on a regression.
func TestShortLivedTokenIsUsedNotRefetched(t *testing.T) {
	tests := []struct {
		name        string
		ttl         time.Duration
		skew        time.Duration
		wantFetches int64
	}{
		{name: "20s JWT", ttl: 20 * time.Second, wantFetches: 1},
		{name: "client clock an hour ahead", ttl: 10 * time.Minute, skew: time.Hour, wantFetches: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, []encounterstest.Option{encounterstest.WithUser("a@b.c", "pw"), encounterstest.WithTokenTTL(tc.ttl)},
				encounters.WithCredentials("a@b.c", "pw"), encounterstest.WithTokenClock(func() time.Time { return time.Now().Add(tc.skew) }))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for i := range 3 {
				before := c.TokenFetches()
				_, err := c.Invoices.Find(ctx, nil)
				require.NoError(t, err)
				assert.LessOrEqual(t, c.TokenFetches()-before, int64(1), "call %d", i)
			}
			assert.Equal(t, tc.wantFetches, c.TokenFetches())
			assert.Equal(t, 1, srv.Logins(), "later tokens come from refreshes")
		})
	}
}
