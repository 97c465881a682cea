package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// The sharding recipe of docs/scaling.md is marked for this test, which
// replaces only these two strings in it: the exporter's address and the
// server's index.
const (
	recipeMarker   = "<!-- e2e/shards_test.go runs the next block"
	recipeExporter = "socsec-exporter:10716"
	recipeIndex    = "${PROMETHEUS_INDEX}"
)

// docShardRecipe returns the Prometheus configuration that docs/scaling.md
// gives every server sharing the shards.
func docShardRecipe(t *testing.T) string {
	t.Helper()
	block := testenv.MarkedYAMLBlock(t, "docs/scaling.md", recipeMarker)
	for _, s := range []string{recipeExporter, recipeIndex} {
		if !strings.Contains(block, s) {
			t.Fatalf("docs/scaling.md: the sharding recipe no longer contains %q, which the test replaces:\n%s", s, block)
		}
	}
	return block + "\n"
}

// TestDocShardRecipeSplitsEvenlyOverTwoPrometheusServers runs the
// sharding recipe of docs/scaling.md verbatim on two real Prometheus servers against
// one exporter, and checks that each server scrapes exactly its shards (k
// mod 2 == index, with the shard in the URL), that together they store
// exactly the data series of one unsharded scrape with the same values, that
// no series is stored by both, and that each holds about half of them.
func TestDocShardRecipeSplitsEvenlyOverTwoPrometheusServers(t *testing.T) {
	const servers, shards = 2, 4 // As in the recipe of docs/scaling.md.
	recipe := docShardRecipe(t)
	dir := t.TempDir()
	// 32 regions, so that the split depends on how regions fall into shards,
	// not on a handful of them.
	stats, err := datagen.Write(dir, datagen.Options{Series: 40000})
	if err != nil {
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

	var proms []string
	for i := range servers {
		config := strings.ReplaceAll(recipe, recipeExporter, u.Host)
		config = strings.ReplaceAll(config, recipeIndex, strconv.Itoa(i))
		proms = append(proms, testenv.StartPrometheus(t, config))
	}

	// The recipe scrapes every minute and Prometheus spreads first scrapes
	// over the interval: wait for every kept target's first scrape.
	for i, prom := range proms {
		var mine []string
		for k := i; k < shards; k += servers {
			mine = append(mine, strconv.Itoa(k))
		}
		testenv.WaitFor(t, fmt.Sprintf("server %d to scrape shards %v of %d, and only those, successfully", i, mine, shards), 3*time.Minute, func() error {
			return scrapesShards(prom, u.Host, mine, shards)
		})
	}

	// Then compare the data series they store with the unsharded scrape.
	var (
		stored  [servers]int
		where   = map[string]int{} // Series to the server storing it.
		values  = map[string]float64{}
		failure []string
	)
	testenv.WaitFor(t, "the servers to store every data series of the unsharded scrape", 60*time.Second, func() error {
		clear(where)
		clear(values)
		failure = failure[:0]
		for i, prom := range proms {
			stored[i] = 0
			series, err := query(prom, `{__name__=~"socsec_.+", job="socsec"}`)
			if err != nil {
				return err
			}
			for _, s := range series {
				name := string(s.Metric[model.MetricNameLabel])
				if !dataFamily(name) {
					continue
				}
				if k, err := strconv.Atoi(string(s.Metric["shard"])); err != nil || k%servers != i {
					failure = append(failure, fmt.Sprintf("server %d stores %s from shard %q, which is not one of its shards", i, s.Metric, s.Metric["shard"]))
				}
				ls := s.Metric.Clone()
				delete(ls, "job")
				delete(ls, "instance")
				delete(ls, "shard")
				k := model.LabelSet(ls).String()
				if j, dup := where[k]; dup {
					failure = append(failure, fmt.Sprintf("%s is stored by server %d and by server %d (or twice by one)", k, j, i))
				}
				where[k] = i
				values[k] = float64(s.Value)
				stored[i]++
			}
		}
		if len(where) < len(want) {
			return fmt.Errorf("the servers store %d distinct data series, the unsharded scrape has %d", len(where), len(want))
		}
		return nil
	})
	for _, f := range failure {
		t.Error(f)
	}
	for k, v := range want {
		if g, ok := values[k]; !ok || g != v {
			t.Errorf("%s: stored %v (present %v), the unsharded scrape has %v", k, g, ok, v)
		}
	}
	for k := range values {
		if _, ok := want[k]; !ok {
			t.Errorf("%s is stored but not in the unsharded scrape", k)
		}
	}
	t.Logf("%d regions, %d series of data: server 0 stores %d (%.1f %%), server 1 stores %d (%.1f %%)", stats.Regions, len(want),
		stored[0], 100*float64(stored[0])/float64(len(want)), stored[1], 100*float64(stored[1])/float64(len(want)))
	for i, n := range stored {
		if share := float64(n) / float64(len(want)); share < 0.35 || share > 0.65 {
			t.Errorf("server %d stores %d of %d data series (%.1f %%), want between 35 and 65 %%", i, n, len(want), 100*share)
		}
	}
}

// scrapesShards returns nil when the Prometheus at prom has exactly one
// active target for each of the shards, each scraping that shard of the
// exporter at host and up, and has dropped the others.
func scrapesShards(prom, host string, shards []string, count int) error {
	resp, err := http.Get(prom + "/api/v1/targets")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			ActiveTargets []struct {
				Labels    map[string]string `json:"labels"`
				ScrapeURL string            `json:"scrapeUrl"`
				Health    string            `json:"health"`
				LastError string            `json:"lastError"`
			} `json:"activeTargets"`
			DroppedTargets []json.RawMessage `json:"droppedTargets"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	var got []string
	for _, tg := range r.Data.ActiveTargets {
		shard := tg.Labels["shard"]
		got = append(got, shard)
		su, err := url.Parse(tg.ScrapeURL)
		if err != nil {
			return err
		}
		if su.Host != host || su.Path != "/metrics" || su.Query().Get("shard") != shard || su.Query().Get("shards") != strconv.Itoa(count) {
			return fmt.Errorf("the target of shard %q scrapes %s, want http://%s/metrics?shard=%s&shards=%d", shard, tg.ScrapeURL, host, shard, count)
		}
		if want := host + ";shard=" + shard; tg.Labels["instance"] != want {
			return fmt.Errorf("the target of shard %q has instance %q, want %q", shard, tg.Labels["instance"], want)
		}
		if tg.Health != "up" {
			return fmt.Errorf("the target of shard %q is %q (not yet scraped, or failed: %q)", shard, tg.Health, tg.LastError)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, shards) {
		return fmt.Errorf("active targets are shards %v, want %v", got, shards)
	}
	if len(r.Data.DroppedTargets) != count-len(shards) {
		return fmt.Errorf("%d targets dropped, want the other servers' %d", len(r.Data.DroppedTargets), count-len(shards))
	}
	return nil
}

// dataFamily reports whether a family is pre-rendered data, not one of the
// self-metrics that every response carries.
func dataFamily(name string) bool {
	return strings.HasPrefix(name, "socsec_") && !selfFamily(name)
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
