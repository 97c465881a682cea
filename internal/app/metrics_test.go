package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// The Accept headers of Prometheus 2 and 3 and of a plain client.
var acceptHeaders = map[string]string{
	"prometheus2": "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
	"prometheus3": "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,application/openmetrics-text;version=0.0.1;q=0.3,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.2,text/plain;version=0.0.4;q=0.1,*/*;q=0.05",
	"text":        "text/plain;version=0.0.4",
	"none":        "",
}

// generate writes a generated dataset of the given size and variant and
// returns its config file.
func generate(t testing.TB, dir string, series, variant int) string {
	t.Helper()
	if _, err := datagen.Write(dir, datagen.Options{Series: series, Variant: variant}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "config.yml")
}

func newTestExporter(t testing.TB, configFile string, maxRequests int) *Exporter {
	t.Helper()
	e := New(Options{
		Load:          config.Options{ConfigFile: configFile, Now: testenv.Now},
		TelemetryPath: "/metrics",
		MaxRequests:   maxRequests,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	return e
}

// dataPart is what expfmt writes for the data collector over snap.
func dataPart(t testing.TB, snap *dataset.Snapshot, format expfmt.Format) []byte {
	t.Helper()
	return testenv.Expfmt(t, collector.New(func() *dataset.Snapshot { return snap }), format)
}

// scrape GETs url and returns the decoded body and the response.
func scrape(client *http.Client, url, accept string, zipped bool) ([]byte, *http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", accept)
	// Setting it ourselves stops the transport from asking for gzip and
	// decoding it for us, with a reader that reads every member.
	req.Header.Set("Accept-Encoding", "identity")
	if zipped {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp, fmt.Errorf("reading the body: %w", err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if body, err = gunzipOneMember(body); err != nil {
			return nil, resp, err
		}
	}
	return body, resp, nil
}

// gunzipOneMember decompresses a gzip body that must be a single member:
// curl, browsers and Python's zlib read only the first and drop the rest.
func gunzipOneMember(b []byte) ([]byte, error) {
	r := bytes.NewReader(b)
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if rest := r.Len(); rest > 0 || !errors.Is(zr.Reset(r), io.EOF) {
		return nil, fmt.Errorf("the gzip body is not one member: %d of its %d bytes follow the first member", rest, len(b))
	}
	return out, nil
}

// TestScrapeMatchesPromhttp proves that for every Accept header Prometheus
// sends, plain and gzipped, /metrics negotiates the Content-Type promhttp
// would when offering the same formats (no protobuf), sends the data part exactly as expfmt encodes the collector, then
// self-metrics, and for OpenMetrics a single # EOF at the very end; a
// gzipped body is one gzip member, and every body has a Content-Length.
func TestScrapeMatchesPromhttp(t *testing.T) {
	configs := map[string]string{"default": "", "generated": generate(t, t.TempDir(), 20000, 0)}
	for name, file := range configs {
		e := newTestExporter(t, file, 0)
		srv := httptest.NewServer(e.Handler())
		reference := httptest.NewServer(promhttp.HandlerFor(e.Registry(), promhttp.HandlerOpts{AcceptedFormats: acceptedFormats}))
		for accept, header := range acceptHeaders {
			for _, zipped := range []bool{false, true} {
				body, resp, err := scrape(srv.Client(), srv.URL+"/metrics", header, zipped)
				if err != nil {
					t.Fatal(err)
				}
				_, ref, err := scrape(reference.Client(), reference.URL, header, zipped)
				if err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprintf("%s, Accept %s, gzip %v", name, accept, zipped)
				if resp.ContentLength < 0 {
					t.Errorf("%s: no Content-Length", what)
				}
				for _, h := range []string{"Content-Type", "Content-Encoding"} {
					if got, want := resp.Header.Get(h), ref.Header.Get(h); got != want {
						t.Errorf("%s: %s %q, promhttp sends %q", what, h, got, want)
					}
				}
				format := expfmt.Format(resp.Header.Get("Content-Type"))
				want := dataPart(t, e.Snapshot(), format)
				if !bytes.HasPrefix(body, want) {
					t.Errorf("%s: the body does not start with the collector's expfmt output", what)
				}
				self := string(body[min(len(want), len(body)):])
				if !strings.Contains(self, "# TYPE socsec_config_last_reload_successful gauge") || !strings.Contains(self, "go_goroutines") {
					t.Errorf("%s: self-metrics missing after the data", what)
				}
				if om := format.FormatType() == expfmt.TypeOpenMetrics; om != strings.HasSuffix(self, "\n# EOF\n") || strings.Count(string(body), "# EOF") != btoi(om) {
					t.Errorf("%s: # EOF misplaced", what)
				}
			}
		}
		srv.Close()
		reference.Close()
	}
}

// TestScrapeBeforeLoad proves that before any data is loaded /metrics
// serves the self-metrics alone, plain and as one gzip member, ended by
// # EOF in OpenMetrics.
func TestScrapeBeforeLoad(t *testing.T) {
	e := New(Options{TelemetryPath: "/metrics", Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	for accept, header := range acceptHeaders {
		for _, zipped := range []bool{false, true} {
			body, resp, err := scrape(srv.Client(), srv.URL+"/metrics", header, zipped)
			if err != nil {
				t.Fatalf("Accept %s, gzip %v: %v", accept, zipped, err)
			}
			what := fmt.Sprintf("Accept %s, gzip %v", accept, zipped)
			om := expfmt.Format(resp.Header.Get("Content-Type")).FormatType() == expfmt.TypeOpenMetrics
			switch {
			case resp.StatusCode != http.StatusOK:
				t.Errorf("%s: %s", what, resp.Status)
			case resp.ContentLength < 0:
				t.Errorf("%s: no Content-Length", what)
			case (resp.Header.Get("Content-Encoding") == "gzip") != zipped:
				t.Errorf("%s: Content-Encoding %q", what, resp.Header.Get("Content-Encoding"))
			case !strings.Contains(string(body), "\ngo_goroutines "):
				t.Errorf("%s: no self-metrics in %q", what, body)
			case strings.Contains(string(body), "socsec_dataset_info"):
				t.Errorf("%s: data served before any load", what)
			case om != strings.HasSuffix(string(body), "\n# EOF\n"):
				t.Errorf("%s: OpenMetrics %v, but the body ends in %q", what, om, body[max(0, len(body)-20):])
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDatasetAndShardTargets checks ?dataset= and ?shard=&shards=: each
// dataset is served as the collector would serve it alone, the shards of
// every count partition the whole, and bad parameters get 400 or 404.
func TestDatasetAndShardTargets(t *testing.T) {
	e := newTestExporter(t, generate(t, t.TempDir(), 20000, 0), 0)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	text := acceptHeaders["text"]
	whole, _, err := scrape(srv.Client(), srv.URL+"/metrics", text, true)
	if err != nil {
		t.Fatal(err)
	}
	wholeLines := dataLines(whole)
	for _, ds := range e.Snapshot().Datasets {
		body, _, err := scrape(srv.Client(), srv.URL+"/metrics?dataset="+ds.ID, text, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := dataPart(t, datasetSnapshot(e.Snapshot(), ds.ID), expfmt.NewFormat(expfmt.TypeTextPlain)); !bytes.HasPrefix(body, want) {
			t.Errorf("dataset %s: not what the collector serves for that dataset alone", ds.ID)
		}
		if !strings.Contains(string(body), `socsec_dataset_info{dataset="`+ds.ID+`"`) || strings.Count(string(body), "socsec_dataset_info{") != 1 {
			t.Errorf("dataset %s: socsec_dataset_info should name it alone", ds.ID)
		}
	}
	for _, n := range []int{2, 3, 5} {
		seen := map[string]int{}
		for i := range n {
			for _, zipped := range []bool{false, true} {
				body, _, err := scrape(srv.Client(), fmt.Sprintf("%s/metrics?shard=%d&shards=%d", srv.URL, i, n), text, zipped)
				if err != nil {
					t.Fatal(err)
				}
				for line := range dataLines(body) {
					if zipped {
						continue
					}
					if prev, dup := seen[line]; dup {
						t.Fatalf("%q in shards %d and %d of %d", line, prev, i, n)
					}
					seen[line] = i
				}
			}
		}
		if len(seen) != len(wholeLines) {
			t.Errorf("%d shards hold %d series, the whole %d", n, len(seen), len(wholeLines))
		}
	}
	for query, status := range map[string]int{
		"dataset=nope": http.StatusNotFound, "shard=2&shards=2": http.StatusBadRequest, "shard=0": http.StatusBadRequest,
		"shards=0&shard=0": http.StatusBadRequest, "shard=x&shards=2": http.StatusBadRequest, "shard=0&shards=5000": http.StatusBadRequest,
	} {
		resp, err := srv.Client().Get(srv.URL + "/metrics?" + query)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("?%s: %s, want %d", query, resp.Status, status)
		}
	}
}

// dataLines returns the sample lines of the data families in a text body:
// everything before the self-metrics, which start with go_ and process_ or
// socsec_build_info and socsec_config_ families.
func dataLines(body []byte) map[string]bool {
	lines := map[string]bool{}
	for line := range strings.Lines(string(body)) {
		if strings.HasPrefix(line, "#") || selfMetric(line) {
			continue
		}
		lines[line] = true
	}
	return lines
}

func selfMetric(line string) bool {
	for _, p := range []string{"go_", "process_", "promhttp_"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	for _, f := range schema.Self {
		if strings.HasPrefix(line, f.Name+"{") || strings.HasPrefix(line, f.Name+" ") {
			return true
		}
	}
	return false
}

// TestReloadUnderLoad runs 4 scrapers while the exporter reloads every
// 100-200 ms, alternating between two variants of a generated dataset:
// no scrape may fail or be cut short, and every body must be wholly one
// variant, byte for byte what expfmt writes for that variant's data.
func TestReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	var variants [2]string
	var want [2][2][]byte // By variant, then text and OpenMetrics.
	formats := [2]expfmt.Format{expfmt.NewFormat(expfmt.TypeTextPlain), expfmt.FmtOpenMetrics_1_0_0}
	link := filepath.Join(dir, "current")
	swap := func(v int) {
		// A rename over the old link switches datasets atomically.
		tmp := link + ".new"
		if err := os.Symlink(variants[v], tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, link); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte("datasets:\n  - current\ncoverage_targets:\n  - program: basic_pension\n    ratio: 0.95\n  - program: basic_medical\n    ratio: 0.95\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for v := range variants {
		generate(t, filepath.Join(dir, fmt.Sprint(v)), 20000, v)
		variants[v] = filepath.Join(dir, fmt.Sprint(v), "datasets")
		swap(v)
		// Loaded through the link, as the exporter loads it, so that file labels agree.
		res, err := config.Load(config.Options{ConfigFile: cfg, Now: testenv.Now})
		if err != nil {
			t.Fatal(err)
		}
		for f, format := range formats {
			want[v][f] = dataPart(t, res.Snapshot, format)
		}
	}
	swap(0)
	e := newTestExporter(t, cfg, 0)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()

	// The test counts events, not time: it runs until 10 reloads are done
	// and both variants were scraped, within a generous bound for a loaded
	// machine.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deadline := time.Now().Add(2 * time.Minute)
	var scrapes, reloads atomic.Int64
	var seen [2]atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for s := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				f, zipped := (s+i)%2, (s+i/2)%2 == 0
				body, resp, err := scrape(srv.Client(), srv.URL+"/metrics", []string{acceptHeaders["text"], acceptHeaders["prometheus2"]}[f], zipped)
				if err != nil {
					errs <- fmt.Errorf("scrape %d of scraper %d: %w", i, s, err)
					return
				}
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("scrape %d of scraper %d: %s", i, s, resp.Status)
					return
				}
				v := 0
				if !bytes.HasPrefix(body, want[0][f]) {
					v = 1
					if !bytes.HasPrefix(body, want[1][f]) {
						errs <- fmt.Errorf("scrape %d of scraper %d: the data is neither variant whole", i, s)
						return
					}
				}
				seen[v].Add(1)
				scrapes.Add(1)
			}
		}()
	}
	for v := 1; reloads.Load() < 10 || seen[0].Load() == 0 || seen[1].Load() == 0; v = 1 - v {
		if time.Now().After(deadline) || len(errs) > 0 {
			break
		}
		time.Sleep(time.Duration(100+v*100) * time.Millisecond)
		swap(v)
		if err := e.Reload(); err != nil {
			t.Fatal(err)
		}
		reloads.Add(1)
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d scrapes across %d reloads: %d of variant 0, %d of variant 1", scrapes.Load(), reloads.Load(), seen[0].Load(), seen[1].Load())
	if seen[0].Load() == 0 || seen[1].Load() == 0 || reloads.Load() < 10 {
		t.Errorf("within 2 minutes, wanted at least 10 reloads and scrapes of both variants: got %d reloads, %d and %d scrapes",
			reloads.Load(), seen[0].Load(), seen[1].Load())
	}
}

// TestMisbehavingClients sends clients that leave mid-scrape, read slowly,
// send a huge Accept header, and 200 at once against a limit of 40: every
// answer is 200 or the limit's 503, and no goroutine outlives its client.
func TestMisbehavingClients(t *testing.T) {
	e := newTestExporter(t, generate(t, t.TempDir(), 20000, 0), 40)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	baseline := runtime.NumGoroutine()

	for i := range 20 {
		// Leave after the first few kilobytes, in every format.
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: %s\r\nAccept-Encoding: %s\r\n\r\n",
			[]string{acceptHeaders["text"], acceptHeaders["prometheus3"]}[i%2], []string{"", "gzip"}[i/2%2])
		buf := make([]byte, 4096)
		if _, err := io.ReadFull(conn, buf); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}

	slow, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(slow, "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: %s\r\n\r\n", acceptHeaders["prometheus2"])
	for range 20 {
		buf := make([]byte, 512)
		if _, err := slow.Read(buf); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	slow.Close()

	huge := strings.Repeat("application/x-unknown;q=0.001,", 30000) + acceptHeaders["prometheus3"]
	body, resp, err := scrape(srv.Client(), srv.URL+"/metrics", huge, true)
	switch {
	case err != nil:
		t.Fatal(err)
	case resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge:
		t.Errorf("huge Accept header: %s", resp.Status)
	case resp.StatusCode == http.StatusOK && !bytes.HasSuffix(body, []byte("# EOF\n")):
		t.Errorf("huge Accept header: OpenMetrics body does not end in # EOF")
	}

	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 200}}
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, resp, err := scrape(client, srv.URL+"/metrics", acceptHeaders["prometheus2"], true)
			switch {
			case err != nil:
				t.Error(err)
			case resp.StatusCode == http.StatusOK:
				ok.Add(1)
			case resp.StatusCode == http.StatusServiceUnavailable:
				limited.Add(1)
			default:
				t.Errorf("200 connections: %s", resp.Status)
			}
		}()
	}
	wg.Wait()
	client.CloseIdleConnections()
	srv.CloseClientConnections()
	t.Logf("200 connections: %d served, %d told to retry (503)", ok.Load(), limited.Load())
	if ok.Load() == 0 {
		t.Error("no scrape got through")
	}

	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines, %d before the clients:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}

// TestPageMetrics checks the pages' own families: requests in flight while
// the limit admits them, a request over --web.max-page-requests refused and
// counted as a 503 and a refusal, a page's own 503 (its deadline) counted
// as a 503 but not a refusal, and names and help that promlint accepts.
func TestPageMetrics(t *testing.T) {
	m := newPageMetrics()
	release := make(chan struct{})
	entered := make(chan struct{}, 2)
	h := m.wrap(newRequestLimit(2), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/late" {
			http.Error(w, "deadline", http.StatusServiceUnavailable)
			return
		}
		entered <- struct{}{}
		<-release
		w.Write([]byte("page"))
	}))
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for range 2 {
		wg.Go(func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/figures", nil))
			codes <- w.Code
		})
	}
	for range 2 {
		select {
		case <-entered:
		case <-time.After(time.Minute):
			t.Fatal("two page requests were not admitted within a minute under a limit of two")
		}
	}
	expect := func(when, want string) {
		t.Helper()
		if err := testutil.CollectAndCompare(m, strings.NewReader(want)); err != nil {
			t.Errorf("%s: %v", when, err)
		}
	}
	head := `# HELP socsec_page_requests_in_flight Provenance page requests (/figures, /figure, /checks, /compare) being served, at most --web.max-page-requests.
# TYPE socsec_page_requests_in_flight gauge
socsec_page_requests_in_flight %d
# HELP socsec_page_requests_refused_total Provenance page requests answered 503 at once because --web.max-page-requests were being served.
# TYPE socsec_page_requests_refused_total counter
socsec_page_requests_refused_total %d
# HELP socsec_page_requests_total Provenance page requests answered, by HTTP status code, those refused by --web.max-page-requests included.
# TYPE socsec_page_requests_total counter
socsec_page_requests_total{code="200"} %d
socsec_page_requests_total{code="400"} 0
socsec_page_requests_total{code="404"} 0
socsec_page_requests_total{code="503"} %d
`
	expect("two requests held", fmt.Sprintf(head, 2, 0, 0, 0))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/figure", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("a third request under a limit of two: status %d, want 503", w.Code)
	}
	expect("a third request refused", fmt.Sprintf(head, 2, 1, 0, 1))
	close(release)
	wg.Wait()
	for range 2 {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("an admitted request: status %d, want 200", code)
		}
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/late", nil))
	expect("both served, and a page's own 503", fmt.Sprintf(head, 0, 1, 2, 2))
	problems, err := testutil.CollectAndLint(m)
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %v", problems, err)
	}
}
