package config

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// sortSeries sorts figures as a stable sort by key (dataset.Observation.Key)
// would, on every CPU: by series, and in the given order within one.
func sortSeries(figures []*dataset.Observation) {
	type indexed struct {
		o *dataset.Observation
		i int
	}
	all := make([]indexed, len(figures))
	for i, o := range figures {
		all[i] = indexed{o, i}
	}
	sortParallel(all, func(a, b indexed) int {
		if c := compareSeries(a.o, b.o); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	}, runtime.GOMAXPROCS(0))
	for i, x := range all {
		figures[i] = x.o
	}
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
