package e2e

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// realStatsWait bounds every wait of TestRealStatisticsAgainstPrometheus: building the binary, starting Prometheus,
// the first scrape and the first rule evaluation.
const realStatsWait = 90 * time.Second

// TestRealStatisticsAgainstPrometheus runs the binary on the settlement and periods test datasets, scraped by a real
// Prometheus with the stack's rules, and checks through the HTTP API what a user of real statistics relies on: a series
// whose figures nothing can order is not stored while the rest of its dataset is, and is counted; and the latest-year
// selection, as docs/metrics.md and the recording rules write it, returns the annual figure of 2024 rather than the
// later figure of September 2025.
func TestRealStatisticsAgainstPrometheus(t *testing.T) {
	root := testenv.RepoRoot(t)
	config := filepath.Join(t.TempDir(), "socsec.yml")
	if err := os.WriteFile(config, fmt.Appendf(nil, "datasets:\n  - %q\n  - %q\n",
		filepath.Join(root, "config", "testdata", "valid-settlement.yaml"),
		filepath.Join(root, "config", "testdata", "valid-periods.yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, exporter := testenv.StartExporter(t, "--config.file="+config)
	prom := testenv.StartPrometheus(t, fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: socsec
    static_configs:
      - targets: [%q]
`, filepath.Join(root, "deploy", "prometheus", "rules", "socsec.rules.yml"), strings.TrimPrefix(exporter, "http://")))

	// The settlement dataset: one series per settlement rule, all of insured persons in 2022, served; the beneficiaries
	// of unemployment insurance, reported as "297万" and "8.9 million" by two sources of the same day and standing,
	// not served at all.
	settled := []string{"basic_medical", "basic_pension", "maternity", "unemployment", "work_injury"}
	var insured2022 model.Vector
	testenv.WaitFor(t, "Prometheus to store the settled insured-persons series of 2022", realStatsWait, func() error {
		var err error
		insured2022, err = query(prom, `socsec_insured_persons{job="socsec",region_code="CN",year="2022"}`)
		if err != nil {
			return err
		}
		if got := labelValues(insured2022, "program"); !slices.Equal(got, settled) {
			return fmt.Errorf("insured persons of 2022 stored for programmes %v, want %v", got, settled)
		}
		return nil
	})
	for _, s := range insured2022 {
		if p := s.Metric["period"]; p != "" {
			t.Errorf("insured persons 2022 of %s has period %q, want an annual figure", s.Metric["program"], p)
		}
	}
	// Queried after the other series are stored, so that an absent series is not merely not scraped yet.
	unresolved, err := query(prom, `socsec_beneficiaries_persons{job="socsec",program="unemployment"}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(unresolved) > 0 {
		t.Errorf("the unresolved conflict is stored, want it absent: %v", unresolved)
	}
	conflicts, err := query(prom, `socsec_dataset_unresolved_conflicts{job="socsec"}`)
	if err != nil {
		t.Fatal(err)
	}
	byDataset := map[string]float64{}
	for _, s := range conflicts {
		byDataset[string(s.Metric["dataset"])] = float64(s.Value)
	}
	if want := map[string]float64{"settlement": 1, "periods": 0}; !maps.Equal(byDataset, want) {
		t.Errorf("socsec_dataset_unresolved_conflicts by dataset %v, want %v", byDataset, want)
	}

	// The periods dataset: unemployment insurance had 2.46亿 insured in 2024 and 2.49亿 in September 2025. The later
	// figure is stored, and no latest-year selection takes it.
	later, err := query(prom, `socsec_insured_persons{job="socsec",program="unemployment",period="2025-09"}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(later) != 1 || later[0].Value != 249000000 || later[0].Metric["year"] != "2025" {
		t.Errorf("the September 2025 figure: %v, want one series of year 2025 = 249000000 stored", later)
	}
	readme := `socsec_insured_persons{program="unemployment",period=""}` +
		` and on (region_code, program, year) socsec_latest_data_year{metric="socsec_insured_persons"}`
	latest, err := query(prom, readme)
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 1 || latest[0].Value != 246000000 || latest[0].Metric["year"] != "2024" || latest[0].Metric["period"] != "" {
		t.Errorf("%s = %v, want only the 2024 annual figure 246000000", readme, latest)
	}
	rule := `region_program:socsec_insured_persons:latest{job="socsec",region_code="CN",program="unemployment"}`
	testenv.WaitFor(t, "the recording rule to take the 2024 annual figure", realStatsWait, func() error {
		got, err := query(prom, rule)
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].Value != 246000000 {
			return fmt.Errorf("%s = %v, want one series = 246000000, the 2024 annual figure", rule, got)
		}
		return nil
	})

	// And the alert on the conflict, pending for its 15 minutes, for the settlement dataset only.
	testenv.WaitFor(t, "SocsecUnresolvedConflicts to be active for the settlement dataset only", realStatsWait, func() error {
		got, err := query(prom, `ALERTS{alertname="SocsecUnresolvedConflicts"}`)
		if err != nil {
			return err
		}
		if datasets := labelValues(got, "dataset"); !slices.Equal(datasets, []string{"settlement"}) {
			return fmt.Errorf("SocsecUnresolvedConflicts active for datasets %v, want [settlement]", datasets)
		}
		return nil
	})
}

// labelValues returns the sorted values of a label over the series of v.
func labelValues(v model.Vector, label model.LabelName) []string {
	var values []string
	for _, s := range v {
		values = append(values, string(s.Metric[label]))
	}
	slices.Sort(values)
	return values
}
