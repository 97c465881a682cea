package dashboards

import (
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// Units used by the panels: ratios as percent, counts as short numbers, money with a yuan suffix.
const (
	unitRatio   = "percentunit"
	unitPersons = "short"
	unitCount   = "short"
	unitYuan    = "suffix: yuan"
	unitYear    = "none"
	unitText    = "none"
	unitSeconds = "s"
)

// tag marks every dashboard on the scraped Prometheus, historyTag every dashboard on the backfilled history; the
// dashboard links list the dashboards by tag.
const (
	tag        = "socsec"
	historyTag = "socsec-history"
)

// The uids of the data sources the dashboards default to: the Prometheus that scrapes the exporter, and the one that
// serves the backfilled history.
const (
	liveUID    = "prometheus"
	historyUID = "prometheus-history"
)

// Default variable values: Shanxi and its basic pension insurance, the figures of the embedded default dataset, and
// the country beside it, whose figures the default carries year by year from 2005.
const (
	defaultRegion  = "140000"
	defaultProgram = "basic_pension"
	defaultCompare = "CN"
)

// shownRegions names the hidden variable that holds the selected Region and the regions it is compared with; the
// by-year panels of regions repeat over it, one panel per region side by side.
const shownRegions = "regions"

// The regexes of the region and programme variables: they show the name and filter on the code. The region's is
// region_text, which regionText gives every region.
const (
	regionRegex  = `/region_code="(?<value>[^"]+)".*region_text="(?<text>[^"]+)"/`
	programRegex = `/program="(?<value>[^"]+)".*program_name="(?<text>[^"]+)"/`
)

// regionText gives each series of expr, series of socsec_region_info, the label region_text: the region's name,
// else its English name, else its code. A region may be declared with either name, and Prometheus drops a label
// whose value is empty, so region_name alone would leave a region without a name nowhere to be picked.
func regionText(expr string) string {
	text := fmt.Sprintf(`label_replace(%s, "region_text", "$1", "region_code", "(.+)")`, expr)
	text = fmt.Sprintf(`label_replace(%s, "region_text", "$1", "region_name_en", "(.+)")`, text)
	return fmt.Sprintf(`label_replace(%s, "region_text", "$1", "region_name", "(.+)")`, text)
}

func datasource() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}
}

// newDashboard starts a read-only dashboard on the scraped Prometheus with the variables every dashboard shares, and
// links to the others and to the history.
func newDashboard(uid, title, description string, vars ...cog.Builder[dashboard.VariableModel]) *dashboard.DashboardBuilder {
	return baseDashboard(uid, title, description, tag, datasourceVariable("Prometheus", liveUID), jobVariable("socsec_build_info"), vars...).
		Time("now-1h", "now").
		Refresh("5m").
		Link(dashboardLinks("Social security", tag, true)).
		Link(dashboardLinks("History", historyTag, false))
}

// baseDashboard starts a read-only dashboard tagged dashboardTag with the data source and job variables first and
// the exporter's address last.
func baseDashboard(uid, title, description, dashboardTag string, ds, job cog.Builder[dashboard.VariableModel],
	vars ...cog.Builder[dashboard.VariableModel]) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags([]string{dashboardTag}).
		Readonly().
		Timezone("browser").
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Variables(append(append([]cog.Builder[dashboard.VariableModel]{ds, job}, vars...), exporterVariable()))
}

// ExporterVariable names the variable that holds the address under which browsers reach the exporter's pages;
// DefaultExporterURL is its default, where the docker-compose stack publishes the exporter.
const (
	ExporterVariable   = "exporter_url"
	DefaultExporterURL = "http://localhost:10716"
)

// SourceLinkTitle is the title of the data link from a figure to its page on the exporter.
const SourceLinkTitle = "Source of this figure"

// exporterVariable is a text box with the exporter's address as the browser sees it, which may differ from the one
// Prometheus scrapes: links go there, queries never do.
func exporterVariable() *dashboard.TextBoxVariableBuilder {
	return dashboard.NewTextBoxVariableBuilder(ExporterVariable).
		Label("Exporter URL").
		Description("Address under which your browser reaches socsec_exporter, for the \"" + SourceLinkTitle + "\" links " +
			"to its page of a figure: the source, the source's own words and the checks. Set it with ?var-" + ExporterVariable + "=.").
		DefaultValue(dashboard.StringOrMap{String: cog.ToPtr(DefaultExporterURL)}).
		Current(single(DefaultExporterURL, DefaultExporterURL))
}

// figureLink is the data link to the exporter's page of the clicked figure. Its parameters come in pairs of a label
// and its value, mostly a Grafana data link variable; Grafana percent-encodes what it fills in, and a variable it
// cannot fill (a label the series does not have) is left as written, which the page takes as not given.
func figureLink(params ...string) []cog.Builder[dashboard.DashboardLink] {
	return []cog.Builder[dashboard.DashboardLink]{dashboard.NewDashboardLinkBuilder(SourceLinkTitle).
		Type(dashboard.DashboardLinkTypeLink).
		Url(figureLinkURL(params...)).
		TargetBlank(true)}
}

func figureLinkURL(params ...string) string {
	var b strings.Builder
	b.WriteString("${" + ExporterVariable + ":raw}/figure?")
	for i := 0; i+1 < len(params); i += 2 {
		if i > 0 {
			b.WriteString("&")
		}
		b.WriteString(params[i] + "=" + params[i+1])
	}
	return b.String()
}

// fieldLabels are the link parameters of a figure of family whose series has the labels: each label's value from
// the clicked series, as time-series panels have them, with its period and basis when it has them.
func fieldLabels(family string, labels ...string) []string {
	params := []string{"metric", family}
	for _, l := range append(labels, "period", "basis") {
		params = append(params, l, "${__field.labels."+l+"}")
	}
	return params
}

// matrixCell are the link parameters of a figure in a groupingToMatrix table: the row field is the first, and each
// column is named by its value.
func matrixCell(family, rowLabel, columnLabel string, fixed ...string) []string {
	return append([]string{"metric", family, rowLabel, "${__data.fields[0]}", columnLabel, "${__field.name}"}, fixed...)
}

// dashboardLinks is a dropdown of the dashboards tagged linkTag that keeps the variables and the time range only
// between dashboards on the same data source, since the live dashboards look at the last hour on one Prometheus and
// the history at past years on another.
func dashboardLinks(title, linkTag string, sameSource bool) *dashboard.DashboardLinkBuilder {
	return dashboard.NewDashboardLinkBuilder(title).
		Type(dashboard.DashboardLinkTypeDashboards).
		Tags([]string{linkTag}).
		AsDropdown(true).
		IncludeVars(sameSource).
		KeepTime(sameSource)
}

// datasourceVariable lets the viewer pick a Prometheus, defaulting to the data source with uid.
func datasourceVariable(name, uid string) *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder("datasource").
		Label("Data source").
		Type("prometheus").
		Current(single(name, uid))
}

// jobVariable lists the jobs that have the series, all selected by default.
func jobVariable(series string) *dashboard.QueryVariableBuilder {
	return queryVariable("job", "Job", fmt.Sprintf(`label_values(%s, job)`, series)).
		Multi(true).
		IncludeAll(true).
		AllValue(".+").
		Current(all())
}

// regionVariable lists the regions that have data, showing their names and filtering on their codes.
func regionVariable() *dashboard.QueryVariableBuilder {
	return queryVariable("region", "Region", regionsWithData(`job=~"$job"`)).
		Regex(regionRegex).
		Current(single(defaultRegion, defaultRegion))
}

// compareVariable lists the regions that have data, like the Region variable, for the by-year panels to show beside
// the selected Region; it starts on the country.
func compareVariable() *dashboard.QueryVariableBuilder {
	return queryVariable("compare", "Compare with", regionsWithData(`job=~"$job"`)).
		Description("Regions whose figures the by-year panels show beside those of the selected Region, one panel per region.").
		Regex(regionRegex).
		Multi(true).
		Current(selected(defaultCompare))
}

// shownRegionsVariable holds the selected Region and the compared regions, as many as have data, always all of them:
// the by-year panels of regions repeat over it. A panel of a country beside one of a province keeps each on its own
// axis, where one chart on a shared axis would flatten the province's bars against the country's, a hundred times
// higher. It is hidden, since it follows the Region and Compare with variables, and Grafana refreshes it when they
// change. The panels that use it are repeated, so each sees a single region and none sees the all value; .+ keeps a
// query meaningful outside a repeat.
func shownRegionsVariable() *dashboard.QueryVariableBuilder {
	return queryVariable(shownRegions, "Regions shown", regionsWithData(`job=~"$job",region_code=~"$region|$compare"`)).
		Regex(regionRegex).
		Multi(true).
		IncludeAll(true).
		AllValue(".+").
		Current(all()).
		Hide(dashboard.VariableHideHideVariable)
}

// comparisonVariables are the variables of a dashboard that shows regions beside each other: the Region, the regions
// compared with it, and the regions shown, over which the by-year panels repeat.
func comparisonVariables() []cog.Builder[dashboard.VariableModel] {
	return []cog.Builder[dashboard.VariableModel]{regionVariable(), compareVariable(), shownRegionsVariable()}
}

// regionsWithData is the query of a region variable: the regions of socsec_region_info{matchers} that have a figure,
// with region_text (see regionText), so that the variable's regex takes the code as value and the name as text.
func regionsWithData(matchers string) string {
	return `query_result(` + regionText(`socsec_region_info{`+matchers+`}`) +
		` and on (job, instance, region_code) socsec_latest_data_year{job=~"$job"})`
}

// programVariable lists the programmes that have data in one of the families, showing their names and filtering on
// their ids. A multi-value variable defaults to all programmes, a single-value one to def.
func programVariable(name, label string, multi bool, def string, families ...string) *dashboard.QueryVariableBuilder {
	selectors := make([]string, len(families))
	for i, f := range families {
		selectors[i] = f + `{job=~"$job"}`
	}
	v := queryVariable(name, label, fmt.Sprintf(`query_result(socsec_program_info{job=~"$job"} and on (job, instance, program) (%s))`,
		strings.Join(selectors, " or "))).
		Regex(programRegex)
	if multi {
		// ".*" also matches series without a program label, such as socsec_jurisdictions.
		return v.Multi(true).IncludeAll(true).AllValue(".*").Current(all())
	}
	return v.Current(single(def, def))
}

func queryVariable(name, label, query string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(datasource()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(query)}).
		Definition(query).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalCaseInsensitiveAsc)
}

func single(text, value string) dashboard.VariableOption {
	return dashboard.VariableOption{
		Selected: cog.ToPtr(true),
		Text:     dashboard.StringOrArrayOfString{String: cog.ToPtr(text)},
		Value:    dashboard.StringOrArrayOfString{String: cog.ToPtr(value)},
	}
}

// selected is the option of a multi-value variable with the one value selected.
func selected(value string) dashboard.VariableOption {
	return dashboard.VariableOption{
		Selected: cog.ToPtr(true),
		Text:     dashboard.StringOrArrayOfString{ArrayOfString: []string{value}},
		Value:    dashboard.StringOrArrayOfString{ArrayOfString: []string{value}},
	}
}

func all() dashboard.VariableOption {
	return dashboard.VariableOption{
		Selected: cog.ToPtr(true),
		Text:     dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
		Value:    dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
	}
}

// rows is an instant query in table format: one row per series with its labels as columns.
func rows(ref, expr string) cog.Builder[variants.Dataquery] {
	return prometheus.NewDataqueryBuilder().
		RefId(ref).
		Datasource(datasource()).
		Expr(expr).
		Instant().
		Format(prometheus.PromQueryFormatTable)
}

// latest is an instant query in time-series format: one value per series, named by the legend.
func latest(ref, expr, legend string) cog.Builder[variants.Dataquery] {
	return prometheus.NewDataqueryBuilder().
		RefId(ref).
		Datasource(datasource()).
		Expr(expr).
		Instant().
		Format(prometheus.PromQueryFormatTimeSeries).
		LegendFormat(legend)
}

// series is a range query, for self-metrics that change over time and for the history on the time axis.
func series(ref, expr, legend string) cog.Builder[variants.Dataquery] {
	return prometheus.NewDataqueryBuilder().
		RefId(ref).
		Datasource(datasource()).
		Expr(expr).
		Range().
		Format(prometheus.PromQueryFormatTimeSeries).
		LegendFormat(legend)
}

// withProgramNames joins the programme name onto each series of expr.
func withProgramNames(expr string) string {
	return fmt.Sprintf(`%s * on (job, instance, program) group_left (program_name) socsec_program_info{job=~"$job"}`, expr)
}

// withRegionNames joins the region's name (region_text, see regionText) onto each series of expr.
func withRegionNames(expr string) string {
	return fmt.Sprintf(`%s * on (job, instance, region_code) group_left (region_text) %s`, expr, regionText(`socsec_region_info{job=~"$job"}`))
}

// latestYear keeps only the series of family whose year is the latest published for their region and programme; the
// selector must take period="", since a figure of part of that year has the year too.
func latestYear(selector, family string) string {
	return fmt.Sprintf(`(%s and on (job, instance, region_code, program, year) socsec_latest_data_year{job=~"$job",metric=%q})`,
		selector, family)
}

func transformation(id string, options map[string]any) dashboard.DataTransformerConfig {
	return dashboard.DataTransformerConfig{Id: id, Options: options}
}

func sortBy(field string, desc bool) dashboard.DataTransformerConfig {
	return transformation("sortBy", map[string]any{"sort": []map[string]any{{"field": field, "desc": desc}}})
}

// matrix turns one row per series into one row per rowField value and one column per columnField value.
func matrix(rowField, columnField string) dashboard.DataTransformerConfig {
	return transformation("groupingToMatrix", map[string]any{
		"rowField": rowField, "columnField": columnField, "valueField": "Value",
	})
}

// organize hides the label columns not worth showing and renames the others.
func organize(exclude []string, rename map[string]string) dashboard.DataTransformerConfig {
	excluded := map[string]bool{}
	for _, name := range exclude {
		excluded[name] = true
	}
	return transformation("organize", map[string]any{"excludeByName": excluded, "renameByName": rename})
}

// plumbing are the columns of a table-format query that say nothing to a reader.
var plumbing = []string{"Time", "__name__", "job", "instance"}

func thresholds(base string, steps ...dashboard.Threshold) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().
		Mode(dashboard.ThresholdsModeAbsolute).
		Steps(append([]dashboard.Threshold{{Color: base}}, steps...))
}

// okMapping shows 1 as OK in green and 0 as failed in red.
func okMapping(ok, failed string) []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
		Type: dashboard.MappingTypeValueToText,
		Options: map[string]dashboard.ValueMappingResult{
			"0": {Text: cog.ToPtr(failed), Color: cog.ToPtr("red"), Index: cog.ToPtr[int32](0)},
			"1": {Text: cog.ToPtr(ok), Color: cog.ToPtr("green"), Index: cog.ToPtr[int32](1)},
		},
	}}}
}

// tableLegend lists the series of a chart below it as a table with the calcs, for charts that may show many: one
// per programme of a multi-value variable, category, dataset or instance.
func tableLegend(calcs ...string) *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().
		ShowLegend(true).
		DisplayMode(common.LegendDisplayModeTable).
		Placement(common.LegendPlacementBottom).
		Calcs(append([]string{}, calcs...))
}

// listLegend names the series of a chart on a line below it, for charts whose query fixes a few.
func listLegend() *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().
		ShowLegend(true).
		DisplayMode(common.LegendDisplayModeList).
		Placement(common.LegendPlacementBottom).
		Calcs([]string{})
}

// allSeriesTooltip shows every series of the hovered year or instant, so that they can be compared there.
func allSeriesTooltip() *common.VizTooltipOptionsBuilder {
	return common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderNone)
}

// lastValue shows the last value of each series on stat and bar gauge panels.
func lastValue() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)
}
