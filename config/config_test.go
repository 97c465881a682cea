package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// testNow fixes the clock so that "after next year" means after 2027.
func testNow() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }

func loadDatasets(t *testing.T, files ...string) (*Result, error) {
	t.Helper()
	return Load(Options{Datasets: files, Now: testNow})
}

// problemLines returns the error's problems, one formatted line each.
func problemLines(t *testing.T, err error) []string {
	t.Helper()
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("got error %v (%T), want *config.Error", err, err)
	}
	lines := make([]string, len(cerr.Problems))
	for i, p := range cerr.Problems {
		lines[i] = p.String()
	}
	return lines
}

func TestInvalidDatasets(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"invalid-unknown-key.yaml", []string{`testdata/invalid-unknown-key.yaml:1:1: colour: unknown field`}},
		{"invalid-reported-large-rate.yaml", []string{
			`testdata/invalid-reported-large-rate.yaml:13:127: reported[0].value: a growth rate of 580 % a year is beyond ±100 %: write 5.8 % as 0.058 or "5.8%", or set allow_large: true if the source states such a rate, got "5.8"`,
		}},
		{"config-valid.yml", []string{`testdata/config-valid.yml:1:1: this is a config, not a dataset: pass it with --config.file=testdata/config-valid.yml`}},
		{"invalid-date-range.yaml", []string{
			`testdata/invalid-date-range.yaml:4:66: sources[0].published: 9999-12-31 is out of range 1900-01-01..2027-12-31`,
			`testdata/invalid-date-range.yaml:5:57: sources[1].released: 0001-01-01 is out of range 1900-01-01..2027-12-31`,
		}},
		{"invalid-wrong-type.yaml", []string{`testdata/invalid-wrong-type.yaml:27:11: observations[0].year: must be a year of four digits (2022), got "twenty"`}},
		{"invalid-unknown-region.yaml", []string{`testdata/invalid-unknown-region.yaml:25:13: observations[0].region: unknown region "990000": declare it under regions`}},
		{"invalid-unknown-program.yaml", []string{`testdata/invalid-unknown-program.yaml:26:14: observations[0].program: unknown program "unemployment": declare it under programs`}},
		{"invalid-unknown-indicator.yaml", []string{`testdata/invalid-unknown-indicator.yaml:24:16: observations[0].indicator: unknown indicator "socsec_happiness_ratio": use a built-in one or declare it under indicators`}},
		{"invalid-unknown-source.yaml", []string{`testdata/invalid-unknown-source.yaml:29:13: observations[0].source: unknown source "s9": declare it under sources`}},
		{"invalid-ratio-out-of-range.yaml", []string{`testdata/invalid-ratio-out-of-range.yaml:28:12: observations[0].value: ratio 93.2 is outside 0..1 (write 93.2 % as 0.932)`}},
		{"invalid-negative-count.yaml", []string{`testdata/invalid-negative-count.yaml:28:12: observations[0].value: -5 is negative: socsec_insured_persons counts persons`}},
		{"invalid-nan.yaml", []string{`testdata/invalid-nan.yaml:28:12: observations[0].value: must be a finite number, got NaN`}},
		{"invalid-inf.yaml", []string{`testdata/invalid-inf.yaml:28:12: observations[0].value: must be a finite number, got .inf`}},
		{"invalid-year-too-early.yaml", []string{`testdata/invalid-year-too-early.yaml:27:11: observations[0].year: 1899 is out of range 1900..2027`}},
		{"invalid-year-too-late.yaml", []string{`testdata/invalid-year-too-late.yaml:27:11: observations[0].year: 2028 is out of range 1900..2027`}},
		{"invalid-utf8.yaml", []string{`testdata/invalid-utf8.yaml:30:15: invalid UTF-8`}},
		{"invalid-duplicate-region.yaml", []string{`testdata/invalid-duplicate-region.yaml:20:5: regions[2].code: duplicate region code "CN"`}},
		{"invalid-duplicate-source.yaml", []string{`testdata/invalid-duplicate-source.yaml:8:5: sources[1].id: duplicate source id "s1"`}},
		{"invalid-duplicate-program.yaml", []string{`testdata/invalid-duplicate-program.yaml:23:5: programs[1].id: duplicate program id "basic_pension"`}},
		{"invalid-duplicate-indicator.yaml", []string{`testdata/invalid-duplicate-indicator.yaml:24:5: indicators[0].name: duplicate indicator "socsec_coverage_ratio"`}},
		{"invalid-missing-field.yaml", []string{`testdata/invalid-missing-field.yaml:24:5: observations[0].value: missing required field`}},
		{"invalid-bad-qualifier.yaml", []string{`testdata/invalid-bad-qualifier.yaml:30:16: observations[0].qualifier: unknown qualifier "roughly": use exact, approximately, at_least or at_most`}},
		{"invalid-missing-dimension.yaml", []string{`testdata/invalid-missing-dimension.yaml:24:5: observations[0].dimensions.category: missing dimension "category" required by socsec_children_supported_persons`}},
		{"invalid-unknown-dimension.yaml", []string{`testdata/invalid-unknown-dimension.yaml:30:17: observations[0].dimensions.colour: unknown dimension "colour": socsec_children_supported_persons has dimensions category`}},
		{"invalid-empty-dimension-value.yaml", []string{`testdata/invalid-empty-dimension-value.yaml:30:28: observations[0].dimensions.category: "a b" must match [A-Za-z0-9_.-]+`}},
		{"invalid-indicator-name.yaml", []string{`testdata/invalid-indicator-name.yaml:24:11: indicators[0].name: "socsec_coverage_percent" must not be a percentage: publish a ratio 0..1 with unit ratio`}},
		{"invalid-reserved-indicator.yaml", []string{
			`testdata/invalid-reserved-indicator.yaml:24:11: indicators[0].name: "socsec_coverage_target_ratio" is reserved: the exporter serves a family of that name itself`,
			`testdata/invalid-reserved-indicator.yaml:27:11: indicators[1].name: "socsec_latest_data_year" is reserved: the exporter serves a family of that name itself`,
			`testdata/invalid-reserved-indicator.yaml:29:11: indicators[2].name: "socsec_config_last_reload_successful" is reserved: the exporter serves a family of that name itself`,
		}},
		{"invalid-dimension-repeated.yaml", []string{`testdata/invalid-dimension-repeated.yaml:27:23: indicators[0].dimensions[1]: dimension "sex" is listed twice`}},
		{"invalid-dimension-duplicate-key.yaml", []string{`testdata/invalid-dimension-duplicate-key.yaml:35:31: observations[0].dimensions.sex: duplicate field`}},
		{"invalid-period-format.yaml", []string{
			`testdata/invalid-period-format.yaml:28:13: observations[0].period: 2024-09-31 is not a date`,
			`testdata/invalid-period-format.yaml:35:13: observations[1].period: must be a month (2025-09), a quarter (2024-Q1), a half (2024-H1 or 2024-S1) or a date (2017-06-30), got "Q3"; leave it out for the calendar year`,
		}},
		{"invalid-period-year.yaml", []string{`testdata/invalid-period-year.yaml:28:13: observations[0].period: 2025-09 is not in year 2024`}},
		{"invalid-basis.yaml", []string{`testdata/invalid-basis.yaml:28:12: observations[0].basis: must be a lower-case token such as year_end or during_year, got "Year End"`}},
		{"invalid-flag.yaml", []string{
			`testdata/invalid-flag.yaml:28:12: observations[0].flags[1]: unknown flag "guessed": use derived, estimated, provisional, unit_inferred, year_inferred`,
			`testdata/invalid-flag.yaml:28:12: observations[0].flags[2]: flag "provisional" is given twice`,
		}},
		{"invalid-printed-value.yaml", []string{
			`testdata/invalid-printed-value.yaml:28:12: observations[0].value: % is only for ratio indicators, not persons, got "93.2%"`,
			`testdata/invalid-printed-value.yaml:34:12: observations[1].value: must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got "2.6 millions"`,
			`testdata/invalid-printed-value.yaml:40:12: observations[2].value: commas must separate groups of three digits (3,512; 42,953万), got "2,61万"`,
		}},
		{"invalid-source-fields.yaml", []string{
			`testdata/invalid-source-fields.yaml:9:16: sources[0].authority: 0 is out of range 1..9 (1 the producer's final release, 5 a press report)`,
			`testdata/invalid-source-fields.yaml:8:15: sources[0].released: 2021-03-01 is after published 2021-01-01: a copy cannot appear before its figures are released`,
		}},
		{"invalid-region-name-alias.yaml", []string{
			`testdata/invalid-region-name-alias.yaml:19:5: regions[3].name: a region needs name or name_en`,
			`testdata/invalid-region-name-alias.yaml:22:15: regions[3].aliases[0]: alias "NORTH" is not a free region code`,
		}},
		{"invalid-unknown-parent.yaml", []string{`testdata/invalid-unknown-parent.yaml:19:13: regions[1].parent: unknown parent region "XX": declare it under regions`}},
		{"invalid-yaml-syntax.yaml", []string{`testdata/invalid-yaml-syntax.yaml:30:5: invalid YAML: did not find expected ',' or ']' at the end of the file, while parsing a flow sequence that starts here`}},
		// Syntax errors where they are to be fixed, with the line and column.
		{"invalid-yaml-unclosed.yaml", []string{`testdata/invalid-yaml-unclosed.yaml:2:8: invalid YAML: did not find expected ',' or ']' at line 3, column 10, while parsing a flow sequence that starts here`}},
		{"invalid-yaml-indent.yaml", []string{`testdata/invalid-yaml-indent.yaml:5:11: invalid YAML: mapping values are not allowed in this context (is this line indented further than the lines it belongs with, or does a value with ": " in it need quotes?)`}},
		{"invalid-yaml-dedent.yaml", []string{`testdata/invalid-yaml-dedent.yaml:6:4: invalid YAML: did not find expected '-' indicator, while parsing a block collection that starts at line 4, column 3 (is this line indented as the lines it belongs with?)`}},
		{"invalid-yaml-unclosed-quote.yaml", []string{`testdata/invalid-yaml-unclosed-quote.yaml:2:8: invalid YAML: found unexpected end of stream at the end of the file, while scanning a quoted scalar that starts here`}},
		{"invalid-yaml-control.yaml", []string{`testdata/invalid-yaml-control.yaml:2:12: invalid YAML: control characters are not allowed`}},
		{"invalid-csv-unclosed-quote.yaml", []string{`testdata/invalid-csv-unclosed-quote.csv:3:57: invalid CSV: the quote that opens this field is never closed`}},
		{"invalid-csv-unclosed-quote-cr.yaml", []string{`testdata/invalid-csv-unclosed-quote-cr.csv:3:57: invalid CSV: the quote that opens this field is never closed`}},
		{"invalid-csv-quote-runs-on.yaml", []string{`testdata/invalid-csv-quote-runs-on.csv:3:57: invalid CSV: the quoted field that starts here ends at line 4, column 56 with a quote not followed by a comma or a line break: a quote within a field is written twice ("")`}},
		{"invalid-csv-stray-quote.yaml", []string{`testdata/invalid-csv-stray-quote.csv:2:64: invalid CSV: a quote within a quoted field must be written twice ("")`}},
		// Bare carriage returns are line breaks: the error is on line 3.
		{"invalid-csv-bare-cr.yaml", []string{`testdata/invalid-csv-bare-cr.csv:3:49: value: ratio 1.5 is outside 0..1 (write 93.2 % as 0.932)`}},
		// Numbers in decimal notation only, whole numbers of persons, within 1e-15..1e15; years of four digits.
		{"invalid-csv-number-syntax.yaml", []string{
			`testdata/invalid-csv-number-syntax.csv:2:50: value: must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got "1_000"`,
			`testdata/invalid-csv-number-syntax.csv:3:50: value: must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got "0x1p4"`,
			`testdata/invalid-csv-number-syntax.csv:4:50: value: must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got "+5"`,
			`testdata/invalid-csv-number-syntax.csv:5:45: year: must be a year of four digits (2022), got "02019"`,
			`testdata/invalid-csv-number-syntax.csv:6:49: value: must be 0 or at least 1e-15 in magnitude, got "1e-400"`,
			`testdata/invalid-csv-number-syntax.csv:7:50: value: 1.5 is not a whole number: socsec_insured_persons counts persons`,
			`testdata/invalid-csv-number-syntax.csv:8:50: value: must be at most 1e15 in magnitude, got "1e308"`,
			`testdata/invalid-csv-number-syntax.csv:9:61: value: "2.4812345 million" (2481234.5) is not a whole number: socsec_pension_recipients_persons counts persons`,
			`testdata/invalid-csv-number-syntax.csv:10:66: precision: must be a number >= 0 in decimal notation, in the unit of the value, got "1_000"`,
			`testdata/invalid-csv-number-syntax.csv:11:66: precision: must be a number >= 0 in decimal notation, in the unit of the value, got "0x10"`,
			`testdata/invalid-csv-number-syntax.csv:13:45: year: must be a year of four digits (2022), got "2_011"`,
			`testdata/invalid-csv-number-syntax.csv:14:45: year: must be a year of four digits (2022), got "201"`,
		}},
		{"invalid-number-syntax.yaml", []string{
			`testdata/invalid-number-syntax.yaml:6:16: sources[0].authority: must be a whole number written in digits (5), got "+1"`,
			`testdata/invalid-number-syntax.yaml:18:18: indicators[0].per_program: must be true or false, got "True"`,
			`testdata/invalid-number-syntax.yaml:20:89: observations[0].year: must be a year of four digits (2022), got "02019"`,
			`testdata/invalid-number-syntax.yaml:21:102: observations[1].value: must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got "1_000"`,
			`testdata/invalid-number-syntax.yaml:22:102: observations[2].value: 1.5 is not a whole number: socsec_insured_persons counts persons`,
			`testdata/invalid-number-syntax.yaml:23:102: observations[3].value: must be at most 1e15 in magnitude, got "1e308"`,
			`testdata/invalid-number-syntax.yaml:24:116: observations[4].precision: must be a number >= 0 in decimal notation, in the unit of the value, got "0x10"`,
			`testdata/invalid-number-syntax.yaml:25:89: observations[5].year: must be a number, not a string: write it without quotes, got "2023"`,
			`testdata/invalid-number-syntax.yaml:31:16: reported[0].from_year: must be a year of four digits (2022), got "2_015"`,
			`testdata/invalid-number-syntax.yaml:33:12: reported[0].value: must be a number or a percentage as printed (0.932, 93.2%), got "0x1p-4"`,
			`testdata/invalid-number-syntax.yaml:40:12: reported[1].value: 0.5 is not a whole number: socsec_insured_persons counts persons`,
		}},
		{"invalid-program-not-per-program.yaml", []string{`testdata/invalid-program-not-per-program.yaml:26:14: observations[0].program: socsec_population_persons is not per programme: leave program out`}},
		{"invalid-no-sources.yaml", []string{`testdata/invalid-no-sources.yaml:1:1: sources: a dataset needs at least one source`}},
		{"invalid-csv-unknown-column.yaml", []string{
			`testdata/invalid-csv-unknown-column.csv:1:26: yaer: unknown column: use [indicator region program year value source qualifier note precision quote flags period basis locator] or a dimension of an indicator`,
			`testdata/invalid-csv-unknown-column.csv:1:1: year: missing required column`,
		}},
		{"invalid-csv-missing-column.yaml", []string{`testdata/invalid-csv-missing-column.csv:1:1: year: missing required column`}},
		{"invalid-csv-bad-number.yaml", []string{`testdata/invalid-csv-bad-number.csv:3:49: value: must be a number or a percentage as printed (0.932, 93.2%), got "93 pct"`}},
		{"invalid-csv-field-count.yaml", []string{`testdata/invalid-csv-field-count.csv:2:1: invalid CSV: the row has a different number of fields from the header's 6`}},
		{"invalid-csv-unknown-region.yaml", []string{`testdata/invalid-csv-unknown-region.csv:3:23: region: unknown region "990000": declare it under regions`}},
		{"invalid-csv-ratio-out-of-range.yaml", []string{`testdata/invalid-csv-ratio-out-of-range.csv:2:49: value: ratio 1.5 is outside 0..1 (write 93.2 % as 0.932)`}},
		{"invalid-csv-missing-source.yaml", []string{`testdata/invalid-csv-missing-source.csv:2:1: source: missing required field: the dataset has 2 sources`}},
		{"invalid-csv-utf8.yaml", []string{`testdata/invalid-csv-utf8.csv:2:59: invalid UTF-8`}},
		{"invalid-csv-missing-file.yaml", []string{`testdata/invalid-csv-missing-file.yaml:24:5: observation_files[0]: testdata/no-such-file.csv: stat testdata/no-such-file.csv: no such file or directory`}},
		{"invalid-reported-change-percent.yaml", []string{`testdata/invalid-reported-change-percent.yaml:29:12: reported[0].value: % is only for ratio indicators, not persons, got "10%"`}},
		{"invalid-reported-change-value.yaml", []string{`testdata/invalid-reported-change-value.yaml:29:12: reported[0].value: must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got "100 millions"`}},
		{"invalid-reported-kind.yaml", []string{`testdata/invalid-reported-kind.yaml:23:11: reported[0].kind: unknown kind "growth": use cagr (average annual growth rate), yoy (year-on-year growth rate) or change (absolute change)`}},
		{"invalid-reported-rate-multiplier.yaml", []string{`testdata/invalid-reported-rate-multiplier.yaml:29:12: reported[0].value: a growth rate must be a ratio or a percentage as printed (0.058, 5.8%), got "10万"`}},
		{"invalid-total-bad-dimension-value.yaml", []string{`testdata/invalid-total-bad-dimension-value.yaml:28:35: totals[0].parts[1].dimensions.population: "rural areas" must match [A-Za-z0-9_.-]+`}},
		{"invalid-total-duplicate-part.yaml", []string{`testdata/invalid-total-duplicate-part.yaml:28:9: totals[0].parts[1]: is the same series as parts[0]`}},
		{"invalid-total-missing-dimension.yaml", []string{`testdata/invalid-total-missing-dimension.yaml:28:9: totals[0].parts[1].dimensions.population: missing dimension "population" required by socsec_population_persons (give it here or for the whole total)`}},
		{"invalid-total-missing-program.yaml", []string{`testdata/invalid-total-missing-program.yaml:28:9: totals[0].parts[1].program: missing required field: socsec_insured_persons is per programme (give program here or for the whole total)`}},
		{"invalid-total-missing-total.yaml", []string{`testdata/invalid-total-missing-total.yaml:23:5: totals[0].total: missing required field`}},
		{"invalid-total-one-part.yaml", []string{`testdata/invalid-total-one-part.yaml:27:7: totals[0].parts: a total needs at least two parts, got 1`}},
		{"invalid-total-part-is-total.yaml", []string{`testdata/invalid-total-part-is-total.yaml:29:9: totals[0].parts[1]: is the total itself: a part must differ from it by program or by a dimension value`}},
		{"invalid-total-program-not-per-program.yaml", []string{`testdata/invalid-total-program-not-per-program.yaml:25:14: totals[0].program: socsec_population_persons is not per programme: leave program out`}},
		{"invalid-total-ratio.yaml", []string{`testdata/invalid-total-ratio.yaml:23:16: totals[0].indicator: socsec_coverage_ratio is a ratio: ratios do not add up`}},
		{"invalid-total-unknown-dimension.yaml", []string{`testdata/invalid-total-unknown-dimension.yaml:27:42: totals[0].parts[0].dimensions.sex: unknown dimension "sex": socsec_population_persons has dimensions population`}},
		{"invalid-total-unknown-indicator.yaml", []string{`testdata/invalid-total-unknown-indicator.yaml:23:16: totals[0].indicator: unknown indicator "socsec_insured_people": use a built-in one or declare it under indicators`}},
		{"invalid-total-unknown-key.yaml", []string{`testdata/invalid-total-unknown-key.yaml:28:37: totals[0].parts[1].year: unknown field`}},
		{"invalid-total-unknown-program.yaml", []string{`testdata/invalid-total-unknown-program.yaml:28:19: totals[0].parts[1].program: unknown program "rural_medical": declare it under programs`}},
		{"invalid-total-unknown-region.yaml", []string{`testdata/invalid-total-unknown-region.yaml:24:13: totals[0].region: unknown region "990000": declare it under regions`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res, err := loadDatasets(t, filepath.Join("testdata", tc.file))
			if err == nil {
				t.Fatal("loaded without error")
			}
			got := problemLines(t, err)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if res.Snapshot != nil {
				t.Error("a failed load returned a snapshot")
			}
			if len(res.Files) != 1 || res.Files[0].OK {
				t.Errorf("file statuses %+v, want one failed file", res.Files)
			}
		})
	}
}

func TestInvalidConfigs(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
	}{
		{"invalid-config-unknown-key.yml", `testdata/invalid-config-unknown-key.yml:3:1: scrape_interval: unknown field`},
		{"invalid-config-target-range.yml", `testdata/invalid-config-target-range.yml:5:12: coverage_targets[0].ratio: ratio 95 is outside 0..1 (write 95 % as 0.95)`},
		{"invalid-config-target-program.yml", `testdata/invalid-config-target-program.yml:4:5: coverage_targets[0].program: unknown program "unemployment": no dataset declares it`},
		{"invalid-config-target-duplicate.yml", `testdata/invalid-config-target-duplicate.yml:6:5: coverage_targets[1]: duplicate target for program "basic_pension" region "", first at testdata/invalid-config-target-duplicate.yml:4:5`},
		{"invalid-config-missing-dataset.yml", `testdata/invalid-config-missing-dataset.yml:2:5: datasets[0]: stat testdata/no-such-dataset.yaml: no such file or directory`},
		{"invalid-config-no-datasets.yml", `testdata/invalid-config-no-datasets.yml:1:1: datasets: no dataset files: list at least one file or directory`},
		{"invalid-config-number-syntax.yml", "testdata/invalid-config-number-syntax.yml:3:26: include_default_dataset: must be true or false, got \"True\"\n" +
			`testdata/invalid-config-number-syntax.yml:6:12: coverage_targets[0].ratio: must be a number in decimal notation (0.95, 5000, 2.5e-3), got "0x1p-1"`},
		{"valid-alias-a.yaml", `testdata/valid-alias-a.yaml:1:1: this is a dataset, not a config: list it under datasets: in a config, or check it on its own with socsec_exporter check testdata/valid-alias-a.yaml`},
		{"invalid-alias-names-another-region.yml", `testdata/valid-alias-a.yaml:6:5: regions: alias "100000" of region "CN" also names region "100000" at testdata/invalid-alias-b.yaml:6:5: an alias must name one region only`},
		{"invalid-config-default-dataset-unknown.yml", `testdata/invalid-config-default-dataset-unknown.yml:2:5: default_datasets[0]: no embedded dataset "shanxi"; the embedded datasets are "china-national", "china-provinces", "shanxi-2021-07-07"`},
		{"invalid-config-default-dataset-twice.yml", `testdata/invalid-config-default-dataset-twice.yml:2:20: default_datasets: include_default_dataset: true already serves every embedded dataset: give one or the other`},
		{"invalid-config-duplicate-dataset-id.yml", `testdata/valid-dataset.yaml:1:5: id: duplicate dataset id "test", also used by testdata/valid-dataset.yaml`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(Options{ConfigFile: filepath.Join("testdata", tc.file), Now: testNow})
			if err == nil {
				t.Fatal("loaded without error")
			}
			if got := strings.Join(problemLines(t, err), "\n"); got != tc.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestFileOverLimitIsRefusedBeforeReading(t *testing.T) {
	info, err := os.Stat("testdata/valid-dataset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Load(Options{Datasets: []string{"testdata/valid-dataset.yaml"}, Limits: Limits{MaxFileBytes: 100}, Now: testNow})
	want := "testdata/valid-dataset.yaml: file is " + itoa(info.Size()) + " bytes, over the limit of 100 bytes (--dataset.max-file-bytes)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestEmbeddedDefault(t *testing.T) {
	res, err := Load(Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Snapshot
	ds := datasetByID(s, "shanxi-2021-07-07")
	if ds == nil {
		t.Fatalf("the default has no dataset shanxi-2021-07-07")
	}
	src := ds.Sources[0]
	if src.Publisher != "China Daily" || src.Published.Format(time.DateOnly) != "2021-07-07" || src.URL == "" {
		t.Errorf("source %+v", src)
	}
	// Every figure of the article, keyed as the metrics show it.
	want := map[string]float64{
		"socsec_coverage_ratio 140000 basic_pension 2020":                          0.932,
		"socsec_coverage_ratio 140000 basic_medical 2020":                          0.95,
		"socsec_coverage_ratio 140000 major_illness 2020":                          1,
		"socsec_coverage_ratio 140000 newborn_medical 2020":                        1,
		"socsec_insured_persons 140000 basic_medical 2020":                         32450000,
		"socsec_insured_persons 140000 basic_pension 2020":                         25840000,
		"socsec_pension_monthly_per_capita_yuan 140000 basic_pension 2015":         2639,
		"socsec_pension_monthly_per_capita_yuan 140000 basic_pension 2020":         3512,
		"socsec_subsidy_annual_per_capita_yuan 140000 resident_medical 2007":       40,
		"socsec_subsidy_annual_per_capita_yuan 140000 resident_medical 2020":       550,
		"socsec_beneficiaries_persons 140000 outpatient_chronic 2020":              2480000,
		"socsec_children_supported_persons 140000 child_welfare 2020 orphan":       4900,
		"socsec_children_supported_persons 140000 child_welfare 2020 unsupported":  5600,
		"socsec_jurisdictions_with_mechanism 140000 minors_protection 2020 city":   11,
		"socsec_jurisdictions_with_mechanism 140000 minors_protection 2020 county": 117,
		"socsec_jurisdictions 140000  2020 city":                                   11,
		"socsec_jurisdictions 140000  2020 county":                                 117,
	}
	got := map[string]float64{}
	for _, o := range s.Series {
		if o.Dataset != ds {
			continue
		}
		key := strings.Join(append([]string{o.Indicator.Name, o.Region, o.Program, itoa(int64(o.Year))}, o.Dimensions...), " ")
		got[key] = o.Value
		if o.Source != src {
			t.Errorf("%s: source %s, want the article", key, o.Source.ID)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d series, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(s.Targets) != 2 || s.Targets[1] != (dataset.Target{Program: "basic_pension", Ratio: 0.95}) {
		t.Errorf("targets %+v", s.Targets)
	}
	if len(ds.Reported) != 1 || ds.Reported[0].Value != 0.058 || ds.Reported[0].Precision != 0.0005 {
		t.Errorf("reported %+v", ds.Reported)
	}
}

func TestDefaultDatasetsNamesOneEmbeddedDataset(t *testing.T) {
	res, err := Load(Options{ConfigFile: "testdata/valid-config-default-dataset.yml", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ds := range res.Snapshot.Datasets {
		ids = append(ids, ds.ID)
	}
	if !slices.Equal(ids, []string{"shanxi-2021-07-07"}) {
		t.Errorf("default_datasets: [shanxi-2021-07-07] served the datasets %q, want that one alone", ids)
	}
}

func TestValidConfigMergesDatasetsAndTargets(t *testing.T) {
	res, err := Load(Options{ConfigFile: "testdata/config-valid.yml", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Snapshot
	if len(s.Datasets) != 2 || len(s.Series) != 3 {
		t.Errorf("got %d datasets and %d series, want 2 and 3", len(s.Datasets), len(s.Series))
	}
	wantTargets := []dataset.Target{{Program: "basic_pension", Ratio: 0.95}, {Program: "basic_pension", Region: "140000", Ratio: 0.96}}
	if len(s.Targets) != 2 || s.Targets[0] != wantTargets[0] || s.Targets[1] != wantTargets[1] {
		t.Errorf("targets %+v, want %+v", s.Targets, wantTargets)
	}
	wantWarnings := []string{
		"testdata/valid-observations.csv:2:1: value: confirmation: socsec_coverage_ratio region 140000 program basic_pension year 2020: 0.932 at testdata/valid-observations.csv:2:1 (source s1, authority 5, published 2021-01-01) agrees with 0.932 at testdata/valid-dataset.yaml:24:5 (source s1, authority 5, published 2021-01-01), which is served",
		"testdata/valid-observations.csv:3:1: qualifier: socsec_children_supported_persons region 140000 program basic_pension category=orphan year 2020: the figure is at_least 4900 (source s2)",
		"testdata/valid-dataset.yaml:30:5: qualifier: socsec_coverage_ratio region 140000 program basic_pension year 2019: the figure is approximately 0.91 (source s1)",
	}
	var got []string
	for _, w := range res.Warnings {
		got = append(got, w.String())
	}
	if strings.Join(got, "\n") != strings.Join(wantWarnings, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantWarnings, "\n"))
	}
}

func TestLaterSourceRevisesEarlier(t *testing.T) {
	res, err := loadDatasets(t, "testdata/valid-revision.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := res.Snapshot
	if len(s.Series) != 1 || s.Series[0].Value != 0.935 || s.Series[0].Source.ID != "s2" {
		t.Fatalf("served %+v, want the revised 0.935 from s2", s.Series[0])
	}
	if len(s.Revisions) != 1 || s.Revisions[0].Old.Value != 0.932 {
		t.Errorf("revisions %+v", s.Revisions)
	}
	want := "testdata/valid-revision.yaml:24:5: value: revision: socsec_coverage_ratio region 140000 program basic_pension year 2020: 0.932 at testdata/valid-revision.yaml:24:5 (source s1, authority 5, published 2021-01-01) is revised by 0.935 at testdata/valid-revision.yaml:30:5 (source s2, authority 5, published 2022-01-01), which outranks it and disagrees with it"
	if len(res.Warnings) != 1 || res.Warnings[0].String() != want {
		t.Errorf("warnings %v, want %s", res.Warnings, want)
	}
}

func TestDirectoryLoadsEveryYAMLFileInNameOrder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.yaml", "a.yml", "notes.txt"} {
		data, err := os.ReadFile("testdata/valid-dataset.yaml")
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.Replace(string(data), "id: test\n", "id: "+strings.TrimSuffix(name, filepath.Ext(name))+"\n", 1))
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := loadDatasets(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 || filepath.Base(res.Files[0].File) != "a.yml" || filepath.Base(res.Files[1].File) != "b.yaml" {
		t.Errorf("files %+v, want a.yml then b.yaml", res.Files)
	}
}

func TestDeclaredIndicatorIsServed(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/valid-dataset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(data), "observations:\n", `indicators:
  - name: socsec_pension_recipients_persons
    help: Persons drawing a pension.
    unit: persons
observations:
  - indicator: socsec_pension_recipients_persons
    region: "140000"
    program: basic_pension
    year: 2020
    value: 7000000
    source: s2
`, 1)
	path := filepath.Join(dir, "d.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := loadDatasets(t, path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ind := range res.Snapshot.Indicators {
		names = append(names, ind.Name)
	}
	if strings.Join(names, ",") != "socsec_coverage_ratio,socsec_pension_recipients_persons" {
		t.Errorf("indicators %v", names)
	}
}

func TestIndicatorNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		unit dataset.Unit
		ok   bool
	}{
		{"socsec_pension_recipients_persons", dataset.UnitPersons, true},
		{"socsec_pension_recipients", dataset.UnitPersons, false},
		{"socsec_claims_total", "", false},
		{"socsec_Claims", "", false},
		{"pension_persons", dataset.UnitPersons, false},
		{"socsec_fund_balance_yuan", dataset.UnitYuan, true},
		{"socsec_coverage_percent", "", false},
		{"socsec_a__b", "", false},
		{"socsec_region_info", "", false},
	} {
		if got := checkIndicatorName(tc.name, tc.unit) == ""; got != tc.ok {
			t.Errorf("%s (%s): ok=%v, want %v", tc.name, tc.unit, got, tc.ok)
		}
	}
}

// TestSettlement checks each settlement rule on its own series: what is
// served, from which source, and what is recorded beside it.
func TestSettlement(t *testing.T) {
	res, err := loadDatasets(t, "testdata/valid-settlement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := res.Snapshot
	served := map[string]string{}
	for _, o := range s.Series {
		served[o.Program] = num(o.Value) + " from " + o.Source.ID
	}
	want := map[string]string{
		"unemployment":  "238870000 from bulletin",   // a later rounded figure confirms, never replaces
		"basic_pension": "1053065000 from bulletin",  // authority 1 revises authority 2, published earlier
		"work_injury":   "293000000 from news-later", // equal authority: the later date wins
		"maternity":     "246210000 from news-a",     // a final figure beats a provisional one
		"basic_medical": "1335000000 from news-a",    // agreeing figures: the most precise is served
	}
	if !maps.Equal(served, want) {
		t.Errorf("served %v, want %v", served, want)
	}
	if len(s.Revisions) != 3 || len(s.Confirmations) != 2 {
		t.Errorf("%d revisions and %d confirmations, want 3 and 2", len(s.Revisions), len(s.Confirmations))
	}
	if len(s.Conflicts) != 1 || len(s.Conflicts[0].Figures) != 2 || s.Conflicts[0].Figures[0].Indicator.Name != "socsec_beneficiaries_persons" {
		t.Fatalf("conflicts %+v, want the unemployment beneficiaries' two figures", s.Conflicts)
	}
	for _, o := range s.Series {
		if o.Indicator.Name == "socsec_beneficiaries_persons" {
			t.Errorf("the conflicting series is served: %+v", o)
		}
	}
}

// TestPeriodsAndBases checks that figures of part of a year and on another
// basis are series of their own, and that a change of basis is reported.
func TestPeriodsAndBases(t *testing.T) {
	res, err := loadDatasets(t, "testdata/valid-periods.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range res.Snapshot.Series {
		got = append(got, fmt.Sprintf("%d/%s/%s=%s end %s", o.Year, o.Period, o.Basis, num(o.Value), o.PeriodEnd().Format(time.DateOnly)))
	}
	want := []string{
		"2024//=246000000 end 2024-12-31",
		"2025/2025-09/=249000000 end 2025-09-30",
		"2025/2025-H1/=247000000 end 2025-06-30",
		"2015//during_year=4570000 end 2015-12-31",
		"2016//during_year=4840000 end 2016-12-31",
		"2017//year_end=2200000 end 2017-12-31",
		"2018//year_end=2230000 end 2018-12-31",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("series:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantWarning := "testdata/valid-periods.yaml:29:5: basis: series break: socsec_unemployment_benefit_recipients_persons region CN program unemployment: " +
		"basis during_year in 2015-2016 (testdata/valid-periods.yaml:27:5), basis year_end in 2017-2018 (testdata/valid-periods.yaml:29:5); figures of different bases are not compared"
	if len(res.Warnings) != 1 || res.Warnings[0].String() != wantWarning {
		t.Errorf("warnings %v, want %s", res.Warnings, wantWarning)
	}
}

// TestRegionDefinitions checks that a region or programme defined
// differently by two datasets is a warning pointing at both, the first
// definition winning, unless the parent differs, which changes what the
// data says; and that an alias resolves to the region's code.
func TestRegionDefinitions(t *testing.T) {
	res, err := Load(Options{ConfigFile: "testdata/config-default-beside-renamed.yml", Now: testNow})
	if err != nil {
		t.Fatalf("the embedded default beside a dataset naming Shanxi differently must load: %v", err)
	}
	var got []string
	for _, w := range res.Warnings {
		if w.Field == "regions" || w.Field == "programs" {
			got = append(got, w.String())
		}
	}
	want := []string{
		`testdata/valid-shanxi-renamed.yaml:19:5: programs: program "basic_pension" is named "Basic pension insurance (urban employees and residents)" here but "Basic pension insurance" at embedded:default/shanxi-2021-07-07.yaml:27:5; that definition is used, as its dataset's id sorts first`,
		`testdata/valid-shanxi-renamed.yaml:14:5: regions: region "140000" is defined differently at embedded:default/shanxi-2021-07-07.yaml:21:5 (name "山西省" there, "山西" here, name_en "Shanxi" there, "" here); that definition is used, as its dataset's id sorts first`,
		`testdata/valid-shanxi-renamed.yaml:10:5: regions: region "CN" is defined differently at embedded:default/shanxi-2021-07-07.yaml:17:5 (name "中国" there, "" here, name_en "China" there, "People's Republic of China" here, aliases "" there, "100000" here); that definition is used, as its dataset's id sorts first`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	served := false
	for _, o := range res.Snapshot.Series {
		if o.Dataset.ID == "shanxi-renamed" && o.Region == "CN" && o.Value == 1029000000 {
			served = true
		}
	}
	if !served {
		t.Error("the figure entered for alias 100000 is not served as region CN")
	}
	_, err = Load(Options{ConfigFile: "testdata/config-default-other-parent.yml", Now: testNow})
	// Datasets are compared in the order of their ids: other-parent first.
	want = []string{`embedded:default/shanxi-2021-07-07.yaml:21:5: regions: region "140000" has parent "CN" here but "NORTH" at testdata/invalid-region-parent.yaml:15:5`}
	if got := problemLines(t, err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestQuoteCheck checks that a quote without its value as printed is
// reported, that separators, spaces and "percent" do not matter, that
// derived figures are left out, and that the embedded default has no such
// warning.
func TestQuoteCheck(t *testing.T) {
	for _, tc := range []struct {
		files []string
		want  []string
	}{
		{[]string{"testdata/valid-quotes.yaml"}, []string{
			`testdata/valid-quotes.yaml:20:5: quote: socsec_insured_persons region CN program maternity year 2021: the quote does not contain the value 2.38亿 as printed`,
		}},
		{nil, nil},
	} {
		res, err := loadDatasets(t, tc.files...)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Snapshot.Series) < 4 {
			t.Fatalf("%v: loaded %d series, want the dataset's", tc.files, len(res.Snapshot.Series))
		}
		var got []string
		for _, w := range res.Warnings {
			if w.Field == "quote" {
				got = append(got, w.String())
			}
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%v: quote warnings:\n%s\nwant:\n%s", tc.files, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// TestPathNotUTF8IsShownEscaped loads a dataset from a directory named in
// Latin-1: it loads, and its path, which labels serve, is valid UTF-8 with
// the byte shown as \xe9.
func TestPathNotUTF8IsShownEscaped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "caf\xe9")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/valid-alias-a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "d\xff.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := loadDatasets(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	file := res.Files[0].File
	if !utf8.ValidString(file) || !strings.HasSuffix(file, `caf\xe9/d\xff.yaml`) {
		t.Errorf("file shown as %q, want valid UTF-8 ending in caf\\xe9/d\\xff.yaml", file)
	}
	if ds := res.Snapshot.Datasets[0]; ds.File != file || ds.Observations[0].Pos.File != file {
		t.Errorf("the dataset's file %q and its figure's position %q differ from the file loaded, %q", ds.File, ds.Observations[0].Pos.File, file)
	}
}

// TestEmbeddedDatasetsCopyNoText checks that the embedded default cites
// where each figure stands in its source and copies none of its text.
func TestEmbeddedDatasetsCopyNoText(t *testing.T) {
	res, err := Load(Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range res.Snapshot.Datasets {
		for _, o := range ds.Observations {
			if o.Quote() != "" {
				t.Errorf("%s: an embedded figure carries a quote, text copied from its source; give a locator instead", o.Pos)
			}
			if o.Locator() == "" && o.Cell() == nil {
				t.Errorf("%s: an embedded figure has no locator, nor the table cell it was read from, saying where in its source it stands", o.Pos)
			}
		}
	}
}

// datasetByID returns the dataset of s with that id, or nil.
func datasetByID(s *dataset.Snapshot, id string) *dataset.Dataset {
	for _, ds := range s.Datasets {
		if ds.ID == id {
			return ds
		}
	}
	return nil
}

// TestRegionParentLeftOut checks that a dataset leaving out a region's parent
// does not contradict one that gives it, in either order of the datasets:
// the region has the parent given.
func TestRegionParentLeftOut(t *testing.T) {
	dir := t.TempDir()
	write := func(name, id, region string) string {
		path := filepath.Join(dir, name)
		text := "id: " + id + "\ntitle: T\nsources: [{id: s, title: S}]\nregions:\n  - {code: CN, name_en: China, level: country}\n  - " + region +
			"\nprograms: [{id: p, name: P}]\nobservations:\n  - {indicator: socsec_insured_persons, region: \"150000\", program: p, year: 2020, value: 1, source: s}\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, ids := range [][2]string{{"a", "b"}, {"b", "a"}} {
		with := write("with.yaml", ids[0], `{code: "150000", name_en: Inner Mongolia, level: province, parent: CN}`)
		without := write("without.yaml", ids[1], `{code: "150000", name_en: Inner Mongolia, level: province}`)
		res, err := loadDatasets(t, with, without)
		if err != nil {
			t.Fatalf("datasets %v: a parent left out beside one given: %v", ids, err)
		}
		for _, r := range res.Snapshot.Regions {
			if r.Code == "150000" && r.Parent != "CN" {
				t.Errorf("datasets %v: region 150000 has parent %q, want CN, the one given", ids, r.Parent)
			}
		}
	}
}
