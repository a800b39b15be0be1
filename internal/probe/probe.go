// Package probe is test support shared by the four API packages: a middleware that records
// what each API call's attempt sends, for tests that compare the requests of two runs (the
// List methods' TestListCopiesParams).
package probe

import (
	"net/http"
	"sync"

	polybill "github.com/polybill/polybill-go"
)

// Header is the request header a test sets (polybill.WithHeader(probe.Header, …)) to see
// which request options an attempt carried.
const Header = "X-Probe"

// Recorder records the raw query and the Header value of every API call's attempt. A token
// request carries no polybill.CallInfo and is left out. The zero value is ready to use.
type Recorder struct {
	mu       sync.Mutex
	requests []string
}

// Option is the middleware that records into r.
func (r *Recorder) Option() polybill.Option {
	return polybill.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		if _, ok := polybill.CallInfoFrom(req.Context()); ok {
			r.mu.Lock()
			r.requests = append(r.requests, req.URL.RawQuery+" probe="+req.Header.Get(Header))
			r.mu.Unlock()
		}
		return next(req)
	})
}

// Take returns what was recorded since the last Take, each as "<raw query> probe=<Header>",
// and starts over.
func (r *Recorder) Take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.requests
	r.requests = nil
	return got
}
