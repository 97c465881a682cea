package app

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/socsec-exporter/socsec_exporter/internal/pages"
)

// pageState is what the provenance pages and the landing page show: the
// version served, indexed for the pages, and how the last reload went.
type pageState struct {
	load   atomic.Pointer[pages.Load]
	reload atomic.Pointer[pages.Reload]
	// entered, when set, is called by each page request once it has its
	// place among --web.max-page-requests; tests hold requests there.
	entered func()
}

// PageState returns what the provenance pages show.
func (e *Exporter) PageState() pages.State {
	st := pages.State{Load: e.pageState.load.Load()}
	if r := e.pageState.reload.Load(); r != nil {
		st.Reload = *r
	}
	return st
}

// recordReload keeps the outcome of a load or reload for the pages: the
// loaded version with its warnings, indexed by the load (pages.NewLoad) so
// that the index is part of the version's memory, or why the load failed. A
// failure rebuilds the landing page, which tells it; a success leaves that
// to the swap.
func (e *Exporter) recordReload(page *pages.Load, err error) {
	if page != nil {
		e.pageState.load.Store(page)
	}
	e.pageState.reload.Store(&pages.Reload{At: e.now(), Err: err})
	if err != nil {
		e.setLanding(e.Snapshot())
	}
}

// registerPages adds the provenance pages to mux: at most MaxPageRequests
// of them served at once, a limit of their own beside the scrapes', each
// within pageTimeout. Their stylesheet is not limited.
func (e *Exporter) registerPages(mux *http.ServeMux) {
	limit := newRequestLimit(e.opts.MaxPageRequests)
	wrap := func(h http.Handler) http.Handler {
		if e.pageState.entered != nil {
			inner := h
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				e.pageState.entered()
				inner.ServeHTTP(w, r)
			})
		}
		return e.instrument(e.pageMetrics.wrap(limit, h))
	}
	opts := e.pageOptions()
	opts.Wrap = wrap
	pages.NewWithOptions(e.PageState, opts).Register(mux)
}

// pageOptions are the bounds of the pages and where they link the
// metrics.
func (e *Exporter) pageOptions() pages.Options {
	return pages.Options{Timeout: e.pageTimeout(), MetricsPath: e.opts.TelemetryPath}
}

// pageTimeout is the deadline of a page request: pages.DefaultTimeout, or
// the write timeout when that is shorter, after which the page could not
// be sent anyway.
func (e *Exporter) pageTimeout() time.Duration {
	if w := e.opts.WriteTimeout; w > 0 && w < pages.DefaultTimeout {
		return w
	}
	return pages.DefaultTimeout
}

// requestLimit bounds the requests of a handler served at once: the
// scrapes (--web.max-requests) and the pages (--web.max-page-requests)
// have one each.
type requestLimit struct {
	max      int
	inFlight chan struct{} // Nil when there is no limit.
}

// newRequestLimit returns a limit of max requests at once; none when max
// is 0 or less.
func newRequestLimit(max int) *requestLimit {
	l := &requestLimit{max: max}
	if max > 0 {
		l.inFlight = make(chan struct{}, max)
	}
	return l
}

// wrap serves h while the limit has room, and answers 503 at once when it
// has none.
func (l *requestLimit) wrap(h http.Handler) http.Handler {
	if l.inFlight == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case l.inFlight <- struct{}{}:
			defer func() { <-l.inFlight }()
		default:
			http.Error(w, fmt.Sprintf("Limit of concurrent requests reached (%d), try again later.", l.max), http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// instrument counts the requests of h, by status, and those in flight in
// promhttp's handler metrics, unless the exporter's own metrics are
// disabled. Every handler instrumented shares the two families, so that a
// 503 of either limit is counted the same way.
func (e *Exporter) instrument(h http.Handler) http.Handler {
	if e.opts.DisableExporterMetrics || e.registry == nil {
		return h
	}
	return promhttp.InstrumentMetricHandler(e.registry, h)
}
