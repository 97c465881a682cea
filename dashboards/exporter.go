package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

func exporterHealth() *dashboard.DashboardBuilder {
	return newDashboard("socsec-exporter", "Social security: exporter health",
		"Whether the exporter is scraped, whether its configuration and dataset files load, how many series it serves, "+
			"how long a scrape takes and which build runs.").
		WithPanel(stat.NewPanelBuilder().
			Title("Scrape").
			Description("Whether Prometheus' last scrape of each exporter target succeeded (the up series).").
			Unit(unitText).
			Mappings(okMapping("Up", "Down")).
			ColorMode(common.BigValueColorModeBackground).
			GraphMode(common.BigValueGraphModeNone).
			ReduceOptions(lastValue()).
			WithTarget(latest("A", `up{job=~"$job"}`, "{{instance}}")).
			Height(5).Span(6)).
		WithPanel(stat.NewPanelBuilder().
			Title("Last reload").
			Description("Whether the last load or reload of the configuration and datasets succeeded; after a failure the exporter keeps serving the last good data.").
			Unit(unitText).
			Mappings(okMapping("Succeeded", "Failed")).
			ColorMode(common.BigValueColorModeBackground).
			GraphMode(common.BigValueGraphModeNone).
			ReduceOptions(lastValue()).
			WithTarget(latest("A", `socsec_config_last_reload_successful{job=~"$job"}`, "{{instance}}")).
			Height(5).Span(6)).
		WithPanel(stat.NewPanelBuilder().
			Title("Since the last successful reload").
			Description("Time since the configuration and datasets last loaded successfully.").
			Unit(unitSeconds).
			ColorMode(common.BigValueColorModeValue).
			GraphMode(common.BigValueGraphModeNone).
			ReduceOptions(lastValue()).
			Thresholds(thresholds("blue")).
			WithTarget(latest("A", `time() - socsec_config_last_reload_success_timestamp_seconds{job=~"$job"}`, "{{instance}}")).
			Height(5).Span(6)).
		WithPanel(table.NewPanelBuilder().
			Title("Dataset files").
			Description("Whether each dataset file loaded at the last attempt.").
			Unit(unitText).
			Mappings(okMapping("Loaded", "Failed")).
			WithTarget(rows("A", `socsec_dataset_load_success{job=~"$job"}`)).
			WithTransformation(organize(plumbing, map[string]string{"file": "File", "Value": "Status"})).
			Height(5).Span(6)).
		WithPanel(timeseries.NewPanelBuilder().
			Title("Series served by dataset").
			Legend(tableLegend("lastNotNull")).
			Tooltip(allSeriesTooltip()).
			Description("Number of data series each dataset serves; a drop after a reload means figures went missing.").
			Unit(unitCount).
			WithTarget(series("A", `socsec_dataset_series{job=~"$job"}`, "{{dataset}}")).
			Height(8).Span(8)).
		WithPanel(timeseries.NewPanelBuilder().
			Title("Scrape duration").
			Legend(tableLegend("lastNotNull")).
			Tooltip(allSeriesTooltip()).
			Description("How long Prometheus takes to scrape each exporter target.").
			Unit(unitSeconds).
			WithTarget(series("A", `scrape_duration_seconds{job=~"$job"}`, "{{instance}}")).
			Height(8).Span(8)).
		WithPanel(timeseries.NewPanelBuilder().
			Title("Samples per scrape").
			Legend(tableLegend("lastNotNull")).
			Tooltip(allSeriesTooltip()).
			Description("Samples each scrape returns; compare with the sample_limit of the scrape job.").
			Unit(unitCount).
			WithTarget(series("A", `scrape_samples_scraped{job=~"$job"}`, "{{instance}}")).
			Height(8).Span(8)).
		WithPanel(table.NewPanelBuilder().
			Title("Build").
			Description("Version, revision, branch and Go version of each running exporter.").
			Unit(unitText).
			WithTarget(rows("A", `socsec_build_info{job=~"$job"}`)).
			WithTransformation(organize([]string{"Value", "Time", "__name__", "job"}, map[string]string{
				"instance": "Instance", "version": "Version", "revision": "Revision", "branch": "Branch",
				"goversion": "Go", "goos": "OS", "goarch": "Architecture", "tags": "Tags",
			})).
			Height(5).Span(24))
}
