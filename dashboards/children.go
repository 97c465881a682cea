package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/barchart"
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// Selectors of the latest year of jurisdictions with a mechanism, and of all jurisdictions, in the selected region:
// annual figures only, since a figure of part of the latest year has that year too.
var (
	withMechanism = latestYear(`socsec_jurisdictions_with_mechanism{job=~"$job",region_code="$region",program=~"$program",period=""}`,
		"socsec_jurisdictions_with_mechanism")
	allJurisdictions = latestYear(`socsec_jurisdictions{job=~"$job",region_code="$region",period=""}`, "socsec_jurisdictions")
)

func children() *dashboard.DashboardBuilder {
	return newDashboard("socsec-children", "Social security: children and minors protection",
		"Children supported by category and year, and the jurisdictions with a minors-protection mechanism against all jurisdictions.",
		regionVariable(),
		programVariable("program", "Programme", true, "",
			"socsec_children_supported_persons", "socsec_jurisdictions_with_mechanism"),
	).
		WithPanel(yearBars("Children supported by category and year",
			"Children in basic living security, per statistical year and category (for example orphans and children without support).",
			unitPersons, "socsec_children_supported_persons",
			`socsec_children_supported_persons{job=~"$job",region_code="$region",program=~"$program",period=""}`,
			"category", tableLegend(), "region_code", "${region}")).
		WithPanel(barchart.NewPanelBuilder().
			Title("Jurisdictions with a mechanism and in total").
			Description("Cities and counties with a minors-protection coordination mechanism next to all cities and counties " +
				"of the region, in the latest year published.").
			Unit(unitCount).
			Thresholds(thresholds("green")).
			Legend(listLegend()).
			Tooltip(allSeriesTooltip()).
			// One bar per family, its column named by the family so that one link serves both; organize renames
			// only what the legend shows, and the link reads the field's own name.
			WithTarget(rows("A",
				`label_replace(`+withMechanism+`, "metric", "socsec_jurisdictions_with_mechanism", "", "")`+
					` or label_replace(`+allJurisdictions+`, "metric", "socsec_jurisdictions", "", "")`)).
			WithTransformation(matrix("jurisdiction_level", "metric")).
			WithTransformation(organize(nil, map[string]string{
				"socsec_jurisdictions_with_mechanism": "with a mechanism", "socsec_jurisdictions": "all jurisdictions",
			})).
			DataLinks(figureLink("metric", "${__field.name}", "region_code", "${region}", "jurisdiction_level", "${__data.fields[0]}")).
			Height(8).Span(12)).
		WithPanel(bargauge.NewPanelBuilder().
			Title("Share of jurisdictions with a mechanism").
			Description("Jurisdictions with a minors-protection coordination mechanism as a share of all jurisdictions of " +
				"that level, in the latest year published.").
			Unit(unitRatio).
			Min(0).Max(1).
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			ReduceOptions(lastValue()).
			Thresholds(thresholds("orange", dashboard.Threshold{Value: cog.ToPtr(1.0), Color: "green"})).
			WithTarget(latest("A", withMechanism+` / ignoring (program) group_left () `+allJurisdictions,
				"{{jurisdiction_level}} ({{year}})")).
			DataLinks(figureLink(fieldLabels("socsec_jurisdictions_with_mechanism", "region_code", "program", "year", "jurisdiction_level")...)).
			Height(8).Span(24))
}
