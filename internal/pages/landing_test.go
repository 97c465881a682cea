package pages

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// failingDataset has a reported growth rate its figures contradict, and
// sources without a publisher, without a date, and without either.
const failingDataset = `id: failing
title: A rate its figures contradict
sources:
  - {id: bulletin, title: Statistical bulletin, published: 2021-05-01}
  - {id: article, title: Newspaper article, publisher: Daily News}
  - {id: page, title: A web page}
regions:
  - {code: "200000", name_en: Fail, level: province}
programs:
  - {id: pension, name: Pension insurance}
observations:
  - {indicator: socsec_pension_monthly_per_capita_yuan, region: "200000", program: pension, year: 2015, value: 1000, source: bulletin}
  - {indicator: socsec_pension_monthly_per_capita_yuan, region: "200000", program: pension, year: 2020, value: 1338, source: page}
reported:
  - {kind: cagr, indicator: socsec_pension_monthly_per_capita_yuan, region: "200000", program: pension, from_year: 2015, to_year: 2020, value: 0.058, source: article}
`

// landingOf serves the landing page of the embedded Shanxi article beside
// the failing dataset, with the metrics at metrics and the given build.
func landingOf(t *testing.T, metrics string, b Build) (*httptest.Server, *Load) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"failing.yaml": failingDataset,
		"socsec.yml": "datasets:\n  - failing.yaml\ndefault_datasets: [shanxi-2021-07-07]\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := config.Load(config.Options{ConfigFile: filepath.Join(dir, "socsec.yml"), Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	l := NewLoad(res.Snapshot, res.Warnings, testenv.Now())
	st := State{Load: l, Reload: Reload{At: l.At}}
	p := NewWithOptions(func() State { return st }, Options{MetricsPath: metrics})
	mux := http.NewServeMux()
	p.Register(mux)
	mux.Handle("/", p.Landing(st, b))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, l
}

// datasetRow is the row of the landing page's datasets that lists id.
func datasetRow(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr id="dataset-` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("the landing page has no row of the dataset %s", id)
	}
	return m
}

// TestLandingPageIsOneOfThePages checks that the landing page has the
// pages' stylesheet, navigation and security headers, links the metrics at
// their configured path, the figures and the checks, and lists the
// datasets with their sources and series.
func TestLandingPageIsOneOfThePages(t *testing.T) {
	srv, _ := landingOf(t, "/socsec/metrics", Build{Version: "0.1.0"})
	status, body, h := get(t, srv, "/")
	if status != http.StatusOK {
		t.Fatalf("GET /: status %d, want 200\n%s", status, body)
	}
	for name, want := range map[string]string{"Content-Security-Policy": ContentSecurityPolicy, "X-Frame-Options": "DENY",
		"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Content-Type": "text/html; charset=utf-8"} {
		if got := h.Get(name); got != want {
			t.Errorf("the landing page sends %s %q, want %q as the pages send", name, got, want)
		}
	}
	contains(t, "the landing page", body, `<link rel="stylesheet" href="static/pages.css">`,
		`<a href="./" aria-current="page">Home</a>`, `<a href="figures">Figures</a>`, `<a href="checks">Warnings and checks</a>`,
		`<a href="/socsec/metrics">Metrics</a>`, `id="health"`, `<h2 id="datasets">Datasets</h2>`,
		"shanxi-2021-07-07", "Revamped social security system helps out folks in Shanxi", "<td>17</td>",
		"(China Daily, published 2021-07-07)")
	if strings.Contains(body, `href="metrics"`) || strings.Contains(body, `href="/metrics"`) {
		t.Error("the landing page links /metrics, want the metrics at /socsec/metrics only")
	}
	if strings.Contains(body, "<style") || strings.Contains(body, "style=") {
		t.Error("the landing page has inline style; the pages' stylesheet is its only one")
	}
	if status, _, _ := get(t, srv, "/nothing-here"); status != http.StatusNotFound {
		t.Errorf("GET /nothing-here: status %d, want 404", status)
	}
	resp, err := http.Post(srv.URL+"/", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: status %d, Allow %q; want 405 allowing GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// The other pages link the metrics where they are served too.
	_, figures, _ := get(t, srv, "figures")
	contains(t, "/figures", figures, `<a href="/socsec/metrics">Metrics</a>`)
}

// TestLandingPageMarksFailedChecks checks that a dataset with failed
// consistency checks reads, in a colour and in words, otherwise than one
// whose checks pass, and that failures a dataset acknowledges are counted
// apart from both.
func TestLandingPageMarksFailedChecks(t *testing.T) {
	srv, _ := landingOf(t, "", Build{})
	_, body, _ := get(t, srv, "/")
	failing := datasetRow(t, body, "failing")
	contains(t, "the failing dataset's row", failing, `class="checks-failed"`, `<a class="status failed" href="checks">1 failed</a>`)
	if strings.Contains(failing, "passed") || strings.Contains(failing, "acknowledged") {
		t.Errorf("the failing dataset's row says passed or acknowledged:\n%s", failing)
	}
	// The default's one failed check is acknowledged, with a reason: it
	// passes, and the acknowledged failure is counted apart.
	def := datasetRow(t, body, "shanxi-2021-07-07")
	contains(t, "the default's row", def, `class="checks-passed"`, `<span class="status ok">passed</span>`,
		`<a class="status acknowledged" href="checks">1 acknowledged failure</a>`)
	if strings.Contains(def, "failed") {
		t.Errorf("the default's row says failed, want its one failure counted as acknowledged:\n%s", def)
	}
	contains(t, "the data's health", body, `<a class="status failed" href="checks">1 failed in failing</a>`,
		`<a class="status acknowledged" href="checks">1 acknowledged in shanxi-2021-07-07</a>`)
	// The colours are the stylesheet's.
	_, css, _ := get(t, srv, "static/pages.css")
	contains(t, "the stylesheet", css, ".failed { color: var(--fail); }", ".ok { color: var(--ok); }", ".status.acknowledged { color:",
		"tr.checks-failed td:first-child { border-left: 4px solid var(--fail); }", "tr.checks-passed td:first-child { border-left: 4px solid var(--ok); }")
}

// emptyParentheses is what a source without a publisher, or without
// either publisher or date, wrote: "(, published …)" or "()".
var emptyParentheses = regexp.MustCompile(`\(\s*(,|\))|,\s*\)`)

// TestNoEmptyParentheses checks that a source shows in parentheses what
// is known of its publisher and date, and no parentheses when neither is.
func TestNoEmptyParentheses(t *testing.T) {
	srv, l := landingOf(t, "", Build{})
	_, body, _ := get(t, srv, "/")
	row := datasetRow(t, body, "failing")
	contains(t, "the failing dataset's sources", row, "Statistical bulletin (published 2021-05-01)", "Newspaper article (Daily News)",
		"A web page</span>")
	pages := []string{"/", "figures", "checks", "figures?dataset=failing"}
	for _, o := range l.Snapshot.Series {
		if o.Dataset.ID == "failing" {
			pages = append(pages, figureURL(o))
		}
	}
	for _, page := range pages {
		_, body, _ := get(t, srv, page)
		if m := emptyParentheses.FindString(body); m != "" {
			i := strings.Index(body, m)
			t.Errorf("%s has empty parentheses %q in %q", page, m, body[max(0, i-80):min(len(body), i+80)])
		}
	}
}

// TestLandingPageBuildShowsWhatIsKnown checks that the build information
// leaves out what is not known instead of showing it empty or unknown.
func TestLandingPageBuildShowsWhatIsKnown(t *testing.T) {
	srv, _ := landingOf(t, "", Build{Version: "0.1.0", Revision: "unknown", GoVersion: "go1.26.8", Platform: "linux/amd64"})
	_, body, _ := get(t, srv, "/")
	contains(t, "the build", body, `version <code>0.1.0</code>`, `Go <code>go1.26.8</code>`, `platform <code>linux/amd64</code>`)
	for _, bad := range []string{"unknown", "revision", "branch", "date <code>", "version=", "<code></code>"} {
		if strings.Contains(body, bad) {
			t.Errorf("the landing page shows %q, want only the known parts of the build", bad)
		}
	}
	srv, _ = landingOf(t, "", Build{Version: "0.1.0", Revision: "ff2223f", Branch: "main", Date: "2026-12-05T16:00:00Z"})
	_, body, _ = get(t, srv, "/")
	contains(t, "the build", body, `version <code>0.1.0</code></span> · <span class="part">revision`, `revision <code>ff2223f</code>`, `branch <code>main</code>`,
		`date <code>2026-12-05T16:00:00Z</code>`)
}

// TestLandingPageBeforeTheFirstLoad checks the landing page while nothing
// is loaded: it says so, and tells why a first load failed.
func TestLandingPageBeforeTheFirstLoad(t *testing.T) {
	p := NewWithOptions(func() State { return State{} }, Options{})
	for _, c := range []struct {
		st   State
		want []string
	}{
		{State{}, []string{"none yet: loading", "not finished yet", `<p class="none">Loading…</p>`}},
		{State{Reload: Reload{At: testenv.Now(), Err: errors.New("socsec.yml:3:5: datasets: no such file")}},
			[]string{"none yet: loading", `<strong class="failed">failed</strong>`, "<code>socsec.yml:3:5: datasets: no such file</code>"}},
	} {
		w := httptest.NewRecorder()
		p.Landing(c.st, Build{Version: "0.1.0"}).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if w.Code != http.StatusOK {
			t.Errorf("the landing page before the first load: status %d, want 200", w.Code)
		}
		contains(t, "the landing page before the first load", w.Body.String(), c.want...)
	}
}
