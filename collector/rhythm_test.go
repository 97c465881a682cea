package collector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// rhythmDatasets are two datasets: yearly bulletins that state no publication lag (18 months) for two provinces,
// and a faster release, three months after the year, that puts one province a year ahead of the other.
var rhythmDatasets = map[string]string{
	"bulletins.yaml": `id: bulletins
title: Yearly bulletins
sources: [{id: bulletin, title: Statistical bulletin}]
regions:
  - {code: "110000", name: Beijing, level: province}
  - {code: "120000", name: Tianjin, level: province}
  - {code: "130000", name: Hebei, level: province}
programs:
  - {id: basic_pension, name: Basic pension insurance}
  - {id: newborn_medical, name: Medical insurance for newborns}
observations:
  - {indicator: socsec_coverage_ratio, region: "110000", program: basic_pension, year: 2021, value: 0.91}
  - {indicator: socsec_coverage_ratio, region: "110000", program: basic_pension, year: 2022, value: 0.92}
  - {indicator: socsec_coverage_ratio, region: "120000", program: basic_pension, year: 2021, value: 0.93}
  - {indicator: socsec_coverage_ratio, region: "120000", program: basic_pension, year: 2022, value: 0.94}
  - {indicator: socsec_coverage_ratio, region: "120000", program: basic_pension, year: 2022, period: 2022-06, value: 0.935}
  - {indicator: socsec_coverage_ratio, region: "120000", program: newborn_medical, year: 2020, value: 1}
  - {indicator: socsec_pension_monthly_per_capita_yuan, region: "130000", program: basic_pension, year: 2015, value: 2000}
  - {indicator: socsec_pension_monthly_per_capita_yuan, region: "130000", program: basic_pension, year: 2020, value: 2600}
`,
	"ahead.yaml": `id: ahead
title: Early release
publication_lag_months: 3
sources: [{id: release, title: Early release}]
regions:
  - {code: "110000", name: Beijing, level: province}
programs:
  - {id: basic_pension, name: Basic pension insurance}
observations:
  - {indicator: socsec_coverage_ratio, region: "110000", program: basic_pension, year: 2023, value: 0.93}
`,
	"history.yaml": `id: history
title: A compilation of past figures
expect_new_years: false
sources: [{id: yearbook, title: Yearbook}]
regions:
  - {code: "120000", name: Tianjin, level: province}
  - {code: "130000", name: Hebei, level: province}
programs:
  - {id: basic_pension, name: Basic pension insurance}
observations:
  - {indicator: socsec_coverage_ratio, region: "120000", program: basic_pension, year: 2022, value: 0.94}
  - {indicator: socsec_coverage_ratio, region: "130000", program: basic_pension, year: 2018, value: 0.88}
  - {indicator: socsec_coverage_ratio, region: "130000", program: basic_pension, year: 2019, value: 0.89}
`,
}

// TestNextDueFollowsEachSeriesRhythm checks that each metric, region and programme is due on its own rhythm and
// its own dataset's lag: the province a year ahead is due a year later by the early release's three months, the
// other by the bulletins' 18 months, not by the year of its neighbour; a series of five-yearly figures is due five
// years on; a series of one year (newborn medical insurance, of 2020 only) and a monthly figure expect nothing,
// nor does a series whose latest year comes from a closed compilation alone (Hebei's coverage of 2018 and 2019),
// while one whose latest year an open dataset also gives (Tianjin's 2022) is still due.
func TestNextDueFollowsEachSeriesRhythm(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for name, text := range rhythmDatasets {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(dir, name))
	}
	snap := testenv.Load(t, config.Options{Datasets: files})
	// 110000: 2023 + 1 = 2024, due 3 months after its end, 2025-04-01. 120000: 2022 + 1 = 2023, due 18 months after
	// its end, 2025-07-01. 130000: 2020 + 5 = 2025, due 2027-07-01.
	want := `# HELP socsec_series_next_due_timestamp_seconds Time from which the metric, region and programme lack their figure of year, the next year by the series' rhythm (its latest year plus the gap between its two latest years): that year's end plus the publication lag of the dataset of its latest year (publication_lag_months, 18 by default); absent for a series of one year, or whose latest year comes only from datasets with expect_new_years: false.
# TYPE socsec_series_next_due_timestamp_seconds gauge
socsec_series_next_due_timestamp_seconds{metric="socsec_coverage_ratio",program="basic_pension",region_code="110000",year="2024"} 1.7434656e+09
socsec_series_next_due_timestamp_seconds{metric="socsec_coverage_ratio",program="basic_pension",region_code="120000",year="2023"} 1.751328e+09
socsec_series_next_due_timestamp_seconds{metric="socsec_pension_monthly_per_capita_yuan",program="basic_pension",region_code="130000",year="2025"} 1.8144e+09
`
	c := New(func() *dataset.Snapshot { return snap })
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "socsec_series_next_due_timestamp_seconds"); err != nil {
		t.Error(err)
	}
}

// TestPublicationLagDefault checks that a dataset stating no publication lag has the default one.
func TestPublicationLagDefault(t *testing.T) {
	snap := testenv.Load(t, config.Options{})
	for _, ds := range snap.Datasets {
		if ds.PublicationLagMonths != dataset.DefaultPublicationLagMonths {
			t.Errorf("dataset %s: publication lag %d months, want the default %d", ds.ID, ds.PublicationLagMonths, dataset.DefaultPublicationLagMonths)
		}
	}
}
