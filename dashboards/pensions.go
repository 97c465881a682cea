package dashboards

import (
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/barchart"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/table"
)

func pensions() *dashboard.DashboardBuilder {
	return newDashboard("socsec-pensions", "Social security: pensions and subsidies",
		"Monthly pension and annual subsidy per capita by statistical year, with the change against the previous year published.",
		regionVariable(),
		programVariable("program", "Pension programme", false, defaultProgram, "socsec_pension_monthly_per_capita_yuan"),
		programVariable("subsidy_program", "Subsidy programme", false, "resident_medical", "socsec_subsidy_annual_per_capita_yuan"),
	).
		WithPanel(perCapitaBars("Monthly pension", "Average monthly pension per person of the selected pension programme", "socsec_pension_monthly_per_capita_yuan", "program")).
		WithPanel(perCapitaChange("Monthly pension", "socsec_pension_monthly_per_capita_yuan", "program")).
		WithPanel(perCapitaBars("Annual subsidy", "Annual subsidy per person of the selected subsidy programme", "socsec_subsidy_annual_per_capita_yuan", "subsidy_program")).
		WithPanel(perCapitaChange("Annual subsidy", "socsec_subsidy_annual_per_capita_yuan", "subsidy_program"))
}

// perCapitaExpr selects the annual figures of family for the selected region
// and the programme of the variable programVar.
func perCapitaExpr(family, programVar string) string {
	return family + `{job=~"$job",region_code="$region",program="$` + programVar + `",period=""}`
}

// perCapitaBars charts one per-capita amount (what, e.g. "Monthly pension")
// of the programme selected in programVar, per statistical year.
func perCapitaBars(what, description, family, programVar string) *barchart.PanelBuilder {
	return yearBars(what+" per capita by year", description+", per statistical year.", unitYuan,
		family, withProgramNames(perCapitaExpr(family, programVar)),
		"program_name", listLegend(), "region_code", "${region}", "program", "${"+programVar+"}")
}

// perCapitaChange lists the yearly values of one per-capita amount with
// their change against the previous year published.
func perCapitaChange(what, family, programVar string) *table.PanelBuilder {
	return changeTable("Change of the "+strings.ToLower(what),
		what+" per capita of the selected programme and its change against the previous year published. "+
			"Published years need not be consecutive, so a change may span several years.",
		family, perCapitaExpr(family, programVar), what, "${"+programVar+"}")
}

// changeTable lists the yearly values of one series of family per year with their change against the previous row:
// the trailing mean of two rows m gives the previous value as 2m - v, so the change is 2(v - m). Each row links to
// its figure's page: of the region variable's region and the programme program, a variable, in the row's year.
func changeTable(title, description, family, expr, valueName, program string) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unitYuan).
		WithTarget(rows("A", expr)).
		WithTransformation(transformation("filterFieldsByName", map[string]any{
			"include": map[string]any{"names": []string{"year", "Value"}},
		})).
		WithTransformation(sortBy("year", false)).
		WithTransformation(transformation("calculateField", map[string]any{
			"mode": "index", "alias": "Row", "index": map[string]any{"asPercentile": false},
		})).
		WithTransformation(transformation("calculateField", map[string]any{
			"mode":  "windowFunctions",
			"alias": "Mean with previous",
			"window": map[string]any{
				"field": "Value", "reducer": "mean", "windowAlignment": "trailing", "windowSizeMode": "fixed", "windowSize": 2,
			},
		})).
		WithTransformation(binary("Half change", field("Value"), "-", field("Mean with previous"))).
		WithTransformation(binary("Change", field("Half change"), "*", map[string]any{"fixed": "2"})).
		WithTransformation(binary("Previous", field("Value"), "-", field("Change"))).
		WithTransformation(binary("Relative change", field("Change"), "/", field("Previous"))).
		WithTransformation(transformation("filterByValue", map[string]any{
			"type": "exclude", "match": "any",
			"filters": []map[string]any{{"fieldName": "Row", "config": map[string]any{"id": "equal", "options": map[string]any{"value": 0}}}},
		})).
		WithTransformation(organize([]string{"Row", "Mean with previous", "Half change", "Previous"},
			map[string]string{"year": "Year", "Value": valueName})).
		OverrideByName("Year", []dashboard.DynamicConfigValue{{Id: "unit", Value: unitYear}}).
		OverrideByName("Relative change", []dashboard.DynamicConfigValue{
			{Id: "unit", Value: unitRatio},
			{Id: "decimals", Value: 1},
		}).
		DataLinks(figureLink("metric", family, "region_code", "${region}", "program", program, "year", "${__data.fields.year}")).
		Height(8).Span(12)
}

// binary adds the field alias = left op right, each operand a field or a fixed number.
func binary(alias string, left map[string]any, op string, right map[string]any) dashboard.DataTransformerConfig {
	return transformation("calculateField", map[string]any{
		"mode":   "binary",
		"alias":  alias,
		"binary": map[string]any{"left": left, "operator": op, "right": right},
	})
}

// field is a calculateField operand that refers to a field by name.
func field(name string) map[string]any {
	return map[string]any{"matcher": map[string]any{"id": "byName", "options": name}}
}
