package examples_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var apis = []string{"crm", "epilot", "encounters", "clinic"}

// vendorEnv are the prefixes of the vendors' variables: removed from the environment of the
// ordinary runs so their output is the same on every machine.
var vendorEnv = []string{"BLOCKS_", "EPILOT_", "HAPIHUB_", "BIOECKO_"}

const modulePath = "github.com/polybill/polybill-go"

func TestMain(m *testing.M) {
	code := m.Run()
	if all.dir != "" {
		os.RemoveAll(all.dir)
	}
	os.Exit(code)
}

func specOperations(t *testing.T, api string) []string {
	t.Helper()
	spec, err := openapi3.NewLoader().LoadFromFile(filepath.Join("..", "openapi", api+".yaml"))
	require.NoError(t, err)
	var ids []string
	for _, item := range spec.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	sort.Strings(ids)
	return ids
}

func programDirs(t *testing.T, api string) []string {
	t.Helper()
	entries, err := os.ReadDir(api)
	require.NoError(t, err)
	var dirs []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(api, e.Name(), "main.go")); e.IsDir() && err == nil {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs
}

// allPrograms lists every program under examples/ as "<api>/<operation>", and "quickstart".
func allPrograms(t *testing.T) []string {
	t.Helper()
	programs := []string{"quickstart"}
	for _, api := range apis {
		for _, dir := range programDirs(t, api) {
			programs = append(programs, api+"/"+dir)
		}
	}
	return programs
}

// TestOneProgramPerOperation counts both sides, per API and in total.
func TestOneProgramPerOperation(t *testing.T) {
	ops, programs := 0, 0
	for _, api := range apis {
		o, p := specOperations(t, api), programDirs(t, api)
		assert.Len(t, p, len(o), "%s: %d operations, %d example programs", api, len(o), len(p))
		for _, id := range o {
			assert.Contains(t, p, kebab(id), "%s: operation %s has no program", api, id)
		}
		ops += len(o)
		programs += len(p)
	}
	assert.Equal(t, ops, programs)
	t.Logf("%d operations, %d example programs", ops, programs)
}

// all is the one binary holding every program, built on first use.
var all struct {
	once      sync.Once
	dir, path string
	err       error
}

// programsBinary builds every program under examples/ into one executable, run as
// `<binary> <program> [args]`. Linking 65 binaries on every run was 80 % of the suite's time;
// linking one costs the same as linking any of them. The programs' own files are compiled,
// through a -overlay that shows the compiler each main.go with two names changed: `package
// main` becomes an importable package and `func main` an exported Main. A generated driver
// imports them all and dispatches on its first argument.
func programsBinary(t *testing.T) string {
	t.Helper()
	if raceEnabled {
		t.Skip("the programs are built without -race; covered by the plain go test run")
	}
	if testing.Short() {
		t.Skip("-short: building and running the example programs is left to the full suite (.ci/run)")
	}
	all.once.Do(func() { all.dir, all.path, all.err = buildProgramsBinary(allPrograms(t)) })
	require.NoError(t, all.err)
	return all.path
}

func buildProgramsBinary(programs []string) (dir, binary string, err error) {
	dir, err = os.MkdirTemp("", "polybill-examples-")
	if err != nil {
		return "", "", err
	}
	wd, err := os.Getwd()
	if err != nil {
		return dir, "", err
	}
	replace := map[string]string{}
	var driver bytes.Buffer
	driver.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n")
	for i, p := range programs {
		files, err := filepath.Glob(filepath.Join(wd, filepath.FromSlash(p), "*.go"))
		if err != nil {
			return dir, "", err
		}
		for j, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := asImportable(file)
			if err != nil {
				return dir, "", err
			}
			out := filepath.Join(dir, fmt.Sprintf("p%d_%d.go", i, j))
			if err := os.WriteFile(out, src, 0o644); err != nil {
				return dir, "", err
			}
			replace[file] = out
		}
		fmt.Fprintf(&driver, "\tp%d %q\n", i, modulePath+"/examples/"+p)
	}
	driver.WriteString(")\n\nvar programs = map[string]func(){\n")
	for i, p := range programs {
		fmt.Fprintf(&driver, "\t%q: p%d.Main,\n", p, i)
	}
	driver.WriteString(`}

func main() {
	run, ok := programs[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "no program %q\n", os.Args[1])
		os.Exit(2)
	}
	os.Args = os.Args[1:]
	run()
}
`)
	driverSrc := filepath.Join(dir, "driver.go")
	if err := os.WriteFile(driverSrc, driver.Bytes(), 0o644); err != nil {
		return dir, "", err
	}
	// The driver's directory exists only in the overlay; being under examples/ lets it import
	// what the programs import.
	replace[filepath.Join(wd, "internal", "allprograms", "main.go")] = driverSrc
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return dir, "", err
	}
	overlayPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayPath, overlay, 0o644); err != nil {
		return dir, "", err
	}
	binary = filepath.Join(dir, "programs")
	build := exec.Command("go", "build", "-overlay", overlayPath, "-o", binary, "./internal/allprograms")
	if out, err := build.CombinedOutput(); err != nil {
		return dir, "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return dir, binary, nil
}

// asImportable returns a program's source with `package main` renamed and `func main`
// exported as Main, and nothing else changed.
func asImportable(file string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	if f.Name.Name != "main" {
		return nil, fmt.Errorf("%s: package %s, want main", file, f.Name.Name)
	}
	f.Name.Name = "program"
	for _, decl := range f.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv == nil {
			switch fn.Name.Name {
			case "Main":
				return nil, fmt.Errorf("%s: a function named Main clashes with the renamed main", file)
			case "main":
				fn.Name.Name = "Main"
			}
		}
	}
	var out bytes.Buffer
	err = format.Node(&out, fset, f)
	return out.Bytes(), err
}

// run runs one program with the given environment, returning its stdout, stderr and error.
func run(t *testing.T, env []string, program string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, programsBinary(t), append([]string{program}, args...)...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// apisOf lists the APIs a program uses, in the order it announces them.
func apisOf(program string) []string {
	if program == "quickstart" {
		return apis
	}
	return []string{strings.SplitN(program, "/", 2)[0]}
}

// TestEveryProgramRuns runs every program under examples/ against its fake; any non-zero exit
// fails, and each must first say that it runs on the fake.
func TestEveryProgramRuns(t *testing.T) {
	programsBinary(t)
	programs := allPrograms(t)
	env := cleanEnv()
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for _, name := range programs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			stdout, stderr, err := run(t, env, name)
			if !assert.NoError(t, err, "%s exited with an error:\n%s\n%s", name, stdout, stderr) {
				return
			}
			lines := strings.Split(stderr, "\n")
			for i, api := range apisOf(name) {
				if assert.Greater(t, len(lines), i, name) {
					assert.Regexp(t, `^`+api+`: in-process fake at http://127\.0\.0\.1:\d+$`, lines[i], "%s: line %d of stderr", name, i+1)
				}
			}
		}()
	}
	wg.Wait()
}

// recorder stands in for every vendor on a loopback port and records what reaches it.
type recorder struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"not_found","message":"recorder"}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

// vendorVariables configures every API's real service as the recorder, with credentials.
func (r *recorder) vendorVariables() []string {
	return append(cleanEnv(),
		"BLOCKS_API_URL="+r.URL, "BLOCKS_AUTH_TOKEN=tok", "BLOCKS_API_KEY=key",
		"EPILOT_API_URL="+r.URL, "EPILOT_TOKEN=tok",
		"HAPIHUB_API_URL="+r.URL, "HAPIHUB_TOKEN=tok",
		"BIOECKO_API_URL="+r.URL, "BIOECKO_CLIENT_ID=id", "BIOECKO_CLIENT_SECRET=secret",
	)
}

// TestVendorVariablesAloneNeverReachTheRealAPI sets every vendor variable to a loopback
// recorder and runs the quickstart and a write of each API without -live: they run on their
// fakes, say that the variables are ignored, and the recorder receives nothing.
func TestVendorVariablesAloneNeverReachTheRealAPI(t *testing.T) {
	programsBinary(t) // skips here, not in each subtest, under -short and -race
	rec := newRecorder(t)
	env := rec.vendorVariables()
	for _, program := range []string{"quickstart", "crm/create-meeting-billing", "epilot/create-billing-event", "encounters/create-payment", "clinic/record-payment"} {
		t.Run(program, func(t *testing.T) {
			stdout, stderr, err := run(t, env, program)
			require.NoError(t, err, "%s\n%s", stdout, stderr)
			lines := strings.Split(stderr, "\n")
			for i, api := range apisOf(program) {
				require.Greater(t, len(lines), i)
				assert.Regexp(t, `^`+api+`: in-process fake at http://127\.0\.0\.1:\d+ \(.+ set but ignored: pass -live to call the real API\)$`, lines[i])
			}
		})
	}
	assert.Empty(t, rec.received(), "a program without -live reached the vendor's URL")
}

// TestLiveCallsTheConfiguredURL: with -live each API goes to the URL of its vendor variable
// (the recorder), and the program first says so.
func TestLiveCallsTheConfiguredURL(t *testing.T) {
	programsBinary(t) // skips here, not in each subtest, under -short and -race
	for _, tc := range []struct{ program, first string }{
		{"crm/get-billing", "GET /billings/billing-uuid-123"},
		{"epilot/get-billing-event", "GET /v1/billing/events/5da0a718-c822-403d-9f5d-20d4584e0528"},
		{"encounters/get-invoice", "GET /billing-invoices/"},
		{"clinic/get-invoice", "POST /api/v1/auth/token"},
	} {
		t.Run(tc.program, func(t *testing.T) {
			rec := newRecorder(t)
			_, stderr, _ := run(t, rec.vendorVariables(), tc.program, "-live")
			api := apisOf(tc.program)[0]
			assert.Equal(t, api+": LIVE "+rec.URL, strings.SplitN(stderr, "\n", 2)[0])
			got := rec.received()
			require.NotEmpty(t, got, "-live did not reach the configured URL")
			assert.True(t, strings.HasPrefix(got[0], tc.first), "first request %q, want %q…", got[0], tc.first)
		})
	}
}

// TestLiveForSomeAPIs: -live=crm sends crm to the recorder and keeps the other three on their
// fakes, with their variables reported as ignored.
func TestLiveForSomeAPIs(t *testing.T) {
	programsBinary(t) // skips here, not in each subtest, under -short and -race
	rec := newRecorder(t)
	_, stderr, err := run(t, rec.vendorVariables(), "quickstart", "-live=crm")
	require.Error(t, err, "the recorder answers 404, so the crm walk fails")
	lines := strings.Split(stderr, "\n")
	require.Greater(t, len(lines), 4)
	assert.Equal(t, "crm: LIVE "+rec.URL, lines[0])
	for i, api := range apis[1:] {
		assert.Regexp(t, `^`+api+`: in-process fake at http://127\.0\.0\.1:\d+ \(.+ set but ignored`, lines[i+1])
	}
	got := rec.received()
	require.NotEmpty(t, got)
	for _, r := range got {
		assert.True(t, strings.HasPrefix(r, "POST /meetings/") || strings.HasPrefix(r, "GET /meetings/"), "only crm goes live: %s", r)
	}
}

// TestLiveWithoutVariablesFails: -live with a vendor's variables unset ends the program with a
// message naming them, before any request.
func TestLiveWithoutVariablesFails(t *testing.T) {
	programsBinary(t) // skips here, not in each subtest, under -short and -race
	for _, tc := range []struct{ program, want string }{
		{"crm/get-billing", "-live: crm needs BLOCKS_AUTH_TOKEN, BLOCKS_API_KEY set"},
		{"epilot/get-billing-event", "-live: epilot needs EPILOT_TOKEN set"},
		{"encounters/get-invoice", "-live: encounters needs HAPIHUB_API_URL set"},
		{"clinic/get-invoice", "-live: clinic needs BIOECKO_API_URL, BIOECKO_CLIENT_ID, BIOECKO_CLIENT_SECRET set"},
	} {
		t.Run(tc.program, func(t *testing.T) {
			_, stderr, err := run(t, cleanEnv(), tc.program, "-live")
			require.Error(t, err)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, "LIVE")
		})
	}
	_, stderr, err := run(t, cleanEnv(), "crm/get-billing", "-live=crm,billing")
	require.Error(t, err)
	assert.Contains(t, stderr, `unknown API "billing"`)
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		keep := true
		for _, prefix := range vendorEnv {
			if strings.HasPrefix(kv, prefix) {
				keep = false
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
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
