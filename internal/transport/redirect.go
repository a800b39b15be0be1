package transport

import (
	"fmt"
	"net/http"
)

// redirectPolicy is the CheckRedirect of both clients.
type redirectPolicy struct {
	allowInsecure bool
	// requestIDHeader is the client's own request-id header, kept across hosts.
	requestIDHeader string
	// tokenEndpoint marks the policy of token and login requests (the plain client's, and a
	// Call with SkipAuth): their bodies carry a secret (client_secret, a password), which Go
	// re-sends on a 307 or 308.
	tokenEndpoint bool
	// user is the CheckRedirect of the caller's own *http.Client, run last.
	user func(*http.Request, []*http.Request) error
}

// keepAcrossHosts lists the headers a redirect to another host keeps. Every other header is
// dropped: the SDK cannot tell a credential a caller added per call (WithHeader("X-Api-Key",
// …), crm's AppId, a tenant secret) from a harmless one, so only headers known to carry no
// secret travel. net/http itself drops only Authorization, Cookie and WWW-Authenticate.
func (p redirectPolicy) keepAcrossHosts(name string) bool {
	switch name {
	case "Accept", "Accept-Encoding", "Accept-Language", "Content-Type", "Content-Length",
		"User-Agent", "Traceparent", "Tracestate":
		return true
	}
	return name != "" && name == p.requestIDHeader
}

// check refuses a redirect that would carry a secret somewhere it must not go: plain http://
// to a non-loopback host (DESIGN rule 8), and a token or login request (the plain client's,
// or a Call with SkipAuth) to another host or scheme, since Go re-sends the body, secret and
// all, on a 307 or 308, and the client would then use whatever token that host issued. Other
// calls may follow a redirect to another host, without credentials: those are applied per
// attempt for the API host only, and the headers that carry them are stripped here.
func (p redirectPolicy) check(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return fmt.Errorf("%w: stopped after 10 redirects", errRedirectRefused)
	}
	if req.URL.Scheme != "https" && req.URL.Scheme != "http" {
		return fmt.Errorf("%w: to the unsupported scheme %q", errRedirectRefused, req.URL.Scheme)
	}
	if req.URL.Scheme == "http" && !p.allowInsecure && !isLoopback(req.URL.Hostname()) {
		return fmt.Errorf("%w: to plain http://%s", errRedirectRefused, req.URL.Host)
	}
	origin := via[0].URL
	if req.URL.Host != origin.Host || req.URL.Scheme != origin.Scheme {
		if p.tokenEndpoint {
			return fmt.Errorf("%w: a token request redirected to another host or scheme (%s://%s)", errRedirectRefused, req.URL.Scheme, req.URL.Host)
		}
		for k := range req.Header {
			if !p.keepAcrossHosts(k) {
				delete(req.Header, k)
			}
		}
	}
	if p.user != nil {
		return p.user(req, via)
	}
	return nil
}
