package doccheck

import (
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiPackages are the four API packages; each follows the package template of
// docs/architecture.md.
var apiPackages = []string{"crm", "epilot", "encounters", "clinic"}

// goPackage is what the template test needs of one package's non-test sources.
type goPackage struct {
	fset  *token.FileSet
	files map[string]*ast.File // by file name
}

func parseDir(t *testing.T, dir string) goPackage {
	t.Helper()
	p := goPackage{fset: token.NewFileSet(), files: map[string]*ast.File{}}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(p.fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		p.files[name] = f
	}
	return p
}

func (p goPackage) expr(e ast.Node) string {
	var b strings.Builder
	_ = printer.Fprint(&b, p.fset, e)
	return b.String()
}

// funcs maps "Name" and "Recv.Name" to the signature of each function or method.
func (p goPackage) funcs() map[string]string {
	out := map[string]string{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			name := fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) == 1 {
				recv := fn.Recv.List[0].Type
				if s, ok := recv.(*ast.StarExpr); ok {
					recv = s.X
				}
				name = p.expr(recv) + "." + name
			}
			out[name] = p.expr(fn.Type)
		}
	}
	return out
}

// decl finds the top-level const, var or type spec named name and the file holding it.
func (p goPackage) decl(name string) (ast.Spec, string) {
	for file, f := range p.files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range g.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.Name == name {
						return s, file
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.Name == name {
							return s, file
						}
					}
				}
			}
		}
	}
	return nil, ""
}

// TestPackageTemplate checks the package template of docs/architecture.md in each API
// package: the files and their roles, the constructors, the API constant, the Option
// interface, the transport field, the error reader, the generated code's file names and the
// fake's constructor and client options.
func TestPackageTemplate(t *testing.T) {
	for _, api := range apiPackages {
		t.Run(api, func(t *testing.T) {
			dir := filepath.Join("..", "..", api)
			for _, f := range []string{
				"doc.go", "client.go", "errors.go", "helpers_test.go", "listparams_test.go",
				"internal/oapiserver/generate.go", "internal/oapiserver/oapi.yaml", "internal/oapiserver/oapiserver.gen.go",
				api + "test/server.go", api + "test/server_test.go", api + "test/fault.go", api + "test/example_test.go",
			} {
				assert.FileExists(t, filepath.Join(dir, f))
			}

			pkg := parseDir(t, dir)
			fns := pkg.funcs()
			assert.Equal(t, "func(opts ...Option) (*Client, error)", fns["New"], "New")
			assert.Equal(t, "func(opts ...Option) (*Client, error)", fns["NewFromEnv"], "NewFromEnv")

			spec, file := pkg.decl("API")
			if assert.NotNil(t, spec, "const API") {
				assert.Equal(t, "client.go", file)
				v := spec.(*ast.ValueSpec)
				require.Len(t, v.Values, 1)
				lit, ok := v.Values[0].(*ast.BasicLit)
				require.True(t, ok, "API is a string literal")
				name, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				assert.Equal(t, api, name, "API is the package's name")
			}
			for _, name := range []string{"EnvAPIURL", "Option", "Client", "settings"} {
				_, file := pkg.decl(name)
				assert.Equal(t, "client.go", file, "%s is declared in client.go", name)
			}
			if spec, _ := pkg.decl("Option"); spec != nil {
				_, ok := spec.(*ast.TypeSpec).Type.(*ast.InterfaceType)
				assert.True(t, ok, "Option is an interface (another API's option does not compile)")
			}
			if spec, _ := pkg.decl("Client"); spec != nil {
				var tc string
				for _, f := range spec.(*ast.TypeSpec).Type.(*ast.StructType).Fields.List {
					for _, n := range f.Names {
						if pkg.expr(f.Type) == "*transport.Client" {
							tc = n.Name
						}
					}
				}
				assert.Equal(t, "tc", tc, "the transport field of Client")
			}
			found := false
			var errorsDecls []ast.Decl
			if f := pkg.files["errors.go"]; f != nil {
				errorsDecls = f.Decls
			}
			for _, d := range errorsDecls {
				if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "decodeError" {
					found = true
					assert.Equal(t, "func(body []byte, e *polybill.Error)", pkg.expr(fn.Type))
				}
			}
			assert.True(t, found, "errors.go declares decodeError, the vendor error envelope reader")

			// Every List method returning a sequence has a one-page sibling: List…Page in the
			// flat packages, Find on a service.
			for name, sig := range fns {
				method := name[strings.LastIndex(name, ".")+1:]
				if !strings.HasPrefix(method, "List") || !strings.Contains(sig, "iter.Seq2[") || !ast.IsExported(method) {
					continue
				}
				recv := name[:strings.LastIndex(name, ".")+1]
				_, page := fns[name+"Page"]
				_, find := fns[recv+"Find"]
				assert.True(t, page || find, "%s has a one-page method (%sPage or %sFind)", name, name, recv)
			}

			fake := parseDir(t, filepath.Join(dir, api+"test"))
			ffns := fake.funcs()
			assert.Equal(t, "func(opts ...Option) *Server", ffns["New"], "%stest.New", api)
			assert.Equal(t, "func() []"+api+".Option", ffns["Server.ClientOptions"], "%stest ClientOptions", api)
			for _, m := range []string{"URL", "Close", "Faults", "Requests"} {
				assert.Contains(t, ffns, "Server."+m, "%stest.Server.%s", api, m)
			}
			for name, sig := range ffns {
				if ast.IsExported(name[strings.LastIndex(name, ".")+1:]) && !strings.Contains(name, ".") || strings.HasPrefix(name, "Server.") && ast.IsExported(strings.TrimPrefix(name, "Server.")) {
					assert.NotContains(t, sig, "openapi3.", "%stest.%s puts a kin-openapi type in the public API", api, name)
				}
			}
		})
	}
}
