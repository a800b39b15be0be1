package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
)

// DefaultMaxBodyBytes bounds a delivery's body. Billing events are small; anything larger is
// refused before the HMAC is computed.
const DefaultMaxBodyBytes = 1 << 20

// HandlerFunc handles one verified, de-duplicated delivery. Returning an error answers 500 so Bio
// Ecko redelivers, and the delivery is not marked as seen.
type HandlerFunc func(ctx context.Context, e *Event) error

// Deduper remembers deliveries already handled. Implement it over a shared store (Redis, SQL)
// when several replicas receive webhooks; [NewMemoryDeduper] suits a single process.
type Deduper interface {
	// Begin reports whether the delivery with key should be handled now; false when it was
	// handled before or is being handled by another request.
	Begin(key string) bool
	// End records the outcome of a delivery for which Begin returned true: handled=true marks it
	// done, handled=false forgets it so a redelivery is handled.
	End(key string, handled bool)
}

// HandlerOption configures [NewHandler].
type HandlerOption func(*Handler)

// WithMaxBodyBytes sets the body limit (default [DefaultMaxBodyBytes]).
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(h *Handler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// WithDeduper replaces the in-memory de-duplication (a nil Deduper turns it off).
func WithDeduper(d Deduper) HandlerOption { return func(h *Handler) { h.dedup = d } }

// Handler is an http.Handler that receives Bio Ecko webhooks: it bounds the body, verifies the
// signature over the raw bytes, decodes the envelope, drops duplicates and calls the HandlerFunc.
type Handler struct {
	secrets []string
	handle  HandlerFunc
	maxBody int64
	dedup   Deduper
}

// NewHandler returns a Handler verifying with any of secrets (several during a rotation). It
// de-duplicates in memory (the last 10,000 deliveries) unless [WithDeduper] says otherwise.
func NewHandler(secrets []string, fn HandlerFunc, opts ...HandlerOption) *Handler {
	h := &Handler{
		secrets: append([]string(nil), secrets...),
		handle:  fn,
		maxBody: DefaultMaxBodyBytes,
		dedup:   NewMemoryDeduper(10000),
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// ServeHTTP answers 405 for non-POST, 413 for an oversized body, 401 for a bad signature, 400 for
// an undecodable envelope, 200 for a duplicate (so the sender stops), 500 when the HandlerFunc
// fails and 204 when it succeeds.
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
	key := e.DedupKey()
	if h.dedup != nil && !h.dedup.Begin(key) {
		w.WriteHeader(http.StatusOK)
		return
	}
	err = h.handle(r.Context(), e)
	if h.dedup != nil {
		h.dedup.End(key, err == nil)
	}
	if err != nil {
		http.Error(w, "handler failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// NewMemoryDeduper remembers up to capacity handled deliveries, forgetting the oldest first.
func NewMemoryDeduper(capacity int) Deduper {
	if capacity <= 0 {
		capacity = 1
	}
	return &memoryDeduper{capacity: capacity, state: map[string]bool{}}
}

type memoryDeduper struct {
	mu       sync.Mutex
	capacity int
	state    map[string]bool // false: in flight, true: handled
	order    []string        // handled keys, oldest first
}

func (m *memoryDeduper) Begin(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.state[key]; ok {
		return false
	}
	m.state[key] = false
	return true
}

func (m *memoryDeduper) End(key string, handled bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !handled {
		delete(m.state, key)
		return
	}
	m.state[key] = true
	m.order = append(m.order, key)
	for len(m.order) > m.capacity {
		delete(m.state, m.order[0])
		m.order = m.order[1:]
	}
}
