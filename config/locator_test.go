package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// locatorDataset has one figure written inline and, when csv is set, the
// figures of that CSV file.
func locatorDataset(locator, csv string) string {
	body := `id: located
title: Located figures
sources:
  - id: yearbook
    title: A yearbook table
regions:
  - code: CN
    name: China
    level: country
programs:
  - id: basic_pension
    name: Basic pension insurance
observations:
  - indicator: socsec_insured_persons
    region: CN
    program: basic_pension
    year: 2005
    value: 17487.0万
    locator: ` + locator + "\n"
	if csv != "" {
		body += "observation_files:\n  - " + csv + "\n"
	}
	return body
}

// TestLocator checks that a figure's locator, inline or in a CSV column, is
// kept with the figure, and that a figure without one has none.
func TestLocator(t *testing.T) {
	dir := t.TempDir()
	rows := "indicator,region,program,year,value,locator\n" +
		`socsec_insured_persons,CN,basic_pension,2006,18766.3万,"table 23-39, row ""National Total"", column 2"` + "\n" +
		"socsec_insured_persons,CN,basic_pension,2007,20136.9万,\n"
	writeFiles(t, dir, map[string]string{
		"d.yaml": locatorDataset(`'table 23-39, row "National Total", column "Number of Employees (10 000 persons)"'`, "a.csv"),
		"a.csv":  rows,
	})
	res, err := loadDatasets(t, filepath.Join(dir, "d.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{
		2005: `table 23-39, row "National Total", column "Number of Employees (10 000 persons)"`,
		2006: `table 23-39, row "National Total", column 2`,
		2007: "",
	}
	obs := res.Snapshot.Datasets[0].Observations
	if len(obs) != len(want) {
		t.Fatalf("got %d figures, want %d", len(obs), len(want))
	}
	for _, o := range obs {
		if got := o.Locator(); got != want[o.Year] {
			t.Errorf("%d: locator %q, want %q", o.Year, got, want[o.Year])
		}
	}
}

// TestLocatorIsFreeText checks that a locator is bounded as free text
// (--dataset.max-text-bytes), not as a label value, inline and in CSV, and
// that it must be a scalar.
func TestLocatorIsFreeText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		opts  Limits
		want  []string
	}{
		{
			name: "over the free-text limit",
			files: map[string]string{
				"d.yaml": locatorDataset(strings.Repeat("l", 101), "a.csv"),
				"a.csv": "indicator,region,program,year,value,locator\n" +
					"socsec_insured_persons,CN,basic_pension,2006,1,ok\n" +
					"socsec_insured_persons,CN,basic_pension,2007,1," + strings.Repeat("l", 101) + "\n",
			},
			opts: Limits{MaxTextBytes: 100},
			want: []string{
				"DIR/d.yaml:19:14: observations[0].locator: is 101 bytes long, over the limit of 100 bytes for free text (--dataset.max-text-bytes)",
				"DIR/a.csv:3:48: locator: is 101 bytes long, over the limit of 100 bytes for free text (--dataset.max-text-bytes)",
			},
		},
		{
			name:  "not a scalar",
			files: map[string]string{"d.yaml": locatorDataset("[table 1, row 2]", "")},
			want:  []string{"DIR/d.yaml:19:14: observations[0].locator: must be a scalar, got a list"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			_, _, err := loadWithin(t, Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: tc.opts})
			if err == nil {
				t.Fatal("loaded without error")
			}
			got := strings.ReplaceAll(strings.Join(problemLines(t, err), "\n"), dir, "DIR")
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}

	// A locator longer than a label value may be is not refused.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d.yaml": locatorDataset(strings.Repeat("l", 100), "")})
	if _, _, err := loadWithin(t, Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxLabelBytes: 64}}); err != nil {
		t.Errorf("a locator over the label limit: %v", err)
	}
}
