package check_test

import (
	"maps"
	"math"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/check"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// load loads dataset files on their own, as socsec_exporter check FILE does;
// no files means the embedded default config.
func load(t *testing.T, files ...string) *dataset.Snapshot {
	t.Helper()
	return testenv.Load(t, config.Options{Datasets: files})
}

// want is the expected outcome of one check; message lists substrings the
// result's message must contain.
type want struct {
	check, subject string
	ok             bool
	message        []string
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []want
	}{
		{"testdata/reported.yaml", []want{
			{check.Reported, "cagr of socsec_pension_monthly_per_capita_yuan 100000 pension 2015-2020", true,
				[]string{"reported 6 % a year", "agrees with 6.0 % a year computed over 5 year(s) from 1000 in 2015 (bulletin", "to 1338 in 2020 (bulletin"}},
			{check.Reported, "yoy of socsec_pension_monthly_per_capita_yuan 100000 pension 2019-2020", true,
				[]string{"reported 4.9 % a year", "agrees with 4.86 % a year computed over 1 year(s) from 1276 in 2019"}},
			{check.Reported, "cagr of socsec_pension_monthly_per_capita_yuan 200000 pension 2015-2020", false,
				[]string{"reported 5.8 % a year (±0.05 points; article, published 2021-07-01) disagrees with 6.00 % a year",
					"from 1000 in 2015 (bulletin, published 2021-05-01, testdata/reported.yaml:28:5)", "over 4 year(s) they would give 7.55 % a year"}},
			{check.Reported, "cagr of socsec_pension_monthly_per_capita_yuan 200000 pension 2016-2020", false,
				[]string{"no figure for 2016"}},
			{check.Reported, "yoy of socsec_pension_monthly_per_capita_yuan 200000 pension 2018-2020", false,
				[]string{"needs consecutive years, not 2 apart"}},
		}},
		{"testdata/population.yaml", []want{
			{check.FullCoverage, "socsec_coverage_ratio 100000 newborn 2020", true, []string{"50000 / 50000 (population=newborn) = 1"}},
			{check.Coverage, "socsec_coverage_ratio 100000 pension 2020", true, []string{"900000 / 1000000 (population=working_age) = 0.9"}},
			{check.Coverage, "socsec_coverage_ratio 200000 medical 2020", false, []string{"ratio 0.95 in 2020", "matches none of", "800000 / 1000000 (population=resident) = 0.8"}},
			{check.FullCoverage, "socsec_coverage_ratio 200000 newborn 2020", false, []string{"matches none of", "45000 / 50000 (population=newborn) = 0.9"}},
			{check.ParticipantsPopulation, "socsec_insured_persons 100000 newborn 2020", true, nil},
			{check.ParticipantsPopulation, "socsec_insured_persons 100000 pension 2020", true, []string{"within the largest population group, population=resident 1200000"}},
			{check.ParticipantsPopulation, "socsec_insured_persons 200000 medical 2020", true, nil},
			{check.ParticipantsPopulation, "socsec_insured_persons 200000 newborn 2020", true, nil},
			{check.ParticipantsPopulation, "socsec_insured_persons 200000 pension 2020", false, []string{"participants 1100000 in 2020", "above the largest population group, population=resident 1000000"}},
		}},
		{"testdata/bounds.yaml", []want{
			{check.Bounds, "socsec_insured_persons 100000 medical 2020", true, []string{"at_most 30000000 in 2020 (article", "allows 29000000 in 2020 (bulletin"}},
			{check.Bounds, "socsec_insured_persons 100000 pension 2020", true, []string{"at_least 32450000", "allows 32451234"}},
			{check.Bounds, "socsec_insured_persons 200000 medical 2020", false, []string{"at_most 30000000", "is contradicted by 31000000"}},
			// The exact figure was published later and is the one served; the bound still fails.
			{check.Bounds, "socsec_insured_persons 200000 pension 2020", false, []string{"at_least 32450000 in 2020 (article, published 2021-03-01", "is contradicted by 32000000 in 2020 (bulletin, published 2021-05-01"}},
		}},
		{"testdata/change.yaml", []want{
			{check.Reported, "change of socsec_insured_persons 100000 pension 2019-2020", true,
				[]string{`reported change +24360000 ("2436万") ± 5000 (article, undated) agrees with +24360000 computed from 100000000 in 2019 (bulletin, published 2021-05-01`,
					"which allow +24359999 to +24360001"}},
			// 3480亿 is not 2.48万亿 - 2.14万亿, but within what those allow.
			{check.Reported, "change of socsec_fund_income_annual_yuan 100000 pension 2019-2020", true,
				[]string{`reported change +348000000000 ("3480亿") ± 50000000 (bulletin, published 2021-05-01) agrees with +340000000000`,
					`from 2140000000000 ("2.14万亿") in 2019 (yearbook, released 2021-02-28, testdata/change.yaml:29:5)`, "which allow +330000000000 to +350000000000"}},
			// 15.6 % is not 2.48 / 2.14 - 1, but within what the figures allow.
			{check.Reported, "yoy of socsec_fund_income_annual_yuan 100000 pension 2019-2020", true,
				[]string{"reported 15.6 % a year (±0.05 points; bulletin, published 2021-05-01) agrees with 15.89 % a year", `to 2480000000000 ("2.48万亿") in 2020 (yearbook, released 2021-02-28`}},
			{check.Reported, "change of socsec_insured_persons 200000 pension 2019-2020", false,
				[]string{`reported change +23460000 ("23.46 million") ± 5000 (article, undated) disagrees with +24360000`, "which allow +24359999 to +24360001"}},
			{check.Reported, "change of socsec_fund_income_annual_yuan 200000 pension 2019-2020", false,
				[]string{`reported change -340000000000 ("-3400亿")`, "disagrees with +340000000000"}},
			{check.Reported, "yoy of socsec_fund_income_annual_yuan 200000 pension 2019-2020", false,
				[]string{"reported 12.0 % a year", "disagrees with 15.89 % a year"}},
			{check.Reported, "change of socsec_insured_persons 200000 pension 2018-2020", false,
				[]string{"no figure for 2018 to check the reported change -1200 against"}},
		}},
		// 2022 lacks a part of the total of region 100000 and is not checked.
		{"testdata/totals.yaml", []want{
			{check.Total, "socsec_insured_persons 100000 medical 2020", true,
				[]string{"total 1000 in 2020 (bulletin, published 2021-05-01, testdata/totals.yaml:36:5), which allows 999.5 to 1000.5, agrees with the sum of its parts 1000, which allow 999 to 1001",
					"employee_medical 400 in 2020 (bulletin, published 2021-05-01, testdata/totals.yaml:37:5) + resident_medical 600 in 2020 (article, undated, testdata/totals.yaml:38:5)"}},
			// 13.6亿 is not 3.54亿 + 10.11亿, but within what the three allow.
			{check.Total, "socsec_insured_persons 100000 medical 2021", true,
				[]string{`total 1360000000 ("13.6亿") in 2021`, "which allows 1355000000 to 1365000000, agrees with the sum of its parts 1365000000, which allow 1364000000 to 1366000000",
					`employee_medical 354000000 ("3.54亿") in 2021`, `+ resident_medical 1011000000 ("10.11亿") in 2021`}},
			{check.Total, "socsec_insured_persons 200000 medical 2020", false,
				[]string{"total 1000 in 2020", "disagrees with the sum of its parts 900, which allow 899 to 901", "+ resident_medical 500 in 2020 (article, undated"}},
			{check.Total, "socsec_pension_recipients_persons 100000 pension sector=all 2020", true,
				[]string{"agrees with the sum of its parts 300", "sector=enterprise 200 in 2020", "+ sector=public_institution 100 in 2020"}},
			{check.Total, "socsec_pension_recipients_persons 200000 pension sector=all 2020", false,
				[]string{"total at_least 300 in 2020", "which allows 299.5 to +Inf, disagrees with the sum of its parts 250"}},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := check.Run(load(t, tc.file))
			if len(got) != len(tc.want) {
				for _, r := range got {
					t.Logf("got %s %v %s: %s", r.Check, r.OK, r.Subject, r.Message)
				}
				t.Fatalf("got %d results, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				r := got[i]
				if r.Check != w.check || r.Subject != w.subject || r.OK != w.ok {
					t.Errorf("result %d: got %s %q ok=%v, want %s %q ok=%v", i, r.Check, r.Subject, r.OK, w.check, w.subject, w.ok)
				}
				for _, m := range w.message {
					if !strings.Contains(r.Message, m) {
						t.Errorf("result %d (%s): message %q lacks %q", i, r.Subject, r.Message, m)
					}
				}
				if r.Pos.File != tc.file || r.Pos.Line == 0 {
					t.Errorf("result %d: position %s is not a line of %s", i, r.Pos, tc.file)
				}
			}
		})
	}
}

// TestDefaultReportedGrowth pins the embedded default's one checkable claim:
// the article's 5.8 % a year is neither the five-year nor the four-year rate.
func TestDefaultReportedGrowth(t *testing.T) {
	got := check.Run(load(t))
	if len(got) != 1 {
		t.Fatalf("got %d results, want 1: %+v", len(got), got)
	}
	r := got[0]
	if r.Check != check.Reported || r.OK {
		t.Errorf("got %s ok=%v, want a failed %s check", r.Check, r.OK, check.Reported)
	}
	for _, m := range []string{"reported 5.8 % a year", "chinadaily-2021-07-07", "5.88 % a year computed over 5 year(s)", "from 2639 in 2015", "to 3512 in 2020", "over 4 year(s) they would give 7.41 % a year"} {
		if !strings.Contains(r.Message, m) {
			t.Errorf("message %q lacks %q", r.Message, m)
		}
	}
	if want := map[string]int{"shanxi-2021-07-07": 1}; !maps.Equal(check.Failures(got), want) {
		t.Errorf("Failures = %v, want %v", check.Failures(got), want)
	}
}

func TestFailuresCountAgainstEveryDatasetInvolved(t *testing.T) {
	got := check.Failures([]check.Result{
		{OK: false, Datasets: []string{"a", "b"}},
		{OK: false, Datasets: []string{"b"}},
		{OK: true, Datasets: []string{"c"}},
	})
	if want := map[string]int{"a": 1, "b": 2}; !maps.Equal(got, want) {
		t.Errorf("Failures = %v, want %v", got, want)
	}
}

func TestDerived(t *testing.T) {
	pension := &dataset.Indicator{Name: "socsec_pension_monthly_per_capita_yuan", Unit: dataset.UnitYuan, PerProgram: true}
	subsidy := &dataset.Indicator{Name: "socsec_subsidy_annual_per_capita_yuan", Unit: dataset.UnitYuan, PerProgram: true}
	obs := func(ind *dataset.Indicator, year int, v float64) *dataset.Observation {
		return &dataset.Observation{Indicator: ind, Region: "140000", Program: "basic_pension", Year: year, Value: v}
	}
	for _, tc := range []struct {
		name         string
		from, to     *dataset.Observation
		change, cagr float64
		err          string
	}{
		{"five years", obs(pension, 2015, 2639), obs(pension, 2020, 3512), 0.330807, 0.058822, ""},
		{"four years", obs(pension, 2016, 2639), obs(pension, 2020, 3512), 0.330807, 0.074061, ""},
		{"one year", obs(pension, 2019, 100), obs(pension, 2020, 95), -0.05, -0.05, ""},
		{"other series", obs(pension, 2015, 2639), obs(subsidy, 2020, 550), 0, 0, "different series"},
		{"backwards", obs(pension, 2020, 3512), obs(pension, 2015, 2639), 0, 0, "must be later than"},
		{"from zero", obs(pension, 2015, 0), obs(pension, 2020, 3512), 0, 0, "growth from 0 is undefined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			change, err := check.Change(tc.from, tc.to)
			cagr, cerr := check.CAGR(tc.from, tc.to)
			if tc.err != "" {
				if err == nil || cerr == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(cerr.Error(), tc.err) {
					t.Fatalf("got errors %v, %v; want both to say %q", err, cerr, tc.err)
				}
				return
			}
			if err != nil || cerr != nil {
				t.Fatal(err, cerr)
			}
			if math.Abs(change-tc.change) > 1e-6 || math.Abs(cagr-tc.cagr) > 1e-6 {
				t.Errorf("Change, CAGR = %.6f, %.6f; want %.6f, %.6f", change, cagr, tc.change, tc.cagr)
			}
		})
	}
}

func TestCountFailuresIsFailuresOfRun(t *testing.T) {
	for _, files := range [][]string{nil, {"testdata/reported.yaml"}, {"testdata/population.yaml"}, {"testdata/bounds.yaml"},
		{"testdata/change.yaml"}, {"testdata/totals.yaml"}, {"testdata/reported.yaml", "testdata/population.yaml"}} {
		snap := load(t, files...)
		if got, want := check.CountFailures(snap), check.Failures(check.Run(snap)); !maps.Equal(got, want) {
			t.Errorf("%v: check.CountFailures = %v, want %v", files, got, want)
		}
	}
}
