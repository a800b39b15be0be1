package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/internal/fake"
)

// TestFaultDocsAreCurrent: every <api>test package's Fault doc shows every field of
// fake.Fault with its comment, as generated from internal/fake/faults.go (issue 14 §7: the
// fields were documented only where users cannot read them).
func TestFaultDocsAreCurrent(t *testing.T) {
	doc, decl, err := faultDecl("../../fake/faults.go")
	require.NoError(t, err)
	ft := reflect.TypeFor[fake.Fault]()
	for i := range ft.NumField() {
		assert.Regexp(t, `(?m)^\s+`+ft.Field(i).Name+` `, decl, "field %s is shown", ft.Field(i).Name)
	}
	for _, api := range fakes {
		want, err := render(api+"test", doc, decl)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join("..", "..", "..", api, api+"test", "fault.go"))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%stest/fault.go is stale: run go generate ./internal/fake", api)
	}
}
