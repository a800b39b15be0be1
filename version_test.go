package polybill_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

// TestVersionAgreesWithChangelog: the newest "## [...]" heading of CHANGELOG.md decides
// Version: "Unreleased" means a "-dev" pre-release newer than every released version, a
// release heading means exactly that version.
func TestVersionAgreesWithChangelog(t *testing.T) {
	changelog, err := os.ReadFile("CHANGELOG.md")
	require.NoError(t, err)
	headings := regexp.MustCompile(`(?m)^## \[([^\]]+)\]`).FindAllStringSubmatch(string(changelog), -1)
	require.NotEmpty(t, headings, "CHANGELOG.md has no ## [version] heading")
	semver := regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)(-dev)?$`)
	require.Regexp(t, semver, polybill.Version)
	newest := headings[0][1]
	if newest != "Unreleased" {
		assert.Equal(t, newest, polybill.Version, "the newest CHANGELOG.md heading is a release")
		return
	}
	assert.True(t, strings.HasSuffix(polybill.Version, "-dev"), "CHANGELOG.md starts with [Unreleased], so Version %q must be a -dev pre-release", polybill.Version)
	if len(headings) > 1 {
		released := headings[1][1]
		assert.NotEqual(t, released, strings.TrimSuffix(polybill.Version, "-dev"), "Version must be the next version, not the last release")
	}
}
