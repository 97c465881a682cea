// Package backfill lays the served figures out on a time axis: it writes every
// data series of a snapshot as OpenMetrics text that
// promtool tsdb create-blocks-from openmetrics turns into TSDB blocks. Each
// family keeps its metric name, HELP and labels except year; the year becomes
// the sample's timestamp instead, 31 December 00:00:00 UTC of that year.
package backfill

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// yearLabel is the label the exporter serves the statistical year in.
const yearLabel = "year"

// Timestamp is the instant a statistical year's figure is placed at: 31
// December 00:00:00 UTC of that year, so that the point falls inside the year
// it describes and a year's worth of later queries can still see it.
func Timestamp(year int) time.Time {
	return time.Date(year, time.December, 31, 0, 0, 0, 0, time.UTC)
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
// # EOF. Families come in name order, each with its HELP and TYPE; within a
// family every series is written whole, its samples in ascending time, as
// promtool requires.
func Write(w io.Writer, snap *dataset.Snapshot) error {
	data := make(map[string]bool, len(snap.Indicators))
	for _, ind := range snap.Indicators {
		data[ind.Name] = true
	}
	// The collector's families keep names, HELP and labels exactly those
	// served on /metrics.
	var families []collector.Family
	for _, f := range collector.Families(snap) {
		if data[f.Name] {
			families = append(families, f)
		}
	}
	slices.SortFunc(families, func(a, b collector.Family) int { return strings.Compare(a.Name, b.Name) })
	bw := bufio.NewWriter(w)
	for _, f := range families {
		all, err := groupSeries(f)
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

// groupSeries gathers the series of a family by their labels without year,
// sorted by labels, each with its samples sorted by time.
func groupSeries(f collector.Family) ([]*series, error) {
	yearAt := slices.Index(f.Labels, yearLabel)
	if yearAt < 0 {
		return nil, fmt.Errorf("%s has no %s label", f.Name, yearLabel)
	}
	// Label names in sorted order render a series as a scrape would.
	order := make([]int, 0, len(f.Labels)-1)
	for i := range f.Labels {
		if i != yearAt {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(f.Labels[a], f.Labels[b]) })
	byLabels := map[string]*series{}
	var all []*series
	var err error
	f.Series(func(value float64, labelValues ...string) {
		year, convErr := strconv.Atoi(labelValues[yearAt])
		if convErr != nil {
			err = fmt.Errorf("%s: year label %q is not a year: %w", f.Name, labelValues[yearAt], convErr)
			return
		}
		parts := make([]string, len(order))
		for j, i := range order {
			parts[j] = f.Labels[i] + `="` + escape(labelValues[i]) + `"`
		}
		labels := "{" + strings.Join(parts, ",") + "}"
		s := byLabels[labels]
		if s == nil {
			s = &series{labels: labels}
			byLabels[labels] = s
			all = append(all, s)
		}
		s.samples = append(s.samples, sample{ts: Timestamp(year).Unix(), value: value})
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
