// Package oapiserver holds the strict server interface, models and embedded spec generated from
// openapi/clinic.yaml, for the fake in clinic/clinictest and for response validation in tests.
// Never edit oapiserver.gen.go; run go generate ./clinic/... instead.
package oapiserver

//go:generate go tool -modfile=../../../tools.mod oapi-codegen -config oapi.yaml ../../../openapi/clinic.yaml
