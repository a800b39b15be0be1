// Package oapi holds the wire types generated from openapi/clinic.yaml. Never edit oapi.gen.go;
// run go generate ./clinic/... instead.
package oapi

//go:generate go tool -modfile=../../../tools.mod oapi-codegen -config oapi.yaml ../../../openapi/clinic.yaml
