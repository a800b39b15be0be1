// Package doccheck holds documentation checks that span the four API packages.
package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryClientMethodHasAnExample: each exported method of an API package's client (and of
// the encounters service types) has a runnable Example (ExampleClient_Method or
// ExampleXService_Method), so pkg.go.dev shows how to call it, and each package doc opens
// with a code example.
func TestEveryClientMethodHasAnExample(t *testing.T) {
	for _, pkg := range []string{"crm", "epilot", "encounters", "clinic"} {
		dir := filepath.Join("..", "..", pkg)
		methods, examples, doc := scan(t, dir)
		var missing []string
		for _, m := range methods {
			if !examples["Example"+m] {
				missing = append(missing, m)
			}
		}
		sort.Strings(missing)
		assert.Empty(t, missing, "%s: methods without an Example", pkg)
		assert.True(t, examples["Example"], "%s: a package-level Example", pkg)
		assert.Contains(t, doc, "\t", "%s: the package doc opens with a code example", pkg)
		t.Logf("%s: %d public methods, all with examples", pkg, len(methods))
	}
}

func scan(t *testing.T, dir string) (methods []string, examples map[string]bool, doc string) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	examples = map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		require.NoError(t, err)
		if f.Doc != nil && !strings.HasSuffix(name, "_test.go") {
			doc += f.Doc.Text()
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !fn.Name.IsExported() {
				continue
			}
			if strings.HasSuffix(name, "_test.go") {
				if strings.HasPrefix(fn.Name.Name, "Example") {
					// ExampleClient_Get_second counts for Client_Get.
					ex := fn.Name.Name
					if parts := strings.Split(ex, "_"); len(parts) > 2 && parts[len(parts)-1] != "" && strings.ToLower(parts[len(parts)-1][:1]) == parts[len(parts)-1][:1] {
						ex = strings.Join(parts[:len(parts)-1], "_")
					}
					examples[ex] = true
				}
				continue
			}
			if fn.Recv == nil || len(fn.Recv.List) != 1 {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			id, ok := recv.(*ast.Ident)
			if !ok || !(id.Name == "Client" || strings.HasSuffix(id.Name, "Service")) {
				continue
			}
			methods = append(methods, id.Name+"_"+fn.Name.Name)
		}
	}
	return methods, examples, doc
}
