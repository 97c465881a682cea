// Package schema names everything the exporter can serve: the built-in
// indicators, the metadata families that describe the data, and the
// self-metrics about loading it, with their help texts and label names. It is
// the only package that spells a family name, so that the config can reserve
// every one of them and no dataset can stand in for the exporter's own series.
package schema

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// Namespace prefixes every metric the exporter serves.
const Namespace = "socsec"

// The label names the exporter sets on data series, besides an indicator's
// dimensions.
const (
	RegionLabel  = "region_code"
	ProgramLabel = "program"
	YearLabel    = "year"
	// PeriodLabel carries the part of the year a figure is for; only
	// families with such figures have it, and it is empty on annual ones.
	PeriodLabel = "period"
	// BasisLabel carries what a figure counts where an indicator is
	// counted in more than one way; only families with such figures have it.
	BasisLabel = "basis"
)

// Family is a metric family's name, help and label names, in the order its
// label values are given.
type Family struct {
	Name   string
	Help   string
	Labels []string
}

// The metadata families: they describe the data, one series per region,
// programme, dataset, source or figure.
var (
	RegionInfo = Family{"socsec_region_info",
		"Region metadata; join names with * on (region_code) group_left (region_name) socsec_region_info.",
		[]string{RegionLabel, "region_name", "region_name_en", "region_level", "parent_code"}}
	ProgramInfo = Family{"socsec_program_info",
		"Programme metadata; join names with * on (program) group_left (program_name) socsec_program_info.",
		[]string{ProgramLabel, "program_name"}}
	DatasetInfo = Family{"socsec_dataset_info",
		"Dataset metadata.", []string{"dataset", "title", "publisher", "license", "file"}}
	SourceInfo = Family{"socsec_source_info",
		"Publication that figures come from: published is its date, released the date its figures were first released (both empty when unknown), authority its rank, 1 the producer's final release to 9.",
		[]string{"dataset", "source", "title", "url", "publisher", "published", "released", "authority"}}
	ObservationInfo = Family{"socsec_observation_info",
		"Provenance of each served figure: its source, qualifier (exact, approximately, at_least, at_most), precision (half a unit of the last digit written) and flags.",
		[]string{"metric", RegionLabel, ProgramLabel, YearLabel, PeriodLabel, BasisLabel, "dimensions", "dataset", "source", "qualifier", "precision", "flags"}}
	// The bounds let rules and dashboards respect what was published: "over
	// 90 %" is no evidence of coverage below 95 %, "about 96 %" may be.
	LowerBound = Family{"socsec_figure_lower_bound",
		"Lowest true value a served ratio figure allows, given its qualifier and precision (half a unit of the last digit written); 0-1.",
		[]string{"metric", RegionLabel, ProgramLabel, YearLabel, PeriodLabel, BasisLabel, "dimensions"}}
	UpperBound = Family{"socsec_figure_upper_bound",
		"Highest true value a served ratio figure allows, given its qualifier and precision (half a unit of the last digit written); 0-1.",
		[]string{"metric", RegionLabel, ProgramLabel, YearLabel, PeriodLabel, BasisLabel, "dimensions"}}
	LatestYear = Family{"socsec_latest_data_year",
		"Latest year with a figure for the whole year for the metric, region and programme; the value is that year. Select the latest figures with: and on (region_code, program, year) socsec_latest_data_year{metric=\"...\"}.",
		[]string{"metric", RegionLabel, ProgramLabel, YearLabel}}
	// The due time is a value, not a sample timestamp, so that a rule can
	// compare it with time(): the year stays a label, as on every family.
	SeriesNextDue = Family{"socsec_series_next_due_timestamp_seconds",
		"Time from which the metric, region and programme lack their figure of year, the next year by the series' rhythm (its latest year plus the gap between its two latest years): that year's end plus the publication lag of the dataset of its latest year (publication_lag_months, 18 by default); absent for a series of one year, or whose latest year comes only from datasets with expect_new_years: false.",
		[]string{"metric", RegionLabel, ProgramLabel, YearLabel}}
	CoverageTarget = Family{"socsec_coverage_target_ratio",
		"Policy coverage target, 0-1; region_code=\"\" is the programme default, a region_code overrides it for that region.",
		[]string{ProgramLabel, RegionLabel}}
	DatasetSeries = Family{"socsec_dataset_series",
		"Data series the dataset serves.", []string{"dataset"}}
	DatasetObservations = Family{"socsec_dataset_observations",
		"Figures the dataset serves, by qualifier.", []string{"dataset", "qualifier"}}
	DatasetRevisions = Family{"socsec_dataset_revisions",
		"Figures of the dataset replaced by a disagreeing figure of a more authoritative or later source.", []string{"dataset"}}
	DatasetUnresolvedConflicts = Family{"socsec_dataset_unresolved_conflicts",
		"Series with figures of the dataset that disagree with other figures no rule can order; such a series is not served.", []string{"dataset"}}
	DatasetCheckFailures = Family{"socsec_dataset_check_failures",
		"Consistency checks that figures of the dataset fail, but for those a dataset acknowledges; socsec_exporter check lists them.", []string{"dataset"}}
	DatasetChecksAcknowledged = Family{"socsec_dataset_checks_acknowledged",
		"Failed consistency checks of figures of the dataset that a dataset acknowledges with a reason (acknowledged:); socsec_dataset_check_failures does not count them, and socsec_exporter check lists them with their reasons.", []string{"dataset"}}
	DatasetChecksUnchecked = Family{"socsec_dataset_checks_unchecked",
		"Consistency checks of reported figures or declared totals of the dataset that could not be made for want of a figure; they fail nothing, and socsec_exporter check lists them.", []string{"dataset"}}
)

// The self-metrics: how loading went, gathered fresh on every scrape.
var (
	ReloadSuccessful = Family{"socsec_config_last_reload_successful",
		"Whether the last load of the config and its datasets succeeded (1) or failed and the previous data is still served (0).", nil}
	ReloadSuccessTime = Family{"socsec_config_last_reload_success_timestamp_seconds",
		"Time of the last successful load of the config and its datasets.", nil}
	FileLoadSuccess = Family{"socsec_dataset_load_success",
		"Whether the dataset file loaded without errors at the last attempt.", []string{"file"}}
	FileLoadSuccessTime = Family{"socsec_dataset_last_load_success_timestamp_seconds",
		"Time the dataset file last loaded without errors.", []string{"file"}}
	RenderDuration = Family{"socsec_render_duration_seconds",
		"Time the last rendering of the data for scrapes took: the whole exposition (dataset=\"\") at each load, the exposition of one dataset (?dataset=) in the background after a load or on its first scrape.",
		[]string{"dataset"}}
	RenderWaitTimeouts = Family{"socsec_render_wait_timeouts_total",
		"Scrapes answered 503 because the data they asked for was still being rendered after --web.render-timeout or the scrape's own timeout.", nil}
	PageRequestsInFlight = Family{"socsec_page_requests_in_flight",
		"Provenance page requests (/figures, /figure, /checks, /compare) being served, at most --web.max-page-requests.", nil}
	PageRequests = Family{"socsec_page_requests_total",
		"Provenance page requests answered, by HTTP status code, those refused by --web.max-page-requests included.", []string{"code"}}
	PageRequestsRefused = Family{"socsec_page_requests_refused_total",
		"Provenance page requests answered 503 at once because --web.max-page-requests were being served.", nil}
	// BuildInfo is written by client_golang's version collector for the
	// namespace; it is listed here so that it is reserved like the rest.
	BuildInfo = Family{Namespace + "_build_info",
		"A metric with a constant '1' value labeled by version, revision, branch, goversion from which socsec was built, and the goos and goarch for the build.",
		[]string{"version", "revision", "branch", "goversion", "goos", "goarch", "tags"}}
)

// Metadata are the metadata families, in the order the collector sends them.
var Metadata = []Family{RegionInfo, ProgramInfo, CoverageTarget, ObservationInfo, LowerBound, UpperBound, LatestYear, SeriesNextDue, DatasetInfo, SourceInfo,
	DatasetSeries, DatasetRevisions, DatasetUnresolvedConflicts, DatasetCheckFailures, DatasetChecksAcknowledged, DatasetChecksUnchecked, DatasetObservations}

// Self are the self-metrics the exporter registers.
var Self = []Family{ReloadSuccessful, ReloadSuccessTime, FileLoadSuccess, FileLoadSuccessTime, RenderDuration, RenderWaitTimeouts,
	PageRequestsInFlight, PageRequests, PageRequestsRefused, BuildInfo}

// The built-in indicators checks refer to by name.
const (
	Coverage   = "socsec_coverage_ratio"
	Insured    = "socsec_insured_persons"
	Population = "socsec_population_persons"
)

// Catalog returns the built-in indicators, one per standard family, sorted by
// name. Each call returns fresh values so that callers cannot alter another's.
func Catalog() []*dataset.Indicator {
	return []*dataset.Indicator{
		{Name: "socsec_beneficiaries_persons", Help: "Persons receiving benefits of the programme (受益人数).", Unit: dataset.UnitPersons, PerProgram: true},
		{Name: "socsec_children_supported_persons", Help: "Children included in basic living security, by category (保障儿童人数).", Unit: dataset.UnitPersons, PerProgram: true, Dimensions: []string{"category"}},
		{Name: Coverage, Help: "Share of the target population covered by the programme, 0-1 (参保率/覆盖率).", Unit: dataset.UnitRatio, PerProgram: true},
		{Name: "socsec_fund_expenditure_annual_yuan", Help: "Annual fund expenditure of the programme in yuan (基金支出).", Unit: dataset.UnitYuan, PerProgram: true},
		{Name: "socsec_fund_income_annual_yuan", Help: "Annual fund income of the programme in yuan (基金收入).", Unit: dataset.UnitYuan, PerProgram: true},
		{Name: Insured, Help: "Persons participating in the programme (参保人数).", Unit: dataset.UnitPersons, PerProgram: true},
		{Name: "socsec_jurisdictions", Help: "Jurisdictions of the given level within the region.", Unit: dataset.UnitJurisdictions, Dimensions: []string{"jurisdiction_level"}},
		{Name: "socsec_jurisdictions_with_mechanism", Help: "Jurisdictions of the given level that have established the programme's mechanism.", Unit: dataset.UnitJurisdictions, PerProgram: true, Dimensions: []string{"jurisdiction_level"}},
		{Name: "socsec_pension_monthly_per_capita_yuan", Help: "Monthly pension per beneficiary in yuan (人均月养老金).", Unit: dataset.UnitYuan, PerProgram: true},
		{Name: Population, Help: "Population of the region, by population group (人口).", Unit: dataset.UnitPersons, Dimensions: []string{"population"}},
		{Name: "socsec_subsidy_annual_per_capita_yuan", Help: "Annual subsidy per capita in yuan (人均财政补助标准).", Unit: dataset.UnitYuan, PerProgram: true},
	}
}

// DataLabels returns the label names of an indicator's family, in the order
// the collector gives their values; period and basis only when some figure
// of the family has one, so that the series of others keep their identity.
func DataLabels(ind *dataset.Indicator, period, basis bool) []string {
	names := []string{RegionLabel}
	if ind.PerProgram {
		names = append(names, ProgramLabel)
	}
	names = append(names, ind.Dimensions...)
	if period {
		names = append(names, PeriodLabel)
	}
	if basis {
		names = append(names, BasisLabel)
	}
	return append(names, YearLabel)
}

// reservedPrefixes are the prefixes of the families client_golang's
// collectors and handler serve beside ours.
var reservedPrefixes = []string{"go_", "process_", "promhttp_"}

// Reserved says why a dataset may not declare an indicator of this name, or
// returns "": the name is one of the exporter's own families, or has the
// prefix of the runtime's.
func Reserved(name string) string {
	for _, f := range slices.Concat(Metadata, Self) {
		if f.Name == name {
			return "is reserved: the exporter serves a family of that name itself"
		}
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return "is reserved: names starting with " + p + " belong to the Go runtime and client_golang"
		}
	}
	return ""
}

// reservedDimensions are label names a dimension may not take: those the
// exporter sets on data series, and those Prometheus attaches or gives a
// meaning to.
var reservedDimensions = []string{RegionLabel, ProgramLabel, YearLabel, PeriodLabel, BasisLabel, "job", "instance", "le", "quantile"}

// ReservedDimension reports whether a dataset may not name a dimension name.
func ReservedDimension(name string) bool {
	return slices.Contains(reservedDimensions, name) || strings.HasPrefix(name, "__")
}

var (
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// targetLabels are the labels Prometheus attaches to every scraped series; a
// family of ours that had one would have it renamed to exported_<name>.
var targetLabels = []string{"job", "instance"}

// CheckFamily says what makes a family invalid in a scrape: a name or label
// name Prometheus does not accept, a label name twice, or one that Prometheus
// reserves or attaches itself.
func CheckFamily(name string, labels []string) error {
	if !metricNameRE.MatchString(name) {
		return fmt.Errorf("metric family %q: not a valid metric name", name)
	}
	for i, l := range labels {
		switch {
		case !labelNameRE.MatchString(l):
			return fmt.Errorf("metric family %s: %q is not a valid label name", name, l)
		case strings.HasPrefix(l, "__"):
			return fmt.Errorf("metric family %s: label %s: names starting with __ are reserved", name, l)
		case slices.Contains(targetLabels, l):
			return fmt.Errorf("metric family %s: label %s collides with the label Prometheus attaches to every target", name, l)
		case slices.Contains(labels[:i], l):
			return fmt.Errorf("metric family %s: label %s appears twice", name, l)
		}
	}
	return nil
}
