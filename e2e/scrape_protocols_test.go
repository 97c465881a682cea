package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// protocolJobs are the scrape jobs of TestPrometheusScrapesEveryProtocol: Prometheus' default scrape_protocols
// (empty), and each protocol alone, with the Content-Type the exporter answers with. It offers OpenMetrics 1.0.0 and
// 0.0.1 and the text format 0.0.4; asked for a format it does not offer (the text format 1.0.0, protocol buffers),
// it answers with the text format 0.0.4, which Prometheus reads by its Content-Type.
var protocolJobs = []struct {
	job, protocol, contentType string
}{
	{"default", "", "application/openmetrics-text; version=1.0.0"},
	{"om100", "OpenMetricsText1.0.0", "application/openmetrics-text; version=1.0.0"},
	{"om001", "OpenMetricsText0.0.1", "application/openmetrics-text; version=0.0.1"},
	{"text100", "PrometheusText1.0.0", "text/plain; version=0.0.4"},
	{"text004", "PrometheusText0.0.4", "text/plain; version=0.0.4"},
	{"proto", "PrometheusProto", "text/plain; version=0.0.4"},
}

// TestPrometheusScrapesEveryProtocol runs the Prometheus of deploy/versions.env (the docker-compose stack's) with one
// scrape job per entry of protocolJobs, and Debian's Prometheus 2.42, the oldest supported, with its defaults, all
// against the exporter on its embedded default through a proxy that records what each scrape asked for and got.
// For every job it checks that the answer had the expected Content-Type and was gzipped, that the target is up
// without a scrape error, that scrape_samples_scraped equals the samples of a scrape made with the same headers
// (its lines that are not comments), that Prometheus stored that many series for the job, and that one figure has
// its value.
func TestPrometheusScrapesEveryProtocol(t *testing.T) {
	_, exporter := testenv.StartExporter(t)
	target, err := url.Parse(exporter)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newRecordingProxy(target)
	server := httptest.NewServer(proxy)
	t.Cleanup(server.Close)
	addr := strings.TrimPrefix(server.URL, "http://")

	var config strings.Builder
	config.WriteString("global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n")
	for _, j := range protocolJobs {
		fmt.Fprintf(&config, "  - job_name: %s\n    metrics_path: /%s/metrics\n    static_configs: [{targets: [%q]}]\n", j.job, j.job, addr)
		if j.protocol != "" {
			fmt.Fprintf(&config, "    scrape_protocols: [%s]\n", j.protocol)
		}
	}
	current := testenv.StartPrometheus(t, config.String())
	version := testenv.Versions(t)["PROMETHEUS_VERSION"]
	for _, j := range protocolJobs {
		t.Run(fmt.Sprintf("prometheus-%s/%s", version, j.job), func(t *testing.T) {
			checkProtocolJob(t, current, proxy, exporter, j.job, j.contentType)
		})
	}

	// The oldest Prometheus supported: Debian 12's 2.42, which knows no scrape_protocols and asks for OpenMetrics.
	bin, oldVersion := testenv.DebianPrometheus(t, "prometheus")
	job := "prometheus-" + oldVersion
	old := testenv.StartPrometheusWith(t, bin, filepath.Join(t.TempDir(), "data"), fmt.Sprintf(
		"global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n  - job_name: %s\n    metrics_path: /%s/metrics\n    static_configs: [{targets: [%q]}]\n",
		job, job, addr))
	t.Run(job+"/default", func(t *testing.T) {
		checkProtocolJob(t, old, proxy, exporter, job, "application/openmetrics-text; version=1.0.0")
	})
}

// checkProtocolJob checks the scrapes of one job of TestPrometheusScrapesEveryProtocol by the Prometheus at prom.
func checkProtocolJob(t *testing.T, prom string, proxy *recordingProxy, exporter, job, contentType string) {
	var seen scrapeSeen
	testenv.WaitFor(t, "a scrape of job "+job, time.Minute, func() error {
		var ok bool
		if seen, ok = proxy.last(job); !ok {
			return fmt.Errorf("no scrape yet")
		}
		return nil
	})
	t.Logf("Accept: %s\nContent-Type: %s, Content-Encoding: %s", seen.accept, seen.contentType, seen.contentEncoding)
	if !strings.HasPrefix(seen.contentType, contentType) {
		t.Errorf("the exporter answered with Content-Type %q, want %s", seen.contentType, contentType)
	}
	if seen.contentEncoding != "gzip" {
		t.Errorf("the exporter answered with Content-Encoding %q, want gzip", seen.contentEncoding)
	}
	testenv.WaitFor(t, "job "+job+" to be up without a scrape error", time.Minute, func() error {
		return targetUp(prom, job)
	})

	// The exporter's own metrics count its scrapes, so compare with a scrape made around the same time: both counts
	// stay the same from one scrape to the next, whatever the values.
	want := countSamples(t, exporter+"/metrics", seen.accept)
	testenv.WaitFor(t, "scrape_samples_scraped and the stored series of job "+job+" to equal the exporter's samples", time.Minute, func() error {
		scraped, err := instantValue(prom, fmt.Sprintf(`scrape_samples_scraped{job=%q}`, job))
		if err != nil {
			return err
		}
		stored, err := instantValue(prom, fmt.Sprintf(`count({job=%q, __name__!~"up|scrape_.+"})`, job))
		if err != nil {
			return err
		}
		if scraped != float64(want) || stored != float64(want) {
			return fmt.Errorf("scrape_samples_scraped %v, stored series %v; the exporter serves %d samples", scraped, stored, want)
		}
		return nil
	})
	t.Logf("%d samples served, scraped and stored", want)
	figure := fmt.Sprintf(`socsec_coverage_ratio{job=%q, region_code="140000", program="basic_pension", year="2020"}`, job)
	if v, err := instantValue(prom, figure); err != nil || v != 0.932 {
		t.Errorf("%s = %v (%v), want 0.932", figure, v, err)
	}
}

// scrapeSeen is what a scrape through the recording proxy asked for and got.
type scrapeSeen struct {
	accept, contentType, contentEncoding string
}

// recordingProxy forwards /JOB/metrics to the exporter's /metrics and records the last scrape of every job.
type recordingProxy struct {
	mu    sync.Mutex
	seen  map[string]scrapeSeen
	proxy *httputil.ReverseProxy
}

func newRecordingProxy(target *url.URL) *recordingProxy {
	p := &recordingProxy{seen: map[string]scrapeSeen{}}
	p.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.URL.Path = "/metrics"
		},
		ModifyResponse: func(resp *http.Response) error {
			job, _, _ := strings.Cut(strings.TrimPrefix(resp.Request.Header.Get("X-Socsec-Path"), "/"), "/")
			p.mu.Lock()
			defer p.mu.Unlock()
			p.seen[job] = scrapeSeen{
				accept:          resp.Request.Header.Get("Accept"),
				contentType:     resp.Header.Get("Content-Type"),
				contentEncoding: resp.Header.Get("Content-Encoding"),
			}
			return nil
		},
	}
	return p
}

func (p *recordingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The outgoing request's path is rewritten; the header carries the job's path to ModifyResponse.
	r.Header.Set("X-Socsec-Path", r.URL.Path)
	p.proxy.ServeHTTP(w, r)
}

func (p *recordingProxy) last(job string) (scrapeSeen, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.seen[job]
	return s, ok
}

// countSamples scrapes u with the Accept header accept and counts the samples: the lines that are not comments
// (# HELP, # TYPE, # UNIT, # EOF) or empty.
func countSamples(t *testing.T, u, accept string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %s", u, err, resp.Status)
	}
	n := 0
	s := bufio.NewScanner(bytes.NewReader(body))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		if line := s.Text(); line != "" && !strings.HasPrefix(line, "#") {
			n++
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// targetUp returns nil when the Prometheus at prom has scraped job's only target successfully.
func targetUp(prom, job string) error {
	var body struct {
		Data struct {
			ActiveTargets []struct {
				Labels    map[string]string `json:"labels"`
				Health    string            `json:"health"`
				LastError string            `json:"lastError"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	if err := getJSON(prom+"/api/v1/targets?state=active", &body); err != nil {
		return err
	}
	var found []string
	for _, tg := range body.Data.ActiveTargets {
		if tg.Labels["job"] != job {
			continue
		}
		if tg.Health != "up" || tg.LastError != "" {
			found = append(found, fmt.Sprintf("%s %q", tg.Health, tg.LastError))
		} else {
			found = append(found, "up")
		}
	}
	if len(found) != 1 || found[0] != "up" {
		return fmt.Errorf("targets of job %s: %v, want one up", job, found)
	}
	return nil
}

// instantValue runs an instant query that returns one series and returns its value.
func instantValue(prom, query string) (float64, error) {
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := getJSON(prom+"/api/v1/query?query="+url.QueryEscape(query), &body); err != nil {
		return 0, err
	}
	if body.Status != "success" || len(body.Data.Result) != 1 {
		return 0, fmt.Errorf("%s: status %s %s, %d series, want 1", query, body.Status, body.Error, len(body.Data.Result))
	}
	s, _ := body.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(s, 64)
}

// getJSON decodes the JSON body of GET u into v.
func getJSON(u string, v any) error {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
