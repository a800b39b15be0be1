// Package fake is the shared machinery of the in-process fakes: a loopback test server,
// fault injection, request validation against the OpenAPI spec, response validation for
// tests, and clocks. The exported <api>test packages build on it and re-export its types.
package fake

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

//go:generate go run ../cmd/genfaultdoc -fake faults.go -root ../..

// FaultHeader marks every response a fault produced (its value is the fault's kind), so
// response validation in tests can tell injected answers from the fake's own.
const FaultHeader = "X-Fake-Fault"

// Fault is one injected failure. The zero Fault with a Status answers that status once.
type Fault struct {
	// Match selects the requests the fault applies to; nil matches every request.
	Match func(r *http.Request) bool
	// Times is how many matching requests the fault hits: 0 means once, -1 forever.
	Times int

	// Status answers with this status (and Body, Header, RetryAfter) without running the
	// handler: nothing is committed.
	Status int
	// Body is the body of the Status answer, sent as is.
	Body string
	// Header adds headers to the Status answer.
	Header http.Header
	// RetryAfter is the Retry-After header of the Status answer: seconds ("2") or an HTTP date.
	RetryAfter string

	// ResetBeforeHandler closes the connection before the handler runs: the client sees a
	// reset, the server committed nothing.
	ResetBeforeHandler bool
	// ResetAfterHandler runs the handler (the write commits) and then closes the connection
	// without answering: the client cannot know the write happened.
	ResetAfterHandler bool
	// Latency delays the request before anything else happens.
	Latency time.Duration
	// TruncateBody runs the handler and sends only the first half of its body, then closes.
	TruncateBody bool
	// MalformedBody runs the handler and replaces its body with invalid JSON.
	MalformedBody bool
	// SlowBody runs the handler and sends its body in small chunks this far apart.
	SlowBody time.Duration
}

// Kind names the fault for counting.
func (f Fault) Kind() string {
	switch {
	case f.ResetBeforeHandler:
		return "reset_before"
	case f.ResetAfterHandler:
		return "reset_after"
	case f.TruncateBody:
		return "truncated_body"
	case f.MalformedBody:
		return "malformed_body"
	case f.SlowBody > 0:
		return "slow_body"
	case f.Status != 0:
		return "status_" + strconv.Itoa(f.Status)
	case f.Latency > 0:
		return "latency"
	}
	return "none"
}

// Faults is a thread-safe queue of faults applied to incoming requests in order.
type Faults struct {
	mu       sync.Mutex
	faults   []*entry
	injected map[string]int
	random   func(r *http.Request) *Fault
}

type entry struct {
	Fault
	left int
}

// Add queues a fault.
func (fs *Faults) Add(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = 1
	}
	fs.faults = append(fs.faults, &entry{Fault: f, left: left})
}

// SetRandom installs a function consulted for every request no queued fault matched; it
// returns the fault to inject or nil (chaos runs).
func (fs *Faults) SetRandom(pick func(r *http.Request) *Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.random = pick
}

// Clear removes every queued fault and the random picker.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults, fs.random = nil, nil
}

// Injected counts the faults injected so far by kind.
func (fs *Faults) Injected() map[string]int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make(map[string]int, len(fs.injected))
	for k, v := range fs.injected {
		out[k] = v
	}
	return out
}

func (fs *Faults) next(r *http.Request) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var picked *Fault
	for i, e := range fs.faults {
		if e.Match != nil && !e.Match(r) {
			continue
		}
		f := e.Fault
		picked = &f
		if e.left > 0 {
			e.left--
			if e.left == 0 {
				fs.faults = append(fs.faults[:i], fs.faults[i+1:]...)
			}
		}
		break
	}
	if picked == nil && fs.random != nil {
		picked = fs.random(r)
	}
	if picked != nil {
		if fs.injected == nil {
			fs.injected = map[string]int{}
		}
		fs.injected[picked.Kind()]++
	}
	return picked
}

// Wrap applies the queued faults in front of h.
func (fs *Faults) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := fs.next(r)
		if f == nil {
			h.ServeHTTP(w, r)
			return
		}
		if f.Latency > 0 {
			select {
			case <-time.After(f.Latency):
			case <-r.Context().Done():
				return
			}
		}
		switch {
		case f.ResetBeforeHandler:
			reset(w)
		case f.ResetAfterHandler:
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
			reset(w)
		case f.TruncateBody, f.MalformedBody, f.SlowBody > 0:
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			writeDamaged(w, rec, *f)
		case f.Status != 0:
			for k, v := range f.Header {
				w.Header()[k] = v
			}
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			if w.Header().Get("Content-Type") == "" {
				w.Header().Set("Content-Type", "application/json")
			}
			w.Header().Set(FaultHeader, f.Kind())
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// reset closes the client's connection abruptly (RST), without a response.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fake: response writer cannot hijack; the fault needs a real connection")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func writeDamaged(w http.ResponseWriter, rec *httptest.ResponseRecorder, f Fault) {
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set(FaultHeader, f.Kind())
	switch {
	case f.MalformedBody:
		bad := []byte(`{"data": [{"id": 1,`)
		w.Header().Set("Content-Length", strconv.Itoa(len(bad)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(bad)
	case f.TruncateBody:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("fake: response writer cannot hijack")
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		writeRawHead(buf, rec, len(body))
		_, _ = buf.Write(body[:len(body)/2])
		_ = buf.Flush()
	case f.SlowBody > 0:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		fl, _ := w.(http.Flusher)
		for len(body) > 0 {
			n := min(len(body), 64)
			_, _ = w.Write(body[:n])
			body = body[n:]
			if fl != nil {
				fl.Flush()
			}
			time.Sleep(f.SlowBody)
		}
	}
}

// writeRawHead writes a status line and headers promising length bytes of body.
func writeRawHead(buf *bufio.ReadWriter, rec *httptest.ResponseRecorder, length int) {
	_, _ = buf.WriteString("HTTP/1.1 " + strconv.Itoa(rec.Code) + " " + http.StatusText(rec.Code) + "\r\n")
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(length))
	h.Set(FaultHeader, "truncated_body")
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
}
