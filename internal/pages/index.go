package pages

import (
	"slices"
	"sort"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// index is what the pages look figures up in, for one loaded version. The
// served figures are found by binary search in the snapshot's own Series,
// which the loader sorts by series key; only what the snapshot does not
// hold in that order is kept here: the settlement of the few series
// published more than once, the years, and the reported figures and
// declared totals by region.
type index struct {
	snap *dataset.Snapshot
	// order lists the positions of Series in key order when Series is not
	// itself in that order; nil when it is, as the loader writes it.
	order []int32
	// settled holds, by series key, every series with more than one
	// figure: revised, confirmed, or in an unresolved conflict.
	settled map[string]*settlement
	// conflicts are the settlements of the series not served, sorted;
	// conflictsAt holds them by indicator and region, and
	// conflictIndicators their indicators by name.
	conflicts          []*settlement
	conflictsAt        map[indicatorRegion][]*settlement
	conflictsOf        map[seriesName][]*settlement // By series up to the year.
	conflictIndicators map[string]*dataset.Indicator
	years              []int // Years with a served figure, ascending.
	// reported and totals hold the reported figures and declared totals
	// by the series they name (a total by its own and each part's), for
	// the checks of a figure, in the order of the datasets.
	reported map[seriesName][]*dataset.Reported
	totals   map[seriesName][]*dataset.Total
	// aliases maps every region alias to its code.
	aliases map[string]string
	// datasetOrder is each dataset's position in the snapshot.
	datasetOrder map[*dataset.Dataset]int
}

// indicatorRegion is an indicator's name and a region's code.
type indicatorRegion struct {
	indicator, region string
}

// seriesName is a series up to the year, as a reported figure or a
// declared total names it: indicator, region, programme, dimensions
// (joined) and basis.
type seriesName struct {
	indicator, region, program, dims, basis string
}

// nameOf returns the series of a figure up to the year.
func nameOf(o *dataset.Observation) seriesName {
	return seriesName{o.Indicator.Name, o.Region, o.Program, strings.Join(o.Dimensions, "\x00"), o.Basis}
}

// settlement is every figure of one series published more than once, and
// what the loader made of them.
type settlement struct {
	served     *dataset.Observation   // Nil for an unresolved conflict.
	revised    []dataset.Revision     // Figures a figure outranking them contradicts.
	confirming []*dataset.Observation // Figures that agree with the served one.
	// disputed are figures that disagree with each other: beside a served
	// figure that outranks them all, or, in conflict, none served.
	disputed []*dataset.Observation
	conflict []*dataset.Observation // Of an unresolved conflict, the disputed figures.
	// others are the further figures kept of a conflicting series: those
	// that agree with every figure kept.
	others []*dataset.Observation
}

// first returns a figure of the series, for its labels.
func (s *settlement) first() *dataset.Observation {
	if s.served != nil {
		return s.served
	}
	return s.conflict[0]
}

// all returns every figure of the series.
func (s *settlement) all() []*dataset.Observation {
	var all []*dataset.Observation
	if s.served != nil {
		all = append(all, s.served)
	}
	for _, r := range s.revised {
		all = append(all, r.Old)
	}
	all = append(all, s.confirming...)
	all = append(all, s.disputed...)
	all = append(all, s.conflict...)
	return append(all, s.others...)
}

func newIndex(snap *dataset.Snapshot) *index {
	ix := &index{snap: snap, settled: map[string]*settlement{}, conflictsAt: map[indicatorRegion][]*settlement{},
		conflictsOf: map[seriesName][]*settlement{}, conflictIndicators: map[string]*dataset.Indicator{}, reported: map[seriesName][]*dataset.Reported{},
		totals: map[seriesName][]*dataset.Total{}, aliases: map[string]string{}, datasetOrder: map[*dataset.Dataset]int{}}
	if !slices.IsSortedFunc(snap.Series, dataset.CompareKeys) {
		ix.order = make([]int32, len(snap.Series))
		for i := range ix.order {
			ix.order[i] = int32(i)
		}
		slices.SortStableFunc(ix.order, func(a, b int32) int { return dataset.CompareKeys(snap.Series[a], snap.Series[b]) })
	}
	get := func(o *dataset.Observation) *settlement {
		k := o.Key()
		s := ix.settled[k]
		if s == nil {
			s = &settlement{}
			ix.settled[k] = s
		}
		return s
	}
	for _, r := range snap.Revisions {
		s := get(r.Old)
		s.served = r.Served
		s.revised = append(s.revised, r)
	}
	for _, d := range snap.Disputes {
		s := get(d.Served)
		s.served = d.Served
		s.disputed = d.Figures
	}
	for _, c := range snap.Confirmations {
		s := get(c.Served)
		s.served = c.Served
		s.confirming = append(s.confirming, c.Figure)
	}
	for _, c := range snap.Conflicts {
		s := get(c.Figures[0])
		s.conflict, s.others = c.Figures, c.Agreeing
		ix.conflicts = append(ix.conflicts, s)
	}
	slices.SortFunc(ix.conflicts, func(a, b *settlement) int { return dataset.CompareKeys(a.first(), b.first()) })
	for _, s := range ix.conflicts {
		o := s.first()
		k := indicatorRegion{o.Indicator.Name, o.Region}
		ix.conflictsAt[k] = append(ix.conflictsAt[k], s)
		ix.conflictsOf[nameOf(o)] = append(ix.conflictsOf[nameOf(o)], s)
		ix.conflictIndicators[o.Indicator.Name] = o.Indicator
	}
	for i, ds := range snap.Datasets {
		ix.datasetOrder[ds] = i
		for _, r := range ds.Reported {
			k := seriesName{r.Indicator.Name, r.Region, r.Program, strings.Join(r.Dims, "\x00"), r.Basis}
			ix.reported[k] = append(ix.reported[k], r)
		}
		for _, t := range ds.Totals {
			for _, ref := range append([]dataset.SeriesRef{t.Total}, t.Parts...) {
				k := seriesName{t.Indicator.Name, t.Region, ref.Program, strings.Join(ref.Dims, "\x00"), t.Basis}
				ix.totals[k] = append(ix.totals[k], t)
			}
		}
	}
	for _, r := range snap.Regions {
		for _, a := range r.Aliases {
			ix.aliases[a] = r.Code
		}
	}
	ix.years = servedYears(snap.Series)
	return ix
}

// servedYears returns the distinct years of the figures, ascending.
func servedYears(series []*dataset.Observation) []int {
	var seen [400]bool // 1900 to 2299; the loader refuses years outside 1900..next year.
	extra := map[int]bool{}
	for _, o := range series {
		if i := o.Year - 1900; i >= 0 && i < len(seen) {
			seen[i] = true
		} else {
			extra[o.Year] = true
		}
	}
	var years []int
	for i, ok := range seen {
		if ok {
			years = append(years, 1900+i)
		}
	}
	for y := range extra {
		years = append(years, y)
	}
	slices.Sort(years)
	return years
}

// len returns the number of served figures.
func (ix *index) len() int { return len(ix.snap.Series) }

// at returns the i-th served figure in key order.
func (ix *index) at(i int) *dataset.Observation {
	if ix.order != nil {
		return ix.snap.Series[ix.order[i]]
	}
	return ix.snap.Series[i]
}

// span returns the positions [lo, hi) of the served figures of an
// indicator, region and, unless anyProgram, programme: a contiguous run in
// key order, found by binary search.
func (ix *index) span(indicator, region, program string, anyProgram bool) (int, int) {
	cmp := func(o *dataset.Observation) int {
		if c := strings.Compare(o.Indicator.Name, indicator); c != 0 {
			return c
		}
		if c := strings.Compare(o.Region, region); c != 0 || anyProgram {
			return c
		}
		return strings.Compare(o.Program, program)
	}
	lo := sort.Search(ix.len(), func(i int) bool { return cmp(ix.at(i)) >= 0 })
	hi := lo + sort.Search(ix.len()-lo, func(i int) bool { return cmp(ix.at(lo+i)) > 0 })
	return lo, hi
}

// find returns the served figure with the key of probe, or nil.
func (ix *index) find(probe *dataset.Observation) *dataset.Observation {
	i := sort.Search(ix.len(), func(i int) bool { return dataset.CompareKeys(ix.at(i), probe) >= 0 })
	if i < ix.len() && dataset.CompareKeys(ix.at(i), probe) == 0 {
		return ix.at(i)
	}
	return nil
}

// indicatorSpan returns the positions [lo, hi) of an indicator's figures.
func (ix *index) indicatorSpan(indicator string) (int, int) {
	lo := sort.Search(ix.len(), func(i int) bool { return ix.at(i).Indicator.Name >= indicator })
	hi := lo + sort.Search(ix.len()-lo, func(i int) bool { return ix.at(lo+i).Indicator.Name > indicator })
	return lo, hi
}

// settlement returns the settlement of o's series, or nil when o's series
// has only the one figure.
func (ix *index) settlement(o *dataset.Observation) *settlement {
	if len(ix.settled) == 0 {
		return nil
	}
	return ix.settled[o.Key()]
}

// indicator returns the indicator named name that has figures, or nil.
func (ix *index) indicator(name string) *dataset.Indicator {
	inds := ix.snap.Indicators
	i, ok := slices.BinarySearchFunc(inds, name, func(ind *dataset.Indicator, n string) int { return strings.Compare(ind.Name, n) })
	if !ok {
		// A series in conflict may be the only one of its indicator.
		return ix.conflictIndicators[name]
	}
	return inds[i]
}

// region returns the region with the code, else the one with the alias,
// or nil: a code is what is served, and names its own region first.
func (ix *index) region(code string) *dataset.Region {
	rs := ix.snap.Regions
	find := func(code string) *dataset.Region {
		i, ok := slices.BinarySearchFunc(rs, code, func(r *dataset.Region, c string) int { return strings.Compare(r.Code, c) })
		if !ok {
			return nil
		}
		return rs[i]
	}
	if r := find(code); r != nil {
		return r
	}
	if c, ok := ix.aliases[code]; ok {
		return find(c)
	}
	return nil
}

// program returns the programme with the id, or nil.
func (ix *index) program(id string) *dataset.Program {
	ps := ix.snap.Programs
	i, ok := slices.BinarySearchFunc(ps, id, func(p *dataset.Program, id string) int { return strings.Compare(p.ID, id) })
	if !ok {
		return nil
	}
	return ps[i]
}

// programsNamed returns the programmes with the name.
func (ix *index) programsNamed(name string) []*dataset.Program {
	var ps []*dataset.Program
	for _, p := range ix.snap.Programs {
		if p.Name == name {
			ps = append(ps, p)
		}
	}
	return ps
}

// dataset returns the dataset with the id, or nil.
func (ix *index) dataset(id string) *dataset.Dataset {
	for _, ds := range ix.snap.Datasets {
		if ds.ID == id {
			return ds
		}
	}
	return nil
}
