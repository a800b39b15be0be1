package fake

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// Server is a fake API listening on a loopback port, with fault injection in front of its
// handler.
type Server struct {
	srv      *httptest.Server
	faults   *Faults
	requests atomic.Int64
}

// NewServer starts h on 127.0.0.1 behind a fault injector.
func NewServer(h http.Handler) *Server {
	s := &Server{faults: &Faults{}}
	faulty := s.faults.Wrap(h)
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		faulty.ServeHTTP(w, r)
	})
	s.srv = httptest.NewServer(counted)
	return s
}

// URL is the server's base URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.srv.URL }

// Client returns an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Faults returns the server's fault injector.
func (s *Server) Faults() *Faults { return s.faults }

// Requests counts the requests that reached the server (faulted ones included).
func (s *Server) Requests() int64 { return s.requests.Load() }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }
