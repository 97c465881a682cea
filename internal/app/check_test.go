package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		co    CheckOptions
		exit  int
		lines []string // Substrings the text output must contain, one per line, in order.
	}{
		// No files: the embedded Shanxi article alone (testdata/article.yml).
		{"article", nil, CheckOptions{}, CheckOK, []string{
			"warning: 6 qualified figures (approximately, at_least, at_most), not listed (check --format=json lists them)",
			"embedded:default/shanxi-2021-07-07.yaml:179:5: reported: acknowledged: cagr of socsec_pension_monthly_per_capita_yuan 140000 basic_pension 2015-2020: reported 5.8 % a year",
			"; acknowledged at embedded:default/shanxi-2021-07-07.yaml:188:5: The article prints 5.8 percent",
			"check passed: 1 dataset(s), 17 series, 0 revision(s), 0 unresolved conflict(s), 6 warning(s), 1 consistency check(s), 1 acknowledged, 0 unchecked",
		}},
		{"settlement", []string{"../../config/testdata/valid-settlement.yaml"}, CheckOptions{}, CheckOK, []string{
			"valid-settlement.yaml:62:5: value: warning: unresolved conflict: socsec_beneficiaries_persons region CN program unemployment year 2022 is not served",
			"check passed: 1 dataset(s), 5 series, 3 revision(s), 1 unresolved conflict(s), 7 warning(s), 0 consistency check(s), 0 unchecked",
		}},
		{"settlement made strict", []string{"../../config/testdata/valid-settlement.yaml"}, CheckOptions{Strict: true}, CheckInvalid, []string{
			"valid-settlement.yaml:62:5: value: unresolved conflict: socsec_beneficiaries_persons region CN program unemployment year 2022 is not served",
			"check failed: 1 error(s), 6 warning(s)",
		}},
		// The article's one failure is acknowledged: nothing is inconsistent.
		{"article made fatal", nil, CheckOptions{ConsistencyFatal: true}, CheckOK, []string{
			"reported: acknowledged:",
			"1 consistency check(s), 1 acknowledged",
		}},
		{"acknowledged made fatal", []string{"../check/testdata/acknowledged.yaml"}, CheckOptions{ConsistencyFatal: true}, CheckInconsistent, []string{
			"acknowledged.yaml:69:5: acknowledged[3]: warning: stale acknowledgement: the reported check of yoy of socsec_pension_monthly_per_capita_yuan 200000 pension 2019-2020 passes, so there is no failure to acknowledge; remove the acknowledgement",
			"acknowledged.yaml:73:5: acknowledged[4]: warning: stale acknowledgement: the reported check of cagr of socsec_pension_monthly_per_capita_yuan 100000 pension 2016-2020 cannot be made for want of a figure",
			"acknowledged.yaml:77:5: acknowledged[5]: warning: stale acknowledgement: the coverage check of socsec_coverage_ratio 100000 medical 2021 is not made",
			"acknowledged.yaml:47:5: reported: acknowledged: cagr of socsec_pension_monthly_per_capita_yuan 100000 pension 2015-2020: ",
			"; acknowledged at ../check/testdata/acknowledged.yaml:58:5: The article rounds down.",
			"acknowledged.yaml:49:5: reported: FAIL: cagr of socsec_pension_monthly_per_capita_yuan 200000 pension 2015-2020: ",
			"check passed with inconsistent figures: 1 of 6 consistency check(s) failed, 3 acknowledged, 1 unchecked; 1 dataset(s), 9 series, 1 revision(s), 0 unresolved conflict(s), 5 warning(s)",
		}},
		{"inconsistent made fatal", []string{"../check/testdata/population.yaml"}, CheckOptions{ConsistencyFatal: true}, CheckInconsistent, []string{
			"population.yaml:36:5: full_coverage: ok: socsec_coverage_ratio 100000 newborn 2020",
			"population.yaml:41:5: coverage: FAIL: socsec_coverage_ratio 200000 medical 2020",
			"3 of 9 consistency check(s) failed",
		}},
		{"invalid", []string{"../../config/testdata/invalid-bad-qualifier.yaml"}, CheckOptions{ConsistencyFatal: true}, CheckInvalid, []string{
			"invalid-bad-qualifier.yaml:",
			"check failed: 1 error(s)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			opts := config.Options{Datasets: tc.files, Now: testenv.Now}
			if tc.files == nil {
				opts.ConfigFile = "../../testdata/article.yml"
			}
			if got := Check(&out, opts, tc.co); got != tc.exit {
				t.Errorf("exit code %d, want %d", got, tc.exit)
			}
			rest := out.String()
			for _, want := range tc.lines {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("output lacks %q after the previous match:\n%s", want, out.String())
				}
				rest = rest[i+len(want):]
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	var out bytes.Buffer
	opts := config.Options{Datasets: []string{"../check/testdata/bounds.yaml"}, Now: testenv.Now}
	if got := Check(&out, opts, CheckOptions{Format: FormatJSON}); got != CheckOK {
		t.Errorf("exit code %d, want %d", got, CheckOK)
	}
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.Status != "inconsistent" || rep.Summary.Checks != 4 || rep.Summary.FailedChecks != 2 || len(rep.Checks) != 4 || len(rep.Errors) != 0 {
		t.Errorf("got status %q, %d checks (%d failed), %d results, %d errors; want inconsistent, 4 (2), 4, 0",
			rep.Status, rep.Summary.Checks, rep.Summary.FailedChecks, len(rep.Checks), len(rep.Errors))
	}
	c := rep.Checks[3]
	if c.Check != "bounds" || c.Status != check.Failed || c.Line == 0 || !strings.HasSuffix(c.File, "bounds.yaml") || len(c.Datasets) != 1 || c.Datasets[0] != "bounds" {
		t.Errorf("last check = %+v, want a failed bounds check located in bounds.yaml of dataset bounds", c)
	}
	if len(rep.Warnings) == 0 || rep.Warnings[0].Field == "" || strings.HasPrefix(rep.Warnings[0].Message, "warning:") {
		t.Errorf("warnings = %+v, want located warnings without the text prefix", rep.Warnings)
	}
}

// TestCheckJSONUndatedSource checks that a source without a date is said
// to be undated and is never given the zero date.
func TestCheckJSONUndatedSource(t *testing.T) {
	var out bytes.Buffer
	opts := config.Options{Datasets: []string{"../check/testdata/totals.yaml"}, Now: testenv.Now}
	Check(&out, opts, CheckOptions{Format: FormatJSON})
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "0001-01-01") {
		t.Errorf("output gives an undated source the zero date:\n%s", out.String())
	}
	if len(rep.Checks) == 0 || rep.Checks[0].Check != "total" || !strings.Contains(rep.Checks[0].Message, "(article, undated, ") {
		t.Errorf("checks = %+v, want a total check naming the undated article", rep.Checks)
	}
}

// TestReloadCountsCheckFailures checks that a load runs the consistency
// checks once and that /metrics then serves their failures, the failures
// acknowledged (the default's one) and the checks that could not be made
// per dataset.
func TestReloadCountsCheckFailures(t *testing.T) {
	e := New(Options{Load: config.Options{ConfigFile: "../../testdata/article.yml", Now: testenv.Now}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DisableExporterMetrics: true})
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	want := `# HELP socsec_dataset_check_failures Consistency checks that figures of the dataset fail, but for those a dataset acknowledges; socsec_exporter check lists them.
# TYPE socsec_dataset_check_failures gauge
socsec_dataset_check_failures{dataset="shanxi-2021-07-07"} 0
# HELP socsec_dataset_checks_acknowledged Failed consistency checks of figures of the dataset that a dataset acknowledges with a reason (acknowledged:); socsec_dataset_check_failures does not count them, and socsec_exporter check lists them with their reasons.
# TYPE socsec_dataset_checks_acknowledged gauge
socsec_dataset_checks_acknowledged{dataset="shanxi-2021-07-07"} 1
# HELP socsec_dataset_checks_unchecked Consistency checks of reported figures or declared totals of the dataset that could not be made for want of a figure; they fail nothing, and socsec_exporter check lists them.
# TYPE socsec_dataset_checks_unchecked gauge
socsec_dataset_checks_unchecked{dataset="shanxi-2021-07-07"} 0
`
	if err := testutil.GatherAndCompare(e.Registry(), strings.NewReader(want), "socsec_dataset_check_failures", "socsec_dataset_checks_acknowledged", "socsec_dataset_checks_unchecked"); err != nil {
		t.Error(err)
	}
}

// TestCheckUnchecked checks that checks lacking a figure are counted apart
// from failures, in the text summary, the JSON summary and the metrics,
// and that a JSON result carries the figures and stated figures it read.
func TestCheckUnchecked(t *testing.T) {
	opts := config.Options{Datasets: []string{"../../testdata/settlement/no-base.yaml"}, Now: testenv.Now}
	var text bytes.Buffer
	Check(&text, opts, CheckOptions{})
	for _, want := range []string{
		"no-base.yaml:14:5: reported: unchecked: change of socsec_insured_persons CN unemployment 2017-2018: no figure of socsec_insured_persons CN unemployment 2017",
		"no-base.yaml:16:5: reported_pair: FAIL: yoy of socsec_insured_persons CN work_injury 2017-2018: ",
		"check passed with inconsistent figures: 1 of 3 consistency check(s) failed, 2 unchecked; ",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
	var out bytes.Buffer
	Check(&out, opts, CheckOptions{Format: FormatJSON})
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if s := rep.Summary; s.Checks != 3 || s.FailedChecks != 1 || s.UncheckedChecks != 2 || rep.Status != "inconsistent" {
		t.Errorf("summary %+v, status %q; want 3 checks, 1 failed, 2 unchecked, inconsistent", s, rep.Status)
	}
	var statuses []check.Status
	for _, c := range rep.Checks {
		statuses = append(statuses, c.Status)
	}
	if want := []check.Status{check.Unchecked, check.Unchecked, check.Failed}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	pair := rep.Checks[2]
	if len(pair.Figures) != 1 || pair.Figures[0].Series.Year != 2018 || pair.Figures[0].Value != 12000000 || pair.Figures[0].Line != 12 ||
		len(pair.Reported) != 2 || pair.Reported[0].Kind != "yoy" || pair.Reported[1].Kind != "change" || pair.Reported[1].Printed != "200万" {
		t.Errorf("pair check %+v, want the 2018 figure and the stated rate and change as fields", pair)
	}

	res, err := config.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Snapshot.CheckUnchecked(); !maps.Equal(got, map[string]int{"no-base": 2}) {
		t.Errorf("CheckUnchecked() = %v, want no-base: 2", got)
	}
	if got := res.Snapshot.CheckFailures(); !maps.Equal(got, map[string]int{"no-base": 1}) {
		t.Errorf("CheckFailures() = %v, want no-base: 1", got)
	}
}

// TestCheckJSONSettlement checks that every settled series comes with its
// figures as fields: the served one and those it replaced, confirmed or
// conflicts with, each with source, authority, dates and position.
func TestCheckJSONSettlement(t *testing.T) {
	var out bytes.Buffer
	opts := config.Options{Datasets: []string{"../../config/testdata/valid-settlement.yaml"}, Now: testenv.Now}
	if got := Check(&out, opts, CheckOptions{Format: FormatJSON}); got != CheckOK {
		t.Errorf("exit code %d, want %d", got, CheckOK)
	}
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	st := rep.Settlement
	if len(st.Revisions) != 3 || len(st.Confirmations) != 2 || len(st.Conflicts) != 1 || rep.Summary.Conflicts != 1 {
		t.Fatalf("settlement has %d revisions, %d confirmations, %d conflicts (summary %d); want 3, 2, 1 (1)",
			len(st.Revisions), len(st.Confirmations), len(st.Conflicts), rep.Summary.Conflicts)
	}
	c := st.Conflicts[0]
	if c.Series.Metric != "socsec_beneficiaries_persons" || c.Series.Program != "unemployment" || c.Series.Year != 2022 || c.Served != nil || len(c.Figures) != 2 {
		t.Errorf("conflict = %+v, want the two unserved figures of socsec_beneficiaries_persons unemployment 2022", c)
	}
	if f := c.Figures[0]; f.Printed != "297万" || f.Value != 2970000 || f.Precision != 5000 || f.Source != "news-a" || f.Published != "2023-07-01" || f.Line != 62 {
		t.Errorf("first conflicting figure = %+v", f)
	}
	var undated *figureReport
	for _, r := range st.Revisions {
		for i, f := range r.Figures {
			if f.Source == "undated" {
				undated = &r.Figures[i]
			}
		}
	}
	if undated == nil || undated.Published != "" || undated.Released != "" || undated.Authority != 5 {
		t.Errorf("the undated source's replaced figure = %+v, want empty dates and authority 5", undated)
	}
}

// TestDatasetTargetIsTheDatasetAlone proves that /metrics?dataset=ID serves
// exactly what a config naming only that dataset serves, on datasets whose
// figures revise each other: the figure another dataset revised is served
// again when its dataset stands alone.
func TestDatasetTargetIsTheDatasetAlone(t *testing.T) {
	dir := t.TempDir()
	src := "../../collector/testdata/merged"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	targets := "coverage_targets:\n  - program: basic_pension\n    ratio: 0.95\n  - program: basic_pension\n    region: \"140000\"\n    ratio: 0.96\n"
	whole := newTestExporter(t, filepath.Join(dir, "config.yml"), 0)
	if len(whole.Snapshot().Revisions) == 0 {
		t.Fatal("the merged config has no revision across datasets to test with")
	}
	srv := httptest.NewServer(whole.Handler())
	defer srv.Close()
	text := acceptHeaders["text"]
	for file, id := range map[string]string{"valid-dataset.yaml": "main", "valid-observations.yaml": "csv", "revision.yaml": "revisions"} {
		body, _, err := scrape(srv.Client(), srv.URL+"/metrics?dataset="+id, text, false)
		if err != nil {
			t.Fatal(err)
		}
		alone := filepath.Join(dir, "alone-"+id+".yml")
		if err := os.WriteFile(alone, []byte("datasets:\n  - "+file+"\n"+targets), 0o644); err != nil {
			t.Fatal(err)
		}
		single := newTestExporter(t, alone, 0)
		ssrv := httptest.NewServer(single.Handler())
		want, _, err := scrape(ssrv.Client(), ssrv.URL+"/metrics", text, false)
		ssrv.Close()
		if err != nil {
			t.Fatal(err)
		}
		got, wantData := dataPrefix(body), dataPrefix(want)
		if got != wantData {
			t.Errorf("?dataset=%s differs from a config naming only %s:\n got:\n%s\nwant:\n%s", id, file, got, wantData)
		}
	}
}

// dataPrefix is the data part of a text scrape: everything before the
// self-metrics, which start with the Go runtime's.
func dataPrefix(body []byte) string {
	s := string(body)
	if i := strings.Index(s, "# HELP go_"); i >= 0 {
		return s[:i]
	}
	return s
}

// TestCheckIgnoresFileOrder checks the settlement cases together, which
// share series, in several orders of their files: the report must be the
// same, line for line, whatever the order.
func TestCheckIgnoresFileOrder(t *testing.T) {
	files, err := filepath.Glob("../../testdata/settlement/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d settlement cases (%v), want at least 5", len(files), err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "wrong-unit.yaml") })
	report := func(files []string) string {
		var out bytes.Buffer
		Check(&out, config.Options{Datasets: files, Now: testenv.Now}, CheckOptions{})
		return out.String()
	}
	want := report(files)
	if !strings.Contains(want, "unresolved conflict") || !strings.Contains(want, "check passed") {
		t.Fatalf("the settlement cases together report no unresolved conflict or do not pass:\n%s", want)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 5 {
		shuffled := slices.Clone(files)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := report(shuffled); got != want {
			t.Fatalf("in the order %v the report differs:\n%s\nfrom:\n%s", shuffled, got, want)
		}
	}
}

// TestCheckJSONWarningsAreTyped checks that each warning of the JSON report
// says its kind and gives the figures it is about, so that no reader has to
// parse a message.
func TestCheckJSONWarningsAreTyped(t *testing.T) {
	var out bytes.Buffer
	opts := config.Options{Datasets: []string{"../../testdata/settlement/pairwise-under-bulletin.yaml"}, Now: testenv.Now}
	Check(&out, opts, CheckOptions{Format: FormatJSON})
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(rep.Warnings) != 1 {
		t.Fatalf("%d warnings, want the one dispute: %+v", len(rep.Warnings), rep.Warnings)
	}
	w := rep.Warnings[0]
	var sources []string
	for _, f := range w.Figures {
		sources = append(sources, f.Source+" "+f.Series.Metric+" "+f.Series.Region)
	}
	want := []string{"bulletin socsec_insured_persons CN", "a socsec_insured_persons CN", "b socsec_insured_persons CN"}
	if w.Kind != config.KindDispute || !slices.Equal(sources, want) {
		t.Errorf("warning kind %q with figures %q, want %q with %q", w.Kind, sources, config.KindDispute, want)
	}
	if len(rep.Settlement.Disputes) != 1 || rep.Settlement.Disputes[0].Served == nil || rep.Settlement.Disputes[0].Served.Source != "bulletin" || len(rep.Settlement.Disputes[0].Figures) != 2 {
		t.Errorf("settlement disputes %+v, want one: the bulletin served, the two press figures disputed", rep.Settlement.Disputes)
	}
}

// TestCheckErrorsToStderr checks that with CheckOptions.Stderr set the
// errors of an invalid load and the line saying the check failed go there,
// and only there, while the report keeps its warnings; in JSON the report
// is still one document listing the errors, and the errors go to Stderr
// besides.
func TestCheckErrorsToStderr(t *testing.T) {
	// With --strict the unresolved conflict is an error, and the
	// revisions stay warnings.
	opts := config.Options{Datasets: []string{"../../config/testdata/valid-settlement.yaml"}, Now: testenv.Now}
	const conflict = "valid-settlement.yaml:62:5: value: unresolved conflict"
	var out, errs bytes.Buffer
	if got := Check(&out, opts, CheckOptions{Strict: true, Stderr: &errs}); got != CheckInvalid {
		t.Errorf("text: exit code %d, want %d", got, CheckInvalid)
	}
	if !strings.Contains(errs.String(), conflict) || !strings.Contains(errs.String(), "check failed: 1 error(s), 6 warning(s)") {
		t.Errorf("text: stderr lacks the error %q and the line saying the check failed:\n%s", conflict, errs.String())
	}
	if strings.Contains(out.String(), "unresolved conflict") || strings.Contains(out.String(), "check failed") {
		t.Errorf("text: the report on stdout holds the error or the failure line, which belong on stderr:\n%s", out.String())
	}
	if n := strings.Count(out.String(), ": warning: "); n != 6 {
		t.Errorf("text: the report on stdout has %d warnings, want the 6 of the load:\n%s", n, out.String())
	}

	out.Reset()
	errs.Reset()
	if got := Check(&out, opts, CheckOptions{Format: FormatJSON, Strict: true, Stderr: &errs}); got != CheckInvalid {
		t.Errorf("json: exit code %d, want %d", got, CheckInvalid)
	}
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Status != "invalid" || len(rep.Errors) != 1 {
		t.Errorf("json: stdout is not one report of status invalid with 1 error (%v):\n%s", err, out.String())
	}
	if !strings.Contains(errs.String(), conflict) || !strings.Contains(errs.String(), "check failed: 1 error(s)") {
		t.Errorf("json: stderr lacks the error %q and the line saying the check failed:\n%s", conflict, errs.String())
	}

	// A valid load writes nothing to Stderr.
	out.Reset()
	errs.Reset()
	if got := Check(&out, opts, CheckOptions{Stderr: &errs}); got != CheckOK || errs.Len() != 0 {
		t.Errorf("without --strict: exit code %d and stderr %q, want %d and nothing", got, errs.String(), CheckOK)
	}
}
