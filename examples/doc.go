// Package examples holds one runnable program per operation of the four APIs, generated from
// openapi/*.yaml and the Go snippets in internal/snippets/<api> (edit those, not the programs)
// by internal/cmd/genexamples, and the quickstart. Each program runs on the
// in-process fakes and first prints where each API it uses points; the real APIs are called
// only with -live (all the program's APIs, or -live=crm,clinic for some), configured by the
// vendors' environment variables, which are ignored without it:
//
//	go run ./examples/quickstart
//	go run ./examples/clinic/record-payment
//	go run ./examples/clinic/record-payment -live
//
// The test builds every program once into one binary (see examples_test.go) and runs each
// against its fake.
package examples

//go:generate go run ../internal/cmd/genexamples -specs ../openapi -out .
