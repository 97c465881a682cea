// Command gen copies the rule files of deploy/prometheus/rules/ and the dashboards of dashboards/ into the Helm
// chart's files/ directory, which its PrometheusRule and dashboard ConfigMaps read, removing any copy whose original
// is gone. It runs in deploy/helm (go generate ./deploy/helm).
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// copies are the chart's directories of copies and the files they copy.
var copies = []struct{ dir, glob string }{
	{"socsec-exporter/files/rules", "../prometheus/rules/*.yml"},
	{"socsec-exporter/files/dashboards", "../../dashboards/*.json"},
}

func main() {
	for _, c := range copies {
		if err := sync(c.dir, c.glob); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// sync makes dir hold exactly the files glob matches, byte for byte.
func sync(dir, glob string) error {
	sources, err := filepath.Glob(glob)
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		return fmt.Errorf("no files match %s", glob)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.Base(src))
		want[filepath.Base(src)] = true
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !want[e.Name()] {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
