package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// parseValue reads an observation's value, a plain number or a figure as
// printed, of the indicator name, with the precision it was written with. A
// ratio written as a plain number is taken as the percentage it was
// converted from: 0.9 is 90 %, so it is known at least to half a point. A
// figure in percentage points (个百分点) is the change of a ratio, which a
// reported figure of kind change states, never an observation's value.
func parseValue(s string, unit dataset.Unit, name string) (Figure, string) {
	fig, msg := parseFigureOf(s, unit, name)
	if msg != "" {
		return fig, msg
	}
	switch {
	case fig.form == formPoints:
		if name == "" {
			name = "the indicator"
		}
		points := lastRunes(fig.Printed, utf8.RuneCountInString("个百分点"))
		return Figure{}, fmt.Sprintf("%s (percentage points) is for the change of a ratio, under reported with kind change: write a value of %s as a percentage (93.2%%), got %q", points, name, fig.Printed)
	case unit == dataset.UnitRatio && !fig.percentage():
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
