// Package encounterstest is an in-process, stateful fake of HapiHub's billing
// services for tests — yours and ours.
//
//	srv := encounterstest.New()
//	defer srv.Close()
//	client, err := encounters.New(srv.ClientOptions()...)
//
// ClientOptions is the base URL and the static token; to exercise the sign-in
// flow instead, register an account with WithUser and pass
// polybill.WithBaseURL(srv.URL()) and encounters.WithCredentials.
//
// It serves the same OpenAPI spec as the client (openapi/encounters.yaml):
// every request is validated against it and answered in HapiHub's shapes —
// Feathers pages or bare arrays, Feathers error JSON, epoch-millisecond
// timestamps. It keeps records in memory and enforces the billing rules of
// the MyCure guide: invoices and items are drafts until finalized;
// finalizing an invoice (directly or through its encounter) finalizes its
// items; items can be added only to a draft invoice, payments also after; an
// item's payments cannot exceed its payable amount (price × quantity);
// deleting an invoice deletes its items and their payments and is refused
// once finalized; invoice paid, balance, total and status and item paid and
// balance are computed; a payment create repeating an idemp returns the first
// payment, and one reusing an idemp for a different request (another item,
// amount, method…) is refused with a 409 Conflict naming the key, as Stripe
// does. Feathers query operators ($limit, $skip, $sort, $select, $in, $nin,
// $lt, $lte, $gt, $gte, $ne, $exists, $regex, $or, $and, $populate) are
// evaluated on the "#"-typed values.
//
// Faults() injects failures (statuses, Retry-After, connection resets before
// or after a write committed, latency, damaged bodies) to test retries.
package encounterstest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/internal/oapiserver"
	"github.com/polybill/polybill-go/internal/config"
	"github.com/polybill/polybill-go/internal/fake"
)

// Re-exported fault injection and clock types, so tests can name them (Fault is in fault.go).
type (
	Faults      = fake.Faults
	Clock       = fake.Clock
	ManualClock = fake.ManualClock
)

// NewManualClock returns a clock that only moves when told.
func NewManualClock(t time.Time) *ManualClock { return fake.NewManualClock(t) }

// PageShape selects how find answers.
type PageShape int

const (
	// PageEnvelope answers {total, limit, skip, data} (Feathers pagination on).
	PageEnvelope PageShape = iota
	// PageArray answers a bare array (Feathers pagination off; $limit and $skip
	// still apply).
	PageArray
)

// DefaultToken is the static bearer token the fake accepts unless WithToken
// replaces it.
const DefaultToken = "encounterstest-token"

// Option configures the fake.
type Option func(*Server)

// WithClock sets the clock used for createdAt, finalizedAt and token expiry.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithPageShape selects envelope pages or bare arrays.
func WithPageShape(p PageShape) Option { return func(s *Server) { s.shape.Store(int32(p)) } }

// WithPagination sets the default and maximum $limit (Feathers paginate
// {default, max}); the defaults are 10 and 50.
func WithPagination(def, maximum int) Option {
	return func(s *Server) { s.defLimit, s.maxLimit = def, maximum }
}

// WithToken replaces the accepted static token (an API key).
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithUser registers an account for the local sign-in strategy.
func WithUser(email, password string) Option {
	return func(s *Server) { s.users[email] = password }
}

// WithTokenTTL sets the lifetime of JWTs issued by /authentication (default 1h).
func WithTokenTTL(d time.Duration) Option { return func(s *Server) { s.ttl = d } }

// Server is the running fake.
type Server struct {
	srv      *fake.Server
	clock    Clock
	shape    atomic.Int32
	defLimit int
	maxLimit int
	token    string
	ttl      time.Duration
	users    map[string]string

	mu        sync.Mutex
	st        *store
	access    map[string]time.Time // issued JWT -> expiry
	refresh   map[string]string    // live refresh token -> email
	logins    int
	refreshes int
	catalog   map[string]polybill.Decimal
	idemp     map[string]idempEntry // payment idemp key -> the payment and its request
	seq       int                   // record ids (inv-1, itm-2…)
	tokenSeq  int                   // issued tokens, apart from records so a sign-in does not shift ids
}

// New starts a fake on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		clock: fake.RealClock{}, defLimit: 10, maxLimit: 50, token: DefaultToken, ttl: time.Hour,
		users: map[string]string{}, st: newStore(), access: map[string]time.Time{}, refresh: map[string]string{},
		catalog: map[string]polybill.Decimal{}, idemp: map[string]idempEntry{},
	}
	for _, o := range opts {
		o(s)
	}
	spec, err := oapiserver.GetSpec()
	if err != nil {
		panic(fmt.Sprintf("encounterstest: embedded spec: %v", err))
	}
	validate, err := fake.NewValidator(spec, func(w http.ResponseWriter, _ *http.Request, status int, err error) {
		name := map[int]string{404: "NotFound", 405: "MethodNotAllowed"}[status]
		if name == "" {
			name = "BadRequest"
		}
		writeJSON(w, status, feathersError(status, name, err.Error(), nil))
	})
	if err != nil {
		panic(fmt.Sprintf("encounterstest: validator: %v", err))
	}
	h := &handlers{s: s}
	strict := oapiserver.NewStrictHandlerWithOptions(h, []oapiserver.StrictMiddlewareFunc{withRequest}, oapiserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeJSON(w, 400, feathersError(400, "BadRequest", err.Error(), nil))
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeJSON(w, 500, feathersError(500, "GeneralError", err.Error(), nil))
		},
	})
	mux := oapiserver.HandlerWithOptions(strict, oapiserver.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeJSON(w, 400, feathersError(400, "BadRequest", err.Error(), nil))
		},
	})
	s.srv = fake.NewServer(s.authenticate(validate(mux)))
	return s
}

// URL is the base URL to pass to polybill.WithBaseURL.
func (s *Server) URL() string { return s.srv.URL() }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Faults is the fault-injection queue.
func (s *Server) Faults() *Faults { return s.srv.Faults() }

// Requests counts the HTTP requests received (faulted ones included).
func (s *Server) Requests() int64 { return s.srv.Requests() }

// Token is the accepted static bearer token.
func (s *Server) Token() string { return s.token }

// ClientOptions are the options that point an encounters client at this fake
// with its static token: polybill.WithBaseURL(s.URL()) and
// encounters.WithToken(s.Token()). Append more to change retries, logging…
func (s *Server) ClientOptions() []encounters.Option {
	return []encounters.Option{polybill.WithBaseURL(s.URL()), encounters.WithToken(s.Token())}
}

// Clock is the fake's clock.
func (s *Server) Clock() Clock { return s.clock }

// SetPageShape switches between envelope pages and bare arrays.
func (s *Server) SetPageShape(p PageShape) { s.shape.Store(int32(p)) }

// Logins counts successful local sign-ins.
func (s *Server) Logins() int { s.mu.Lock(); defer s.mu.Unlock(); return s.logins }

// Refreshes counts successful refreshAccessToken calls.
func (s *Server) Refreshes() int { s.mu.Lock(); defer s.mu.Unlock(); return s.refreshes }

// RevokeRefreshTokens invalidates every refresh token (as a server-side
// sign-out would), so clients must sign in again.
func (s *Server) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// SetCatalogPrice sets the price of a service id or inventory-variant sku,
// used for payment-intent items that reference one.
func (s *Server) SetCatalogPrice(ref string, price polybill.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalog[ref] = price
}

// Count returns how many records a service holds ("billing-payments", …).
func (s *Server) Count(service string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.coll(service).ids)
}

// ApprovePaymentIntent simulates the payer approving a checkout, so the
// intent can be captured.
func (s *Server) ApprovePaymentIntent(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc := s.st.coll(svcIntents).get(id)
	if doc == nil {
		return fmt.Errorf("encounterstest: no payment intent %q", id)
	}
	if doc["status"] != "pending" {
		return fmt.Errorf("encounterstest: payment intent %q is %v, not pending", id, doc["status"])
	}
	doc["status"] = "approved"
	return nil
}

type requestKey struct{}

// withRequest keeps the raw request reachable from strict handlers: HapiHub
// queries are bracketed keys no OpenAPI parameter can describe, so the
// handlers decode r.URL.RawQuery themselves.
func withRequest(f oapiserver.StrictHandlerFunc, _ string) oapiserver.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		return f(context.WithValue(ctx, requestKey{}, r), w, r, req)
	}
}

func rawQuery(ctx context.Context) string {
	if r, ok := ctx.Value(requestKey{}).(*http.Request); ok {
		return r.URL.RawQuery
	}
	return ""
}

// authenticate checks the bearer token on everything but /authentication, in
// Feathers' NotAuthenticated shape.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/authentication" {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeJSON(w, 401, feathersError(401, "NotAuthenticated", "No auth token", nil))
			return
		}
		if token != s.token {
			s.mu.Lock()
			exp, known := s.access[token]
			s.mu.Unlock()
			if !known {
				writeJSON(w, 401, feathersError(401, "NotAuthenticated", "invalid token", nil))
				return
			}
			if !s.clock.Now().Before(exp) {
				writeJSON(w, 401, feathersError(401, "NotAuthenticated", "jwt expired", nil))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// issue mints a JWT-shaped token (unsigned: the fake only needs exp) and a
// fresh refresh token. Call with s.mu held.
func (s *Server) issue(email string) map[string]any {
	s.tokenSeq++
	exp := s.clock.Now().Add(s.ttl)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"sub": email, "exp": exp.Unix(), "jti": s.tokenSeq})
	access := header + "." + base64.RawURLEncoding.EncodeToString(claims) + ".fake-signature"
	rt := fmt.Sprintf("rt-%d", s.tokenSeq)
	s.access[access] = time.Unix(exp.Unix(), 0)
	s.refresh[rt] = email
	return map[string]any{"uid": "uid-" + email, "accessToken": access, "refreshToken": rt, "expiresAt": exp.UnixMilli()}
}

// reply is any answer of any operation.
type reply struct {
	status int
	body   any
}

func (r reply) write(w http.ResponseWriter) error {
	writeJSON(w, r.status, r.body)
	return nil
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = 500, []byte(`{"name":"GeneralError","message":"encoding response","code":500,"className":"general-error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

var classNames = map[string]string{
	"BadRequest": "bad-request", "NotAuthenticated": "not-authenticated", "Forbidden": "forbidden",
	"NotFound": "not-found", "MethodNotAllowed": "method-not-allowed", "Conflict": "conflict",
	"GeneralError": "general-error", "Unprocessable": "unprocessable",
}

// feathersError is the Feathers error JSON HapiHub sends.
func feathersError(code int, name, message string, errs map[string]any) map[string]any {
	if errs == nil {
		errs = map[string]any{}
	}
	return map[string]any{"name": name, "message": message, "code": code, "className": classNames[name], "data": map[string]any{}, "errors": errs}
}

func fail(code int, name, message string, errs map[string]any) reply {
	return reply{code, feathersError(code, name, message, errs)}
}

func badRequest(field, message string) reply {
	var errs map[string]any
	if field != "" {
		errs = map[string]any{field: message}
	}
	return fail(400, "BadRequest", message, errs)
}

func notFound(id string) reply {
	return fail(404, "NotFound", fmt.Sprintf("No record found for id '%s'", id), nil)
}

// WithTokenClock is a client option that makes the client judge when its JWT is about to
// expire by now instead of the wall clock: pass the fake's clock (s.Clock().Now) to drive
// token expiry and refresh without waiting.
func WithTokenClock(now func() time.Time) encounters.Option {
	return config.Shared(func(c *config.Config) error {
		if now == nil {
			return errors.New("encounterstest: nil clock")
		}
		c.Clock = now
		return nil
	})
}
