package main

import (
	"runtime/debug"

	"github.com/prometheus/common/version"

	socsec "github.com/socsec-exporter/socsec_exporter"
)

// fillVersion completes the build information of a binary built without
// the Makefile's -ldflags (go run, go install): the version from VERSION,
// the revision and date from what the go command records of the checkout.
func fillVersion() {
	if version.Version == "" {
		version.Version = socsec.Version
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
