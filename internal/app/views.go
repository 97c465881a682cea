package app

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/exposition"
)

// A part is what one scrape needs prepared: the exposition of a dataset (or
// the whole, dataset ""), compressed in a format, whole or one shard of it.
// Plain text of the whole needs nothing prepared.
type part struct {
	dataset string
	format  exposition.Format
	shard   exposition.Shard
	gzip    bool
}

// warmWindow is how lately a part must have been served for a new version
// to prepare it: longer than the scrape intervals Prometheus is run with,
// with room for a missed scrape or two, so that a steady setup finds its
// parts ready after every load while a part scraped once is soon left out.
const warmWindow = 15 * time.Minute

// recentParts remembers the parts served lately and when, most recent last,
// at most max of them.
type recentParts struct {
	mu    sync.Mutex
	max   int
	parts []servedPart
}

type servedPart struct {
	part
	at time.Time
}

// note records that p was served at at.
func (r *recentParts) note(p part, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := slices.IndexFunc(r.parts, func(s servedPart) bool { return s.part == p }); i >= 0 {
		r.parts = slices.Delete(r.parts, i, i+1)
	}
	if len(r.parts) >= r.max {
		r.parts = slices.Delete(r.parts, 0, len(r.parts)-r.max+1)
	}
	r.parts = append(r.parts, servedPart{p, at})
}

// since returns the parts served at or after t, most recent first.
func (r *recentParts) since(t time.Time) []part {
	r.mu.Lock()
	defer r.mu.Unlock()
	var parts []part
	for _, s := range slices.Backward(r.parts) {
		if !s.at.Before(t) {
			parts = append(parts, s.part)
		}
	}
	return parts
}

// warm prepares, in the background after a load, the compressed whole in
// the format Prometheus negotiates, then every part served within
// warmWindow, most recent first, so that the scrapes of a steady setup find
// their bytes ready and a load never waits for them. It stops when ctx
// ends, as it does once a newer version is served, and a compression it
// started then stops unless a scrape waits for it. The caller has started
// the memory budget for it.
func (e *Exporter) warm(ctx context.Context, s *served) {
	defer e.memory.settle()
	_, _ = s.whole.Gzip(ctx, exposition.OpenMetrics, exposition.Shard{})
	for _, p := range e.views.since(e.now().Add(-warmWindow)) {
		if ctx.Err() != nil {
			return
		}
		x := s.whole
		if p.dataset != "" {
			if x = e.renderDataset(s, p.dataset); x == nil {
				continue // The dataset is gone.
			}
		}
		if p.gzip {
			_, _ = x.Gzip(ctx, p.format, p.shard)
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
// means it has not finished, and the scrape is answered without it. The
// context prepare gets ends when the scrape would no longer take what it
// prepares: at the scrape's own deadline, or when its client leaves before
// being answered. A compression that no one else waits for then stops; one
// that only outlasted --web.render-timeout goes on, for the scrape's retry.
func (e *Exporter) within(r *http.Request, start time.Time, prepare func(context.Context) error) bool {
	deadline := e.scrapeDeadline(r, start)
	wait := deadline
	if t := e.opts.RenderTimeout; t > 0 && (wait.IsZero() || start.Add(t).Before(wait)) {
		wait = start.Add(t)
	}
	// Not the request's own context, which the server ends with the
	// handler, 503 or not.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	if !deadline.IsZero() {
		ctx, cancel = context.WithDeadline(context.WithoutCancel(r.Context()), deadline)
	}
	done := make(chan error, 1)
	go func() {
		defer cancel()
		done <- prepare(ctx)
	}()
	var timeout <-chan time.Time
	if !wait.IsZero() {
		timer := time.NewTimer(time.Until(wait))
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case err := <-done:
		if err == nil {
			return true
		}
		e.renderTimeouts.Inc() // The scrape's deadline has passed.
	case <-timeout:
		e.renderTimeouts.Inc()
	case <-r.Context().Done(): // The client left.
		cancel()
	}
	return false
}

// stillRendering answers a scrape whose view was not ready in time.
func stillRendering(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	http.Error(w, "The data of this scrape is still being rendered (for longer than --web.render-timeout or the scrape's timeout); it is kept once rendered: try again shortly.", http.StatusServiceUnavailable)
}
