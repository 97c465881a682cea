// Package collector publishes a dataset.Snapshot as Prometheus metrics: one
// gauge family per indicator, labelled by region, programme, year and the
// indicator's dimensions, plus info families that trace every figure to its
// source. Samples never carry timestamps: the year is a label.
package collector

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// The metadata families; the data families come from the indicators.
var (
	regionInfo = family{"socsec_region_info",
		"Region metadata; join names with * on (region_code) group_left (region_name) socsec_region_info.",
		[]string{"region_code", "region_name", "region_name_en", "region_level", "parent_code"}}
	programInfo = family{"socsec_program_info",
		"Programme metadata; join names with * on (program) group_left (program_name) socsec_program_info.",
		[]string{"program", "program_name"}}
	datasetInfo = family{"socsec_dataset_info",
		"Dataset metadata.", []string{"dataset", "title", "publisher", "license", "file"}}
	sourceInfo = family{"socsec_source_info",
		"Publication that figures come from; published is the publication date.",
		[]string{"dataset", "source", "title", "url", "publisher", "published"}}
	observationInfo = family{"socsec_observation_info",
		"Provenance of each served figure: its source and qualifier (exact, approximately, at_least, at_most).",
		[]string{"metric", "region_code", "program", "year", "dimensions", "dataset", "source", "qualifier"}}
	latestYear = family{"socsec_latest_data_year",
		"Latest year published for the metric, region and programme; the value is that year. Select the latest figures with: and on (region_code, program, year) socsec_latest_data_year{metric=\"...\"}.",
		[]string{"metric", "region_code", "program", "year"}}
	target = family{"socsec_coverage_target_ratio",
		"Policy coverage target, 0-1; region_code=\"\" is the programme default, a region_code overrides it for that region.",
		[]string{"program", "region_code"}}
	seriesCount = family{"socsec_dataset_series",
		"Data series the dataset serves.", []string{"dataset"}}
	observationCount = family{"socsec_dataset_observations",
		"Figures the dataset serves, by qualifier.", []string{"dataset", "qualifier"}}
	revisionCount = family{"socsec_dataset_revisions",
		"Figures of the dataset replaced by a later-published source.", []string{"dataset"}}
	checkFailureCount = family{"socsec_dataset_check_failures",
		"Consistency checks that figures of the dataset fail; socsec_exporter check lists them.", []string{"dataset"}}
)

// Collector publishes the current snapshot. It is an unchecked collector (its
// Describe sends nothing) because the families it serves come from the data
// and change with every reload.
type Collector struct {
	snapshot func() *dataset.Snapshot
}

// New returns a Collector that reads the snapshot through get once per
// collection, so that a reload swapping it never mixes two versions.
func New(get func() *dataset.Snapshot) *Collector {
	return &Collector{snapshot: get}
}

// Describe sends nothing: see Collector.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Collect sends every metric of the current snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	snap := c.snapshot()
	if snap == nil {
		return
	}
	for _, f := range Families(snap) {
		desc := prometheus.NewDesc(f.Name, f.Help, f.Labels, nil)
		f.Series(func(value float64, labelValues ...string) {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, value, labelValues...)
		})
	}
}

// Family is one gauge family of a snapshot with a way to walk its series. It
// is the single description of what the exporter serves: Collect turns it
// into const metrics, and a pre-renderer can write it out directly without
// building a metric object per series.
type Family struct {
	Name   string
	Help   string
	Labels []string // Label names, in the order Series passes their values.
	// Series calls emit once per series with its value and label values.
	Series func(emit func(value float64, labelValues ...string))
}

// family builds a Family from a package-level descriptor's parts.
type family struct {
	name, help string
	labels     []string
}

func (f family) with(series func(emit func(float64, ...string))) Family {
	return Family{Name: f.name, Help: f.help, Labels: f.labels, Series: series}
}

// Families returns every family of snap: one per indicator with series, then
// the metadata families. The order of families and series is not sorted;
// encoders sort as Prometheus registries do.
func Families(snap *dataset.Snapshot) []Family {
	families := dataFamilies(snap)
	return append(families, metadataFamilies(snap)...)
}

// dataLabels are the label names of an indicator's family.
func dataLabels(ind *dataset.Indicator) []string {
	names := []string{"region_code"}
	if ind.PerProgram {
		names = append(names, "program")
	}
	names = append(names, ind.Dimensions...)
	return append(names, "year")
}

// dataLabelValues returns the label values of o in the order of dataLabels.
func dataLabelValues(o *dataset.Observation) []string {
	values := make([]string, 0, 3+len(o.Dimensions))
	values = append(values, o.Region)
	if o.Indicator.PerProgram {
		values = append(values, o.Program)
	}
	values = append(values, o.Dimensions...)
	return append(values, strconv.Itoa(o.Year))
}

func dataFamilies(snap *dataset.Snapshot) []Family {
	byIndicator := make(map[*dataset.Indicator][]*dataset.Observation, len(snap.Indicators))
	// Series are sorted by indicator name, so each family is one contiguous run.
	for i := 0; i < len(snap.Series); {
		j := i + 1
		for j < len(snap.Series) && snap.Series[j].Indicator == snap.Series[i].Indicator {
			j++
		}
		// A run is shared, not copied; the capacity limit makes a second run of
		// the same indicator, should there be one, append to a copy.
		ind := snap.Series[i].Indicator
		if byIndicator[ind] == nil {
			byIndicator[ind] = snap.Series[i:j:j]
		} else {
			byIndicator[ind] = append(byIndicator[ind], snap.Series[i:j]...)
		}
		i = j
	}
	families := make([]Family, 0, len(snap.Indicators))
	for _, ind := range snap.Indicators {
		series := byIndicator[ind]
		families = append(families, Family{Name: ind.Name, Help: ind.Help, Labels: dataLabels(ind),
			Series: func(emit func(float64, ...string)) {
				for _, o := range series {
					emit(o.Value, dataLabelValues(o)...)
				}
			}})
	}
	return families
}

// latestKey identifies a series up to its year and dimensions.
type latestKey struct {
	metric, region, program string
}

func metadataFamilies(snap *dataset.Snapshot) []Family {
	return []Family{
		regionInfo.with(func(emit func(float64, ...string)) {
			for _, r := range snap.Regions {
				emit(1, r.Code, r.Name, r.NameEN, r.Level, r.Parent)
			}
		}),
		programInfo.with(func(emit func(float64, ...string)) {
			for _, p := range snap.Programs {
				emit(1, p.ID, p.Name)
			}
		}),
		target.with(func(emit func(float64, ...string)) {
			for _, t := range snap.Targets {
				emit(t.Ratio, t.Program, t.Region)
			}
		}),
		observationInfo.with(func(emit func(float64, ...string)) {
			for _, o := range snap.Series {
				emit(1, o.Indicator.Name, o.Region, o.Program, strconv.Itoa(o.Year), o.DimensionString(), o.Dataset.ID, o.Source.ID, string(o.Qualifier))
			}
		}),
		latestYear.with(func(emit func(float64, ...string)) {
			latest := map[latestKey]int{}
			for _, o := range snap.Series {
				k := latestKey{o.Indicator.Name, o.Region, o.Program}
				latest[k] = max(latest[k], o.Year)
			}
			for k, year := range latest {
				emit(float64(year), k.metric, k.region, k.program, strconv.Itoa(year))
			}
		}),
		datasetInfo.with(func(emit func(float64, ...string)) {
			for _, ds := range snap.Datasets {
				emit(1, ds.ID, ds.Title, ds.Publisher, ds.License, ds.File)
			}
		}),
		sourceInfo.with(func(emit func(float64, ...string)) {
			for _, ds := range snap.Datasets {
				for _, s := range ds.Sources {
					emit(1, ds.ID, s.ID, s.Title, s.URL, s.Publisher, s.Published.Format(time.DateOnly))
				}
			}
		}),
		seriesCount.with(func(emit func(float64, ...string)) {
			series := snap.SeriesCount()
			for _, ds := range snap.Datasets {
				emit(float64(series[ds.ID]), ds.ID)
			}
		}),
		revisionCount.with(func(emit func(float64, ...string)) {
			revisions := map[string]int{}
			for _, r := range snap.Revisions {
				revisions[r.Old.Dataset.ID]++
			}
			for _, ds := range snap.Datasets {
				emit(float64(revisions[ds.ID]), ds.ID)
			}
		}),
		checkFailureCount.with(func(emit func(float64, ...string)) {
			for _, ds := range snap.Datasets {
				emit(float64(snap.CheckFailures[ds.ID]), ds.ID)
			}
		}),
		observationCount.with(func(emit func(float64, ...string)) {
			qualifiers := map[string]map[dataset.Qualifier]int{}
			for _, o := range snap.Series {
				if qualifiers[o.Dataset.ID] == nil {
					qualifiers[o.Dataset.ID] = map[dataset.Qualifier]int{}
				}
				qualifiers[o.Dataset.ID][o.Qualifier]++
			}
			for _, ds := range snap.Datasets {
				for _, q := range dataset.Qualifiers {
					emit(float64(qualifiers[ds.ID][q]), ds.ID, string(q))
				}
			}
		}),
	}
}
