package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/barchart"
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

func coverage() *dashboard.DashboardBuilder {
	return newDashboard("socsec-coverage", "Social security: coverage and participation",
		"Coverage ratio, insured persons and beneficiaries by statistical year and programme for one region.",
		regionVariable(),
		programVariable("program", "Programme", true, "",
			"socsec_coverage_ratio", "socsec_insured_persons", "socsec_beneficiaries_persons"),
	).
		WithPanel(byYear("socsec_coverage_ratio", "Coverage ratio by year",
			"Share of the target population covered by each programme, per statistical year (annual figures only).", unitRatio)).
		WithPanel(byYear("socsec_insured_persons", "Insured persons by year",
			"Persons insured under each programme, per statistical year (annual figures only).", unitPersons)).
		WithPanel(byYear("socsec_beneficiaries_persons", "Beneficiaries by year",
			"Persons receiving benefits of each programme, per statistical year (annual figures only).", unitPersons)).
		WithPanel(bargauge.NewPanelBuilder().
			Title("Insured persons, latest year").
			Description("Persons insured under each programme in the latest year published for the selected region.").
			Unit(unitPersons).
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			ReduceOptions(lastValue()).
			Thresholds(thresholds("blue")).
			WithTarget(latest("A", withProgramNames(
				`region_program:socsec_insured_persons:latest{job=~"$job",region_code="$region",program=~"$program"}`),
				"{{program_name}}")).
			DataLinks(figureLink(fieldLabels("socsec_insured_persons", "region_code", "program")...)).
			Height(8).Span(12))
}

// byYear is a bar chart of the annual figures of one data family for the selected region and programmes, with the
// year on the x axis and one bar per programme; a figure of part of a year is not the year's.
func byYear(family, title, description, unit string) *barchart.PanelBuilder {
	return yearBars(title, description, unit, family,
		withProgramNames(fmt.Sprintf(`%s{job=~"$job",region_code="$region",program=~"$program",period=""}`, family)),
		"program_name", tableLegend(), "region_code", "${region}")
}

// yearBars is a bar chart of an instant table query of family with the year on the x axis and one bar per value of
// the label column, named in legend, linked to the page of each figure; link gives the parameters the matrix loses,
// in pairs.
func yearBars(title, description, unit, family, expr, column string, legend *common.VizLegendOptionsBuilder,
	link ...string) *barchart.PanelBuilder {
	return barchart.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Thresholds(thresholds("green")).
		Legend(legend).
		Tooltip(allSeriesTooltip()).
		WithTarget(rows("A", expr)).
		WithTransformation(sortBy("year", false)).
		WithTransformation(matrix("year", column)).
		DataLinks(figureLink(matrixCell(family, "year", column, link...)...)).
		Height(8).Span(12)
}
