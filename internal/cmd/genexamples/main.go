// Command genexamples writes one runnable program per operation of openapi/*.yaml into
// examples/<api>/<operation>/main.go, using the hand-written public client and the request
// values of the spec's own examples. It is run by go generate in examples/.
//
// Each operation needs a snippet (snippets_<api>.go): the call of the public client method
// that implements it, written as a template over the operation's examples. A spec operation
// without a snippet, or a snippet without an operation, fails generation, so a spec change
// cannot silently leave the examples behind.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"go/scanner"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
)

// snippet is the body of one example program.
type snippet struct {
	// Code is a text/template of Go statements run inside main with ctx, env (the
	// exampleenv value: env.Client, env.Fake) and the imports below in scope.
	Code string
	// Imports are extra import paths the code needs.
	Imports []string
}

// apis lists the APIs in the order they are generated, with their Go package import path.
var apis = []struct {
	name, pkg, env string
	snippets       map[string]snippet
}{
	{"crm", "github.com/polybill/polybill-go/crm", "CRM", crmSnippets},
	{"epilot", "github.com/polybill/polybill-go/epilot", "Epilot", epilotSnippets},
	{"encounters", "github.com/polybill/polybill-go/encounters", "Encounters", encountersSnippets},
	{"clinic", "github.com/polybill/polybill-go/clinic", "Clinic", clinicSnippets},
}

func main() {
	specDir := flag.String("specs", "../openapi", "directory holding <api>.yaml")
	outDir := flag.String("out", ".", "examples directory")
	only := flag.String("api", "", "generate only this API (while its snippets are being written)")
	flag.Parse()
	total := 0
	for _, api := range apis {
		if *only != "" && api.name != *only {
			continue
		}
		n, err := generate(*specDir, *outDir, api.name, api.pkg, api.env, api.snippets)
		if err != nil {
			log.Fatalf("genexamples: %s: %v", api.name, err)
		}
		total += n
	}
	log.Printf("genexamples: wrote %d example programs", total)
}

// operation is what a template sees of one spec operation.
type operation struct {
	API, ID, Method, Path, Summary, Dir string
	params                              map[string]any
	body                                any
}

func generate(specDir, outDir, api, pkg, envName string, snippets map[string]snippet) (int, error) {
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
			return 0, fmt.Errorf("operation %s has no snippet in snippets_%s.go", op.ID, api)
		}
		src, err := render(op, sn, pkg, envName, filepath.ToSlash(specPath))
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
			return 0, fmt.Errorf("snippet %s matches no operation of %s", id, specPath)
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

func render(op operation, sn snippet, pkg, envName, specPath string) ([]byte, error) {
	funcs := template.FuncMap{
		"param":    func(name string) (string, error) { return goLiteral(op.params, name, false) },
		"paramStr": func(name string) (string, error) { return goLiteral(op.params, name, true) },
		"body": func(path string) (string, error) {
			v, err := lookup(op.body, path)
			if err != nil {
				return "", err
			}
			return literal(v, false), nil
		},
		"bodyStr": func(path string) (string, error) {
			v, err := lookup(op.body, path)
			if err != nil {
				return "", err
			}
			return literal(v, true), nil
		},
		// money renders a numeric example as a quoted decimal with scale fraction digits: the
		// YAML loader hands numbers over as float64, so 250.00 arrives as 250.
		"money": func(path string, scale int) (string, error) {
			v, err := lookup(op.body, path)
			if err != nil {
				return "", err
			}
			f, ok := v.(float64)
			if !ok {
				return literal(v, true), nil
			}
			return strconv.Quote(strconv.FormatFloat(f, 'f', scale, 64)), nil
		},
		"bodyJSON": func() (string, error) {
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
		},
	}
	code, err := template.New(op.ID).Funcs(funcs).Parse(sn.Code)
	if err != nil {
		return nil, err
	}
	var codeBuf bytes.Buffer
	if err := code.Execute(&codeBuf, op); err != nil {
		return nil, err
	}
	imports := append([]string{"github.com/polybill/polybill-go/examples/internal/exampleenv"}, sn.Imports...)
	if usesPackage(codeBuf.String(), op.API) {
		imports = append(imports, pkg)
	}
	if usesPackage(codeBuf.String(), "polybill") {
		imports = append(imports, "github.com/polybill/polybill-go")
	}
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

// usesPackage reports whether Go code refers to package name (an identifier followed by a
// dot), ignoring comments and string literals.
func usesPackage(code, name string) bool {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	src := []byte(code)
	sc.Init(fset.AddFile("", fset.Base(), len(src)), src, nil, 0)
	prevIdent := false
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			return false
		}
		if tok == token.PERIOD && prevIdent {
			return true
		}
		prevIdent = tok == token.IDENT && lit == name
	}
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
