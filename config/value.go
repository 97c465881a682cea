package config

import (
	"math"
	"strconv"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// parseValue reads an observation's value, a plain number or a figure as
// printed, with the precision it was written with. A ratio written as a
// plain number is taken as the percentage it was converted from: 0.9 is
// 90 %, so it is known at least to half a point.
func parseValue(s string, unit dataset.Unit) (Figure, string) {
	fig, msg := parseFigure(s, unit)
	if msg != "" {
		return fig, msg
	}
	if unit == dataset.UnitRatio && !strings.HasSuffix(fig.Printed, "%") {
		fig.Precision = min(fig.Precision, 0.005)
	}
	return fig, ""
}

// printed is the figure as printed when it was not written as a plain
// number; a plain number says nothing its value does not.
func (f Figure) printed() string {
	if _, err := strconv.ParseFloat(f.Printed, 64); err == nil {
		return ""
	}
	return f.Printed
}

// roughPrecision is the precision of an approximate figure written without
// a unit word: its trailing zeros are not digits, so "some 25840000" is
// known to ± 5000.
func roughPrecision(v float64) float64 {
	if v == 0 {
		return 0.5
	}
	mantissa, exp, _ := strings.Cut(strconv.FormatFloat(math.Abs(v), 'e', -1, 64), "e")
	e, _ := strconv.Atoi(exp)
	decimals := 0
	if i := strings.IndexByte(mantissa, '.'); i >= 0 {
		decimals = len(mantissa) - i - 1
	}
	return 0.5 * math.Pow10(e-decimals)
}
