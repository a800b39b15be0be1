package polybill

// Version is the SDK version sent in the User-Agent. Until the first release it is the next
// version with a "-dev" suffix, matching the "[Unreleased]" section of CHANGELOG.md (see
// version_test.go); a release sets it to the released number in the same commit that adds
// the release heading.
const Version = "0.1.0-dev"
