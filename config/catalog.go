package config

import (
	"regexp"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

var (
	metricNameRE = regexp.MustCompile(`^socsec_[a-z][a-z0-9_]*[a-z0-9]$`)
	labelNameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	// reservedSuffixes are suffixes Prometheus gives a meaning that a gauge must not claim.
	reservedSuffixes = []string{"_total", "_count", "_sum", "_bucket", "_created", "_info", "_timestamp_seconds"}
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
	if msg := schema.Reserved(name); msg != "" {
		return msg
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
