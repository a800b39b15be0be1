// Package oapiserver holds the strict HTTP server interface and the embedded spec generated from
// openapi/epilot.yaml, used by the epilottest fake. Never edit oapiserver.gen.go by hand.
package oapiserver

//go:generate go tool -modfile=../../../tools.mod oapi-codegen -config oapi.yaml ../../../openapi/epilot.yaml
