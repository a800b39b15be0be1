package transport

import (
	"fmt"
	"net/url"
	"strings"

	polybill "github.com/polybill/polybill-go"
)

// Op declares one operation of an API's spec where the call is made: its operationId and
// its path template, with each path parameter as a {name} placeholder, both exactly as in
// openapi/<api>.yaml (TestOperationsMatchSpec in each API package checks it). The
// template is the only place the route is written: Do fills its placeholders with the
// call's Params to build the path, and logs, errors, CallInfo and telemetry name the
// call by the template, so the path sent and the route reported cannot drift apart.
func Op(id, route string) polybill.Operation {
	return polybill.Operation{ID: id, Route: route}
}

// fillRoute replaces the template's {name} placeholders, in order, with params escaped so
// that no value can change the route: "/", "?", "#", "%", "+", spaces and control
// characters are percent-encoded, and the dot segments "." and ".." are encoded as %2E so
// URL resolution cannot climb out of the route. An empty value is refused with the
// placeholder's name, as is a template whose placeholders and params do not pair up (a
// bug in the calling package, reported rather than sent to the wrong URL).
func fillRoute(api, route string, params []string) (string, error) {
	if len(params) == 0 && strings.IndexByte(route, '{') < 0 {
		return route, nil
	}
	escaped := make([]string, 0, 4)
	size := len(route)
	for _, p := range params {
		e := escapeSegment(p)
		escaped = append(escaped, e)
		size += len(e)
	}
	var b strings.Builder
	b.Grow(size)
	k := 0
	for i := 0; i < len(route); i++ {
		if route[i] != '{' {
			b.WriteByte(route[i])
			continue
		}
		end := strings.IndexByte(route[i:], '}')
		if end < 0 {
			return "", routeMismatch(api, route, params)
		}
		if k >= len(escaped) {
			return "", routeMismatch(api, route, params)
		}
		if escaped[k] == "" {
			return "", InvalidParam(api, route[i+1:i+end], "required: a path parameter is empty")
		}
		b.WriteString(escaped[k])
		k++
		i += end
	}
	if k != len(escaped) {
		return "", routeMismatch(api, route, params)
	}
	return b.String(), nil
}

func routeMismatch(api, route string, params []string) error {
	return &polybill.Error{API: api, Code: polybill.CodeInvalidParams,
		Message: fmt.Sprintf("internal: route %s does not take %d path parameters", route, len(params))}
}

func escapeSegment(s string) string {
	switch s {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return strings.ReplaceAll(url.PathEscape(s), "+", "%2B")
}
