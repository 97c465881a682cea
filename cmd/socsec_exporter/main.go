// Command socsec_exporter serves official social-security statistics as
// Prometheus metrics. Without --config.file it serves the embedded Shanxi
// dataset.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/app"
)

// defaultAddress is outside 9100-9999, which the Prometheus port registry has
// handed out entirely.
const defaultAddress = ":10716"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	a := kingpin.New("socsec_exporter", "Prometheus exporter for official social-security statistics: coverage, insured persons, pensions and subsidies by year, region and programme.")
	var opts app.Options
	a.Flag("config.file", "Config file listing datasets and coverage targets. Empty: the embedded Shanxi dataset.").StringVar(&opts.Load.ConfigFile)
	a.Flag("dataset.max-file-bytes", "Refuse any config, dataset or CSV file larger than this many bytes, before reading it.").
		Default(fmt.Sprint(config.DefaultMaxFileBytes)).Int64Var(&opts.Load.MaxFileBytes)
	a.Flag("dataset.max-yaml-bytes", "Refuse any config or dataset YAML file larger than this many bytes, before reading it; put large tables in CSV files.").
		Default(fmt.Sprint(config.DefaultMaxYAMLBytes)).Int64Var(&opts.Load.MaxYAMLBytes)
	a.Flag("dataset.max-total-bytes", "Stop a load that would read more than this many bytes of files in all, before reading the file that would.").
		Default(fmt.Sprint(config.DefaultMaxTotalBytes)).Int64Var(&opts.Load.MaxTotalBytes)
	a.Flag("dataset.max-series", "Stop a load at the figure (observation) that takes it over this many; each served data series is one.").
		Default(fmt.Sprint(config.DefaultMaxSeries)).IntVar(&opts.Load.MaxSeries)
	a.Flag("dataset.max-label-bytes", "Refuse any id, code, name, title, URL, dimension value or other field served as a label value or help text longer than this many bytes; quotes and notes are bounded by --dataset.max-text-bytes.").
		Default(fmt.Sprint(config.DefaultMaxLabelBytes)).IntVar(&opts.Load.MaxLabelBytes)
	a.Flag("dataset.max-text-bytes", "Refuse any quote or note longer than this many bytes.").
		Default(fmt.Sprint(config.DefaultMaxTextBytes)).IntVar(&opts.Load.MaxTextBytes)
	a.Flag("dataset.max-dimension-values", "Stop a load at the figure that gives one dimension more than this many distinct values.").
		Default(fmt.Sprint(config.DefaultMaxDimensionValues)).IntVar(&opts.Load.MaxDimensionValues)
	a.Command("serve", "Serve the metrics (the default).").Default()
	// The serving flags belong to the application, not to serve, so that
	// --help lists them first: serving is what the exporter is run for.
	opts.Web = kingpinflag.AddFlags(a, defaultAddress)
	a.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&opts.TelemetryPath)
	a.Flag("web.disable-exporter-metrics", "Exclude Go runtime, process and promhttp metrics from /metrics.").BoolVar(&opts.DisableExporterMetrics)
	a.Flag("web.max-requests", "Maximum number of parallel scrape requests; 0 disables the limit.").Default("40").IntVar(&opts.MaxRequests)
	a.Flag("web.max-page-requests", "Maximum number of parallel requests of the provenance pages (/figures, /figure, /checks), a limit of their own beside --web.max-requests; 0 disables the limit.").Default("10").IntVar(&opts.MaxPageRequests)
	a.Flag("web.max-shards", "Answer 400 to a scrape asking for more ?shards= than this. After a load, at most 4 times this many shards and views scraped lately are prepared in the background.").
		Default(fmt.Sprint(app.DefaultMaxShards)).IntVar(&opts.MaxShards)
	a.Flag("web.read-header-timeout", "Close a connection whose request headers have not all arrived within this time; 0 disables the limit.").
		Default("10s").DurationVar(&opts.ReadHeaderTimeout)
	a.Flag("web.idle-timeout", "Close a keep-alive connection that sends no new request within this time; 0 disables the limit.").
		Default("1m").DurationVar(&opts.IdleTimeout)
	a.Flag("web.write-timeout", "Cut a response not sent within this time; a scrape's X-Prometheus-Scrape-Timeout-Seconds shortens it for that scrape; 0 disables the limit.").
		Default("1m").DurationVar(&opts.WriteTimeout)
	a.Flag("web.write-stall-timeout", "Cut a scrape whose client accepts none of its next 256 KiB within this time, freeing its place among --web.max-requests; 0 disables the limit.").
		Default("10s").DurationVar(&opts.WriteStallTimeout)
	a.Flag("web.shutdown-timeout", "On SIGTERM or SIGINT, let running requests finish for at most this time, then exit; 0 waits for them.").
		Default("10s").DurationVar(&opts.ShutdownTimeout)
	a.Flag("web.render-timeout", "Answer 503 with Retry-After to a scrape whose data (a dataset's own exposition, a compressed output) is still being rendered after this time, or after the scrape's own timeout if sooner; the rendering goes on and is kept. 0 waits until the scrape's timeout.").
		Default("5s").DurationVar(&opts.RenderTimeout)
	a.Flag("web.enable-lifecycle", "Serve POST /-/reload. SIGHUP reloads whether or not this is set.").BoolVar(&opts.EnableLifecycle)
	a.Flag("config.reload-timeout", "Give up a load of the config and datasets (the first included) not finished within this time, keeping the data served; 0 disables the limit.").
		Default("2m").DurationVar(&opts.ReloadTimeout)
	check := a.Command("check", "Validate the config and every dataset, print each problem as file:line:column: field: message, and check that the figures agree with each other. Exit non-zero on any error.")
	check.Arg("datasets", "Dataset files or directories to check on their own, instead of --config.file.").StringsVar(&opts.Load.Datasets)
	var checkOpts app.CheckOptions
	check.Flag("format", "Report format: text (one line per problem and per consistency check) or json.").Default(app.FormatText).EnumVar(&checkOpts.Format, app.FormatText, app.FormatJSON)
	check.Flag("consistency-fatal", "Exit with code 3 when a consistency check fails (errors exit 1).").BoolVar(&checkOpts.ConsistencyFatal)
	check.Flag("strict", "Make an unresolved conflict between figures an error (exit 1) rather than a warning.").BoolVar(&checkOpts.Strict)
	backfill := a.Command("backfill", "Write every served series and the names of its region and programme as OpenMetrics for promtool tsdb create-blocks-from openmetrics: one sample per year at 31 December 00:00:00 UTC, without the year label.")
	output := backfill.Flag("output", "File to write the OpenMetrics text to; - for stdout.").Required().String()
	labels := backfill.Flag("label", "Constant label name=value added to every series, e.g. job=socsec_history; repeatable.").Strings()
	promslogConfig := &promslog.Config{}
	promslogflag.AddFlags(a, promslogConfig)
	fillVersion()
	a.Version(version.Print("socsec_exporter"))
	a.HelpFlag.Short('h')
	a.UsageWriter(os.Stdout)
	a.ErrorWriter(os.Stderr)
	cmd, err := a.Parse(args)
	if err == nil {
		err = opts.Load.Limits.Validate()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	switch cmd {
	case check.FullCommand():
		return app.Check(os.Stdout, opts.Load, checkOpts)
	case backfill.FullCommand():
		return app.Backfill(os.Stderr, os.Stdout, opts.Load, *output, *labels)
	}
	// Refused before anything starts, as a bad config is: exit code 1.
	if err := opts.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opts.Logger = promslog.New(promslogConfig)
	opts.Logger.Info("Starting socsec_exporter", "version", version.Info(), "build_context", version.BuildContext())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default: // A reload is already pending; it will read the newest files.
			}
		}
	}()
	if err := app.New(opts).Run(ctx, reload); err != nil {
		opts.Logger.Error("Exiting", "err", err)
		return 1
	}
	return 0
}
