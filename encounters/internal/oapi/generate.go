// Package oapi holds the wire models generated from openapi/encounters.yaml.
// The public client uses them for request bodies only; they never appear in a
// public signature.
package oapi

//go:generate go tool -modfile=../../../tools.mod oapi-codegen -config oapi.yaml ../../../openapi/encounters.yaml
