package pages

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// serve loads the dataset files (none: the embedded default) and returns a
// server of the pages over them.
// serve serves the pages of files, or with none of the embedded Shanxi
// article (the repository's testdata/article.yml), which the tests describe figure by figure.
func serve(t *testing.T, files ...string) (*httptest.Server, *Load) {
	t.Helper()
	opts := config.Options{Datasets: files, Now: testenv.Now}
	if len(files) == 0 {
		opts.ConfigFile = "../../testdata/article.yml"
	}
	res, err := config.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLoad(res.Snapshot, res.Warnings, testenv.Now())
	return serveLoad(t, l), l
}

func serveLoad(t *testing.T, l *Load) *httptest.Server {
	t.Helper()
	p := New(func() State { return State{Load: l, Reload: Reload{At: l.At}} })
	mux := http.NewServeMux()
	p.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// get requests path and returns the status and body.
func get(t *testing.T, srv *httptest.Server, path string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/" + strings.TrimPrefix(path, "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// contains fails the test for every want that body lacks.
func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

const shanxiCoverage = "figure?metric=socsec_coverage_ratio&region_code=140000&program=basic_pension&year=2020"

func TestFigurePageOfTheShanxiCoverage(t *testing.T) {
	srv, _ := serve(t)
	status, body, h := get(t, srv, shanxiCoverage)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200\n%s", shanxiCoverage, status, body)
	}
	if got := h.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy %q, want %q", got, ContentSecurityPolicy)
	}
	contains(t, "the figure page", body,
		"Where in the source", "paragraph 3 of the article&#39;s body",
		`href="http://shanxi.chinadaily.com.cn/2021-07/07/c_645224.htm"`,
		"Revamped social security system helps out folks in Shanxi",
		"China Daily", "published 2021-07-07", "93.2%", "allows 93.15 % to 93.25 %",
		`socsec_coverage_ratio{region_code=&#34;140000&#34;,program=&#34;basic_pension&#34;,year=&#34;2020&#34;} 0.932`,
		"<svg", `class="point current"`, "No other source gives a figure of this series")
	if strings.Contains(body, "<script") {
		t.Error("the figure page has a script element; the pages run no script")
	}
}

func TestFigurePageTellsAnUndatedSource(t *testing.T) {
	srv, _ := serve(t, "../../config/testdata/valid-settlement.yaml")
	// The provisional maternity figure of an undated source is revised by a final one.
	_, body, _ := get(t, srv, "figure?metric=socsec_insured_persons&region_code=CN&program=maternity&year=2022")
	contains(t, "the maternity page", body, "undated: the source carries no date, and none is made up",
		"revised: a provisional figure that disagrees with the figure of news-a, a final one", "A web page without a date")
	if strings.Contains(body, "published 0001") || strings.Contains(body, "0001-01-01") {
		t.Error("the page makes up a date for an undated source")
	}
}

func TestFigureWithoutYearIsTheLatestAnnual(t *testing.T) {
	srv, _ := serve(t)
	_, want, _ := get(t, srv, shanxiCoverage)
	status, got, _ := get(t, srv, "figure?metric=socsec_coverage_ratio&region_code=140000&program=basic_pension")
	if status != http.StatusOK || got != want {
		t.Errorf("without a year: status %d and a different page, want the 2020 figure's", status)
	}
	// A panel of the history at an instant shows the latest figure held
	// for a year: 2015's monthly pension in 2016, 2020's from its last day.
	for at, year := range map[string]string{"1464739200000": "2015", "1609372800000": "2020", "1640000000000": "2020"} {
		_, body, _ := get(t, srv, "figure?metric=socsec_pension_monthly_per_capita_yuan&region_code=140000&program=basic_pension&at="+at)
		if !strings.Contains(body, "<h1>Shanxi (山西省) · Basic pension insurance · socsec_pension_monthly_per_capita_yuan · "+year+"</h1>") {
			t.Errorf("at %s: not the figure of %s", at, year)
		}
	}
	// A variable Grafana could not fill counts as not given.
	status, got, _ = get(t, srv, "figure?metric=socsec_coverage_ratio&region_code=140000&program=basic_pension&year=2020&period=${__field.labels.period}&basis=${__data.fields.basis}")
	if status != http.StatusOK || got != want {
		t.Errorf("with unfilled variables: status %d and a different page, want the 2020 figure's", status)
	}
}

func TestFigureByProgrammeNameAndDimensions(t *testing.T) {
	srv, _ := serve(t)
	for _, path := range []string{
		"figure?metric=socsec_coverage_ratio&region_code=140000&program_name=Basic+pension+insurance&year=2020",
		"figure?metric=socsec_children_supported_persons&region_code=140000&year=2020&category=orphan",
		"figure?metric=socsec_children_supported_persons&region_code=140000&year=2020&dimensions=category%3Dorphan",
		"figure?metric=socsec_jurisdictions&region_code=140000&jurisdiction_level=county",
	} {
		if status, body, _ := get(t, srv, path); status != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200\n%s", path, status, body)
		}
	}
	status, body, _ := get(t, srv, "figure?metric=socsec_children_supported_persons&region_code=140000&year=2020")
	if status != http.StatusMultipleChoices {
		t.Errorf("two categories: status %d, want 300", status)
	}
	contains(t, "the choice of categories", body, "Several figures match", "category=orphan", "category=unsupported")
	status, body, _ = get(t, srv, "figure?metric=socsec_coverage_ratio&region_code=140000&program=basic_pension&year=2019")
	if status != http.StatusNotFound {
		t.Errorf("a year without a figure: status %d, want 404", status)
	}
	contains(t, "the page of a missing year", body, "No served figure has these labels in 2019", "year=2020")
	if status, _, _ := get(t, srv, "figure?metric=socsec_coverage_ratio"); status != http.StatusBadRequest {
		t.Errorf("no region: status %d, want 400", status)
	}
}

func TestConflictPageSaysWhyAndShowsTheFigures(t *testing.T) {
	srv, _ := serve(t, "../../config/testdata/valid-settlement.yaml")
	status, body, _ := get(t, srv, "figure?metric=socsec_beneficiaries_persons&region_code=CN&program=unemployment&year=2022")
	if status != http.StatusNotFound {
		t.Errorf("an unresolved conflict: status %d, want 404", status)
	}
	contains(t, "the conflict page", body, "This series is not served", "no rule can order them", "297万", "8.9 million",
		"A news agency report", "A newspaper report", `class="point current conflict"`)
}

func TestRevisionAndConfirmationAreShown(t *testing.T) {
	srv, _ := serve(t, "../../config/testdata/valid-settlement.yaml")
	_, body, _ := get(t, srv, "figure?metric=socsec_insured_persons&region_code=CN&program=basic_pension&year=2022")
	contains(t, "the revised figure's page", body, "105,306.5万", "105,310万", "Press conference on the 2022 figures",
		"revised: disagrees with the figure of bulletin, whose source has the higher authority")
	_, body, _ = get(t, srv, "figure?metric=socsec_insured_persons&region_code=CN&program=unemployment&year=2022")
	contains(t, "the confirmed figure's page", body, "2.39亿", "confirms it")
}

func TestFiguresFilterAndPages(t *testing.T) {
	srv, l := serve(t)
	status, body, _ := get(t, srv, "figures")
	if status != http.StatusOK {
		t.Fatalf("GET /figures: status %d", status)
	}
	contains(t, "/figures", body, "Figures 1 to 17 of 17", `<form class="filters" method="get" action="figures">`)
	_, body, _ = get(t, srv, "figures?region_code=140000&program=basic_pension&metric=socsec_coverage_ratio&year=2020")
	contains(t, "the filtered figures", body, "Figures 1 to 1 of 1", "93.2%", "paragraph 3 of the article&#39;s body", `href="figure?metric=socsec_coverage_ratio&amp;program=basic_pension&amp;region_code=140000&amp;year=2020"`)
	_, body, _ = get(t, srv, "figures?year=2015")
	contains(t, "the figures of 2015", body, "Figures 1 to 1 of 1", "2,639")

	// Pages of 100: 250 copies of a figure in other years.
	snap := *l.Snapshot
	base := snap.Series[0]
	snap.Series = nil
	for i := range 250 {
		o := *base
		o.Year = 1900 + i
		snap.Series = append(snap.Series, &o)
	}
	slices.SortFunc(snap.Series, func(a, b *dataset.Observation) int { return strings.Compare(a.Key(), b.Key()) })
	big := serveLoad(t, NewLoad(&snap, nil, time.Now()))
	_, body, _ = get(t, big, "figures?page=3")
	contains(t, "page 3", body, "Figures 201 to 250 of 250", "Page 3 of 3", `rel="prev" href="figures?page=2"`)
	_, body, _ = get(t, big, "figures?page=2&metric="+base.Indicator.Name)
	contains(t, "page 2 of a metric", body, "Figures 101 to 200 of 250", "Next")
}

func TestChecksPageListsWarningsAndResults(t *testing.T) {
	srv, _ := serve(t)
	status, body, _ := get(t, srv, "checks")
	if status != http.StatusOK {
		t.Fatalf("GET /checks: status %d", status)
	}
	// The default's one failed check is acknowledged by the default.
	contains(t, "/checks", body, "0 failed", `<span class="verdict">acknowledged</span>`, "cagr of socsec_pension_monthly_per_capita_yuan 140000 basic_pension 2015-2020",
		"5.88 % a year", "Warnings: qualifier", "the figure is approximately &#34;25.84 million&#34;")
	// The acknowledged check links the figures it compares.
	contains(t, "/checks", body, `href="figure?metric=socsec_pension_monthly_per_capita_yuan&amp;program=basic_pension&amp;region_code=140000&amp;year=2015"`)
	_, fig, _ := get(t, srv, "figure?metric=socsec_pension_monthly_per_capita_yuan&region_code=140000&program=basic_pension&year=2020")
	contains(t, "the 2020 pension's page", fig, `<span class="verdict">acknowledged</span>`, "5.88 % a year")
}

// TestFigureChecksAreThoseOfTheWholeSnapshot proves that checking a figure on
// the part of the snapshot its checks read gives exactly the results of
// checking the whole snapshot that involve it.
func TestFigureChecksAreThoseOfTheWholeSnapshot(t *testing.T) {
	files, err := filepath.Glob("../check/testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no check test data", err)
	}
	files = append(files, "../../config/testdata/valid-settlement.yaml")
	for _, file := range append(files, "") {
		var snap *dataset.Snapshot
		if file == "" {
			snap = testenv.Load(t, config.Options{})
		} else {
			snap = testenv.Load(t, config.Options{Datasets: []string{file}})
		}
		ix := newIndex(snap)
		all := check.Run(snap)
		checked := 0
		for _, ds := range snap.Datasets {
			for _, o := range ds.Observations {
				if s := ix.settlement(o); s != nil && s.served == nil {
					continue // Not served: its checks are its series'.
				}
				var want []check.Result
				for _, r := range all {
					if involves(r, o) {
						want = append(want, r)
					}
				}
				served := o
				if s := ix.settlement(o); s != nil {
					served = s.served
				}
				got := ix.figureChecks(served)
				got = slices.DeleteFunc(got, func(r check.Result) bool { return !involves(r, o) })
				if !slices.EqualFunc(got, want, sameResult) {
					t.Errorf("%s: %s: checks of the figure\n%v\nwant those of the whole snapshot\n%v", filepath.Base(file), o.Pos, got, want)
				}
				checked += len(want)
			}
		}
		if file != "" && !strings.Contains(file, "settlement") && checked == 0 {
			t.Errorf("%s: no check involves any figure", file)
		}
	}
}

func sameResult(a, b check.Result) bool {
	return a.Check == b.Check && a.Status == b.Status && a.Subject == b.Subject && a.Message == b.Message && a.Pos == b.Pos &&
		slices.Equal(a.Datasets, b.Datasets) && slices.Equal(a.Figures, b.Figures)
}

func TestIndexFindsFiguresInAnyOrder(t *testing.T) {
	snap := testenv.Load(t, config.Options{Datasets: []string{"../../config/testdata/valid-settlement.yaml", "../../config/testdata/valid-periods.yaml"}})
	shuffled := *snap
	shuffled.Series = slices.Clone(snap.Series)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled.Series), func(i, j int) {
		shuffled.Series[i], shuffled.Series[j] = shuffled.Series[j], shuffled.Series[i]
	})
	for name, s := range map[string]*dataset.Snapshot{"as loaded": snap, "shuffled": &shuffled} {
		ix := newIndex(s)
		if (ix.order == nil) != (name == "as loaded") {
			t.Errorf("%s: order %v: the loader's order needs none, any other one", name, ix.order != nil)
		}
		for _, o := range snap.Series {
			q := figureQuery{Metric: o.Indicator.Name, Region: o.Region, Program: o.Program, Year: o.Year, Period: o.Period,
				Basis: o.Basis, basisGiven: true, Dims: map[string]string{}}
			for i, d := range o.Indicator.Dimensions {
				q.Dims[d] = o.Dimensions[i]
			}
			if res := ix.resolve(q); res.figure != o {
				t.Errorf("%s: %s: found %v, want the figure", name, o.Key(), res.figure)
			}
		}
	}
}

func TestNothingWrittenInTheDataRunsOrBreaksOut(t *testing.T) {
	const payload = `<script>window.pwned=1</script>"><img src=x onerror=alert(1)>`
	dir := t.TempDir()
	yaml := strings.NewReplacer("PAYLOAD", strings.ReplaceAll(payload, "'", "''")).Replace(`id: hostile
title: 'PAYLOAD'
sources:
  - id: s
    title: 'PAYLOAD'
    publisher: 'PAYLOAD'
    published: 2021-01-01
regions:
  - {code: "140000", name: 'PAYLOAD', level: province}
programs:
  - {id: p, name: 'PAYLOAD'}
indicators:
  - {name: socsec_things_persons, help: 'PAYLOAD', unit: persons, dimensions: [kind]}
observations:
  - {indicator: socsec_things_persons, region: "140000", program: p, year: 2020, value: 5, dimensions: {kind: a}, quote: 'PAYLOAD', note: 'PAYLOAD'}
`)
	file := filepath.Join(dir, "hostile.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := serve(t, file)
	// Dimension values are refused unless [A-Za-z0-9_.-]+, so the payload
	// goes into the one a request asks for, which the page repeats.
	asked := "figure?metric=socsec_things_persons&region_code=140000&program=p&year=2020&kind=" + url.QueryEscape(payload)
	for path, want := range map[string]int{"figures": 200, "checks": 200, "figure?metric=socsec_things_persons&region_code=140000&program=p&year=2020": 200, asked: 404} {
		status, body, _ := get(t, srv, path)
		if status != want {
			t.Errorf("GET %s: status %d, want %d\n%s", path, status, want, body)
		}
		for _, raw := range []string{"<script>window.pwned", "<img src=x"} {
			if strings.Contains(body, raw) {
				t.Errorf("GET %s: the page has %q unescaped", path, raw)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;window.pwned=1&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("GET %s: the payload is not shown as text", path)
		}
	}
}

func TestFigurePageShowsADispute(t *testing.T) {
	srv, _ := serve(t, "../../testdata/settlement/pairwise-under-bulletin.yaml")
	status, body, _ := get(t, srv, "figure?metric=socsec_insured_persons&region_code=CN&program=basic_pension&year=2022")
	if status != http.StatusOK {
		t.Fatalf("the bulletin's figure, served beside a dispute under it: status %d, want 200", status)
	}
	contains(t, "the served figure's page", body, "Statistical bulletin", "Press report A", "Press report B",
		"disputed: disagrees with another figure of equal standing; the served figure&#39;s source outranks both")
	if n := strings.Count(body, "disputed: "); n != 2 {
		t.Errorf("the page shows %d disputed figures, want the 2 press reports", n)
	}
}

// TestRegionCodeBeforeAlias checks that a code names its own region even
// where another region has it as an alias, which the loader refuses but
// the pages must not depend on.
func TestRegionCodeBeforeAlias(t *testing.T) {
	b := &dataset.Region{Code: "B", Aliases: []string{"X"}}
	x := &dataset.Region{Code: "X"}
	ix := newIndex(&dataset.Snapshot{Regions: []*dataset.Region{b, x}})
	if got := ix.region("X"); got != x {
		t.Errorf("region X is %+v, want the region whose code is X, not the one with the alias", got)
	}
	if got := ix.region("B"); got != b {
		t.Errorf("region B is %+v, want B", got)
	}
}

// TestAcknowledgedFailureIsShownApart checks that the default's acknowledged
// finding (the article's 5.8 % against the 5.88 % its endpoints give) is
// counted apart from the failures and the passes, with its reason.
func TestAcknowledgedFailureIsShownApart(t *testing.T) {
	srv, _ := serve(t)
	_, body, _ := get(t, srv, "checks")
	contains(t, "/checks", body, "<strong>0 failed</strong>, 1 failed but acknowledged by their dataset", "(0 failed, 1 acknowledged, 0 passed)")
	_, fig, _ := get(t, srv, "figure?metric=socsec_pension_monthly_per_capita_yuan&region_code=140000&program=basic_pension&year=2020")
	contains(t, "the pension figure's page", fig, `class="verdict">acknowledged`, "Acknowledged by its dataset: ")
}

// TestFigurePageCitesWhereInTheSource checks that /figure shows a figure's
// locator and, for a figure read from a table, its row and column.
func TestFigurePageCitesWhereInTheSource(t *testing.T) {
	srv, _ := serve(t, "../../config/default/china-national.yaml")
	_, body, _ := get(t, srv, "figure?metric=socsec_insured_persons&region_code=CN&program=employee_pension&year=2005")
	contains(t, "a yearbook figure's page", body, "Where in the source", "table 23-39")
}

// TestFigurePageShowsTheTableCell checks that a figure read from a table
// shows the row and column it was read from.
func TestFigurePageShowsTheTableCell(t *testing.T) {
	srv, _ := serve(t, "../../config/testdata/tables/tables.yaml")
	_, body, _ := get(t, srv, "figure?metric=socsec_insured_persons&region_code=140000&program=basic_pension&year=2023")
	contains(t, "a yearbook table figure's page", body, "Read from the table at", "row “Shanxi”, column “Number of contributors at year-end (10 000 persons)”")
}

// TestFigureNamesTheFirstUnknownDimension checks that a /figure request
// naming several dimensions its indicator lacks gets the same page each
// time, naming the first of them by name, not the first of a map's order.
func TestFigureNamesTheFirstUnknownDimension(t *testing.T) {
	srv, _ := serve(t)
	const path = "figure?metric=socsec_children_supported_persons&region_code=140000&year=2020&dimensions=zone%3Da%2Csector%3Db%2Carea%3Dc"
	status, first, _ := get(t, srv, path)
	if status != http.StatusNotFound {
		t.Errorf("GET %s: status %d, want 404", path, status)
	}
	contains(t, "the page of unknown dimensions", first, `socsec_children_supported_persons has no dimension &#34;area&#34;`)
	// Maps are iterated in a new order each time: a dimension chosen in a
	// map's order would be another sooner or later.
	for range 20 {
		if _, body, _ := get(t, srv, path); body != first {
			got, want := strings.Split(body, "\n"), strings.Split(first, "\n")
			i := 0
			for i < min(len(got), len(want)) && got[i] == want[i] {
				i++
			}
			t.Fatalf("GET %s: the page differs from the first one's at line %d:\ngot  %q\nwant %q", path, i+1, got[min(i, len(got)-1)], want[min(i, len(want)-1)])
		}
	}
}
