package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/dashboards"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestHistoryDashboardAgainstPrometheus does on loopback what the stack's history services do (backfill the embedded
// default with the stack's job label, create blocks with the real promtool, start a real Prometheus on them with the
// history configuration and retention) and checks that every variable and target of the History dashboard returns
// data over the dashboard's default time range, and that the monthly pension panel holds each figure from 31
// December of its year for a year, named by its programme.
func TestHistoryDashboardAgainstPrometheus(t *testing.T) {
	start := time.Now()
	blocks := filepath.Join(t.TempDir(), "blocks")
	testenv.Backfill(t, "--label=job="+historyJob, blocks)
	config, err := os.ReadFile(historyConfig)
	if err != nil {
		t.Fatal(err)
	}
	api := testenv.StartPrometheusOn(t, blocks, string(config), "--storage.tsdb.retention.time="+historyRetention) + "/api/v1/"
	t.Logf("blocks backfilled and Prometheus ready after %v", time.Since(start).Round(time.Millisecond))

	queries, empty := checkDashboards(t, api, historyUID, func(m dashboards.Model) evaluation {
		from, to, err := m.TimeRange(time.Now())
		if err != nil {
			t.Fatalf("%s: time range %+v: %v", m.Title, m.Time, err)
		}
		return evaluation{start: from, end: to, step: 24 * time.Hour}
	})
	if len(empty) > 0 {
		t.Errorf("%d of %d History dashboard queries return nothing:\n%s", len(empty), queries, strings.Join(empty, "\n"))
	}
	t.Logf("%d History dashboard queries checked after %v", queries, time.Since(start).Round(time.Millisecond))

	var pension []string
	for _, m := range readDashboards(t) {
		for _, p := range m.Panels {
			if datasourceDefault(m) == historyUID && p.Title == "Monthly pension per capita" && len(p.Targets) == 1 {
				pension = append(pension, p.Targets[0].Expr)
			}
		}
	}
	if len(pension) != 1 {
		t.Fatalf("found %d Monthly pension per capita panels with one target on the history, want 1", len(pension))
	}
	expr := dashboards.Expand(pension[0], map[string]string{"job": historyJob, "region": "140000", "program": ".*"})
	day := func(date string) time.Time {
		d, err := time.Parse(time.DateOnly, date)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	got, err := query(api, expr, true, evaluation{start: day("2015-12-30"), end: day("2021-01-02"), step: 24 * time.Hour})
	if err != nil || len(got) != 1 {
		t.Fatalf("%s: %d series (%v), want 1", expr, len(got), err)
	}
	if name := got[0].Metric["program_name"]; name != "Basic pension insurance" {
		t.Errorf("pension series is named %q, want Basic pension insurance", name)
	}
	values := map[string]string{}
	for _, p := range got[0].Values {
		ts, _ := p[0].(float64)
		values[time.Unix(int64(ts), 0).UTC().Format(time.DateOnly)], _ = p[1].(string)
	}
	// 2639 from 31 December 2015 for 366 days, nothing until 2020's 3512.
	for date, want := range map[string]string{
		"2015-12-30": "", "2015-12-31": "2639", "2016-12-30": "2639", "2017-01-01": "", "2020-12-30": "", "2020-12-31": "3512",
	} {
		if values[date] != want {
			t.Errorf("monthly pension on %s: %q, want %q", date, values[date], want)
		}
	}
	if t.Failed() {
		t.Logf("points: %v", got[0].Values)
	}
}
