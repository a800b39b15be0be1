package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/config"
)

// finish turns the loop's outcome into the caller's result.
func (st *callState) finish(resp *http.Response, err error, out any, rc config.Request) error {
	c := st.c
	if resp == nil {
		return st.transportError(err, 0)
	}
	if err != nil && !st.bodyRead {
		// net/http returns the last response with a closed body along with the error when
		// the redirect policy refused to follow it: the refusal is the outcome.
		resp.Body.Close()
		return st.transportError(err, resp.StatusCode)
	}
	if !st.bodyRead {
		st.body, st.bodyErr = readBounded(resp, c.cfg.MaxResponseBytes)
		st.bodyRead = true
	}
	if rc.ResponseInto != nil {
		resp.Body = io.NopCloser(bytes.NewReader(st.body))
		*rc.ResponseInto = resp
	}
	if st.bodyErr != nil {
		if errors.Is(st.bodyErr, errBodyTooLarge) {
			e := st.newError(resp, polybill.CodeResponseTooLarge)
			e.Message = fmt.Sprintf("response body exceeds %d bytes", c.cfg.MaxResponseBytes)
			e.Err = st.bodyErr
			e.Body = nil
			return st.logged(e)
		}
		return st.transportError(st.bodyErr, resp.StatusCode)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.budget.success()
		if out != nil {
			trimmed := bytes.TrimSpace(st.body)
			empty := len(trimmed) == 0 || string(trimmed) == "null"
			switch {
			case empty && (st.allowEmpty || resp.StatusCode == http.StatusNoContent):
			case empty:
				e := st.newError(resp, polybill.CodeInvalidResponse)
				e.Message = "empty response body"
				return st.logged(e)
			default:
				if derr := decodeBody(st.body, out); derr != nil {
					e := st.newError(resp, polybill.CodeInvalidResponse)
					e.Message = "decoding response: " + derr.Error()
					e.Err = derr
					st.scrub(e)
					return st.logged(e)
				}
			}
		}
		st.logCall(resp.StatusCode, nil)
		return nil
	}
	if resp.StatusCode == http.StatusNotFound && st.method == http.MethodDelete && st.retries > 0 {
		// See Do: a retried DELETE that finds nothing succeeded.
		if st.gone != nil {
			*st.gone = true
		}
		c.budget.success()
		st.logCall(resp.StatusCode, nil)
		return nil
	}
	e := st.newError(resp, "")
	if c.decodeError != nil && len(st.body) > 0 {
		c.decodeError(st.body, e)
	}
	if e.Code == "" {
		e.Code = CodeFromStatus(resp.StatusCode)
	}
	if st.capExceeded > 0 {
		e.RetryAfter = st.capExceeded
		e.Message = strings.TrimSpace(fmt.Sprintf("%s (server asked to wait %s, more than the %s cap)", e.Message, st.capExceeded.Round(time.Millisecond), c.cfg.MaxRetryDelay))
	}
	if st.refreshErr != nil {
		e.Err = st.refreshErr
	}
	st.scrub(e)
	return st.logged(e)
}

// newError fills what the transport knows about a response.
func (st *callState) newError(resp *http.Response, code string) *polybill.Error {
	status := resp.StatusCode
	e := &polybill.Error{
		API:        st.c.api,
		StatusCode: status,
		Code:       code,
		RequestID:  st.c.clean(requestID(resp.Header), maxIDText),
		Retryable:  shouldRetry(st.safety, status, noFailure),
		Ambiguous:  isWrite(st.method) && mayHaveHappened(status, noFailure),
	}
	if e.RequestID == "" {
		e.RequestID = st.sentRequestID
	}
	e.RetryBudgetExhausted = st.budgetRefused
	if d, ok := parseRetryAfter(resp.Header, time.Now()); ok {
		e.RetryAfter = d
	}
	if n := len(st.body); n > 0 {
		e.Body = append([]byte(nil), st.body[:min(n, polybill.MaxErrorBody)]...)
	}
	return e
}

func (st *callState) transportError(err error, status int) error {
	f := st.classifyAttempt(err)
	e := &polybill.Error{
		API:        st.c.api,
		StatusCode: status,
		Code:       polybill.CodeConnection,
		Retryable:  shouldRetry(st.safety, 0, f),
		Ambiguous:  isWrite(st.method) && (f == maybeSent || st.mayHaveApplied),
		RequestID:  st.sentRequestID,
		Err:        err,

		RetryBudgetExhausted: st.budgetRefused || errors.Is(err, polybill.ErrRetryBudgetExhausted),
	}
	var ae *authError
	switch {
	case errors.Is(err, context.Canceled):
		e.Code = polybill.CodeCanceled
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.Code = polybill.CodeTimeout
	case errors.As(err, &ae):
		var pe *polybill.Error
		if errors.As(ae.err, &pe) {
			// The credentials call failed with an API error: surface it, scrubbed (a token
			// endpoint may echo the client secret back).
			st.scrub(pe)
			return st.logged(pe)
		}
		e.Code = polybill.CodeUnauthenticated
	}
	if st.attempts == 0 || (f != maybeSent && !st.mayHaveApplied) {
		e.Ambiguous = false
	}
	e.Message = st.c.clean(errorText(err), maxMessageText)
	return st.logged(e)
}

// errorText drops the URL that *url.Error prints: it can hold emails and names.
func errorText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// requestIDHeaders are the headers servers commonly echo a request id in.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "X-Correlation-Id"}

func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// scrub removes secrets a server may have echoed back (a token in an error message) and
// bounds the length of every text. Every text field is scrubbed: a server may echo a secret
// into any of them, including the code (fuzzing the clinic decoder found a token endpoint
// answering {"error": "<secret>"}) and the request id (an outside review found a server
// echoing "Bearer <token> <api key>" in X-Request-Id).
func (st *callState) scrub(e *polybill.Error) {
	c := st.c
	e.Code = c.clean(e.Code, maxIDText)
	e.Param = c.clean(e.Param, maxIDText)
	e.Message = c.clean(e.Message, maxMessageText)
	e.RequestID = c.clean(e.RequestID, maxIDText)
	for i := range e.Details {
		d := &e.Details[i]
		d.Code, d.Field = c.clean(d.Code, maxIDText), c.clean(d.Field, maxIDText)
		d.Message = c.clean(d.Message, maxMessageText)
		d.Title = c.clean(d.Title, maxMessageText)
		d.Raw = json.RawMessage(c.redact(string(d.Raw)))
	}
	if len(e.Body) > 0 {
		e.Body = []byte(c.redact(string(e.Body)))
	}
}

func (c *Client) allSecrets() []string {
	s := c.secrets
	if sk, ok := c.auth.(secretKeeper); ok {
		if _, static := c.auth.(staticHeaders); !static {
			s = append(append([]string(nil), s...), sk.Secrets()...)
		}
	}
	return s
}

func (c *Client) redact(text string) string {
	for _, s := range c.allSecrets() {
		// Very short values would redact ordinary words; real credentials are longer.
		if len(s) >= 6 && strings.Contains(text, s) {
			text = strings.ReplaceAll(text, s, "[REDACTED]")
		}
	}
	return text
}

// CodeFromStatus is the Code of an error whose API sent none.
func CodeFromStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusUnprocessableEntity:
		return "validation_error"
	case http.StatusTooManyRequests:
		return "rate_limited"
	}
	if status >= 500 {
		return "server_error"
	}
	return fmt.Sprintf("http_%d", status)
}
