package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// scrapeFormats are the formats a scrape can ask for, by the Accept header
// Prometheus sends for each, with the Content-Type the answer must have.
var scrapeFormats = []struct {
	name, accept, contentType string
}{
	{"text", "text/plain;version=0.0.4;q=1,*/*;q=0.1", "text/plain; version=0.0.4"},
	// What Prometheus 2.42, Debian's, sends by default.
	{"openmetrics", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", "application/openmetrics-text; version=1.0.0"},
}

// scrape GETs url asking for a format and an encoding, failing unless the
// answer is 200 in that format; Go decompresses a gzipped answer itself.
func scrape(t *testing.T, url, accept, contentType string, gzipped bool) []byte {
	t.Helper()
	body, ct := scrapeAs(t, url, accept, gzipped)
	if !strings.HasPrefix(ct, contentType) {
		t.Fatalf("GET %s (Accept: %s): Content-Type %q, want %s", url, accept, ct, contentType)
	}
	return body
}

// scrapeAs GETs url with the Accept header given (none when empty), gzipped
// or not, and returns the decoded body and its Content-Type, failing unless
// the answer is 200 and, when asked for, gzipped.
func scrapeAs(t *testing.T, url, accept string, gzipped bool) ([]byte, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if !gzipped {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("scraping %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the scrape of %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s (Accept: %q): %s, want 200\n%s", url, accept, resp.Status, body)
	}
	if gzipped && !resp.Uncompressed {
		t.Fatalf("GET %s (Accept: %q): asked for gzip, the answer is not gzipped", url, accept)
	}
	return body, resp.Header.Get("Content-Type")
}

// checkPromtool scrapes base in every format, plain and gzipped, and
// returns the plain text scrape. The text scrapes must pass promtool check
// metrics on stdin, with the promtool at the path promtool: no output, exit 0. promtool check metrics reads only the
// text format (its parser stops at the \" that OpenMetrics writes for a
// quote in HELP, as in socsec_latest_data_year's), so OpenMetrics is held
// to the parser of a real Prometheus instead: one scrapes the exporter,
// negotiating OpenMetrics as it does by default, and must find the target
// up, without a scrape error, with every socsec_ series of the text scrape.
func checkPromtool(t *testing.T, promtool, base string) string {
	t.Helper()
	scrapes := map[string][]byte{}
	for _, f := range scrapeFormats {
		for _, gzipped := range []bool{false, true} {
			what := fmt.Sprintf("the %s scrape (gzip %v)", f.name, gzipped)
			body := scrape(t, base+"/metrics", f.accept, f.contentType, gzipped)
			scrapes[what] = body
			if f.name == "openmetrics" {
				if !bytes.HasSuffix(body, []byte("\n# EOF\n")) {
					t.Errorf("%s does not end with # EOF", what)
				}
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
			cmd.Stdin = bytes.NewReader(body)
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil || len(out) > 0 {
				t.Errorf("promtool check metrics on %s, %d bytes: %v\n%s", what, len(body), err, out)
			}
		}
	}
	// The socsec_ lines are the same in every scrape of one format: the
	// data and the load's self-metrics do not change between scrapes.
	for _, f := range scrapeFormats {
		plain, gzipped := fmt.Sprintf("the %s scrape (gzip false)", f.name), fmt.Sprintf("the %s scrape (gzip true)", f.name)
		if a, b := socsecLines(scrapes[plain]), socsecLines(scrapes[gzipped]); a != b {
			at := testenv.Mismatch([]byte(a), []byte(b))
			t.Errorf("the socsec_ lines of %s (%d bytes) differ from those of %s (%d bytes) at byte %d:\n%q\n%q",
				gzipped, len(b), plain, len(a), at, testenv.Excerpt([]byte(b), at), testenv.Excerpt([]byte(a), at))
		}
	}
	text := string(scrapes["the text scrape (gzip false)"])
	checkScrapedByPrometheus(t, base, strings.Count(socsecLines([]byte(text)), "\n"))
	return text
}

// socsecLines returns the sample lines of socsec_ families in a scrape.
func socsecLines(b []byte) string {
	var out strings.Builder
	for line := range strings.Lines(string(b)) {
		if strings.HasPrefix(line, "socsec_") {
			out.WriteString(line)
		}
	}
	return out.String()
}

// checkScrapedByPrometheus runs a real Prometheus that scrapes the exporter
// at base and fails unless its scrape succeeds and it stores as many
// socsec_ series as the text scrape has.
func checkScrapedByPrometheus(t *testing.T, base string, series int) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	prom := testenv.StartPrometheus(t, fmt.Sprintf("global:\n  scrape_interval: 5s\n  scrape_timeout: 5s\nscrape_configs:\n  - job_name: socsec\n    static_configs:\n      - targets: ['%s']\n", u.Host))
	testenv.WaitFor(t, "Prometheus to scrape the exporter", 2*time.Minute, func() error {
		resp, err := http.Get(prom + "/api/v1/targets?state=active")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var targets struct {
			Data struct {
				ActiveTargets []struct {
					Health, LastError string
				} `json:"activeTargets"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
			return err
		}
		if n := len(targets.Data.ActiveTargets); n != 1 {
			return fmt.Errorf("%d active targets, want 1", n)
		}
		switch target := targets.Data.ActiveTargets[0]; {
		case target.LastError != "":
			t.Fatalf("Prometheus's scrape of the exporter failed: %s", target.LastError)
		case target.Health != "up":
			return fmt.Errorf("target health %q", target.Health)
		}
		return nil
	})
	// The target turns up as the scrape ends, a moment before its samples
	// can be queried.
	testenv.WaitFor(t, "Prometheus to store the scrape", time.Minute, func() error {
		stored, err := query(prom, `count({__name__=~"socsec_.+",job="socsec"})`)
		if err != nil {
			return err
		}
		if len(stored) != 1 || int(stored[0].Value) != series {
			return fmt.Errorf("Prometheus stores %v socsec_ series from its scrape, the text scrape has %d", stored, series)
		}
		return nil
	})
}

// TestPromtoolCleanAtScale serves a generated dataset of 100,000 series and
// holds its scrapes to promtool check metrics, text plain and gzipped, and
// to a real Prometheus scraping OpenMetrics (see checkPromtool).
func TestPromtoolCleanAtScale(t *testing.T) {
	dir := t.TempDir()
	stats, err := datagen.Write(dir, datagen.Options{Series: 100000})
	if err != nil {
		t.Fatalf("generating the dataset: %v", err)
	}
	_, base := testenv.StartExporter(t, "--config.file="+filepath.Join(dir, "config.yml"))
	// Debian's promtool 2.42: promtool 3 also compares every two series of a
	// family for duplicates (client_golang's promlint LintDuplicateMetric,
	// quadratic), which takes hours at 100,000 series in one family. The real
	// Prometheus of checkPromtool (the stack's version) would store fewer
	// series than the scrape has lines if any were duplicated.
	promtool, _ := testenv.DebianPrometheus(t, "promtool")
	text := checkPromtool(t, promtool, base)
	if n := sampleLines(text); n < stats.Series {
		t.Errorf("the scrape has %d samples, want the %d series generated and the self-metrics", n, stats.Series)
	}
}

// TestPromtoolCleanAllFeatures serves datasets that use every feature of the
// format, with text that needs escaping wherever text reaches a label or a
// HELP, and holds its scrapes to promtool check metrics and a real
// Prometheus as TestPromtoolCleanAtScale does. It checks that the features
// are really served, so that the dataset cannot quietly lose one.
func TestPromtoolCleanAllFeatures(t *testing.T) {
	_, base := testenv.StartExporter(t, "--config.file="+writeFeatures(t))
	text := checkPromtool(t, testenv.Tool(t, "promtool", "prometheus"), base)
	for _, want := range []string{
		// A declared indicator's HELP with a quote, a backslash and a newline:
		// the text format escapes the backslash and the newline, not the quote.
		`# HELP socsec_test_recipients_persons Persons "drawing" a C:\\pension,\nby sex and age group.` + "\n",
		// Its dimensions, in the sorted label order.
		`socsec_test_recipients_persons{age_group="65-plus",program="p_quoted",region_code="990000",sex="female",year="2022"} 4.1e+06` + "\n",
		// Names with quotes, backslashes and newlines.
		`region_name="Region \"Quoted\" \\ one\nsecond line"`,
		`program_name="Programme \"quoted\" \\ name"`,
		`title="Features: \"all\" of them\\every\nline"`,
		// A file name with a quote and a space, at the end of the path the
		// file label has.
		`/features \"all\".yaml",license="Free \"as in\" test\\data\nsecond line"`,
		// Every qualifier, a revision and a CSV figure.
		`qualifier="approximately"`, `qualifier="at_least"`, `qualifier="at_most"`, `qualifier="exact"`,
		`socsec_dataset_revisions{dataset="features"} 1` + "\n",
		`socsec_test_offices{office_kind="county.branch",region_code="990100",year="2021"} 17` + "\n",
		// The per-region override of a coverage target.
		`socsec_coverage_target_ratio{program="p_quoted",region_code="990000"} 0.97` + "\n",
		// The embedded default comes along.
		`socsec_dataset_info{dataset="shanxi-2021-07-07"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	// The reported cagr that its figures contradict.
	if strings.Contains(text, `socsec_dataset_check_failures{dataset="features"} 0`+"\n") {
		t.Error("no consistency check of the features dataset fails")
	}
	for _, q := range []string{"approximately", "at_least", "at_most", "exact"} {
		if strings.Contains(text, `socsec_dataset_observations{dataset="features",qualifier="`+q+`"} 0`+"\n") {
			t.Errorf("the features dataset serves no figure qualified %s", q)
		}
	}
}

// sampleLines counts the lines of a text scrape that are samples.
func sampleLines(text string) int {
	n := 0
	for line := range strings.Lines(text) {
		if !strings.HasPrefix(line, "#") {
			n++
		}
	}
	return n
}

// writeFeatures writes a config and two datasets that use every feature:
// declared indicators with and without programme and dimensions, every
// qualifier, a CSV observation file, a revision, reported figures, several
// regions, programmes and sources, coverage targets with a regional
// override, the embedded default beside them, and quotes, backslashes and
// newlines in every free text: titles, names, help, notes, publishers and
// a file name. It returns the config file.
func writeFeatures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"config.yml": `datasets:
  - features "all".yaml
  - more/
include_default_dataset: true
coverage_targets:
  - program: p_quoted
    ratio: 0.95
    note: "A target \"note\" with a \\ and\na newline."
  - program: p_quoted
    region: "990000"
    ratio: 0.97
  - program: p_plain
    ratio: 0.9
`,
		`features "all".yaml`: `id: features
title: "Features: \"all\" of them\\every\nline"
publisher: "Bureau \\ of \"Tests\""
license: "Free \"as in\" test\\data\nsecond line"
sources:
  - id: s1
    title: "First \"report\"\nwith a second line \\ and a backslash"
    url: https://example.org/first?a="b"&c=\d
    publisher: "Statistics \"bureau\""
    published: 2022-03-01
  - id: s2
    title: Second report, which revises the first
    url: http://example.org/second
    published: 2023-03-01
regions:
  - code: "990000"
    name: "Region \"Quoted\" \\ one\nsecond line"
    name_en: "Quoted \\ region"
    level: province
  - code: "990100"
    name: "City \"in\" the region"
    name_en: "City\\of\nlines"
    level: city
    parent: "990000"
  - code: "980000"
    name: Plain region
    level: province
programs:
  - id: p_quoted
    name: "Programme \"quoted\" \\ name"
  - id: p_plain
    name: "Programme on\ntwo lines"
indicators:
  - name: socsec_test_recipients_persons
    help: "Persons \"drawing\" a C:\\pension,\nby sex and age group."
    unit: persons
    dimensions: [sex, age_group]
  - name: socsec_test_offices
    help: Offices of the given kind in the region.
    unit: jurisdictions
    per_program: false
    dimensions: [office_kind]
  - name: socsec_test_share_ratio
    help: "A share, 0-1, \"quoted\"."
    unit: ratio
    per_program: false
observations:
  - indicator: socsec_test_recipients_persons
    region: "990000"
    program: p_quoted
    year: 2022
    dimensions: {sex: female, age_group: 65-plus}
    value: 4100000
    source: s1
    qualifier: exact
    note: "A note with \"quotes\", a \\ and\na newline."
  - indicator: socsec_test_recipients_persons
    region: "990000"
    program: p_quoted
    year: 2022
    dimensions: {sex: male, age_group: 65-plus}
    value: 3900000
    source: s1
    qualifier: approximately
  - indicator: socsec_test_share_ratio
    region: "990100"
    year: 2021
    value: 0.41
    source: s1
    qualifier: at_most
  # The same figure from the later source, beyond what the first allows
  # (0.415 at most): a revision.
  - indicator: socsec_test_share_ratio
    region: "990100"
    year: 2021
    value: 0.43
    source: s2
    note: Revised.
  - indicator: socsec_coverage_ratio
    region: "990000"
    program: p_quoted
    year: 2020
    value: 0.9
    source: s1
  - indicator: socsec_coverage_ratio
    region: "990000"
    program: p_quoted
    year: 2021
    value: 0.93
    source: s2
  - indicator: socsec_pension_monthly_per_capita_yuan
    region: "990000"
    program: p_quoted
    year: 2020
    value: 3000
    source: s1
  - indicator: socsec_pension_monthly_per_capita_yuan
    region: "990000"
    program: p_quoted
    year: 2021
    value: 3150
    source: s2
observation_files:
  - features.csv
reported:
  - kind: yoy
    indicator: socsec_pension_monthly_per_capita_yuan
    region: "990000"
    program: p_quoted
    from_year: 2020
    to_year: 2021
    value: 0.05
    source: s2
    note: "Reported \"growth\" \\ of 5 %."
  - kind: cagr
    indicator: socsec_coverage_ratio
    region: "990000"
    program: p_quoted
    from_year: 2020
    to_year: 2021
    value: 0.2
    source: s1
    note: A reported rate that the figures contradict.
`,
		"features.csv": "indicator,region,program,year,value,source,qualifier,note,sex,age_group,office_kind,category\n" +
			"socsec_test_offices,990100,,2021,17,s1,at_least,\"More than 17 \"\"offices\"\", a \\ and\na newline\",,,county.branch,\n" +
			"socsec_test_offices,990100,,2022,18,s2,,,,,county.branch,\n" +
			"socsec_test_recipients_persons,980000,p_plain,2021,120,s2,approximately,,female,0-17,,\n" +
			"socsec_children_supported_persons,980000,p_plain,2021,4900,s2,at_least,Orphans,,,,orphan\n" +
			"socsec_insured_persons,990100,p_quoted,2021,1.5e6,s1,at_most,,,,,\n",
		"more/second.yaml": `id: second
title: A second dataset on the same regions
sources:
  - id: only
    title: "Only \"source\""
    published: 2024-01-15
regions:
  - code: "980000"
    name: Plain region
    level: province
programs:
  - id: p_plain
    name: "Programme on\ntwo lines"
observations:
  - {indicator: socsec_insured_persons, region: "980000", program: p_plain, year: 2023, value: 1000, qualifier: at_least}
  - {indicator: socsec_population_persons, region: "980000", year: 2023, dimensions: {population: resident}, value: 2500}
`,
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "config.yml")
}
