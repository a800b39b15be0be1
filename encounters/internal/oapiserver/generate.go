// Package oapiserver holds the strict std-http server interface, models and
// embedded spec generated from openapi/encounters.yaml, used by the fake
// (encounterstest) and by response validation in tests.
package oapiserver

//go:generate go tool -modfile=../../../tools.mod oapi-codegen -config oapi.yaml ../../../openapi/encounters.yaml
