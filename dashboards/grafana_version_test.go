package dashboards

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// grafanaSchemas is the dashboard schemaVersion that Grafana releases write and migrate dashboards to, by minor
// release: a release reads a dashboard of its schemaVersion or older, and migrates only older ones. From Grafana's
// DashboardMigrator (DASHBOARD_SCHEMA_VERSION): 41 from 11.6, whose migration drops timepicker.time_options; 42 from
// 12.2, whose migration hides from tooltips the fields hidden from the visualization (hideFrom.viz). Add a row when
// the minimum below moves to a release not listed.
var grafanaSchemas = map[string]int{"11.6": 41, "12.0": 41, "12.1": 41, "12.2": 42, "12.3": 42}

// minimumGrafana is how docs/stack.md states the oldest Grafana the dashboards support.
var minimumGrafana = regexp.MustCompile(`Grafana ([0-9]+)\.([0-9]+) or newer`)

// TestDashboardsNeedTheGrafanaTheDocsState checks that docs/stack.md states one minimum Grafana version, that every
// generated dashboard declares the schemaVersion of that release (newer would be a schema it does not know; older
// would make it run migrations written for other dashboards), that none uses what the next schema migrates
// (hideFrom overrides), and that the docker-compose stack runs that release or a newer one.
func TestDashboardsNeedTheGrafanaTheDocsState(t *testing.T) {
	doc, err := os.ReadFile("../docs/stack.md")
	if err != nil {
		t.Fatal(err)
	}
	stated := minimumGrafana.FindAllStringSubmatch(string(doc), -1)
	if len(stated) != 1 {
		t.Fatalf("docs/stack.md states %d minimum Grafana versions (%q), want exactly one \"Grafana X.Y or newer\"",
			len(stated), minimumGrafana)
	}
	minimum := stated[0][1] + "." + stated[0][2]
	schema, ok := grafanaSchemas[minimum]
	if !ok {
		t.Fatalf("docs/stack.md states Grafana %s or newer, whose schemaVersion this test does not know: add it to grafanaSchemas", minimum)
	}
	if SchemaVersion != schema {
		t.Errorf("the generator declares schemaVersion %d, but Grafana %s, the minimum docs/stack.md states, is at %d", SchemaVersion, minimum, schema)
	}
	for _, path := range dashboardFiles(t) {
		m, err := ReadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		if m.SchemaVersion != schema {
			t.Errorf("%s: schemaVersion %d, want %d, that of Grafana %s, the minimum docs/stack.md states", path, m.SchemaVersion, schema, minimum)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), `"hideFrom"`) && hidesFromOverride(t, raw) {
			t.Errorf("%s: an override sets hideFrom, which schemaVersion 42 migrates: declare 42 and raise the minimum to Grafana 12.2", path)
		}
	}

	compose, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var stack struct {
		Services map[string]struct {
			Image string `yaml:"image"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(compose, &stack); err != nil {
		t.Fatal(err)
	}
	image := stack.Services["grafana"].Image
	tag, ok := strings.CutPrefix(image, "grafana/grafana:")
	if !ok {
		t.Fatalf("docker-compose.yml: the grafana service runs %q, want grafana/grafana:<version>", image)
	}
	if older, err := versionBefore(tag, minimum); err != nil || older {
		t.Errorf("docker-compose.yml runs Grafana %s, older than %s, the minimum docs/stack.md states (%v)", tag, minimum, err)
	}
}

// hidesFromOverride reports whether an override of a panel of the dashboard JSON raw sets hideFrom.
func hidesFromOverride(t *testing.T, raw []byte) bool {
	t.Helper()
	var d struct {
		Panels []struct {
			FieldConfig struct {
				Overrides []struct {
					Properties []struct {
						ID string `json:"id"`
					} `json:"properties"`
				} `json:"overrides"`
			} `json:"fieldConfig"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Panels {
		for _, o := range p.FieldConfig.Overrides {
			for _, prop := range o.Properties {
				if strings.HasPrefix(prop.ID, "custom.hideFrom") {
					return true
				}
			}
		}
	}
	return false
}

// versionBefore reports whether the release version (X.Y.Z) is older than the minor release minimum (X.Y).
func versionBefore(version, minimum string) (bool, error) {
	parse := func(s string, n int) ([]int, error) {
		parts := strings.Split(s, ".")
		if len(parts) != n {
			return nil, fmt.Errorf("%q is not a version of %d numbers", s, n)
		}
		out := make([]int, n)
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", s, err)
			}
			out[i] = v
		}
		return out, nil
	}
	v, err := parse(version, 3)
	if err != nil {
		return false, err
	}
	m, err := parse(minimum, 2)
	if err != nil {
		return false, err
	}
	return v[0] < m[0] || v[0] == m[0] && v[1] < m[1], nil
}
