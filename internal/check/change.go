package check

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// checkChange compares an absolute change a source stated with the change
// between its base figures: every value the later figure allows minus
// every value the earlier one allows must include a value the stated
// change allows.
func checkChange(r *dataset.Reported, from, to *dataset.Observation, res Result) Result {
	f, t := span(from), span(to)
	allowed := interval{t.lo - f.hi, t.hi - f.lo}
	ok := statedSpan(r).overlaps(allowed)
	res.Status = status(ok)
	res.Message = fmt.Sprintf("reported %s ± %s (%s) %s %s computed from %s to %s, which allow %s to %s",
		stated(r), tidy(r.Precision), sourceText(r.Source), verdict(ok, "agrees with", "disagrees with"), signed(to.Value-from.Value),
		figure(from), figure(to), signed(allowed.lo), signed(allowed.hi))
	return res
}

// statedSpan is what a reported figure allows: its value give or take half
// a unit of its last digit.
func statedSpan(r *dataset.Reported) interval {
	return interval{r.Value - r.Precision, r.Value + r.Precision}
}

// checkPair checks a growth rate that lacks a base figure against a change
// stated for the same series and years. The two tie the base figures
// together: with from the earlier figure and g = (1 + rate)^years - 1 the
// growth over the whole span, change = from × g and to = from + change. The
// pair fails only when no earlier figure, change and rate within what
// their figures and the served base figure allow satisfy both; without
// either base figure only a change and a rate of opposite signs fail.
func checkPair(rate, change *dataset.Reported, from, to *dataset.Observation) Result {
	years := rate.ToYear - rate.FromYear
	present := presentFigures(from, to)
	ids := []*dataset.Dataset{rate.Dataset, change.Dataset}
	for _, o := range present {
		ids = append(ids, o.Dataset)
	}
	res := Result{
		Check:    ReportedPair,
		Subject:  claimSubject(rate),
		Pos:      rate.Pos,
		Datasets: datasetIDs(ids...),
		Figures:  present,
		Reported: []*dataset.Reported{rate, change},
	}
	ok := pairAgrees(statedSpan(rate), statedSpan(change), baseSpan(from), baseSpan(to), years)
	res.Status = status(ok)
	var with, gives string
	g := spanGrowth(rate.Value, years)
	switch {
	case to != nil:
		f := to.Value - change.Value
		with = " and " + figure(to)
		gives = fmt.Sprintf("the change gives a %d figure of %s and %s a year", rate.FromYear, tidy(f), percent(growth(f, to.Value, years), rate.Precision/10))
	case from != nil:
		with = " and " + figure(from)
		gives = fmt.Sprintf("the change gives a %d figure of %s and %s a year", rate.ToYear, tidy(from.Value+change.Value), percent(growth(from.Value, from.Value+change.Value, years), rate.Precision/10))
	case g != 0:
		gives = fmt.Sprintf("together they give a %d figure of %s", rate.FromYear, tidy(change.Value/g))
	default:
		gives = "a rate of 0 leaves no change"
	}
	res.Message = fmt.Sprintf("reported %s a year (±%s points; %s) %s the reported %s ± %s (%s)%s: %s; %s",
		stated(rate), strings.TrimSuffix(percent(rate.Precision, rate.Precision/10), " %"), sourceText(rate.Source),
		verdict(ok, "agrees with", "disagrees with"), stated(change), tidy(change.Precision), sourceText(change.Source),
		with, gives, missing(rate, from, to))
	return res
}

// baseSpan is what a base figure allows, or any value at all when it is
// missing.
func baseSpan(o *dataset.Observation) interval {
	if o == nil {
		return interval{0, math.Inf(1)}
	}
	return span(o)
}

// spanGrowth is the growth over years years at the yearly rate rate,
// (1 + rate)^years - 1; a rate of -100 % or below leaves nothing.
func spanGrowth(rate float64, years int) float64 {
	return math.Pow(max(1+rate, 0), float64(years)) - 1
}

// pairAgrees reports whether an earlier figure f > 0 in from exists with
// a change c in change, a rate r in rate and a later figure in to such
// that c = f × ((1 + r)^years - 1) and f + c is in to. For a given f the
// change must lie in change, in f × [g(rate.lo), g(rate.hi)] and in
// to - f; those three intervals overlap when every lower end is below
// every upper end, each condition linear in f, so the f that satisfy them
// all are an interval too.
func pairAgrees(rate, change, from, to interval, years int) bool {
	gLo, gHi := spanGrowth(rate.lo, years), spanGrowth(rate.hi, years)
	// Each condition is a × f ≤ b.
	conds := [][2]float64{
		{-gHi, -change.lo},           // change.lo ≤ f × gHi
		{1, to.hi - change.lo},       // change.lo ≤ to.hi - f
		{gLo, change.hi},             // f × gLo ≤ change.hi
		{1 + gLo, to.hi},             // f × gLo ≤ to.hi - f
		{-1, change.hi - to.lo},      // to.lo - f ≤ change.hi
		{-(1 + gHi), -to.lo},         // to.lo - f ≤ f × gHi
		{1, from.hi}, {-1, -from.lo}, // f in from
	}
	// The rounding error of the arithmetic is allowed for, relative to the
	// size of the figures.
	scale := 0.0
	for _, v := range []float64{change.lo, change.hi, from.lo, from.hi, to.lo, to.hi} {
		if !math.IsInf(v, 0) {
			scale = max(scale, math.Abs(v))
		}
	}
	slack := 1e-9 * scale
	lo, hi := 0.0, math.Inf(1)
	for _, c := range conds {
		a, b := c[0], c[1]+slack
		switch {
		case a > 0:
			hi = min(hi, b/a)
		case a < 0:
			lo = max(lo, b/a)
		case b < 0:
			return false
		}
	}
	return lo <= hi && hi > 0
}

// stated is a reported figure as the source stated it: a growth rate as a
// percentage, a change with its sign and as printed.
func stated(r *dataset.Reported) string {
	if isRate(r) {
		return percent(r.Value, r.Precision)
	}
	return "change " + withPrinted(signed(r.Value), r.Printed)
}

// signed formats a change with its sign: +24360000, -1200, 0.
func signed(v float64) string {
	if v > 0 && !math.IsInf(v, 1) {
		return "+" + tidy(v)
	}
	return tidy(v)
}

// tidy formats the result of arithmetic on figures without the rounding
// error of binary floating point: 62.3, not 62.30000000000007.
func tidy(v float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return num(v)
	}
	return num(r)
}
