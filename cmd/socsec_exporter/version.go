package main

import (
	"runtime/debug"

	"github.com/prometheus/common/version"
)

// release is the VERSION file's release, for binaries built without the
// Makefile's -ldflags (go run, go install); TestReleaseIsVERSION keeps the two
// equal, so a release changes both.
const release = "0.1.0"

// fillVersion completes the build information of a binary built without
// the Makefile's -ldflags: the release, and the revision and date the go
// command records of the checkout when it stamps version control data.
func fillVersion() {
	if version.Version == "" {
		version.Version = release
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && (version.Revision == "" || version.Revision == "unknown"):
			version.Revision = s.Value[:min(len(s.Value), 7)]
		case s.Key == "vcs.time" && version.BuildDate == "":
			version.BuildDate = s.Value
		}
	}
}
