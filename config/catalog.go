package config

import (
	"regexp"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// Namespace prefixes every metric the exporter serves.
const Namespace = "socsec"

// Catalog returns the built-in indicators, one per standard family, sorted by
// name. Each call returns fresh values so that callers cannot alter another's.
func Catalog() []*dataset.Indicator {
	return []*dataset.Indicator{
		{Name: "socsec_beneficiaries_persons", Help: "Persons receiving benefits of the programme (受益人数).", Unit: dataset.UnitPersons, PerProgram: true},
		{Name: "socsec_children_supported_persons", Help: "Children included in basic living security, by category (保障儿童人数).", Unit: dataset.UnitPersons, PerProgram: true, Dimensions: []string{"category"}},
		{Name: "socsec_coverage_ratio", Help: "Share of the target population covered by the programme, 0-1 (参保率/覆盖率).", Unit: dataset.UnitRatio, PerProgram: true},
		{Name: "socsec_fund_expenditure_annual_yuan", Help: "Annual fund expenditure of the programme in yuan (基金支出).", Unit: dataset.UnitYuan, PerProgram: true},
		{Name: "socsec_fund_income_annual_yuan", Help: "Annual fund income of the programme in yuan (基金收入).", Unit: dataset.UnitYuan, PerProgram: true},
		{Name: "socsec_insured_persons", Help: "Persons participating in the programme (参保人数).", Unit: dataset.UnitPersons, PerProgram: true},
		{Name: "socsec_jurisdictions", Help: "Jurisdictions of the given level within the region.", Unit: dataset.UnitJurisdictions, Dimensions: []string{"jurisdiction_level"}},
		{Name: "socsec_jurisdictions_with_mechanism", Help: "Jurisdictions of the given level that have established the programme's mechanism.", Unit: dataset.UnitJurisdictions, PerProgram: true, Dimensions: []string{"jurisdiction_level"}},
		{Name: "socsec_pension_monthly_per_capita_yuan", Help: "Monthly pension per beneficiary in yuan (人均月养老金).", Unit: dataset.UnitYuan, PerProgram: true},
		{Name: "socsec_population_persons", Help: "Population of the region, by population group (人口).", Unit: dataset.UnitPersons, Dimensions: []string{"population"}},
		{Name: "socsec_subsidy_annual_per_capita_yuan", Help: "Annual subsidy per capita in yuan (人均财政补助标准).", Unit: dataset.UnitYuan, PerProgram: true},
	}
}

var (
	metricNameRE = regexp.MustCompile(`^socsec_[a-z][a-z0-9_]*[a-z0-9]$`)
	labelNameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	// reservedSuffixes are suffixes Prometheus gives a meaning that a gauge must not claim.
	reservedSuffixes = []string{"_total", "_count", "_sum", "_bucket", "_created", "_info", "_timestamp_seconds"}
	// reservedLabels are labels the exporter sets itself or Prometheus attaches.
	reservedLabels = map[string]bool{"region_code": true, "program": true, "year": true, "job": true, "instance": true, "le": true, "quantile": true}
	// unitSuffixes maps each unit to the suffix its metric names must carry.
	unitSuffixes = map[dataset.Unit]string{
		dataset.UnitRatio:         "_ratio",
		dataset.UnitPersons:       "_persons",
		dataset.UnitYuan:          "_yuan",
		dataset.UnitJurisdictions: "",
	}
)

// checkIndicatorName says what is wrong with a declared indicator's metric
// name under Prometheus naming rules, or returns "".
func checkIndicatorName(name string, unit dataset.Unit) string {
	if !metricNameRE.MatchString(name) || strings.Contains(name, "__") {
		return "must be lower snake case starting with socsec_, e.g. socsec_pension_recipients_persons"
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(name, s) {
			return "must not end in " + s + ": that suffix means something else to Prometheus"
		}
	}
	if strings.Contains(name, "percent") {
		return "must not be a percentage: publish a ratio 0..1 with unit ratio"
	}
	if suffix := unitSuffixes[unit]; suffix != "" && !strings.HasSuffix(name, suffix) {
		return "must end in " + suffix + " for unit " + string(unit)
	}
	return ""
}
