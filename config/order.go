package config

import (
	"cmp"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// sortSeries sorts figures as a stable sort by key (dataset.Observation.Key)
// would, on every CPU: by series, and in the given order within one; it
// returns where each series ends. What is sorted is small and holds no
// pointers: the leading fields of each key as their ranks among the
// figures' values, and the figure's index, so that only ties read the
// figures, which lie all over memory.
func sortSeries(figures []*dataset.Observation) (ends []int) {
	type ranked struct {
		indicatorRegion, programYear uint64
		i                            int
	}
	indicators, regions, programs := ranks{}, ranks{}, ranks{}
	all := make([]ranked, len(figures))
	for i, o := range figures {
		all[i] = ranked{uint64(indicators.id(o.Indicator.Name))<<32 | uint64(regions.id(o.Region)),
			uint64(programs.id(o.Program))<<32 | uint64(uint32(o.Year)), i}
	}
	ind, reg, prog := indicators.ranks(), regions.ranks(), programs.ranks()
	for i, r := range all {
		all[i].indicatorRegion = uint64(ind[r.indicatorRegion>>32])<<32 | uint64(reg[uint32(r.indicatorRegion)])
		all[i].programYear = uint64(prog[r.programYear>>32])<<32 | uint64(uint32(r.programYear))
	}
	series := func(a, b ranked) int {
		if c := cmp.Compare(a.indicatorRegion, b.indicatorRegion); c != 0 {
			return c
		}
		if c := cmp.Compare(a.programYear, b.programYear); c != 0 {
			return c
		}
		return compareSeries(figures[a.i], figures[b.i])
	}
	sortParallel(all, func(a, b ranked) int {
		if c := series(a, b); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	}, runtime.GOMAXPROCS(0))
	sorted := make([]*dataset.Observation, len(figures))
	for i, r := range all {
		sorted[i] = figures[r.i]
		if i > 0 && series(all[i-1], r) != 0 {
			ends = append(ends, i)
		}
	}
	copy(figures, sorted)
	if len(figures) > 0 {
		ends = append(ends, len(figures))
	}
	return ends
}

// ranks numbers distinct strings in the order first seen, then gives the
// rank of each number among the strings.
type ranks map[string]uint32

func (r ranks) id(s string) uint32 {
	id, ok := r[s]
	if !ok {
		id = uint32(len(r))
		r[s] = id
	}
	return id
}

func (r ranks) ranks() []uint32 {
	rank := make([]uint32, len(r))
	for i, s := range slices.Sorted(maps.Keys(r)) {
		rank[r[s]] = uint32(i)
	}
	return rank
}

// compareSeries orders figures as their keys do, without building them:
// field by field, as no field of a loaded figure holds the NUL byte that
// ends each field of a key, and a loaded year has four digits.
func compareSeries(a, b *dataset.Observation) int {
	if c := strings.Compare(a.Indicator.Name, b.Indicator.Name); c != 0 {
		return c
	}
	if c := strings.Compare(a.Region, b.Region); c != 0 {
		return c
	}
	if c := strings.Compare(a.Program, b.Program); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Year, b.Year); c != 0 {
		return c
	}
	if c := strings.Compare(a.Period, b.Period); c != 0 {
		return c
	}
	if c := strings.Compare(a.Basis, b.Basis); c != 0 {
		return c
	}
	return slices.Compare(a.Dimensions, b.Dimensions)
}

// sortParallel sorts s, in which no two elements compare equal, on up to
// procs CPUs: halves sorted at once, then merged.
func sortParallel[E any](s []E, compare func(a, b E) int, procs int) {
	if procs < 2 || len(s) < 1<<12 {
		slices.SortFunc(s, compare)
		return
	}
	half := len(s) / 2
	var wg sync.WaitGroup
	wg.Go(func() { sortParallel(s[:half], compare, procs/2) })
	sortParallel(s[half:], compare, procs-procs/2)
	wg.Wait()
	merged := make([]E, 0, len(s))
	a, b := s[:half], s[half:]
	for len(a) > 0 && len(b) > 0 {
		if compare(b[0], a[0]) < 0 {
			merged, b = append(merged, b[0]), b[1:]
		} else {
			merged, a = append(merged, a[0]), a[1:]
		}
	}
	copy(s, append(append(merged, a...), b...))
}
