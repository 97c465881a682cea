package main

import (
	"fmt"
	"time"

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

// cli is the command line: the commands and what their flags fill.
type cli struct {
	app                    *kingpin.Application
	serve, check, backfill *kingpin.CmdClause
	opts                   app.Options
	checkOpts              app.CheckOptions
	output                 string
	labels                 []string
	log                    promslog.Config
}

// limitFlags are the --dataset.* flags, one for each field of config.Limits.
// target returns the field, an *int64 or an *int.
var limitFlags = []struct {
	name, help string
	def        int64
	target     func(*config.Limits) any
}{
	{"dataset.max-file-bytes", "Refuse any config, dataset or CSV file larger than this many bytes, before reading it.", config.DefaultMaxFileBytes, func(l *config.Limits) any { return &l.MaxFileBytes }},
	{"dataset.max-yaml-bytes", "Refuse any config or dataset YAML file larger than this many bytes, before reading it; put large tables in CSV files.", config.DefaultMaxYAMLBytes, func(l *config.Limits) any { return &l.MaxYAMLBytes }},
	{"dataset.max-total-bytes", "Stop a load that would read more than this many bytes of files in all, before reading the file that would.", config.DefaultMaxTotalBytes, func(l *config.Limits) any { return &l.MaxTotalBytes }},
	{"dataset.max-series", "Stop a load at the figure (observation) that takes it over this many; each served data series is one.", config.DefaultMaxSeries, func(l *config.Limits) any { return &l.MaxSeries }},
	{"dataset.max-label-bytes", "Refuse any id, code, name, title, URL, dimension value or other field served as a label value or help text longer than this many bytes; quotes and notes are bounded by --dataset.max-text-bytes.", config.DefaultMaxLabelBytes, func(l *config.Limits) any { return &l.MaxLabelBytes }},
	{"dataset.max-text-bytes", "Refuse any quote or note longer than this many bytes.", config.DefaultMaxTextBytes, func(l *config.Limits) any { return &l.MaxTextBytes }},
	{"dataset.max-dimension-values", "Stop a load at the figure that gives one dimension more than this many distinct values.", config.DefaultMaxDimensionValues, func(l *config.Limits) any { return &l.MaxDimensionValues }},
}

// timeoutFlags are the time limits of serve; see docs/reliability.md.
var timeoutFlags = []struct {
	name, help, def string
	target          func(*app.Options) *time.Duration
}{
	{"web.read-header-timeout", "Close a connection whose request headers have not all arrived within this time; 0 disables the limit.", "10s", func(o *app.Options) *time.Duration { return &o.ReadHeaderTimeout }},
	{"web.idle-timeout", "Close a keep-alive connection that sends no new request within this time; 0 disables the limit.", "1m", func(o *app.Options) *time.Duration { return &o.IdleTimeout }},
	{"web.write-timeout", "Cut a response not sent within this time; a scrape's X-Prometheus-Scrape-Timeout-Seconds shortens it for that scrape; 0 disables the limit.", "1m", func(o *app.Options) *time.Duration { return &o.WriteTimeout }},
	{"web.write-stall-timeout", "Cut a scrape whose client accepts none of its next 256 KiB within this time, freeing its place among --web.max-requests; 0 disables the limit.", "10s", func(o *app.Options) *time.Duration { return &o.WriteStallTimeout }},
	{"web.shutdown-timeout", "On SIGTERM or SIGINT, let running requests finish for at most this time, then exit; 0 waits for them.", "10s", func(o *app.Options) *time.Duration { return &o.ShutdownTimeout }},
	{"web.render-timeout", "Answer 503 with Retry-After to a scrape whose data (a dataset's own exposition, a compressed output) is still being rendered after this time, or after the scrape's own timeout if sooner; the rendering goes on and is kept. 0 waits until the scrape's timeout.", "5s", func(o *app.Options) *time.Duration { return &o.RenderTimeout }},
}

// newCLI returns the command line of socsec_exporter. The flags that load
// the config and datasets, and those of the log, belong to the application,
// as every command loads and logs; the serving flags belong to serve, the
// default command, which kingpin selects at the first of them, so that they
// are still written without it.
func newCLI() *cli {
	c := &cli{app: kingpin.New("socsec_exporter", "Prometheus exporter for official social-security statistics: coverage, insured persons, pensions and subsidies by year, region and programme.")}
	a, opts := c.app, &c.opts
	a.Flag("config.file", "Config file listing datasets and coverage targets. Empty: the embedded default datasets (the Shanxi article, China national, China provinces).").StringVar(&opts.Load.ConfigFile)
	for _, f := range limitFlags {
		flag := a.Flag(f.name, f.help).Default(fmt.Sprint(f.def))
		switch p := f.target(&opts.Load.Limits).(type) {
		case *int64:
			flag.Int64Var(p)
		case *int:
			flag.IntVar(p)
		default:
			panic(fmt.Sprintf("--%s: a limit is an *int64 or an *int, not %T", f.name, p))
		}
	}
	promslogflag.AddFlags(a, &c.log)

	c.serve = a.Command("serve", "Serve the metrics (the default).").Default()
	s := c.serve
	opts.Web = kingpinflag.AddFlags(s, defaultAddress)
	s.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&opts.TelemetryPath)
	s.Flag("web.disable-exporter-metrics", "Exclude Go runtime, process and promhttp metrics from /metrics.").BoolVar(&opts.DisableExporterMetrics)
	s.Flag("web.max-requests", "Maximum number of parallel scrape requests; 0 disables the limit.").Default("40").IntVar(&opts.MaxRequests)
	s.Flag("web.max-page-requests", "Maximum number of parallel requests of the provenance pages (/figures, /figure, /checks), a limit of their own beside --web.max-requests; 0 disables the limit.").Default("10").IntVar(&opts.MaxPageRequests)
	s.Flag("web.max-shards", "Answer 400 to a scrape asking for more ?shards= than this. After a load, at most 4 times this many shards and views scraped lately are prepared in the background.").
		Default(fmt.Sprint(app.DefaultMaxShards)).IntVar(&opts.MaxShards)
	for _, f := range timeoutFlags {
		s.Flag(f.name, f.help).Default(f.def).DurationVar(f.target(opts))
	}
	s.Flag("web.enable-lifecycle", "Serve POST /-/reload. SIGHUP reloads whether or not this is set.").BoolVar(&opts.EnableLifecycle)
	s.Flag("config.reload-timeout", "Give up a load of the config and datasets (the first included) not finished within this time, keeping the data served; 0 disables the limit.").
		Default("2m").DurationVar(&opts.ReloadTimeout)

	c.check = a.Command("check", "Validate the config and every dataset, print each problem as file:line:column: field: message, and check that the figures agree with each other. Exit non-zero on any error.")
	c.check.Flag("format", "Report format: text (one line per problem and per consistency check) or json.").Default(app.FormatText).EnumVar(&c.checkOpts.Format, app.FormatText, app.FormatJSON)
	c.check.Flag("consistency-fatal", "Exit with code 3 when a consistency check fails (errors exit 1).").BoolVar(&c.checkOpts.ConsistencyFatal)
	c.check.Flag("strict", "Make an unresolved conflict between figures an error (exit 1) rather than a warning.").BoolVar(&c.checkOpts.Strict)
	c.check.Arg("datasets", "Dataset files or directories to check on their own, instead of --config.file.").StringsVar(&opts.Load.Datasets)

	c.backfill = a.Command("backfill", "Write every served series and the names of its region and programme as OpenMetrics for promtool tsdb create-blocks-from openmetrics: one sample per year at 31 December 00:00:00 UTC, without the year label.")
	c.backfill.Flag("output", "File to write the OpenMetrics text to; - for stdout.").Required().StringVar(&c.output)
	c.backfill.Flag("label", "Constant label name=value added to every series, e.g. job=socsec_history; repeatable.").StringsVar(&c.labels)

	fillVersion()
	a.Version(version.Print("socsec_exporter"))
	a.HelpFlag.Short('h')
	a.UsageTemplate(usageTemplate)
	a.UsageFuncs(usageFuncs)
	return c
}
