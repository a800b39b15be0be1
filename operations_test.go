package polybill_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOperationsMatchSpec walks the sources of the four API packages: every call is made
// with an operation declared by transport.Op("<operationId>", "<route>") in string
// literals, the operationId exists in openapi/<api>.yaml, the route is exactly that
// operation's spec path, and where the HTTP method is written beside it (a transport.Call
// literal, or a Feathers service's find/get/create/patch/remove) it is the spec's method.
// Every transport.Call literal names its operation. At runtime Do refuses a call without one.
func TestOperationsMatchSpec(t *testing.T) {
	feathers := map[string]string{"find": "GET", "get": "GET", "create": "POST", "patch": "PATCH", "remove": "DELETE"}
	for _, api := range []string{"crm", "epilot", "encounters", "clinic"} {
		t.Run(api, func(t *testing.T) {
			doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("openapi", api+".yaml"))
			require.NoError(t, err)
			type specOp struct{ method, path string }
			spec := map[string]specOp{}
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					spec[op.OperationID] = specOp{method, path}
				}
			}
			fset := token.NewFileSet()
			files, err := filepath.Glob(filepath.Join(api, "*.go"))
			require.NoError(t, err)
			declared := 0
			for _, name := range files {
				if strings.HasSuffix(name, "_test.go") {
					continue
				}
				f, err := parser.ParseFile(fset, name, nil, 0)
				require.NoError(t, err)
				check := func(call *ast.CallExpr, method string) {
					pos := fset.Position(call.Pos()).String()
					require.Len(t, call.Args, 2, pos)
					id, ok1 := stringLit(call.Args[0])
					route, ok2 := stringLit(call.Args[1])
					require.True(t, ok1 && ok2, "%s: transport.Op takes the operationId and the route as string literals", pos)
					declared++
					want, ok := spec[id]
					if !assert.True(t, ok, "%s: operationId %q is not in openapi/%s.yaml", pos, id, api) {
						return
					}
					assert.Equal(t, want.path, route, "%s: route of %s", pos, id)
					if method != "" {
						assert.Equal(t, want.method, method, "%s: method of %s", pos, id)
					}
				}
				seen := map[*ast.CallExpr]bool{}
				ast.Inspect(f, func(n ast.Node) bool {
					lit, ok := n.(*ast.CompositeLit)
					if !ok {
						return true
					}
					switch typeName(lit.Type) {
					case "transport.Call":
						method, hasOp := "", false
						for _, e := range lit.Elts {
							kv := e.(*ast.KeyValueExpr)
							switch kv.Key.(*ast.Ident).Name {
							case "Method":
								method = httpMethod(kv.Value)
							case "Op":
								hasOp = true
							}
						}
						assert.True(t, hasOp, "%s: a transport.Call without Op", fset.Position(lit.Pos()))
						for _, e := range lit.Elts {
							kv := e.(*ast.KeyValueExpr)
							if c, ok := kv.Value.(*ast.CallExpr); ok && isOp(c) {
								check(c, method)
								seen[c] = true
							}
						}
					case "serviceOps":
						for _, e := range lit.Elts {
							kv := e.(*ast.KeyValueExpr)
							if c, ok := kv.Value.(*ast.CallExpr); ok && isOp(c) {
								check(c, feathers[kv.Key.(*ast.Ident).Name])
								seen[c] = true
							}
						}
					}
					return true
				})
				ast.Inspect(f, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok && isOp(c) && !seen[c] {
						check(c, "")
					}
					return true
				})
			}
			assert.Positive(t, declared, "no operation declared in %s", api)
		})
	}
}

func isOp(c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "transport" && sel.Sel.Name == "Op"
}

func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return x.Name + "." + e.Sel.Name
		}
	}
	return ""
}

func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// httpMethod reads http.MethodX or a string literal; "" when the method is not a constant.
func httpMethod(e ast.Expr) string {
	if s, ok := stringLit(e); ok {
		return s
	}
	if sel, ok := e.(*ast.SelectorExpr); ok && typeName(sel.X) == "http" {
		return map[string]string{"MethodGet": http.MethodGet, "MethodPost": http.MethodPost, "MethodPut": http.MethodPut,
			"MethodPatch": http.MethodPatch, "MethodDelete": http.MethodDelete}[sel.Sel.Name]
	}
	return ""
}
