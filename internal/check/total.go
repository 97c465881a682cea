package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// indicatorRegion is what the figures of a declared total share.
type indicatorRegion struct {
	indicator, region string
}

// appendSeries appends to b the series of a figure as a declared total
// names it, up to the year: indicator, region, programme, basis and
// dimensions, each ended by a NUL, which no loaded name or value holds. A
// map of series is looked up with the bytes of a reused buffer, which
// allocates nothing.
func appendSeries(b []byte, indicator, region, program, basis string, dims []string) []byte {
	for _, s := range [...]string{indicator, region, program, basis} {
		b = append(append(b, s...), 0)
	}
	for _, d := range dims {
		b = append(append(b, d...), 0)
	}
	return b
}

// namedSeries is what the declared totals say of one series: the totals
// it is the total of (by their place in the order of checkTotals), and
// whether it is a part of some; for a part, its served figures, by year
// and period once gathered.
type namedSeries struct {
	totals  []int
	part    bool
	figures []*dataset.Observation
}

// byYearAndPeriod orders the figures of one series.
func byYearAndPeriod(a, b *dataset.Observation) int {
	if a.Year != b.Year {
		return cmp.Compare(a.Year, b.Year)
	}
	return strings.Compare(a.Period, b.Period)
}

// yearPeriod is when a figure of a series is for.
type yearPeriod struct {
	year   int
	period string
}

// find returns the figure of the series of the year and period, or nil.
func (s *namedSeries) find(year int, period string) *dataset.Observation {
	i, ok := slices.BinarySearchFunc(s.figures, yearPeriod{year, period}, func(o *dataset.Observation, at yearPeriod) int {
		if o.Year != at.year {
			return cmp.Compare(o.Year, at.year)
		}
		return strings.Compare(o.Period, at.period)
	})
	if !ok {
		return nil
	}
	return s.figures[i]
}

// checkTotals checks every declared total in every year that the total
// is served with the total's basis: the sum of what the parts allow must
// overlap what the total allows. A year that lacks a part is unchecked. A
// part is looked up as a copy of the total's figure with the part's
// programme and dimensions, so that it is the same kind of figure as the
// total in everything else: year, period and basis. The series totals name
// are indexed once, with the figures of each, so that the work is linear in
// the figures and the totals, however many totals share an indicator and
// region.
func (c checker) checkTotals(datasets []*dataset.Dataset, series []*dataset.Observation) {
	var totals []*dataset.Total
	for _, ds := range datasets {
		totals = append(totals, ds.Totals...)
	}
	if len(totals) == 0 {
		return
	}
	named := make(map[string]*namedSeries, 3*len(totals))
	declared := map[indicatorRegion]bool{}
	var buf []byte
	entry := func(indicator, region, program, basis string, dims []string) *namedSeries {
		buf = appendSeries(buf[:0], indicator, region, program, basis, dims)
		e := named[string(buf)]
		if e == nil {
			e = &namedSeries{}
			named[string(buf)] = e
		}
		return e
	}
	// The series of each total's parts, in the order of its parts.
	parts := make([][]*namedSeries, len(totals))
	for i, t := range totals {
		e := entry(t.Indicator.Name, t.Region, t.Total.Program, t.Basis, t.Total.Dims)
		e.totals = append(e.totals, i)
		declared[indicatorRegion{t.Indicator.Name, t.Region}] = true
		parts[i] = make([]*namedSeries, len(t.Parts))
		for j, ref := range t.Parts {
			parts[i][j] = entry(t.Indicator.Name, t.Region, ref.Program, t.Basis, ref.Dims)
			parts[i][j].part = true
		}
	}
	indicators := map[string]bool{}
	for k := range declared {
		indicators[k.indicator] = true
	}
	// The figures of each total, in snapshot order; and those of each part.
	// The figures of an indicator come one after the other, so whether
	// totals name it is looked up once a run.
	figures := make([][]*dataset.Observation, len(totals))
	var last *dataset.Indicator
	lastNamed := false
	for _, o := range series {
		if o.Indicator != last {
			last, lastNamed = o.Indicator, indicators[o.Indicator.Name]
		}
		if !lastNamed || !declared[indicatorRegion{o.Indicator.Name, o.Region}] {
			continue
		}
		buf = appendSeries(buf[:0], o.Indicator.Name, o.Region, o.Program, o.Basis, o.Dimensions)
		e := named[string(buf)]
		if e == nil {
			continue
		}
		if e.part {
			e.figures = append(e.figures, o)
		}
		for _, i := range e.totals {
			figures[i] = append(figures[i], o)
		}
	}
	for _, e := range named {
		if !slices.IsSortedFunc(e.figures, byYearAndPeriod) {
			slices.SortFunc(e.figures, byYearAndPeriod)
		}
	}
	for i, t := range totals {
		for _, o := range figures[i] {
			found := make([]*dataset.Observation, len(t.Parts))
			complete := true
			for j, part := range parts[i] {
				found[j] = part.find(o.Year, o.Period)
				complete = complete && found[j] != nil
			}
			if complete {
				c.report(c.checkTotal(t, o, found))
			} else {
				c.report(uncheckedTotal(t, o, found))
			}
		}
	}
}

func (c checker) checkTotal(t *dataset.Total, total *dataset.Observation, parts []*dataset.Observation) Result {
	sum, value := interval{}, 0.0
	for _, p := range parts {
		s := span(p)
		sum.lo, sum.hi = sum.lo+s.lo, sum.hi+s.hi
		value += p.Value
	}
	ok := sum.overlaps(span(total))
	res := Result{Check: Total, Status: status(ok), Total: t}
	if c.terse(ok, &res, total) {
		// The pass of a total is at its declaration, as a described one.
		res.Pos = t.Pos
		return res
	}
	res.Subject, res.Pos = describe(total), t.Pos
	res.Figures = append([]*dataset.Observation{total}, parts...)
	ids := []*dataset.Dataset{t.Dataset, total.Dataset}
	terms := make([]string, len(parts))
	for i, p := range parts {
		terms[i] = figure(p)
		ids = append(ids, p.Dataset)
	}
	res.Datasets = datasetIDs(ids...)
	t0 := span(total)
	res.Message = fmt.Sprintf("total %s, which allows %s to %s, %s the sum of its parts %s, which allow %s to %s: %s",
		figure(total), tidy(t0.lo), tidy(t0.hi), verdict(ok, "agrees with", "disagrees with"), tidy(value), tidy(sum.lo), tidy(sum.hi), strings.Join(terms, " + "))
	return res
}

// uncheckedTotal is the result of a total served in a year that lacks
// some of its parts (nil in parts).
func uncheckedTotal(t *dataset.Total, total *dataset.Observation, parts []*dataset.Observation) Result {
	res := Result{Check: Total, Status: Unchecked, Total: t, Subject: describe(total), Pos: t.Pos,
		Figures: []*dataset.Observation{total}}
	ids := []*dataset.Dataset{t.Dataset, total.Dataset}
	var lacking []string
	for i, p := range parts {
		if p == nil {
			q := *total
			q.Program, q.Dimensions = t.Parts[i].Program, t.Parts[i].Dims
			lacking = append(lacking, describe(&q))
			continue
		}
		res.Figures = append(res.Figures, p)
		ids = append(ids, p.Dataset)
	}
	res.Datasets = datasetIDs(ids...)
	no := "no figure of "
	if len(lacking) > 1 {
		no = "no figures of "
	}
	res.Message = fmt.Sprintf("%s%s to add up to the total %s", no, strings.Join(lacking, " and "), figure(total))
	return res
}
