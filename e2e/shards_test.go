package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestTwoPrometheusServersShareTheShards runs two real Prometheus servers,
// each scraping two of four shards of the exporter, and checks that the
// data series they store together are exactly those of one unsharded
// scrape, with the same values, and that no series is stored twice.
func TestTwoPrometheusServersShareTheShards(t *testing.T) {
	dir := t.TempDir()
	if _, err := datagen.Write(dir, datagen.Options{Series: 5000}); err != nil {
		t.Fatal(err)
	}
	_, base := testenv.StartExporter(t, "--config.file="+filepath.Join(dir, "config.yml"))
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]float64{}
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(strings.NewReader(get(t, base+"/metrics")))
	if err != nil {
		t.Fatal(err)
	}
	for name, mf := range families {
		if !dataFamily(name) {
			continue
		}
		for _, m := range mf.Metric {
			ls := model.LabelSet{model.MetricNameLabel: model.LabelValue(name)}
			for _, l := range m.Label {
				// Prometheus stores a label with an empty value as no label.
				if l.GetValue() != "" {
					ls[model.LabelName(l.GetName())] = model.LabelValue(l.GetValue())
				}
			}
			want[ls.String()] = m.GetGauge().GetValue()
		}
	}

	var servers []string
	for half := range 2 {
		var jobs strings.Builder
		fmt.Fprintf(&jobs, "global:\n  scrape_interval: 1s\nscrape_configs:\n")
		for _, shard := range []int{2 * half, 2*half + 1} {
			// One job per shard: the shard label keeps each target's self-metrics apart.
			fmt.Fprintf(&jobs, "  - job_name: socsec-shard-%d\n    params:\n      shard: ['%d']\n      shards: ['4']\n    static_configs:\n      - targets: ['%s']\n        labels:\n          shard: '%d'\n",
				shard, shard, u.Host, shard)
		}
		servers = append(servers, testenv.StartPrometheus(t, jobs.String()))
	}

	got := map[string]float64{}
	testenv.WaitFor(t, "both servers to store their shards", 60*time.Second, func() error {
		clear(got)
		for _, srv := range servers {
			series, err := query(srv, `{__name__=~"socsec_.+", job=~"socsec-shard-.+"}`)
			if err != nil {
				return err
			}
			for _, s := range series {
				name := string(s.Metric[model.MetricNameLabel])
				if !dataFamily(name) {
					continue
				}
				ls := s.Metric.Clone()
				delete(ls, "job")
				delete(ls, "instance")
				delete(ls, "shard")
				k := model.LabelSet(ls).String()
				if _, dup := got[k]; dup {
					return fmt.Errorf("%s is stored twice", k)
				}
				got[k] = float64(s.Value)
			}
		}
		if len(got) != len(want) {
			return fmt.Errorf("the servers store %d data series, one unsharded scrape has %d", len(got), len(want))
		}
		return nil
	})
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: stored %v (present %v), scraped %v", k, g, ok, v)
		}
	}
}

// dataFamily reports whether a family is pre-rendered data, not one of the
// self-metrics that every response carries.
func dataFamily(name string) bool {
	switch {
	case !strings.HasPrefix(name, "socsec_"), name == "socsec_build_info", strings.HasPrefix(name, "socsec_config_"),
		name == "socsec_dataset_load_success", name == "socsec_dataset_last_load_success_timestamp_seconds":
		return false
	}
	return true
}

// query runs an instant query and returns the vector.
func query(server, q string) (model.Vector, error) {
	resp, err := http.Get(server + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result model.Vector `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, r.Error)
	}
	return r.Data.Result, nil
}
