package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/dashboards"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// waitLimit bounds every wait of the end-to-end test.
const waitLimit = 60 * time.Second

// TestDashboardsAndAlertsAgainstPrometheus runs the exporter on its embedded default dataset and a real Prometheus
// with the stack's rules, then checks that every dashboard query returns data and that the coverage alert is active
// exactly for the programme below its target.
func TestDashboardsAndAlertsAgainstPrometheus(t *testing.T) {
	start := time.Now()
	_, exporter := testenv.StartExporter(t)
	rules, err := filepath.Abs(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	api := testenv.StartPrometheus(t, fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: socsec
    static_configs:
      - targets: [%q]
`, rules, strings.TrimPrefix(exporter, "http://"))) + "/api/v1/"
	waitFor(t, "first scrape", func() error {
		return nonEmpty(query(api, `up{job="socsec"} == 1`, false))
	})
	t.Logf("exporter built and scraped after %v", time.Since(start).Round(time.Millisecond))

	waitFor(t, "coverage alert for Shanxi basic pension", func() error {
		states, err := coverageAlerts(api)
		if err != nil {
			return err
		}
		if s := states["140000/basic_pension"]; s != "pending" && s != "firing" {
			return fmt.Errorf("coverage alerts %v", states)
		}
		return nil
	})
	states, err := coverageAlerts(api)
	if err != nil {
		t.Fatal(err)
	}
	for key, state := range states {
		if key != "140000/basic_pension" {
			t.Errorf("coverage alert %s is %s, but that programme meets its target", key, state)
		}
	}
	t.Logf("coverage alert active after %v", time.Since(start).Round(time.Millisecond))

	paths, err := filepath.Glob("../dashboards/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboards (%v)", err)
	}
	var empty []string
	queries := 0
	for _, path := range paths {
		m, err := dashboards.ReadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		values := map[string]string{}
		for _, v := range m.Templating.List {
			values[v.Name] = v.Default()
		}
		for _, v := range m.Templating.List {
			if v.Type != "query" {
				continue
			}
			queries++
			if err := checkVariable(api, v, values); err != nil {
				empty = append(empty, fmt.Sprintf("%s: variable %s: %v", m.Title, v.Name, err))
			}
		}
		for _, p := range m.Panels {
			for _, target := range p.Targets {
				queries++
				expr := dashboards.Expand(target.Expr, values)
				if err := nonEmpty(query(api, expr, target.Range)); err != nil {
					empty = append(empty, fmt.Sprintf("%s: panel %q query %s: %v\n\t%s", m.Title, p.Title, target.RefID, err, expr))
				}
			}
		}
	}
	if len(empty) > 0 {
		t.Errorf("%d of %d dashboard queries return nothing:\n%s", len(empty), queries, strings.Join(empty, "\n"))
	}
	t.Logf("%d dashboard queries checked after %v", queries, time.Since(start).Round(time.Millisecond))
}

// checkVariable runs a query variable's PromQL and checks that its regex yields the variable's default value.
func checkVariable(api string, v dashboards.Variable, values map[string]string) error {
	expr, err := v.PromQL()
	if err != nil {
		return err
	}
	result, err := query(api, dashboards.Expand(expr, values), false)
	if err := nonEmpty(result, err); err != nil {
		return err
	}
	if v.Regex == "" || v.IncludeAll && v.Default() == v.AllValue {
		return nil
	}
	re, err := regexp.Compile(strings.TrimSuffix(strings.TrimPrefix(v.Regex, "/"), "/"))
	if err != nil {
		return err
	}
	var got []string
	for _, s := range result {
		// Grafana applies the regex to query_result's text form of each series: name{label="value", ...} value time.
		labels := make([]string, 0, len(s.Metric))
		for _, k := range slices.Sorted(maps.Keys(s.Metric)) {
			if k != "__name__" {
				labels = append(labels, fmt.Sprintf("%s=%q", k, s.Metric[k]))
			}
		}
		text := fmt.Sprintf("%s{%s} 1 0", s.Metric["__name__"], strings.Join(labels, ", "))
		if m := re.FindStringSubmatch(text); m != nil {
			value := m[re.SubexpIndex("value")]
			if value == v.Default() {
				return nil
			}
			got = append(got, value)
		}
	}
	return fmt.Errorf("default %q is not among the values %v", v.Default(), got)
}

// coverageAlerts returns the state of every active coverage alert by region_code/program.
func coverageAlerts(api string) (map[string]string, error) {
	var body struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := get(api+"alerts", &body); err != nil {
		return nil, err
	}
	states := map[string]string{}
	for _, a := range body.Data.Alerts {
		if a.Labels["alertname"] == "SocsecCoverageBelowTarget" {
			states[a.Labels["region_code"]+"/"+a.Labels["program"]] = a.State
		}
	}
	return states, nil
}

type series struct {
	Metric map[string]string `json:"metric"`
}

// query runs expr as an instant query, or as a range query over the last five minutes.
func query(api, expr string, isRange bool) ([]series, error) {
	params := url.Values{"query": {expr}}
	endpoint := "query"
	if isRange {
		now := time.Now()
		endpoint = "query_range"
		params.Set("start", strconv.FormatInt(now.Add(-5*time.Minute).Unix(), 10))
		params.Set("end", strconv.FormatInt(now.Unix(), 10))
		params.Set("step", "5")
	}
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []series `json:"result"`
		} `json:"data"`
	}
	if err := get(api+endpoint+"?"+params.Encode(), &body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s", body.Error)
	}
	return body.Data.Result, nil
}

func nonEmpty(result []series, err error) error {
	if err != nil {
		return err
	}
	if len(result) == 0 {
		return fmt.Errorf("no series")
	}
	return nil
}

// get fetches u and decodes its JSON body into v unless v is nil; any status but 200 is an error.
func get(u string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && !(v != nil && resp.StatusCode == http.StatusBadRequest) {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	if v == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// waitFor polls check until it succeeds, failing the test after waitLimit.
func waitFor(t *testing.T, what string, check func() error) {
	t.Helper()
	testenv.WaitFor(t, what, waitLimit, check)
}
