package transport

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	polybill "github.com/polybill/polybill-go"
)

// Authenticator adds credentials to one attempt. It is called on every attempt, below the
// retry loop, so a token refreshed between attempts is picked up.
type Authenticator interface {
	Apply(req *http.Request) error
}

// Refresher is implemented by authenticators that can renew credentials. On a 401 the
// transport calls Refresh once with the rejected attempt and replays the call once.
type Refresher interface {
	Refresh(ctx context.Context, rejected *http.Request) error
}

// secretKeeper is implemented by authenticators whose credentials must be scrubbed from
// errors and logs.
type secretKeeper interface {
	Secrets() []string
}

// StaticHeaders sets fixed headers (API keys, a static bearer token) on every attempt. The
// header values are treated as secrets.
func StaticHeaders(h http.Header) Authenticator { return staticHeaders(h.Clone()) }

type staticHeaders http.Header

func (s staticHeaders) Apply(req *http.Request) error {
	for k, v := range s {
		req.Header[k] = v
	}
	return nil
}

func (s staticHeaders) Secrets() []string {
	var out []string
	for _, vs := range s {
		for _, v := range vs {
			out = append(out, strings.TrimPrefix(v, "Bearer "))
		}
	}
	return out
}

// TokenAuth sends "Authorization: Bearer <token>" with a token obtained from fetch, cached
// until shortly before it expires. Concurrent callers share one fetch, and a 401 renews the
// token only if nobody renewed it since the rejected attempt: 64 goroutines hitting a 401
// together cause one refresh, not 64.
//
// A token is renewed a margin before its expiry so it does not expire in flight: 30 s, or a
// quarter of the token's lifetime when that is shorter. A token fetched for an attempt is
// used by that attempt (and by every caller that waited for the fetch) even if it arrives
// inside the margin or already expired: identity providers that hand out a cached token's
// remaining life send expires_in of a few seconds, and a client clock running ahead makes a
// JWT look expired on arrival. Renewing such a token before using it once fetched thousands
// of tokens per call; now a call makes at most two token requests (one for its attempt, one
// after a 401), plus the retries of a failed token request.
type TokenAuth struct {
	fetch func(ctx context.Context) (*oauth2.Token, error)
	now   func() time.Time
	// retry is the client whose retry policy and budget govern failed fetches; New sets it.
	retry *Client

	mu        sync.Mutex
	token     *oauth2.Token
	fetchedAt time.Time // when token arrived, by now
	gen       uint64    // counts successful fetches
	unsent    bool      // token was fetched by Refresh for the replay, which has not sent it yet
	inflight  chan struct{}
	fetchErr  error
	secrets   []string

	fetches atomic.Int64
}

// expiryMargin is the longest margin before expiry at which a token is renewed.
const expiryMargin = 30 * time.Second

// NewTokenAuth returns a TokenAuth over fetch. fetch gets the context of the attempt that
// needs the token.
func NewTokenAuth(fetch func(ctx context.Context) (*oauth2.Token, error)) *TokenAuth {
	return &TokenAuth{fetch: fetch, now: time.Now}
}

// SetClock replaces the clock deciding expiry (for fakes and tests).
func (a *TokenAuth) SetClock(now func() time.Time) { a.now = now }

// Fetches reports how many times a token was fetched.
func (a *TokenAuth) Fetches() int64 { return a.fetches.Load() }

// Apply sets the bearer token, fetching one if none is cached or it is about to expire.
func (a *TokenAuth) Apply(req *http.Request) error {
	tok, err := a.get(req.Context(), "", false)
	if err != nil {
		return &authError{err: err, retried: a.retry != nil}
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// Ensure obtains a token now if none is cached (or it is about to expire), so that bad
// credentials fail at start-up rather than on the first call.
func (a *TokenAuth) Ensure(ctx context.Context) error {
	_, err := a.get(ctx, "", false)
	return err
}

// Refresh drops the token the rejected attempt carried and fetches a new one.
func (a *TokenAuth) Refresh(ctx context.Context, rejected *http.Request) error {
	used := ""
	if rejected != nil {
		used = strings.TrimPrefix(rejected.Header.Get("Authorization"), "Bearer ")
	}
	_, err := a.get(ctx, used, true)
	return err
}

// Secrets returns every token this authenticator has handed out, for redaction.
func (a *TokenAuth) Secrets() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.secrets...)
}

// usableLocked reports whether the cached token may be sent without fetching: it is not the
// one the server rejected, and it was fetched for an attempt that has not sent it yet or is
// outside the renewal margin.
func (a *TokenAuth) usableLocked(rejected string) bool {
	t := a.token
	if t == nil || t.AccessToken == "" || t.AccessToken == rejected {
		return false
	}
	if a.unsent || t.Expiry.IsZero() {
		return true
	}
	margin := min(expiryMargin, max(t.Expiry.Sub(a.fetchedAt)/4, 0))
	return a.now().Add(margin).Before(t.Expiry)
}

// get returns a token other than rejected, sharing one fetch among concurrent callers. A
// caller that fetched, or waited for a fetch that succeeded, uses the fetched token as is.
// later marks a fetch made for an attempt still to come (Refresh before the replay): that
// attempt then sends the token even if it is short-lived.
func (a *TokenAuth) get(ctx context.Context, rejected string, later bool) (string, error) {
	for {
		a.mu.Lock()
		if a.usableLocked(rejected) {
			t := a.token.AccessToken
			a.unsent = a.unsent && later
			a.mu.Unlock()
			return t, nil
		}
		if wait := a.inflight; wait != nil {
			gen := a.gen
			a.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			a.mu.Lock()
			if a.gen != gen {
				t := a.token.AccessToken
				a.mu.Unlock()
				return t, nil
			}
			// fetchErr is nil when the fetcher gave up because its own caller went away: this
			// caller can still try, so it goes round and fetches itself.
			err := a.fetchErr
			a.mu.Unlock()
			if err != nil {
				return "", err
			}
			continue
		}
		done := make(chan struct{})
		a.inflight = done
		a.mu.Unlock()

		tok, err := a.fetchWithRetries(ctx)

		a.mu.Lock()
		a.inflight, a.fetchErr = nil, err
		if err != nil && ctx.Err() != nil {
			a.fetchErr = nil // not the waiters' failure: see above
		}
		if err == nil {
			a.token, a.fetchedAt, a.unsent = tok, a.now(), later
			a.gen++
			a.secrets = append(a.secrets, tok.AccessToken)
			if rt := tok.RefreshToken; rt != "" {
				a.secrets = append(a.secrets, rt)
			}
			if len(a.secrets) > 16 {
				a.secrets = a.secrets[len(a.secrets)-16:]
			}
		}
		a.mu.Unlock()
		close(done)
		if err != nil {
			return "", err
		}
		// Even when the source handed back the token the server just refused: replaying
		// with it earns the second 401 the caller will see, rather than a loop.
		return tok.AccessToken, nil
	}
}

// fetchWithRetries runs fetch, retrying a failure that another try may cure under the
// client's retry policy: as many retries as an idempotent call, the same backoff and
// Retry-After cap, and each retry spends the client's retry budget. Token requests are safe
// to repeat (each returns a token, or refuses), so a 503 or a reset from the token endpoint
// is retried here once for everyone waiting on this fetch, rather than failing them all.
func (a *TokenAuth) fetchWithRetries(ctx context.Context) (*oauth2.Token, error) {
	for retry := 0; ; retry++ {
		start := time.Now()
		tok, err := a.fetch(ctx)
		a.fetches.Add(1)
		if err == nil && (tok == nil || tok.AccessToken == "") {
			err = errors.New("token source returned no access token")
		}
		observeTokenFetch(ctx, start, err)
		if err == nil {
			return tok, nil
		}
		if a.retry == nil || ctx.Err() != nil {
			return nil, err
		}
		wait, err := a.retry.retryTokenFetch(ctx, err, retry)
		if err != nil {
			return nil, err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// Authenticate obtains credentials now when the client's authenticator fetches them (a
// TokenAuth), so bad credentials fail at start-up rather than on the first call; with static
// credentials there is nothing to obtain and it returns nil. Failures are *polybill.Error,
// scrubbed of secrets.
func (c *Client) Authenticate(ctx context.Context) error {
	ensurer, ok := c.auth.(interface{ Ensure(context.Context) error })
	if !ok {
		return nil
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	err := ensurer.Ensure(withObserverClient(ctx, c))
	if err == nil {
		return nil
	}
	st := &callState{c: c, ctx: ctx, op: polybill.Operation{Route: "authenticate"}}
	var pe *polybill.Error
	if errors.As(err, &pe) {
		st.scrub(pe)
		return st.logged(pe)
	}
	e := &polybill.Error{API: c.api, Code: polybill.CodeUnauthenticated, Message: "obtaining credentials: " + c.redact(err.Error()), Err: err}
	switch {
	case errors.Is(err, context.Canceled):
		e.Code = polybill.CodeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		e.Code = polybill.CodeTimeout
	}
	return st.logged(e)
}
