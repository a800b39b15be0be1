package transport

import (
	"strings"
	"unicode/utf8"
)

// Bounds on server-supplied text kept in an error or written to a log. A server (or anything
// in front of it) chooses these strings: it may echo a credential into any of them, or send
// megabytes, or terminal escape sequences. Every one goes through clean first.
const (
	// maxIDText bounds identifiers: a request id, an error code, a parameter or field name.
	// Real request ids are under 64 characters (UUIDs, AWS ids, Feathers ids).
	maxIDText = 128
	// maxMessageText bounds human-readable messages: a long validation message fits, a page
	// of HTML does not (the raw body stays reachable in Error.Body, itself bounded).
	maxMessageText = 2048
)

// clean redacts every known secret from server-supplied text, replaces control characters
// and invalid UTF-8 (which could forge log lines or drive a terminal), and cuts the result at
// limit bytes on a rune boundary, marking the cut with "…". Secrets are redacted before the
// cut, so a cut can never leave a secret's prefix behind that redaction would have caught.
func (c *Client) clean(text string, limit int) string {
	text = c.redact(text)
	if !needsCleaning(text, limit) {
		return text
	}
	var b strings.Builder
	b.Grow(min(len(text), limit+len("…")))
	for _, r := range strings.ToValidUTF8(text, "\uFFFD") {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			r = '\uFFFD'
		}
		if b.Len()+utf8.RuneLen(r) > limit {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// needsCleaning reports whether text is over limit or holds anything clean replaces, so the
// common case (a short, printable id or message) costs one scan and no allocation.
func needsCleaning(text string, limit int) bool {
	if len(text) > limit {
		return true
	}
	for i := 0; i < len(text); i++ {
		if b := text[i]; b < 0x20 || b == 0x7f || b >= 0x80 {
			// Non-ASCII is checked rune by rune in clean; it is rare in ids and codes.
			return true
		}
	}
	return false
}
