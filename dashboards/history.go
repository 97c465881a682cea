package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// The default time range of the history: the last 30 years up to now, so that the newest year published is on
// screen whenever the dashboard is opened, and the years of the embedded default (2007 to 2020) with it for a while
// yet. A range fixed at the default's years would hide every year published after them.
const (
	historyFrom = "now-30y"
	historyTo   = "now"
)

// historyWindow is how far back the history panels look for a figure: a backfilled figure is one sample at 31
// December of its year, so looking back a year and a day holds it until the next year's.
const historyWindow = "366d"

// variableWindow is how far back the History dashboard's variables look for the regions and programmes. Grafana
// evaluates a query_result variable at the end of the time range only, which by default is now, years after the
// newest figure: the window spans the default range of 30 calendar years and the 366 days a figure is held, so that
// every region and programme drawn in that range is listed. PromQL's year has 365 days, so 31y falls a week short.
const variableWindow = "32y"

// historyInterval is the shortest step of the history panels: annual samples need no finer one.
const historyInterval = "1d"

func history() *dashboard.DashboardBuilder {
	return baseDashboard("socsec-history", "Social security: history",
		"Coverage, insured persons, pensions and subsidies with the statistical years on the time axis, from the history "+
			"Prometheus that socsec_exporter backfill fills. Each figure is drawn from 31 December of its year and held "+
			"for a year, or until the next year's figure.",
		historyTag,
		datasourceVariable("Prometheus history", historyUID),
		jobVariable("socsec_region_info"),
		queryVariable("region", "Region", fmt.Sprintf(`query_result(%s)`,
			regionText(lastOver("socsec_region_info", `job=~"$job"`, variableWindow)))).
			Regex(regionRegex).
			Current(single(defaultRegion, defaultRegion)),
		queryVariable("program", "Programme", fmt.Sprintf(`query_result(%s)`, lastOver("socsec_program_info", `job=~"$job"`, variableWindow))).
			Regex(programRegex).
			Multi(true).IncludeAll(true).AllValue(".*").Current(all()),
	).
		Timezone("utc").
		Time(historyFrom, historyTo).
		Link(dashboardLinks("Social security", tag, false)).
		WithPanel(historyPanel("socsec_coverage_ratio", "Coverage ratio",
			"Share of the target population covered by each programme, by statistical year.", unitRatio)).
		WithPanel(historyPanel("socsec_insured_persons", "Insured persons",
			"Persons participating in each programme, by statistical year.", unitPersons)).
		WithPanel(historyPanel("socsec_pension_monthly_per_capita_yuan", "Monthly pension per capita",
			"Average monthly pension per person of each pension programme, by statistical year.", unitYuan)).
		WithPanel(historyPanel("socsec_subsidy_annual_per_capita_yuan", "Annual subsidy per capita",
			"Annual subsidy per person of each programme, by statistical year.", unitYuan))
}

// held selects the latest sample of family within historyWindow, with the given label matchers.
func held(family, matchers string) string {
	return lastOver(family, matchers, historyWindow)
}

// lastOver selects the latest sample of family within window, with the given label matchers.
func lastOver(family, matchers, window string) string {
	return fmt.Sprintf(`last_over_time(%s{%s}[%s])`, family, matchers, window)
}

// historyPanel draws the annual figures of one data family of the selected region and programmes over the years, one
// line per programme, each figure held as a step until the next.
func historyPanel(family, title, description, unit string) *timeseries.PanelBuilder {
	expr := fmt.Sprintf(`%s * on (job, instance, program) group_left (program_name) %s`,
		held(family, `job=~"$job",region_code="$region",program=~"$program",period=""`), held("socsec_program_info", `job=~"$job"`))
	return timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Interval(historyInterval).
		LineInterpolation(common.LineInterpolationStepAfter).
		ShowPoints(common.VisibilityModeNever).
		Thresholds(thresholds("green")).
		// One line per programme of the multi-value variable; the last figure of each in the range beside its name.
		Legend(tableLegend("lastNotNull")).
		Tooltip(allSeriesTooltip()).
		WithTarget(series("A", expr, "{{program_name}}")).
		// No year label here: the instant clicked picks the figure a panel holds there.
		DataLinks(figureLink(append(fieldLabels(family, "region_code", "program"), "at", "${__value.time}")...)).
		Height(8).Span(12)
}
