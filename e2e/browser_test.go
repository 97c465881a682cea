package e2e

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
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

// TestBrowserScreenshots writes the screenshots of the docs: the landing page, the figures of Shanxi, Shanxi's
// basic pension coverage and the warnings and checks, of the embedded default next to the settlement test dataset.
// It runs only with -screenshots=DIR (make screenshots).
func TestBrowserScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("no -screenshots directory given")
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	// The exporter runs in a directory of its own with the files named relative to it, so that the pages name the
	// files as a deployment would, without this machine's paths.
	dir := t.TempDir()
	settlement, err := os.ReadFile("../config/testdata/valid-settlement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "settlement.yaml"), string(settlement))
	writeFile(t, filepath.Join(dir, "socsec.yml"), "datasets:\n  - settlement.yaml\ninclude_default_dataset: true\n")
	addr := testenv.FreeAddr(t)
	exporter := testenv.Start(t, dir, testenv.Exporter(t), "--web.listen-address="+addr, "--config.file=socsec.yml")
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
	} {
		step(t, ctx, "loading "+shot.path,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(base+shot.path),
			chromedp.WaitVisible(chromedp.CSS(shot.ready)))
		png := read(t, ctx, "taking the screenshot of "+shot.path, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(*screenshots, shot.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", filepath.Join(*screenshots, shot.file), len(png))
	}
}
