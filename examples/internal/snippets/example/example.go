// Package example names the spec's example values inside the snippets of
// examples/internal/snippets/<api>: each snippet is a Go function that the compiler and gofmt
// check, and internal/cmd/genexamples copies its body into examples/<api>/<operation>/main.go
// with every call of this package replaced by the value of the operation's example in
// openapi/<api>.yaml, written as a Go literal. The type argument says what Go type the value
// has where it is used; the literal itself is untyped (15, "pending", 250.5).
//
// A comment in a snippet can name an example value too, as {{param "name"}} or
// {{body "path"}}; it is filled in the same way.
//
// The functions are never run: a snippet is only compiled and read.
package example

// Param is the example of the operation's parameter name (path or query).
func Param[T any](name string) T { panic("example.Param is replaced by genexamples: " + name) }

// Body is the value at path ("billing.amount", "items.0.name") in the request body's example.
func Body[T any](path string) T { panic("example.Body is replaced by genexamples: " + path) }

// BodyString is Body written as a string literal even when the example is a number (a
// decimal string, an id the API types as a string).
func BodyString(path string) string { panic("example.BodyString is replaced by genexamples: " + path) }

// Money is a numeric body example as a decimal string with scale fraction digits: the YAML
// loader reads 1500.00 as the number 1500, and a payment wants "1500.00".
func Money(path string, scale int) string {
	panic("example.Money is replaced by genexamples: " + path)
}

// BodyJSON is the whole request body's example as a JSON string literal.
func BodyJSON() string { panic("example.BodyJSON is replaced by genexamples") }
