package polybill_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFewDirectDependencies keeps the library light for its users: at most six direct
// requirements (the generator lives in tools.mod and never reaches their build).
func TestFewDirectDependencies(t *testing.T) {
	data, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	var direct []string
	inRequire := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			inRequire = true
		case line == ")":
			inRequire = false
		case strings.HasPrefix(line, "require ") && !strings.HasSuffix(line, "("):
			if !strings.Contains(line, "// indirect") {
				direct = append(direct, strings.Fields(line)[1])
			}
		case inRequire && line != "" && !strings.Contains(line, "// indirect"):
			direct = append(direct, strings.Fields(line)[0])
		}
	}
	assert.LessOrEqual(t, len(direct), 6, "direct requirements: %v", direct)
	assert.Contains(t, string(data), "\ngo 1.25", "the go directive stays at 1.25 (oapi-codegen v2.8.2 needs it)")
}
