package backfill

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// blocks runs scripts/backfill.sh on the embedded default with the built
// binary and the real promtool, and returns the block directory.
func blocks(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "history")
	output := testenv.Backfill(t, out)
	for _, want := range []string{"counts retention back from the newest block", "e.g. 30y", "last_over_time(metric[366d])"} {
		if !strings.Contains(output, want) {
			t.Errorf("scripts/backfill.sh does not warn %q:\n%s", want, output)
		}
	}
	return out
}

// startPrometheus runs a real Prometheus on the blocks in dir, with extra
// flags and no scrape jobs, and returns its base URL once it is ready.
func startPrometheus(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	return testenv.StartPrometheusOn(t, dir, "scrape_configs: []\n", extra...)
}

// promSeries is one series of a Prometheus query result.
type promSeries struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"` // Range queries.
	Value  [2]any            `json:"value"`  // Instant queries.
}

// query calls a Prometheus query API endpoint and returns the result series.
func query(t *testing.T, base, endpoint string, params url.Values) []promSeries {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(base + endpoint + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []promSeries `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "success" {
		t.Fatalf("%s %v: %s", endpoint, params, body.Error)
	}
	return body.Data.Result
}

// points renders a range result's points as "date=value" pairs.
func points(s promSeries) string {
	var parts []string
	for _, p := range s.Values {
		ts, _ := p[0].(float64)
		parts = append(parts, fmt.Sprintf("%s=%v", time.Unix(int64(ts), 0).UTC().Format(time.DateOnly), p[1]))
	}
	return strings.Join(parts, " ")
}

// TestHistoryInPrometheus backfills the embedded default into blocks, starts
// a real Prometheus on them with the long retention the script recommends,
// and reads the years back on the time axis: each figure at 31 December of
// its year and at no other day, with every figure still there.
func TestHistoryInPrometheus(t *testing.T) {
	base := startPrometheus(t, blocks(t), "--storage.tsdb.retention.time=30y")
	// A daily step from the oldest to the newest year hits every 31 December at midnight.
	span := url.Values{"start": {"2007-12-31T00:00:00Z"}, "end": {"2020-12-31T00:00:00Z"}, "step": {"1d"}}
	for _, tc := range []struct {
		query, labels, points string
	}{
		{`socsec_pension_monthly_per_capita_yuan{region_code="140000"}`, "program=basic_pension region_code=140000", "2015-12-31=2639 2020-12-31=3512"},
		{`socsec_subsidy_annual_per_capita_yuan{region_code="140000"}`, "program=resident_medical region_code=140000", "2007-12-31=40 2020-12-31=550"},
	} {
		params := url.Values{"query": {tc.query}}
		for k, v := range span {
			params[k] = v
		}
		got := query(t, base, "/api/v1/query_range", params)
		if len(got) != 1 {
			t.Fatalf("%s: got %d series, want 1: %+v", tc.query, len(got), got)
		}
		var labels []string
		for _, k := range []string{"program", "region_code", "year"} {
			if v, ok := got[0].Metric[k]; ok {
				labels = append(labels, k+"="+v)
			}
		}
		if strings.Join(labels, " ") != tc.labels {
			t.Errorf("%s: labels %v, want %s and no year", tc.query, got[0].Metric, tc.labels)
		}
		if p := points(got[0]); p != tc.points {
			t.Errorf("%s: points %s, want %s", tc.query, p, tc.points)
		}
	}
	// Every served figure of the default is one sample: none fell to retention.
	snap := load(t)
	all := query(t, base, "/api/v1/query", url.Values{"query": {`{__name__=~"socsec_.+",__name__!~".+_info"}[30y]`},
		"time": {Timestamp(newestYear(snap)).Format(time.RFC3339)}})
	n := 0
	for _, s := range all {
		n += len(s.Values)
	}
	if want := len(snap.Series); n != want {
		t.Errorf("got %d samples in %d series from the blocks, want one per served figure: %d", n, len(all), want)
	}
	// The dashboards' query sees the 2015 figure through 2016.
	last := query(t, base, "/api/v1/query", url.Values{"query": {`last_over_time(socsec_pension_monthly_per_capita_yuan{region_code="140000"}[366d])`}, "time": {"2016-12-30T00:00:00Z"}})
	if len(last) != 1 || last[0].Value[1] != "2639" {
		t.Errorf("last_over_time a year after 2015: %+v, want 2639", last)
	}
}

// TestDefaultRetentionLosesHistory shows the pitfall the script warns about:
// with the default retention, counted back from the newest block, Prometheus
// deletes every year but the newest at start-up.
func TestDefaultRetentionLosesHistory(t *testing.T) {
	base := startPrometheus(t, blocks(t))
	newest := newestYear(load(t))
	for year, kept := range map[int]bool{newest - 1: false, newest: true} {
		got := query(t, base, "/api/v1/query", url.Values{"query": {`{__name__=~"socsec_.+",__name__!~".+_info"}`}, "time": {Timestamp(year).Format(time.RFC3339)}})
		if (len(got) > 0) != kept {
			t.Errorf("the figures of %d (the newest year is %d) with the default retention: %d series, want them kept: %v", year, newest, len(got), kept)
		}
	}
}

// newestYear is the latest year of any figure the snapshot serves.
func newestYear(snap *dataset.Snapshot) int {
	newest := 0
	for _, o := range snap.Series {
		newest = max(newest, o.Year)
	}
	return newest
}
