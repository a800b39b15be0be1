// Package exampleenv gives every example program its client: the real API when the vendor's
// environment variables are set, otherwise the API's in-process fake, seeded on demand with
// what the operation needs.
package exampleenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"

	polybill "github.com/polybill/polybill-go"
)

// Must returns v, or ends the program with the error's details.
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Check ends the program with the error's details when err is not nil.
func Check(err error) {
	if err == nil {
		return
	}
	var pe *polybill.Error
	if errors.As(err, &pe) {
		log.Fatalf("%v (status %d, code %q, param %q, retryable %v, ambiguous %v)", pe, pe.StatusCode, pe.Code, pe.Param, pe.Retryable, pe.Ambiguous)
	}
	log.Fatal(err)
}

// Print writes v as indented JSON to stdout.
func Print(v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	Check(err)
	fmt.Println(string(b))
}

// live reports whether the named variable is set, i.e. the real API is wanted.
func live(name string) bool { return os.Getenv(name) != "" }
