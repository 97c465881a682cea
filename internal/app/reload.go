package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/pages"
)

// maxProblemsPerFile bounds the problems of one file that a failed reload
// logs and answers with; the rest are counted. check lists them all.
const maxProblemsPerFile = 10

// errShuttingDown is the cause of loads stopped by the shutdown.
var errShuttingDown = errors.New("shutting down")

// reloadQueue coalesces reload requests: at most one reload runs, and at
// most one waits after it, shared by every request that arrives while the
// running one runs. So each request gets the result of a reload that
// started after it, and a storm of requests costs two reloads.
type reloadQueue struct {
	mu      sync.Mutex
	running bool
	pending *reloadCall
	// requests and runs count reload requests and the reloads run, for
	// tests.
	requests, runs int
}

// reloadCall is one reload and everyone waiting for it; err is set before
// done is closed.
type reloadCall struct {
	done chan struct{}
	err  error
}

// requestReload returns the reload that will start next, starting it now
// when none runs.
func (e *Exporter) requestReload() *reloadCall {
	q := &e.reloads
	q.mu.Lock()
	defer q.mu.Unlock()
	q.requests++
	if q.pending == nil {
		q.pending = &reloadCall{done: make(chan struct{})}
		if !q.running {
			q.running = true
			go e.runReloads()
		}
	}
	return q.pending
}

// runReloads runs pending reloads one after another until none is left.
func (e *Exporter) runReloads() {
	q := &e.reloads
	for {
		q.mu.Lock()
		c := q.pending
		q.pending = nil
		if c == nil {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.runs++
		q.mu.Unlock()
		c.err = e.reload(e.ctx)
		close(c.done)
	}
}

// Reload loads the config and datasets anew and swaps them in only if all of
// it is valid; on failure the previous snapshot stays in service. A call
// while a reload runs shares the next one.
func (e *Exporter) Reload() error {
	c := e.requestReload()
	<-c.done
	return c.err
}

// loaded is the outcome of one load: the config and datasets read, and the
// version rendered from them. It holds a version or the error that says why
// there is none, never both and never neither.
type loaded struct {
	res              *config.Result
	served           *served
	page             *pages.Load
	err              error
	loaded, rendered time.Time
}

// reload runs one load within ReloadTimeout and applies its outcome. A load
// that outlasts its deadline, or the shutdown, is abandoned: config stops
// it at the next file, and one stuck in a read finishes in the background,
// holding the load slot, while its result is thrown away.
func (e *Exporter) reload(parent context.Context) error {
	ctx, cancel := parent, context.CancelFunc(func() {})
	if e.opts.ReloadTimeout > 0 {
		ctx, cancel = context.WithTimeoutCause(parent, e.opts.ReloadTimeout,
			fmt.Errorf("the load did not finish within %s (--config.reload-timeout)", e.opts.ReloadTimeout))
	}
	defer cancel()
	if ctx.Err() != nil {
		return e.abandoned(ctx, "no load was started")
	}
	start := e.now()
	select {
	case e.loadSlot <- struct{}{}:
	case <-ctx.Done():
		return e.abandoned(ctx, "an earlier load that outlasted its deadline is still running, so none was started")
	}
	out := make(chan loaded)
	go e.loadVersion(ctx, out)
	select {
	case l := <-out:
		defer e.memory.settle()
		if l.err != nil && ctx.Err() != nil {
			// Stopped between files by the deadline or the shutdown.
			return e.abandoned(ctx, "the load was stopped")
		}
		return e.apply(l, start)
	case <-ctx.Done():
		return e.abandoned(ctx, "the load was abandoned")
	}
}

// loadVersion loads and renders a new version, hands it to reload, and
// frees the load slot. When reload has given up on it, it only settles the
// memory it used.
func (e *Exporter) loadVersion(ctx context.Context, out chan<- loaded) {
	defer func() { <-e.loadSlot }()
	e.memory.start()
	start := e.now()
	res, err := e.load(ctx, e.opts.Load)
	if err == nil {
		// The deadline or the shutdown may have come right after the
		// load: no version is rendered, and the result says why.
		err = context.Cause(ctx)
	}
	l := loaded{res: res, err: err, loaded: e.now()}
	if err == nil {
		// The pages' index is built and the checks are run beside the
		// rendering, which leaves a CPU idle now and then.
		var wg sync.WaitGroup
		wg.Go(func() { l.page = pages.NewLoad(res.Snapshot, res.Warnings, l.loaded) })
		wg.Go(func() { res.Snapshot.CheckFailures() })
		l.served, l.err = newServed(res.Snapshot)
		wg.Wait()
		l.rendered = e.now()
	}
	select {
	case out <- l:
	case <-ctx.Done():
		e.logger.Warn("An abandoned load finished; its result was thrown away", "config", e.configName(), "duration", e.now().Sub(start))
		e.memory.settle()
	}
}

// abandoned reports a load given up at its deadline or by the shutdown.
func (e *Exporter) abandoned(ctx context.Context, what string) error {
	cause := context.Cause(ctx)
	if errors.Is(cause, errShuttingDown) || errors.Is(cause, context.Canceled) {
		return fmt.Errorf("reload cancelled: %w", errShuttingDown)
	}
	e.reloadOK.Set(0)
	err := fmt.Errorf("%w: %s", cause, what)
	e.logger.Error("Loading config and datasets failed", "config", e.configName(), "kept", e.kept(), "err", err)
	e.recordReload(nil, err)
	return err
}

// apply swaps in a loaded version, or reports why there is none; either way
// it updates the load metrics.
func (e *Exporter) apply(l loaded, start time.Time) error {
	if l.res != nil {
		e.files.update(l.res.Files, l.err == nil, start)
	}
	if l.err != nil {
		e.reloadOK.Set(0)
		err := summarized(l.err)
		what := "Loading config and datasets failed"
		if l.res != nil && l.res.Snapshot != nil {
			what = "Rendering the loaded data failed"
		}
		e.logger.Error(what, "config", e.configName(), "kept", e.kept(), "err", err)
		e.recordReload(nil, err)
		return err
	}
	res := l.res
	// The load metrics and pages are set before the new version is, so that
	// no scrape of it (the first one after /-/ready included) sees the
	// metrics of the load before.
	e.recordReload(l.page, nil)
	e.setLanding(res.Snapshot)
	e.reloadOK.Set(1)
	e.reloadTime.Set(float64(start.UnixNano()) / 1e9)
	e.renderSeconds.Reset()
	e.renderSeconds.WithLabelValues("").Set(l.rendered.Sub(l.loaded).Seconds())
	e.current.Store(l.served)
	// Started here, so that the load's own settling, when apply returns,
	// is not the last one.
	e.memory.start()
	if e.stopWarming != nil {
		e.stopWarming() // The version before no longer needs preparing.
	}
	var warming context.Context
	warming, e.stopWarming = context.WithCancel(e.ctx)
	go e.warm(warming, l.served)
	l.page.PrepareChecks() // In the background: the first /checks then finds its list made.
	for _, w := range res.Warnings {
		e.logger.Debug("Dataset warning", "problem", w.String())
	}
	e.logger.Info("Loaded config and datasets", "config", e.configName(), "datasets", len(res.Snapshot.Datasets),
		"series", len(res.Snapshot.Series), "warnings", len(res.Warnings), "load", l.loaded.Sub(start), "render", l.rendered.Sub(l.loaded), "duration", e.now().Sub(start))
	return nil
}

func isDone(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// summaryError is a load error told briefly: see config.Error.Summary.
type summaryError struct {
	err     error
	summary string
}

func (s *summaryError) Error() string { return s.summary }
func (s *summaryError) Unwrap() error { return s.err }

// summarized returns err with a message of bounded size: at most
// maxProblemsPerFile problems per file, each cut short.
func summarized(err error) error {
	var cerr *config.Error
	if errors.As(err, &cerr) {
		return &summaryError{err: err, summary: cerr.Summary(maxProblemsPerFile)}
	}
	msg := err.Error()
	if len(msg) > 1024 {
		msg = msg[:1024] + "…"
	}
	return &summaryError{err: err, summary: msg}
}

// serveReload serves /-/reload: POST or PUT reloads, when
// --web.enable-lifecycle allows it, and answers with the outcome of a
// reload that started after the request.
func (e *Exporter) serveReload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		w.Header().Set("Allow", "POST, PUT")
		http.Error(w, "Use POST or PUT to reload", http.StatusMethodNotAllowed)
		return
	}
	if !e.opts.EnableLifecycle {
		http.Error(w, "Reloading over HTTP is not enabled: start the exporter with --web.enable-lifecycle, or send it SIGHUP.", http.StatusForbidden)
		return
	}
	c := e.requestReload()
	select {
	case <-c.done:
	case <-r.Context().Done():
		return // The client left; the reload goes on.
	case <-e.ctx.Done():
	}
	if !isDone(c.done) || errors.Is(c.err, errShuttingDown) {
		http.Error(w, "Shutting down", http.StatusServiceUnavailable)
		return
	}
	// The answer gets the whole write timeout, however long it waited.
	if e.opts.WriteTimeout > 0 {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(e.opts.WriteTimeout))
	}
	if c.err != nil {
		http.Error(w, "Reload failed, still serving the last good data:\n"+c.err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "Reloaded")
}
