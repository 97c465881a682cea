package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
)

func sources() *dashboard.DashboardBuilder {
	return newDashboard("socsec-sources", "Social security: sources and data quality",
		"Every dataset and source with its title, URL and publication date, series counts, revisions, qualifiers, "+
			"unresolved conflicts and failed consistency checks, and the source of each figure, so that any number can be "+
			"traced to where it was published.",
		regionVariable(),
		programVariable("program", "Programme", true, "", "socsec_observation_info"),
	).
		WithPanel(table.NewPanelBuilder().
			Title("Datasets").
			Description("Each dataset the exporter serves, with its publisher, licence, file and the number of data series it serves.").
			Unit(unitCount).
			WithTarget(rows("A", `socsec_dataset_series{job=~"$job"}`+
				` * on (job, instance, dataset) group_left (title, publisher, license, file) socsec_dataset_info{job=~"$job"}`)).
			WithTransformation(organize(plumbing, map[string]string{
				"dataset": "Dataset", "title": "Title", "publisher": "Publisher", "license": "Licence", "file": "File",
				"Value": "Series",
			})).
			Height(6).Span(24)).
		WithPanel(table.NewPanelBuilder().
			Title("Sources").
			Description("Each publication the figures come from: title, publisher, publication date and URL.").
			Unit(unitText).
			WithTarget(rows("A", `socsec_source_info{job=~"$job"}`)).
			WithTransformation(organize(append([]string{"Value"}, plumbing...), map[string]string{
				"dataset": "Dataset", "source": "Source", "title": "Title", "publisher": "Publisher",
				"published": "Published", "released": "Released", "authority": "Authority", "url": "URL",
			})).
			OverrideByName("URL", []dashboard.DynamicConfigValue{{Id: "links", Value: []map[string]any{
				{"title": "Open the source", "url": "${__value.raw}", "targetBlank": true},
			}}}).
			Height(8).Span(24)).
		WithPanel(table.NewPanelBuilder().
			Title("Observations by qualifier").
			Description("Observations served per dataset, by qualifier: exact, approximately, at least or at most the published figure.").
			Unit(unitCount).
			WithTarget(rows("A", `socsec_dataset_observations{job=~"$job"}`)).
			WithTransformation(matrix("dataset", "qualifier")).
			Height(6).Span(6)).
		WithPanel(bargauge.NewPanelBuilder().
			Title("Revisions").
			Description("Observations per dataset superseded by a later-published source: the later figure is the one served.").
			Unit(unitCount).
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			ReduceOptions(lastValue()).
			Thresholds(thresholds("blue")).
			WithTarget(latest("A", `socsec_dataset_revisions{job=~"$job"}`, "{{dataset}}")).
			Height(6).Span(6)).
		WithPanel(stat.NewPanelBuilder().
			Title("Failed consistency checks").
			Description("Consistency checks each dataset fails, counted at every load: published figures that disagree " +
				"with each other, such as a reported growth rate that its base figures do not give. Green at 0, red from 1; " +
				"socsec_exporter check lists each failure with both computations and their sources.").
			Unit(unitCount).
			Decimals(0).
			ColorMode(common.BigValueColorModeBackground).
			GraphMode(common.BigValueGraphModeNone).
			ReduceOptions(lastValue()).
			Thresholds(thresholds("green", dashboard.Threshold{Value: cog.ToPtr(1.0), Color: "red"})).
			WithTarget(latest("A", `socsec_dataset_check_failures{job=~"$job"}`, "{{dataset}}")).
			Height(6).Span(6)).
		WithPanel(stat.NewPanelBuilder().
			Title("Unresolved conflicts").
			Description("Series of each dataset whose figures disagree with each other and that no rule can order " +
				"(agreement within what was written, authority, publication date): such a series is not served at all. " +
				"Green at 0, orange from 1; socsec_exporter check lists each conflict with its figures and sources.").
			Unit(unitCount).
			Decimals(0).
			ColorMode(common.BigValueColorModeBackground).
			GraphMode(common.BigValueGraphModeNone).
			ReduceOptions(lastValue()).
			Thresholds(thresholds("green", dashboard.Threshold{Value: cog.ToPtr(1.0), Color: "orange"})).
			WithTarget(latest("A", `socsec_dataset_unresolved_conflicts{job=~"$job"}`, "{{dataset}}")).
			Height(6).Span(6)).
		WithPanel(table.NewPanelBuilder().
			Title("Source of each figure").
			Description("For every data series of the selected region and programmes: the indicator, year, part of the year "+
				"and basis where the figure has one, extra dimensions, qualifier, precision and flags, and the source with its "+
				"title, publisher, publication date and URL.").
			Unit(unitText).
			WithTarget(rows("A", `socsec_observation_info{job=~"$job",region_code="$region",program=~"$program"}`+
				` * on (job, instance, dataset, source) group_left (title, publisher, published, url) socsec_source_info{job=~"$job"}`)).
			WithTransformation(sortBy("year", false)).
			WithTransformation(organize(append([]string{"Value"}, plumbing...), map[string]string{
				"metric": "Indicator", "region_code": "Region", "program": "Programme", "year": "Year",
				"period": "Period", "basis": "Basis", "precision": "Precision", "flags": "Flags",
				"dimensions": "Dimensions", "qualifier": "Qualifier", "dataset": "Dataset", "source": "Source",
				"title": "Title", "publisher": "Publisher", "published": "Published", "url": "URL",
			})).
			OverrideByName("URL", []dashboard.DynamicConfigValue{{Id: "links", Value: []map[string]any{
				{"title": "Open the source", "url": "${__value.raw}", "targetBlank": true},
			}}}).
			DataLinks(figureLink("metric", "${__data.fields.metric}", "region_code", "${__data.fields.region_code}",
				"program", "${__data.fields.program}", "year", "${__data.fields.year}", "period", "${__data.fields.period}",
				"basis", "${__data.fields.basis}", "dimensions", "${__data.fields.dimensions}")).
			Height(12).Span(24))
}
