package spectest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// CheckEnum fails t unless the values of an enum in spec are exactly the constants a package
// declares for it (in any order), so the spec stays the source of truth for what IsKnown
// accepts. schema is a component's name, or "Component.property" for an inline enum; for a
// query parameter's enum, "operationId?name".
func CheckEnum[S ~string](t testing.TB, spec *openapi3.T, schema string, consts ...S) {
	t.Helper()
	var enum []any
	switch op, param, isParam := strings.Cut(schema, "?"); {
	case isParam:
		for _, item := range spec.Paths.Map() {
			for _, o := range item.Operations() {
				if o.OperationID != op {
					continue
				}
				for _, p := range append(slices.Clone(item.Parameters), o.Parameters...) {
					if p.Value != nil && p.Value.Name == param && p.Value.Schema != nil {
						enum = p.Value.Schema.Value.Enum
					}
				}
			}
		}
	default:
		name, prop, _ := strings.Cut(schema, ".")
		s := spec.Components.Schemas[name]
		if s != nil && prop != "" {
			s = s.Value.Properties[prop]
		}
		if s != nil {
			enum = s.Value.Enum
		}
	}
	if len(enum) == 0 {
		t.Errorf("spectest: %s has no enum in the spec", schema)
		return
	}
	var want, got []string
	for _, v := range enum {
		want = append(want, fmt.Sprint(v))
	}
	for _, c := range consts {
		got = append(got, string(c))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("spectest: enum %s is %q in the spec, the package declares %q", schema, want, got)
	}
}
