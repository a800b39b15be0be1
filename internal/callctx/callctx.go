// Package callctx holds the context key under which the transport publishes a request's
// polybill.CallInfo. It is its own package so the root package (which reads the key in
// CallInfoFrom) and internal/transport (which sets it, and imports the root) share it
// without an import cycle and without the root exporting a setter users could misuse.
package callctx

// Key is the context key. Its value is a *polybill.CallInfo owned by one attempt.
type Key struct{}
