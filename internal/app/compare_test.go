package app

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestComparePageIsAPageRequest checks that /compare is served under
// --web.max-page-requests like the other pages: while one comparison runs
// under a limit of one, a second gets 503 at once, counted where a
// scrape's 503 is, and the first is answered once released.
func TestComparePageIsAPageRequest(t *testing.T) {
	e := New(Options{
		Load:            config.Options{Now: testenv.Now},
		TelemetryPath:   "/metrics",
		MaxPageRequests: 1,
		Logger:          slog.New(slog.DiscardHandler),
	})
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}, 2), make(chan struct{})
	e.pageState.entered = func() {
		entered <- struct{}{}
		<-release
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	first := make(chan int, 1)
	go func() {
		status, _ := getPage(t, srv.URL+"/compare")
		first <- status
	}()
	select {
	case <-entered:
	case <-time.After(time.Minute):
		t.Fatal("the first comparison did not start within a minute")
	}
	status, body := getPage(t, srv.URL+"/compare?metric=socsec_coverage_ratio&program=basic_pension")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "Limit of concurrent requests reached (1)") {
		t.Errorf("a second comparison while one runs under a limit of one: status %d %q, want 503 naming the limit of 1", status, body)
	}
	close(release)
	select {
	case status := <-first:
		if status != http.StatusOK {
			t.Errorf("the first comparison, held and then released: status %d, want 200", status)
		}
	case <-time.After(time.Minute):
		t.Fatal("the first comparison was not answered within a minute of its release")
	}
	status, body = getPage(t, srv.URL+"/metrics")
	if want := `promhttp_metric_handler_requests_total{code="503"} 1`; status != http.StatusOK || !strings.Contains(body, want) {
		t.Errorf("the scrape after the refused comparison: status %d, lacks %q: the comparison's 503 is not counted as a page's is", status, want)
	}
}
