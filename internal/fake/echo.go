package fake

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	polybill "github.com/polybill/polybill-go"
)

// CredentialEcho is a middleware standing in for a hostile or careless server that echoes
// every request header value (credentials included) into X-Request-Id, followed by a terminal
// escape sequence, a forged log line and padding: what reaches an error or a log from that header
// must be scrubbed and bounded. Seen returns the credential values the requests carried, to
// assert that none of them leaked.
type CredentialEcho struct {
	mu   sync.Mutex
	seen []string
}

// Middleware returns the echoing middleware.
func (e *CredentialEcho) Middleware() polybill.Middleware {
	return func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		var values []string
		for k, vs := range req.Header {
			for _, v := range vs {
				values = append(values, v)
				if k == "Authorization" || strings.Contains(strings.ToLower(k), "key") || k == "Appid" {
					e.mu.Lock()
					e.seen = append(e.seen, strings.TrimPrefix(v, "Bearer "))
					e.mu.Unlock()
				}
			}
		}
		resp, err := next(req)
		if err != nil {
			return resp, err
		}
		resp.Header.Set("X-Request-Id", strings.Join(values, " ")+" \x1b[2J\r\nforged: line "+strings.Repeat("x", 512))
		return resp, nil
	}
}

// Seen returns the credential header values sent so far (bearer prefix removed).
func (e *CredentialEcho) Seen() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

// Leaks returns the credentials sent so far that appear in any of texts.
func (e *CredentialEcho) Leaks(texts ...string) []string {
	var leaked []string
	for _, s := range e.Seen() {
		for _, text := range texts {
			if s != "" && strings.Contains(text, s) {
				leaked = append(leaked, s)
				break
			}
		}
	}
	return leaked
}

// Problems checks what a call whose server echoed credentials in X-Request-Id left behind:
// the error (which must be a *polybill.Error) and everything logged. It returns what is wrong
// (a leaked credential, an unredacted or unbounded request id, a control character in
// Error(), a log line carrying the padding); empty means scrubbed and bounded.
func (e *CredentialEcho) Problems(err error, logs string) []string {
	var problems []string
	var pe *polybill.Error
	if !errors.As(err, &pe) {
		return []string{fmt.Sprintf("not a *polybill.Error: %v", err)}
	}
	if len(e.Seen()) == 0 {
		problems = append(problems, "no credential was sent, so nothing was echoed")
	}
	for _, s := range e.Leaks(err.Error(), fmt.Sprintf("%+v", err), pe.RequestID, logs) {
		problems = append(problems, "leaked credential "+s[:min(4, len(s))]+"…")
	}
	if !strings.Contains(pe.RequestID, "[REDACTED]") {
		problems = append(problems, "request id not redacted")
	}
	if len(pe.RequestID) > 256 {
		problems = append(problems, fmt.Sprintf("request id of %d bytes", len(pe.RequestID)))
	}
	if strings.ContainsAny(err.Error(), "\x1b\r\n") {
		problems = append(problems, "control characters in Error()")
	}
	if strings.Contains(logs, strings.Repeat("x", 300)) {
		problems = append(problems, "a log line carries the padding")
	}
	return problems
}
