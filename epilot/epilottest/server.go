// Package epilottest is an in-process, stateful fake of the epilot Billing API for tests.
//
// It serves all 14 operations from the same OpenAPI spec the SDK is built from: every request
// is validated against it (a body that breaks the schema gets 422, a bad query 400, both in
// the API's {error, message} shape), billing events and contracts live in memory, the events
// list filters and pages like the API (from/size with `hits`), events can be looked up by
// external_id, the customer balance is computed from the events of the customer's contracts,
// and changing a contract's installment_amount records configuration history.
//
// Use it in your own tests:
//
//	srv := epilottest.New()
//	defer srv.Close()
//	client, err := epilot.New(srv.ClientOptions()...)
//
// Faults (status codes, Retry-After, connection resets before or after a write committed,
// latency, truncated or malformed bodies, a gateway 504 whose write commits later) are injected
// with srv.Faults().Add(epilottest.Fault{…}).
//
// Vendor assumptions the fake encodes (the real API does not document them): a contract
// belongs to a customer through a `customer` relation and to a billing account through a
// `billing_account` relation; `direction` is inferred from `type` when omitted (debit for
// installment, dunning_fee, invoice, final_bill and custom kinds; credit for payment,
// reimbursement, bonus and correction); the balance is the sum of debits minus credits in
// minor units; the API does not deduplicate creates by external_id.
package epilottest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/internal/oapiserver"
	"github.com/polybill/polybill-go/internal/fake"
)

// Fault injection and clocks, re-exported so tests can name them.
type (
	// Faults is the fault queue of a server.
	Faults = fake.Faults
	// Clock tells the fake what time it is.
	Clock = fake.Clock
	// ManualClock is a clock that moves only when told to.
	ManualClock = fake.ManualClock
)

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return fake.NewManualClock(t) }

// DefaultToken is the bearer token the fake accepts unless WithToken sets another.
const DefaultToken = "epilottest-token"

// Option configures a Server.
type Option func(*Server)

// WithToken makes the fake accept only this bearer token.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithClock sets the clock used for _created_at, _updated_at and history timestamps.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithOrg sets the organization id stamped on entities (_org, org_id).
func WithOrg(org string) Option { return func(s *Server) { s.org = org } }

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	srv   *fake.Server
	token string
	clock Clock
	org   string
	spec  *openapi3.T

	mu        sync.Mutex
	events    []entity // creation order
	contracts []entity // creation order
	history   []entity
}

// entity is a stored JSON object; values stay raw so unknown properties round-trip byte for byte.
type entity map[string]json.RawMessage

func (e entity) str(key string) string {
	var s string
	_ = json.Unmarshal(e[key], &s)
	return s
}

func (e entity) int64(key string) (int64, bool) {
	v, ok := e[key]
	if !ok {
		return 0, false
	}
	var n int64
	if err := json.Unmarshal(v, &n); err != nil {
		return 0, false
	}
	return n, true
}

func (e entity) relationIDs(key string) []string {
	var rel struct {
		Items []struct {
			EntityID string `json:"entity_id"`
		} `json:"$relation"`
	}
	_ = json.Unmarshal(e[key], &rel)
	ids := make([]string, 0, len(rel.Items))
	for _, it := range rel.Items {
		if it.EntityID != "" {
			ids = append(ids, it.EntityID)
		}
	}
	return ids
}

func (e entity) set(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	e[key] = b
}

func (e entity) clone() entity {
	c := make(entity, len(e))
	for k, v := range e {
		c[k] = v
	}
	return c
}

func (e entity) json() json.RawMessage {
	b, err := marshalVerbatim(map[string]json.RawMessage(e))
	if err != nil {
		panic(err)
	}
	return b
}

// marshalVerbatim is json.Marshal without HTML escaping, so stored raw values ("<", "&")
// go back to the client exactly as they came.
func marshalVerbatim(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// New starts a fake on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{token: DefaultToken, clock: fake.RealClock{}, org: "739224"}
	for _, o := range opts {
		o(s)
	}
	spec, err := oapiserver.GetSpec()
	if err != nil {
		panic(fmt.Sprintf("epilottest: embedded spec: %v", err))
	}
	s.spec = spec
	validate, err := fake.NewValidator(spec, s.validationError)
	if err != nil {
		panic(fmt.Sprintf("epilottest: validator: %v", err))
	}
	var _ oapiserver.StrictServerInterface = (*handlers)(nil)
	strict := oapiserver.NewStrictHandlerWithOptions(&handlers{s}, nil, oapiserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, err.Error())
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusInternalServerError, err.Error())
		},
	})
	api := oapiserver.HandlerWithOptions(strict, oapiserver.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, err.Error())
		},
	})
	s.srv = fake.NewServer(s.authenticate(validate(keepRequest(api))))
	return s
}

// URL is the base URL to give the client (polybill.WithBaseURL).
func (s *Server) URL() string { return s.srv.URL() }

// ClientOptions are the options that point an epilot client at this fake with its token:
//
//	client, err := epilot.New(srv.ClientOptions()...)
func (s *Server) ClientOptions() []epilot.Option {
	return []epilot.Option{polybill.WithBaseURL(s.URL()), epilot.WithToken(s.token)}
}

// Token is the bearer token the fake accepts.
func (s *Server) Token() string { return s.token }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Faults is the server's fault queue.
func (s *Server) Faults() *Faults { return s.srv.Faults() }

// Requests counts the HTTP requests that reached the server, faulted ones included.
func (s *Server) Requests() int64 { return s.srv.Requests() }

// AddEvent stores a billing event as given (no validation), filling _id, _org, _schema and
// the timestamps when absent. It returns the event's id.
func (s *Server) AddEvent(event json.RawMessage) (string, error) {
	e, err := parseEntity(event)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stamp(e, "billing_event")
	s.events = append(s.events, e)
	return e.str("_id"), nil
}

// AddContract stores a contract as given (no validation) and returns its id.
func (s *Server) AddContract(contract json.RawMessage) (string, error) {
	e, err := parseEntity(contract)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stamp(e, "contract")
	s.contracts = append(s.contracts, e)
	return e.str("_id"), nil
}

// AddHistoryRow stores a configuration history row as given, e.g. a contract_pricing_changed
// row (the fake records installment_amount_changed rows itself when a contract's
// installment_amount changes).
func (s *Server) AddHistoryRow(row json.RawMessage) error {
	e, err := parseEntity(row)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history = append(s.history, e)
	return nil
}

// Events returns every stored event as JSON, in creation order.
func (s *Server) Events() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]json.RawMessage, len(s.events))
	for i, e := range s.events {
		out[i] = e.json()
	}
	return out
}

// Contracts returns every stored contract as JSON, in creation order.
func (s *Server) Contracts() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]json.RawMessage, len(s.contracts))
	for i, e := range s.contracts {
		out[i] = e.json()
	}
	return out
}

func parseEntity(raw json.RawMessage) (entity, error) {
	var e entity
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("epilottest: not a JSON object: %w", err)
	}
	if e == nil {
		return nil, errors.New("epilottest: not a JSON object")
	}
	return e, nil
}

// stamp fills the entity fields the API sets. Called with s.mu held.
func (s *Server) stamp(e entity, schema string) {
	now := s.clock.Now().UTC().Format(time.RFC3339Nano)
	if e.str("_id") == "" {
		e.set("_id", newID())
	}
	if _, ok := e["_org"]; !ok {
		e.set("_org", s.org)
	}
	if _, ok := e["_schema"]; !ok {
		e.set("_schema", schema)
	}
	if _, ok := e["_created_at"]; !ok {
		e.set("_created_at", now)
	}
	e.set("_updated_at", now)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// writeError answers in the API's error shape {error, message}.
func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": http.StatusText(status), "message": message})
}

// authenticate requires "Authorization: Bearer <token>", like the API's EpilotAuth scheme.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" || tok != s.token {
			writeError(w, http.StatusUnauthorized, "Missing or invalid authorization token.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// validationError maps the validator's verdict to the API's answers: schema violations in a
// body are 422 Unprocessable Entity (as the vendor spec's examples show), other request
// errors 400, unknown routes 404.
func (s *Server) validationError(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status == http.StatusBadRequest {
		var re *openapi3filter.RequestError
		if errors.As(err, &re) && re.RequestBody != nil {
			status = http.StatusUnprocessableEntity
		}
	}
	writeError(w, status, "Validation failed: "+err.Error())
}

type requestKey struct{}

// keepRequest gives handlers the raw request: the strict server's bound types would turn
// unknown properties into float64s, while the fake must keep them byte for byte.
func keepRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body)))
		}
		ctx := context.WithValue(r.Context(), requestKey{}, &rawRequest{r: r, body: body})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type rawRequest struct {
	r    *http.Request
	body []byte
}

func requestFrom(ctx context.Context) *rawRequest {
	rr, _ := ctx.Value(requestKey{}).(*rawRequest)
	return rr
}
