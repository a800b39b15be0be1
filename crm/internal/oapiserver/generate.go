// Package oapiserver holds the strict HTTP server interface, models and embedded spec generated
// from openapi/crm.yaml, for the fake in crm/crmtest and for response validation in tests.
package oapiserver

//go:generate go tool -modfile=../../../tools.mod oapi-codegen -config oapi.yaml ../../../openapi/crm.yaml
