// Package oapi holds the wire types generated from openapi/crm.yaml. It is internal: the public
// crm package never exposes these types.
package oapi

//go:generate go tool -modfile=../../../tools.mod oapi-codegen -config oapi.yaml ../../../openapi/crm.yaml
