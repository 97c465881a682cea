package pages

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// compareData has national figures beside two provinces and a city: a
// revision (CN 2019), an unresolved conflict (Beijing 2021), a year
// missing (Shanxi 2019), figures for part of a year (Shanxi 2022-09, the
// city's only figure of the series, 2021-06) and an indicator counted on
// two bases.
const compareData = "testdata/compare.yaml"

// The points of the employees' pension series, as their titles read.
const (
	cn2019      = "2019: 434,880,000 persons (bulletin, published 2023-06-01)"
	cn2019Prel  = "434,820,000"
	shanxi2021  = "2021: 9,729,000 persons (bulletin, published 2023-06-01)"
	employeeQ   = "compare?metric=socsec_insured_persons&program=employee_pension"
	partYearOut = "Annual figures only: a figure for part of a year (a month, a quarter, a half) is not drawn; 1 of this series is left out."
)

// sections returns the charts of a /compare page, by the region code each
// names, in the order of the page.
func sections(body string) ([]string, map[string]string) {
	var order []string
	byCode := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<section class="multiple".*?</section>`).FindAllString(body, -1) {
		code := regexp.MustCompile(`<span class="code">([^<]*)</span>`).FindStringSubmatch(m)
		if code == nil {
			continue
		}
		order = append(order, code[1])
		byCode[code[1]] = m
	}
	return order, byCode
}

func TestComparePage(t *testing.T) {
	srv, _ := serve(t, compareData)
	for _, tc := range []struct {
		name, query string
		status      int
		regions     []string // The charts, in order; nil for none.
		wants       []string
		unwanted    []string
	}{
		{name: "the form alone", query: "compare", status: http.StatusOK,
			wants: []string{`<option value="" selected>Choose one</option>`, `<option value="socsec_insured_persons">socsec_insured_persons</option>`,
				`<option value="140000">Shanxi (山西省) · 140000</option>`, `<select name="region_code" multiple size="6">`,
				`Regions, at most 12`, `<a href="compare" aria-current="page">Compare regions</a>`,
				`<link rel="stylesheet" href="static/compare.css">`},
			unwanted: []string{`class="problem"`, `<svg`}},
		{name: "the regions that have the series, national first", query: employeeQ, status: http.StatusOK,
			regions: []string{"CN", "110000", "140000"},
			wants: []string{"<h2 class=\"series\">Basic pension insurance for urban employees · socsec_insured_persons, 2018–2021</h2>",
				partYearOut, "<p class=\"count\">The regions that have this series.</p>",
				`<option value="CN" selected>China (中国) · CN</option>`, `<option value="140100">Taiyuan (太原市) · 140100</option>`}},
		{name: "two regions named", query: employeeQ + "&region_code=CN&region_code=140000", status: http.StatusOK,
			regions: []string{"CN", "140000"},
			wants: []string{`<a href="compare?metric=socsec_insured_persons&amp;program=employee_pension">Every region that has this series</a> (at most 12)`,
				`<option value="140000" selected>`, `<option value="110000">`}},
		{name: "regions in the order named, a repeat once", query: employeeQ + "&region_code=140000&region_code=CN&region_code=140000", status: http.StatusOK,
			regions: []string{"140000", "CN"}},
		{name: "a region without the series", query: employeeQ + "&region_code=CN&region_code=140100", status: http.StatusOK,
			regions: []string{"CN", "140100"}, wants: []string{`<p class="none">No served annual figure of this series.</p>`}},
		{name: "a basis named", query: "compare?metric=socsec_unemployment_benefit_recipients_persons&program=unemployment&basis=during_year", status: http.StatusOK,
			regions: []string{"CN"}, wants: []string{"Unemployment insurance · basis during_year · socsec_unemployment_benefit_recipients_persons, 2020</h2>",
				`<option value="during_year" selected>during_year</option>`, `<option value="year_end">year_end</option>`, "1 annual figure, 2020</p>"}},
		{name: "two bases, none named", query: "compare?metric=socsec_unemployment_benefit_recipients_persons&program=unemployment", status: http.StatusMultipleChoices,
			wants: []string{"2 series of socsec_unemployment_benefit_recipients_persons of the programme unemployment are in any region; choose one.",
				`<li><a href="compare?basis=during_year&amp;metric=socsec_unemployment_benefit_recipients_persons&amp;program=unemployment">Unemployment insurance · basis during_year · socsec_unemployment_benefit_recipients_persons</a></li>`,
				`<li><a href="compare?basis=year_end&amp;metric=socsec_unemployment_benefit_recipients_persons&amp;program=unemployment">Unemployment insurance · basis year_end · socsec_unemployment_benefit_recipients_persons</a></li>`}},
		{name: "no programme named, the regions kept", query: "compare?metric=socsec_insured_persons&region_code=140100&region_code=CN", status: http.StatusMultipleChoices,
			wants: []string{"2 series of socsec_insured_persons are in the regions named; choose one.",
				`<a href="compare?metric=socsec_insured_persons&amp;program=employee_pension&amp;region_code=140100&amp;region_code=CN">`,
				`<a href="compare?metric=socsec_insured_persons&amp;program=unemployment&amp;region_code=140100&amp;region_code=CN">`}},
		{name: "no metric", query: "compare?program=employee_pension&region_code=CN", status: http.StatusBadRequest,
			wants: []string{`<p class="problem" role="alert">A comparison names the indicator it draws: metric.</p>`}},
		{name: "dimensions not written k=v", query: employeeQ + "&dimensions=sector", status: http.StatusBadRequest,
			wants: []string{`Dimensions &#34;sector&#34; are not written k=v,k=v.`}},
		{name: "a dimension the indicator lacks", query: employeeQ + "&dimensions=sector%3Dall", status: http.StatusBadRequest,
			wants: []string{`socsec_insured_persons has no dimension &#34;sector&#34;; its dimensions are [].`}},
		{name: "an unknown metric", query: "compare?metric=socsec_nothing", status: http.StatusNotFound,
			wants: []string{`No figure of the metric &#34;socsec_nothing&#34; is served.`}},
		{name: "an unknown programme", query: "compare?metric=socsec_insured_persons&program=basic_pension", status: http.StatusNotFound,
			wants: []string{`No programme &#34;basic_pension&#34; is served.`}},
		{name: "an unknown region", query: employeeQ + "&region_code=CN&region_code=999999", status: http.StatusNotFound,
			wants: []string{`No region has the code &#34;999999&#34;.`}},
		{name: "no figure in the regions named", query: employeeQ + "&region_code=140100", status: http.StatusNotFound,
			wants: []string{"No served annual figure of socsec_insured_persons of the programme employee_pension is in the regions named. 1 figure is for part of a year, which this page does not draw."}},
		{name: "a basis no figure has", query: employeeQ + "&region_code=140000&basis=x", status: http.StatusNotFound,
			wants: []string{"No served annual figure of socsec_insured_persons of the programme employee_pension on the basis &#34;x&#34; is in the regions named."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, h := get(t, srv, tc.query)
			if status != tc.status {
				t.Fatalf("GET %s: status %d, want %d\n%s", tc.query, status, tc.status, body)
			}
			if got := h.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
				t.Errorf("GET %s: Content-Security-Policy %q, want the pages' %q", tc.query, got, ContentSecurityPolicy)
			}
			order, _ := sections(body)
			if strings.Join(order, ",") != strings.Join(tc.regions, ",") {
				t.Errorf("GET %s: charts of %v, want %v", tc.query, order, tc.regions)
			}
			contains(t, "GET "+tc.query, body, tc.wants...)
			for _, u := range tc.unwanted {
				if strings.Contains(body, u) {
					t.Errorf("GET %s has %q, want none", tc.query, u)
				}
			}
			if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
				t.Errorf("GET %s has a script or an inline style, which the Content-Security-Policy blocks", tc.query)
			}
		})
	}
}

// TestCompareDrawsServedAnnualFiguresOnly checks the points of each chart:
// the served figure of each year, linked to its page, never a revised
// figure, one in an unresolved conflict or one for part of a year; a year
// without a figure breaks the line; every chart spans the same years.
func TestCompareDrawsServedAnnualFiguresOnly(t *testing.T) {
	srv, _ := serve(t, compareData)
	status, body, _ := get(t, srv, employeeQ)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200\n%s", employeeQ, status, body)
	}
	_, charts := sections(body)
	points := regexp.MustCompile(`<a href="([^"]*)"><circle class="point" cx="[^"]*" cy="[^"]*" r="4"><title>([^<]*)</title>`)
	want := map[string][]string{
		"CN":     {"2018: 419,020,000 persons", cn2019, "2020: 456,210,000 persons", "2021: 480,740,000 persons"},
		"110000": {"2020: 17,149,000 persons"},
		"140000": {"2018: 8,782,000 persons", "2020: 9,335,000 persons", shanxi2021},
	}
	for code, titles := range want {
		var got []string
		for _, m := range points.FindAllStringSubmatch(charts[code], -1) {
			got = append(got, m[2])
			year := m[2][:4]
			if wantURL := "figure?metric=socsec_insured_persons&amp;program=employee_pension&amp;region_code=" + code + "&amp;year=" + year; m[1] != wantURL {
				t.Errorf("the %s point of %s links %s, want %s", year, code, m[1], wantURL)
			}
		}
		if len(got) != len(titles) {
			t.Errorf("the chart of %s has the points %q, want %d: %q", code, got, len(titles), titles)
			continue
		}
		for i := range titles {
			if !strings.HasPrefix(got[i], titles[i]) {
				t.Errorf("point %d of %s reads %q, want %q", i, code, got[i], titles[i])
			}
		}
	}
	if strings.Contains(body, cn2019Prel) {
		t.Errorf("the page shows %s, the preliminary 2019 figure the bulletin revised", cn2019Prel)
	}
	for _, v := range []string{"17,800,000", "18,100,000", "9,901,000"} {
		if strings.Contains(body, v) {
			t.Errorf("the page shows %s, a figure in an unresolved conflict or for part of a year", v)
		}
	}
	contains(t, "Beijing's chart", charts["110000"],
		`<p class="conflicts">Not served, its figures in an unresolved conflict: <a href="figure?metric=socsec_insured_persons&amp;program=employee_pension&amp;region_code=110000&amp;year=2021">2021</a></p>`,
		"1 annual figure, 2020</p>")
	contains(t, "Shanxi's chart", charts["140000"], "3 annual figures, 2018–2021; none for 2019</p>")
	// Shanxi's 2018 and 2020 are not joined: two lines would be one
	// segment each, so one line of 2020 and 2021 only.
	if lines := regexp.MustCompile(`<polyline class="line" points="([^"]*)"/>`).FindAllStringSubmatch(charts["140000"], -1); len(lines) != 1 || strings.Count(lines[0][1], ",") != 2 {
		t.Errorf("Shanxi's lines are %q, want one joining 2020 and 2021 only", lines)
	}
	// The year axis of every chart reads 2018 to 2021, Beijing's too.
	for code, chart := range charts {
		var years []string
		for _, m := range regexp.MustCompile(`<text class="xlabel"[^>]*>([^<]*)</text>`).FindAllStringSubmatch(chart, -1) {
			years = append(years, m[1])
		}
		if strings.Join(years, " ") != "2018 2019 2020 2021" {
			t.Errorf("the year axis of %s reads %v, want 2018 to 2021 as every chart's", code, years)
		}
	}
	// A hundredfold apart, each has its own value axis.
	for code, want := range map[string]string{"CN": ">480M</text>", "140000": ">9.6M</text>"} {
		if !strings.Contains(charts[code], want) {
			t.Errorf("the value axis of %s lacks %q", code, want)
		}
	}
}

// TestCompareRegionCap checks the cap of regions a page draws: a request
// that names more gets 400 naming the limit; a request that names none
// draws the national figures and the first regions that have the series,
// and counts the rest.
func TestCompareRegionCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: many\ntitle: Many provinces\nsources:\n  - {id: s, title: Yearbook, published: 2023-01-01}\n")
	b.WriteString("regions:\n  - {code: CN, name_en: China, level: country}\n")
	var codes []string
	for i := range 15 {
		code := fmt.Sprintf("%d0000", 11+i*2)
		codes = append(codes, code)
		fmt.Fprintf(&b, "  - {code: %q, name_en: Province %d, level: province, parent: CN}\n", code, i)
	}
	b.WriteString("programs:\n  - {id: pension, name: Pension}\nobservations:\n")
	for _, code := range append([]string{"CN"}, codes...) {
		for year := 2019; year <= 2020; year++ {
			fmt.Fprintf(&b, "  - {indicator: socsec_insured_persons, region: %q, program: pension, year: %d, value: 1000, source: s}\n", code, year)
		}
	}
	path := filepath.Join(t.TempDir(), "many.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := serve(t, path)

	q := "compare?metric=socsec_insured_persons&program=pension"
	status, body, _ := get(t, srv, q)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200\n%s", q, status, body)
	}
	order, _ := sections(body)
	if want := append([]string{"CN"}, codes[:11]...); strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("GET %s: charts of %v, want CN and the first 11 provinces %v", q, order, want)
	}
	contains(t, "GET "+q, body, "The regions that have this series: the first 12, national figures first; 4 more have it: choose them in the form.")

	all := q
	for _, c := range codes[:12] {
		all += "&region_code=" + c
	}
	if status, body, _ := get(t, srv, all); status != http.StatusOK || len(must(sections(body))) != 12 {
		t.Errorf("GET with 12 regions: status %d, want 200 and 12 charts", status)
	}
	status, body, _ = get(t, srv, all+"&region_code=CN")
	if status != http.StatusBadRequest {
		t.Fatalf("GET with 13 regions: status %d, want 400", status)
	}
	contains(t, "GET with 13 regions", body, `<p class="problem" role="alert">A comparison draws at most 12 regions, a chart each; this one names more: choose 12 or fewer.</p>`)
	if strings.Contains(body, "<svg") {
		t.Error("GET with 13 regions draws a chart, want none")
	}
}

// must returns the first of two values.
func must[A, B any](a A, _ B) A { return a }

// TestCompareIsLinked checks the links to /compare: the navigation of every
// page, the landing page, and a figure's page, which links its series in
// its region beside the regions enclosing it, or, for a region none
// encloses, in the regions that have it.
func TestCompareIsLinked(t *testing.T) {
	srv, _ := landingOf(t, "/metrics", Build{Version: "0.1.0"})
	_, body, _ := get(t, srv, "/")
	contains(t, "the landing page", body, `<a href="compare">Compare regions</a>: one indicator across regions and years`)
	_, body, _ = get(t, srv, shanxiCoverage)
	contains(t, "Shanxi's coverage", body, `<a href="compare">Compare regions</a>`,
		`<a class="compare" href="compare?metric=socsec_coverage_ratio&amp;program=basic_pension&amp;region_code=CN&amp;region_code=140000">The same series in other regions</a>`)

	srv, _ = serve(t, compareData)
	_, body, _ = get(t, srv, "figure?metric=socsec_insured_persons&program=employee_pension&region_code=CN&year=2020")
	contains(t, "the national figure", body, `<a class="compare" href="compare?metric=socsec_insured_persons&amp;program=employee_pension">The same series in other regions</a>`)
	_, body, _ = get(t, srv, "figure?metric=socsec_insured_persons&program=unemployment&region_code=140100&year=2021")
	contains(t, "Taiyuan's figure", body, `<a class="compare" href="compare?metric=socsec_insured_persons&amp;program=unemployment&amp;region_code=CN&amp;region_code=140000&amp;region_code=140100">`)
	_, body, _ = get(t, srv, "figure?metric=socsec_unemployment_benefit_recipients_persons&program=unemployment&region_code=CN&year=2020&basis=during_year")
	contains(t, "a figure with a basis", body, `<a class="compare" href="compare?basis=during_year&amp;metric=socsec_unemployment_benefit_recipients_persons&amp;program=unemployment">`)
}

// TestCompareEscapes puts markup into a region's and a programme's name
// and an indicator's help and a request's parameters: the page shows it as
// text.
func TestCompareEscapes(t *testing.T) {
	const evil = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	data := "id: evil\ntitle: Markup\nsources:\n  - {id: s, title: Source, published: 2023-01-01}\n" +
		"regions:\n  - {code: CN, name_en: " + fmt.Sprintf("%q", evil) + ", level: country}\n" +
		"programs:\n  - {id: p, name: " + fmt.Sprintf("%q", evil) + "}\n" +
		"indicators:\n  - {name: socsec_evil_persons, help: " + fmt.Sprintf("%q", evil) + ", unit: persons}\n" +
		"observations:\n  - {indicator: socsec_evil_persons, region: CN, program: p, year: 2020, value: 1, source: s}\n"
	path := filepath.Join(t.TempDir(), "evil.yaml")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := serve(t, path)
	for _, q := range []string{"compare?metric=socsec_evil_persons&program=p",
		"compare?metric=socsec_evil_persons&program=p&region_code=" + url.QueryEscape(evil),
		"compare?metric=" + url.QueryEscape(evil), "compare?metric=socsec_evil_persons&basis=" + url.QueryEscape(evil)} {
		status, body, _ := get(t, srv, q)
		if status != http.StatusOK && status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 200 or 404", q, status)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "<img") {
			t.Errorf("GET %s: the markup is in the page unescaped", q)
		}
	}
	_, body, _ := get(t, srv, "compare?metric=socsec_evil_persons&program=p")
	contains(t, "the page of the markup", body, "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;")
}

// TestCompareWithinItsDeadline checks that a comparison whose deadline has
// passed is not drawn: the page answers 503 with Retry-After, as the other
// pages do.
func TestCompareWithinItsDeadline(t *testing.T) {
	_, l := serve(t, compareData)
	p := NewWithOptions(func() State { return State{Load: l} }, Options{Timeout: time.Nanosecond,
		Wrap: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx, cancel := context.WithCancel(r.Context())
				cancel()
				h.ServeHTTP(w, r.WithContext(ctx))
			})
		}})
	mux := http.NewServeMux()
	p.Register(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/"+employeeQ, nil))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != retryAfter {
		t.Errorf("a comparison past its deadline: status %d, Retry-After %q, want 503 and %s", w.Code, w.Header().Get("Retry-After"), retryAfter)
	}
}

// TestSmallMultipleAxes checks the axes of a chart: the years shared by the
// page, counts spread widely read from zero, a single figure with ticks
// that differ.
func TestSmallMultipleAxes(t *testing.T) {
	ind := &dataset.Indicator{Name: "socsec_insured_persons", Unit: dataset.UnitPersons}
	src := &dataset.Source{ID: "s"}
	fig := func(year int, v float64) *dataset.Observation {
		return &dataset.Observation{Indicator: ind, Region: "CN", Year: year, Value: v, Source: src}
	}
	c, lines := smallMultiple([]*dataset.Observation{fig(2010, 100), fig(2011, 400)}, ind.Unit, 2005, 2020)
	if c.XTicks[0].Label != "2005" || c.XTicks[len(c.XTicks)-1].Label > "2020" || len(c.XTicks) > 6 {
		t.Errorf("year ticks %v, want about five from 2005 to 2020 at most", c.XTicks)
	}
	if c.YTicks[0].Label != "0" {
		t.Errorf("value ticks %v, want the first at 0: counts spread widely read from zero", c.YTicks)
	}
	if len(lines) != 1 {
		t.Errorf("lines %q, want one joining 2010 and 2011", lines)
	}
	c, lines = smallMultiple([]*dataset.Observation{fig(2020, 5)}, ind.Unit, 2020, 2020)
	if len(c.Points) != 1 || len(lines) != 0 || len(c.YTicks) < 2 || c.YTicks[0].Label == c.YTicks[1].Label {
		t.Errorf("one figure: %d points, lines %q, value ticks %v; want one point, no line, ticks that differ", len(c.Points), lines, c.YTicks)
	}
	if c, lines := smallMultiple(nil, ind.Unit, 2020, 2021); len(c.Points) != 0 || lines != nil {
		t.Errorf("no figure: %d points, lines %q; want none", len(c.Points), lines)
	}
}

// FuzzComparePage requests /compare with every parameter it takes,
// regions repeated.
func FuzzComparePage(f *testing.F) {
	f.Add("socsec_insured_persons", "basic_pension", "", "CN", "100000", "", "")
	f.Add("socsec_unemployment_benefit_recipients_persons", "unemployment", "year_end", "", "", "", "")
	f.Add("socsec_pension_recipients_persons", "pension", "", "100000", "200000", "sector=all", "enterprise")
	f.Add("socsec_insured_persons", "", "", "${__field.labels.region_code}", "x", "=,=", "")
	f.Add("", "medical", "during_year", "CN", "", "", "")
	f.Fuzz(func(t *testing.T, metric, program, basis, region1, region2, dims, sector string) {
		v := values(paramMetric, metric, paramProgram, program, paramBasis, basis, paramDimensions, dims, "sector", sector)
		for _, r := range []string{region1, region2, region1 + region2} {
			v += "&" + paramRegion + "=" + url.QueryEscape(r)
		}
		fuzzGet(t, "/compare", v, http.StatusOK, http.StatusMultipleChoices, http.StatusBadRequest, http.StatusNotFound)
	})
}

// FuzzCompareQuery requests /compare with a query string as a client may
// write it: many regions, repeated or malformed parameters.
func FuzzCompareQuery(f *testing.F) {
	f.Add("metric=socsec_insured_persons&program=basic_pension&region_code=CN&region_code=CN&region_code=100000")
	f.Add("metric=socsec_insured_persons&" + strings.Repeat("region_code=CN&", 20) + "region_code=%zz")
	f.Add("metric=socsec_insured_persons&region_code=1&region_code=2&region_code=3&region_code=4&region_code=5&region_code=6&region_code=7&region_code=8&region_code=9&region_code=10&region_code=11&region_code=12&region_code=13")
	f.Add("metric=socsec_pension_recipients_persons&dimensions=sector%3Dall%2Csector%3D&sector=x")
	f.Fuzz(func(t *testing.T, query string) {
		fuzzGet(t, "/compare", query, http.StatusOK, http.StatusMultipleChoices, http.StatusBadRequest, http.StatusNotFound)
	})
}

// BenchmarkComparePage serves /compare of one series with no region named,
// the page's worst case: it scans every figure of the indicator twice, for
// the series named and for the regions that have it, and draws 12 of them.
func BenchmarkComparePage(b *testing.B) {
	benchPage(b, "/compare?metric=socsec_coverage_ratio&program=basic_pension", nil)
}

// BenchmarkCompareRegions serves /compare of one series in 12 regions named,
// each found by binary search.
func BenchmarkCompareRegions(b *testing.B) {
	snap, _ := benchLoad(b)
	q := "/compare?metric=socsec_coverage_ratio&program=basic_pension"
	n := 0
	for i, reg := range snap.Regions {
		if i%max(1, len(snap.Regions)/maxCompareRegions) == 0 && n < maxCompareRegions {
			q += "&region_code=" + url.QueryEscape(reg.Code)
			n++
		}
	}
	benchPage(b, q, nil)
}

// TestCompareLabels checks how a request's labels narrow a comparison to one
// series: dimensions as parameters or as dimensions=k=v (the parameter
// winning), a dimension left open listing its series, a basis left out
// taking the figures without one or else the only one, a region named by
// its alias, a programme named of an indicator not per programme, and more
// series than a page lists.
func TestCompareLabels(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: labels\ntitle: Labels\nsources:\n  - {id: s, title: Yearbook, published: 2023-01-01}\n")
	b.WriteString("regions:\n  - {code: CN, name_en: China, level: country, aliases: [\"100000\"]}\n")
	b.WriteString("  - {code: \"140000\", name_en: Shanxi, level: province, parent: CN}\n")
	b.WriteString("programs:\n  - {id: pension, name: Pension}\n  - {id: relief, name: Relief}\n")
	b.WriteString("indicators:\n")
	b.WriteString("  - {name: socsec_test_recipients_persons, help: Recipients., unit: persons, dimensions: [sex]}\n")
	b.WriteString("  - {name: socsec_test_offices_persons, help: Staff of offices., unit: persons, per_program: false}\n")
	b.WriteString("  - {name: socsec_test_groups_persons, help: Groups., unit: persons, dimensions: [group]}\n")
	b.WriteString("  - {name: socsec_test_benefit_persons, help: Benefits., unit: persons}\n")
	b.WriteString("observations:\n")
	for _, sex := range []string{"female", "male"} {
		for _, region := range []string{"CN", "140000"} {
			fmt.Fprintf(&b, "  - {indicator: socsec_test_recipients_persons, region: %q, program: pension, year: 2020, dimensions: {sex: %s}, value: 100, source: s}\n", region, sex)
		}
	}
	b.WriteString("  - {indicator: socsec_test_offices_persons, region: CN, year: 2020, value: 7, source: s}\n")
	b.WriteString("  - {indicator: socsec_test_benefit_persons, region: CN, program: pension, year: 2020, value: 10, source: s}\n")
	b.WriteString("  - {indicator: socsec_test_benefit_persons, region: CN, program: pension, year: 2020, value: 11, basis: year_end, source: s}\n")
	b.WriteString("  - {indicator: socsec_test_benefit_persons, region: CN, program: relief, year: 2020, value: 12, basis: year_end, source: s}\n")
	for i := range maxCandidates + 1 {
		fmt.Fprintf(&b, "  - {indicator: socsec_test_groups_persons, region: CN, program: pension, year: 2020, dimensions: {group: g%03d}, value: 1, source: s}\n", i)
	}
	path := filepath.Join(t.TempDir(), "labels.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := serve(t, path)
	const (
		recipients = "compare?metric=socsec_test_recipients_persons&program=pension"
		benefits   = "compare?metric=socsec_test_benefit_persons"
	)
	for _, tc := range []struct {
		name, query string
		status      int
		regions     []string // The charts, in order; nil for none.
		choices     int      // The series listed to choose from.
		wants       []string
	}{
		{name: "a dimension as a parameter", query: recipients + "&sex=female", status: http.StatusOK, regions: []string{"CN", "140000"},
			wants: []string{"<h2 class=\"series\">Pension · sex female · socsec_test_recipients_persons, 2020</h2>"}},
		{name: "a dimension as dimensions=k=v", query: recipients + "&dimensions=sex%3Dmale", status: http.StatusOK, regions: []string{"CN", "140000"},
			wants: []string{"<h2 class=\"series\">Pension · sex male · socsec_test_recipients_persons, 2020</h2>"}},
		{name: "the parameter over dimensions=k=v", query: recipients + "&dimensions=sex%3Dx&sex=female", status: http.StatusOK, regions: []string{"CN", "140000"},
			wants: []string{"Pension · sex female · socsec_test_recipients_persons, 2020</h2>"}},
		{name: "a dimension left open", query: recipients + "&region_code=140000", status: http.StatusMultipleChoices, choices: 2,
			wants: []string{"2 series of socsec_test_recipients_persons of the programme pension are in the regions named; choose one.",
				`<li><a href="compare?metric=socsec_test_recipients_persons&amp;program=pension&amp;region_code=140000&amp;sex=female">Pension · sex female · socsec_test_recipients_persons</a></li>`,
				`<li><a href="compare?metric=socsec_test_recipients_persons&amp;program=pension&amp;region_code=140000&amp;sex=male">Pension · sex male · socsec_test_recipients_persons</a></li>`}},
		{name: "a dimension's value no figure has", query: recipients + "&sex=x", status: http.StatusNotFound,
			wants: []string{"No served annual figure of socsec_test_recipients_persons of the programme pension with sex &#34;x&#34; is in any region."}},
		{name: "no basis named: the figures without one", query: benefits + "&program=pension", status: http.StatusOK, regions: []string{"CN"},
			wants: []string{"<h2 class=\"series\">Pension · socsec_test_benefit_persons, 2020</h2>",
				`<option value="year_end">year_end</option>`, "1 annual figure, 2020</p>"}},
		{name: "no basis named: the only one", query: benefits + "&program=relief", status: http.StatusOK, regions: []string{"CN"},
			wants: []string{"<h2 class=\"series\">Relief · basis year_end · socsec_test_benefit_persons, 2020</h2>",
				`<option value="year_end" selected>year_end</option>`}},
		{name: "a region by its alias, and by its code again", query: recipients + "&sex=male&region_code=100000&region_code=CN", status: http.StatusOK,
			regions: []string{"CN"}, wants: []string{`<option value="CN" selected>China · CN</option>`}},
		{name: "a programme named of an indicator not per programme", query: "compare?metric=socsec_test_offices_persons&program=nothing", status: http.StatusOK,
			regions: []string{"CN"}, wants: []string{"<h2 class=\"series\">socsec_test_offices_persons, 2020</h2>"}},
		{name: "more series than a page lists", query: "compare?metric=socsec_test_groups_persons&program=pension", status: http.StatusMultipleChoices, choices: maxCandidates,
			wants: []string{"201 series of socsec_test_groups_persons of the programme pension are in any region; choose one.",
				`<li><a href="compare?group=g199&amp;metric=socsec_test_groups_persons&amp;program=pension">Pension · group g199 · socsec_test_groups_persons</a></li>`,
				`<p class="more">And 1 more; name the basis and dimensions to narrow them.</p>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := get(t, srv, tc.query)
			if status != tc.status {
				t.Fatalf("GET %s: status %d, want %d\n%s", tc.query, status, tc.status, body)
			}
			order, _ := sections(body)
			if strings.Join(order, ",") != strings.Join(tc.regions, ",") {
				t.Errorf("GET %s: charts of %v, want %v", tc.query, order, tc.regions)
			}
			contains(t, "GET "+tc.query, body, tc.wants...)
			if n := strings.Count(body, `<li><a href="compare?`); n != tc.choices {
				t.Errorf("GET %s lists %d series to choose from, want %d", tc.query, n, tc.choices)
			}
		})
	}
}

// TestComparisonStopsAtItsDeadline checks that a comparison whose context
// is done returns the context's error, with regions named or none, and
// draws nothing.
func TestComparisonStopsAtItsDeadline(t *testing.T) {
	_, l := serve(t, compareData)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, raw := range []string{"metric=socsec_insured_persons&program=employee_pension",
		"metric=socsec_insured_persons&program=employee_pension&region_code=CN&region_code=140000"} {
		v, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		q, err := parseCompareQuery(v)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		page := comparePage{Selected: map[string]bool{}}
		if _, err := l.index.comparison(ctx, q, &page); !errors.Is(err, context.Canceled) || len(page.Charts) != 0 {
			t.Errorf("a comparison of %s past its deadline: error %v and %d charts, want context.Canceled and none", raw, err, len(page.Charts))
		}
	}
}
