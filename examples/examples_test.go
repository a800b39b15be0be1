package examples_test

import (
	"context"
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

// vendorEnv are the variables that switch an example to the real API: they are removed so
// every program runs against its fake.
var vendorEnv = []string{"BLOCKS_", "EPILOT_", "HAPIHUB_", "BIOECKO_"}

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

// TestEveryProgramRuns builds every program under examples/ once and runs each against its
// fake; any non-zero exit fails. The programs are ordinary binaries built without -race, so
// the race-detector pass of the suite skips this (it would rebuild and rerun the same thing).
func TestEveryProgramRuns(t *testing.T) {
	if raceEnabled {
		t.Skip("programs are built without -race; covered by the plain go test run")
	}
	// One output directory per API: operation names repeat across APIs (get-invoice).
	bin := t.TempDir()
	var programs []string
	for _, pkg := range append(append([]string(nil), apis...), "quickstart") {
		dir := filepath.Join(bin, pkg)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		pattern := "./" + pkg + "/..."
		if pkg == "quickstart" {
			pattern = "./quickstart"
		}
		build := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), pattern)
		out, err := build.CombinedOutput()
		require.NoError(t, err, "go build %s:\n%s", pattern, out)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			programs = append(programs, filepath.Join(pkg, e.Name()))
		}
	}
	for _, api := range apis {
		for _, dir := range programDirs(t, api) {
			assert.Contains(t, programs, filepath.Join(api, dir), "not built")
		}
	}
	env := cleanEnv()
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for _, name := range programs {
		path := filepath.Join(bin, name)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, path)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			assert.NoError(t, err, "%s exited with an error:\n%s", name, out)
		}()
	}
	wg.Wait()
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
