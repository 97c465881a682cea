package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/barchart"
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/trend"
)

func coverage() *dashboard.DashboardBuilder {
	return newDashboard("socsec-coverage", "Social security: coverage and participation",
		"Coverage ratio and insured persons by statistical year and programme for one region and the regions compared "+
			"with it, side by side, and the region's beneficiaries.",
		append(comparisonVariables(),
			programVariable("program", "Programme", true, "",
				"socsec_coverage_ratio", "socsec_insured_persons", "socsec_beneficiaries_persons"))...,
	).
		WithPanel(coverageByYear()).
		WithPanel(insuredByYear()).
		WithPanel(byYear("socsec_beneficiaries_persons", "Beneficiaries by year",
			"Persons receiving benefits of each programme in the selected Region, per statistical year (annual figures only).", unitPersons)).
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

// beside is how many regions' by-year panels stand side by side in a row: two, a country and a province at first.
const beside = 2

// regionByYear draws the annual figures of one data family for one of the shown regions and the selected
// programmes as curves over the years, one per programme, and is repeated side by side for each region shown: the
// selected Region and those it is compared with. Each panel has its own axis, so that a province's curves rise as
// steeply as those of a country a hundred times larger: compare their shapes, and read the numbers on the axes. A
// line joins only consecutive years; a year without a figure is a gap, and every figure is a point. A programme's
// figures on a basis of their own (the urban schemes' count of medical insurance before the residents' schemes
// merged) stay on its curve, since a link names the programme by the curve's name, which could not carry the basis
// too; the page of each figure names its basis, and no year holds two of them (TestMatrixCellsHoldOneFigure).
//
// The instant table query gives a row per figure, with its year and programme as labels; groupingToMatrix turns them
// into a frame with a row per year (its field named year\program_name, as Grafana names it) and a field per
// programme, an empty cell null; the trend panel takes the years, converted to numbers, as its x axis, and a year
// shown as a plain number, unlike the values, also fills the link's year.
func regionByYear(family, title, description, unit string) *trend.PanelBuilder {
	x := yearField("program_name")
	return trend.NewPanelBuilder().
		Title(title+": ${"+shownRegions+":text}").
		Description(description).
		Unit(unit).
		Thresholds(thresholds("green")).
		Legend(tableLegend()).
		Tooltip(allSeriesTooltip()).
		XField(x).
		ShowPoints(common.VisibilityModeAlways).
		AxisSoftMin(0).
		SpanNulls(common.BoolOrFloat64{Bool: cog.ToPtr(false)}).
		WithTarget(rows("A", withProgramNames(
			fmt.Sprintf(`%s{job=~"$job",region_code=~"$%s",program=~"$program",period=""}`, family, shownRegions)))).
		WithTransformation(sortBy("year", false)).
		WithTransformation(transformation("groupingToMatrix", map[string]any{
			"rowField": "year", "columnField": "program_name", "valueField": "Value", "emptyValue": "null",
		})).
		WithTransformation(transformation("convertFieldType", map[string]any{
			"conversions": []map[string]any{{"targetField": x, "destinationType": "number"}},
			"fields":      map[string]any{},
		})).
		OverrideByName(x, []dashboard.DynamicConfigValue{{Id: "unit", Value: unitYear}, {Id: "decimals", Value: 0}}).
		DataLinks(figureLink(matrixCell(family, "year", "program_name", "region_code", "${"+shownRegions+"}")...)).
		Repeat(shownRegions).
		RepeatDirection(dashboard.PanelRepeatDirectionH).
		MaxPerRow(beside).
		Height(9).Span(24)
}

// yearField is the name Grafana's groupingToMatrix gives the field of its rows, the years, when its columns are the
// values of column.
func yearField(column string) string {
	return `year\` + column
}

// coverageByYear is regionByYear of the coverage ratio, each region's panel on an axis from 0 to 100 % at least, so
// that the regions' coverage compares at a glance across the panels. The limits are soft: the years' axis takes a
// field's hard min and max as its own.
func coverageByYear() *trend.PanelBuilder {
	return regionByYear("socsec_coverage_ratio", "Coverage ratio by year",
		"Share of the target population covered by each selected programme, per statistical year (annual figures only), "+
			"in one panel per region: the selected Region and each region it is compared with. Every panel runs from 0 to "+
			"100 %, so that the regions compare across them.", unitRatio).
		AxisSoftMax(1)
}

// insuredByYear is regionByYear of the insured persons.
func insuredByYear() *trend.PanelBuilder {
	return regionByYear("socsec_insured_persons", "Insured persons by year",
		"Persons insured under each selected programme, per statistical year (annual figures only), in one panel per "+
			"region: the selected Region and each region it is compared with. Each panel has its own axis, since a country "+
			"counts a hundred times the persons of a province: compare the shapes, and read the numbers on the axes. A "+
			"year without a figure is a gap. Figures counted on another basis (the urban schemes only, say) stay on their "+
			"programme's curve: the page of each figure names its basis.",
		unitPersons)
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
