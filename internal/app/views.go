package app

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/socsec-exporter/socsec_exporter/exposition"
)

// A view is what one kind of scrape needs prepared: the exposition of a
// dataset (or the whole, dataset ""), compressed in a format, whole or cut
// into shards. Plain text of the whole needs nothing prepared.
type view struct {
	dataset string
	format  exposition.Format
	shards  int // 0 or 1 for the whole.
	gzip    bool
}

// maxRemembered bounds the views remembered for warming after a load; a
// Prometheus setup scrapes a few, and a client cycling through many only
// costs renderings on demand.
const maxRemembered = 16

// recentViews remembers the views scraped lately, most recent last.
type recentViews struct {
	mu    sync.Mutex
	views []view
}

func (r *recentViews) note(v view) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := slices.Index(r.views, v); i >= 0 {
		if i == len(r.views)-1 {
			return
		}
		r.views = slices.Delete(r.views, i, i+1)
	}
	if len(r.views) == maxRemembered {
		r.views = slices.Delete(r.views, 0, 1)
	}
	r.views = append(r.views, v)
}

// recent returns the remembered views, most recent first.
func (r *recentViews) recent() []view {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := slices.Clone(r.views)
	slices.Reverse(v)
	return v
}

// warm prepares, in the background after a load, the compressed whole in
// the format Prometheus negotiates, then every view scraped lately, most
// recent first, so that the scrapes of a steady setup find their bytes
// ready and a load never waits for them. It stops when a newer version is
// served. The caller has started the memory budget for it.
func (e *Exporter) warm(s *served) {
	defer e.memory.settle()
	s.whole.Gzip(exposition.OpenMetrics, exposition.Shard{})
	for _, v := range e.views.recent() {
		if e.current.Load() != s {
			return
		}
		x := s.whole
		if v.dataset != "" {
			if x = e.renderDataset(s, v.dataset); x == nil {
				continue // The dataset is gone.
			}
		}
		if v.gzip {
			for i := range max(v.shards, 1) {
				x.Gzip(v.format, exposition.Shard{Index: i, Count: v.shards})
			}
		}
	}
}

// renderDataset returns the exposition of dataset id of s, rendering it if
// no one has, or nil when s has no such dataset.
func (e *Exporter) renderDataset(s *served, id string) *exposition.Exposition {
	v := s.datasets[id]
	if v == nil {
		return nil
	}
	v.once.Do(func() {
		e.memory.start()
		defer e.memory.settle()
		e.renderView(s, v, id)
		if e.current.Load() == s {
			e.renderSeconds.WithLabelValues(id).Set(v.took.Seconds())
		}
	})
	return v.x
}

// within runs prepare in the background and waits for it to finish, at
// most --web.render-timeout and never beyond the scrape's deadline; false
// means it has not finished, and goes on without the scrape.
func (e *Exporter) within(r *http.Request, start time.Time, prepare func()) bool {
	done := make(chan struct{})
	go func() {
		prepare()
		close(done)
	}()
	deadline := e.scrapeDeadline(r, start)
	if t := e.opts.RenderTimeout; t > 0 && (deadline.IsZero() || start.Add(t).Before(deadline)) {
		deadline = start.Add(t)
	}
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case <-done:
		return true
	case <-timeout:
		e.renderTimeouts.Inc()
	case <-r.Context().Done(): // The client left.
	}
	return false
}

// stillRendering answers a scrape whose view was not ready in time.
func stillRendering(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	http.Error(w, "The data of this scrape is still being rendered (for longer than --web.render-timeout or the scrape's timeout); it is kept once rendered: try again shortly.", http.StatusServiceUnavailable)
}
