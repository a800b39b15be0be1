package fake

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Bodies records the body of every request a client sends, as the server receives it, for
// tests that pin the exact bytes of a request: install Middleware with polybill.WithMiddleware.
// Requests whose path ends with one of Skip (a token or login endpoint) are not recorded.
type Bodies struct {
	Skip []string

	mu  sync.Mutex
	got []string
}

// Middleware records the request's body and passes the request on unchanged.
func (b *Bodies) Middleware(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if req.Body == nil || slices.ContainsFunc(b.Skip, func(s string) bool { return strings.HasSuffix(req.URL.Path, s) }) {
		return next(req)
	}
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	b.mu.Lock()
	b.got = append(b.got, string(raw))
	b.mu.Unlock()
	return next(req)
}

// All returns the bodies recorded so far, oldest first.
func (b *Bodies) All() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.got)
}

// Last returns the body recorded last ("" when none).
func (b *Bodies) Last() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.got) == 0 {
		return ""
	}
	return b.got[len(b.got)-1]
}

// Reset forgets the bodies recorded so far.
func (b *Bodies) Reset() {
	b.mu.Lock()
	b.got = nil
	b.mu.Unlock()
}
