package clinic_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/clinic/clinictest"
)

// TestShortLivedTokenIsUsedNotRefetched: a token endpoint handing out 20-second tokens (less
// than the 30 s renewal margin) used to be asked again and again without pause within one
// call. The deadline only bounds the test on a regression; the calls need milliseconds.
func TestShortLivedTokenIsUsedNotRefetched(t *testing.T) {
	for _, ttl := range []time.Duration{20 * time.Second, 30 * time.Second, time.Second} {
		t.Run(ttl.String(), func(t *testing.T) {
			f := newFixture(t, []clinictest.Option{clinictest.WithTokenTTL(ttl)})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for range 3 {
				_, err := f.client.GetSummary(ctx, nil)
				require.NoError(t, err)
			}
			assert.Equal(t, 1, f.srv.TokensIssued(), "one token serves the three calls")
		})
	}
}
