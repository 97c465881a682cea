package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrintedFormsCase loads testdata/settlement/printed-forms.yaml, whose
// values are written as Chinese bulletins and English releases print them
// (unit words, a space before 万, traditional 萬 and 億, percent in words,
// full-width digits), and checks each value, the precision of its last
// written digit, and that it is kept as written.
func TestPrintedFormsCase(t *testing.T) {
	const file = "../testdata/settlement/printed-forms.yaml"
	res, err := Load(Options{Datasets: []string{file}, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %s", w)
	}
	want := []struct {
		printed          string
		value, precision float64
	}{
		{"7021.4万人", 70214000, 500},
		{"6958.7 万", 69587000, 500},
		{"17444萬", 174440000, 5000},
		{"10.5亿人", 1050000000, 5000000},
		{"13.46億", 1346000000, 500000},
		{"95.6 percent", 0.956, 0.0005},
		{"95.6 per cent", 0.956, 0.0005},
		{"９３．２％", 0.932, 0.0005},
		{"3,512元", 3512, 0.5},
		{"2.38亿人", 238000000, 500000},
		{"29,117 万人", 291170000, 5000},
	}
	if n := len(res.Snapshot.Datasets); n != 1 {
		t.Fatalf("loaded %d datasets, want 1", n)
	}
	obs := res.Snapshot.Datasets[0].Observations
	if len(obs) != len(want) {
		t.Fatalf("loaded %d observations, want %d", len(obs), len(want))
	}
	for i, o := range obs {
		w := want[i]
		if o.Value != w.value || !closeTo(o.Precision, w.precision) || o.Printed() != w.printed {
			t.Errorf("%s: %v ± %v printed %q, want %v ± %v printed %q", o.Pos, o.Value, o.Precision, o.Printed(), w.value, w.precision, w.printed)
		}
	}
	if n := len(res.Snapshot.Series); n != len(want) {
		t.Errorf("served %d series, want %d, one for each figure", n, len(want))
	}
}

// TestWrongUnitCase loads testdata/settlement/wrong-unit.yaml, a figure in
// yuan for an indicator of persons, which must fail with one error at the
// value naming both units.
func TestWrongUnitCase(t *testing.T) {
	_, err := Load(Options{Datasets: []string{"../testdata/settlement/wrong-unit.yaml"}, Now: testNow})
	got := problemLines(t, err)
	want := []string{
		`../testdata/settlement/wrong-unit.yaml:10:96: observations[0].value: unit 元 (yuan) does not fit socsec_insured_persons, which counts persons, got "3,512元"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPrintedFormsCSV checks that a CSV observation file reads the same
// forms, and names the indicator when a unit word does not fit it.
func TestPrintedFormsCSV(t *testing.T) {
	dir := t.TempDir()
	yaml := "id: forms\ntitle: Forms\n" +
		"sources: [{id: s1, title: Bulletin, published: 2025-06-01}]\n" +
		"regions: [{code: CN, name_en: China, level: country}]\n" +
		"programs: [{id: basic_pension, name: Basic pension insurance}]\n" +
		"observation_files: [forms.csv]\n"
	csv := "indicator,region,program,year,value\n" +
		"socsec_insured_persons,CN,basic_pension,2021,17444萬人\n" +
		"socsec_coverage_ratio,CN,basic_pension,2021,９３．２％\n" +
		"socsec_coverage_ratio,CN,basic_pension,2022,0.5个百分点\n" +
		"socsec_pension_monthly_per_capita_yuan,CN,basic_pension,2021,3512人\n"
	for name, text := range map[string]string{"forms.yaml": yaml, "forms.csv": csv} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load(Options{Datasets: []string{filepath.Join(dir, "forms.yaml")}, Now: testNow})
	got := problemLines(t, err)
	csvFile := filepath.Join(dir, "forms.csv")
	want := []string{
		csvFile + `:4:45: value: 个百分点 (percentage points) is for the change of a ratio, under reported with kind change: write a value of socsec_coverage_ratio as a percentage (93.2%), got "0.5个百分点"`,
		csvFile + `:5:62: value: unit 人 (persons) does not fit socsec_pension_monthly_per_capita_yuan, which is in yuan, got "3512人"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
