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

var (
	regionInfoDesc = prometheus.NewDesc("socsec_region_info",
		"Region metadata; join names with * on (region_code) group_left (region_name) socsec_region_info.",
		[]string{"region_code", "region_name", "region_name_en", "region_level", "parent_code"}, nil)
	programInfoDesc = prometheus.NewDesc("socsec_program_info",
		"Programme metadata; join names with * on (program) group_left (program_name) socsec_program_info.",
		[]string{"program", "program_name"}, nil)
	datasetInfoDesc = prometheus.NewDesc("socsec_dataset_info",
		"Dataset metadata.", []string{"dataset", "title", "publisher", "license", "file"}, nil)
	sourceInfoDesc = prometheus.NewDesc("socsec_source_info",
		"Publication that figures come from; published is the publication date.",
		[]string{"dataset", "source", "title", "url", "publisher", "published"}, nil)
	observationInfoDesc = prometheus.NewDesc("socsec_observation_info",
		"Provenance of each served figure: its source and qualifier (exact, approximately, at_least, at_most).",
		[]string{"metric", "region_code", "program", "year", "dimensions", "dataset", "source", "qualifier"}, nil)
	latestYearDesc = prometheus.NewDesc("socsec_latest_data_year",
		"Latest year published for the metric, region and programme; the value is that year. Select the latest figures with: and on (region_code, program, year) socsec_latest_data_year{metric=\"...\"}.",
		[]string{"metric", "region_code", "program", "year"}, nil)
	targetDesc = prometheus.NewDesc("socsec_coverage_target_ratio",
		"Policy coverage target, 0-1; region_code=\"\" is the programme default, a region_code overrides it for that region.",
		[]string{"program", "region_code"}, nil)
	seriesDesc = prometheus.NewDesc("socsec_dataset_series",
		"Data series the dataset serves.", []string{"dataset"}, nil)
	observationsDesc = prometheus.NewDesc("socsec_dataset_observations",
		"Figures the dataset serves, by qualifier.", []string{"dataset", "qualifier"}, nil)
	revisionsDesc = prometheus.NewDesc("socsec_dataset_revisions",
		"Figures of the dataset replaced by a later-published source.", []string{"dataset"}, nil)
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
	collectData(ch, snap)
	collectMetadata(ch, snap)
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

func collectData(ch chan<- prometheus.Metric, snap *dataset.Snapshot) {
	descs := make(map[*dataset.Indicator]*prometheus.Desc, len(snap.Indicators))
	for _, ind := range snap.Indicators {
		descs[ind] = prometheus.NewDesc(ind.Name, ind.Help, dataLabels(ind), nil)
	}
	for _, o := range snap.Series {
		ch <- prometheus.MustNewConstMetric(descs[o.Indicator], prometheus.GaugeValue, o.Value, dataLabelValues(o)...)
	}
}

// latestKey identifies a series up to its year and dimensions.
type latestKey struct {
	metric, region, program string
}

func collectMetadata(ch chan<- prometheus.Metric, snap *dataset.Snapshot) {
	for _, r := range snap.Regions {
		ch <- prometheus.MustNewConstMetric(regionInfoDesc, prometheus.GaugeValue, 1, r.Code, r.Name, r.NameEN, r.Level, r.Parent)
	}
	for _, p := range snap.Programs {
		ch <- prometheus.MustNewConstMetric(programInfoDesc, prometheus.GaugeValue, 1, p.ID, p.Name)
	}
	for _, t := range snap.Targets {
		ch <- prometheus.MustNewConstMetric(targetDesc, prometheus.GaugeValue, t.Ratio, t.Program, t.Region)
	}
	latest := map[latestKey]int{}
	qualifiers := map[string]map[dataset.Qualifier]int{}
	for _, o := range snap.Series {
		k := latestKey{o.Indicator.Name, o.Region, o.Program}
		latest[k] = max(latest[k], o.Year)
		if qualifiers[o.Dataset.ID] == nil {
			qualifiers[o.Dataset.ID] = map[dataset.Qualifier]int{}
		}
		qualifiers[o.Dataset.ID][o.Qualifier]++
		ch <- prometheus.MustNewConstMetric(observationInfoDesc, prometheus.GaugeValue, 1,
			o.Indicator.Name, o.Region, o.Program, strconv.Itoa(o.Year), o.DimensionString(), o.Dataset.ID, o.Source.ID, string(o.Qualifier))
	}
	for k, year := range latest {
		ch <- prometheus.MustNewConstMetric(latestYearDesc, prometheus.GaugeValue, float64(year), k.metric, k.region, k.program, strconv.Itoa(year))
	}
	revisions := map[string]int{}
	for _, r := range snap.Revisions {
		revisions[r.Old.Dataset.ID]++
	}
	series := snap.SeriesCount()
	for _, ds := range snap.Datasets {
		ch <- prometheus.MustNewConstMetric(datasetInfoDesc, prometheus.GaugeValue, 1, ds.ID, ds.Title, ds.Publisher, ds.License, ds.File)
		for _, s := range ds.Sources {
			ch <- prometheus.MustNewConstMetric(sourceInfoDesc, prometheus.GaugeValue, 1, ds.ID, s.ID, s.Title, s.URL, s.Publisher, s.Published.Format(time.DateOnly))
		}
		ch <- prometheus.MustNewConstMetric(seriesDesc, prometheus.GaugeValue, float64(series[ds.ID]), ds.ID)
		ch <- prometheus.MustNewConstMetric(revisionsDesc, prometheus.GaugeValue, float64(revisions[ds.ID]), ds.ID)
		for _, q := range dataset.Qualifiers {
			ch <- prometheus.MustNewConstMetric(observationsDesc, prometheus.GaugeValue, float64(qualifiers[ds.ID][q]), ds.ID, string(q))
		}
	}
}
