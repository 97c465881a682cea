package check

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// boundsFigure is a figure of a test series: its value, precision and
// qualifier, and which of two datasets states it.
type boundsFigure struct {
	value, precision float64
	q                dataset.Qualifier
	second           bool
}

// boundsSnapshot returns a snapshot of one series per entry of series, of
// the indicator ind, each figure at its own line.
func boundsSnapshot(ind *dataset.Indicator, series ...[]boundsFigure) *dataset.Snapshot {
	src := &dataset.Source{ID: "s", Title: "Report"}
	a := &dataset.Dataset{ID: "a", File: "a.yaml", Sources: []*dataset.Source{src}}
	b := &dataset.Dataset{ID: "b", File: "b.yaml", Sources: []*dataset.Source{src}}
	line := 0
	for k, figures := range series {
		for _, f := range figures {
			ds := a
			if f.second {
				ds = b
			}
			line++
			ds.Observations = append(ds.Observations, &dataset.Observation{Indicator: ind, Region: fmt.Sprintf("R%d", k), Program: "p",
				Year: 2020, Value: f.value, Precision: f.precision, Qualifier: f.q, Source: src, Dataset: ds,
				Pos: dataset.Position{File: ds.ID + ".csv", Line: line, Column: 1}})
		}
	}
	return &dataset.Snapshot{Datasets: []*dataset.Dataset{a, b}}
}

// pairwise is what the bounds check found when it compared every two
// figures of a series: for each bound, the figures of its series that
// allow no value it allows, as a set of positions.
func pairwise(snap *dataset.Snapshot) map[dataset.Position]map[dataset.Position]bool {
	series := map[string][]*dataset.Observation{}
	for _, ds := range snap.Datasets {
		for _, o := range ds.Observations {
			series[o.Key()] = append(series[o.Key()], o)
		}
	}
	found := map[dataset.Position]map[dataset.Position]bool{}
	for _, all := range series {
		for _, a := range all {
			if !bound(a) {
				continue
			}
			if len(all) > 1 {
				found[a.Pos] = map[dataset.Position]bool{}
			}
			for _, b := range all {
				if b != a && !span(a).overlaps(span(b)) {
					found[a.Pos][b.Pos] = true
				}
			}
		}
	}
	return found
}

// TestBoundsFindingsUnchanged compares the bounds check with the pairwise
// comparison it replaces: each bound fails exactly when some figure of its
// series rules it out, names only such figures (all of them, up to
// boundsNamed), counts them all, and counts against the datasets of them
// all; a bound that nothing rules out passes.
func TestBoundsFindingsUnchanged(t *testing.T) {
	persons := &dataset.Indicator{Name: "socsec_insured_persons", Unit: dataset.UnitPersons}
	ratio := &dataset.Indicator{Name: "socsec_coverage_ratio", Unit: dataset.UnitRatio}
	exact := func(v float64) boundsFigure { return boundsFigure{value: v, precision: 0.5} }
	least := func(v float64) boundsFigure { return boundsFigure{value: v, precision: 0.5, q: dataset.AtLeast} }
	most := func(v float64) boundsFigure { return boundsFigure{value: v, precision: 0.5, q: dataset.AtMost} }
	other := func(f boundsFigure) boundsFigure { f.second = true; return f }
	random := func(seed uint64, n int) []boundsFigure {
		r := rand.New(rand.NewPCG(seed, 1))
		var figures []boundsFigure
		for range n {
			f := exact(float64(90 + r.IntN(21)))
			switch r.IntN(4) {
			case 0:
				f.q = dataset.AtLeast
			case 1:
				f.q = dataset.AtMost
			}
			f.second = r.IntN(3) == 0
			figures = append(figures, f)
		}
		return figures
	}
	many := make([]boundsFigure, 0, 30)
	for i := range 30 {
		many = append(many, exact(float64(i)))
	}
	many = append(many, least(25), most(3))
	for _, tc := range []struct {
		name   string
		ind    *dataset.Indicator
		series [][]boundsFigure
	}{
		{"a bound and a figure within it", persons, [][]boundsFigure{{least(100), exact(101)}, {most(100), exact(99)}}},
		{"a bound and a figure outside it", persons, [][]boundsFigure{{least(100), exact(98)}, {most(100), exact(102)}}},
		{"a lone bound", persons, [][]boundsFigure{{least(100)}}},
		{"two bounds that rule each other out", persons, [][]boundsFigure{{least(100), most(90)}}},
		{"two bounds that agree", persons, [][]boundsFigure{{least(90), most(100), exact(95)}}},
		{"the edge of a bound, rounding allowed for", persons, [][]boundsFigure{{least(100), exact(99), exact(98.9), exact(99.5)}}},
		{"figures of two datasets", persons, [][]boundsFigure{{least(100), other(exact(50)), exact(60), other(exact(150)), most(70), other(most(40))}}},
		{"ties", persons, [][]boundsFigure{{least(10), exact(5), exact(5), other(exact(5)), most(5), most(5)}}},
		{"more than are named", persons, [][]boundsFigure{many}},
		{"ratios, which allow at most 1", ratio, [][]boundsFigure{{
			{value: 0.95, precision: 0.005, q: dataset.AtLeast}, {value: 0.9, precision: 0.005}, {value: 0.99, precision: 0.005},
			{value: 0.5, precision: 0.005, q: dataset.AtMost}, {value: 1, precision: 0.005},
		}}},
		{"a figure that allows nothing", ratio, [][]boundsFigure{{
			{value: 1.2, precision: 0.005}, {value: 0.95, precision: 0.005, q: dataset.AtLeast}, {value: 1.5, precision: 0.005, q: dataset.AtMost},
		}}},
		{"random series", persons, [][]boundsFigure{random(1, 40), random(2, 200), random(3, 7), random(4, 3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := boundsSnapshot(tc.ind, tc.series...)
			want := pairwise(snap)
			byPos := map[dataset.Position]*dataset.Observation{}
			for _, ds := range snap.Datasets {
				for _, o := range ds.Observations {
					byPos[o.Pos] = o
				}
			}
			seen := map[dataset.Position]bool{}
			for _, r := range Run(snap) {
				if r.Check != Bounds {
					continue
				}
				against, ok := want[r.Pos]
				if !ok {
					t.Errorf("%s: a bounds result at %s, which is no bound with another figure in its series", r.Subject, r.Pos)
					continue
				}
				if seen[r.Pos] {
					t.Errorf("%s: more than one bounds result at %s", r.Subject, r.Pos)
				}
				seen[r.Pos] = true
				if wantStatus := status(len(against) == 0); r.Status != wantStatus {
					t.Errorf("%s: status %s, want %s: %d figures rule it out: %s", r.Pos, r.Status, wantStatus, len(against), r.Message)
				}
				if len(r.Figures) == 0 || r.Figures[0].Pos != r.Pos {
					t.Errorf("%s: the result's first figure is not the bound it checks", r.Pos)
					continue
				}
				ids := []*dataset.Dataset{r.Figures[0].Dataset}
				for p := range against {
					ids = append(ids, byPos[p].Dataset)
				}
				if wantIDs := datasetIDs(ids...); r.Status == Failed && !slices.Equal(r.Datasets, wantIDs) {
					t.Errorf("%s: counted against datasets %v, want %v (the bound's and those of the figures ruling it out)", r.Pos, r.Datasets, wantIDs)
				}
				if r.Status != Failed {
					continue
				}
				named := r.Figures[1:]
				if len(named) != min(len(against), boundsNamed) {
					t.Errorf("%s: names %d figures, want %d of the %d that rule it out", r.Pos, len(named), min(len(against), boundsNamed), len(against))
				}
				for _, f := range named {
					if !against[f.Pos] {
						t.Errorf("%s: names %s, which does not rule it out", r.Pos, f.Pos)
					}
				}
				others := len(slices.DeleteFunc(slices.Collect(func(yield func(*dataset.Observation) bool) {
					for _, o := range byPos {
						if o.Key() == r.Figures[0].Key() && !yield(o) {
							return
						}
					}
				}), func(o *dataset.Observation) bool { return o == r.Figures[0] }))
				if others > 1 && !strings.Contains(r.Message, fmt.Sprintf("is contradicted by %d of the %d other figures", len(against), others)) {
					t.Errorf("%s: the message does not count the %d figures of %d that rule it out: %s", r.Pos, len(against), others, r.Message)
				}
			}
			for p := range want {
				if !seen[p] {
					t.Errorf("no bounds result for the bound at %s", p)
				}
			}
		})
	}
}

// TestBoundsOfALargeSeries checks a series of 200,000 figures, half of them
// bounds, which comparing every two figures would take hours over: the check
// must return within a minute however busy the machine, with one result for
// each bound, and the bounds the exact figures rule out failing.
func TestBoundsOfALargeSeries(t *testing.T) {
	const n = 100000
	persons := &dataset.Indicator{Name: "socsec_insured_persons", Unit: dataset.UnitPersons}
	figures := make([]boundsFigure, 0, 2*n)
	for i := range n {
		figures = append(figures, boundsFigure{value: float64(n + i), precision: 0.5})
		// Every bound allows each exact figure, n to 2n-1, but every
		// thousandth, which every exact figure rules out.
		v := float64(n - i)
		if i%1000 == 999 {
			v = float64(4 * n)
		}
		figures = append(figures, boundsFigure{value: v, precision: 0.5, q: dataset.AtLeast, second: true})
	}
	snap := boundsSnapshot(persons, figures)
	var tally Tally
	var results []Result
	done := make(chan struct{})
	go func() {
		defer close(done)
		tally = CountRun(snap)
		RunTerse(snap, func(r Result) { results = append(results, r) })
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the bounds check of a series of 200,000 figures did not return within a minute: its work is not n log n in the figures of a series")
	}
	if len(results) != n {
		t.Fatalf("%d results, want one for each of the %d bounds", len(results), n)
	}
	failed := 0
	for _, r := range results {
		if r.Status == Failed {
			failed++
			if !strings.Contains(r.Message, fmt.Sprintf("is contradicted by %d of the %d other figures", n, 2*n-1)) {
				t.Errorf("%s: the message does not count the %d exact figures that rule it out: %s", r.Pos, n, r.Message)
			}
		}
	}
	if want := n / 1000; failed != want || tally.Failed["a"] != want || tally.Failed["b"] != want {
		t.Errorf("%d bounds failed (tally %v), want %d, each counted against both datasets", failed, tally.Failed, want)
	}
}
