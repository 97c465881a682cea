package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
)

func overview() *dashboard.DashboardBuilder {
	return newDashboard("socsec-overview", "Social security: overview",
		"Latest coverage of each programme against its target, the latest data year, active alerts, insured persons and "+
			"coverage year by year beside the regions compared with, and a ranking of regions.",
		append(comparisonVariables(), programVariable("program", "Programme", true, "", "socsec_coverage_ratio"))...,
	).
		WithPanel(stat.NewPanelBuilder().
			Title("Latest data year").
			Description("The newest statistical year published for the selected region, over all indicators and programmes.").
			Unit(unitYear).
			Decimals(0).
			ColorMode(common.BigValueColorModeValue).
			GraphMode(common.BigValueGraphModeNone).
			ReduceOptions(lastValue()).
			Thresholds(thresholds("blue")).
			WithTarget(latest("A", `max by (region_code) (socsec_latest_data_year{job=~"$job",region_code="$region"})`, "Latest year")).
			Height(5).Span(6)).
		WithPanel(table.NewPanelBuilder().
			Title("Active alerts").
			Description("Alerts of socsec_exporter that are pending or firing now, from the ALERTS series of Prometheus; empty when nothing is wrong.").
			Unit(unitText).
			NoValue("No active alerts").
			WithTarget(rows("A", `ALERTS{job=~"$job",alertname=~"Socsec.+"}`)).
			WithTransformation(organize(append([]string{"Value"}, plumbing...), map[string]string{
				"alertname": "Alert", "alertstate": "State", "region_code": "Region", "program": "Programme",
			})).
			Height(5).Span(18)).
		WithPanel(stat.NewPanelBuilder().
			Title("Coverage of ${program:text}").
			Description("Coverage in the latest year published for the selected region, with the lowest and highest true " +
				"values the published figure allows given its qualifier (about, at least, at most) and rounding: \"over 90 %\" " +
				"allows 89.5 % to 100 %. Each is red below the programme's target (the per-region target if one is set, else " +
				"the programme default), green at or above it. A red lowest and a green highest value mean the figure cannot " +
				"tell whether the target is met. Figures of part of a year are never taken as the year's.").
			Repeat("program").
			RepeatDirection(dashboard.PanelRepeatDirectionH).
			MaxPerRow(4).
			Unit(unitRatio).
			Min(0).Max(1).
			ColorMode(common.BigValueColorModeBackground).
			GraphMode(common.BigValueGraphModeNone).
			ReduceOptions(lastValue()).
			// The threshold value is a placeholder: configFromData replaces it with the target from query B.
			Thresholds(thresholds("red", dashboard.Threshold{Value: cog.ToPtr(0.95), Color: "green"})).
			WithTarget(latest("A", `region_program:socsec_coverage_ratio:latest{job=~"$job",region_code="$region",program=~"$program"}`, "Coverage")).
			WithTarget(latest("B", `region_program:socsec_coverage_target_ratio:effective{job=~"$job",region_code="$region",program=~"$program"}`, "Target")).
			WithTarget(latest("C", `region_program:socsec_coverage_ratio_lower_bound:latest{job=~"$job",region_code="$region",program=~"$program"}`, "Lowest it allows")).
			WithTarget(latest("D", `region_program:socsec_coverage_ratio_upper_bound:latest{job=~"$job",region_code="$region",program=~"$program"}`, "Highest it allows")).
			WithTransformation(transformation("configFromData", map[string]any{
				"configRefId": "B",
				"mappings":    []map[string]any{{"fieldName": "Target", "handlerKey": "threshold1"}},
			})).
			DataLinks(figureLink(fieldLabels("socsec_coverage_ratio", "region_code", "program")...)).
			Height(6).Span(24)).
		WithPanel(insuredByYear()).
		WithPanel(coverageByYear()).
		WithPanel(bargauge.NewPanelBuilder().
			Title("Regions ranked by latest coverage").
			Description("Coverage in the latest year published (annual figures only), for every region that has coverage data and the selected programmes, highest first.").
			Unit(unitRatio).
			Min(0).Max(1).
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			ReduceOptions(lastValue()).
			Thresholds(thresholds("blue")).
			WithTarget(latest("A", `sort_desc(`+withProgramNames(withRegionNames(
				`region_program:socsec_coverage_ratio:latest{job=~"$job",program=~"$program"}`))+`)`,
				"{{region_text}} · {{program_name}}")).
			DataLinks(figureLink(fieldLabels("socsec_coverage_ratio", "region_code", "program")...)).
			Height(10).Span(24))
}
