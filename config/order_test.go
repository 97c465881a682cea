package config

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// TestSortSeriesAsStableSortByKey checks that sortSeries orders figures as a
// stable sort by key does, and ends each series where the key changes: on
// figures of many indicators, regions (more than a byte of ranks),
// programmes, years, periods, bases and dimensions, a quarter of them
// copies of others so that many series have several figures.
func TestSortSeriesAsStableSortByKey(t *testing.T) {
	indicators := []*dataset.Indicator{
		{Name: "socsec_insured_persons"},
		{Name: "socsec_population_persons", Dimensions: []string{"population"}},
		{Name: "socsec_children_supported_persons", Dimensions: []string{"category", "sex"}},
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(values ...string) string { return values[rnd.IntN(len(values))] }
	var figures []*dataset.Observation
	for range 30_000 {
		if len(figures) > 0 && rnd.IntN(4) == 0 {
			copied := *figures[rnd.IntN(len(figures))]
			figures = append(figures, &copied)
			continue
		}
		o := &dataset.Observation{
			Indicator: indicators[rnd.IntN(len(indicators))],
			Region:    fmt.Sprintf("%d", 100000+rnd.IntN(700)*100),
			Program:   pick("", "basic_pension", "basic_medical", "unemployment"),
			Year:      1995 + rnd.IntN(30),
			Basis:     pick("", "", "year_end", "during_year"),
		}
		o.Period = pick("", "", fmt.Sprintf("%d-Q%d", o.Year, 1+rnd.IntN(4)), fmt.Sprintf("%d-06", o.Year))
		for range o.Indicator.Dimensions {
			o.Dimensions = append(o.Dimensions, pick("a", "b", "all", "a.1"))
		}
		figures = append(figures, o)
	}
	want := slices.Clone(figures)
	slices.SortStableFunc(want, func(a, b *dataset.Observation) int { return strings.Compare(a.Key(), b.Key()) })
	var wantEnds []int
	for i := range want {
		if i+1 == len(want) || want[i+1].Key() != want[i].Key() {
			wantEnds = append(wantEnds, i+1)
		}
	}
	got := slices.Clone(figures)
	ends := sortSeries(got)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("figure %d is %q, not %q", i, got[i].Key(), want[i].Key())
		}
	}
	if !slices.Equal(ends, wantEnds) {
		t.Fatalf("%d series end at %v..., not %d at %v...", len(ends), ends[:min(len(ends), 5)], len(wantEnds), wantEnds[:5])
	}
	if len(wantEnds) > len(want)*9/10 {
		t.Fatalf("only %d of %d series have more than one figure", len(want)-len(wantEnds), len(wantEnds))
	}
}
