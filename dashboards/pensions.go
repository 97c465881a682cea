package dashboards

import (
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
		WithPanel(yearBars("Monthly pension per capita by year",
			"Average monthly pension per person of the selected pension programme, per statistical year.", unitYuan,
			"socsec_pension_monthly_per_capita_yuan",
			withProgramNames(`socsec_pension_monthly_per_capita_yuan{job=~"$job",region_code="$region",program="$program",period=""}`),
			"program_name", listLegend(), "region_code", "${region}", "program", "${program}")).
		WithPanel(changeTable("Change of the monthly pension",
			"Monthly pension per capita of the selected programme and its change against the previous year published. "+
				"Published years need not be consecutive, so a change may span several years.",
			"socsec_pension_monthly_per_capita_yuan",
			`socsec_pension_monthly_per_capita_yuan{job=~"$job",region_code="$region",program="$program",period=""}`,
			"Monthly pension", "${program}")).
		WithPanel(yearBars("Annual subsidy per capita by year",
			"Annual subsidy per person of the selected subsidy programme, per statistical year.", unitYuan,
			"socsec_subsidy_annual_per_capita_yuan",
			withProgramNames(`socsec_subsidy_annual_per_capita_yuan{job=~"$job",region_code="$region",program="$subsidy_program",period=""}`),
			"program_name", listLegend(), "region_code", "${region}", "program", "${subsidy_program}")).
		WithPanel(changeTable("Change of the annual subsidy",
			"Annual subsidy per capita of the selected programme and its change against the previous year published. "+
				"Published years need not be consecutive, so a change may span several years.",
			"socsec_subsidy_annual_per_capita_yuan",
			`socsec_subsidy_annual_per_capita_yuan{job=~"$job",region_code="$region",program="$subsidy_program",period=""}`,
			"Annual subsidy", "${subsidy_program}"))
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
