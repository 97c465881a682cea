package e2e

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// strictParse reads a scrape on its standard input with the OpenMetrics parser of the Python client library, which
// refuses what the specification does: a family name used twice (a gauge beside a counter of the same name), metadata
// after a family's samples, a missing # EOF. A scrape in the text format (argument "text") is first read by the
// library's text parser and written out as OpenMetrics by the library itself, which is what a consumer turning the
// text format into OpenMetrics gets. It prints the families and samples read, or fails with the parser's error.
const strictParse = `import sys
from prometheus_client import parser as textparser
from prometheus_client.openmetrics import parser as omparser
from prometheus_client.openmetrics.exposition import generate_latest
body = sys.stdin.buffer.read().decode("utf-8")
if sys.argv[1] == "text":
    parsed = list(textparser.text_string_to_metric_families(body))
    class Parsed:
        def collect(self):
            return parsed
    body = generate_latest(Parsed()).decode("utf-8")
families = list(omparser.text_string_to_metric_families(body))
print("%d families, %d samples" % (len(families), sum(len(f.samples) for f in families)))
`

// strictFormats are the Accept headers of every format /metrics can be asked for: OpenMetrics 1.0.0 and 0.0.1 and
// the text format 0.0.4, which it offers, and what Prometheus 3 sends by default, the text format 1.0.0, protocol
// buffers and no header at all, which it answers in one of those.
var strictFormats = []struct{ name, accept string }{
	{"openmetrics-1.0.0", "application/openmetrics-text;version=1.0.0"},
	{"openmetrics-0.0.1", "application/openmetrics-text;version=0.0.1"},
	{"text-0.0.4", "text/plain;version=0.0.4"},
	{"prometheus-3", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,application/openmetrics-text;version=0.0.1;q=0.3,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.2,text/plain;version=0.0.4;q=0.1,*/*;q=0.05"},
	{"text-1.0.0", "text/plain;version=1.0.0;escaping=allow-utf-8"},
	{"protobuf", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"},
	{"none", ""},
}

// strictPython returns a python3 that has the Python client library (Debian's python3-prometheus-client), failing
// the test when there is none. A python3 earlier on PATH may be another installation without Debian's modules, so
// Debian's own is tried after it.
func strictPython(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(name)
		if err == nil && exec.Command(path, "-c", "import prometheus_client.openmetrics.parser").Run() == nil {
			return path
		}
	}
	t.Fatal("no python3 with the prometheus_client module: install it with apt-get install -y --no-install-recommends python3-prometheus-client (scripts/install-test-deps.sh does)")
	return ""
}

// TestScrapesPassStrictOpenMetricsParser scrapes the exporter started with its defaults (the Go runtime, process and
// promhttp metrics on), on the embedded default and on generated datasets, in every format it can be asked for,
// plain and gzipped, whole, by dataset and by shard, and reads every answer with the strict OpenMetrics parser of
// the Python client library (strictParse). client_golang's Go collector with its defaults serves a gauge
// go_memstats_alloc_bytes beside a counter go_memstats_alloc_bytes_total, one family name twice for OpenMetrics,
// which makes that parser refuse the whole scrape.
func TestScrapesPassStrictOpenMetricsParser(t *testing.T) {
	python := strictPython(t)
	dir := t.TempDir()
	if _, err := datagen.Write(dir, datagen.Options{Series: 2000}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		args    []string
		targets []string
	}{
		{"default", nil, []string{"/metrics", "/metrics?shard=0&shards=2", "/metrics?shard=1&shards=2"}},
		{"generated", []string{"--config.file=" + filepath.Join(dir, "config.yml")}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, base := testenv.StartExporter(t, c.args...)
			targets := c.targets
			if targets == nil {
				targets = []string{"/metrics", "/metrics?shard=2&shards=3", "/metrics?dataset=" + firstDataset(t, base)}
			}
			for _, target := range targets {
				for _, f := range strictFormats {
					for _, gzipped := range []bool{false, true} {
						what := fmt.Sprintf("%s (Accept %s, gzip %v)", target, f.name, gzipped)
						body, contentType := scrapeAs(t, base+target, f.accept, gzipped)
						kind := "text"
						if strings.HasPrefix(contentType, "application/openmetrics-text") {
							kind = "openmetrics"
						}
						cmd := exec.Command(python, "-c", strictParse, kind)
						cmd.Stdin = bytes.NewReader(body)
						var stderr bytes.Buffer
						cmd.Stderr = &stderr
						out, err := cmd.Output()
						if err != nil {
							t.Errorf("%s, answered as %s: the strict OpenMetrics parser refuses it (%v):\n%s", what, contentType, err, lastLines(stderr.String(), 3))
							continue
						}
						t.Logf("%s, answered as %s: %s", what, contentType, bytes.TrimSpace(out))
					}
				}
			}
		})
	}
}

// firstDataset returns the first dataset the exporter at base serves, read from its socsec_dataset_info series.
func firstDataset(t *testing.T, base string) string {
	t.Helper()
	body, _ := scrapeAs(t, base+"/metrics", "text/plain;version=0.0.4", false)
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "socsec_dataset_info{") {
			continue
		}
		if _, rest, ok := strings.Cut(line, `dataset="`); ok {
			if id, _, ok := strings.Cut(rest, `"`); ok {
				return id
			}
		}
	}
	t.Fatalf("no socsec_dataset_info series with a dataset label in the scrape of %s", base)
	return ""
}

// lastLines returns the last n lines of s, where a Python traceback says what failed.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
