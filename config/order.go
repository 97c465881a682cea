package config

import (
	"cmp"
	"maps"
	"math/bits"
	"slices"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// sortSeries sorts figures as a stable sort by key (dataset.Observation.Key)
// would: by series, and in the given order within one; it returns where
// each series ends. The leading fields of the keys, indicator, region,
// programme and year, are replaced by their ranks among the figures' values
// and radix sorted, which keeps the given order of equal ranks; only figures
// of equal ranks are compared, by the rest of their keys.
func sortSeries(figures []*dataset.Observation) (ends []int) {
	type ranked struct {
		ranks [4]uint32 // Of indicator, region, programme and year.
		i     int
	}
	indicators, regions, programs, years := newRanks[string](), newRanks[string](), newRanks[string](), newRanks[int]()
	all := make([]ranked, len(figures))
	for i, o := range figures {
		all[i] = ranked{[4]uint32{indicators.id(o.Indicator.Name), regions.id(o.Region), programs.id(o.Program), years.id(o.Year)}, i}
	}
	rank := [4][]uint32{indicators.ranks(), regions.ranks(), programs.ranks(), years.ranks()}
	for i := range all {
		for f, id := range all[i].ranks {
			all[i].ranks[f] = rank[f][id]
		}
	}
	// Least significant field and byte first: each pass is stable.
	spare := make([]ranked, len(all))
	for f := len(rank) - 1; f >= 0; f-- {
		for shift := 0; shift < bits.Len(uint(len(rank[f]))); shift += 8 {
			var at [257]int
			for _, r := range all {
				at[r.ranks[f]>>shift&0xff+1]++
			}
			for b := 1; b < len(at); b++ {
				at[b] += at[b-1]
			}
			for _, r := range all {
				b := r.ranks[f] >> shift & 0xff
				spare[at[b]] = r
				at[b]++
			}
			all, spare = spare, all
		}
	}
	rest := func(a, b ranked) int { return dataset.CompareKeys(figures[a.i], figures[b.i]) }
	ends = make([]int, 0, len(all))
	for start := 0; start < len(all); {
		end := start + 1
		for end < len(all) && all[end].ranks == all[start].ranks {
			end++
		}
		run := all[start:end]
		slices.SortStableFunc(run, rest)
		for i := 1; i < len(run); i++ {
			if rest(run[i-1], run[i]) != 0 {
				ends = append(ends, start+i)
			}
		}
		ends = append(ends, end)
		start = end
	}
	sorted := make([]*dataset.Observation, len(figures))
	for i, r := range all {
		sorted[i] = figures[r.i]
	}
	copy(figures, sorted)
	return ends
}

// ranks numbers distinct values in the order first seen, then gives the
// rank of each number among the values. Figures come in runs of one
// indicator, region or year, so the last value is looked at before the map.
type ranks[V cmp.Ordered] struct {
	ids    map[V]uint32
	last   V
	lastID uint32
}

func newRanks[V cmp.Ordered]() *ranks[V] {
	return &ranks[V]{ids: map[V]uint32{}}
}

func (r *ranks[V]) id(v V) uint32 {
	if len(r.ids) > 0 && v == r.last {
		return r.lastID
	}
	id, ok := r.ids[v]
	if !ok {
		id = uint32(len(r.ids))
		r.ids[v] = id
	}
	r.last, r.lastID = v, id
	return id
}

func (r *ranks[V]) ranks() []uint32 {
	rank := make([]uint32, len(r.ids))
	for i, v := range slices.Sorted(maps.Keys(r.ids)) {
		rank[r.ids[v]] = uint32(i)
	}
	return rank
}
