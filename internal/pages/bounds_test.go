package pages

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// seriesDataset writes a dataset whose CSV gives one series, the insured
// of programme p in CN in 2020, n times: from source s with the values
// first, first+1, ..., each with a quote. It returns the dataset's file.
func seriesDataset(t testing.TB, n, first int, extraSources, extraRows string) string {
	t.Helper()
	dir := t.TempDir()
	yaml := `id: many
title: One series published many times
sources:
  - {id: s, title: Press report, published: 2021-01-01}
` + extraSources + `regions:
  - {code: CN, name_en: China, level: country}
programs:
  - {id: p, name: Programme}
observation_files:
  - many.csv
`
	var csv strings.Builder
	csv.WriteString("indicator,region,program,year,value,source,quote\n")
	csv.WriteString(extraRows)
	for i := range n {
		fmt.Fprintf(&csv, "socsec_insured_persons,CN,p,2020,%d,s,The report says %d.\n", first+i, first+i)
	}
	if err := os.WriteFile(filepath.Join(dir, "many.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "many.csv"), []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "many.yaml")
}

// serveDirect serves one request on the pages of l in the test's own
// goroutine and returns the response and the bytes allocated meanwhile.
func serveDirect(l *Load, target string) (*httptest.ResponseRecorder, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := serveOnce(l, target)
	runtime.ReadMemStats(&after)
	return w, after.TotalAlloc - before.TotalAlloc
}

// serveOnce serves one request on the pages of l.
func serveOnce(l *Load, target string) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	New(func() State { return State{Load: l} }).Register(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/"+target, nil))
	return w
}

// within runs f and fails the test when it has not returned after d.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %s: its work is not linear in the figures", what, d)
	}
}

const manySeries = "figure?metric=socsec_insured_persons&region_code=CN&program=p&year=2020"

// TestConflictPageIsBoundedByWhatItShows is finding 1 of issue 20: the page
// of a conflict of 2,000 figures lists a page of them, with the count and a
// link to the next page, checks only those, and allocates what that takes,
// not what checking every figure against every other takes.
func TestConflictPageIsBoundedByWhatItShows(t *testing.T) {
	const n = 2000
	l := NewLoad(testenv.Load(t, config.Options{Datasets: []string{seriesDataset(t, n, 1000, "", "")}}), nil, testenv.Now())
	if len(l.Snapshot.Conflicts) != 1 || len(l.Snapshot.Conflicts[0].Figures) != n {
		t.Fatalf("the dataset should be one conflict of %d figures", n)
	}
	var w *httptest.ResponseRecorder
	var alloc uint64
	within(t, 2*time.Minute, "the conflict page", func() { w, alloc = serveDirect(l, manySeries) })
	body := w.Body.String()
	t.Logf("the conflict page: %d bytes, %d KiB allocated", len(body), alloc>>10)
	if w.Code != http.StatusNotFound {
		t.Fatalf("the conflict page: status %d, want 404 (not served)", w.Code)
	}
	if got := strings.Count(body, `<article class="related">`); got > figuresPerPage {
		t.Errorf("the conflict page lists %d figures, want at most a page of %d", got, figuresPerPage)
	}
	contains(t, "the conflict page", body, "This series is not served", "1 to 100 of 2,000", "Page 1 of 20",
		`rel="next" href="figure?metric=socsec_insured_persons&amp;page=2&amp;program=p&amp;region_code=CN&amp;year=2020"`)
	if limit := uint64(16 << 20); alloc > limit {
		t.Errorf("the conflict page allocated %d MiB, want at most %d MiB for a page of %d figures", alloc>>20, limit>>20, figuresPerPage)
	}
	if got := strings.Count(body, "<circle"); got > 2*chartSample {
		t.Errorf("the chart draws %d points, want at most %d", got, 2*chartSample)
	}
	// The last page, and a page beyond it, which is the last.
	w, _ = serveDirect(l, manySeries+"&page=20")
	contains(t, "the last page", w.Body.String(), "1,901 to 2,000 of 2,000", "Page 20 of 20", "The report says 2999.")
	w, _ = serveDirect(l, manySeries+"&page=21")
	contains(t, "a page beyond the last", w.Body.String(), "Page 20 of 20", "The report says 2999.")
}

// TestRelatedFiguresArePaged is finding 1 for the other lists of /figure:
// a served figure that 2,000 others contradict lists a page of them.
func TestRelatedFiguresArePaged(t *testing.T) {
	const n = 2000
	file := seriesDataset(t, n, 2000, "  - {id: bulletin, title: Statistical bulletin, published: 2021-06-01, authority: 1}\n",
		"socsec_insured_persons,CN,p,2020,1000,bulletin,The bulletin says 1000.\n")
	l := NewLoad(testenv.Load(t, config.Options{Datasets: []string{file}}), nil, testenv.Now())
	var w *httptest.ResponseRecorder
	var alloc uint64
	within(t, 2*time.Minute, "the figure page", func() { w, alloc = serveDirect(l, manySeries) })
	body := w.Body.String()
	t.Logf("the figure page: %d bytes, %d KiB allocated", len(body), alloc>>10)
	if w.Code != http.StatusOK {
		t.Fatalf("the bulletin's figure: status %d, want 200", w.Code)
	}
	if got := strings.Count(body, `<article class="related">`); got > figuresPerPage {
		t.Errorf("the figure page lists %d other figures, want at most a page of %d", got, figuresPerPage)
	}
	contains(t, "the figure page", body, "The bulletin says 1000.", "1 to 100 of 2,000", "Page 1 of 20", "page=2")
	if limit := uint64(16 << 20); alloc > limit {
		t.Errorf("the figure page allocated %d MiB, want at most %d MiB", alloc>>20, limit>>20)
	}
}

// totalsSnapshot is n declared totals on one indicator and region, each the
// sum of two parts, all served in 2020: 3n figures.
func totalsSnapshot(n int) *dataset.Snapshot {
	ind := &dataset.Indicator{Name: "socsec_things_persons", Help: "Things.", Unit: dataset.UnitPersons, Dimensions: []string{"kind", "part"}}
	src := &dataset.Source{ID: "s", Title: "Report", Authority: 1}
	ds := &dataset.Dataset{ID: "d", Title: "Totals", File: "d.yaml", Sources: []*dataset.Source{src}}
	for i := range n {
		kind := fmt.Sprintf("k%06d", i)
		for j, part := range []string{"a", "all", "b"} {
			ds.Observations = append(ds.Observations, &dataset.Observation{Indicator: ind, Region: "R", Year: 2020,
				Dimensions: []string{kind, part}, Value: float64(1 + j%2*2), Precision: 0.5, Source: src, Dataset: ds,
				Pos: dataset.Position{File: "d.csv", Line: 3*i + j + 2, Column: 1}})
		}
		ds.Totals = append(ds.Totals, &dataset.Total{Indicator: ind, Region: "R", Total: dataset.SeriesRef{Dims: []string{kind, "all"}},
			Parts: []dataset.SeriesRef{{Dims: []string{kind, "a"}}, {Dims: []string{kind, "b"}}}, Dataset: ds,
			Pos: dataset.Position{File: "d.yaml", Line: i + 10, Column: 5}})
	}
	return &dataset.Snapshot{Datasets: []*dataset.Dataset{ds}, Indicators: []*dataset.Indicator{ind},
		Regions: []*dataset.Region{{Code: "R", NameEN: "Region"}}, Series: ds.Observations}
}

// TestManyTotalsOnOneIndicatorAndRegion is finding 4 of issue 20: 10,000
// totals on one indicator and region (30,000 figures) are checked, at
// start-up, on a figure's page and on the first /checks, in work linear in
// the figures, not in figures times totals (which took minutes).
func TestManyTotalsOnOneIndicatorAndRegion(t *testing.T) {
	snap := totalsSnapshot(10000)
	var tally check.Tally
	within(t, 20*time.Second, "counting the checks of 10,000 totals", func() { tally = check.CountRun(snap) })
	if len(tally.Failed) != 0 || len(tally.Unchecked) != 0 {
		t.Errorf("every total adds up: %v failed and %v unchecked, want none", tally.Failed, tally.Unchecked)
	}
	l := NewLoad(snap, nil, time.Now())
	total := snap.Series[3*5000+1]
	var w *httptest.ResponseRecorder
	within(t, 20*time.Second, "the page of a total", func() { w, _ = serveDirect(l, figureURL(total)) })
	if w.Code != http.StatusOK {
		t.Fatalf("the page of a total: status %d, want 200", w.Code)
	}
	contains(t, "the page of a total", w.Body.String(), "agrees with the sum of its parts", "kind=k005000,part=a")
	within(t, 20*time.Second, "the first /checks", func() { w, _ = serveDirect(l, "checks") })
	contains(t, "/checks", w.Body.String(), "10,000 passed")
}

// fetch GETs a page and returns its status and body, or the error of a
// handler that dropped the connection.
func fetch(srv *httptest.Server, path string) (int, string, error) {
	resp, err := http.Get(srv.URL + "/" + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// TestPageNumbers is finding 6 of issue 20: a page number past the last is
// the last page, however large, and what is not a positive integer is
// refused with 400, on every page that takes one.
func TestPageNumbers(t *testing.T) {
	srv, _ := serve(t, "../../config/testdata/valid-settlement.yaml")
	const figure = "figure?metric=socsec_insured_persons&region_code=CN&program=basic_pension&year=2022"
	for _, c := range []struct {
		path   string
		status int
		want   string
	}{
		{"figures?page=92233720368547760", 200, "Page 1 of 1"},
		{"figures?page=9223372036854775807", 200, "Page 1 of 1"},
		{"figures?page=99999999999999999999999999", 200, "Page 1 of 1"},
		{"figures?year=2022&page=92233720368547760", 200, "Page 1 of 1"},
		{"figures?page=1", 200, "Page 1 of 1"},
		{"checks?group=warning%3Aqualifier&page=92233720368547760", 200, "Page 1 of 1"},
		{"checks?group=check%3Atotal&page=9223372036854775807", 200, "Page 1 of 1"},
		{figure + "&page=92233720368547760", 200, "105,310万"},
		{"figures?page=0", 400, "page &#34;0&#34; is not a page number"},
		{"figures?page=-1", 400, "not a page number"},
		{"figures?page=1.5", 400, "not a page number"},
		{"figures?page=abc", 400, "not a page number"},
		{"figures?page=-92233720368547760", 400, "not a page number"},
		{"checks?group=warning%3Aqualifier&page=0", 400, "not a page number"},
		{"checks?page=x", 400, "not a page number"},
		{figure + "&page=0", 400, "not a page number"},
	} {
		status, body, err := fetch(srv, c.path)
		if err != nil {
			t.Errorf("GET %s: %v: the handler dropped the connection", c.path, err)
			continue
		}
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: status %d, want %d with %q", c.path, status, c.status, c.want)
		}
	}
}

// TestFigureChecksReadWhatTheyCompare counts what a figure's checks are
// run on: of 10,000 totals on its indicator and region, the one it is the
// total of, with its two parts; of the default's Shanxi figures, the
// participants, population and coverage of 2020.
func TestFigureChecksReadWhatTheyCompare(t *testing.T) {
	snap := totalsSnapshot(10000)
	ix := newIndex(snap)
	total := snap.Series[3*5000+1]
	part := ix.checkPart(total, []*dataset.Observation{total})
	if n := len(part.Datasets[0].Totals); n != 1 {
		t.Errorf("the checks of a total read %d declared totals, want the 1 it is the total of", n)
	}
	if n := len(part.Series); n != 3 {
		t.Errorf("the checks of a total read %d figures, want the total and its 2 parts", n)
	}
	snap = testenv.Load(t, config.Options{})
	ix = newIndex(snap)
	res := ix.resolve(figureQuery{Metric: "socsec_coverage_ratio", Region: "140000", Program: "basic_pension", Year: 2020, basisGiven: true})
	if res.figure == nil {
		t.Fatal("no Shanxi coverage of 2020 in the default")
	}
	for _, f := range ix.checkPart(res.figure, []*dataset.Observation{res.figure}).Series {
		switch f.Indicator.Name {
		case "socsec_coverage_ratio", "socsec_insured_persons", "socsec_population_persons":
		default:
			t.Errorf("the checks of a coverage figure read %s, which they do not compare", f.Key())
		}
		if f.Year != 2020 || f.Region != "140000" {
			t.Errorf("the checks of a coverage figure of 140000 in 2020 read %s", f.Key())
		}
	}
}

// TestFigureOfAYearListsItsParts is issue 21's: a year without an annual
// figure of the series lists its figures for part of that year to choose
// from, rather than answering that there is none.
func TestFigureOfAYearListsItsParts(t *testing.T) {
	srv, _ := serve(t, "../../config/testdata/valid-periods.yaml")
	status, body, _ := get(t, srv, "figure?metric=socsec_insured_persons&region_code=CN&program=unemployment&year=2025")
	if status != http.StatusMultipleChoices {
		t.Errorf("a year with only figures for part of it: status %d, want 300", status)
	}
	contains(t, "the choice of 2025's figures", body, "No figure with these labels is for the whole of 2025; these are for part of it.",
		`href="figure?metric=socsec_insured_persons&amp;period=2025-09&amp;program=unemployment&amp;region_code=CN&amp;year=2025"`,
		`href="figure?metric=socsec_insured_persons&amp;period=2025-H1&amp;program=unemployment&amp;region_code=CN&amp;year=2025"`)
	if status, _, _ := get(t, srv, "figure?metric=socsec_insured_persons&region_code=CN&program=unemployment&year=2023"); status != http.StatusNotFound {
		t.Errorf("a year without any figure: status %d, want 404", status)
	}
}

// TestPagesHaveADeadline is the pages' part of finding 5 of issue 20: a
// page whose work outlasts its deadline is answered 503 with Retry-After,
// and the list of every check, built once per version, goes on being built
// for the next request.
func TestPagesHaveADeadline(t *testing.T) {
	res, err := config.Load(config.Options{Datasets: []string{"../../config/testdata/valid-settlement.yaml"}, Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	l := NewLoad(res.Snapshot, res.Warnings, testenv.Now())
	serveWith := func(opts Options, target string) *httptest.ResponseRecorder {
		mux := http.NewServeMux()
		NewWithOptions(func() State { return State{Load: l} }, opts).Register(mux)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/"+target, nil))
		return w
	}
	for _, target := range []string{"checks", "figures?year=2022", "figure?metric=socsec_insured_persons&region_code=CN&program=basic_pension&year=2022"} {
		w := serveWith(Options{Timeout: time.Nanosecond}, target)
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("GET %s past its deadline: status %d, Retry-After %q; want 503 with Retry-After", target, w.Code, w.Header().Get("Retry-After"))
		}
		contains(t, "GET "+target+" past its deadline", w.Body.String(), "took longer than a page may (1ns)")
	}
	select {
	case <-l.buildChecks():
	case <-time.After(time.Minute):
		t.Fatal("the list of checks was not built within a minute of the request that gave up on it")
	}
	if w := serveWith(Options{Timeout: DefaultTimeout}, "checks"); w.Code != http.StatusOK {
		t.Errorf("GET checks once the list is built: status %d, want 200", w.Code)
	}
}
