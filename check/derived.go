package check

import (
	"fmt"
	"math"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// Change returns the relative change from one observation of a series to a
// later one, (to - from) / from; between consecutive years it is the
// year-on-year change.
func Change(from, to *dataset.Observation) (float64, error) {
	if err := sameSeries(from, to); err != nil {
		return 0, err
	}
	return growth(from.Value, to.Value, 1), nil
}

// CAGR returns the compound annual growth rate from one observation of a
// series to a later one: the constant yearly rate that turns from.Value into
// to.Value over to.Year - from.Year years.
func CAGR(from, to *dataset.Observation) (float64, error) {
	if err := sameSeries(from, to); err != nil {
		return 0, err
	}
	return growth(from.Value, to.Value, to.Year-from.Year), nil
}

// sameSeries says why two observations cannot be compared as one series
// growing over time, or returns nil.
func sameSeries(from, to *dataset.Observation) error {
	a, b := *from, *to
	a.Year, b.Year = 0, 0
	switch {
	case a.Key() != b.Key():
		return fmt.Errorf("%s and %s are different series", describe(from), describe(to))
	case to.Year <= from.Year:
		return fmt.Errorf("%s must be later than %s", describe(to), describe(from))
	case from.Value <= 0:
		return fmt.Errorf("%s: growth from %s is undefined", describe(from), num(from.Value))
	}
	return nil
}

// growth is the constant yearly rate that turns from into to over years years;
// +Inf when from is not positive, since any growth rate is then possible.
func growth(from, to float64, years int) float64 {
	if from <= 0 {
		return math.Inf(1)
	}
	return math.Pow(to/from, 1/float64(years)) - 1
}

// interval is the set of true values that a published figure allows.
type interval struct {
	lo, hi float64
}

// overlaps reports whether two intervals share a value, allowing for the
// rounding error of the arithmetic that produced them.
func (a interval) overlaps(b interval) bool {
	const eps = 1e-9
	return a.lo <= b.hi+eps*math.Abs(b.hi) && b.lo <= a.hi+eps*math.Abs(a.hi)
}

// span returns the values a figure allows (dataset.Observation.Bounds).
func span(o *dataset.Observation) interval {
	lo, hi := o.Bounds()
	return interval{lo, hi}
}

// ratioSpan returns the values of num/den for num and den in their spans.
func ratioSpan(num, den interval) interval {
	iv := interval{0, math.Inf(1)}
	if !math.IsInf(den.hi, 1) {
		iv.lo = max(num.lo, 0) / den.hi
	}
	if den.lo > 0 {
		iv.hi = num.hi / den.lo
	}
	return iv
}

// growthSpan returns the growth rates over years years that figures anywhere
// in from and to allow.
func growthSpan(from, to interval, years int) interval {
	return interval{growth(from.hi, to.lo, years), growth(from.lo, to.hi, years)}
}
