// Package app runs the exporter: it loads the datasets, serves them over
// HTTP, and reloads them on request, keeping the last good snapshot when a
// reload fails.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// Options are the settings of a running exporter; the flags fill them.
type Options struct {
	Load                   config.Options
	Web                    *web.FlagConfig
	TelemetryPath          string
	DisableExporterMetrics bool
	MaxRequests            int
	MaxPageRequests        int // Of the provenance pages, beside the scrapes'; 0 is no limit.
	// MaxShards bounds ?shards=, and with it what a scrape can make the
	// exporter compress and prepare after each load; 0 is DefaultMaxShards.
	MaxShards int
	Logger    *slog.Logger

	// Time limits; zero disables each. See docs/reliability.md.
	ReadHeaderTimeout time.Duration // Reading a request's headers.
	IdleTimeout       time.Duration // A keep-alive connection waiting for its next request.
	WriteTimeout      time.Duration // Sending one response; a scrape's own timeout may shorten it.
	WriteStallTimeout time.Duration // A scrape whose client accepts none of its bytes for this long is cut.
	ShutdownTimeout   time.Duration // Running requests may finish for this long after SIGTERM.
	ReloadTimeout     time.Duration // One load of the config and datasets, the first included.
	RenderTimeout     time.Duration // A scrape waiting for its data to be rendered or compressed.
	// EnableLifecycle serves POST /-/reload; SIGHUP reloads regardless.
	EnableLifecycle bool
}

// DefaultMaxShards is the default of --web.max-shards: far more shards than
// the Prometheus servers a setup splits the data between.
const DefaultMaxShards = 64

// Validate says what is wrong with options that their flags' types let
// through, naming the flag: a path of the metrics that is no path or is
// another route's, a cap on shards below 1, and a web config (TLS, basic
// auth) that cannot be read or is invalid.
func (o Options) Validate() error {
	if err := checkTelemetryPath(o.TelemetryPath); err != nil {
		return fmt.Errorf("--web.telemetry-path=%q: %w", o.TelemetryPath, err)
	}
	if o.MaxShards < 1 {
		return fmt.Errorf("--web.max-shards=%d: must be at least 1", o.MaxShards)
	}
	if o.Web != nil && o.Web.WebConfigFile != nil && *o.Web.WebConfigFile != "" {
		if err := web.Validate(*o.Web.WebConfigFile); err != nil {
			return fmt.Errorf("--web.config.file=%q: %w", *o.Web.WebConfigFile, err)
		}
	}
	return nil
}

// Exporter holds the served snapshot and the metrics about loading it.
type Exporter struct {
	opts   Options
	logger *slog.Logger
	now    func() time.Time
	// current pairs the snapshot with its pre-rendered exposition, so that
	// a reload swaps both at once and every scrape sees one version.
	current atomic.Pointer[served]
	landing atomic.Pointer[http.Handler]
	memory  *memoryBudget
	// pageMetrics counts the provenance pages' requests.
	pageMetrics *pageMetrics
	// views are the parts scraped lately, which a new version prepares in
	// the background; stopWarming stops the preparing of the version
	// before. Only apply, one reload at a time, uses stopWarming.
	views       recentParts
	stopWarming context.CancelFunc

	// ctx is cancelled when Run shuts down: it stops loads and answers
	// those waiting for one.
	ctx    context.Context
	cancel func()
	// reloads coalesces reload requests and runs them one at a time.
	reloads reloadQueue
	// loadSlot is held by the one load that may run at a time, even one
	// abandoned at its deadline, so that only one new version is ever
	// built next to the served one.
	loadSlot chan struct{}
	// load is config.LoadContext; tests replace it to make loads slow.
	load func(context.Context, config.Options) (*config.Result, error)
	// renderView is (*served).render; tests replace it to make renderings
	// slow.
	renderView func(s *served, v *datasetView, id string)

	// registry holds the self-metrics, gathered on every scrape and sent
	// after the pre-rendered data; data gathers the data collector for
	// Registry.
	registry    *prometheus.Registry
	data        *prometheus.Registry
	handlerErrs *prometheus.CounterVec
	reloadOK    prometheus.Gauge
	reloadTime  prometheus.Gauge
	files       *fileMetrics
	// renderSeconds and renderTimeouts are socsec_render_duration_seconds
	// and socsec_render_wait_timeouts_total.
	renderSeconds  *prometheus.GaugeVec
	renderTimeouts prometheus.Counter

	// pageState is what the provenance pages show.
	pageState pageState
}

// New returns an exporter with nothing loaded yet; call Reload to load.
func New(opts Options) *Exporter {
	if opts.MaxShards == 0 {
		opts.MaxShards = DefaultMaxShards
	}
	e := &Exporter{opts: opts, logger: opts.Logger, now: time.Now, registry: prometheus.NewRegistry(), data: prometheus.NewRegistry(), memory: newMemoryBudget(),
		loadSlot: make(chan struct{}, 1), load: config.LoadContext, renderView: (*served).render}
	ctx, cancel := context.WithCancelCause(context.Background())
	e.ctx, e.cancel = ctx, func() { cancel(errShuttingDown) }
	if opts.Load.Now != nil {
		e.now = opts.Load.Now
	}
	e.reloadOK = prometheus.NewGauge(gaugeOpts(schema.ReloadSuccessful))
	e.reloadTime = prometheus.NewGauge(gaugeOpts(schema.ReloadSuccessTime))
	e.files = newFileMetrics()
	e.renderSeconds = prometheus.NewGaugeVec(gaugeOpts(schema.RenderDuration), schema.RenderDuration.Labels)
	e.renderTimeouts = prometheus.NewCounter(prometheus.CounterOpts{Name: schema.RenderWaitTimeouts.Name, Help: schema.RenderWaitTimeouts.Help})
	// A Prometheus setup scrapes every shard of one count in both formats,
	// and some datasets; more are a client trying counts out.
	e.views.max = 4 * opts.MaxShards
	e.data.MustRegister(collector.New(e.Snapshot))
	e.pageMetrics = newPageMetrics()
	e.registry.MustRegister(
		versioncollector.NewCollector(schema.Namespace),
		e.reloadOK, e.reloadTime, e.files, e.renderSeconds, e.renderTimeouts, e.pageMetrics,
	)
	if !opts.DisableExporterMetrics {
		e.registry.MustRegister(
			newGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		// The name and labels are those promhttp's handler registers.
		e.handlerErrs = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "promhttp_metric_handler_errors_total",
			Help: "Total number of internal errors encountered by the promhttp metric handler.",
		}, []string{"cause"})
		e.handlerErrs.WithLabelValues("gathering")
		e.handlerErrs.WithLabelValues("encoding")
		e.registry.MustRegister(e.handlerErrs)
	}
	e.setLanding(nil)
	return e
}

// newGoCollector returns the Go runtime collector without the metrics of
// runtime.MemStats, which serve a gauge go_memstats_alloc_bytes beside a
// counter go_memstats_alloc_bytes_total: one family name twice for
// OpenMetrics, which makes strict parsers refuse the whole scrape. The
// memory they told is served from runtime/metrics instead: the memory
// classes (go_memory_classes_*, their total what the process holds) and the
// heap's live bytes, goal, objects, allocations and frees (go_gc_heap_*).
func newGoCollector() prometheus.Collector {
	return collectors.NewGoCollector(
		collectors.WithGoCollectorMemStatsMetricsDisabled(),
		collectors.WithGoCollectorRuntimeMetrics(
			collectors.MetricsMemory,
			collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/(allocs|frees|goal|live|objects):`)},
		),
	)
}

func gaugeOpts(f schema.Family) prometheus.GaugeOpts {
	return prometheus.GaugeOpts{Name: f.Name, Help: f.Help}
}

// Snapshot returns the snapshot being served, or nil before the first load.
func (e *Exporter) Snapshot() *dataset.Snapshot {
	if s := e.current.Load(); s != nil {
		return s.snap
	}
	return nil
}

// Registry returns everything /metrics serves, the data collector and the
// self-metrics, as one Gatherer.
func (e *Exporter) Registry() prometheus.Gatherer {
	return prometheus.Gatherers{e.data, e.registry}
}

// kept says what a failed load leaves in service.
func (e *Exporter) kept() string {
	if e.current.Load() != nil {
		return "still serving the last good data"
	}
	return "nothing loaded yet"
}

func (e *Exporter) configName() string {
	if e.opts.Load.ConfigFile == "" {
		return "embedded default"
	}
	return e.opts.Load.ConfigFile
}

// Run loads the data, then serves HTTP until ctx is done, reloading
// whenever reload receives. Nothing listens before the first load has
// succeeded: invalid options (Options.Validate), an unreadable web config
// and a failed first load return an error with no port ever opened, and a
// ctx done during the first load returns nil. Once ctx is done, loads stop
// and Run returns within ShutdownTimeout even when a load is stuck reading
// a file: nothing waits for it.
func (e *Exporter) Run(ctx context.Context, reload <-chan struct{}) error {
	if err := e.opts.Validate(); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, e.cancel)
	defer stop()
	if err := e.Reload(); err != nil {
		if errors.Is(err, errShuttingDown) {
			e.logger.Info("Shutting down")
			return nil
		}
		// The load logged its problems; they are not repeated.
		return errors.New("the first load of the config and datasets failed, so the exporter did not start")
	}
	server := e.newServer()
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- web.ListenAndServe(server, e.opts.Web, e.logger)
	}()
	for {
		select {
		case <-reload:
			// The reload logs and exports its outcome; a request while
			// one runs shares the next.
			e.requestReload()
		case err := <-serveErr:
			e.cancel()
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return err
		case <-ctx.Done():
			e.logger.Info("Shutting down")
			e.cancel()
			e.shutdown(server)
			return nil
		}
	}
}

// shutdown stops accepting requests and lets running ones finish, within
// ShutdownTimeout; then it closes whatever connections are left.
func (e *Exporter) shutdown(server *http.Server) {
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if e.opts.ShutdownTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, e.opts.ShutdownTimeout)
	}
	defer cancel()
	if err := server.Shutdown(ctx); err != nil {
		e.logger.Warn("Requests still running at the end of the shutdown timeout were cut", "err", err)
		_ = server.Close()
	}
}
