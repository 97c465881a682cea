package check

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// boundsNamed is how many of the figures that contradict a bound its
// result names and links; the message counts the rest.
const boundsNamed = 10

// boundKey is a series up to its dimensions: a cheap first filter for the
// figures that share a series with a bound, found without building keys.
type boundKey struct {
	indicator, region, program string
	year                       int
}

// checkBounds checks every at_least or at_most figure against every other
// figure of the same series, whichever source was published later: a
// revision replaces an estimate, but a bound is a claim about the true value
// that no other figure may rule out. There is one result per bound: it fails
// when some other figure allows no value the bound allows, and names those
// figures, the furthest off first. The figures of a series are sorted by what
// they allow, so that the figures ruling out a bound are found by binary
// search: the work is n log n in the figures of a series, however many of
// them are bounds.
func (c checker) checkBounds(datasets []*dataset.Dataset) {
	// Bounds are rare: only series that may hold one are grouped by key.
	bounded := map[boundKey]bool{}
	for _, ds := range datasets {
		for _, o := range ds.Observations {
			if bound(o) {
				bounded[boundKey{o.Indicator.Name, o.Region, o.Program, o.Year}] = true
			}
		}
	}
	if len(bounded) == 0 {
		return
	}
	byKey := map[string][]*dataset.Observation{}
	var keys []string
	for _, ds := range datasets {
		for _, o := range ds.Observations {
			if !bounded[boundKey{o.Indicator.Name, o.Region, o.Program, o.Year}] {
				continue
			}
			k := o.Key()
			if byKey[k] == nil {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], o)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if all := byKey[k]; slices.ContainsFunc(all, bound) && len(all) > 1 {
			c.checkSeriesBounds(all)
		}
	}
}

// boundedSeries is the figures of one series that holds a bound, with what
// each allows, indexed so that the figures ruling out a value range are a
// prefix or a suffix of a sorted list.
type boundedSeries struct {
	all  []*dataset.Observation
	span []interval
	// byHi lists the figures whose span is not empty by the highest value
	// they allow, ascending; byLo by the lowest, ascending. Odd lists
	// those whose span is empty (lowest above highest), which no
	// arithmetic of spans can order and which are compared one by one.
	byHi, byLo, odd []int
	// firstHi is the first place in byHi of a figure of each dataset,
	// lastLo the last place in byLo.
	firstHi, lastLo map[*dataset.Dataset]int
}

// slack is the highest value a span ending at hi is taken to reach, as
// overlaps allows for rounding. It grows with hi, so that the order of
// byHi is the order of the slack.
func slack(hi float64) float64 {
	const eps = 1e-9
	return hi + eps*math.Abs(hi)
}

func newBoundedSeries(all []*dataset.Observation) *boundedSeries {
	s := &boundedSeries{all: all, span: make([]interval, len(all))}
	for i, o := range all {
		s.span[i] = span(o)
		if s.span[i].lo > s.span[i].hi {
			s.odd = append(s.odd, i)
			continue
		}
		s.byHi = append(s.byHi, i)
	}
	s.byLo = slices.Clone(s.byHi)
	// Ties in position order, so that the figures named are the same
	// from run to run.
	slices.SortStableFunc(s.byHi, func(a, b int) int { return cmp.Compare(s.span[a].hi, s.span[b].hi) })
	slices.SortStableFunc(s.byLo, func(a, b int) int { return cmp.Compare(s.span[a].lo, s.span[b].lo) })
	s.firstHi, s.lastLo = map[*dataset.Dataset]int{}, map[*dataset.Dataset]int{}
	for k, j := range s.byHi {
		if _, ok := s.firstHi[all[j].Dataset]; !ok {
			s.firstHi[all[j].Dataset] = k
		}
	}
	for k, j := range s.byLo {
		s.lastLo[all[j].Dataset] = k
	}
	return s
}

// against returns the figures of the series other than the i-th that allow
// no value the i-th allows: those whose highest value is below its lowest
// (the furthest off first), then those whose lowest is above its highest
// (the furthest off first), then odd ones in position order; at most named
// of them, how many there are in all, and the datasets of them all with the
// i-th figure's, sorted, each once (a failure counts against each).
func (s *boundedSeries) against(i, named int) (figures []int, n int, datasets []string) {
	a := s.span[i]
	ids := []*dataset.Dataset{s.all[i].Dataset}
	other := func(j int) {
		if n++; len(figures) < named {
			figures = append(figures, j)
		}
		ids = append(ids, s.all[j].Dataset)
	}
	if a.lo > a.hi {
		// An empty span is compared with each figure, as overlaps would.
		for j := range s.all {
			if j != i && !a.overlaps(s.span[j]) {
				other(j)
			}
		}
		return figures, n, datasetIDs(ids...)
	}
	// Below: a prefix of byHi. Above: a suffix of byLo. A figure whose
	// span is not empty cannot be both, and the i-th is neither.
	below, _ := slices.BinarySearchFunc(s.byHi, a.lo, func(j int, lo float64) int {
		if slack(s.span[j].hi) < lo {
			return -1
		}
		return 1
	})
	above, _ := slices.BinarySearchFunc(s.byLo, slack(a.hi), func(j int, hi float64) int {
		if s.span[j].lo <= hi {
			return -1
		}
		return 1
	})
	n = below + len(s.byLo) - above
	figures = append(figures, s.byHi[:min(below, named)]...)
	for k := len(s.byLo) - 1; k >= above && len(figures) < named; k-- {
		figures = append(figures, s.byLo[k])
	}
	// A series holds the figures of few datasets: each is among those
	// below when it has a figure in the prefix, above in the suffix.
	for ds, at := range s.firstHi {
		if at < below {
			ids = append(ids, ds)
		}
	}
	for ds, at := range s.lastLo {
		if at >= above {
			ids = append(ids, ds)
		}
	}
	for _, j := range s.odd {
		if j != i && !a.overlaps(s.span[j]) {
			other(j)
		}
	}
	return figures, n, datasetIDs(ids...)
}

// checkSeriesBounds reports the check of each bound of a series, in the
// order of the series' figures.
func (c checker) checkSeriesBounds(all []*dataset.Observation) {
	s := newBoundedSeries(all)
	var datasets []string // Of every figure of the series, for passes.
	for i, a := range all {
		if !bound(a) {
			continue
		}
		named, n, ids := s.against(i, boundsNamed)
		ok := n == 0
		res := Result{Check: Bounds, Status: status(ok)}
		if c.terse(ok, &res, a) {
			c.report(res)
			continue
		}
		res.Subject, res.Pos, res.Figures = describe(a), a.Pos, []*dataset.Observation{a}
		others := len(all) - 1
		if ok {
			if datasets == nil {
				ids := make([]*dataset.Dataset, len(all))
				for j, o := range all {
					ids[j] = o.Dataset
				}
				datasets = datasetIDs(ids...)
			}
			res.Datasets = datasets
			var named []int
			res.Message, named = s.allows(i, others)
			for _, j := range named {
				res.Figures = append(res.Figures, all[j])
			}
			c.report(res)
			continue
		}
		res.Datasets = ids
		words := make([]string, len(named))
		for k, j := range named {
			res.Figures = append(res.Figures, all[j])
			words[k] = figure(all[j])
		}
		switch {
		case others == 1:
			res.Message = fmt.Sprintf("%s is contradicted by %s", figure(a), words[0])
		case n > len(named):
			res.Message = fmt.Sprintf("%s is contradicted by %d of the %d other figures of its series, the furthest off first: %s and %d more",
				figure(a), n, others, strings.Join(words, ", "), n-len(named))
		default:
			res.Message = fmt.Sprintf("%s is contradicted by %d of the %d other figures of its series, the furthest off first: %s",
				figure(a), n, others, strings.Join(words, ", "))
		}
		c.report(res)
	}
}

// allows describes the pass of the i-th figure, a bound that no other
// figure of the series rules out: by the other figure, or by the two that
// come nearest to ruling it out, the one with the lowest highest value and
// the one with the highest lowest value, and returns the figures it names.
func (s *boundedSeries) allows(i, others int) (string, []int) {
	a := s.all[i]
	if others == 1 {
		j := 1 - i
		return fmt.Sprintf("%s allows %s", figure(a), figure(s.all[j])), []int{j}
	}
	lowest, highest := -1, -1
	for _, j := range s.byHi {
		if j != i {
			lowest = j
			break
		}
	}
	for k := len(s.byLo) - 1; k >= 0; k-- {
		if j := s.byLo[k]; j != i {
			highest = j
			break
		}
	}
	if lowest < 0 || lowest == highest {
		// One other figure is both, or only figures with empty spans,
		// which are not ordered, remain.
		msg := fmt.Sprintf("%s allows each of the %d other figures of its series", figure(a), others)
		if lowest < 0 {
			return msg, nil
		}
		return msg + ", the nearest to ruling it out " + figure(s.all[lowest]), []int{lowest}
	}
	return fmt.Sprintf("%s allows each of the %d other figures of its series, from the one that allows least, %s, to the one that allows most, %s",
		figure(a), others, figure(s.all[lowest]), figure(s.all[highest])), []int{lowest, highest}
}

func bound(o *dataset.Observation) bool {
	return o.Qualifier == dataset.AtLeast || o.Qualifier == dataset.AtMost
}
