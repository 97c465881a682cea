package dashboards

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"
)

// The rules below re-implement those of grafana/dashboard-linter that apply to a single-job exporter; the instance
// rules are left out on purpose: the exporter is a singleton and its figures do not depend on the instance.
// The job rule holds for the History dashboard too: backfilled series have no scrape job, so the stack backfills
// with socsec_exporter backfill --label=job=socsec_history, and the dashboard filters on that label like the others.

const dsUID = "${datasource}"

// prometheusMetrics are the series Prometheus itself records for every scrape job and alert.
var prometheusMetrics = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS"}

// validUnits are the Grafana unit ids the dashboards may use; "suffix:<text>" custom units are accepted too.
var validUnits = []string{"percentunit", "percent", "short", "none", "s", "dateTimeAsIso", "bytes"}

// unitBySuffix is the unit a panel must use when every data family it shows ends in the suffix.
var unitBySuffix = map[string]string{"_ratio": "percentunit", "_persons": "short"}

var promql = parser.NewParser(parser.Options{})

func TestDashboardsPassLint(t *testing.T) {
	known := knownMetrics(t)
	paths, err := filepath.Glob("*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboard JSON files (%v): run go generate ./dashboards", err)
	}
	uids := map[string]string{}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			m, err := ReadModel(path)
			if err != nil {
				t.Fatal(err)
			}
			if other, ok := uids[m.UID]; ok {
				t.Errorf("uid %q is used by %s too", m.UID, other)
			}
			uids[m.UID] = path
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(raw), "${DS_") {
				t.Error("dashboard refers to an import-time ${DS_...} input")
			}
			for _, problem := range lint(m, known) {
				t.Error(problem)
			}
		})
	}
}

func TestLintFindsViolations(t *testing.T) {
	known := map[string]bool{"socsec_coverage_ratio": true}
	editable := true
	m := Model{UID: "", Editable: &editable, Inputs: []any{"DS_PROMETHEUS"}}
	m.Templating.List = []Variable{
		{Type: "datasource", Name: "datasource", Label: "Datasource", Query: "prometheus"},
		{Type: "query", Name: "job", Query: "label_values(up, job)", Datasource: &Ref{UID: "prometheus"}, Refresh: 1},
		{Type: "query", Name: "region", Query: `query_result(socsec_region_info)`, Datasource: &Ref{UID: dsUID}, Refresh: 2,
			Regex: `/region_code="(?<value>[^"]+)"/`},
	}
	m.Panels = []Panel{
		{Title: "No targets", Type: "stat", Datasource: &Ref{UID: dsUID}},
		{Type: "barchart", Datasource: &Ref{UID: "prometheus"}, Targets: []Target{
			{Expr: `socsec_coverage_ratio{`, Datasource: &Ref{UID: dsUID}},
			{Expr: `socsec_coverage_ratio`, Datasource: &Ref{UID: dsUID}},
			{Expr: `socsec_made_up_persons{job=~"$job"}`},
		}},
	}
	m.Panels[1].FieldConfig.Defaults.Unit = "currency:¥"
	want := []string{
		`uid is empty`,
		`editable is not false`,
		`__inputs present`,
		`datasource variable label is "Datasource", want "Data source"`,
		`job variable: datasource uid "prometheus", want "${datasource}"`,
		`job variable: not multi-select`,
		`job variable: allValue "", want ".+"`,
		`job variable: refresh 1, want 2`,
		`region variable: selector socsec_region_info has no job=~"$job" matcher`,
		`region variable: regex must take the value from region_code and the text from region_text`,
		`panel "No targets": no description`,
		`panel "No targets": no unit`,
		`panel "No targets": no targets`,
		`panel "": no title`,
		`panel "": no description`,
		`panel "": datasource uid "prometheus", want "${datasource}"`,
		`panel "": unit "currency:¥" is not a Grafana unit or suffix`,
		`panel "" target 0: does not parse`,
		`panel "" target 1: selector socsec_coverage_ratio has no job=~"$job" matcher`,
		`panel "" target 2: datasource uid "", want "${datasource}"`,
		`panel "" target 2: metric socsec_made_up_persons is neither in docs/metrics.md nor a recording rule`,
	}
	got := lint(m, known)
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
			t.Errorf("lint did not report %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("lint reported %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

// lint returns every violation of the dashboard rules in m; known holds the metric names queries may use.
func lint(m Model, known map[string]bool) []string {
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if m.UID == "" {
		report("uid is empty")
	}
	if m.Editable == nil || *m.Editable {
		report("editable is not false")
	}
	if len(m.Inputs) > 0 {
		report("__inputs present: provisioned dashboards must use the datasource variable")
	}

	var datasources, jobs int
	for _, v := range m.Templating.List {
		switch {
		case v.Type == "datasource":
			datasources++
			if v.Name != "datasource" {
				report("datasource variable is named %q, want datasource", v.Name)
			}
			if v.Label != "Data source" {
				report("datasource variable label is %q, want \"Data source\"", v.Label)
			}
			if v.Query != "prometheus" {
				report("datasource variable query is %q, want prometheus", v.Query)
			}
		case v.Type == "query":
			problems = append(problems, lintVariable(v)...)
			if v.Name == "job" {
				jobs++
			}
		}
	}
	if datasources != 1 {
		report("%d datasource variables, want 1", datasources)
	}
	if jobs != 1 {
		report("%d job variables, want 1", jobs)
	}

	for _, p := range m.Panels {
		name := fmt.Sprintf("panel %q", p.Title)
		if p.Title == "" {
			report("%s: no title", name)
		}
		if p.Description == "" {
			report("%s: no description", name)
		}
		if p.Datasource == nil || p.Datasource.UID != dsUID {
			report("%s: datasource uid %q, want %q", name, refUID(p.Datasource), dsUID)
		}
		unit := p.FieldConfig.Defaults.Unit
		switch {
		case unit == "":
			report("%s: no unit", name)
		case !slices.Contains(validUnits, unit) && !strings.HasPrefix(unit, "suffix:"):
			report("%s: unit %q is not a Grafana unit or suffix", name, unit)
		}
		if len(p.Targets) == 0 {
			report("%s: no targets", name)
		}
		var families []string
		for i, target := range p.Targets {
			where := fmt.Sprintf("%s target %d", name, i)
			if target.Datasource == nil || target.Datasource.UID != dsUID {
				report("%s: datasource uid %q, want %q", where, refUID(target.Datasource), dsUID)
			}
			names, selectorProblems := lintPromQL(target.Expr)
			for _, problem := range selectorProblems {
				report("%s: %s", where, problem)
			}
			for _, n := range names {
				if !known[n] {
					report("%s: metric %s is neither in docs/metrics.md nor a recording rule", where, n)
				}
				if !strings.HasSuffix(n, "_info") && n != "socsec_latest_data_year" {
					families = append(families, n)
				}
			}
		}
		if want := unitOf(families); want != "" && unit != want {
			report("%s: shows %v, so its unit must be %q, not %q", name, families, want, unit)
		}
	}
	return problems
}

// lintVariable checks a query variable: data source, refresh on time change, valid PromQL with the job matcher, and
// for region and programme variables that names are shown while codes are filtered on.
func lintVariable(v Variable) []string {
	var problems []string
	report := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s variable: ", v.Name)+fmt.Sprintf(format, args...))
	}
	if v.Datasource == nil || v.Datasource.UID != dsUID {
		report("datasource uid %q, want %q", refUID(v.Datasource), dsUID)
	}
	if v.Refresh != 2 {
		report("refresh %d, want 2", v.Refresh)
	}
	expr, err := v.PromQL()
	if err != nil {
		report("%v", err)
		return problems
	}
	if v.Name == "job" {
		if !v.Multi {
			report("not multi-select")
		}
		if !v.IncludeAll || v.AllValue != ".+" {
			report("allValue %q, want \".+\"", v.AllValue)
		}
		if _, err := promql.ParseExpr(expr); err != nil {
			report("does not parse: %v", err)
		}
		return problems
	}
	_, selectorProblems := lintPromQL(expr)
	for _, problem := range selectorProblems {
		report("%s", problem)
	}
	region := slices.Contains(regionVariables, v.Name)
	switch {
	case region && !nameRegex("region").MatchString(v.Regex):
		report("regex must take the value from region_code and the text from region_text")
	case region && !givesRegionText(v.Query):
		report("query must give region_text with regionText, the name or, failing it, the English name or the code")
	case strings.Contains(v.Name, "program") && !nameRegex("program").MatchString(v.Regex):
		report("regex must take the value from program and the text from program_name")
	}
	return problems
}

// regionVariables are the names of the variables that list regions: the Region, the regions compared with it, and
// the regions shown, over which the by-year panels repeat.
var regionVariables = []string{"region", "compare", shownRegions}

// givesRegionText reports whether a query gives region_text as regionText does: from the code, the English name and
// the name, each overriding the one before when it is not empty.
func givesRegionText(query string) bool {
	for _, from := range []string{"region_code", "region_name_en", "region_name"} {
		if !strings.Contains(query, `"region_text", "$1", "`+from+`", "(.+)")`) {
			return false
		}
	}
	return true
}

// nameRegex matches a variable regex that captures the value from the code label and the text from the name label:
// for a region, region_text, which regionText gives it.
func nameRegex(prefix string) *regexp.Regexp {
	code, name := prefix, prefix+"_name"
	if prefix == "region" {
		code, name = "region_code", "region_text"
	}
	return regexp.MustCompile(regexp.QuoteMeta(code+`="(?<value>`) + `.*` + regexp.QuoteMeta(name+`="(?<text>`))
}

// lintPromQL parses expr and returns the metric names it selects and the selectors lacking job=~"$job".
func lintPromQL(expr string) ([]string, []string) {
	node, err := promql.ParseExpr(expr)
	if err != nil {
		return nil, []string{fmt.Sprintf("does not parse: %v", err)}
	}
	var names, problems []string
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if !slices.Contains(names, vs.Name) {
			names = append(names, vs.Name)
		}
		if !slices.ContainsFunc(vs.LabelMatchers, func(m *labels.Matcher) bool {
			return m.Name == "job" && m.Type == labels.MatchRegexp && m.Value == "$job"
		}) {
			problems = append(problems, fmt.Sprintf(`selector %s has no job=~"$job" matcher`, vs.Name))
		}
		return nil
	})
	return names, problems
}

// unitOf returns the unit the families call for when they all share a unit suffix, else "".
func unitOf(families []string) string {
	unit := ""
	for i, f := range families {
		u := ""
		// A recording rule of a family, or of the bounds of its figures, has the family's unit.
		name := strings.TrimSuffix(strings.TrimSuffix(f, ":latest"), ":effective")
		name = strings.TrimSuffix(strings.TrimSuffix(name, "_lower_bound"), "_upper_bound")
		for suffix, su := range unitBySuffix {
			if strings.HasSuffix(name, suffix) {
				u = su
			}
		}
		if strings.HasSuffix(f, "_yuan") {
			u = "suffix:"
		}
		if i > 0 && u != unit {
			return ""
		}
		unit = u
	}
	if unit == "suffix:" {
		return unitYuan
	}
	return unit
}

func refUID(r *Ref) string {
	if r == nil {
		return ""
	}
	return r.UID
}

var metricsDocRow = regexp.MustCompile("^\\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \\|")

// knownMetrics returns the families of the metrics reference (docs/metrics.md), the recording rules and
// Prometheus' own series.
func knownMetrics(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	for _, n := range prometheusMetrics {
		known[n] = true
	}
	f, err := os.Open(filepath.Join("..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	families := 0
	for s := bufio.NewScanner(f); s.Scan(); {
		if m := metricsDocRow.FindStringSubmatch(s.Text()); m != nil && strings.HasPrefix(m[1], "socsec_") {
			known[m[1]] = true
			families++
		}
	}
	if families < 20 {
		t.Fatalf("found only %d metric families in docs/metrics.md", families)
	}

	b, err := os.ReadFile(filepath.Join("..", "deploy", "prometheus", "rules", "socsec.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Record string `yaml:"record"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				known[r.Record] = true
			}
		}
	}
	return known
}
