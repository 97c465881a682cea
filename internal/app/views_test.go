package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/exposition"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// waitFor polls cond every 20 ms until it holds or timeout passes, and
// fails with what was awaited.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %s, still not: %s", timeout, what)
		}
	}
}

// TestSlowRenderingAnswers503 holds a dataset's first rendering: its scrape
// is answered 503 with Retry-After once --web.render-timeout passes, the
// whole is served meanwhile, and once the rendering ends its result is
// served and its duration reported.
func TestSlowRenderingAnswers503(t *testing.T) {
	e := newTestExporter(t, generate(t, t.TempDir(), 2000, 0), 0)
	e.opts.RenderTimeout = 100 * time.Millisecond
	release := make(chan struct{})
	e.renderView = func(s *served, v *datasetView, id string) {
		<-release
		s.render(v, id)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	// A scrape that waited for the held rendering would fail here.
	client := srv.Client()
	client.Timeout = 30 * time.Second
	text := acceptHeaders["text"]
	id := e.Snapshot().Datasets[0].ID
	for _, zipped := range []bool{false, true} {
		body, resp, err := scrape(client, srv.URL+"/metrics?dataset="+id, text, zipped)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "still being rendered") {
			t.Fatalf("dataset %s while its rendering is held (gzip %v): want 503 with Retry-After saying it is still being rendered, got %d %q, Retry-After %q",
				id, zipped, resp.StatusCode, body, resp.Header.Get("Retry-After"))
		}
	}
	whole, resp, err := scrape(client, srv.URL+"/metrics", text, true)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the whole while a dataset's rendering is held: want 200, got %v %v", resp, err)
	}
	if !strings.Contains(string(whole), "\nsocsec_render_wait_timeouts_total 2\n") {
		t.Errorf("after two scrapes answered 503, want socsec_render_wait_timeouts_total 2 in:\n%s", selfMetricsOf(whole))
	}
	close(release)
	waitFor(t, 30*time.Second, "dataset "+id+" served with 200 once its rendering is released", func() bool {
		_, resp, err := scrape(client, srv.URL+"/metrics?dataset="+id, text, false)
		return err == nil && resp.StatusCode == http.StatusOK
	})
	whole, _, err = scrape(client, srv.URL+"/metrics", text, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("socsec_render_duration_seconds{dataset=%q} ", id); !strings.Contains(string(whole), want) {
		t.Errorf("after dataset %s was rendered, want a series %q in:\n%s", id, want, selfMetricsOf(whole))
	}
}

// selfMetricsOf is the end of a scrape, where the self-metrics are.
func selfMetricsOf(body []byte) string {
	s := string(body)
	if i := strings.Index(s, "# HELP go_"); i >= 0 {
		return s[i:]
	}
	return s
}

// gzipLen is the length of the gzip of shard s of x in format f, which the
// caller knows to be kept: asking for it compresses nothing.
func gzipLen(t *testing.T, x *exposition.Exposition, f exposition.Format, s exposition.Shard) int {
	t.Helper()
	b, err := x.Gzip(context.Background(), f, s)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

// settled waits until no load, rendering or preparing of a version runs, as
// the memory budget counts them.
func settled(t *testing.T, e *Exporter) {
	t.Helper()
	if e.memory == nil {
		t.Skip("GOGC or GOMEMLIMIT is set: the memory budget, which counts what runs, is off")
	}
	waitFor(t, time.Minute, "every load, rendering and preparing of a version ended", func() bool {
		e.memory.mu.Lock()
		defer e.memory.mu.Unlock()
		return e.memory.busy == 0
	})
}

// gzipScrape is a gzipped scrape of target in OpenMetrics, as Prometheus
// asks, with the scrape timeout given in seconds ("" for none); it returns
// the status.
func gzipScrape(t *testing.T, srv *httptest.Server, target, timeout string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", acceptHeaders["prometheus2"])
	req.Header.Set("Accept-Encoding", "gzip")
	if timeout != "" {
		req.Header.Set(scrapeTimeoutHeader, timeout)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// TestReloadWarmsWhatWasServed checks that a new version prepares in the
// background exactly the parts served under the one before: a dataset's
// exposition is rendered, and the one shard scraped compressed, but not the
// other shards of its count, and nothing of a scrape that gave up (503)
// before its part was ready.
func TestReloadWarmsWhatWasServed(t *testing.T) {
	e := newTestExporter(t, generate(t, t.TempDir(), 2000, 0), 0)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	id := e.Snapshot().Datasets[1].ID
	for _, target := range []string{"/metrics?dataset=" + id, "/metrics?shard=1&shards=3"} {
		if code := gzipScrape(t, srv, target, ""); code != http.StatusOK {
			t.Fatalf("%s: %d, want 200", target, code)
		}
	}
	// Its scrape timeout is over before anything is ready.
	if code := gzipScrape(t, srv, "/metrics?shard=2&shards=5", "0.000001"); code != http.StatusServiceUnavailable {
		t.Fatalf("a scrape whose timeout is over at once: %d, want 503", code)
	}
	rendered := make(chan string, 4)
	e.renderView = func(s *served, v *datasetView, id string) {
		s.render(v, id)
		rendered <- id
	}
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	settled(t, e)
	if got := len(rendered); got != 1 || <-rendered != id {
		t.Errorf("after the reload, %d datasets were rendered, want one: %s, the one scraped", got, id)
	}
	x := e.current.Load().whole
	whole, shard := gzipLen(t, x, exposition.OpenMetrics, exposition.Shard{}), gzipLen(t, x, exposition.OpenMetrics, exposition.Shard{Index: 1, Count: 3})
	if n := x.CachedBytes(); n != whole+shard {
		t.Errorf("after the reload, %d bytes of gzip are kept, want %d: the whole (%d) and shard 1 of 3 (%d), the one scraped, only", n, whole+shard, whole, shard)
	}
}

// TestReloadSkipsPartsScrapedLongAgo serves a shard, lets more than
// warmWindow pass, and reloads: the new version prepares only the whole in
// OpenMetrics, not the shard no one scraped lately.
func TestReloadSkipsPartsScrapedLongAgo(t *testing.T) {
	e := newTestExporter(t, generate(t, t.TempDir(), 2000, 0), 0)
	clock := testenv.Now()
	e.now = func() time.Time { return clock }
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	if code := gzipScrape(t, srv, "/metrics?shard=1&shards=3", ""); code != http.StatusOK {
		t.Fatalf("shard 1 of 3: %d, want 200", code)
	}
	clock = clock.Add(warmWindow + time.Minute)
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	settled(t, e)
	x := e.current.Load().whole
	if n, whole := x.CachedBytes(), gzipLen(t, x, exposition.OpenMetrics, exposition.Shard{}); n != whole {
		t.Errorf("after a reload %s after the last scrape of a shard, %d bytes of gzip are kept, want %d, the whole's only", warmWindow+time.Minute, n, whole)
	}
}

// TestAbandonedScrapesCompressNothing sends twenty gzipped scrapes of
// distinct shards whose scrape timeout is over at once, as a client
// cycling through shards while hanging up would: each gets 503, and none
// leaves a compression behind, running or kept, as a scrape served later
// shows.
func TestAbandonedScrapesCompressNothing(t *testing.T) {
	e := newTestExporter(t, generate(t, t.TempDir(), 20000, 0), 0)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	settled(t, e)
	x := e.current.Load().whole
	before := x.CachedBytes()
	for i := range 20 {
		target := fmt.Sprintf("/metrics?shard=%d&shards=20", i)
		if code := gzipScrape(t, srv, target, "0.000001"); code != http.StatusServiceUnavailable {
			t.Fatalf("%s with a scrape timeout over at once: %d, want 503", target, code)
		}
	}
	if code := gzipScrape(t, srv, "/metrics?shard=0&shards=2", ""); code != http.StatusOK {
		t.Fatalf("shard 0 of 2: %d, want 200", code)
	}
	shard := gzipLen(t, x, exposition.OpenMetrics, exposition.Shard{Index: 0, Count: 2})
	if n := x.CachedBytes(); n != before+shard {
		t.Errorf("after 20 scrapes that gave up and one of shard 0 of 2, %d bytes of gzip are kept, want %d: what was kept before (%d) and that shard's (%d)", n, before+shard, before, shard)
	}
}

// TestRenderTimeoutKeepsCompressing answers a gzipped scrape of a shard 503
// at once, by --web.render-timeout, while its compression runs: the
// compression goes on, since the scrape, which has no deadline of its own,
// would still take it, and is kept without any other scrape asking for it.
func TestRenderTimeoutKeepsCompressing(t *testing.T) {
	e := newTestExporter(t, generate(t, t.TempDir(), 20000, 0), 0)
	e.opts.RenderTimeout = time.Nanosecond
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	settled(t, e)
	x := e.current.Load().whole
	before := x.CachedBytes()
	if code := gzipScrape(t, srv, "/metrics?shard=1&shards=2", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("shard 1 of 2 with a render timeout of 1ns: %d, want 503", code)
	}
	waitFor(t, time.Minute, "the compression of shard 1 of 2 kept after its scrape got 503 at the render timeout", func() bool {
		return x.CachedBytes() > before
	})
}

// TestShardsOverTheLimit checks that ?shards= over --web.max-shards gets 400
// naming the limit and the flag, and the limit itself 200.
func TestShardsOverTheLimit(t *testing.T) {
	for _, c := range []struct{ limit, want int }{{8, 8}, {0, DefaultMaxShards}} {
		e := reliableExporter(t, generate(t, t.TempDir(), 200, 0), func(o *Options) { o.MaxShards = c.limit })
		srv := httptest.NewServer(e.Handler())
		for _, zipped := range []bool{false, true} {
			body, resp, err := scrape(srv.Client(), fmt.Sprintf("%s/metrics?shard=0&shards=%d", srv.URL, c.want+1), acceptHeaders["text"], zipped)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("limit of %d shards (--web.max-shards)", c.want); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), want) {
				t.Errorf("MaxShards %d, shards=%d: %d %.200q, want 400 saying %q", c.limit, c.want+1, resp.StatusCode, body, want)
			}
			if _, resp, err := scrape(srv.Client(), fmt.Sprintf("%s/metrics?shard=%d&shards=%d", srv.URL, c.want-1, c.want), acceptHeaders["text"], zipped); err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("MaxShards %d, shards=%d: %v %v, want 200", c.limit, c.want, resp, err)
			}
		}
		srv.Close()
	}
}

// TestMemoryBudgetSettlesLast checks that the collector returns to steady
// collection only when the last of overlapping loads and renderings ends.
func TestMemoryBudgetSettlesLast(t *testing.T) {
	currentGCPercent := func() int {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	defer debug.SetGCPercent(currentGCPercent())
	m := &memoryBudget{}
	m.start()
	if p := currentGCPercent(); p != firstLoadGCPercent {
		t.Errorf("during the first load, GOGC = %d, want %d", p, firstLoadGCPercent)
	}
	m.settle()
	m.start()
	m.start()
	m.settle()
	if p := currentGCPercent(); p != 100 {
		t.Errorf("with one of two workers still running, GOGC = %d, want 100", p)
	}
	m.settle()
	if p, want := currentGCPercent(), gcPercent(heapLive()); p != want || p < steadyGCPercent {
		t.Errorf("with every worker done, GOGC = %d, want %d, at least %d", p, want, steadyGCPercent)
	}
	for live, want := range map[int64]int{0: 100, 1 << 20: 1600, 64 << 20: 25, 1 << 30: steadyGCPercent} {
		if got := gcPercent(live); got != want {
			t.Errorf("gcPercent(%d) = %d, want %d", live, got, want)
		}
	}
	if m.base <= 0 {
		t.Errorf("after settling, the base of the next limit is %d, want the memory held", m.base)
	}
}

// TestMemoryLimitFollowsTheLiveHeap grows the live heap far beyond what was
// held when the budget last settled, as data several times larger does:
// the soft limit of the next load must be above the live heap, not a
// fraction of it that would keep the collector running without pause, and
// settling must take the live heap into the base of the next limit.
func TestMemoryLimitFollowsTheLiveHeap(t *testing.T) {
	if newMemoryBudget() == nil {
		t.Skip("GOGC or GOMEMLIMIT is set: the budget is off")
	}
	gcPercent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(gcPercent)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	// As after a load of little data.
	m := &memoryBudget{base: 4 << 20}
	data := make([]byte, 128<<20)
	for i := 0; i < len(data); i += 4096 {
		data[i] = 1
	}
	runtime.GC()
	// The live heap holds data and a little more, which collections may
	// find a few bytes apart.
	live := int64(len(data))
	m.start()
	if limit := debug.SetMemoryLimit(-1); limit <= live {
		t.Errorf("with over %d bytes live, the soft limit of a load is %d bytes, below them (the base was %d)", live, limit, int64(4<<20))
	}
	m.settle()
	if m.base < live {
		t.Errorf("after settling with over %d bytes live, the base of the next limit is %d, below them", live, m.base)
	}
	runtime.KeepAlive(data)
}
