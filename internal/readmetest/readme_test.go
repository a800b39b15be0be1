// Package readmetest compiles every Go snippet of README.md, so the README cannot drift from
// the API (stripe-go's README once showed a loop over a method that no longer existed).
package readmetest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// preamble imports everything a snippet may use; each snippet becomes the body of a function
// with ctx in scope.
const preamble = `package readme

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/clinic/webhook"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/crm/crmtest"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/epilot/epilottest"
)

var (
	_ = context.Background
	_ = errors.Is
	_ = fmt.Println
	_ = slog.New
	_ = http.StatusOK
	_ = os.Getenv
	_ = time.Second
	_ = polybill.ErrNotFound
	_ = clinic.New
	_ = clinictest.New
	_ = webhook.Verify
	_ = crm.New
	_ = crmtest.New
	_ = encounters.New
	_ = encounterstest.New
	_ = epilot.New
	_ = epilottest.New
)
`

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

func TestReadmeSnippetsCompile(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	blocks := goBlock.FindAllSubmatch(readme, -1)
	require.NotEmpty(t, blocks, "README.md has Go snippets")

	var src bytes.Buffer
	src.WriteString(preamble)
	for i, b := range blocks {
		fmt.Fprintf(&src, "\n// README snippet %d\nfunc snippet%d(ctx context.Context) error {\n%s\n\treturn nil\n}\n", i+1, i+1, b[1])
	}

	// A throwaway module that uses this checkout: the snippets compile against the code as it
	// is, with the same dependency versions.
	dir := t.TempDir()
	gomod := fmt.Sprintf("module readmecheck\n\ngo 1.25\n\nrequire github.com/polybill/polybill-go v0.0.0\n\nreplace github.com/polybill/polybill-go => %s\n", root)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "readme.go"), src.Bytes(), 0o644))

	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	build := exec.Command("go", "build", "./...")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("README snippets do not compile:\n%s\n\nsource:\n%s", out, numbered(src.String()))
	}
	t.Logf("%d README snippets compiled", len(blocks))
}

func numbered(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}
