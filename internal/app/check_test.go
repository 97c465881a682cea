package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/socsec-exporter/socsec_exporter/config"
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
		{"default", nil, CheckOptions{}, CheckOK, []string{
			"embedded:default/shanxi-2021-07-07.yaml:49:5: qualifier: warning: socsec_insured_persons 140000 basic_pension 2020 is approximately 25840000",
			"embedded:default/shanxi-2021-07-07.yaml:161:5: reported: FAIL: cagr of socsec_pension_monthly_per_capita_yuan 140000 basic_pension 2015-2020: reported 5.8 % a year",
			"check passed with inconsistent figures: 1 of 1 consistency check(s) failed; 1 dataset(s), 17 series, 0 revision(s), 6 warning(s)",
		}},
		{"default made fatal", nil, CheckOptions{ConsistencyFatal: true}, CheckInconsistent, []string{
			"reported: FAIL:",
			"1 of 1 consistency check(s) failed",
		}},
		{"inconsistent made fatal", []string{"../../check/testdata/population.yaml"}, CheckOptions{ConsistencyFatal: true}, CheckInconsistent, []string{
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
	opts := config.Options{Datasets: []string{"../../check/testdata/bounds.yaml"}, Now: testenv.Now}
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
	if c.Check != "bounds" || c.OK || c.Line == 0 || !strings.HasSuffix(c.File, "bounds.yaml") || len(c.Datasets) != 1 || c.Datasets[0] != "bounds" {
		t.Errorf("last check = %+v, want a failed bounds check located in bounds.yaml of dataset bounds", c)
	}
	if len(rep.Warnings) == 0 || rep.Warnings[0].Field == "" || strings.HasPrefix(rep.Warnings[0].Message, "warning:") {
		t.Errorf("warnings = %+v, want located warnings without the text prefix", rep.Warnings)
	}
}

// TestReloadCountsCheckFailures checks that a load runs the consistency
// checks once and that /metrics then serves their failures per dataset.
func TestReloadCountsCheckFailures(t *testing.T) {
	e := New(Options{Load: config.Options{Now: testenv.Now}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DisableExporterMetrics: true})
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	want := `# HELP socsec_dataset_check_failures Consistency checks that figures of the dataset fail; socsec_exporter check lists them.
# TYPE socsec_dataset_check_failures gauge
socsec_dataset_check_failures{dataset="shanxi-2021-07-07"} 1
`
	if err := testutil.GatherAndCompare(e.Registry(), strings.NewReader(want), "socsec_dataset_check_failures"); err != nil {
		t.Error(err)
	}
}
