package dashboards

import (
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/pages"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestEveryDataPanelLinksToItsFigure proves that every panel showing figures has the "Source of this figure" link,
// and that the link, filled in as Grafana fills it for every figure of the embedded default the panel shows with its
// default variables, opens that figure's page on the real pages handler. Panels showing no figure (the exporter's
// health, the datasets and sources, alerts) have no such link.
func TestEveryDataPanelLinksToItsFigure(t *testing.T) {
	dataPanels, opened, unshown := checkFigureLinks(t, config.Options{}, nil)
	for _, name := range unshown {
		t.Errorf("%s shows no figure but links to one", name)
	}
	if dataPanels < 15 || opened < 40 {
		t.Errorf("only %d data panels and %d links opened: the classification of panels is broken", dataPanels, opened)
	}
	t.Logf("%d data panels, %d links of figures opened", dataPanels, opened)
}

// TestComparedRegionsLinkToTheirFigures proves the links of the by-year panels repeated over the regions shown, on
// testdata/compare.yaml, where the country compared by default has figures beside the default Region's: in each
// region's copy, each figure's link opens that figure's page.
func TestComparedRegionsLinkToTheirFigures(t *testing.T) {
	byRegion := map[string]int{}
	// Panels of other figures than these data hold show none, and are checked on the default.
	checkFigureLinks(t, config.Options{Datasets: []string{"testdata/compare.yaml"}}, func(p Panel, s shownFigure) {
		if p.Repeat == shownRegions {
			byRegion[s.figure.Region]++
		}
	})
	// The country's six annual figures of insured persons and one of coverage, on the Overview and on Coverage; the
	// province's two and one.
	want := map[string]int{"CN": 2 * (6 + 1), defaultRegion: 2 * (2 + 1)}
	if !maps.Equal(byRegion, want) {
		t.Errorf("links opened in the repeated panels by region: %v, want %v", byRegion, want)
	}
}

// checkFigureLinks checks the links of every panel of every dashboard on the data opts loads, as
// TestEveryDataPanelLinksToItsFigure describes, calls linked, if not nil, with each figure whose link opened its page,
// and returns the number of panels showing figures, of links opened, and the panels that show no figure of these data
// but link to figures.
func checkFigureLinks(t *testing.T, opts config.Options, linked func(Panel, shownFigure)) (int, int, []string) {
	t.Helper()
	opts.Now = testenv.Now
	res, err := config.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	snap := res.Snapshot
	load := pages.NewLoad(snap, res.Warnings, testenv.Now())
	mux := http.NewServeMux()
	pages.New(func() pages.State { return pages.State{Load: load} }).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	paths, err := filepath.Glob("*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboard JSON files (%v): run go generate ./dashboards", err)
	}
	dataPanels, opened := 0, 0
	var unshown []string
	for _, path := range paths {
		m, err := ReadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{ExporterVariable: srv.URL}
		for _, v := range m.Templating.List {
			if v.Name != ExporterVariable {
				vars[v.Name] = v.Default()
			}
		}
		if vars[ExporterVariable] = srv.URL; !slices.ContainsFunc(m.Templating.List, func(v Variable) bool {
			return v.Name == ExporterVariable && v.Type == "textbox" && v.Default() == DefaultExporterURL
		}) {
			t.Errorf("%s: no text box variable %s defaulting to %s", path, ExporterVariable, DefaultExporterURL)
		}
		for _, p := range m.Panels {
			name := path + ": panel " + strconv.Quote(p.Title)
			if showsFigures(p) && !hasSourceLink(p) {
				t.Errorf("%s shows figures but its field defaults have no %q data link", name, SourceLinkTitle)
			}
			shownAny := false
		copies:
			for _, copyVars := range repeatCopies(t, snap, m, p, vars) {
				shown := panelFigures(t, snap, p, copyVars)
				shownAny = shownAny || len(shown) > 0
				for _, s := range shown {
					links := p.Links(s.field)
					i := slices.IndexFunc(links, func(l DataLink) bool { return l.Title == SourceLinkTitle })
					if i < 0 {
						t.Errorf("%s: field %q has no %q data link", name, s.field, SourceLinkTitle)
						break copies
					}
					if !strings.HasPrefix(links[i].URL, "${"+ExporterVariable+":raw}/figure?") {
						t.Errorf("%s: link %s does not open ${%s:raw}/figure", name, links[i].URL, ExporterVariable)
					}
					u := fill(links[i].URL, copyVars, s)
					status, body := fetch(t, u)
					want := html.EscapeString(selectorOf(s.figure))
					if status != http.StatusOK || !strings.Contains(body, want) {
						t.Errorf("%s: the link of %s opens %s: status %d, want 200 and the page of that figure", name, selectorOf(s.figure), u, status)
						continue
					}
					opened++
					if linked != nil {
						linked(p, s)
					}
				}
			}
			if !shownAny {
				for _, l := range p.FieldConfig.Defaults.Links {
					if l.Title == SourceLinkTitle {
						unshown = append(unshown, name)
					}
				}
				continue
			}
			dataPanels++
		}
	}
	return dataPanels, opened, unshown
}

// repeatCopies returns the variables each copy of a panel sees: the dashboard's when the panel is not repeated, else,
// for a repeat over a region variable, one set per region it lists in the snapshot, the variable set to that region,
// as Grafana sets it in each copy. A repeat over the programmes is left as one: its copies together show what its all
// value selects, and each figure's link takes the programme from the figure's series, not from the variable.
func repeatCopies(t *testing.T, snap *dataset.Snapshot, m Model, p Panel, vars map[string]string) []map[string]string {
	t.Helper()
	if p.Repeat == "" {
		return []map[string]string{vars}
	}
	i := slices.IndexFunc(m.Templating.List, func(v Variable) bool { return v.Name == p.Repeat })
	if i < 0 {
		t.Fatalf("panel %q repeats over %s, which the dashboard does not have", p.Title, p.Repeat)
	}
	v := m.Templating.List[i]
	if v.Regex != regionRegex {
		return []map[string]string{vars}
	}
	var copies []map[string]string
	for _, region := range listedRegions(t, snap, v, vars) {
		c := maps.Clone(vars)
		c[v.Name] = region
		copies = append(copies, c)
	}
	return copies
}

// listedRegions returns the regions with a figure in the snapshot that a region variable lists with the other
// variables at vars: those its region_code matchers select.
func listedRegions(t *testing.T, snap *dataset.Snapshot, v Variable, vars map[string]string) []string {
	t.Helper()
	query, err := v.PromQL()
	if err != nil {
		t.Fatal(err)
	}
	expr, err := promql.ParseExpr(Expand(query, vars))
	if err != nil {
		t.Fatalf("variable %s: %v", v.Name, err)
	}
	var matchers []*labels.Matcher
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			for _, m := range vs.LabelMatchers {
				if m.Name == schema.RegionLabel {
					matchers = append(matchers, m)
				}
			}
		}
		return nil
	})
	var regions []string
	for _, o := range snap.Series {
		if slices.Contains(regions, o.Region) || slices.ContainsFunc(matchers, func(m *labels.Matcher) bool { return !m.Matches(o.Region) }) {
			continue
		}
		regions = append(regions, o.Region)
	}
	return regions
}

// showsFigures reports whether a panel's queries select a data family, a recording rule of one, or the provenance
// of figures.
func showsFigures(p Panel) bool {
	for _, target := range p.Targets {
		names, _ := lintPromQL(target.Expr)
		for _, n := range names {
			if _, _, ok := figureFamily(n); ok {
				return true
			}
		}
	}
	return false
}

// figureFamily returns the data family a series name shows figures of, and whether the name is a latest-year rule
// that aggregates the year away.
func figureFamily(name string) (string, bool, bool) {
	family, yearless := name, false
	if f, ok := strings.CutPrefix(name, "region_program:"); ok {
		family, yearless = strings.TrimSuffix(f, ":latest"), strings.HasSuffix(f, ":latest")
		family = strings.TrimSuffix(strings.TrimSuffix(family, "_lower_bound"), "_upper_bound")
	}
	if family == schema.ObservationInfo.Name {
		return family, false, true
	}
	for _, ind := range schema.Catalog() {
		if ind.Name == family {
			return family, yearless, true
		}
	}
	return "", false, false
}

// hasSourceLink reports whether the panel's field defaults have the link, so that every field has it: an override
// by field name holds only while the name a transformation gives the field stays the same, and Grafana shows no
// link, and no error, once it does not.
func hasSourceLink(p Panel) bool {
	return slices.ContainsFunc(p.FieldConfig.Defaults.Links, func(l DataLink) bool { return l.Title == SourceLinkTitle })
}

// shownFigure is a figure as a panel shows it: the labels its series has there, and the field of the panel it is in.
type shownFigure struct {
	figure *dataset.Observation
	labels map[string]string
	field  string // The field name: in a matrix, the value of the column label.
	// row is the value of a matrix's row label; fields are the columns of a table row, nil outside tables.
	row    string
	fields map[string]bool
	at     time.Time // For the history: the instant of the figure's sample.
	latest bool      // The panel shows the latest year only.
}

// panelFigures returns the figures a panel shows with its default variables, with their labels as Grafana has them.
func panelFigures(t *testing.T, snap *dataset.Snapshot, p Panel, vars map[string]string) []shownFigure {
	t.Helper()
	var shown []shownFigure
	for _, target := range p.Targets {
		expr, err := promql.ParseExpr(target.Expr)
		if err != nil {
			t.Fatalf("panel %q: %v", p.Title, err)
		}
		measures := labelReplacements(expr)
		for _, vs := range shownSelectors(expr) {
			family, yearless, ok := figureFamily(vs.Name)
			if !ok {
				continue
			}
			latest := yearless || strings.Contains(target.Expr, "socsec_latest_data_year")
			for _, o := range snap.Series {
				if (family == schema.ObservationInfo.Name || o.Indicator.Name == family) && o.Period == "" && selects(vs, o, vars) {
					s := show(p, target, o, family, yearless, measures[vs])
					s.latest = latest
					shown = append(shown, s)
				}
			}
		}
	}
	// A latest-year panel shows each series' latest annual figure only.
	shown = slices.DeleteFunc(shown, func(s shownFigure) bool {
		if !s.latest {
			return false
		}
		for _, o := range snap.Series {
			if o.Period == "" && o.Year > s.figure.Year && o.Indicator == s.figure.Indicator && o.Region == s.figure.Region &&
				o.Program == s.figure.Program && slices.Equal(o.Dimensions, s.figure.Dimensions) {
				return true
			}
		}
		return false
	})
	return shown
}

// selects reports whether the selector, with the variables filled in, matches the figure's series.
func selects(vs *parser.VectorSelector, o *dataset.Observation, vars map[string]string) bool {
	values := map[string]string{schema.RegionLabel: o.Region, schema.ProgramLabel: o.Program, "period": o.Period, "basis": o.Basis}
	for i, d := range o.Indicator.Dimensions {
		values[d] = o.Dimensions[i]
	}
	for _, m := range vs.LabelMatchers {
		v, ok := values[m.Name]
		if !ok {
			continue // job, metric, __name__
		}
		filled, err := labels.NewMatcher(m.Type, m.Name, Expand(m.Value, vars))
		if err != nil || !filled.Matches(v) {
			return false
		}
	}
	return true
}

// show gives the labels a figure's series has in a panel, as Grafana sees them.
func show(p Panel, target Target, o *dataset.Observation, family string, yearless bool, measure map[string]string) shownFigure {
	s := shownFigure{figure: o, labels: map[string]string{schema.RegionLabel: o.Region, "year": strconv.Itoa(o.Year)}}
	if o.Program != "" {
		s.labels[schema.ProgramLabel] = o.Program
	}
	if o.Basis != "" {
		s.labels["basis"] = o.Basis
	}
	for i, d := range o.Indicator.Dimensions {
		s.labels[d] = o.Dimensions[i]
	}
	if family == schema.ObservationInfo.Name {
		s.labels["metric"] = o.Indicator.Name
		s.labels["dimensions"] = o.DimensionString()
	}
	if strings.Contains(target.Expr, "group_left (program_name)") {
		s.labels["program_name"] = programName(o)
	}
	for k, v := range measure {
		s.labels[k] = v
	}
	if yearless {
		delete(s.labels, "year")
	}
	if strings.Contains(target.Expr, "last_over_time") {
		delete(s.labels, "year") // The history has the year on the time axis.
		s.at = time.Date(o.Year, time.December, 31, 0, 0, 0, 0, time.UTC)
	}
	for _, tr := range p.Transformations {
		switch tr.ID {
		case "groupingToMatrix":
			row, _ := tr.Options["rowField"].(string)
			column, _ := tr.Options["columnField"].(string)
			s.row, s.field = s.labels[row], s.labels[column]
		case "filterFieldsByName":
			s.fields = map[string]bool{}
			include, _ := tr.Options["include"].(map[string]any)
			names, _ := include["names"].([]any)
			for _, n := range names {
				s.fields[n.(string)] = true
			}
		}
	}
	if s.fields == nil && p.Type == "table" {
		s.fields = map[string]bool{}
		for k := range s.labels {
			s.fields[k] = true
		}
	}
	return s
}

// shownSelectors returns the selectors whose series an expression's result is: both sides of or, the left side of
// any other binary operator (and, unless, arithmetic and comparisons keep the left side's labels), and the argument of
// functions and aggregations.
func shownSelectors(expr parser.Expr) []*parser.VectorSelector {
	switch e := expr.(type) {
	case *parser.VectorSelector:
		return []*parser.VectorSelector{e}
	case *parser.BinaryExpr:
		if e.Op == parser.LOR {
			return append(shownSelectors(e.LHS), shownSelectors(e.RHS)...)
		}
		return shownSelectors(e.LHS)
	case *parser.ParenExpr:
		return shownSelectors(e.Expr)
	case *parser.AggregateExpr:
		return shownSelectors(e.Expr)
	case *parser.MatrixSelector:
		return shownSelectors(e.VectorSelector)
	case *parser.Call:
		var out []*parser.VectorSelector
		for _, a := range e.Args {
			out = append(out, shownSelectors(a)...)
		}
		return out
	}
	return nil
}

// labelReplacements finds the constant labels label_replace(v, dst, replacement, "", "") gives the selectors in v.
func labelReplacements(expr parser.Expr) map[*parser.VectorSelector]map[string]string {
	out := map[*parser.VectorSelector]map[string]string{}
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		call, ok := n.(*parser.Call)
		if !ok || call.Func.Name != "label_replace" || len(call.Args) != 5 {
			return nil
		}
		dst, _ := call.Args[1].(*parser.StringLiteral)
		repl, _ := call.Args[2].(*parser.StringLiteral)
		if dst == nil || repl == nil {
			return nil
		}
		parser.Inspect(call.Args[0], func(m parser.Node, _ []parser.Node) error {
			if vs, ok := m.(*parser.VectorSelector); ok {
				if out[vs] == nil {
					out[vs] = map[string]string{}
				}
				out[vs][dst.Val] = repl.Val
			}
			return nil
		})
		return nil
	})
	return out
}

func programName(o *dataset.Observation) string {
	for _, p := range o.Dataset.Programs {
		if p.ID == o.Program {
			return p.Name
		}
	}
	return ""
}

var linkVariable = regexp.MustCompile(`\$\{([^}:]+)(?::(\w+))?\}`)

// fill fills a data link's variables as Grafana does: dashboard variables, the clicked series' labels
// (__field.labels), the clicked row's columns (__data.fields), a matrix's row and column (__data.fields[0],
// __field.name) and the instant clicked (__value.time), percent-encoded unless :raw; what it cannot fill stays.
func fill(link string, vars map[string]string, s shownFigure) string {
	return linkVariable.ReplaceAllStringFunc(link, func(ref string) string {
		m := linkVariable.FindStringSubmatch(ref)
		name, format := m[1], m[2]
		var v string
		var ok bool
		switch {
		case strings.HasPrefix(name, "__field.labels."):
			v, ok = s.labels[strings.TrimPrefix(name, "__field.labels.")]
			ok = ok && s.fields == nil && s.field == ""
		case name == "__data.fields[0]":
			v, ok = s.row, s.row != ""
		case strings.HasPrefix(name, "__data.fields."):
			label := strings.TrimPrefix(name, "__data.fields.")
			v, ok = s.labels[label]
			ok = ok && s.fields[label]
		case name == "__field.name":
			v, ok = s.field, s.field != ""
		case name == "__value.time":
			v, ok = strconv.FormatInt(s.at.UnixMilli(), 10), !s.at.IsZero()
		default:
			v, ok = vars[name]
		}
		if !ok {
			return ref
		}
		if format == "raw" {
			return v
		}
		return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
	})
}

func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// selectorOf is how a figure's page names its series: the PromQL selector with the year.
func selectorOf(o *dataset.Observation) string {
	parts := []string{"region_code=" + strconv.Quote(o.Region)}
	if o.Program != "" {
		parts = append(parts, "program="+strconv.Quote(o.Program))
	}
	parts = append(parts, "year="+strconv.Quote(strconv.Itoa(o.Year)))
	if o.Basis != "" {
		parts = append(parts, "basis="+strconv.Quote(o.Basis))
	}
	for i, d := range o.Indicator.Dimensions {
		parts = append(parts, d+"="+strconv.Quote(o.Dimensions[i]))
	}
	return o.Indicator.Name + "{" + strings.Join(parts, ",") + "}"
}

// TestExporterURLIsWhereTheStackPublishesIt checks that the exporter_url variable's default is the address the
// docker-compose stack publishes the exporter at, so that the links work in the stack as it comes.
func TestExporterURLIsWhereTheStackPublishesIt(t *testing.T) {
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Ports []string `yaml:"ports"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(DefaultExporterURL)
	if err != nil {
		t.Fatal(err)
	}
	want := "127.0.0.1:" + u.Port() + ":10716"
	if ports := compose.Services["exporter"].Ports; !slices.Contains(ports, want) || u.Hostname() != "localhost" {
		t.Errorf("the exporter is published at %v, but the dashboards' %s defaults to %s: want %s", ports, ExporterVariable, DefaultExporterURL, want)
	}
}
