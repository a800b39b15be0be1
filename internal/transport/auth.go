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
type TokenAuth struct {
	fetch func(ctx context.Context) (*oauth2.Token, error)
	now   func() time.Time

	mu       sync.Mutex
	token    *oauth2.Token
	inflight chan struct{}
	fetchErr error
	secrets  []string

	fetches atomic.Int64
}

// expiryMargin renews a token this long before its expiry, so it does not expire in flight.
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
	tok, err := a.get(req.Context(), "")
	if err != nil {
		return &authError{err}
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// Ensure obtains a token now if none is cached (or it is about to expire), so that bad
// credentials fail at start-up rather than on the first call.
func (a *TokenAuth) Ensure(ctx context.Context) error {
	_, err := a.get(ctx, "")
	return err
}

// Refresh drops the token the rejected attempt carried and fetches a new one.
func (a *TokenAuth) Refresh(ctx context.Context, rejected *http.Request) error {
	used := ""
	if rejected != nil {
		used = strings.TrimPrefix(rejected.Header.Get("Authorization"), "Bearer ")
	}
	_, err := a.get(ctx, used)
	return err
}

// Secrets returns every token this authenticator has handed out, for redaction.
func (a *TokenAuth) Secrets() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.secrets...)
}

func (a *TokenAuth) usable(t *oauth2.Token, rejected string) bool {
	if t == nil || t.AccessToken == "" || t.AccessToken == rejected {
		return false
	}
	return t.Expiry.IsZero() || a.now().Add(expiryMargin).Before(t.Expiry)
}

// get returns a usable token other than rejected, sharing one fetch among concurrent callers.
func (a *TokenAuth) get(ctx context.Context, rejected string) (string, error) {
	for {
		a.mu.Lock()
		if a.usable(a.token, rejected) {
			t := a.token.AccessToken
			a.mu.Unlock()
			return t, nil
		}
		if wait := a.inflight; wait != nil {
			a.mu.Unlock()
			select {
			case <-wait:
				a.mu.Lock()
				err := a.fetchErr
				a.mu.Unlock()
				if err != nil {
					return "", err
				}
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		done := make(chan struct{})
		a.inflight = done
		a.mu.Unlock()

		start := time.Now()
		tok, err := a.fetch(ctx)
		a.fetches.Add(1)
		observeTokenFetch(ctx, start, err)

		a.mu.Lock()
		a.inflight, a.fetchErr = nil, err
		if err == nil {
			a.token = tok
			if tok != nil && tok.AccessToken != "" {
				a.secrets = append(a.secrets, tok.AccessToken)
				if rt := tok.RefreshToken; rt != "" {
					a.secrets = append(a.secrets, rt)
				}
				if len(a.secrets) > 16 {
					a.secrets = a.secrets[len(a.secrets)-16:]
				}
			}
		}
		a.mu.Unlock()
		close(done)
		if err != nil {
			return "", err
		}
		if tok == nil || tok.AccessToken == "" {
			return "", errors.New("token source returned no access token")
		}
		if tok.AccessToken == rejected {
			// The source handed back the token the server just refused; replaying with it
			// earns the second 401 the caller will see, rather than a loop.
			return tok.AccessToken, nil
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
