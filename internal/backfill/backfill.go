// Package backfill lays the served figures out on a time axis: it writes every
// data series of a snapshot as OpenMetrics text that
// promtool tsdb create-blocks-from openmetrics turns into TSDB blocks. Each
// family keeps its metric name, HELP and labels except year; the year becomes
// the sample's timestamp instead, 31 December 00:00:00 UTC of that year. The
// region and programme names come along as socsec_region_info and
// socsec_program_info, so that dashboards on the history can show names.
package backfill

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// yearLabel is the label the exporter serves the statistical year in.
const yearLabel = schema.YearLabel

// Timestamp is the instant a statistical year's figure is placed at: 31
// December 00:00:00 UTC of that year, so that the point falls inside the year
// it describes and a year's worth of later queries can still see it.
func Timestamp(year int) time.Time {
	return time.Date(year, time.December, 31, 0, 0, 0, 0, time.UTC)
}

// nameFamilies are the metadata families dashboards join names from, each
// with the label that ties it to the data series.
var nameFamilies = map[string]string{schema.RegionInfo.Name: schema.RegionLabel, schema.ProgramInfo.Name: schema.ProgramLabel}

// Label is a constant label added to every series written, such as the job
// label that dashboards filter on.
type Label struct {
	Name, Value string
}

// labelName is what Prometheus accepts as a label name.
var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// ParseLabels parses name=value specifications into labels, refusing names
// Prometheus does not accept or reserves (those starting with __) and a name
// given twice.
func ParseLabels(specs []string) ([]Label, error) {
	labels := make([]Label, 0, len(specs))
	for _, spec := range specs {
		name, value, ok := strings.Cut(spec, "=")
		switch {
		case !ok:
			return nil, fmt.Errorf("label %q: want name=value", spec)
		case !labelName.MatchString(name):
			return nil, fmt.Errorf("label %q: %q is not a valid label name", spec, name)
		case strings.HasPrefix(name, "__"):
			return nil, fmt.Errorf("label %q: names starting with __ are reserved", spec)
		case slices.ContainsFunc(labels, func(l Label) bool { return l.Name == name }):
			return nil, fmt.Errorf("label %q: %s is given twice", spec, name)
		}
		labels = append(labels, Label{Name: name, Value: value})
	}
	return labels, nil
}

// Write writes every data series of snap to w as OpenMetrics, ending with
// # EOF, with the extra labels added to each series. The region and
// programme info series of the regions and programmes that have figures come
// too, with a sample at every year from the oldest to the newest figure, so
// that a name is there wherever a figure is. Families come in name order,
// each with its HELP and TYPE; within a family every series is written whole,
// its samples in ascending time, as promtool requires. An extra label that a
// family already has is an error. The text is expfmt's OpenMetrics encoding,
// one family at a time, so that only one family is held in memory at once.
func Write(w io.Writer, snap *dataset.Snapshot, extra ...Label) error {
	data := make(map[string]bool, len(snap.Indicators))
	for _, ind := range snap.Indicators {
		data[ind.Name] = true
	}
	used := map[string]map[string]bool{schema.RegionLabel: {}, schema.ProgramLabel: {}}
	first, last := 0, -1
	for i, o := range snap.Series {
		used[schema.RegionLabel][o.Region] = true
		used[schema.ProgramLabel][o.Program] = true
		if i == 0 {
			first, last = o.Year, o.Year
		}
		first, last = min(first, o.Year), max(last, o.Year)
	}
	var years []time.Time // The end of every year from the oldest figure to the newest.
	for year := first; year <= last; year++ {
		years = append(years, Timestamp(year))
	}
	// The collector's families keep names, HELP and labels exactly those
	// served on /metrics.
	var families []collector.Family
	for _, f := range collector.Families(snap) {
		if _, named := nameFamilies[f.Name]; data[f.Name] || named {
			families = append(families, f)
		}
	}
	slices.SortFunc(families, func(a, b collector.Family) int { return strings.Compare(a.Name, b.Name) })
	bw := bufio.NewWriter(w)
	enc := expfmt.NewEncoder(bw, expfmt.FmtOpenMetrics_1_0_0)
	for _, f := range families {
		yearsOf := yearLabelOf(f)
		if key, named := nameFamilies[f.Name]; named {
			at := slices.Index(f.Labels, key)
			yearsOf = func(labelValues []string) ([]time.Time, error) {
				if !used[key][labelValues[at]] {
					return nil, nil
				}
				return years, nil
			}
		}
		mf, err := metricFamily(f, extra, yearsOf)
		if err != nil {
			return err
		}
		if err := enc.Encode(mf); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	// Closing the OpenMetrics encoder writes the final # EOF.
	if err := enc.(expfmt.Closer).Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// yearLabelOf returns a function that reads the instant a series of a data
// family is placed at from its year label: the end of the year, or of its
// period for a figure of part of a year (a 2025-09 figure on 2025-09-30).
func yearLabelOf(f collector.Family) func(labelValues []string) ([]time.Time, error) {
	at, periodAt := slices.Index(f.Labels, yearLabel), slices.Index(f.Labels, schema.PeriodLabel)
	return func(labelValues []string) ([]time.Time, error) {
		if at < 0 {
			return nil, fmt.Errorf("%s has no %s label", f.Name, yearLabel)
		}
		year, err := strconv.Atoi(labelValues[at])
		if err != nil {
			return nil, fmt.Errorf("%s: year label %q is not a year: %w", f.Name, labelValues[at], err)
		}
		o := dataset.Observation{Year: year}
		if periodAt >= 0 {
			o.Period = labelValues[periodAt]
		}
		return []time.Time{o.PeriodEnd()}, nil
	}
}

// series is one labelled series of a family without its year label.
type series struct {
	key     string // Label values in sorted label name order, as appendKey writes them.
	labels  []*dto.LabelPair
	samples []sample
}

// sample is one year of a series.
type sample struct {
	ms    int64 // Unix milliseconds.
	value float64
}

// metricFamily gathers the series of a family by their labels without year
// and with the extra labels, each with a sample at every year yearsOf gives
// for it, into a gauge family for expfmt: a series is one dto.Metric per
// sample, all with the same labels and consecutive in ascending time, and
// the series are sorted by label values in the order of the sorted label
// names, as a registry sorts a scrape.
func metricFamily(f collector.Family, extra []Label, yearsOf func(labelValues []string) ([]time.Time, error)) (*dto.MetricFamily, error) {
	// A label is an index into the family's labels, or an extra label's
	// value; label names are sorted as a registry sorts them.
	type label struct {
		name  string
		index int
		value string
	}
	var order []label
	for i, name := range f.Labels {
		if name != yearLabel {
			order = append(order, label{name: name, index: i})
		}
	}
	for _, l := range extra {
		if slices.Contains(f.Labels, l.Name) {
			return nil, fmt.Errorf("label %s is already a label of %s", l.Name, f.Name)
		}
		order = append(order, label{name: l.Name, index: -1, value: l.Value})
	}
	slices.SortFunc(order, func(a, b label) int { return strings.Compare(a.name, b.name) })
	byKey := map[string]*series{}
	var all []*series
	var err error
	var key []byte
	f.Series(func(value float64, labelValues ...string) {
		years, yearsErr := yearsOf(labelValues)
		if yearsErr != nil && err == nil {
			err = yearsErr
		}
		if len(years) == 0 {
			return
		}
		key = key[:0]
		for _, l := range order {
			if l.index >= 0 {
				key = appendKey(key, labelValues[l.index])
			}
		}
		s := byKey[string(key)]
		if s == nil {
			s = &series{key: string(key), labels: make([]*dto.LabelPair, len(order))}
			for j, l := range order {
				v := l.value
				if l.index >= 0 {
					v = labelValues[l.index]
				}
				s.labels[j] = &dto.LabelPair{Name: &order[j].name, Value: &v}
			}
			byKey[s.key] = s
			all = append(all, s)
		}
		for _, t := range years {
			s.samples = append(s.samples, sample{ms: t.UnixMilli(), value: value})
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b *series) int { return strings.Compare(a.key, b.key) })
	n := 0
	for _, s := range all {
		slices.SortFunc(s.samples, func(a, b sample) int { return cmp.Compare(a.ms, b.ms) })
		n += len(s.samples)
	}
	gauge := dto.MetricType_GAUGE
	mf := &dto.MetricFamily{Name: &f.Name, Help: &f.Help, Type: &gauge, Metric: make([]*dto.Metric, 0, n)}
	// The metrics point into these, allocated once for the whole family.
	gauges := make([]dto.Gauge, n)
	metrics := make([]dto.Metric, n)
	ms := make([]int64, n)
	values := make([]float64, n)
	i := 0
	for _, s := range all {
		for _, p := range s.samples {
			ms[i], values[i] = p.ms, p.value
			gauges[i].Value = &values[i]
			metrics[i].Label, metrics[i].Gauge, metrics[i].TimestampMs = s.labels, &gauges[i], &ms[i]
			mf.Metric = append(mf.Metric, &metrics[i])
			i++
		}
	}
	return mf, nil
}

// appendKey appends v so that comparing the concatenated keys of two series
// byte by byte compares their label values one by one, in the order a
// registry sorts series: 0x00 ends a value, and a 0x00 or 0x01 inside one
// becomes 0x01 followed by it plus one, which sorts after the end marker.
func appendKey(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] <= 1 {
			b = append(b, 1, v[i]+1)
		} else {
			b = append(b, v[i])
		}
	}
	return append(b, 0)
}
