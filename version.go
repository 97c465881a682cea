// Package socsec holds what belongs to the repository as a whole: the
// version it releases, for builds that are not made with the Makefile's
// flags (go run, go install).
package socsec

import (
	_ "embed"
	"strings"
)

//go:embed VERSION
var version string

// Version is the release the source tree is, from the VERSION file.
var Version = strings.TrimSpace(version)
