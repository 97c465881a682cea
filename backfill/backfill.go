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

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/dataset"
	"github.com/socsec-exporter/socsec_exporter/schema"
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

// sample is one year of a series.
type sample struct {
	ts    int64 // Unix seconds.
	value float64
}

// series is one labelled series of a family without its year label.
type series struct {
	labels  string // Rendered {k="v",...}, also the sort key.
	samples []sample
}

// Write writes every data series of snap to w as OpenMetrics, ending with
// # EOF, with the extra labels added to each series. The region and
// programme info series of the regions and programmes that have figures come
// too, with a sample at every year from the oldest to the newest figure, so
// that a name is there wherever a figure is. Families come in name order,
// each with its HELP and TYPE; within a family every series is written whole,
// its samples in ascending time, as promtool requires. An extra label that a
// family already has is an error.
func Write(w io.Writer, snap *dataset.Snapshot, extra ...Label) error {
	data := make(map[string]bool, len(snap.Indicators))
	for _, ind := range snap.Indicators {
		data[ind.Name] = true
	}
	used := map[string]map[string]bool{"region_code": {}, "program": {}}
	first, last := 0, -1
	for i, o := range snap.Series {
		used["region_code"][o.Region] = true
		used["program"][o.Program] = true
		if i == 0 {
			first, last = o.Year, o.Year
		}
		first, last = min(first, o.Year), max(last, o.Year)
	}
	var years []int // Every year from the oldest figure to the newest.
	for year := first; year <= last; year++ {
		years = append(years, year)
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
	for _, f := range families {
		yearsOf := yearLabelOf(f)
		if key, named := nameFamilies[f.Name]; named {
			at := slices.Index(f.Labels, key)
			yearsOf = func(labelValues []string) ([]int, error) {
				if !used[key][labelValues[at]] {
					return nil, nil
				}
				return years, nil
			}
		}
		all, err := groupSeries(f, extra, yearsOf)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s gauge\n", f.Name, escape(f.Help), f.Name)
		for _, s := range all {
			for _, p := range s.samples {
				fmt.Fprintf(bw, "%s%s %s %d\n", f.Name, s.labels, strconv.FormatFloat(p.value, 'f', -1, 64), p.ts)
			}
		}
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}

// yearLabelOf returns a function that reads the statistical year of a
// series of a data family from its year label.
func yearLabelOf(f collector.Family) func(labelValues []string) ([]int, error) {
	at := slices.Index(f.Labels, yearLabel)
	return func(labelValues []string) ([]int, error) {
		if at < 0 {
			return nil, fmt.Errorf("%s has no %s label", f.Name, yearLabel)
		}
		year, err := strconv.Atoi(labelValues[at])
		if err != nil {
			return nil, fmt.Errorf("%s: year label %q is not a year: %w", f.Name, labelValues[at], err)
		}
		return []int{year}, nil
	}
}

// groupSeries gathers the series of a family by their labels without year
// and with the extra labels, sorted by labels, each with a sample at every
// year yearsOf gives for it, sorted by time.
func groupSeries(f collector.Family, extra []Label, yearsOf func(labelValues []string) ([]int, error)) ([]*series, error) {
	// A label is an index into the family's labels, or an extra label's
	// value; label names in sorted order render a series as a scrape would.
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
	byLabels := map[string]*series{}
	var all []*series
	var err error
	f.Series(func(value float64, labelValues ...string) {
		years, yearsErr := yearsOf(labelValues)
		if yearsErr != nil {
			err = yearsErr
		}
		if len(years) == 0 {
			return
		}
		parts := make([]string, len(order))
		for j, l := range order {
			v := l.value
			if l.index >= 0 {
				v = labelValues[l.index]
			}
			parts[j] = l.name + `="` + escape(v) + `"`
		}
		labels := "{" + strings.Join(parts, ",") + "}"
		s := byLabels[labels]
		if s == nil {
			s = &series{labels: labels}
			byLabels[labels] = s
			all = append(all, s)
		}
		for _, year := range years {
			s.samples = append(s.samples, sample{ts: Timestamp(year).Unix(), value: value})
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b *series) int { return strings.Compare(a.labels, b.labels) })
	for _, s := range all {
		slices.SortFunc(s.samples, func(a, b sample) int { return cmp.Compare(a.ts, b.ts) })
	}
	return all, nil
}

// escaper escapes HELP text and label values as OpenMetrics requires.
var escaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escape(s string) string {
	return escaper.Replace(s)
}
