// Command genexamples writes one runnable program per operation of openapi/*.yaml into
// examples/<api>/<operation>/main.go, using the hand-written public client and the request
// values of the spec's own examples. It is run by go generate in examples/.
//
// Each operation needs a snippet: a Go function in examples/internal/snippets/<api>, named
// after the operationId (getBilling: func GetBilling(ctx, env)), that calls the public client
// method implementing it. The snippets are ordinary Go, compiled, vetted and gofmt'd with the
// module; genexamples reads them with go/parser and copies each function's body into its
// program, with every call of package example (example.Param[int]("records"), …) replaced by
// the operation's example value from the spec as a Go literal, and the imports the body uses.
// A spec operation without a snippet, or a snippet without an operation, fails generation,
// so a spec change cannot silently leave the examples behind.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
)

// examplePkg is the package whose calls in a snippet stand for the spec's example values.
const examplePkg = "github.com/polybill/polybill-go/examples/internal/snippets/example"

// apis lists the APIs in the order they are generated, with the exampleenv constructor.
var apis = []struct{ name, env string }{
	{"crm", "CRM"},
	{"epilot", "Epilot"},
	{"encounters", "Encounters"},
	{"clinic", "Clinic"},
}

func main() {
	specDir := flag.String("specs", "../openapi", "directory holding <api>.yaml")
	outDir := flag.String("out", ".", "examples directory")
	snippetDir := flag.String("snippets", "", "directory holding <api>/*.go snippets (default <out>/internal/snippets)")
	only := flag.String("api", "", "generate only this API (while its snippets are being written)")
	flag.Parse()
	if *snippetDir == "" {
		*snippetDir = filepath.Join(*outDir, "internal", "snippets")
	}
	total := 0
	for _, api := range apis {
		if *only != "" && api.name != *only {
			continue
		}
		snippets, err := loadSnippets(filepath.Join(*snippetDir, api.name))
		if err != nil {
			log.Fatalf("genexamples: %s: %v", api.name, err)
		}
		n, err := generate(*specDir, *outDir, api.name, api.env, snippets)
		if err != nil {
			log.Fatalf("genexamples: %s: %v", api.name, err)
		}
		total += n
	}
	log.Printf("genexamples: wrote %d example programs", total)
}

// operation is one spec operation with its example values, which a snippet's example.… calls
// (and {{…}} in its comments) are filled from.
type operation struct {
	API, ID, Method, Path, Summary, Dir string
	params                              map[string]any
	body                                any
}

func generate(specDir, outDir, api, envName string, snippets map[string]snippet) (int, error) {
	specPath := filepath.Join(specDir, api+".yaml")
	spec, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		return 0, err
	}
	if err := spec.Validate(context.Background()); err != nil {
		return 0, fmt.Errorf("%s is not a valid OpenAPI document: %w", specPath, err)
	}
	ops := operations(api, spec)
	apiDir := filepath.Join(outDir, api)
	keep := map[string]bool{}
	for _, op := range ops {
		sn, ok := snippets[op.ID]
		if !ok {
			return 0, fmt.Errorf("operation %s has no snippet (func %s in examples/internal/snippets/%s)", op.ID, goName(op.ID), api)
		}
		src, err := render(op, sn, envName, filepath.ToSlash(specPath))
		if err != nil {
			return 0, fmt.Errorf("operation %s: %w", op.ID, err)
		}
		dir := filepath.Join(apiDir, op.Dir)
		keep[op.Dir] = true
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
			return 0, err
		}
	}
	for id := range snippets {
		if !slices.ContainsFunc(ops, func(o operation) bool { return o.ID == id }) {
			return 0, fmt.Errorf("snippet %s (%s) matches no operation of %s", goName(id), snippets[id].pos, specPath)
		}
	}
	// Remove programs of operations that left the spec.
	entries, _ := os.ReadDir(apiDir)
	for _, e := range entries {
		if e.IsDir() && !keep[e.Name()] {
			if err := os.RemoveAll(filepath.Join(apiDir, e.Name())); err != nil {
				return 0, err
			}
		}
	}
	return len(ops), nil
}

// operations lists the spec's operations in path order with their examples.
func operations(api string, spec *openapi3.T) []operation {
	var ops []operation
	for _, path := range spec.Paths.InMatchingOrder() {
		item := spec.Paths.Value(path)
		for method, op := range item.Operations() {
			o := operation{API: api, ID: op.OperationID, Method: method, Path: path, Summary: op.Summary,
				Dir: kebab(op.OperationID), params: map[string]any{}}
			for _, p := range append(item.Parameters, op.Parameters...) {
				if v, ok := paramExample(p.Value); ok {
					o.params[p.Value.Name] = v
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					if v, ok := mediaExample(mt); ok {
						o.body = v
					}
				}
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].ID < ops[j].ID })
	return ops
}

func paramExample(p *openapi3.Parameter) (any, bool) {
	if p.Example != nil {
		return p.Example, true
	}
	if v, ok := firstExample(p.Examples); ok {
		return v, true
	}
	if p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Example != nil {
		return p.Schema.Value.Example, true
	}
	return nil, false
}

func mediaExample(mt *openapi3.MediaType) (any, bool) {
	if mt.Example != nil {
		return mt.Example, true
	}
	return firstExample(mt.Examples)
}

// firstExample takes the alphabetically first named example, so output is deterministic.
func firstExample(exs openapi3.Examples) (any, bool) {
	names := make([]string, 0, len(exs))
	for name := range exs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if e := exs[name]; e != nil && e.Value != nil && e.Value.Value != nil {
			return e.Value.Value, true
		}
	}
	return nil, false
}

func kebab(id string) string {
	var b strings.Builder
	for i, r := range id {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

const programTemplate = `// Code generated by genexamples from {{.Spec}}; DO NOT EDIT.

// Command {{.Op.Dir}} runs the {{.Op.API}} operation {{.Op.ID}} ({{.Op.Method}} {{.Op.Path}}){{if .Op.Summary}}:
// {{.Op.Summary}}{{end}}
//
// It runs on the API's in-process fake, seeded with what the operation needs, and says so
// first. The vendor's environment variables are ignored unless -live asks for the real API:
//
//	go run ./examples/{{.Op.API}}/{{.Op.Dir}} -live
package main

import (
	"context"
	"log"
{{range .Std}}	{{printf "%q" .}}
{{end}}
{{range .Imports}}	{{if eq . "github.com/polybill/polybill-go"}}polybill {{end}}{{printf "%q" .}}
{{end}})

func main() {
	ctx := context.Background()
	env, err := exampleenv.{{.Env}}(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()

{{.Code}}
}
`

// snippet is one function of examples/internal/snippets/<api>: the body of one program.
type snippet struct {
	fset *token.FileSet
	src  []byte // the file's source
	fn   *ast.FuncDecl
	pos  string // file:line, for errors
	// imports maps each name the file imports a package under to its path.
	imports map[string]string
}

// goName is the snippet function's name for an operationId: getBilling → GetBilling.
func goName(opID string) string { return strings.ToUpper(opID[:1]) + opID[1:] }

// loadSnippets parses every non-test .go file of dir and returns its exported functions by
// the operationId they implement.
func loadSnippets(dir string) (map[string]snippet, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no snippets in %s", dir)
	}
	fset := token.NewFileSet()
	out := map[string]snippet{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		imports := map[string]string{}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return nil, err
			}
			name := path.Base(p)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[name] = p
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Body == nil {
				continue
			}
			id := strings.ToLower(fn.Name.Name[:1]) + fn.Name.Name[1:]
			pos := fset.Position(fn.Pos())
			out[id] = snippet{fset: fset, src: src, fn: fn, pos: fmt.Sprintf("%s:%d", filepath.Base(pos.Filename), pos.Line), imports: imports}
		}
	}
	return out, nil
}

// code returns the snippet's body with every example.X(…) call replaced by the operation's
// example value, and the import paths the body uses (package example's excepted).
func (sn snippet) code(op operation) (string, []string, error) {
	base := sn.fset.Position(sn.fn.Body.Lbrace).Offset + 1
	end := sn.fset.Position(sn.fn.Body.Rbrace).Offset
	type edit struct {
		from, to int
		text     string
	}
	var edits []edit
	used := map[string]bool{}
	var errs []error
	ast.Inspect(sn.fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			fun := n.Fun
			if ix, ok := fun.(*ast.IndexExpr); ok { // example.Param[int](…)
				fun = ix.X
			}
			sel, ok := fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || sn.imports[x.Name] != examplePkg {
				return true
			}
			text, err := op.exampleCall(sel.Sel.Name, n.Args)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", sn.fset.Position(n.Pos()), err))
				return false
			}
			edits = append(edits, edit{sn.fset.Position(n.Pos()).Offset, sn.fset.Position(n.End()).Offset, text})
			return false
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok {
				if p, ok := sn.imports[x.Name]; ok && p != examplePkg {
					used[p] = true
				}
			}
		}
		return true
	})
	if len(errs) > 0 {
		return "", nil, errors.Join(errs...)
	}
	var b strings.Builder
	at := base
	for _, e := range edits { // in source order: ast.Inspect walks depth first, left to right
		b.Write(sn.src[at:e.from])
		b.WriteString(e.text)
		at = e.to
	}
	b.Write(sn.src[at:end])
	return strings.TrimRight(b.String(), " \t\n"), slices.Sorted(maps.Keys(used)), nil
}

// exampleCall renders one call of package example (see its doc) as the Go literal of the
// operation's example value.
func (op operation) exampleCall(name string, args []ast.Expr) (string, error) {
	str := func(i int) (string, error) {
		if i >= len(args) {
			return "", fmt.Errorf("example.%s: missing argument %d", name, i+1)
		}
		lit, ok := args[i].(*ast.BasicLit)
		if !ok {
			return "", fmt.Errorf("example.%s: argument %d must be a literal", name, i+1)
		}
		if lit.Kind == token.INT {
			return lit.Value, nil
		}
		return strconv.Unquote(lit.Value)
	}
	switch name {
	case "BodyJSON":
		return op.bodyJSON()
	case "Money":
		p, err := str(0)
		if err != nil {
			return "", err
		}
		scale, err := str(1)
		if err != nil {
			return "", err
		}
		n, err := strconv.Atoi(scale)
		if err != nil {
			return "", fmt.Errorf("example.Money: scale %q: %w", scale, err)
		}
		return op.money(p, n)
	}
	arg, err := str(0)
	if err != nil {
		return "", err
	}
	switch name {
	case "Param":
		return goLiteral(op.params, arg, false)
	case "Body":
		return op.bodyAt(arg, false)
	case "BodyString":
		return op.bodyAt(arg, true)
	}
	return "", fmt.Errorf("example.%s is not a function genexamples knows", name)
}

func (op operation) bodyAt(path string, asString bool) (string, error) {
	v, err := lookup(op.body, path)
	if err != nil {
		return "", err
	}
	return literal(v, asString), nil
}

// money renders a numeric example as a quoted decimal with scale fraction digits: the YAML
// loader hands numbers over as float64, so 250.00 arrives as 250.
func (op operation) money(path string, scale int) (string, error) {
	v, err := lookup(op.body, path)
	if err != nil {
		return "", err
	}
	f, ok := v.(float64)
	if !ok {
		return literal(v, true), nil
	}
	return strconv.Quote(strconv.FormatFloat(f, 'f', scale, 64)), nil
}

func (op operation) bodyJSON() (string, error) {
	if op.body == nil {
		return "", fmt.Errorf("no request body example")
	}
	b, err := json.Marshal(op.body)
	if err != nil {
		return "", err
	}
	if bytes.ContainsRune(b, '`') {
		return strconv.Quote(string(b)), nil
	}
	return "`" + string(b) + "`", nil
}

func render(op operation, sn snippet, envName, specPath string) ([]byte, error) {
	body, used, err := sn.code(op)
	if err != nil {
		return nil, err
	}
	// What is left of {{…}} is in comments, which name example values the same way.
	funcs := template.FuncMap{
		"param":    func(name string) (string, error) { return goLiteral(op.params, name, false) },
		"body":     func(path string) (string, error) { return op.bodyAt(path, false) },
		"bodyStr":  func(path string) (string, error) { return op.bodyAt(path, true) },
		"money":    op.money,
		"bodyJSON": op.bodyJSON,
	}
	code, err := template.New(op.ID).Funcs(funcs).Parse(body)
	if err != nil {
		return nil, err
	}
	var codeBuf bytes.Buffer
	if err := code.Execute(&codeBuf, op); err != nil {
		return nil, err
	}
	imports := append([]string{"github.com/polybill/polybill-go/examples/internal/exampleenv"}, used...)
	// Standard library first, then modules, as goimports groups them.
	var std, mods []string
	for _, imp := range imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
			mods = append(mods, imp)
		} else if imp != "context" && imp != "log" {
			std = append(std, imp)
		}
	}
	sort.Strings(std)
	sort.Strings(mods)
	var out bytes.Buffer
	err = template.Must(template.New("program").Parse(programTemplate)).Execute(&out, map[string]any{
		"Spec": specPath, "Op": op, "Env": envName, "Std": slices.Compact(std), "Imports": slices.Compact(mods), "Code": codeBuf.String(),
	})
	if err != nil {
		return nil, err
	}
	src, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting generated program: %w\n%s", err, out.String())
	}
	return src, nil
}

func goLiteral(params map[string]any, name string, asString bool) (string, error) {
	v, ok := params[name]
	if !ok {
		return "", fmt.Errorf("parameter %q has no example", name)
	}
	return literal(v, asString), nil
}

// lookup walks a dotted path ("billing.amount", "items.0.name") through a decoded example.
func lookup(v any, path string) (any, error) {
	if path == "" || path == "." {
		return v, nil
	}
	for _, part := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[part]
			if !ok {
				return nil, fmt.Errorf("body example has no %q (in %q)", part, path)
			}
			v = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(node) {
				return nil, fmt.Errorf("body example has no index %q (in %q)", part, path)
			}
			v = node[i]
		default:
			return nil, fmt.Errorf("body example cannot be indexed by %q (in %q)", part, path)
		}
	}
	return v, nil
}

// literal renders an example value as Go source: strings quoted, numbers and booleans bare
// (or quoted with asString, for decimals and string-typed ids).
func literal(v any, asString bool) string {
	var s string
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	case nil:
		s = "nil"
	default:
		b, _ := json.Marshal(x)
		return strconv.Quote(string(b))
	}
	if asString {
		return strconv.Quote(s)
	}
	return s
}
