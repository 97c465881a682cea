package dataset

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Settlement is how the figures of one series, published more than once,
// were settled: which one is served and what became of the others.
type Settlement struct {
	// Served is the figure served; nil when the series is an unresolved
	// conflict.
	Served *Observation
	// Revised are the figures that a figure outranking them contradicts.
	Revised []Revision
	// Confirming are the kept figures outside the dispute other than
	// Served: each agrees with every kept figure.
	Confirming []*Observation
	// Disputed are the kept figures that disagree with another kept
	// figure, which does not outrank them. When Served is not nil, a kept
	// figure outside the dispute outranks every disputed figure, and the
	// dispute is only worth a warning; otherwise it leaves the series
	// unserved.
	Disputed []*Observation
}

// Settle settles the figures of one series (the same Key): a pure function
// whose result does not depend on the order of figures. The rule:
//
//  1. Rank: a lower authority first; at equal authority a final figure
//     before one flagged provisional; then the later date (Source.Date). An
//     undated source is not ordered against a source of equal authority and
//     finality (Observation.Outranks).
//  2. Agreement: two figures agree when their intervals (Bounds) meet; an
//     at_least or at_most figure has an open end (Observation.Agrees).
//  3. Best rank first, a figure is revised when a kept figure that outranks
//     it disagrees with it; otherwise it is kept.
//  4. Kept figures that disagree with each other, which then never outrank
//     each other, are disputed. When a kept figure outside the dispute
//     outranks every disputed figure, the most precise kept figure outside
//     the dispute is served; otherwise nothing is.
//  5. Without a dispute, the most precise kept figure is served and the
//     other kept figures confirm it.
//
// Ties between equally precise figures go to the better rank, then to the
// smaller value, then to the source, dataset and position, so that the
// figure served never depends on the order figures were read in.
func Settle(figures []*Observation) Settlement {
	if len(figures) == 1 {
		return Settlement{Served: figures[0]}
	}
	sorted := slices.Clone(figures)
	slices.SortFunc(sorted, compareSettling)
	var s Settlement
	kept := make([]*Observation, 0, len(sorted))
	// above holds the kept figures of better classes than the current
	// figure's; later those of its class with a later date; pending those of
	// its class and date, which do not outrank it.
	var above, later, pending extremes
	for i, o := range sorted {
		if i > 0 {
			switch prev := sorted[i-1]; {
			case rankOf(prev).classCompare(rankOf(o)) != 0:
				above.merge(later)
				above.merge(pending)
				later, pending = extremes{}, extremes{}
			case !prev.Source.Date().Equal(o.Source.Date()):
				later.merge(pending)
				pending = extremes{}
			}
		}
		outranking := above
		if !o.Source.Date().IsZero() {
			outranking.merge(later)
		}
		if by := outranking.disagreeing(o); by != nil {
			s.Revised = append(s.Revised, Revision{Old: o, By: by})
			continue
		}
		kept = append(kept, o)
		pending.add(o)
	}
	var all extremes
	for _, o := range kept {
		all.add(o)
	}
	var outside []*Observation
	for _, o := range kept {
		if all.disagreeing(o) != nil {
			s.Disputed = append(s.Disputed, o)
		} else {
			outside = append(outside, o)
		}
	}
	if len(s.Disputed) > 0 && !slices.ContainsFunc(outside, outranksAll(s.Disputed)) {
		s.Confirming = outside
		return s
	}
	s.Served = slices.MinFunc(outside, func(a, b *Observation) int {
		return cmp.Or(cmp.Compare(a.Width(), b.Width()), compareSettling(a, b))
	})
	for _, o := range outside {
		if o != s.Served {
			s.Confirming = append(s.Confirming, o)
		}
	}
	for i := range s.Revised {
		s.Revised[i].Served = s.Served
	}
	return s
}

// outranksAll returns whether a figure outranks every one of figures.
// Only the best class among them matters: a figure of a better class
// outranks them all, one of that class only those of a date before its own.
func outranksAll(figures []*Observation) func(*Observation) bool {
	best := rankOf(figures[0])
	for _, o := range figures[1:] {
		if r := rankOf(o); r.classCompare(best) < 0 {
			best = r
		}
	}
	var latest time.Time
	undated := false
	for _, o := range figures {
		if r := rankOf(o); r.classCompare(best) == 0 {
			undated = undated || r.date.IsZero()
			if r.date.After(latest) {
				latest = r.date
			}
		}
	}
	return func(o *Observation) bool {
		r := rankOf(o)
		switch c := r.classCompare(best); {
		case c != 0:
			return c < 0
		case undated || r.date.IsZero():
			return false
		}
		return r.date.After(latest)
	}
}

// extremes keeps, of a set of figures, the one whose interval ends lowest
// and the one whose interval starts highest: a figure disagrees with some
// figure of the set exactly when it disagrees with one of those two.
type extremes struct {
	lowest, highest *Observation
	hi, lo          float64
}

func (e *extremes) add(o *Observation) {
	lo, hi := o.Bounds()
	if e.lowest == nil || hi < e.hi {
		e.lowest, e.hi = o, hi
	}
	if e.highest == nil || lo > e.lo {
		e.highest, e.lo = o, lo
	}
}

func (e *extremes) merge(f extremes) {
	if f.lowest == nil {
		return
	}
	if e.lowest == nil {
		*e = f
		return
	}
	if f.hi < e.hi {
		e.lowest, e.hi = f.lowest, f.hi
	}
	if f.lo > e.lo {
		e.highest, e.lo = f.highest, f.lo
	}
}

// disagreeing returns a figure of the set that disagrees with o, or nil.
func (e *extremes) disagreeing(o *Observation) *Observation {
	for _, p := range []*Observation{e.lowest, e.highest} {
		if p != nil && !p.Agrees(o) {
			return p
		}
	}
	return nil
}

// rank is what orders a figure against others of its series.
type rank struct {
	authority   int
	provisional bool
	date        time.Time // Zero when the source is undated.
}

func rankOf(o *Observation) rank {
	return rank{o.Source.Authority, o.Provisional(), o.Source.Date()}
}

// classCompare orders ranks by what comes before the date: the authority,
// then a final figure before a provisional one.
func (r rank) classCompare(s rank) int {
	if c := cmp.Compare(r.authority, s.authority); c != 0 {
		return c
	}
	switch {
	case r.provisional == s.provisional:
		return 0
	case s.provisional:
		return -1
	}
	return 1
}

func (r rank) outranks(s rank) bool {
	if c := r.classCompare(s); c != 0 {
		return c < 0
	}
	return !r.date.IsZero() && !s.date.IsZero() && r.date.After(s.date)
}

// Outranks reports whether o prevails over p when they disagree: a lower
// authority, or at equal authority a final figure over a provisional one,
// or at equal authority and finality a later date. A figure of an undated
// source is not ordered against one of equal authority and finality.
func (o *Observation) Outranks(p *Observation) bool {
	return rankOf(o).outranks(rankOf(p))
}

// Provisional reports whether the figure is flagged provisional.
func (o *Observation) Provisional() bool {
	return slices.Contains(o.Flags(), "provisional")
}

// compareSettling orders the figures of a series best rank first: by class,
// then later dates before earlier ones and dated before undated, then by
// precision, value, source, dataset and position. It extends Outranks to a
// total order, so that settling in this order looks at every figure after
// all that outrank it.
func compareSettling(a, b *Observation) int {
	ra, rb := rankOf(a), rankOf(b)
	if c := ra.classCompare(rb); c != 0 {
		return c
	}
	if c := rb.date.Compare(ra.date); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.Width(), b.Width()),
		cmp.Compare(a.Value, b.Value),
		strings.Compare(string(a.Qualifier), string(b.Qualifier)),
		strings.Compare(a.Source.ID, b.Source.ID),
		strings.Compare(a.Dataset.ID, b.Dataset.ID),
		strings.Compare(a.Pos.File, b.Pos.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Column, b.Pos.Column),
	)
}

// Agrees reports whether two figures can be the same true value: the
// intervals their bounds allow meet. The tolerance for the rounding of the
// bounds is relative to their finite ends, so that an open end never makes
// every figure agree.
func (o *Observation) Agrees(p *Observation) bool {
	olo, ohi := o.Bounds()
	plo, phi := p.Bounds()
	scale := 0.0
	for _, v := range []float64{olo, ohi, plo, phi} {
		if !math.IsInf(v, 0) {
			scale = max(scale, math.Abs(v))
		}
	}
	eps := 1e-9 * scale
	return olo <= phi+eps && plo <= ohi+eps
}
