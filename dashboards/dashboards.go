// Package dashboards builds the Grafana dashboards of socsec_exporter as code.
//
// Run `go generate ./dashboards` to write the JSON files next to this package; Grafana provisions them from there.
package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

//go:generate go run ./gen

// File is one generated dashboard and the name of the JSON file it is written to.
type File struct {
	Name    string
	Builder cog.Builder[dashboard.Dashboard]
}

// Files returns every dashboard the project ships, in a stable order.
func Files() []File {
	return []File{
		{Name: "socsec-overview.json", Builder: overview()},
		{Name: "socsec-coverage.json", Builder: coverage()},
		{Name: "socsec-pensions.json", Builder: pensions()},
		{Name: "socsec-children.json", Builder: children()},
		{Name: "socsec-sources.json", Builder: sources()},
		{Name: "socsec-exporter.json", Builder: exporterHealth()},
		{Name: "socsec-history.json", Builder: history()},
	}
}

// Render builds a dashboard and encodes it as indented JSON with a trailing newline.
func Render(f File) ([]byte, error) {
	d, err := f.Builder.Build()
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", f.Name, err)
	}
	d.SchemaVersion = SchemaVersion
	// Every panel gets a stable id and queries the dashboard's data source variable, like its targets do.
	for i, p := range d.Panels {
		if p.Panel != nil {
			p.Panel.Id = cog.ToPtr(uint32(i + 1))
			p.Panel.Datasource = cog.ToPtr(datasource())
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encode %s: %w", f.Name, err)
	}
	// Types with their own JSON encoding escape & in strings; the file reads better, and means the same, without.
	return bytes.ReplaceAll(buf.Bytes(), []byte(`\u0026`), []byte("&")), nil
}

// SchemaVersion is the dashboard schema the generated dashboards declare: that of Grafana 12.1, the oldest release
// they support (docs/stack.md), which the docker-compose stack runs. The SDK writes 42, Grafana 12.2's, whose only
// migration hides from tooltips what an override hides from the visualization; these dashboards have no such
// override (grafana_version_test.go), so they are the same in both schemas, and a newer Grafana migrates them on load.
const SchemaVersion = 41
