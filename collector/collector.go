// Package collector publishes a dataset.Snapshot as Prometheus metrics: one
// gauge family per indicator, labelled by region, programme, year and the
// indicator's dimensions, plus info families that trace every figure to its
// source. Samples never carry timestamps: the year is a label.
package collector

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
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
	// The slice of label values is reused from call to call, so emit may
	// keep the strings but not the slice.
	Series func(emit func(value float64, labelValues ...string))
	// Size is how many times Series calls emit, when that is known
	// beforehand, else 0: a renderer sizes its buffers once rather than
	// growing them series by series.
	Size int
}

// with gives a family of the schema its series.
func with(f schema.Family, series func(emit func(float64, ...string))) Family {
	return Family{Name: f.Name, Help: f.Help, Labels: f.Labels, Series: series}
}

func (f Family) sized(n int) Family {
	f.Size = n
	return f
}

// Families returns every family of snap: one per indicator with series, then
// the metadata families. The order of families and series is not sorted;
// encoders sort as Prometheus registries do.
func Families(snap *dataset.Snapshot) []Family {
	families := dataFamilies(snap)
	return append(families, metadataFamilies(snap)...)
}

// dataLabelValues appends the label values of o in the order of
// schema.DataLabels to values.
func dataLabelValues(values []string, o *dataset.Observation, period, basis bool) []string {
	values = append(values, o.Region)
	if o.Indicator.PerProgram {
		values = append(values, o.Program)
	}
	values = append(values, o.Dimensions...)
	if period {
		values = append(values, o.Period)
	}
	if basis {
		values = append(values, o.Basis)
	}
	return append(values, yearLabel(o.Year))
}

// figureLabelValues appends the label values that name the figure o, the
// first of the provenance and bound families, to values.
func figureLabelValues(values []string, o *dataset.Observation) []string {
	return append(values, o.Indicator.Name, o.Region, o.Program, yearLabel(o.Year), o.Period, o.Basis, o.DimensionString())
}

// firstYear is the first year data may have; years holds the labels of it
// and the years after, formatted once rather than for every series.
const firstYear = 1900

var years = func() (labels [200]string) {
	for i := range labels {
		labels[i] = strconv.Itoa(firstYear + i)
	}
	return labels
}()

// yearLabel returns the label value of year.
func yearLabel(year int) string {
	if i := year - firstYear; i >= 0 && i < len(years) {
		return years[i]
	}
	return strconv.Itoa(year)
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
		period := slices.ContainsFunc(series, func(o *dataset.Observation) bool { return o.Period != "" })
		basis := slices.ContainsFunc(series, func(o *dataset.Observation) bool { return o.Basis != "" })
		families = append(families, Family{Name: ind.Name, Help: ind.Help, Labels: schema.DataLabels(ind, period, basis), Size: len(series),
			Series: func(emit func(float64, ...string)) {
				var values []string
				for _, o := range series {
					values = dataLabelValues(values[:0], o, period, basis)
					emit(o.Value, values...)
				}
			}})
	}
	return families
}

func metadataFamilies(snap *dataset.Snapshot) []Family {
	return []Family{
		with(schema.RegionInfo, func(emit func(float64, ...string)) {
			for _, r := range snap.Regions {
				emit(1, r.Code, r.Name, r.NameEN, r.Level, r.Parent)
			}
		}),
		with(schema.ProgramInfo, func(emit func(float64, ...string)) {
			for _, p := range snap.Programs {
				emit(1, p.ID, p.Name)
			}
		}),
		with(schema.CoverageTarget, func(emit func(float64, ...string)) {
			for _, t := range snap.Targets {
				emit(t.Ratio, t.Program, t.Region)
			}
		}),
		with(schema.ObservationInfo, func(emit func(float64, ...string)) {
			// Figures have few distinct precisions, each formatted once,
			// and a figure mostly has the last one's.
			precisions := map[float64]string{}
			var values []string
			last, precision := math.NaN(), ""
			for _, o := range snap.Series {
				if o.Precision != last {
					var ok bool
					if precision, ok = precisions[o.Precision]; !ok {
						precision = strconv.FormatFloat(o.Precision, 'f', -1, 64)
						precisions[o.Precision] = precision
					}
					last = o.Precision
				}
				values = append(figureLabelValues(values[:0], o), o.Dataset.ID, o.Source.ID, string(o.Qualifier), precision, strings.Join(o.Flags(), ","))
				emit(1, values...)
			}
		}).sized(len(snap.Series)),
		with(schema.LowerBound, func(emit func(float64, ...string)) {
			emitBounds(snap, emit, func(lo, _ float64) float64 { return lo })
		}),
		with(schema.UpperBound, func(emit func(float64, ...string)) {
			emitBounds(snap, emit, func(_, hi float64) float64 { return hi })
		}),
		with(schema.LatestYear, func(emit func(float64, ...string)) {
			eachRhythm(snap, func(r rhythm) {
				emit(float64(r.latest), r.first.Indicator.Name, r.first.Region, r.first.Program, yearLabel(r.latest))
			})
		}),
		with(schema.SeriesNextDue, func(emit func(float64, ...string)) {
			eachRhythm(snap, func(r rhythm) {
				if r.previous == 0 || r.closed {
					return // One year shows no rhythm, and a closed compilation gains none: nothing is expected next.
				}
				next := 2*r.latest - r.previous
				emit(float64(dueTime(next, r.lag).Unix()), r.first.Indicator.Name, r.first.Region, r.first.Program, yearLabel(next))
			})
		}),
		with(schema.DatasetInfo, func(emit func(float64, ...string)) {
			for _, ds := range snap.Datasets {
				emit(1, ds.ID, ds.Title, ds.Publisher, ds.License, ds.File)
			}
		}),
		with(schema.SourceInfo, func(emit func(float64, ...string)) {
			for _, ds := range snap.Datasets {
				for _, s := range ds.Sources {
					emit(1, ds.ID, s.ID, s.Title, s.URL, s.Publisher, dataset.DateOnly(s.Published), dataset.DateOnly(s.Released), strconv.Itoa(s.Authority))
				}
			}
		}),
		with(schema.DatasetSeries, func(emit func(float64, ...string)) {
			series := snap.SeriesCount()
			for _, ds := range snap.Datasets {
				emit(float64(series[ds.ID]), ds.ID)
			}
		}),
		with(schema.DatasetRevisions, func(emit func(float64, ...string)) {
			revisions := map[string]int{}
			for _, r := range snap.Revisions {
				revisions[r.Old.Dataset.ID]++
			}
			for _, ds := range snap.Datasets {
				emit(float64(revisions[ds.ID]), ds.ID)
			}
		}),
		with(schema.DatasetUnresolvedConflicts, func(emit func(float64, ...string)) {
			conflicts := map[string]int{}
			for _, c := range snap.Conflicts {
				seen := map[string]bool{}
				for _, o := range c.Figures {
					if !seen[o.Dataset.ID] {
						seen[o.Dataset.ID] = true
						conflicts[o.Dataset.ID]++
					}
				}
			}
			for _, ds := range snap.Datasets {
				emit(float64(conflicts[ds.ID]), ds.ID)
			}
		}),
		with(schema.DatasetCheckFailures, func(emit func(float64, ...string)) {
			failures := snap.CheckFailures()
			for _, ds := range snap.Datasets {
				emit(float64(failures[ds.ID]), ds.ID)
			}
		}),
		with(schema.DatasetChecksAcknowledged, func(emit func(float64, ...string)) {
			acknowledged := snap.CheckAcknowledged()
			for _, ds := range snap.Datasets {
				emit(float64(acknowledged[ds.ID]), ds.ID)
			}
		}),
		with(schema.DatasetChecksUnchecked, func(emit func(float64, ...string)) {
			unchecked := snap.CheckUnchecked()
			for _, ds := range snap.Datasets {
				emit(float64(unchecked[ds.ID]), ds.ID)
			}
		}),
		with(schema.DatasetObservations, func(emit func(float64, ...string)) {
			qualifiers := map[string]map[dataset.Qualifier]int{}
			var counts map[dataset.Qualifier]int // Of the last series' dataset, mostly the next one's.
			var last *dataset.Dataset
			for _, o := range snap.Series {
				if o.Dataset != last {
					last = o.Dataset
					if counts = qualifiers[last.ID]; counts == nil {
						counts = map[dataset.Qualifier]int{}
						qualifiers[last.ID] = counts
					}
				}
				counts[o.Qualifier]++
			}
			for _, ds := range snap.Datasets {
				for _, q := range dataset.Qualifiers {
					emit(float64(qualifiers[ds.ID][q]), ds.ID, string(q))
				}
			}
		}),
	}
}

// rhythm is what the annual figures of one metric, region and programme
// say of when the next is due: over every basis and dimension, as
// socsec_latest_data_year takes them.
type rhythm struct {
	first            *dataset.Observation // The first annual figure, which names the series.
	latest, previous int                  // The latest two years with a figure; previous is 0 when there is one.
	lag              int                  // The longest publication lag of the datasets of the latest year, in months.
	closed           bool                 // Every dataset of the latest year is closed: no next year is due.
}

// eachRhythm calls f for every metric, region and programme with an annual
// figure, in snapshot order.
func eachRhythm(snap *dataset.Snapshot, f func(rhythm)) {
	// Series are sorted by indicator, region and programme first, so the
	// figures of one metric, region and programme are one run.
	var r rhythm
	for _, o := range snap.Series {
		if o.Period != "" {
			continue // A figure of part of a year is never the year's.
		}
		if r.first == nil || o.Indicator.Name != r.first.Indicator.Name || o.Region != r.first.Region || o.Program != r.first.Program {
			if r.first != nil {
				f(r)
			}
			r = rhythm{first: o, latest: o.Year, lag: o.Dataset.PublicationLagMonths, closed: o.Dataset.Closed}
			continue
		}
		switch {
		case o.Year > r.latest:
			r.previous, r.latest, r.lag, r.closed = r.latest, o.Year, o.Dataset.PublicationLagMonths, o.Dataset.Closed
		case o.Year == r.latest:
			r.lag = max(r.lag, o.Dataset.PublicationLagMonths)
			r.closed = r.closed && o.Dataset.Closed
		case o.Year > r.previous:
			r.previous = o.Year
		}
	}
	if r.first != nil {
		f(r)
	}
}

// dueTime is when the figures of year are late: lagMonths after the end of
// the year, in UTC.
func dueTime(year, lagMonths int) time.Time {
	return time.Date(year+1, time.January+time.Month(lagMonths), 1, 0, 0, 0, 0, time.UTC)
}

// emitBounds emits a bound of every served ratio figure, the figures that
// policy targets apply to.
func emitBounds(snap *dataset.Snapshot, emit func(float64, ...string), bound func(lo, hi float64) float64) {
	var values []string
	for _, o := range snap.Series {
		if o.Indicator.Unit == dataset.UnitRatio {
			values = figureLabelValues(values[:0], o)
			emit(bound(o.Bounds()), values...)
		}
	}
}
