// Package oapi holds the wire types generated from openapi/epilot.yaml. Never edit oapi.gen.go
// by hand: change the spec and run go generate.
package oapi

//go:generate go tool -modfile=../../../tools.mod oapi-codegen -config oapi.yaml ../../../openapi/epilot.yaml
