package e2e

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// browserWait bounds every step in the browser: loading a page, finding an element, waiting for a reload to show. A
// busy two-core machine starting Chromium next to the exporter needs it generous; nothing here measures time.
const browserWait = 90 * time.Second

var screenshots = flag.String("screenshots", "", "write PNG screenshots of the provenance pages, 1280 px wide, into this directory")

// The Shanxi basic pension coverage of the embedded default, as the article wrote it.
const (
	shanxiLocator   = "paragraph 3 of the article's body"
	shanxiSourceURL = "http://shanxi.chinadaily.com.cn/2021-07/07/c_645224.htm"
	shanxiFigure    = "/figure?metric=socsec_coverage_ratio&region_code=140000&program=basic_pension&year=2020"
)

// browser starts a headless Chromium for the test, 1280 px wide, and returns the context of its tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(testenv.Tool(t, "chromium", "chromium")),
		chromedp.NoSandbox, // Tests may run as root, where Chromium's sandbox refuses to start.
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	// The first action starts Chromium, which lives as long as the context it is given: so it gets the tab's own,
	// and a timer instead of a deadline.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting Chromium: %v", err)
		}
	case <-time.After(browserWait):
		cancelTab()
		t.Fatalf("Chromium did not start within %s", browserWait)
	}
	return ctx
}

// step runs browser actions within browserWait, failing the test with what was expected.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// read runs one browser action that returns a value within browserWait.
func read[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// writeFile writes a file for the exporter to load, failing the test on error.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// extraDataset is a small dataset next to the embedded default, which the journey breaks.
const extraDataset = `id: extra
title: A second dataset
sources:
  - id: bulletin
    title: Beijing statistical bulletin 2020
    url: https://example.org/beijing-2020
    publisher: Beijing Municipal Bureau of Statistics
    published: 2021-03-12
    authority: 1
regions:
  - {code: CN, name: 中国, name_en: China, level: country}
  - {code: "110000", name: 北京市, name_en: Beijing, level: province, parent: CN}
programs:
  - {id: basic_pension, name: Basic pension insurance}
observations:
  - indicator: socsec_coverage_ratio
    region: "110000"
    program: basic_pension
    year: 2020
    value: "96.1%"
    quote: The basic pension insurance covered 96.1 percent of the insured population.
`

// TestBrowserProvenanceJourney follows an analyst in a real browser against the real binary: from the landing page
// to the figures, filtered to Shanxi's basic pension coverage of 2020, to that figure's page with the article's
// sentence and a link to it; then a dataset breaks, SIGHUP reloads, and the landing page tells the failed reload and
// why while the figure is still served.
func TestBrowserProvenanceJourney(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "socsec.yml")
	extra := filepath.Join(dir, "extra.yaml")
	writeFile(t, config, "datasets:\n  - extra.yaml\ninclude_default_dataset: true\n")
	writeFile(t, extra, extraDataset)
	exporter, base := testenv.StartExporter(t, "--config.file="+config)

	step(t, ctx, "the landing page shows the data's health with a successful load",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#health")))
	if health := read(t, ctx, "reading the data's health", chromedp.Text(chromedp.CSS("table.health"))); !strings.Contains(health, "succeeded") {
		t.Errorf("the landing page's health says %q, want a last reload that succeeded", health)
	}
	step(t, ctx, "following the landing page's Figures link to the list of figures",
		chromedp.Click(chromedp.CSS(`a[href="figures"]`)),
		chromedp.WaitVisible(chromedp.CSS("form.filters")))
	rows := read(t, ctx, "counting the unfiltered figures", chromedp.Evaluate[int](`document.querySelectorAll("table.figures tbody tr").length`))
	if rows < 18 {
		t.Errorf("/figures lists %d figures, want the 17 of the default and the extra dataset's", rows)
	}
	step(t, ctx, "filtering the figures to Shanxi's basic pension coverage of 2020",
		chromedp.SetValue(chromedp.CSS(`select[name="region_code"]`), "140000"),
		chromedp.SetValue(chromedp.CSS(`select[name="program"]`), "basic_pension"),
		chromedp.SetValue(chromedp.CSS(`select[name="metric"]`), "socsec_coverage_ratio"),
		chromedp.SetValue(chromedp.CSS(`select[name="year"]`), "2020"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`select[name="year"] option[value="2020"][selected]`)))
	table := read(t, ctx, "reading the filtered figures", chromedp.Text(chromedp.CSS("table.figures tbody")))
	rows = read(t, ctx, "counting the filtered figures", chromedp.Evaluate[int](`document.querySelectorAll("table.figures tbody tr").length`))
	if rows != 1 || !strings.Contains(table, "93.2%") || !strings.Contains(table, "Revamped social security system helps out folks in Shanxi") {
		t.Fatalf("the filtered figures are %d rows:\n%s\nwant one, 93.2%% from the China Daily article", rows, table)
	}
	step(t, ctx, "opening the figure from the filtered list",
		chromedp.Click(chromedp.CSS("table.figures tbody tr td a")),
		chromedp.WaitVisible(chromedp.CSS("dd.locator")))
	checkShanxiFigure(t, ctx)
	location := read(t, ctx, "reading the figure page's address", chromedp.Location())
	if u, err := url.Parse(location); err != nil || u.Path != "/figure" || u.Query().Get("region_code") != "140000" || u.Query().Get("year") != "2020" {
		t.Errorf("the figure's page is at %s, want /figure of region_code 140000 and year 2020", location)
	}

	// Break the extra dataset and reload by signal: the reload fails, the data stays.
	writeFile(t, extra, "id: extra\ntitle: [unclosed\n")
	exporter.Signal(t, syscall.SIGHUP)
	testenv.WaitFor(t, "the landing page to tell the failed reload", browserWait, func() error {
		ctx, cancel := context.WithTimeout(ctx, browserWait)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#health"))); err != nil {
			return err
		}
		health, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("table.health")))
		if err != nil {
			return err
		}
		if !strings.Contains(health, "failed") {
			return fmt.Errorf("the health says %q", health)
		}
		return nil
	})
	health := read(t, ctx, "reading the failed reload's health", chromedp.Text(chromedp.CSS("table.health")))
	for _, want := range []string{"the last good data", "is still served", "extra.yaml"} {
		if !strings.Contains(health, want) {
			t.Errorf("the landing page's health after the failed reload lacks %q:\n%s", want, health)
		}
	}
	step(t, ctx, "the figure is still served after the failed reload, under a banner that says so",
		chromedp.Navigate(base+shanxiFigure),
		chromedp.WaitVisible(chromedp.CSS(".banner.failed")),
		chromedp.WaitVisible(chromedp.CSS("dd.locator")))
	checkShanxiFigure(t, ctx)
}

// checkShanxiFigure checks the page the browser shows is Shanxi's 93.2 % with its source and where in it.
func checkShanxiFigure(t *testing.T, ctx context.Context) {
	t.Helper()
	if got := read(t, ctx, "reading the locator", chromedp.Text(chromedp.CSS("dd.locator"))); got != shanxiLocator {
		t.Errorf("the locator is %q, want %q", got, shanxiLocator)
	}
	href := read(t, ctx, "reading the source link", chromedp.AttributeValue(chromedp.CSS("a.source-link"), "href"))
	if href.Value != shanxiSourceURL {
		t.Errorf("the source link goes to %q, want the article at %s", href.Value, shanxiSourceURL)
	}
	if got := read(t, ctx, "reading the source's title", chromedp.Text(chromedp.CSS("a.source-link"))); got != "Revamped social security system helps out folks in Shanxi" {
		t.Errorf("the source link reads %q, want the article's title", got)
	}
	if got := read(t, ctx, "reading the source's date", chromedp.Text(chromedp.CSS(".source-date"))); got != "published 2021-07-07" {
		t.Errorf("the source's date reads %q, want published 2021-07-07", got)
	}
	if got := read(t, ctx, "reading the value", chromedp.Text(chromedp.CSS(".big .value"))); got != "93.2%" {
		t.Errorf("the value reads %q, want 93.2%% as printed", got)
	}
}

// payload would run if any page put what a dataset or a request says into its HTML unescaped: as an element, or by
// breaking out of an attribute. CSP forbids inline scripts anyway; the test looks for the elements themselves.
const payload = `<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">`

// TestBrowserRunsNothingFromTheData puts the payload into a dataset's and a source's title, a quote, a note, a region
// and programme name and an indicator's help, and into a dimension value that a request asks for (the loader refuses
// dimension values other than [A-Za-z0-9_.-]+), then checks in the browser on every page that shows them that no
// element came of it, nothing ran, and the payload reads as the text it is.
func TestBrowserRunsNothingFromTheData(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	quoted := "'" + strings.ReplaceAll(payload, "'", "''") + "'"
	writeFile(t, filepath.Join(dir, "hostile.yaml"), strings.ReplaceAll(`id: hostile
title: P
publisher: P
sources:
  - {id: s, title: P, publisher: P, url: https://example.org/s, published: 2021-01-01}
regions:
  - {code: "140000", name: P, level: province}
programs:
  - {id: p, name: P}
indicators:
  - {name: socsec_things_persons, help: P, unit: persons, dimensions: [kind]}
observations:
  - {indicator: socsec_things_persons, region: "140000", program: p, year: 2020, value: 5, dimensions: {kind: a}, quote: P, note: P}
  - {indicator: socsec_things_persons, region: "140000", program: p, year: 2019, value: 4, dimensions: {kind: a}, qualifier: at_least, quote: P}
`, "P", quoted))
	writeFile(t, filepath.Join(dir, "socsec.yml"), "datasets:\n  - hostile.yaml\n")
	_, base := testenv.StartExporter(t, "--config.file="+filepath.Join(dir, "socsec.yml"))

	figure := "/figure?metric=socsec_things_persons&region_code=140000&program=p&year=2020&kind=a"
	for _, page := range []struct{ path, ready string }{
		{"/", "#health"},
		{"/figures", "table.figures"},
		{figure, "blockquote.quote"},
		{"/checks", "section.group"},
		{"/figure?metric=socsec_things_persons&region_code=140000&program=p&year=2020&kind=" + url.QueryEscape(payload), "p.problem"},
		{"/compare?metric=socsec_things_persons&program=p&kind=a", "div.multiples"},
	} {
		step(t, ctx, "loading "+page.path,
			chromedp.Navigate(base+page.path),
			chromedp.WaitVisible(chromedp.CSS(page.ready)))
		type found struct {
			Pwned   int    `json:"pwned"`
			Scripts int    `json:"scripts"`
			Images  int    `json:"images"`
			Text    string `json:"text"`
		}
		got := read(t, ctx, "inspecting "+page.path, chromedp.Evaluate[found](`({
			pwned: window.__pwned || 0,
			scripts: document.querySelectorAll("script").length,
			images: document.querySelectorAll("img").length,
			text: document.body.innerText,
		})`))
		if got.Pwned != 0 || got.Scripts != 0 || got.Images != 0 {
			t.Errorf("%s: the payload became page content: %d script and %d img elements, window.__pwned = %d; want none and unset",
				page.path, got.Scripts, got.Images, got.Pwned)
		}
		if !strings.Contains(got.Text, payload) {
			t.Errorf("%s: the payload does not read as text on the page", page.path)
		}
	}
}

// failingDataset is a dataset beside the embedded default whose reported growth rate its figures contradict, with a
// source of no publisher, one of no date and one of neither, and a figure of 1.07 billion alone in its series.
const failingDataset = `id: failing
title: A rate its figures contradict
sources:
  - {id: bulletin, title: Statistical bulletin, published: 2021-05-01}
  - {id: article, title: Newspaper article, publisher: Daily News}
  - {id: page, title: A web page}
regions:
  - {code: CN, name: 中国, name_en: China, level: country}
  - {code: "200000", name_en: Fail, level: province, parent: CN}
programs:
  - {id: pension, name: Pension insurance}
observations:
  - {indicator: socsec_pension_monthly_per_capita_yuan, region: "200000", program: pension, year: 2015, value: 1000, source: bulletin}
  - {indicator: socsec_pension_monthly_per_capita_yuan, region: "200000", program: pension, year: 2020, value: 1338, source: page}
  - {indicator: socsec_insured_persons, region: "200000", program: pension, year: 2020, value: "1.07 billion", source: article}
reported:
  - {kind: cagr, indicator: socsec_pension_monthly_per_capita_yuan, region: "200000", program: pension, from_year: 2015, to_year: 2020, value: 0.058, source: article}
`

// landingSeen is what the browser shows of the landing page.
type landingSeen struct {
	Stylesheets []string `json:"stylesheets"`
	HeaderColor string   `json:"headerColor"`
	Nav         string   `json:"nav"`
	Metrics     string   `json:"metrics"`
	Links       []string `json:"links"`
	Build       string   `json:"build"`
	Text        string   `json:"text"`
	Failed      cell     `json:"failed"`
	Passed      cell     `json:"passed"`
	Acked       cell     `json:"acked"`
	Sources     string   `json:"sources"`
}

// cell is an element's text and its colour as the browser draws it.
type cell struct {
	Text  string `json:"text"`
	Color string `json:"color"`
}

// seeLanding reads what the browser shows of the landing page.
const seeLanding = `(() => {
	const cell = sel => { const e = document.querySelector(sel); return e ? {text: e.innerText, color: getComputedStyle(e).color} : {text: "", color: ""}; };
	const metrics = [...document.querySelectorAll("header.top nav a")].find(a => a.innerText === "Metrics");
	return {
		stylesheets: [...document.styleSheets].map(s => s.href || "inline"),
		headerColor: document.querySelector("header.top") ? getComputedStyle(document.querySelector("header.top")).backgroundColor : "",
		nav: (document.querySelector("header.top nav") || {innerText: ""}).innerText,
		metrics: metrics ? metrics.href : "",
		links: [...document.querySelectorAll("main a")].map(a => a.href),
		build: (document.querySelector(".build") || {innerText: ""}).innerText,
		text: document.body.innerText,
		failed: cell("#dataset-failing td.checks .status"),
		passed: cell("#dataset-shanxi-2021-07-07 td.checks .status"),
		acked: cell("#dataset-shanxi-2021-07-07 td.checks .status.acknowledged"),
		sources: (document.querySelector("#dataset-failing td:nth-child(4)") || {innerText: ""}).innerText,
	};
})()`

// emptyParentheses is a source shown without a publisher, "(, published …)", or without publisher or date, "()".
var emptyParentheses = regexp.MustCompile(`\(\s*(,|\))|,\s*\)`)

// TestBrowserLandingPage looks at the landing page in a real browser, with the metrics at a path of their own: it is
// styled and navigated as /figures is, links the metrics where they are, the figures and the checks, lists the
// datasets with their sources, marks the one whose checks failed in a colour and a word of its own, apart from the
// default whose one failure it acknowledges, shows no empty parentheses for a source without publisher or date, and
// shows the build as far as it is known. The exporter is built as go run builds it, without the Makefile's ldflags.
// Then the chart of the figure alone in its series labels its value axis with labels that differ.
func TestBrowserLandingPage(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "failing.yaml"), failingDataset)
	writeFile(t, filepath.Join(dir, "socsec.yml"), "datasets:\n  - failing.yaml\ninclude_default_dataset: true\n")
	_, base := testenv.StartExporter(t, "--config.file="+filepath.Join(dir, "socsec.yml"), "--web.telemetry-path=/socsec/metrics")

	step(t, ctx, "loading /figures", chromedp.Navigate(base+"/figures"), chromedp.WaitVisible(chromedp.CSS("table.figures")))
	figures := read(t, ctx, "reading /figures", chromedp.Evaluate[landingSeen](seeLanding))
	step(t, ctx, "loading the landing page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("table.datasets")))
	got := read(t, ctx, "reading the landing page", chromedp.Evaluate[landingSeen](seeLanding))

	if want := []string{base + "/static/pages.css"}; !slices.Equal(got.Stylesheets, want) {
		t.Errorf("the landing page's stylesheets are %q, want the pages' alone, %q", got.Stylesheets, want)
	}
	if got.HeaderColor != figures.HeaderColor || got.Nav != figures.Nav {
		t.Errorf("the landing page's header is %s with navigation %q, want that of /figures: %s with %q", got.HeaderColor, got.Nav,
			figures.HeaderColor, figures.Nav)
	}
	if want := base + "/socsec/metrics"; got.Metrics != want || figures.Metrics != want {
		t.Errorf("the navigation's Metrics goes to %q on the landing page and %q on /figures, want %q", got.Metrics, figures.Metrics, want)
	}
	for _, want := range []string{base + "/socsec/metrics", base + "/figures", base + "/checks"} {
		if !slices.Contains(got.Links, want) {
			t.Errorf("the landing page does not link %s; its links: %q", want, got.Links)
		}
	}
	for _, want := range []string{"shanxi-2021-07-07", "Revamped social security system helps out folks in Shanxi (China Daily, published 2021-07-07)",
		"failing", "A rate its figures contradict"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("the landing page does not show %q:\n%s", want, got.Text)
		}
	}

	// Failed checks: a colour and a word of their own, the acknowledged failure apart.
	if got.Failed.Text != "1 failed" || got.Passed.Text != "passed" || got.Acked.Text != "1 acknowledged failure" {
		t.Errorf("the datasets' checks read %q (failing), %q and %q (the default), want \"1 failed\", \"passed\" and \"1 acknowledged failure\"",
			got.Failed.Text, got.Passed.Text, got.Acked.Text)
	}
	if got.Failed.Color == "" || got.Failed.Color == got.Passed.Color || got.Failed.Color == got.Acked.Color || got.Acked.Color == got.Passed.Color {
		t.Errorf("the checks are drawn in %s (failed), %s (passed) and %s (acknowledged), want three colours", got.Failed.Color, got.Passed.Color, got.Acked.Color)
	}

	// No empty parentheses, on the landing page or any other.
	if want := "Statistical bulletin (published 2021-05-01)\nNewspaper article (Daily News)\nA web page"; strings.TrimSpace(got.Sources) != want {
		t.Errorf("the failing dataset's sources read %q, want %q", got.Sources, want)
	}
	pages := map[string]string{"/": got.Text}
	for _, path := range []string{"/figures?dataset=failing", "/checks",
		"/figure?metric=socsec_pension_monthly_per_capita_yuan&region_code=200000&program=pension&year=2020",
		"/figure?metric=socsec_insured_persons&region_code=200000&program=pension&year=2020"} {
		step(t, ctx, "loading "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
		pages[path] = read(t, ctx, "reading "+path, chromedp.Evaluate[string](`document.body.innerText`))
	}
	for path, text := range pages {
		if m := emptyParentheses.FindStringIndex(text); m != nil {
			t.Errorf("%s shows empty parentheses: %q", path, text[max(0, m[0]-60):min(len(text), m[1]+60)])
		}
	}

	// The build, as far as it is known.
	release, err := os.ReadFile("../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	if want := "version " + strings.TrimSpace(string(release)); !strings.Contains(got.Build, want) {
		t.Errorf("the build reads %q, want %q", got.Build, want)
	}
	for _, bad := range []string{"unknown", "=", "()", "  "} {
		if strings.Contains(got.Build, bad) {
			t.Errorf("the build reads %q, which has %q: want only the parts that are known", got.Build, bad)
		}
	}
	for _, bad := range []string{"unknown", "=,", "=)"} {
		if strings.Contains(got.Text, bad) {
			t.Errorf("the landing page shows %q, a part of the build that is not known:\n%s", bad, got.Text)
		}
	}
	for _, part := range strings.Split(strings.TrimPrefix(got.Build, "Build: "), " · ") {
		if name, value, ok := strings.Cut(part, " "); !ok || name == "" || value == "" {
			t.Errorf("the build has a part %q without a value: %q", part, got.Build)
		}
	}
	if revision, date := vcsStamp(t); revision != "" {
		for _, want := range []string{"revision " + revision[:7], "date " + date} {
			if !strings.Contains(got.Build, want) {
				t.Errorf("the binary records its revision and date, but the build reads %q, want %q", got.Build, want)
			}
		}
	}

	// The chart of 1.07 billion alone in its series.
	step(t, ctx, "loading the figure of 1.07 billion",
		chromedp.Navigate(base+"/figure?metric=socsec_insured_persons&region_code=200000&program=pension&year=2020"),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	labels := read(t, ctx, "reading the chart's value axis",
		chromedp.Evaluate[[]string](`[...document.querySelectorAll("svg.chart text.ylabel")].map(e => e.textContent)`))
	if len(labels) == 0 {
		t.Errorf("the chart labels no value, want at least one tick labelled")
	}
	for i, l := range labels {
		if slices.Contains(labels[:i], l) {
			t.Errorf("the chart's value axis reads %q more than once: %q; want labels that differ", l, labels)
		}
	}
}

// vcsStamp is the revision and commit time the go command stamped into the exporter's binary, empty when it stamped
// none (-buildvcs=false, or no checkout).
func vcsStamp(t *testing.T) (revision, date string) {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", testenv.Exporter(t)).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "build" {
			k, v, _ := strings.Cut(f[1], "=")
			switch k {
			case "vcs.revision":
				revision = v
			case "vcs.time":
				date = v
			}
		}
	}
	return revision, date
}

// TestLandingPageBehindTLSAndBasicAuth checks that --web.config.file holds the landing page and its stylesheet to
// TLS and basic auth as it holds the metrics.
func TestLandingPageBehindTLSAndBasicAuth(t *testing.T) {
	_, request := behindTLS(t)
	testenv.WaitFor(t, "the landing page over TLS", browserWait, func() error {
		code, body, err := request("/", "analyst", "s3cret")
		if err == nil && (code != http.StatusOK || !strings.Contains(body, `class="datasets"`)) {
			err = fmt.Errorf("status %d, want 200 and the datasets:\n%s", code, body)
		}
		return err
	})
	if code, body, err := request("/static/pages.css", "analyst", "s3cret"); err != nil || code != http.StatusOK || !strings.Contains(body, "header.top") {
		t.Errorf("the pages' stylesheet over TLS: %d %v, want 200 and the stylesheet", code, err)
	}
	for _, path := range []string{"/", "/static/pages.css"} {
		if code, _, err := request(path, "", ""); err != nil || code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d %v, want 401", path, code, err)
		}
	}
}

// compareQuery is the comparison of the README's screenshot: the national employees' pension participants beside
// Shanxi's.
const compareQuery = "/compare?metric=socsec_insured_persons&program=employee_pension&region_code=CN&region_code=140000"

// comparedChart is one chart of /compare as the browser draws it.
type comparedChart struct {
	Heading       string
	Left, Right   float64
	Top, Width    float64
	Points, Lines int
	Links         []string
}

// seeCharts reads the charts of /compare in the page's order.
const seeCharts = `[...document.querySelectorAll("section.multiple")].map(s => {
	const r = s.getBoundingClientRect(), svg = s.querySelector("svg.chart");
	return {Heading: s.querySelector("h3").innerText, Left: r.left, Right: r.right, Top: r.top,
		Width: svg ? svg.getBoundingClientRect().width : 0,
		Points: s.querySelectorAll("svg.chart circle.point").length, Lines: s.querySelectorAll("svg.chart polyline.line").length,
		Links: [...s.querySelectorAll("svg.chart a")].map(a => a.getAttribute("href"))};
})`

// TestBrowserComparePage follows an analyst from the navigation to /compare in a real browser against the real
// binary: the form picks an indicator, a programme and two regions, and the page draws a chart for each, side by side,
// each under its region's name, each point a link to its figure's page; following one opens that figure.
func TestBrowserComparePage(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	data, err := os.ReadFile("../internal/pages/testdata/compare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "compare.yaml"), string(data))
	writeFile(t, filepath.Join(dir, "socsec.yml"), "datasets:\n  - compare.yaml\n")
	_, base := testenv.StartExporter(t, "--config.file="+filepath.Join(dir, "socsec.yml"))

	step(t, ctx, "following the navigation's Compare regions from the landing page",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`header.top nav a[href="compare"]`)),
		chromedp.Click(chromedp.CSS(`header.top nav a[href="compare"]`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name="region_code"]`)))
	step(t, ctx, "choosing the employees' pension participants of China and Shanxi",
		chromedp.SetValue(chromedp.CSS(`select[name="metric"]`), "socsec_insured_persons"),
		chromedp.SetValue(chromedp.CSS(`select[name="program"]`), "employee_pension"),
		chromedp.Evaluate[chromedp.Void](`for (const o of document.querySelector('select[name="region_code"]').options) { o.selected = o.value === "CN" || o.value === "140000"; }`),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("div.multiples svg.chart")))
	location := read(t, ctx, "reading the comparison's address", chromedp.Location())
	if u, err := url.Parse(location); err != nil || u.Path != "/compare" || !slices.Equal(u.Query()["region_code"], []string{"140000", "CN"}) {
		t.Errorf("the form asked for %s, want /compare of region_code 140000 and CN, in the form's order", location)
	}
	charts := read(t, ctx, "reading the charts", chromedp.Evaluate[[]comparedChart](seeCharts))
	if len(charts) != 2 {
		t.Fatalf("the page draws %d charts, want 2: %+v", len(charts), charts)
	}
	cn, shanxi := charts[1], charts[0]
	if shanxi.Heading != "Shanxi (山西省) 140000" || cn.Heading != "China (中国) CN" {
		t.Errorf("the charts are headed %q and %q, want Shanxi's and China's with their codes", shanxi.Heading, cn.Heading)
	}
	if shanxi.Top != cn.Top || cn.Left < shanxi.Right {
		t.Errorf("the charts stand at top %v, left %v to %v (Shanxi) and top %v, left %v to %v (China), want them side by side",
			shanxi.Top, shanxi.Left, shanxi.Right, cn.Top, cn.Left, cn.Right)
	}
	if shanxi.Width < 300 || cn.Width < 300 {
		t.Errorf("the charts are drawn %v and %v px wide, want each at least 300", shanxi.Width, cn.Width)
	}
	if shanxi.Points != 3 || cn.Points != 4 || shanxi.Lines != 1 || cn.Lines != 1 {
		t.Errorf("the charts have %d points and %d lines (Shanxi) and %d points and %d lines (China), want 3 and 1 (2019 missing, 2022-09 "+
			"for part of a year) and 4 and 1", shanxi.Points, shanxi.Lines, cn.Points, cn.Lines)
	}
	const shanxi2021 = "figure?metric=socsec_insured_persons&program=employee_pension&region_code=140000&year=2021"
	if !slices.Contains(shanxi.Links, shanxi2021) {
		t.Fatalf("Shanxi's points link %q, want %s among them", shanxi.Links, shanxi2021)
	}
	labels := read(t, ctx, "reading the charts' value axes",
		chromedp.Evaluate[[]string](`[...document.querySelectorAll("section.multiple")].map(s => [...s.querySelectorAll("text.ylabel")].map(e => e.textContent).join(" "))`))
	if len(labels) != 2 || labels[0] == labels[1] {
		t.Errorf("the value axes read %q, want one of its own for each region", labels)
	}
	step(t, ctx, "following Shanxi's 2021 point",
		chromedp.Click(chromedp.CSS(`section.multiple a[href="`+shanxi2021+`"] circle`)),
		chromedp.WaitVisible(chromedp.CSS(".big .value")))
	if got := read(t, ctx, "reading the figure's value", chromedp.Text(chromedp.CSS(".big .value"))); got != "972.9万 persons" {
		t.Errorf("Shanxi's 2021 point opens a figure of %q, want 972.9万 persons as printed", got)
	}
	step(t, ctx, "following the figure's link to its series in other regions",
		chromedp.Click(chromedp.CSS(`a.compare`)),
		chromedp.WaitVisible(chromedp.CSS("div.multiples svg.chart")))
	charts = read(t, ctx, "reading the charts of the figure's series", chromedp.Evaluate[[]comparedChart](seeCharts))
	if len(charts) != 2 || !strings.HasPrefix(charts[0].Heading, "China") || !strings.HasPrefix(charts[1].Heading, "Shanxi") {
		t.Errorf("the figure's series in other regions has the charts %+v, want China's and then Shanxi's", charts)
	}
}

// TestBrowserScreenshots writes the screenshots of the docs: the landing page, the figures of Shanxi, Shanxi's
// basic pension coverage, the warnings and checks, and the national employees' pension participants beside Shanxi's
// (compareQuery), of the embedded default next to the settlement test dataset.
// It runs only with -screenshots=DIR (make screenshots).
func TestBrowserScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("no -screenshots directory given")
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	// The embedded default as it ships: its real figures, with no test data beside them.
	addr := testenv.FreeAddr(t)
	exporter := testenv.Start(t, t.TempDir(), testenv.Exporter(t), "--web.listen-address="+addr)
	base := "http://" + addr
	testenv.WaitFor(t, "the exporter to be ready", browserWait, func() error {
		if exporter.Cmd.ProcessState != nil {
			return fmt.Errorf("exited: %s", exporter.Output())
		}
		return testenv.HTTPStatus(http.DefaultClient, base+"/-/ready", http.StatusOK)
	})
	for _, shot := range []struct{ file, path, ready string }{
		{"landing.png", "/", "#health"},
		{"figures.png", "/figures?region_code=140000", "table.figures"},
		{"figure.png", shanxiFigure, "svg.chart"},
		{"checks.png", "/checks", "section.group"},
		{"compare.png", compareQuery, "div.multiples, p.problem"},
	} {
		// The top of each page, 1280 by at most 1400 pixels: the whole of a page listing the default's
		// hundreds of figures and checks would make a picture of megabytes that shows nothing more.
		step(t, ctx, "loading "+shot.path,
			chromedp.EmulateViewport(1280, 1400),
			chromedp.Navigate(base+shot.path),
			chromedp.WaitVisible(chromedp.CSS(shot.ready)))
		png := read(t, ctx, "taking the screenshot of "+shot.path, chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(*screenshots, shot.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", filepath.Join(*screenshots, shot.file), len(png))
	}
}
