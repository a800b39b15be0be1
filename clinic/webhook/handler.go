package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// DefaultMaxBodyBytes bounds a delivery's body. Billing events are small; anything larger is
// refused before the HMAC is computed.
const DefaultMaxBodyBytes = 1 << 20

// DefaultTolerance is how old a delivery's signed timestamp may be before [Handler] refuses it
// as a replay. Bio Ecko signs only the body, so the envelope's timestamp is the only signed
// clock a receiver has. The vendor documents neither its retry schedule nor whether a
// redelivery keeps the event's timestamp, so the window is an hour rather than the 5 minutes
// of APIs that sign the delivery time: long enough for the first retries of common schedules
// (seconds, 5 and 30 minutes), short enough that a de-duplication store need only remember an
// hour of deliveries. A delivery refused as too old must be recovered by reading the API.
const DefaultTolerance = time.Hour

// DefaultClockSkew is how far in the future a delivery's timestamp may be: the sender's and
// the receiver's clocks differ.
const DefaultClockSkew = 5 * time.Minute

// DefaultDedupCapacity bounds the in-memory de-duplication store.
const DefaultDedupCapacity = 100_000

// HandlerFunc handles one verified, de-duplicated delivery. Returning an error answers 500 so Bio
// Ecko redelivers, and the delivery is not marked as seen.
type HandlerFunc func(ctx context.Context, e *Event) error

// Deduper remembers the deliveries already claimed, so a delivery is handled once even when it
// is sent again. Implement it over a store your replicas share (Redis SET NX with an expiry,
// a SQL table with a unique key) when several processes receive webhooks, or when a restart
// must not forget; [NewMemoryDeduper], the default, suits a single process.
//
// A delivery is claimed before the HandlerFunc runs, so two concurrent copies are never both
// handled. The price: when a process dies between Claim and Release, the claim stays until
// its ttl and redeliveries are acknowledged as duplicates; a handler that must not miss one
// records its own completion (and a shared store may give claims a shorter lease).
type Deduper interface {
	// Claim records key and reports whether it was new (true: handle the delivery now). It
	// must be atomic: of two concurrent claims of one key, one wins. The key may be forgotten
	// after ttl (Redis: SET key NX PX ttl), when the delivery is refused as too old anyway. An
	// error answers 500 and the sender retries.
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release forgets a claim whose handling failed, so a redelivery is handled.
	Release(ctx context.Context, key string) error
}

// HandlerOption configures [NewHandler].
type HandlerOption func(*Handler) error

// WithMaxBodyBytes sets the body limit (default [DefaultMaxBodyBytes]); n must be positive.
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(h *Handler) error {
		if n <= 0 {
			return invalid("WithMaxBodyBytes", "must be positive, got %d", n)
		}
		h.maxBody = n
		return nil
	}
}

// WithDeduper replaces the in-memory de-duplication store (see [Deduper]); d must not be nil.
func WithDeduper(d Deduper) HandlerOption {
	return func(h *Handler) error {
		if d == nil {
			return invalid("WithDeduper", "is nil")
		}
		h.dedup = d
		return nil
	}
}

// WithTolerance sets how old a delivery's timestamp may be (default [DefaultTolerance]); d
// must be positive. A shared [Deduper] must remember deliveries at least this long.
func WithTolerance(d time.Duration) HandlerOption {
	return func(h *Handler) error {
		if d <= 0 {
			return invalid("WithTolerance", "must be positive, got %s", d)
		}
		h.tolerance = d
		return nil
	}
}

// WithClockSkew sets how far in the future a delivery's timestamp may be (default
// [DefaultClockSkew]); d must not be negative.
func WithClockSkew(d time.Duration) HandlerOption {
	return func(h *Handler) error {
		if d < 0 {
			return invalid("WithClockSkew", "must not be negative, got %s", d)
		}
		h.skew = d
		return nil
	}
}

// WithClock sets the clock the timestamps are checked against (default time.Now), for tests
// whose fake runs on a manual clock.
func WithClock(now func() time.Time) HandlerOption {
	return func(h *Handler) error {
		if now == nil {
			return invalid("WithClock", "is nil")
		}
		h.now = now
		return nil
	}
}

// Handler is an http.Handler that receives Bio Ecko webhooks: it bounds the body, verifies the
// signature over the raw bytes, decodes the envelope, refuses a delivery whose signed timestamp
// is outside the tolerance, drops duplicates and calls the HandlerFunc.
type Handler struct {
	secrets   []string
	handle    HandlerFunc
	maxBody   int64
	dedup     Deduper
	tolerance time.Duration
	skew      time.Duration
	now       func() time.Time
}

// NewHandler returns a Handler verifying with any of secrets (several during a rotation). It
// refuses deliveries older than [DefaultTolerance] and de-duplicates in memory
// ([NewMemoryDeduper] with [DefaultDedupCapacity]) unless options say otherwise.
//
// It refuses, with a *polybill.Error matching polybill.ErrValidation whose Param names the
// argument, an empty secret list, an empty secret (os.Getenv of an unset variable) and a nil
// fn: such a handler would refuse every delivery or panic on the first.
func NewHandler(secrets []string, fn HandlerFunc, opts ...HandlerOption) (*Handler, error) {
	if len(secrets) == 0 {
		return nil, invalid("secrets", "no secret given: deliveries could never verify")
	}
	for i, s := range secrets {
		if s == "" {
			return nil, invalid(fmt.Sprintf("secrets[%d]", i), "is empty (an unset environment variable?)")
		}
	}
	if fn == nil {
		return nil, invalid("fn", "the HandlerFunc is nil")
	}
	h := &Handler{
		secrets:   append([]string(nil), secrets...),
		handle:    fn,
		maxBody:   DefaultMaxBodyBytes,
		tolerance: DefaultTolerance,
		skew:      DefaultClockSkew,
		now:       time.Now,
	}
	for i, o := range opts {
		if o == nil {
			return nil, invalid(fmt.Sprintf("opts[%d]", i), "is nil")
		}
		if err := o(h); err != nil {
			return nil, err
		}
	}
	if h.dedup == nil {
		h.dedup = NewMemoryDeduper(DefaultDedupCapacity)
	}
	return h, nil
}

func invalid(param, format string, args ...any) *polybill.Error {
	return transport.InvalidParam("clinic", param, "webhook: "+format, args...)
}

// ServeHTTP answers 405 for non-POST, 413 for an oversized body, 401 for a bad signature, 400 for
// an undecodable envelope or a timestamp outside the tolerance (a replay), 200 for a duplicate
// (so the sender stops), 500 when the HandlerFunc or the Deduper fails and 204 when it succeeds.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if err := Verify(body, r.Header.Get(SignatureHeader), h.secrets...); err != nil {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	e, err := Parse(body)
	if err != nil {
		http.Error(w, "invalid envelope", http.StatusBadRequest)
		return
	}
	if err := e.CheckTime(h.now(), h.tolerance, h.skew); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := e.DedupKey()
	// Remember it until CheckTime would refuse it: tolerance past its timestamp.
	first, err := h.dedup.Claim(r.Context(), key, e.Timestamp.Add(h.tolerance).Sub(h.now())+time.Second)
	if err != nil {
		http.Error(w, "de-duplication store failed", http.StatusInternalServerError)
		return
	}
	if !first {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := h.handle(r.Context(), e); err != nil {
		// The sender retries after the 500; a failed Release leaves the key claimed, so that
		// retry is taken for a duplicate: say so rather than hide it.
		if rerr := h.dedup.Release(context.WithoutCancel(r.Context()), key); rerr != nil {
			http.Error(w, "handler failed; de-duplication store failed to release the delivery", http.StatusInternalServerError)
			return
		}
		http.Error(w, "handler failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// NewMemoryDeduper returns a Deduper for one process. It remembers each claimed delivery for
// its ttl (the rest of its tolerance window), so a replay inside the window is caught however many
// deliveries came in between, and holds at most capacity keys: when that many deliveries fall
// inside one window it forgets the oldest claims first (size capacity above your peak
// deliveries per window). It forgets everything on restart and is not shared between replicas:
// use a shared [Deduper] for those.
func NewMemoryDeduper(capacity int) Deduper {
	if capacity <= 0 {
		capacity = 1
	}
	return &memoryDeduper{capacity: capacity, until: map[string]time.Time{}, now: time.Now}
}

type memoryDeduper struct {
	mu       sync.Mutex
	capacity int
	now      func() time.Time
	until    map[string]time.Time // key -> when it may be forgotten
	order    []string             // claimed keys, oldest claim first
}

func (m *memoryDeduper) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	keepUntil := now.Add(ttl)
	if u, ok := m.until[key]; ok && now.Before(u) {
		return false, nil
	}
	// Drop expired and over-capacity claims from the front. A key released or re-claimed
	// earlier may appear in order more than once: only its current entry counts.
	for len(m.order) > 0 {
		k := m.order[0]
		u, ok := m.until[k]
		if ok && now.Before(u) && len(m.until) < m.capacity {
			break
		}
		if ok && (!now.Before(u) || len(m.until) >= m.capacity) {
			delete(m.until, k)
		}
		m.order = m.order[1:]
	}
	m.until[key] = keepUntil
	m.order = append(m.order, key)
	return true, nil
}

func (m *memoryDeduper) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.until, key)
	return nil
}
