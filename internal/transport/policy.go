package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	polybill "github.com/polybill/polybill-go"
)

// Safety says when a call may be repeated. The zero value derives it from the method, so a
// call that forgets to choose never retries a POST.
type Safety int

const (
	// SafetyFromMethod: GET, HEAD, OPTIONS, PUT and DELETE are Idempotent; POST and PATCH
	// are UnsafeWrite.
	SafetyFromMethod Safety = iota
	// Idempotent calls are retried on connection errors, timeouts, 408, 429, 500, 502, 503, 504.
	Idempotent
	// DedupedWrite is a write the server deduplicates (encounters payments carry idemp):
	// retried exactly like Idempotent.
	DedupedWrite
	// UnsafeWrite is retried only when the request provably never left this machine (the
	// connection could not be established). Anything after that is surfaced untouched.
	UnsafeWrite
)

func (s Safety) resolve(method string) Safety {
	if s != SafetyFromMethod {
		return s
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return Idempotent
	}
	return UnsafeWrite
}

// failure classifies what went wrong with one attempt.
type failure int

const (
	noFailure failure = iota
	// neverSent: the request provably did not leave (dial or DNS failure, or the
	// credentials could not be obtained).
	neverSent
	// maybeSent: the connection broke, or the attempt timed out, after the request may have
	// been written. The server may have acted on it.
	maybeSent
	// fatal: repeating cannot help (bad certificate, refused redirect, body over the bound,
	// the caller's context is done).
	fatal
)

// retryableStatus lists the statuses DESIGN rule 3 retries.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// shouldRetry is the whole retry decision of DESIGN rules 3 and 4, before budget, count and
// Retry-After limits: given the call's safety and the attempt's outcome (a status, or a
// failure when no response arrived), may the call be repeated?
func shouldRetry(safety Safety, status int, f failure) bool {
	switch f {
	case neverSent:
		return true
	case maybeSent:
		return safety != UnsafeWrite
	case fatal:
		return false
	}
	return safety != UnsafeWrite && retryableStatus(status)
}

// attemptOutcome is what decideRetry is told about one attempt.
type attemptOutcome struct {
	safety Safety
	// status is the response's status, 0 when none came back.
	status int
	// failure classifies the attempt's error (classifyAttempt); noFailure when a response
	// came back and its body, when read, was whole.
	failure failure
	// header is the response's header (for Retry-After), nil without a response.
	header http.Header
	// retries counts the retries the call has made so far; maxRetries is its allowance.
	retries, maxRetries int
}

// retryDecision is decideRetry's answer.
type retryDecision struct {
	retry bool
	// wait is how long to wait before the retry: the server's Retry-After when it gave one
	// within the cap, else exponential backoff with jitter.
	wait time.Duration
	// overCap is a Retry-After past the cap (MaxRetryDelay): no retry, and the caller's
	// error carries the server's wish instead of a call that sleeps for minutes.
	overCap time.Duration
	// cost is what the retry spends from the client's retry budget (see budget.go).
	cost int64
}

// decideRetry is the retry decision for one attempt (DESIGN rules 3 and 4, the retry count
// and the Retry-After cap). It has no side effects: the caller spends the budget when the
// answer is yes, once per attempt, and the 401 replay is not decided here (it happens inside
// the attempt, see callState.replayAfterRefresh). err is the attempt's error, for the cost.
func decideRetry(o attemptOutcome, err error, minDelay, maxDelay time.Duration, now time.Time) retryDecision {
	if o.failure == noFailure && o.status < 400 {
		return retryDecision{}
	}
	if !shouldRetry(o.safety, o.status, o.failure) || o.retries >= o.maxRetries {
		return retryDecision{}
	}
	d := retryDecision{retry: true, wait: backoff(minDelay, maxDelay, o.retries), cost: costOf(err)}
	if hint, ok := parseRetryAfter(o.header, now); ok {
		if hint > maxDelay {
			return retryDecision{overCap: hint}
		}
		d.wait = hint
	}
	return d
}

// mayHaveHappened reports whether an outcome leaves a write in doubt: it may have been
// applied although no success came back.
func mayHaveHappened(status int, f failure) bool {
	if f == maybeSent {
		return true
	}
	switch status {
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

var (
	errRedirectRefused = errors.New("redirect refused")
	errBodyTooLarge    = errors.New("response body exceeds the configured bound")
)

// authError wraps a failure to obtain credentials for an attempt. retried reports that the
// token request was already retried under the client's policy (a TokenAuth bound by New), so
// the call must not retry it once more.
type authError struct {
	err     error
	retried bool
}

func (e *authError) Error() string { return "obtaining credentials: " + e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

// classify maps an attempt's error onto a failure kind. parent is the caller's context:
// when it is done nothing is retried, while an expired per-attempt timeout is a maybeSent.
func classify(parent context.Context, err error) failure {
	if err == nil {
		return noFailure
	}
	if parent.Err() != nil {
		return fatal
	}
	var ae *authError
	if errors.As(err, &ae) {
		if ae.retried {
			return fatal
		}
		// Credentials that were refused (a 4xx from the token endpoint) stay refused.
		var pe *polybill.Error
		if errors.As(ae.err, &pe) && !pe.Retryable {
			return fatal
		}
		if pe == nil && classify(parent, ae.err) == fatal {
			// A token request that cannot succeed (a refused redirect, a bad certificate).
			return fatal
		}
		return neverSent
	}
	if errors.Is(err, errRedirectRefused) || errors.Is(err, errBodyTooLarge) {
		return fatal
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return fatal
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return neverSent
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return neverSent
	}
	// Everything else (reset, EOF, broken pipe, attempt timeout, truncated body) happened
	// after the connection was up, so the request may have been written and acted on.
	return maybeSent
}

// parseRetryAfter reads the server's wait hint: Retry-After-Ms (milliseconds, as OpenAI and
// Anthropic send), then Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
// Garbage and negative values are ignored (ok false); a date in the past means "now". Huge
// values saturate rather than overflow, so the caller's cap check refuses them.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && !math.IsInf(ms, 0) {
			return saturate(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) {
			return 0, false
		}
		return saturate(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func saturate(ns float64) time.Duration {
	if ns >= math.MaxInt64 || math.IsInf(ns, 1) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ns)
}

// backoff is exponential with jitter: min·2^retry, capped at max, then reduced by up to a
// quarter at random so that clients failing together do not retry together.
func backoff(minDelay, maxDelay time.Duration, retry int) time.Duration {
	d := float64(minDelay) * math.Pow(2, float64(retry))
	if d > float64(maxDelay) {
		d = float64(maxDelay)
	}
	return time.Duration(d * (1 - 0.25*rand.Float64()))
}

// retryTokenFetch decides whether a failed token request (retry retries made so far) is
// tried again and after what wait, by the rules of an idempotent call: an error answer the
// token endpoint marked retryable, or a connection failure, within the retry count, with a
// Retry-After under the cap, and only while the retry budget lasts. It returns err, or the
// error to report instead, when there is no retry.
func (c *Client) retryTokenFetch(ctx context.Context, err error, retry int) (time.Duration, error) {
	if retry >= c.cfg.MaxRetries {
		return 0, err
	}
	wait := backoff(c.cfg.MinRetryDelay, c.cfg.MaxRetryDelay, retry)
	var pe *polybill.Error
	if errors.As(err, &pe) {
		if !pe.Retryable {
			return 0, err
		}
		if pe.RetryAfter > c.cfg.MaxRetryDelay {
			return 0, err
		}
		if pe.RetryAfter > 0 {
			wait = pe.RetryAfter
		}
	} else if classify(ctx, err) == fatal {
		return 0, err
	}
	if !c.budget.take(costOf(err)) {
		if pe != nil {
			pe.RetryBudgetExhausted = true
			return 0, pe
		}
		return 0, fmt.Errorf("%w (%w)", err, polybill.ErrRetryBudgetExhausted)
	}
	return wait, nil
}
