package check

import (
	"fmt"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// indicatorRegion is what the figures of a declared total share.
type indicatorRegion struct {
	indicator, region string
}

// totalSeries is a series a declared total names, up to the year: its
// indicator, region, programme, dimensions (joined) and basis.
type totalSeries struct {
	indicator, region, program, dims, basis string
}

// seriesOf returns the series of a figure as a total names it.
func seriesOf(o *dataset.Observation) totalSeries {
	return totalSeries{o.Indicator.Name, o.Region, o.Program, strings.Join(o.Dimensions, "\x00"), o.Basis}
}

// checkTotals checks every declared total in every year that the total
// is served with the total's basis: the sum of what the parts allow must
// overlap what the total allows. A year that lacks a part is unchecked. A
// part is looked up as a copy of the total's figure with the part's
// programme and dimensions, so that it is the same kind of figure as the
// total in everything else: year, period and basis. The totals are
// indexed by the series they are the total of, so that the work is linear
// in the figures and the totals, however many totals share an indicator
// and region.
func (c checker) checkTotals(datasets []*dataset.Dataset, series []*dataset.Observation) {
	var byTotal map[totalSeries][]*dataset.Total
	declared := map[indicatorRegion]bool{}
	for _, ds := range datasets {
		for _, t := range ds.Totals {
			if byTotal == nil {
				byTotal = map[totalSeries][]*dataset.Total{}
			}
			k := totalSeries{t.Indicator.Name, t.Region, t.Total.Program, strings.Join(t.Total.Dims, "\x00"), t.Basis}
			byTotal[k] = append(byTotal[k], t)
			declared[indicatorRegion{t.Indicator.Name, t.Region}] = true
		}
	}
	if byTotal == nil {
		return
	}
	// The figures of each total, in snapshot order; and every figure that
	// may be a part, by key.
	figures := map[*dataset.Total][]*dataset.Observation{}
	served := map[string]*dataset.Observation{}
	for _, o := range series {
		if !declared[indicatorRegion{o.Indicator.Name, o.Region}] {
			continue
		}
		served[o.Key()] = o
		for _, t := range byTotal[seriesOf(o)] {
			figures[t] = append(figures[t], o)
		}
	}
	for _, ds := range datasets {
		for _, t := range ds.Totals {
			for _, o := range figures[t] {
				parts := make([]*dataset.Observation, len(t.Parts))
				complete := true
				for i, ref := range t.Parts {
					p := *o
					p.Program, p.Dimensions = ref.Program, ref.Dims
					parts[i] = served[p.Key()]
					complete = complete && parts[i] != nil
				}
				if complete {
					c.report(c.checkTotal(t, o, parts))
				} else {
					c.report(uncheckedTotal(t, o, parts))
				}
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
	if c.brief && ok {
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
