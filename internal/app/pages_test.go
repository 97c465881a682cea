package app

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/pages"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// getPage GETs url and returns the status and body; a request held for
// more than 30 s is an error.
func getPage(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("GET %s: reading the body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// TestPageRequestLimit is the limit of finding 5 of issue 20: with
// --web.max-page-requests 2 and two page requests running, a third page
// request gets 503 at once, counted where a scrape's 503 is, while scrapes,
// which have their own limit, and the pages' stylesheet are still served.
func TestPageRequestLimit(t *testing.T) {
	e := New(Options{
		Load:            config.Options{Now: testenv.Now},
		TelemetryPath:   "/metrics",
		MaxRequests:     1,
		MaxPageRequests: 2,
		Logger:          slog.New(slog.DiscardHandler),
	})
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}, 3), make(chan struct{})
	e.pageState.entered = func() {
		entered <- struct{}{}
		<-release
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	var wg sync.WaitGroup
	for _, path := range []string{"/figures", "/checks"} {
		wg.Go(func() {
			if status, _ := getPage(t, srv.URL+path); status != http.StatusOK {
				t.Errorf("GET %s, held and then released: status %d, want 200", path, status)
			}
		})
	}
	for range 2 {
		select {
		case <-entered:
		case <-time.After(time.Minute):
			t.Fatal("two page requests did not both start within a minute")
		}
	}
	// Without a limit it would be held like the others, until the
	// client gives up.
	status, body := getPage(t, srv.URL+"/figure?metric=socsec_coverage_ratio&region_code=140000&program=basic_pension&year=2020")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "Limit of concurrent requests reached (2)") {
		t.Errorf("a third page request while two run: status %d %q, want 503 naming the limit of 2", status, body)
	}
	if status, _ := getPage(t, srv.URL+"/static/pages.css"); status != http.StatusOK {
		t.Errorf("the pages' stylesheet while two pages run: status %d, want 200: it is not a page request", status)
	}
	status, body = getPage(t, srv.URL+"/metrics")
	if status != http.StatusOK {
		t.Errorf("a scrape while two pages run: status %d, want 200: scrapes have their own limit", status)
	}
	if want := `promhttp_metric_handler_requests_total{code="503"} 1`; !strings.Contains(body, want) {
		t.Errorf("the scrape lacks %q: the page's 503 is not counted as a scrape's is", want)
	}
	close(release)
	wg.Wait()
}

// TestPageTimeout checks that a page request's deadline is the pages' own,
// or the write timeout when that is shorter.
func TestPageTimeout(t *testing.T) {
	for write, want := range map[time.Duration]time.Duration{0: pages.DefaultTimeout, time.Minute: pages.DefaultTimeout, 2 * time.Second: 2 * time.Second} {
		e := &Exporter{opts: Options{WriteTimeout: write}}
		if got := e.pageTimeout(); got != want {
			t.Errorf("with --web.write-timeout=%s the pages' deadline is %s, want %s", write, got, want)
		}
	}
}
