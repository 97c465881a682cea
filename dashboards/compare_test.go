package dashboards

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestComparedRegionsStandBeside has a real Prometheus scrape the exporter's metrics of testdata/compare.yaml, a
// country with figures from 2005 and two provinces, and evaluates on the Overview and Coverage dashboards, as Grafana
// does, the Compare with variable, the regions shown, and every copy of the by-year panels repeated over them: one
// copy per region shown (the selected Region and each one compared with it) side by side, each showing every year of
// that region's annual figures and nothing of another region.
func TestComparedRegionsStandBeside(t *testing.T) {
	const path = "testdata/compare.yaml"
	snap := testenv.Load(t, config.Options{Datasets: []string{path}})
	names := map[string]string{"CN": "中国", "140000": "山西省", "370000": "Shandong"}
	api := scrapeDataset(t, path, len(names))

	for _, file := range []string{"socsec-overview.json", "socsec-coverage.json"} {
		m, err := ReadModel(file)
		if err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{}
		for _, v := range m.Templating.List {
			vars[v.Name] = v.Default()
		}
		vars["job"] = ".+"

		compare, ok := variableNamed(m, "compare")
		if !ok {
			t.Errorf("%s: no compare variable", file)
			continue
		}
		if compare.Label != "Compare with" || !compare.Multi || compare.IncludeAll || compare.Default() != defaultCompare {
			t.Errorf("%s: compare variable labelled %q, multi %v, include all %v, default %q: want \"Compare with\", "+
				"several regions at once, no all value, and %s", file, compare.Label, compare.Multi, compare.IncludeAll,
				compare.Default(), defaultCompare)
		}
		if got := evalOptions(t, api, compare, vars); !maps.Equal(got, names) {
			t.Errorf("%s: Compare with offers %v (value: text), want every region with data: %v", file, got, names)
		}

		shown, ok := variableNamed(m, shownRegions)
		if !ok {
			t.Errorf("%s: no %s variable for the by-year panels to repeat over", file, shownRegions)
			continue
		}
		if shown.Hide != 2 || !shown.Multi || !shown.IncludeAll || shown.Default() != shown.AllValue {
			t.Errorf("%s: %s variable hide %d, multi %v, include all %v, default %q: want hidden (2), every region it "+
				"lists selected (All), since it follows the Region and Compare with variables", file, shownRegions,
				shown.Hide, shown.Multi, shown.IncludeAll, shown.Default())
		}
		for _, c := range []struct {
			region, compare string // As Grafana writes them into a regex: several values as an alternation.
			want            []string
		}{
			{"140000", "CN", []string{"140000", "CN"}},
			{"140000", "(CN|370000)", []string{"140000", "370000", "CN"}},
			{"CN", "CN", []string{"CN"}},
		} {
			v := maps.Clone(vars)
			v["region"], v["compare"] = c.region, c.compare
			got := evalOptions(t, api, shown, v)
			if !slices.Equal(slices.Sorted(maps.Keys(got)), c.want) {
				t.Errorf("%s: with Region %s and Compare with %s, the regions shown are %v, want %v", file, c.region, c.compare,
					got, c.want)
			}
			for code, text := range got {
				if text != names[code] {
					t.Errorf("%s: region %s is shown as %q, want its name %q", file, code, text, names[code])
				}
			}
		}

		repeated := map[string]Panel{}
		for _, p := range m.Panels {
			if p.Repeat == shownRegions && len(p.Targets) > 0 {
				if families, _ := lintPromQL(p.Targets[0].Expr); len(families) > 0 {
					repeated[families[0]] = p
				}
			}
		}
		for family, fixedAxis := range map[string]bool{"socsec_insured_persons": false, "socsec_coverage_ratio": true} {
			p, ok := repeated[family]
			if !ok {
				t.Errorf("%s: no panel of %s repeated over %s", file, family, shownRegions)
				continue
			}
			checkRepeatedPanel(t, file, p, fixedAxis)
			for _, region := range slices.Sorted(maps.Keys(names)) {
				v := maps.Clone(vars)
				v[shownRegions] = region // Each copy sees its own region only.
				expr := Expand(p.Targets[0].Expr, v)
				result, err := testenv.QueryLabels(api, expr, "")
				if err != nil {
					t.Fatalf("%s: panel %q: %v", file, p.Title, err)
				}
				var years []string
				for _, s := range result {
					if s["region_code"] != region {
						t.Errorf("%s: panel %q, copy of %s, shows a figure of %s: %v", file, p.Title, region, s["region_code"], s)
					}
					if !slices.Contains(years, s["year"]) {
						years = append(years, s["year"])
					}
				}
				slices.Sort(years)
				if want := annualYears(snap.Series, family, region); !slices.Equal(years, want) {
					t.Errorf("%s: panel %q, copy of %s, shows the years %v, want %v, every year of its annual figures\n\t%s",
						file, p.Title, region, years, want, expr)
				}
			}
		}
	}
}

// checkRepeatedPanel checks the layout of a by-year panel repeated over the regions shown: copies side by side, each
// titled with its region's name; curves over the years, the matrix's rows converted to numbers as the trend's x axis
// and shown as plain years (a year written 2.01 K would also fill the links); a link naming the copy's region; and a
// value axis from 0 at least, to 100 % at least when fixedAxis (ratios, which compare across copies), else each
// copy's own. A hard min or max would be the years' axis too.
func checkRepeatedPanel(t *testing.T, file string, p Panel, fixedAxis bool) {
	t.Helper()
	name := file + ": panel " + strconv.Quote(p.Title)
	if p.RepeatDirection != "h" || p.MaxPerRow < 2 {
		t.Errorf("%s: repeat direction %q, at most %d per row: want copies side by side (h), at least 2 to a row", name,
			p.RepeatDirection, p.MaxPerRow)
	}
	if !strings.Contains(p.Title, "${"+shownRegions+":text}") {
		t.Errorf("%s: the title does not name the copy's region with ${%s:text}", name, shownRegions)
	}
	x := `year\program_name` // The name groupingToMatrix gives its rows' field.
	var matrix, converted bool
	for _, tr := range p.Transformations {
		switch tr.ID {
		case "groupingToMatrix":
			matrix = tr.Options["rowField"] == "year" && tr.Options["columnField"] == "program_name" && tr.Options["emptyValue"] == "null"
		case "convertFieldType":
			conversions, _ := tr.Options["conversions"].([]any)
			for _, c := range conversions {
				c, _ := c.(map[string]any)
				converted = converted || matrix && c["targetField"] == x && c["destinationType"] == "number"
			}
		}
	}
	if p.Type != "trend" || !matrix || !converted || p.Options.XField != x {
		t.Errorf("%s: a %s, matrix of the years by programme with empty cells null %v, its years converted to numbers "+
			"after it %v, x field %q: want a trend of each programme over the years, on the x axis %s", name, p.Type, matrix,
			converted, p.Options.XField, x)
	}
	if unit, decimals := overrideValue(p, x, "unit"), overrideValue(p, x, "decimals"); unit != `"none"` || decimals != "0" {
		t.Errorf("%s: the years' field has unit %s and decimals %s, want \"none\" and 0: the panel's unit would write 2005 as 2.01 K",
			name, unit, decimals)
	}
	for _, l := range p.FieldConfig.Defaults.Links {
		if l.Title == SourceLinkTitle && !strings.Contains(l.URL, "region_code=${"+shownRegions+"}") {
			t.Errorf("%s: link %s does not name the copy's region, region_code=${%s}", name, l.URL, shownRegions)
		}
	}
	d := p.FieldConfig.Defaults
	if d.Min != nil || d.Max != nil {
		t.Errorf("%s: fields fixed from %v to %v, which the years' axis would take too: want soft limits", name, deref(d.Min), deref(d.Max))
	}
	soft := d.Custom
	switch {
	case soft.AxisSoftMin == nil || *soft.AxisSoftMin != 0:
		t.Errorf("%s: value axis from %v at least, want 0", name, deref(soft.AxisSoftMin))
	case fixedAxis && (soft.AxisSoftMax == nil || *soft.AxisSoftMax != 1):
		t.Errorf("%s: value axis to %v at least, want 1 in every copy, so that the regions' ratios compare", name, deref(soft.AxisSoftMax))
	case !fixedAxis && soft.AxisSoftMax != nil:
		t.Errorf("%s: value axis to %v at least, want each copy's own: a country's figures are a hundred times a province's",
			name, *soft.AxisSoftMax)
	}
}

// overrideValue returns, as JSON, the value an override by the field's name sets for the property, or "unset".
func overrideValue(p Panel, field, property string) string {
	for _, o := range p.FieldConfig.Overrides {
		if o.Matcher.ID != "byName" || o.Matcher.Options != field {
			continue
		}
		for _, prop := range o.Properties {
			if prop.ID == property {
				return string(prop.Value)
			}
		}
	}
	return "unset"
}

func deref(f *float64) any {
	if f == nil {
		return "unset"
	}
	return *f
}

// variableNamed returns the dashboard's variable of that name.
func variableNamed(m Model, name string) (Variable, bool) {
	i := slices.IndexFunc(m.Templating.List, func(v Variable) bool { return v.Name == name })
	if i < 0 {
		return Variable{}, false
	}
	return m.Templating.List[i], true
}

// evalOptions evaluates a query_result variable on the Prometheus API at api with the other variables at vars, and
// returns its options as value: text.
func evalOptions(t *testing.T, api string, v Variable, vars map[string]string) map[string]string {
	t.Helper()
	expr, err := v.PromQL()
	if err != nil {
		t.Fatal(err)
	}
	result, err := testenv.QueryLabels(api, Expand(expr, vars), "")
	if err != nil {
		t.Fatalf("variable %s: %v", v.Name, err)
	}
	options, err := variableOptions(v.Regex, result)
	if err != nil {
		t.Fatalf("variable %s: %v", v.Name, err)
	}
	return options
}

// annualYears returns the years, sorted, of the annual figures of family and region among the series.
func annualYears(series []*dataset.Observation, family, region string) []string {
	var years []string
	for _, o := range series {
		if y := strconv.Itoa(o.Year); o.Indicator.Name == family && o.Region == region && o.Period == "" && !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	return years
}
