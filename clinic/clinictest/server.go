// Package clinictest is an in-process fake of the Bio Ecko billing API for tests, yours and ours.
//
// It serves the API from the same OpenAPI document the SDK is built from: every request is
// validated against it, state is kept in memory and the vendor's rules are enforced (OAuth2
// client-credentials tokens that expire on the fake's clock and carry billing:read /
// billing:write scopes, GST line items, payments moving paid, balance and status, overpayments
// refused, a summary computed from the invoices, filters and pagination). Faults can be injected
// to prove retry and reconciliation behaviour, and signed webhooks are delivered to endpoints you
// register.
//
// Webhooks are delivered synchronously: RecordPayment's answer is sent only after every
// registered endpoint has answered its payment.received (and invoice.paid) POST, one at a
// time (each bounded by 10 s), so a test sees the deliveries as soon as the call that caused
// them returns, with no waiting or polling. The real service delivers asynchronously and may
// retry; a receiver that only works because the fake waited for it is not tested for that.
// A receiver may call back into the fake: deliveries happen after the payment is committed and
// outside the fake's lock.
//
//	srv := clinictest.New()
//	defer srv.Close()
//	id := srv.AddInvoice(clinictest.InvoiceSeed{PatientName: "Asha Rao", Items: []clinictest.ItemSeed{
//		{Service: "Consultation", Department: "General Medicine", Quantity: polybill.MustDecimal("1"),
//			Rate: polybill.MustDecimal("1000.00"), TaxPercent: polybill.MustDecimal("18")},
//	}})
//	client, err := clinic.New(srv.ClientOptions()...)
//	inv, err := client.GetInvoice(ctx, id)
package clinictest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/internal/oapiserver"
	"github.com/polybill/polybill-go/internal/fake"
)

// Fault machinery, re-exported so users can name it.
type (
	// Faults is the queue of injected failures.
	Faults = fake.Faults
	// Clock is the fake's notion of now; tokens expire and payments are dated by it.
	Clock = fake.Clock
	// ManualClock is a Clock tests move by hand.
	ManualClock = fake.ManualClock
)

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return fake.NewManualClock(t) }

// Credentials of the client every Server knows unless [WithoutDefaultClient] is given: it holds
// both billing scopes.
const (
	DefaultClientID     = "clinictest-client"
	DefaultClientSecret = "clinictest-secret-0123456789"
)

// DefaultTokenTTL is Bio Ecko's documented token lifetime.
const DefaultTokenTTL = time.Hour

// IST is the offset Bio Ecko timestamps carry in the vendor's examples (+05:30).
var IST = time.FixedZone("IST", 5*3600+1800)

// Server is the fake API.
type Server struct {
	srv    *fake.Server
	clock  Clock
	ttl    time.Duration
	bare   bool
	router routers.Router
	scopes map[*openapi3.Operation][]string

	mu          sync.Mutex
	clients     map[string]*apiClient
	tokens      map[string]*token
	invoices    map[string]*invoice
	order       []string
	seq         int
	paySeq      int
	tokensIssue int
	hooks       []hookEndpoint
	deliveries  []Delivery
	hookClient  *http.Client
}

type apiClient struct {
	secret string
	scopes []string
}

type token struct {
	scopes  []string
	expires time.Time
}

// Option configures [New].
type Option func(*Server)

// WithClock makes the fake read time from c (tokens expire, payments are dated by it).
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithTokenTTL sets the lifetime of issued tokens (default one hour).
func WithTokenTTL(d time.Duration) Option { return func(s *Server) { s.ttl = d } }

// WithClient registers an API client with the scopes it may obtain.
func WithClient(id, secret string, scopes ...string) Option {
	return func(s *Server) { s.clients[id] = &apiClient{secret: secret, scopes: scopes} }
}

// WithoutDefaultClient forgets the default client, so only clients from [WithClient] exist.
func WithoutDefaultClient() Option { return func(s *Server) { delete(s.clients, DefaultClientID) } }

// WithBareArrayLists answers list calls with a bare JSON array, as the vendor page words it,
// instead of the {data, meta} envelope.
func WithBareArrayLists() Option { return func(s *Server) { s.bare = true } }

// WithWebhookEndpoint delivers payment.received and invoice.paid events, signed with secret, to
// url (see [Server.Deliveries]). It may be given several times. Deliveries are made
// synchronously, before the call that caused them returns, and their timestamp is the fake's
// clock: with WithClock, give the receiving webhook.Handler the same clock (webhook.WithClock),
// or it refuses them as too old.
func WithWebhookEndpoint(url, secret string) Option {
	return func(s *Server) { s.hooks = append(s.hooks, hookEndpoint{url: url, secret: secret}) }
}

// New starts a fake on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		clock:      fake.RealClock{},
		ttl:        DefaultTokenTTL,
		clients:    map[string]*apiClient{DefaultClientID: {secret: DefaultClientSecret, scopes: []string{clinic.ScopeBillingRead, clinic.ScopeBillingWrite}}},
		tokens:     map[string]*token{},
		invoices:   map[string]*invoice{},
		hookClient: &http.Client{Timeout: 10 * time.Second},
	}
	for _, o := range opts {
		o(s)
	}
	spec, err := oapiserver.GetSpec()
	if err != nil {
		panic("clinictest: embedded spec: " + err.Error())
	}
	s.indexScopes(spec)
	validate, err := fake.NewValidator(spec, s.validationError)
	if err != nil {
		panic("clinictest: " + err.Error())
	}
	strict := oapiserver.NewStrictHandlerWithOptions(&handlers{s}, nil, oapiserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, "validation_error", err.Error())
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusInternalServerError, "internal_error", err.Error())
		},
	})
	api := oapiserver.HandlerWithOptions(strict, oapiserver.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, "validation_error", err.Error())
		},
	})
	s.srv = fake.NewServer(s.authenticate(validate(api)))
	return s
}

// indexScopes reads the scopes each operation requires from the spec, so the fake enforces what
// the spec declares rather than a copy of it.
func (s *Server) indexScopes(spec *openapi3.T) {
	doc := *spec
	doc.Servers = nil
	rt, err := gorillamux.NewRouter(&doc)
	if err != nil {
		panic("clinictest: router: " + err.Error())
	}
	s.router = rt
	s.scopes = map[*openapi3.Operation][]string{}
	for _, item := range spec.Paths.Map() {
		for _, op := range item.Operations() {
			reqs := spec.Security
			if op.Security != nil {
				reqs = *op.Security
			}
			s.scopes[op] = nil
			for _, req := range reqs {
				for _, scopes := range req {
					s.scopes[op] = append(s.scopes[op], scopes...)
				}
			}
		}
	}
}

// URL is the base URL (http://127.0.0.1:port); pass it to polybill.WithBaseURL.
func (s *Server) URL() string { return s.srv.URL() }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Faults is the fault injector: queued faults hit the next matching requests.
func (s *Server) Faults() *Faults { return s.srv.Faults() }

// Requests counts the requests that reached the server, token requests included.
func (s *Server) Requests() int64 { return s.srv.Requests() }

// ClientOptions returns the options that point a clinic.Client at this fake with the default
// client's credentials.
func (s *Server) ClientOptions() []clinic.Option {
	return []clinic.Option{polybill.WithBaseURL(s.URL()), clinic.WithClientCredentials(DefaultClientID, DefaultClientSecret)}
}

// TokensIssued counts the access tokens the token endpoint has handed out.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokensIssue
}

// RevokeTokens invalidates every issued token (as a secret rotation would); the next call with
// an old token answers 401.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]*token{}
}

func (s *Server) now() time.Time { return s.clock.Now().In(IST) }

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "bk_" + hex.EncodeToString(b)
}

// authenticate answers 401 for a missing, unknown or expired token and 403 for a token without
// the operation's scope, in the vendor's error shape, before the request is validated.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, _, err := s.router.FindRoute(r)
		if err != nil {
			next.ServeHTTP(w, r) // the validator answers 404/405 in the vendor's shape
			return
		}
		need := s.scopes[route.Operation]
		if route.Operation.Security != nil && len(*route.Operation.Security) == 0 {
			next.ServeHTTP(w, r) // the token endpoint
			return
		}
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		tok := s.tokens[bearer]
		now := s.clock.Now()
		s.mu.Unlock()
		switch {
		case !ok || bearer == "":
			writeError(w, http.StatusUnauthorized, "unauthorized", "Missing bearer token.")
			return
		case tok == nil:
			writeError(w, http.StatusUnauthorized, "unauthorized", "Invalid access token.")
			return
		case !now.Before(tok.expires):
			writeError(w, http.StatusUnauthorized, "unauthorized", "Access token expired.")
			return
		}
		for _, scope := range need {
			if !contains(tok.scopes, scope) {
				writeError(w, http.StatusForbidden, "insufficient_scope", "This operation requires the "+scope+" scope.")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
