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
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/dataset"
	"github.com/socsec-exporter/socsec_exporter/schema"
)

// Options are the settings of a running exporter; the flags fill them.
type Options struct {
	Load                   config.Options
	Web                    *web.FlagConfig
	TelemetryPath          string
	DisableExporterMetrics bool
	MaxRequests            int
	Logger                 *slog.Logger
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
	// reloadMu serialises reloads so that two never race to swap, and
	// only one new version is built next to the served one at a time.
	reloadMu sync.Mutex
	memory   *memoryBudget

	// registry holds the self-metrics, gathered on every scrape and sent
	// after the pre-rendered data; data gathers the data collector for
	// Registry.
	registry     *prometheus.Registry
	data         *prometheus.Registry
	handlerErrs  *prometheus.CounterVec
	reloadOK     prometheus.Gauge
	reloadTime   prometheus.Gauge
	fileOK       *prometheus.GaugeVec
	fileLoadTime *prometheus.GaugeVec
}

// New returns an exporter with nothing loaded yet; call Reload to load.
func New(opts Options) *Exporter {
	e := &Exporter{opts: opts, logger: opts.Logger, now: time.Now, registry: prometheus.NewRegistry(), data: prometheus.NewRegistry(), memory: newMemoryBudget()}
	if opts.Load.Now != nil {
		e.now = opts.Load.Now
	}
	e.reloadOK = prometheus.NewGauge(gaugeOpts(schema.ReloadSuccessful))
	e.reloadTime = prometheus.NewGauge(gaugeOpts(schema.ReloadSuccessTime))
	e.fileOK = prometheus.NewGaugeVec(gaugeOpts(schema.FileLoadSuccess), schema.FileLoadSuccess.Labels)
	e.fileLoadTime = prometheus.NewGaugeVec(gaugeOpts(schema.FileLoadSuccessTime), schema.FileLoadSuccessTime.Labels)
	e.data.MustRegister(collector.New(e.Snapshot))
	e.registry.MustRegister(
		versioncollector.NewCollector(schema.Namespace),
		e.reloadOK, e.reloadTime, e.fileOK, e.fileLoadTime,
	)
	if !opts.DisableExporterMetrics {
		e.registry.MustRegister(
			collectors.NewGoCollector(),
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

// Reload loads the config and datasets anew and swaps them in only if all of
// it is valid; on failure the previous snapshot stays in service.
func (e *Exporter) Reload() error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	e.memory.loading()
	defer e.memory.settle()
	start := e.now()
	res, err := config.Load(e.opts.Load)
	// Files the config no longer names must not linger in the metrics.
	e.fileOK.Reset()
	for _, f := range res.Files {
		if f.OK {
			e.fileOK.WithLabelValues(f.File).Set(1)
			e.fileLoadTime.WithLabelValues(f.File).Set(float64(start.UnixNano()) / 1e9)
		} else {
			e.fileOK.WithLabelValues(f.File).Set(0)
		}
	}
	if err != nil {
		e.reloadOK.Set(0)
		e.logger.Error("Loading config and datasets failed", "config", e.configName(), "kept", e.kept(), "err", err)
		return err
	}
	loaded := e.now()
	s, err := newServed(res.Snapshot)
	if err != nil {
		e.reloadOK.Set(0)
		e.logger.Error("Rendering the loaded data failed", "config", e.configName(), "kept", e.kept(), "err", err)
		return err
	}
	e.current.Store(s)
	rendered := e.now()
	e.setLanding(res.Snapshot)
	e.reloadOK.Set(1)
	e.reloadTime.Set(float64(start.UnixNano()) / 1e9)
	for _, w := range res.Warnings {
		e.logger.Debug("Dataset warning", "problem", w.String())
	}
	e.logger.Info("Loaded config and datasets", "config", e.configName(), "datasets", len(res.Snapshot.Datasets),
		"series", len(res.Snapshot.Series), "warnings", len(res.Warnings), "load", loaded.Sub(start), "render", rendered.Sub(loaded), "duration", e.now().Sub(start))
	return nil
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

// Run serves HTTP until ctx is done, loading the data first and reloading
// whenever reload receives. It returns an error if the first load fails.
func (e *Exporter) Run(ctx context.Context, reload <-chan struct{}) error {
	server := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 30 * time.Second}
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- web.ListenAndServe(server, e.opts.Web, e.logger)
	}()
	loadErr := make(chan error, 1)
	go func() { loadErr <- e.Reload() }()
	for {
		select {
		case err := <-loadErr:
			if err != nil {
				shutdown(server)
				return fmt.Errorf("loading datasets: %w", err)
			}
			loadErr = nil
		case <-reload:
			// Errors are logged and exported by Reload.
			_ = e.Reload()
		case err := <-serveErr:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return err
		case <-ctx.Done():
			e.logger.Info("Shutting down")
			shutdown(server)
			return nil
		}
	}
}

// shutdown stops accepting requests and lets running ones finish, briefly.
func shutdown(server *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
}
