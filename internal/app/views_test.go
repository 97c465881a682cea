package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/exposition"
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

// TestReloadWarmsViewsScraped checks that a new version prepares, in the
// background, the views scraped before it: a dataset's exposition is
// rendered, and a shard compressed, without any scrape asking for them.
func TestReloadWarmsViewsScraped(t *testing.T) {
	e := newTestExporter(t, generate(t, t.TempDir(), 2000, 0), 0)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	id := e.Snapshot().Datasets[1].ID
	om := acceptHeaders["openmetrics"]
	for _, target := range []string{"/metrics?dataset=" + id, "/metrics?shard=1&shards=3"} {
		if _, resp, err := scrape(srv.Client(), srv.URL+target, om, true); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", target, resp, err)
		}
	}
	rendered := make(chan string, 4)
	e.renderView = func(s *served, v *datasetView, id string) {
		s.render(v, id)
		rendered <- id
	}
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-rendered:
		if got != id {
			t.Errorf("after the reload, dataset %s was rendered; want %s, the one scraped", got, id)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("30 s after the reload, dataset %s, scraped before it, is still not rendered in the background", id)
	}
	x := e.current.Load().whole
	waitFor(t, 30*time.Second, "shard 1 of 3 compressed in OpenMetrics after the reload", func() bool {
		return x.CachedBytes() > len(x.Gzip(exposition.OpenMetrics, exposition.Shard{}))
	})
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
	live := heapLive()
	m.start()
	if limit := debug.SetMemoryLimit(-1); limit <= live {
		t.Errorf("with %d bytes live, the soft limit of a load is %d bytes, below them (the base was %d)", live, limit, int64(4<<20))
	}
	m.settle()
	if m.base < live {
		t.Errorf("after settling with %d bytes live, the base of the next limit is %d, below them", live, m.base)
	}
	runtime.KeepAlive(data)
}
