package reliability_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

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

const goroutines = 64

// tokenGate stands in front of a fake whose token is fixed (crmtest, epilottest accept one
// token for their lifetime) and plays the identity provider: it accepts only the current
// generation of token, swaps it for the fake's own, and revoke() moves to a new generation.
type tokenGate struct {
	srv       *httptest.Server
	fakeToken string
	gen       atomic.Int64
	issued    atomic.Int64
}

func newTokenGate(t *testing.T, fakeURL, fakeToken string) *tokenGate {
	u, err := url.Parse(fakeURL)
	require.NoError(t, err)
	g := &tokenGate{fakeToken: fakeToken}
	proxy := httputil.NewSingleHostReverseProxy(u)
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+g.current() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"Unauthorized","message":"token revoked"}`))
			return
		}
		r.Header.Set("Authorization", "Bearer "+g.fakeToken)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *tokenGate) current() string { return fmt.Sprintf("gate-token-generation-%d", g.gen.Load()) }

// issue is the identity provider's token endpoint: it hands out the current token.
func (g *tokenGate) issue() string { g.issued.Add(1); return g.current() }

func (g *tokenGate) revoke() { g.gen.Add(1) }

type gateSource struct{ g *tokenGate }

func (s gateSource) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: s.g.issue(), TokenType: "Bearer"}, nil
}

// sharedClient is one client used by every goroutine, how to revoke or expire its token
// mid-run, and how many tokens were obtained.
type sharedClient struct {
	call    func(ctx context.Context, i int) error
	midRun  func()
	fetches func() int64
}

func TestSharedClientTokenRefreshUnderLoad(t *testing.T) {
	perG := 16
	if raceEnabled || testing.Short() {
		perG = 8
	}
	cases := []struct {
		api   string
		how   string
		build func(t *testing.T) sharedClient
	}{
		{"crm", "token revoked at the identity gateway; token source", func(t *testing.T) sharedClient {
			srv := crmtest.New()
			t.Cleanup(srv.Close)
			id, err := srv.AddBilling(crmtest.Billing{MeetingID: "m-1", Amount: polybill.MustDecimal("10.00"), PayerName: "P", PayerEmail: "p@example.com"})
			require.NoError(t, err)
			g := newTokenGate(t, srv.URL(), crmtest.DefaultToken)
			c, err := crm.New(polybill.WithBaseURL(g.srv.URL), crm.WithAPIKey(crmtest.DefaultAPIKey), crm.WithTokenSource(gateSource{g}))
			require.NoError(t, err)
			return sharedClient{func(ctx context.Context, i int) error {
				if i%2 == 0 {
					_, err := c.GetBilling(ctx, id)
					return err
				}
				_, err := c.ListMeetingBillingsPage(ctx, "m-1", nil)
				return err
			}, g.revoke, g.issued.Load}
		}},
		{"epilot", "token revoked at the identity gateway; token source", func(t *testing.T) sharedClient {
			srv := epilottest.New()
			t.Cleanup(srv.Close)
			g := newTokenGate(t, srv.URL(), srv.Token())
			c, err := epilot.New(polybill.WithBaseURL(g.srv.URL), epilot.WithTokenSource(gateSource{g}))
			require.NoError(t, err)
			return sharedClient{func(ctx context.Context, i int) error {
				_, err := c.ListBillingEventsPage(ctx, &epilot.ListBillingEventsParams{Size: 5})
				return err
			}, g.revoke, g.issued.Load}
		}},
		{"encounters", "JWT expired on the fake's clock; email + password sign-in, refresh token", func(t *testing.T) sharedClient {
			clock := encounterstest.NewManualClock(time.Now())
			srv := encounterstest.New(encounterstest.WithClock(clock), encounterstest.WithUser(encEmail, encPassword))
			t.Cleanup(srv.Close)
			c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithCredentials(encEmail, encPassword), encounterstest.WithTokenClock(clock.Now))
			require.NoError(t, err)
			return sharedClient{func(ctx context.Context, i int) error {
				_, err := c.Invoices.Find(ctx, encounters.NewQuery().Limit(5))
				return err
			}, func() { clock.Advance(2 * time.Hour) }, func() int64 { return int64(srv.Logins() + srv.Refreshes()) }}
		}},
		{"encounters", "JWT revoked (401) on the fake's clock only; client clock unaware", func(t *testing.T) sharedClient {
			clock := encounterstest.NewManualClock(time.Now())
			srv := encounterstest.New(encounterstest.WithClock(clock), encounterstest.WithUser(encEmail, encPassword))
			t.Cleanup(srv.Close)
			c, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithCredentials(encEmail, encPassword))
			require.NoError(t, err)
			return sharedClient{func(ctx context.Context, i int) error {
				_, err := c.Invoices.Find(ctx, encounters.NewQuery().Limit(5))
				return err
			}, func() { clock.Advance(2 * time.Hour) }, func() int64 { return int64(srv.Logins() + srv.Refreshes()) }}
		}},
		{"clinic", "every token revoked on the fake (secret rotation); client credentials", func(t *testing.T) sharedClient {
			srv := clinictest.New()
			t.Cleanup(srv.Close)
			inv := srv.AddInvoice(clinictest.InvoiceSeed{PatientName: "Shared"})
			c, err := clinic.New(srv.ClientOptions()...)
			require.NoError(t, err)
			return sharedClient{func(ctx context.Context, i int) error {
				if i%2 == 0 {
					_, err := c.GetInvoice(ctx, inv)
					return err
				}
				_, err := c.ListInvoicesPage(ctx, &clinic.ListInvoicesParams{PerPage: 5})
				return err
			}, srv.RevokeTokens, func() int64 { return int64(srv.TokensIssued()) }}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.api+"/"+tc.how, func(t *testing.T) {
			sc := tc.build(t)
			total := goroutines * perG
			var done, failed atomic.Int64
			var once sync.Once
			var mid atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, total)
			for g := range goroutines {
				wg.Go(func() {
					for i := range perG {
						ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
						err := sc.call(ctx, g*perG+i)
						cancel()
						if err != nil {
							failed.Add(1)
							errs <- err
						}
						if done.Add(1) == int64(total/3) {
							once.Do(func() { mid.Store(sc.fetches()); sc.midRun() })
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("call failed: %v", err)
				break
			}
			fetches := sc.fetches()
			t.Logf("%s: %d goroutines x %d calls, %d failed; tokens obtained: %d before the mid-run revocation/expiry, %d in all",
				tc.api, goroutines, perG, failed.Load(), mid.Load(), fetches)
			if testing.Verbose() {
				fmt.Printf("concurrency %-10s %-70s calls %d failed %d tokens before %d total %d\n", tc.api, tc.how, total, failed.Load(), mid.Load(), fetches)
			}
			assert.Zero(t, failed.Load(), "calls failed across the token change")
			assert.EqualValues(t, 1, mid.Load(), "64 goroutines starting together obtained more than one token")
			assert.LessOrEqual(t, fetches, int64(2), "more than one new token after the revocation/expiry: a refresh storm")
			assert.Greater(t, fetches, mid.Load(), "no token was obtained after the revocation/expiry: the mid-run change did not happen")
		})
	}
}
