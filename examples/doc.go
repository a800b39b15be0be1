// Package examples holds one runnable program per operation of the four APIs, generated from
// openapi/*.yaml by internal/cmd/genexamples, and the quickstart. Each program talks to the
// real API when the vendor's environment variables are set and to the in-process fake
// otherwise:
//
//	go run ./examples/quickstart
//	go run ./examples/clinic/record-payment
package examples

//go:generate go run ../internal/cmd/genexamples -specs ../openapi -out .
