package check

import (
	"fmt"
	"math"
	"strconv"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// checkChange compares an absolute change a source stated with the change
// between its base figures: every value the later figure allows minus
// every value the earlier one allows must include a value the stated
// change allows.
func checkChange(r *dataset.Reported, from, to *dataset.Observation, res Result) Result {
	f, t := span(from), span(to)
	allowed := interval{t.lo - f.hi, t.hi - f.lo}
	res.OK = interval{r.Value - r.Precision, r.Value + r.Precision}.overlaps(allowed)
	verdict := "agrees with"
	if !res.OK {
		verdict = "disagrees with"
	}
	res.Message = fmt.Sprintf("reported %s ± %s (%s) %s %s computed from %s to %s, which allow %s to %s",
		stated(r), tidy(r.Precision), sourceText(r.Source), verdict, signed(to.Value-from.Value),
		figure(from), figure(to), signed(allowed.lo), signed(allowed.hi))
	return res
}

// stated is a reported figure as the source stated it: a growth rate as a
// percentage, a change with its sign and as printed.
func stated(r *dataset.Reported) string {
	if r.Kind != "change" {
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
