package check

import (
	"math"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

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
