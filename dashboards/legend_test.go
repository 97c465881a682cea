package dashboards

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
)

// TestChartsShowLegends checks that every bar chart, time series and trend names its series in a legend, since colours
// alone tell them apart only by hovering: a table where the panel may show many series (one per programme of a
// multi-value variable, category, dataset or instance), a list where the query fixes their number.
func TestChartsShowLegends(t *testing.T) {
	charts := 0
	for _, path := range dashboardFiles(t) {
		m, err := ReadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m.Panels {
			if p.Type != "barchart" && p.Type != "timeseries" && p.Type != "trend" {
				continue
			}
			charts++
			name := path + ": panel " + strconv.Quote(p.Title)
			l := p.Options.Legend
			if l == nil || !l.ShowLegend {
				t.Errorf("%s hides its legend: its series can be told apart only by hovering", name)
				continue
			}
			if l.Placement != "bottom" && l.Placement != "right" {
				t.Errorf("%s: legend placement %q, want bottom or right", name, l.Placement)
			}
			label, few := seriesLabel(t, p)
			want := "table"
			if few {
				want = "list"
			}
			if l.DisplayMode != want {
				t.Errorf("%s: legend display mode %q, want %q: its series are one per value of %s, of which the query allows %s",
					name, l.DisplayMode, want, label, map[bool]string{true: "a fixed few", false: "many"}[few])
			}
		}
	}
	if charts < 10 {
		t.Errorf("found only %d bar charts, time series and trends: the dashboards are not read as they are", charts)
	}
}

var legendLabel = regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`)

// seriesLabel returns the label whose values name a chart's series (the column of a groupingToMatrix, else the
// labels of the legend format), and whether the queries fix how many values it takes: constants that label_replace
// gives, or a programme that every data selector pins with =.
func seriesLabel(t *testing.T, p Panel) (string, bool) {
	t.Helper()
	var names []string
	for _, tr := range p.Transformations {
		if tr.ID == "groupingToMatrix" {
			column, _ := tr.Options["columnField"].(string)
			names = append(names, column)
		}
	}
	if len(names) == 0 {
		for _, target := range p.Targets {
			for _, m := range legendLabel.FindAllStringSubmatch(target.LegendFormat, -1) {
				if !slices.Contains(names, m[1]) {
					names = append(names, m[1])
				}
			}
		}
	}
	if len(names) == 0 {
		t.Fatalf("panel %q: no label names its series (no matrix column, no legend format)", p.Title)
	}
	few := true
	for _, name := range names {
		programme := name == "program" || name == "program_name"
		few = few && (constantLabel(t, p, name) || programme && pinsProgram(t, p))
	}
	return strings.Join(names, ", "), few
}

// constantLabel reports whether every target gives label only constant values through label_replace.
func constantLabel(t *testing.T, p Panel, label string) bool {
	t.Helper()
	for _, target := range p.Targets {
		expr, err := promql.ParseExpr(target.Expr)
		if err != nil {
			t.Fatalf("panel %q: %v", p.Title, err)
		}
		for _, vs := range shownSelectors(expr) {
			if _, ok := labelReplacements(expr)[vs][label]; !ok {
				return false
			}
		}
	}
	return true
}

// pinsProgram reports whether every selector of a data family in the targets matches a single programme.
func pinsProgram(t *testing.T, p Panel) bool {
	t.Helper()
	for _, target := range p.Targets {
		expr, err := promql.ParseExpr(target.Expr)
		if err != nil {
			t.Fatalf("panel %q: %v", p.Title, err)
		}
		for _, vs := range shownSelectors(expr) {
			if strings.HasSuffix(vs.Name, "_info") {
				continue
			}
			if !slices.ContainsFunc(vs.LabelMatchers, func(m *labels.Matcher) bool {
				return m.Name == "program" && m.Type == labels.MatchEqual
			}) {
				return false
			}
		}
	}
	return true
}

// TestSeriesLabelTellsFewFromMany checks the classification TestChartsShowLegends relies on.
func TestSeriesLabelTellsFewFromMany(t *testing.T) {
	for _, c := range []struct {
		expr, legend, column string
		few                  bool
	}{
		{`a{job=~"$job",program=~"$program"}`, "{{program_name}}", "", false},
		{`a{job=~"$job",program="$program"} * on (program) group_left (program_name) socsec_program_info{job=~"$job"}`, "", "program_name", true},
		{`a{job=~"$job"}`, "{{dataset}}", "", false},
		{`label_replace(a{job=~"$job"}, "m", "x", "", "") or label_replace(b{job=~"$job"}, "m", "y", "", "")`, "", "m", true},
		{`label_replace(a{job=~"$job"}, "m", "x", "", "") or b{job=~"$job"}`, "", "m", false},
		{`a{job=~"$job",program="$program"}`, "{{category}}", "", false},
	} {
		p := Panel{Title: c.expr, Targets: []Target{{Expr: c.expr, LegendFormat: c.legend}}}
		if c.column != "" {
			p.Transformations = []Transformation{{ID: "groupingToMatrix", Options: map[string]any{"columnField": c.column}}}
		}
		if _, few := seriesLabel(t, p); few != c.few {
			t.Errorf("%s (legend %q, column %q): few = %v, want %v", c.expr, c.legend, c.column, few, c.few)
		}
	}
}

// dashboardFiles returns the generated dashboard JSON files, failing the test when there are none.
func dashboardFiles(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboard JSON files (%v): run go generate ./dashboards", err)
	}
	return paths
}
