// Command gen writes the socsec_exporter Grafana dashboards as JSON files.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/socsec-exporter/socsec_exporter/dashboards"
)

func main() {
	out := flag.String("out", ".", "directory the dashboard JSON files are written to")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func write(dir string) error {
	for _, f := range dashboards.Files() {
		b, err := dashboards.Render(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
