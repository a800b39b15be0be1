// Package clientfuzz is the shared machinery of the per-API fuzz targets over the public
// clients' decoding (issue 13 Deliver 6): a loopback server that answers with the body under
// test, a recorder that collects the bodies a fake really sends (the seeds), and the
// properties every target holds.
package clientfuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	polybill "github.com/polybill/polybill-go"
)

// Server answers every request with Body and status 200, except the paths of Fixed (a token
// endpoint), which get their own body.
type Server struct {
	*httptest.Server
	Fixed map[string]string

	mu   sync.Mutex
	body []byte
}

// NewServer starts a loopback server, closed when tb ends.
func NewServer(tb testing.TB, fixed map[string]string) *Server {
	s := &Server{Fixed: fixed}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// Serve makes body the answer to every later request.
func (s *Server) Serve(body []byte) {
	s.mu.Lock()
	s.body = body
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	if b, ok := s.Fixed[r.URL.Path]; ok {
		_, _ = io.WriteString(w, b)
		return
	}
	s.mu.Lock()
	body := s.body
	s.mu.Unlock()
	_, _ = w.Write(body)
}

// Recorder is a RoundTripper that keeps every 2xx response body it passes on, as seeds.
type Recorder struct {
	Next http.RoundTripper

	mu     sync.Mutex
	bodies [][]byte
}

// RoundTrip implements http.RoundTripper.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.Next.RoundTrip(req)
	if err != nil || resp.StatusCode/100 != 2 {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	r.mu.Lock()
	if len(b) > 0 {
		r.bodies = append(r.bodies, b)
	}
	r.mu.Unlock()
	return resp, nil
}

// Seed adds every recorded body to f's corpus (for a target taking one []byte), and returns
// how many.
func (r *Recorder) Seed(f *testing.F) int {
	bodies := r.Bodies()
	for _, b := range bodies {
		f.Add(b)
	}
	return len(bodies)
}

// Bodies returns the recorded bodies.
func (r *Recorder) Bodies() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// Check holds the properties of one call that read body from a 2xx answer: a body that is not
// JSON is an error, never a value (value is the call's result, nil-able); every error is a
// *polybill.Error. Never panicking is the fuzz engine's own check.
func Check[T any](t *testing.T, body []byte, value *T, err error) {
	t.Helper()
	if err != nil {
		var pe *polybill.Error
		if !errors.As(err, &pe) {
			t.Fatalf("not a *polybill.Error: %T %v", err, err)
		}
		if value != nil {
			t.Fatalf("an error and a value: %v", err)
		}
		return
	}
	if !json.Valid(body) {
		t.Fatalf("a 2xx body that is not JSON gave a value: %q", body)
	}
}

// CheckErr is Check for calls whose value is not a pointer (a slice, an interface).
func CheckErr(t *testing.T, body []byte, err error) {
	t.Helper()
	Check[struct{}](t, body, nil, err)
}
