package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// indicatorRegion is what the figures of a declared total share.
type indicatorRegion struct {
	indicator, region string
}

// checkTotals checks every declared total in every year that the total and
// all of its parts are served: the sum of what the parts allow must
// overlap what the total allows. A year that lacks a part is skipped. A
// part is looked up as a copy of the total's figure with the part's
// programme and dimensions, so that it is the same kind of figure as the
// total in everything else.
func (c checker) checkTotals(datasets []*dataset.Dataset, series []*dataset.Observation) {
	var totals map[indicatorRegion][]*dataset.Total
	for _, ds := range datasets {
		for _, t := range ds.Totals {
			if totals == nil {
				totals = map[indicatorRegion][]*dataset.Total{}
			}
			k := indicatorRegion{t.Indicator.Name, t.Region}
			totals[k] = append(totals[k], t)
		}
	}
	if totals == nil {
		return
	}
	// The figures of each total, in snapshot order; and every figure that
	// may be a part, by key.
	figures := map[*dataset.Total][]*dataset.Observation{}
	served := map[string]*dataset.Observation{}
	for _, o := range series {
		ts := totals[indicatorRegion{o.Indicator.Name, o.Region}]
		if ts == nil {
			continue
		}
		served[o.Key()] = o
		for _, t := range ts {
			if names(o, t.Total) {
				figures[t] = append(figures[t], o)
			}
		}
	}
	for _, ds := range datasets {
		for _, t := range ds.Totals {
			for _, o := range figures[t] {
				parts := make([]*dataset.Observation, 0, len(t.Parts))
				for _, ref := range t.Parts {
					p := *o
					p.Program, p.Dimensions = ref.Program, ref.Dims
					if part := served[p.Key()]; part != nil {
						parts = append(parts, part)
					}
				}
				if len(parts) == len(t.Parts) {
					c.report(c.checkTotal(t, o, parts))
				}
			}
		}
	}
}

// names reports whether o is a figure of the series ref names.
func names(o *dataset.Observation, ref dataset.SeriesRef) bool {
	return o.Program == ref.Program && slices.Equal(o.Dimensions, ref.Dims)
}

func (c checker) checkTotal(t *dataset.Total, total *dataset.Observation, parts []*dataset.Observation) Result {
	sum, value := interval{}, 0.0
	for _, p := range parts {
		s := span(p)
		sum.lo, sum.hi = sum.lo+s.lo, sum.hi+s.hi
		value += p.Value
	}
	res := Result{Check: Total, OK: sum.overlaps(span(total))}
	if c.brief && res.OK {
		return res
	}
	res.Subject, res.Pos = describe(total), t.Pos
	ids := []*dataset.Dataset{t.Dataset, total.Dataset}
	terms := make([]string, len(parts))
	for i, p := range parts {
		terms[i] = partName(t.Indicator, t.Total, p) + " " + figure(p)
		ids = append(ids, p.Dataset)
	}
	res.Datasets = datasetIDs(ids...)
	verdict := "agrees with"
	if !res.OK {
		verdict = "disagrees with"
	}
	t0 := span(total)
	res.Message = fmt.Sprintf("total %s, which allows %s to %s, %s the sum of its parts %s, which allow %s to %s: %s",
		figure(total), tidy(t0.lo), tidy(t0.hi), verdict, tidy(value), tidy(sum.lo), tidy(sum.hi), strings.Join(terms, " + "))
	return res
}

// partName names a part by how it differs from the total: its programme
// and the dimension values that are not the total's.
func partName(ind *dataset.Indicator, total dataset.SeriesRef, p *dataset.Observation) string {
	var diff []string
	if p.Program != total.Program {
		diff = append(diff, p.Program)
	}
	for i, v := range p.Dimensions {
		if v != total.Dims[i] {
			diff = append(diff, ind.Dimensions[i]+"="+v)
		}
	}
	return strings.Join(diff, " ")
}
