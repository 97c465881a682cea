package dataset

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var persons = &Indicator{Name: "socsec_insured_persons", Unit: UnitPersons, PerProgram: true}

// fig builds a figure of persons from its value, precision, qualifier and
// source; provisional flags it.
func fig(value, precision float64, q Qualifier, src *Source, provisional bool) *Observation {
	o := &Observation{Indicator: persons, Region: "CN", Program: "basic_pension", Year: 2022,
		Value: value, Precision: precision, Qualifier: q, Source: src, Dataset: &Dataset{ID: "d"}}
	if provisional {
		o.Words = &Words{Flags: []string{"provisional"}}
	}
	return o
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// describeSettlement names the outcome by the sources of the figures,
// which the cases below keep distinct.
func describeSettlement(s Settlement) string {
	ids := func(figures []*Observation) string {
		var parts []string
		for _, o := range figures {
			parts = append(parts, o.Source.ID)
		}
		slices.Sort(parts)
		return strings.Join(parts, ",")
	}
	served := "none"
	if s.Served != nil {
		served = s.Served.Source.ID
	}
	var revised []string
	for _, r := range s.Revised {
		revised = append(revised, r.Old.Source.ID+"<"+r.By.Source.ID)
	}
	slices.Sort(revised)
	return fmt.Sprintf("served %s; revised [%s]; confirming [%s]; disputed [%s]",
		served, strings.Join(revised, ","), ids(s.Confirming), ids(s.Disputed))
}

// The cases of testdata/settlement, figure by figure, and a few more.
func TestSettleCases(t *testing.T) {
	bulletin := &Source{ID: "bulletin", Authority: 1, Published: day("2023-06-09")}
	pressA := &Source{ID: "a", Authority: 5, Published: day("2023-07-01")}
	pressB := &Source{ID: "b", Authority: 5, Published: day("2023-07-01")}
	pressC := &Source{ID: "c", Authority: 5, Published: day("2023-07-01")}
	yearbook := &Source{ID: "yearbook", Authority: 3}
	communique := &Source{ID: "communique", Authority: 3, Published: day("2006-02-28")}
	later := &Source{ID: "later", Authority: 3, Published: day("2007-02-28")}
	for _, tc := range []struct {
		name    string
		figures []*Observation
		want    string
	}{
		{"at_least against an exact figure below it", []*Observation{
			fig(30e6, 5e5, AtLeast, pressA, false), fig(10e6, 0.5, Exact, pressB, false),
		}, "served none; revised []; confirming []; disputed [a,b]"},
		{"pairwise under a bulletin", []*Observation{
			fig(30e6, 5e5, Exact, bulletin, false), fig(29.6e6, 0.5, Exact, pressA, false), fig(30.4e6, 0.5, Exact, pressB, false),
		}, "served bulletin; revised []; confirming []; disputed [a,b]"},
		{"pairwise at equal rank", []*Observation{
			fig(30e6, 5e5, Exact, pressC, false), fig(29.6e6, 0.5, Exact, pressA, false), fig(30.4e6, 0.5, Exact, pressB, false),
		}, "served none; revised []; confirming [c]; disputed [a,b]"},
		{"final over provisional", []*Observation{
			fig(10e6, 500, Exact, yearbook, false), fig(10.04e6, 5000, Exact, communique, true),
		}, "served yearbook; revised [communique<yearbook]; confirming []; disputed []"},
		{"undated not ordered", []*Observation{
			fig(10e6, 500, Exact, yearbook, false), fig(10.04e6, 5000, Exact, communique, false),
		}, "served none; revised []; confirming []; disputed [communique,yearbook]"},
		{"later date revises", []*Observation{
			fig(10.05e6, 5000, Exact, later, false), fig(10.04e6, 500, Exact, communique, false),
		}, "served later; revised [communique<later]; confirming []; disputed []"},
		{"a rounded figure confirms the precise one served", []*Observation{
			fig(30e6, 5e5, Exact, bulletin, false), fig(30.1e6, 0.5, Exact, pressA, false),
		}, "served a; revised []; confirming [bulletin]; disputed []"},
		{"a revised figure revises nothing", []*Observation{
			// The bulletin revises A; A, revised, does not dispute B.
			fig(30e6, 5e5, Exact, bulletin, false), fig(20e6, 0.5, Exact, pressA, false), fig(30.2e6, 0.5, Exact, pressB, false),
		}, "served b; revised [a<bulletin]; confirming [bulletin]; disputed []"},
		{"at_most agrees only below its end", []*Observation{
			fig(30e6, 5e5, AtMost, pressA, false), fig(20e6, 0.5, Exact, pressB, false),
		}, "served b; revised []; confirming [a]; disputed []"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 {
				shuffled := slices.Clone(tc.figures)
				rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				if got := describeSettlement(Settle(shuffled)); got != tc.want {
					t.Fatalf("Settle gives %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func TestAgreesWithAnOpenEnd(t *testing.T) {
	src := &Source{ID: "s", Authority: 5}
	atLeast, below := fig(30e6, 5e5, AtLeast, src, false), fig(10e6, 0.5, Exact, src, false)
	if atLeast.Agrees(below) || below.Agrees(atLeast) {
		t.Errorf("at_least 30 million agrees with 10,000,000: an open end must not make every figure agree")
	}
	if above := fig(90e6, 0.5, Exact, src, false); !atLeast.Agrees(above) {
		t.Errorf("at_least 30 million disagrees with 90,000,000, which it allows")
	}
}

// randomSeries makes figures of one series of values near 100 with few
// distinct digits, so that they often agree and often do not, from sources
// of a few authorities and dates, some undated, some figures provisional,
// rounded or bounds.
func randomSeries(r *rand.Rand) []*Observation {
	var sources []*Source
	for i := range 1 + r.IntN(4) {
		s := &Source{ID: fmt.Sprintf("s%d", i), Authority: 1 + r.IntN(3)}
		if r.IntN(3) > 0 {
			s.Published = day("2020-01-01").AddDate(0, 0, r.IntN(3))
		}
		sources = append(sources, s)
	}
	datasets := []*Dataset{{ID: "x"}, {ID: "y"}}
	n := 1 + r.IntN(7)
	figures := make([]*Observation, n)
	for i := range figures {
		q := []Qualifier{Exact, Exact, Exact, Approximately, AtLeast, AtMost}[r.IntN(6)]
		precision := []float64{0.5, 5, 50}[r.IntN(3)]
		value := float64(90 + r.IntN(21))
		o := fig(value, precision, q, sources[r.IntN(len(sources))], r.IntN(4) == 0)
		o.Dataset = datasets[r.IntN(2)]
		o.Pos = Position{File: o.Dataset.ID + ".yaml", Line: i + 1, Column: 3}
		figures[i] = o
	}
	return figures
}

// canonical describes a settlement by what its figures say, not where they
// are written: a shuffle moves figures but must not change the outcome.
func canonical(s Settlement) string {
	name := func(o *Observation) string {
		if o == nil {
			return "none"
		}
		return fmt.Sprintf("%s %g±%g %s %s p=%v", o.Dataset.ID, o.Value, o.Precision, o.Qualifier, o.Source.ID, o.Provisional())
	}
	names := func(figures []*Observation) string {
		var parts []string
		for _, o := range figures {
			parts = append(parts, name(o))
		}
		slices.Sort(parts)
		return strings.Join(parts, "; ")
	}
	var revised []string
	for _, r := range s.Revised {
		revised = append(revised, name(r.Old))
	}
	slices.Sort(revised)
	return fmt.Sprintf("served %s | revised %s | confirming %s | disputed %s",
		name(s.Served), strings.Join(revised, "; "), names(s.Confirming), names(s.Disputed))
}

// checkProperties checks what every settlement must hold, whatever the
// figures: see Settle.
func checkProperties(t *testing.T, figures []*Observation, s Settlement) {
	t.Helper()
	all := slices.Concat(s.Confirming, s.Disputed)
	for _, r := range s.Revised {
		all = append(all, r.Old)
		if !r.By.Outranks(r.Old) {
			t.Errorf("%s is revised by %s, which does not outrank it", name(r.Old), name(r.By))
		}
		if r.By.Agrees(r.Old) {
			t.Errorf("%s is revised by %s, which agrees with it", name(r.Old), name(r.By))
		}
		if slices.ContainsFunc(s.Revised, func(q Revision) bool { return q.Old == r.By }) {
			t.Errorf("%s is revised by %s, itself revised", name(r.Old), name(r.By))
		}
	}
	if s.Served != nil {
		all = append(all, s.Served)
	}
	if len(all) != len(figures) {
		t.Errorf("the settlement accounts for %d of %d figures", len(all), len(figures))
	}
	if s.Served == nil {
		if len(s.Disputed) == 0 {
			t.Errorf("nothing served, and no figures disputed")
		}
		return
	}
	agreeing := append([]*Observation{s.Served}, s.Confirming...)
	for i, a := range agreeing {
		for _, b := range agreeing[i+1:] {
			if !a.Agrees(b) {
				t.Errorf("served or confirming %s and %s disagree", name(a), name(b))
			}
		}
		if a.Width() < s.Served.Width() {
			t.Errorf("%s is more precise than the figure served, %s", name(a), name(s.Served))
		}
	}
	if len(s.Disputed) > 0 && !slices.ContainsFunc(agreeing, func(o *Observation) bool {
		return !slices.ContainsFunc(s.Disputed, func(d *Observation) bool { return !o.Outranks(d) })
	}) {
		t.Errorf("%s is served while no figure served or confirming outranks every disputed figure", name(s.Served))
	}
	for i, a := range s.Disputed {
		if !slices.ContainsFunc(s.Disputed[i+1:], func(b *Observation) bool { return !a.Agrees(b) }) &&
			!slices.ContainsFunc(s.Disputed[:i], func(b *Observation) bool { return !a.Agrees(b) }) {
			t.Errorf("%s is disputed but disagrees with no other disputed figure", name(a))
		}
	}
}

func name(o *Observation) string {
	return fmt.Sprintf("%g±%g %s (source %s, line %d)", o.Value, o.Precision, o.Qualifier, o.Source.ID, o.Pos.Line)
}

func TestSettleProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		figures := randomSeries(r)
		s := Settle(figures)
		checkProperties(t, figures, s)
		want := canonical(s)
		for range 3 {
			shuffled := slices.Clone(figures)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if got := canonical(Settle(shuffled)); got != want {
				t.Fatalf("series %d: the settlement depends on the order of figures:\n%s\nthen\n%s", i, want, got)
			}
		}
		if t.Failed() {
			t.Fatalf("series %d fails; its figures: %s", i, canonical(Settlement{Disputed: figures}))
		}
	}
}

// FuzzSettle settles the series a seed makes, in two orders.
func FuzzSettle(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(7), uint64(99))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		r := rand.New(rand.NewPCG(a, b))
		figures := randomSeries(r)
		s := Settle(figures)
		checkProperties(t, figures, s)
		slices.Reverse(figures)
		if got, want := canonical(Settle(figures)), canonical(s); got != want {
			t.Fatalf("the settlement depends on the order of figures:\n%s\nthen\n%s", want, got)
		}
	})
}

func TestSettleManyDisagreeingFiguresIsNotQuadratic(t *testing.T) {
	src := &Source{ID: "s", Authority: 5}
	var figures []*Observation
	for i := range 100000 {
		figures = append(figures, fig(float64(1000+10*i), 0.5, Exact, src, false))
	}
	done := make(chan Settlement)
	go func() { done <- Settle(figures) }()
	select {
	case s := <-done:
		if s.Served != nil || len(s.Disputed) != len(figures) {
			t.Errorf("100,000 disagreeing figures of one rank: served %v, %d disputed; want none served, all disputed", s.Served != nil, len(s.Disputed))
		}
	case <-time.After(time.Minute):
		t.Fatal("settling 100,000 disagreeing figures of one series took over a minute")
	}
}
