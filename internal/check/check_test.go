package check_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// load loads dataset files on their own, as socsec_exporter check FILE does;
// no files means the embedded default config.
func load(t *testing.T, files ...string) *dataset.Snapshot {
	t.Helper()
	return testenv.Load(t, config.Options{Datasets: files})
}

// want is the expected outcome of one check, with its exact message.
type want struct {
	check            string
	status           check.Status
	subject, message string
}

// TestRun pins every result of each test dataset: its check, status,
// subject and message, in Run's order.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []want
	}{
		{"testdata/reported.yaml", []want{
			{check.Reported, check.OK, "cagr of socsec_pension_monthly_per_capita_yuan 100000 pension 2015-2020",
				"reported 6 % a year (±0.5 points; article, published 2021-07-01) agrees with 6.0 % a year computed over 5 year(s) from socsec_pension_monthly_per_capita_yuan 100000 pension 2015 = 1000 (bulletin, published 2021-05-01, testdata/reported.yaml:25:5) to socsec_pension_monthly_per_capita_yuan 100000 pension 2020 = 1338 (bulletin, published 2021-05-01, testdata/reported.yaml:27:5); over 4 year(s) they would give 7.6 % a year"},
			{check.Reported, check.OK, "yoy of socsec_pension_monthly_per_capita_yuan 100000 pension 2019-2020",
				"reported 4.9 % a year (±0.05 points; article, published 2021-07-01) agrees with 4.86 % a year computed over 1 year(s) from socsec_pension_monthly_per_capita_yuan 100000 pension 2019 = 1276 (bulletin, published 2021-05-01, testdata/reported.yaml:26:5) to socsec_pension_monthly_per_capita_yuan 100000 pension 2020 = 1338 (bulletin, published 2021-05-01, testdata/reported.yaml:27:5)"},
			{check.Reported, check.Failed, "cagr of socsec_pension_monthly_per_capita_yuan 200000 pension 2015-2020",
				"reported 5.8 % a year (±0.05 points; article, published 2021-07-01) disagrees with 6.00 % a year computed over 5 year(s) from socsec_pension_monthly_per_capita_yuan 200000 pension 2015 = 1000 (bulletin, published 2021-05-01, testdata/reported.yaml:28:5) to socsec_pension_monthly_per_capita_yuan 200000 pension 2020 = 1338 (bulletin, published 2021-05-01, testdata/reported.yaml:30:5); over 4 year(s) they would give 7.55 % a year"},
			{check.Reported, check.Unchecked, "cagr of socsec_pension_monthly_per_capita_yuan 200000 pension 2016-2020",
				"no figure of socsec_pension_monthly_per_capita_yuan 200000 pension 2016 to check the reported 7.5 % (article, published 2021-07-01) against"},
			{check.Reported, check.Failed, "yoy of socsec_pension_monthly_per_capita_yuan 200000 pension 2018-2020",
				"a year-on-year change needs consecutive years, not 2 apart"},
		}},
		{"testdata/change.yaml", []want{
			{check.Reported, check.OK, "change of socsec_insured_persons 100000 pension 2019-2020",
				"reported change +24360000 (\"2436万\") ± 5000 (article, undated) agrees with +24360000 computed from socsec_insured_persons 100000 pension 2019 = 100000000 (bulletin, published 2021-05-01, testdata/change.yaml:27:5) to socsec_insured_persons 100000 pension 2020 = 124360000 (bulletin, published 2021-05-01, testdata/change.yaml:28:5), which allow +24359999 to +24360001"},
			{check.Reported, check.OK, "change of socsec_fund_income_annual_yuan 100000 pension 2019-2020",
				"reported change +348000000000 (\"3480亿\") ± 50000000 (bulletin, published 2021-05-01) agrees with +340000000000 computed from socsec_fund_income_annual_yuan 100000 pension 2019 = 2140000000000 (\"2.14万亿\") (yearbook, released 2021-02-28, testdata/change.yaml:29:5) to socsec_fund_income_annual_yuan 100000 pension 2020 = 2480000000000 (\"2.48万亿\") (yearbook, released 2021-02-28, testdata/change.yaml:30:5), which allow +330000000000 to +350000000000"},
			{check.Reported, check.OK, "yoy of socsec_fund_income_annual_yuan 100000 pension 2019-2020",
				"reported 15.6 % a year (±0.05 points; bulletin, published 2021-05-01) agrees with 15.89 % a year computed over 1 year(s) from socsec_fund_income_annual_yuan 100000 pension 2019 = 2140000000000 (\"2.14万亿\") (yearbook, released 2021-02-28, testdata/change.yaml:29:5) to socsec_fund_income_annual_yuan 100000 pension 2020 = 2480000000000 (\"2.48万亿\") (yearbook, released 2021-02-28, testdata/change.yaml:30:5)"},
			{check.Reported, check.Failed, "change of socsec_insured_persons 200000 pension 2019-2020",
				"reported change +23460000 (\"23.46 million\") ± 5000 (article, undated) disagrees with +24360000 computed from socsec_insured_persons 200000 pension 2019 = 100000000 (bulletin, published 2021-05-01, testdata/change.yaml:31:5) to socsec_insured_persons 200000 pension 2020 = 124360000 (bulletin, published 2021-05-01, testdata/change.yaml:32:5), which allow +24359999 to +24360001"},
			{check.Reported, check.Failed, "change of socsec_fund_income_annual_yuan 200000 pension 2019-2020",
				"reported change -340000000000 (\"-3400亿\") ± 50000000 (bulletin, published 2021-05-01) disagrees with +340000000000 computed from socsec_fund_income_annual_yuan 200000 pension 2019 = 2140000000000 (\"2.14万亿\") (yearbook, released 2021-02-28, testdata/change.yaml:33:5) to socsec_fund_income_annual_yuan 200000 pension 2020 = 2480000000000 (\"2.48万亿\") (yearbook, released 2021-02-28, testdata/change.yaml:34:5), which allow +330000000000 to +350000000000"},
			{check.Reported, check.Failed, "yoy of socsec_fund_income_annual_yuan 200000 pension 2019-2020",
				"reported 12.0 % a year (±0.05 points; bulletin, published 2021-05-01) disagrees with 15.89 % a year computed over 1 year(s) from socsec_fund_income_annual_yuan 200000 pension 2019 = 2140000000000 (\"2.14万亿\") (yearbook, released 2021-02-28, testdata/change.yaml:33:5) to socsec_fund_income_annual_yuan 200000 pension 2020 = 2480000000000 (\"2.48万亿\") (yearbook, released 2021-02-28, testdata/change.yaml:34:5)"},
			{check.Reported, check.Unchecked, "change of socsec_insured_persons 200000 pension 2018-2020",
				"no figure of socsec_insured_persons 200000 pension 2018 to check the reported change -1200 (article, undated) against"},
		}},
		{"testdata/pair.yaml", []want{
			{check.Reported, check.Unchecked, "change of socsec_insured_persons 100000 pension 2019-2020",
				"no figure of socsec_insured_persons 100000 pension 2019 to check the reported change +200 (bulletin, published 2021-05-01) against; the rate stated for the same years is checked against this change instead (reported_pair)"},
			{check.ReportedPair, check.OK, "yoy of socsec_insured_persons 100000 pension 2019-2020",
				"reported 20 % a year (±0.5 points; bulletin, published 2021-05-01) agrees with the reported change +200 ± 0.5 (bulletin, published 2021-05-01) and socsec_insured_persons 100000 pension 2020 = 1200 (bulletin, published 2021-05-01, testdata/pair.yaml:18:5): the change gives a 2019 figure of 1000 and 20.0 % a year; no figure of socsec_insured_persons 100000 pension 2019"},
			{check.Reported, check.Unchecked, "change of socsec_insured_persons 200000 pension 2019-2020",
				"no figure of socsec_insured_persons 200000 pension 2020 to check the reported change +200 (bulletin, published 2021-05-01) against; the rate stated for the same years is checked against this change instead (reported_pair)"},
			{check.ReportedPair, check.Failed, "yoy of socsec_insured_persons 200000 pension 2019-2020",
				"reported 15 % a year (±0.5 points; bulletin, published 2021-05-01) disagrees with the reported change +200 ± 0.5 (bulletin, published 2021-05-01) and socsec_insured_persons 200000 pension 2019 = 1000 (bulletin, published 2021-05-01, testdata/pair.yaml:19:5): the change gives a 2020 figure of 1200 and 20.0 % a year; no figure of socsec_insured_persons 200000 pension 2020"},
			{check.Reported, check.Unchecked, "change of socsec_insured_persons 300000 pension 2019-2020",
				"no figures of socsec_insured_persons 300000 pension 2019 and 2020 to check the reported change -200 (bulletin, published 2021-05-01) against; the rate stated for the same years is checked against this change instead (reported_pair)"},
			{check.ReportedPair, check.Failed, "yoy of socsec_insured_persons 300000 pension 2019-2020",
				"reported 5 % a year (±0.5 points; bulletin, published 2021-05-01) disagrees with the reported change -200 ± 0.5 (bulletin, published 2021-05-01): together they give a 2019 figure of -4000; no figures of socsec_insured_persons 300000 pension 2019 and 2020"},
			{check.Reported, check.Unchecked, "change of socsec_insured_persons 300000 pension 2015-2017",
				"no figures of socsec_insured_persons 300000 pension 2015 and 2017 to check the reported change +210 (bulletin, published 2021-05-01) against; the rate stated for the same years is checked against this change instead (reported_pair)"},
			{check.ReportedPair, check.OK, "cagr of socsec_insured_persons 300000 pension 2015-2017",
				"reported 10 % a year (±0.5 points; bulletin, published 2021-05-01) agrees with the reported change +210 ± 0.5 (bulletin, published 2021-05-01): together they give a 2015 figure of 1000; no figures of socsec_insured_persons 300000 pension 2015 and 2017"},
		}},
		{"testdata/basis.yaml", []want{
			{check.Reported, check.OK, "change of socsec_insured_persons 100000 pension basis=during_year 2019-2020",
				"reported change +500 ± 0.5 (bulletin, published 2021-05-01) agrees with +500 computed from socsec_insured_persons 100000 pension basis=during_year 2019 = 1000 (bulletin, published 2021-05-01, testdata/basis.yaml:19:5) to socsec_insured_persons 100000 pension basis=during_year 2020 = 1500 (bulletin, published 2021-05-01, testdata/basis.yaml:20:5), which allow +499 to +501"},
			{check.Reported, check.OK, "change of socsec_insured_persons 100000 pension basis=year_end 2019-2020",
				"reported change +300 ± 0.5 (bulletin, published 2021-05-01) agrees with +300 computed from socsec_insured_persons 100000 pension basis=year_end 2019 = 600 (bulletin, published 2021-05-01, testdata/basis.yaml:21:5) to socsec_insured_persons 100000 pension basis=year_end 2020 = 900 (bulletin, published 2021-05-01, testdata/basis.yaml:22:5), which allow +299 to +301"},
			{check.Reported, check.Unchecked, "change of socsec_insured_persons 100000 pension 2019-2020",
				"no figures of socsec_insured_persons 100000 pension 2019 and 2020 to check the reported change +500 (bulletin, published 2021-05-01) against"},
			{check.Coverage, check.OK, "socsec_coverage_ratio 100000 pension basis=year_end 2020",
				"ratio socsec_coverage_ratio 100000 pension basis=year_end 2020 = 0.9 (bulletin, published 2021-05-01, testdata/basis.yaml:26:5) matches participants / population: 900 / 1000 (population=resident,basis=year_end) = 0.9, 900 / 1400 (population=working_age) = 0.6429; participants socsec_insured_persons 100000 pension basis=year_end 2020 = 900 (bulletin, published 2021-05-01, testdata/basis.yaml:22:5); population socsec_population_persons 100000 population=resident basis=year_end 2020 = 1000 (bulletin, published 2021-05-01, testdata/basis.yaml:23:5), socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 employee_medical basis=during_year 2020",
				"participants socsec_insured_persons 100000 employee_medical basis=during_year 2020 = 400 (bulletin, published 2021-05-01, testdata/basis.yaml:28:5) are within the largest population group, socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 employee_medical basis=year_end 2020",
				"participants socsec_insured_persons 100000 employee_medical basis=year_end 2020 = 400 (bulletin, published 2021-05-01, testdata/basis.yaml:31:5) are within the largest population group, socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 medical basis=during_year 2020",
				"participants socsec_insured_persons 100000 medical basis=during_year 2020 = 1000 (bulletin, published 2021-05-01, testdata/basis.yaml:27:5) are within the largest population group, socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 medical basis=year_end 2020",
				"participants socsec_insured_persons 100000 medical basis=year_end 2020 = 900 (bulletin, published 2021-05-01, testdata/basis.yaml:30:5) are within the largest population group, socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.ParticipantsPopulation, check.Failed, "socsec_insured_persons 100000 pension basis=during_year 2020",
				"participants socsec_insured_persons 100000 pension basis=during_year 2020 = 1500 (bulletin, published 2021-05-01, testdata/basis.yaml:20:5) are above the largest population group, socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 pension basis=year_end 2020",
				"participants socsec_insured_persons 100000 pension basis=year_end 2020 = 900 (bulletin, published 2021-05-01, testdata/basis.yaml:22:5) are within the largest population group, socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 resident_medical basis=during_year 2020",
				"participants socsec_insured_persons 100000 resident_medical basis=during_year 2020 = 600 (bulletin, published 2021-05-01, testdata/basis.yaml:29:5) are within the largest population group, socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 resident_medical basis=year_end 2020",
				"participants socsec_insured_persons 100000 resident_medical basis=year_end 2020 = 400 (bulletin, published 2021-05-01, testdata/basis.yaml:32:5) are within the largest population group, socsec_population_persons 100000 population=working_age 2020 = 1400 (bulletin, published 2021-05-01, testdata/basis.yaml:25:5)"},
			{check.Total, check.OK, "socsec_insured_persons 100000 medical basis=during_year 2020",
				"total socsec_insured_persons 100000 medical basis=during_year 2020 = 1000 (bulletin, published 2021-05-01, testdata/basis.yaml:27:5), which allows 999.5 to 1000.5, agrees with the sum of its parts 1000, which allow 999 to 1001: socsec_insured_persons 100000 employee_medical basis=during_year 2020 = 400 (bulletin, published 2021-05-01, testdata/basis.yaml:28:5) + socsec_insured_persons 100000 resident_medical basis=during_year 2020 = 600 (bulletin, published 2021-05-01, testdata/basis.yaml:29:5)"},
			{check.Total, check.Failed, "socsec_insured_persons 100000 medical basis=year_end 2020",
				"total socsec_insured_persons 100000 medical basis=year_end 2020 = 900 (bulletin, published 2021-05-01, testdata/basis.yaml:30:5), which allows 899.5 to 900.5, disagrees with the sum of its parts 800, which allow 799 to 801: socsec_insured_persons 100000 employee_medical basis=year_end 2020 = 400 (bulletin, published 2021-05-01, testdata/basis.yaml:31:5) + socsec_insured_persons 100000 resident_medical basis=year_end 2020 = 400 (bulletin, published 2021-05-01, testdata/basis.yaml:32:5)"},
		}},
		{"testdata/population.yaml", []want{
			{check.FullCoverage, check.OK, "socsec_coverage_ratio 100000 newborn 2020",
				"ratio socsec_coverage_ratio 100000 newborn 2020 = 1 (bulletin, published 2021-05-01, testdata/population.yaml:36:5) matches participants / population: 50000 / 50000 (population=newborn) = 1, 50000 / 1200000 (population=resident) = 0.0417, 50000 / 1000000 (population=working_age) = 0.05; participants socsec_insured_persons 100000 newborn 2020 = 50000 (bulletin, published 2021-05-01, testdata/population.yaml:35:5); population socsec_population_persons 100000 population=newborn 2020 = 50000 (bulletin, published 2021-05-01, testdata/population.yaml:32:5), socsec_population_persons 100000 population=resident 2020 = 1200000 (bulletin, published 2021-05-01, testdata/population.yaml:30:5), socsec_population_persons 100000 population=working_age 2020 = 1000000 (bulletin, published 2021-05-01, testdata/population.yaml:31:5)"},
			{check.Coverage, check.OK, "socsec_coverage_ratio 100000 pension 2020",
				"ratio socsec_coverage_ratio 100000 pension 2020 = 0.9 (bulletin, published 2021-05-01, testdata/population.yaml:34:5) matches participants / population: 900000 / 50000 (population=newborn) = 18, 900000 / 1200000 (population=resident) = 0.75, 900000 / 1000000 (population=working_age) = 0.9; participants socsec_insured_persons 100000 pension 2020 = 900000 (bulletin, published 2021-05-01, testdata/population.yaml:33:5); population socsec_population_persons 100000 population=newborn 2020 = 50000 (bulletin, published 2021-05-01, testdata/population.yaml:32:5), socsec_population_persons 100000 population=resident 2020 = 1200000 (bulletin, published 2021-05-01, testdata/population.yaml:30:5), socsec_population_persons 100000 population=working_age 2020 = 1000000 (bulletin, published 2021-05-01, testdata/population.yaml:31:5)"},
			{check.Coverage, check.Failed, "socsec_coverage_ratio 200000 medical 2020",
				"ratio socsec_coverage_ratio 200000 medical 2020 = 0.95 (bulletin, published 2021-05-01, testdata/population.yaml:41:5) matches none of participants / population: 800000 / 50000 (population=newborn) = 16, 800000 / 1000000 (population=resident) = 0.8; participants socsec_insured_persons 200000 medical 2020 = 800000 (bulletin, published 2021-05-01, testdata/population.yaml:40:5); population socsec_population_persons 200000 population=newborn 2020 = 50000 (bulletin, published 2021-05-01, testdata/population.yaml:38:5), socsec_population_persons 200000 population=resident 2020 = 1000000 (bulletin, published 2021-05-01, testdata/population.yaml:37:5)"},
			{check.FullCoverage, check.Failed, "socsec_coverage_ratio 200000 newborn 2020",
				"ratio socsec_coverage_ratio 200000 newborn 2020 = 1 (bulletin, published 2021-05-01, testdata/population.yaml:43:5) matches none of participants / population: 45000 / 50000 (population=newborn) = 0.9, 45000 / 1000000 (population=resident) = 0.045; participants socsec_insured_persons 200000 newborn 2020 = 45000 (bulletin, published 2021-05-01, testdata/population.yaml:42:5); population socsec_population_persons 200000 population=newborn 2020 = 50000 (bulletin, published 2021-05-01, testdata/population.yaml:38:5), socsec_population_persons 200000 population=resident 2020 = 1000000 (bulletin, published 2021-05-01, testdata/population.yaml:37:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 newborn 2020",
				"participants socsec_insured_persons 100000 newborn 2020 = 50000 (bulletin, published 2021-05-01, testdata/population.yaml:35:5) are within the largest population group, socsec_population_persons 100000 population=resident 2020 = 1200000 (bulletin, published 2021-05-01, testdata/population.yaml:30:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 100000 pension 2020",
				"participants socsec_insured_persons 100000 pension 2020 = 900000 (bulletin, published 2021-05-01, testdata/population.yaml:33:5) are within the largest population group, socsec_population_persons 100000 population=resident 2020 = 1200000 (bulletin, published 2021-05-01, testdata/population.yaml:30:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 200000 medical 2020",
				"participants socsec_insured_persons 200000 medical 2020 = 800000 (bulletin, published 2021-05-01, testdata/population.yaml:40:5) are within the largest population group, socsec_population_persons 200000 population=resident 2020 = 1000000 (bulletin, published 2021-05-01, testdata/population.yaml:37:5)"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons 200000 newborn 2020",
				"participants socsec_insured_persons 200000 newborn 2020 = 45000 (bulletin, published 2021-05-01, testdata/population.yaml:42:5) are within the largest population group, socsec_population_persons 200000 population=resident 2020 = 1000000 (bulletin, published 2021-05-01, testdata/population.yaml:37:5)"},
			{check.ParticipantsPopulation, check.Failed, "socsec_insured_persons 200000 pension 2020",
				"participants socsec_insured_persons 200000 pension 2020 = 1100000 (bulletin, published 2021-05-01, testdata/population.yaml:39:5) are above the largest population group, socsec_population_persons 200000 population=resident 2020 = 1000000 (bulletin, published 2021-05-01, testdata/population.yaml:37:5)"},
		}},
		{"testdata/bounds.yaml", []want{
			{check.Bounds, check.OK, "socsec_insured_persons 100000 medical 2020",
				"socsec_insured_persons 100000 medical 2020 = at_most 30000000 (article, published 2021-03-01, testdata/bounds.yaml:29:5) allows socsec_insured_persons 100000 medical 2020 = 29000000 (bulletin, published 2021-05-01, testdata/bounds.yaml:30:5)"},
			{check.Bounds, check.OK, "socsec_insured_persons 100000 pension 2020",
				"socsec_insured_persons 100000 pension 2020 = at_least 32450000 (article, published 2021-03-01, testdata/bounds.yaml:27:5) allows socsec_insured_persons 100000 pension 2020 = 32451234 (bulletin, published 2021-05-01, testdata/bounds.yaml:28:5)"},
			{check.Bounds, check.Failed, "socsec_insured_persons 200000 medical 2020",
				"socsec_insured_persons 200000 medical 2020 = at_most 30000000 (article, published 2021-03-01, testdata/bounds.yaml:33:5) is contradicted by socsec_insured_persons 200000 medical 2020 = 31000000 (bulletin, published 2021-05-01, testdata/bounds.yaml:34:5)"},
			{check.Bounds, check.Failed, "socsec_insured_persons 200000 pension 2020",
				"socsec_insured_persons 200000 pension 2020 = at_least 32450000 (article, published 2021-03-01, testdata/bounds.yaml:31:5) is contradicted by socsec_insured_persons 200000 pension 2020 = 32000000 (bulletin, published 2021-05-01, testdata/bounds.yaml:32:5)"},
		}},
		{"testdata/totals.yaml", []want{
			{check.Total, check.OK, "socsec_insured_persons 100000 medical 2020",
				"total socsec_insured_persons 100000 medical 2020 = 1000 (bulletin, published 2021-05-01, testdata/totals.yaml:36:5), which allows 999.5 to 1000.5, agrees with the sum of its parts 1000, which allow 999 to 1001: socsec_insured_persons 100000 employee_medical 2020 = 400 (bulletin, published 2021-05-01, testdata/totals.yaml:37:5) + socsec_insured_persons 100000 resident_medical 2020 = 600 (article, undated, testdata/totals.yaml:38:5)"},
			{check.Total, check.OK, "socsec_insured_persons 100000 medical 2021",
				"total socsec_insured_persons 100000 medical 2021 = 1360000000 (\"13.6亿\") (bulletin, published 2021-05-01, testdata/totals.yaml:39:5), which allows 1355000000 to 1365000000, agrees with the sum of its parts 1365000000, which allow 1364000000 to 1366000000: socsec_insured_persons 100000 employee_medical 2021 = 354000000 (\"3.54亿\") (bulletin, published 2021-05-01, testdata/totals.yaml:40:5) + socsec_insured_persons 100000 resident_medical 2021 = 1011000000 (\"10.11亿\") (bulletin, published 2021-05-01, testdata/totals.yaml:41:5)"},
			{check.Total, check.Unchecked, "socsec_insured_persons 100000 medical 2022",
				"no figure of socsec_insured_persons 100000 resident_medical 2022 to add up to the total socsec_insured_persons 100000 medical 2022 = 1350000000 (\"13.5亿\") (bulletin, published 2021-05-01, testdata/totals.yaml:42:5)"},
			{check.Total, check.Failed, "socsec_insured_persons 200000 medical 2020",
				"total socsec_insured_persons 200000 medical 2020 = 1000 (bulletin, published 2021-05-01, testdata/totals.yaml:47:5), which allows 999.5 to 1000.5, disagrees with the sum of its parts 900, which allow 899 to 901: socsec_insured_persons 200000 employee_medical 2020 = 400 (bulletin, published 2021-05-01, testdata/totals.yaml:48:5) + socsec_insured_persons 200000 resident_medical 2020 = 500 (article, undated, testdata/totals.yaml:49:5)"},
			{check.Total, check.OK, "socsec_pension_recipients_persons 100000 pension sector=all 2020",
				"total socsec_pension_recipients_persons 100000 pension sector=all 2020 = 300 (bulletin, published 2021-05-01, testdata/totals.yaml:44:5), which allows 299.5 to 300.5, agrees with the sum of its parts 300, which allow 299 to 301: socsec_pension_recipients_persons 100000 pension sector=enterprise 2020 = 200 (bulletin, published 2021-05-01, testdata/totals.yaml:45:5) + socsec_pension_recipients_persons 100000 pension sector=public_institution 2020 = 100 (bulletin, published 2021-05-01, testdata/totals.yaml:46:5)"},
			{check.Total, check.Failed, "socsec_pension_recipients_persons 200000 pension sector=all 2020",
				"total socsec_pension_recipients_persons 200000 pension sector=all 2020 = at_least 300 (bulletin, published 2021-05-01, testdata/totals.yaml:50:5), which allows 299.5 to +Inf, disagrees with the sum of its parts 250, which allow 249 to 251: socsec_pension_recipients_persons 200000 pension sector=enterprise 2020 = 200 (bulletin, published 2021-05-01, testdata/totals.yaml:51:5) + socsec_pension_recipients_persons 200000 pension sector=public_institution 2020 = 50 (bulletin, published 2021-05-01, testdata/totals.yaml:52:5)"},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := check.Run(load(t, tc.file))
			if len(got) != len(tc.want) {
				for _, r := range got {
					t.Logf("got %s %s %s: %s", r.Check, r.Status, r.Subject, r.Message)
				}
				t.Fatalf("got %d results, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				r := got[i]
				if r.Check != w.check || r.Status != w.status || r.Subject != w.subject {
					t.Errorf("result %d: got %s %s %q, want %s %s %q", i, r.Check, r.Status, r.Subject, w.check, w.status, w.subject)
				}
				if r.Message != w.message {
					t.Errorf("result %d (%s):\ngot message  %q\nwant message %q", i, r.Subject, r.Message, w.message)
				}
				if r.Pos.File != tc.file || r.Pos.Line == 0 {
					t.Errorf("result %d: position %s is not a line of %s", i, r.Pos, tc.file)
				}
			}
		})
	}
}

// TestDefaultReportedGrowth pins the one checkable claim of the embedded
// Shanxi article, loaded alone (testdata/article.yml): its 5.8 % a year is
// neither the five-year nor the four-year rate, and the dataset
// acknowledges it.
func TestDefaultReportedGrowth(t *testing.T) {
	got := check.Run(testenv.Load(t, config.Options{ConfigFile: "testdata/article.yml"}))
	if len(got) != 1 {
		t.Fatalf("got %d results, want 1: %+v", len(got), got)
	}
	r := got[0]
	if r.Check != check.Reported || r.Status != check.Acknowledged || r.Acknowledgement == nil || r.Acknowledgement.Reason == "" {
		t.Errorf("got %s %s (%+v), want a %s check acknowledged with a reason", r.Check, r.Status, r.Acknowledgement, check.Reported)
	}
	for _, m := range []string{"reported 5.8 % a year", "chinadaily-2021-07-07", "5.88 % a year computed over 5 year(s)",
		"from socsec_pension_monthly_per_capita_yuan 140000 basic_pension 2015 = 2639", "to socsec_pension_monthly_per_capita_yuan 140000 basic_pension 2020 = 3512",
		"over 4 year(s) they would give 7.41 % a year"} {
		if !strings.Contains(r.Message, m) {
			t.Errorf("message %q lacks %q", r.Message, m)
		}
	}
	if n, want := check.Count(got), map[string]int{"shanxi-2021-07-07": 1}; len(n.Failed) > 0 || !maps.Equal(n.Acknowledged, want) {
		t.Errorf("Count() = %+v, want no failure and acknowledged %v", n, want)
	}
}

func TestCountAgainstEveryDatasetInvolved(t *testing.T) {
	got := check.Count([]check.Result{
		{Status: check.Failed, Datasets: []string{"a", "b"}},
		{Status: check.Failed, Datasets: []string{"b"}},
		{Status: check.OK, Datasets: []string{"c"}},
		{Status: check.Unchecked, Datasets: []string{"a", "c"}},
	})
	if want := map[string]int{"a": 1, "b": 2}; !maps.Equal(got.Failed, want) {
		t.Errorf("Failed = %v, want %v", got.Failed, want)
	}
	if want := map[string]int{"a": 1, "c": 1}; !maps.Equal(got.Unchecked, want) {
		t.Errorf("Unchecked = %v, want %v", got.Unchecked, want)
	}
}

func TestCountRunIsCountOfRun(t *testing.T) {
	for _, files := range [][]string{nil, {"testdata/reported.yaml"}, {"testdata/population.yaml"}, {"testdata/bounds.yaml"},
		{"testdata/change.yaml"}, {"testdata/totals.yaml"}, {"testdata/pair.yaml"}, {"testdata/basis.yaml"},
		{"testdata/reported.yaml", "testdata/population.yaml"}} {
		snap := load(t, files...)
		got, want := check.CountRun(snap), check.Count(check.Run(snap))
		if !maps.Equal(got.Failed, want.Failed) || !maps.Equal(got.Unchecked, want.Unchecked) {
			t.Errorf("%v: check.CountRun = %v, want %v", files, got, want)
		}
	}
}

// TestResultsCarryWhatTheyRead checks the fields a result carries besides
// its words: the figures it read, checked figure first, and the stated
// figure or the declared total it checks.
func TestResultsCarryWhatTheyRead(t *testing.T) {
	at := func(r check.Result) []int {
		var lines []int
		for _, o := range r.Figures {
			lines = append(lines, o.Pos.Line)
		}
		return lines
	}
	for _, tc := range []struct {
		file     string
		i        int   // The result.
		figures  []int // The lines of its figures.
		reported []int // The lines of its stated figures.
		total    int   // The line of its declared total, or 0.
	}{
		{"testdata/change.yaml", 0, []int{27, 28}, []int{37}, 0},
		{"testdata/change.yaml", 6, []int{32}, []int{50}, 0},
		{"testdata/pair.yaml", 3, []int{19}, []int{26, 25}, 0},
		{"testdata/pair.yaml", 5, nil, []int{29, 28}, 0},
		{"testdata/population.yaml", 2, []int{41, 40, 38, 37}, nil, 0},
		{"testdata/population.yaml", 8, []int{39, 37}, nil, 0},
		{"testdata/bounds.yaml", 3, []int{31, 32}, nil, 0},
		{"testdata/totals.yaml", 0, []int{36, 37, 38}, nil, 54},
		{"testdata/totals.yaml", 2, []int{42, 43}, nil, 54},
	} {
		r := check.Run(load(t, tc.file))[tc.i]
		var reported []int
		for _, s := range r.Reported {
			reported = append(reported, s.Pos.Line)
		}
		total := 0
		if r.Total != nil {
			total = r.Total.Pos.Line
		}
		if !slices.Equal(at(r), tc.figures) || !slices.Equal(reported, tc.reported) || total != tc.total {
			t.Errorf("%s result %d (%s): figures at lines %v, stated %v, total %d; want %v, %v, %d",
				tc.file, tc.i, r.Subject, at(r), reported, total, tc.figures, tc.reported, tc.total)
		}
	}
}

// TestSettlementCases runs the checks on the check cases of
// testdata/settlement, one dataset each, and pins what each must give.
func TestSettlementCases(t *testing.T) {
	type result struct {
		check   string
		status  check.Status
		subject string
	}
	for _, tc := range []struct {
		file              string
		want              []result
		failed, unchecked int
	}{
		// The region is named by its alias 100000 everywhere; the figures
		// are served under its code CN, and so are the claims.
		{"alias", []result{
			{check.Reported, check.OK, "change of socsec_insured_persons CN unemployment 2017-2018"},
			{check.Total, check.Failed, "socsec_insured_persons CN all_schemes 2018"},
		}, 1, 0},
		// The claims take the indicator's basis, year_end, as the figures do.
		{"basis-default", []result{
			{check.Reported, check.OK, "change of socsec_unemployment_benefit_recipients_persons CN unemployment basis=year_end 2017-2018"},
			{check.Reported, check.OK, "yoy of socsec_unemployment_benefit_recipients_persons CN unemployment basis=year_end 2017-2018"},
		}, 0, 0},
		// The ratio is of the 800 participants during the year, never of
		// the 500 at year-end; the population serves both.
		{"basis-coverage", []result{
			{check.Coverage, check.OK, "socsec_coverage_ratio CN unemployment basis=during_year 2022"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons CN unemployment basis=during_year 2022"},
			{check.ParticipantsPopulation, check.OK, "socsec_insured_persons CN unemployment basis=year_end 2022"},
		}, 0, 0},
		// No 2017 figure: the changes are unchecked; the rate is checked
		// against the work-injury change, which it contradicts.
		{"no-base", []result{
			{check.Reported, check.Unchecked, "change of socsec_insured_persons CN unemployment 2017-2018"},
			{check.Reported, check.Unchecked, "change of socsec_insured_persons CN work_injury 2017-2018"},
			{check.ReportedPair, check.Failed, "yoy of socsec_insured_persons CN work_injury 2017-2018"},
		}, 1, 2},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res, err := config.Load(config.Options{Datasets: []string{"../../testdata/settlement/" + tc.file + ".yaml"}, Now: testenv.Now})
			if err != nil {
				t.Fatal(err)
			}
			results := check.Run(res.Snapshot)
			var got []result
			for _, r := range results {
				got = append(got, result{r.Check, r.Status, r.Subject})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n%v\nwant\n%v", got, tc.want)
			}
			n := check.Count(results)
			if n.Failed[tc.file] != tc.failed || n.Unchecked[tc.file] != tc.unchecked {
				t.Errorf("%d failed, %d unchecked; want %d, %d", n.Failed[tc.file], n.Unchecked[tc.file], tc.failed, tc.unchecked)
			}
			if f, u := res.Snapshot.CheckFailures()[tc.file], res.Snapshot.CheckUnchecked()[tc.file]; f != tc.failed || u != tc.unchecked {
				t.Errorf("the snapshot counts %d failed, %d unchecked; want %d, %d", f, u, tc.failed, tc.unchecked)
			}
		})
	}
}
