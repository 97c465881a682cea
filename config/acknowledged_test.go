package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// TestInvalidAcknowledgements maps each file with a bad acknowledgement or publication lag to its exact problems.
func TestInvalidAcknowledgements(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"invalid-acknowledged-unknown-check.yaml", []string{`testdata/invalid-acknowledged-unknown-check.yaml:22:12: acknowledged[0].check: unknown check "growth": use reported, reported_pair, participants_population, coverage, full_coverage, bounds, total`}},
		{"invalid-acknowledged-no-reason.yaml", []string{`testdata/invalid-acknowledged-no-reason.yaml:22:5: acknowledged[0].reason: missing required field: say why the check fails`}},
		{"invalid-acknowledged-reported-by-year.yaml", []string{
			`testdata/invalid-acknowledged-reported-by-year.yaml:23:96: acknowledged[0].figure.year: unknown field`,
			`testdata/invalid-acknowledged-reported-by-year.yaml:23:13: acknowledged[0].figure.from_year: missing required field`,
			`testdata/invalid-acknowledged-reported-by-year.yaml:23:13: acknowledged[0].figure.to_year: missing required field`,
		}},
		{"invalid-acknowledged-missing-program.yaml", []string{`testdata/invalid-acknowledged-missing-program.yaml:23:13: acknowledged[0].figure.program: missing required field: socsec_coverage_ratio is per programme`}},
		{"invalid-acknowledged-duplicate.yaml", []string{`testdata/invalid-acknowledged-duplicate.yaml:25:5: acknowledged[1]: acknowledges the same check as acknowledged[0]`}},
		{"invalid-publication-lag-range.yaml", []string{`testdata/invalid-publication-lag-range.yaml:21:25: publication_lag_months: 200 is out of range 0..120: the months after the end of a year by which its figures are published`}},
		{"invalid-publication-lag-string.yaml", []string{`testdata/invalid-publication-lag-string.yaml:20:25: publication_lag_months: must be a number, not a string: write it without quotes, got "18"`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := loadDatasets(t, filepath.Join("testdata", tc.file))
			if err == nil {
				t.Fatal("loaded without error")
			}
			if got := problemLines(t, err); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestDefaultAcknowledgesTheArticlesRate checks that the embedded default acknowledges the one check it fails, the
// article's 5.8 % against the 5.88 % its endpoints give, and states no publication lag.
func TestDefaultAcknowledgesTheArticlesRate(t *testing.T) {
	res, err := Load(Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	ds := datasetByID(res.Snapshot, "shanxi-2021-07-07")
	if ds == nil {
		t.Fatal("the default has no dataset shanxi-2021-07-07")
	}
	if len(ds.Acknowledged) != 1 {
		t.Fatalf("the default has %d acknowledgements, want 1", len(ds.Acknowledged))
	}
	ack := ds.Acknowledged[0]
	want := "reported cagr of socsec_pension_monthly_per_capita_yuan 140000 basic_pension 2015-2020"
	if got := ack.Check + " " + check.Subject(ack.Figure); got != want || ack.Reason == "" || ack.Dataset != ds {
		t.Errorf("the default acknowledges %q (reason %q), want %q with a reason", got, ack.Reason, want)
	}
	if ds.PublicationLagMonths != dataset.DefaultPublicationLagMonths {
		t.Errorf("publication lag %d months, want the default %d", ds.PublicationLagMonths, dataset.DefaultPublicationLagMonths)
	}
	failed := 0
	for _, r := range check.Run(res.Snapshot) {
		if r.Status == check.Failed {
			failed++
		}
	}
	if failed != 0 {
		t.Errorf("the default's checks: %d failed, want none: every failure of the embedded data is acknowledged", failed)
	}
	if f, a := res.Snapshot.CheckFailures(), res.Snapshot.CheckAcknowledged(); f[ds.ID] != 0 || a[ds.ID] != 1 {
		t.Errorf("counted %d failed and %d acknowledged for %s, want 0 and 1", f[ds.ID], a[ds.ID], ds.ID)
	}
}
