package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// Figure is a published value with the precision it was written with, so
// that a figure copied from a bulletin ("32.45 million") keeps both what it
// says and how exactly it says it.
type Figure struct {
	Value float64 // In base units: persons, yuan, or a ratio 0..1.
	// Precision is half a unit of the last written digit, times the
	// multiplier: "32.45 million" is 32,450,000 ± 5,000, "3512" is 3512 ± 0.5.
	// It is never 0: even an integer is only exact to the unit written.
	Precision float64
	Printed   string // As written, trimmed of surrounding white space.
}

// multiplier is a suffix a bulletin writes after a number, with the power of
// ten it stands for.
type multiplier struct {
	suffix string
	exp    int
}

// multipliers are tried in order, so "万亿" comes before "亿". English words
// take exactly one ASCII space before them and are lower case, as printed in
// English-language reports; 万, 亿 and % follow the digits directly, as
// printed in Chinese bulletins. One spelling for each keeps the grammar, and
// the message that lists it, short.
var multipliers = []multiplier{
	{"万亿", 12},
	{"万", 4},
	{"亿", 8},
	{" thousand", 3},
	{" million", 6},
	{" billion", 9},
	{" trillion", 12},
	{"%", -2},
}

// parseFigure parses s, the value of an observation of an indicator of the
// given unit, either as a plain number or as a figure as printed, so that a
// figure can be copied from a bulletin as it stands. After trimming white
// space, s must match
//
//	figure     = ["-"] integer ["." digits] [multiplier]
//	           | ["-"] plain ["." digits] exponent
//	integer    = plain | nonzero [digit [digit]] ("," digit digit digit)...
//	plain      = "0" | nonzero [digits]
//	exponent   = ("e" | "E") ["+" | "-"] digits
//	multiplier = "万" | "亿" | "万亿" | " thousand" | " million" | " billion" | " trillion" | "%"
//
// where digits are ASCII, and "%" is accepted for ratio indicators only.
// Every plain number accepted is one strconv.ParseFloat reads as the same
// float64, but not the reverse: leading zeros, a leading "+", ".5", "5.",
// hexadecimal, underscores, NaN and infinities are refused, as they are
// ambiguous, never printed or not figures. So are values of a magnitude
// above maxFigure, and nonzero values below minFigure, which includes
// those that underflow to 0. Ranges (negative counts, ratios above 1,
// whole numbers of persons) are left to the caller, which knows the
// indicator.
//
// The second result is "" or a message saying what is wrong and what is
// accepted.
func parseFigure(s string, unit dataset.Unit) (Figure, string) {
	s = strings.TrimSpace(s)
	if msg := nonFinite(s); msg != "" {
		return Figure{}, msg
	}
	num, mult := s, multiplier{}
	for _, m := range multipliers {
		if rest, ok := strings.CutSuffix(s, m.suffix); ok {
			num, mult = rest, m
			break
		}
	}
	if mult.suffix == "%" && unit != dataset.UnitRatio {
		if unit == "" {
			return Figure{}, fmt.Sprintf("%% is only for ratio indicators, got %q", s)
		}
		return Figure{}, fmt.Sprintf("%% is only for ratio indicators, not %s, got %q", unit, s)
	}
	neg, intPart, frac, exp, msg := scanNumber(num, mult.suffix == "")
	if msg != "" {
		if msg == badSyntax {
			msg = acceptedForms(unit)
		}
		return Figure{}, fmt.Sprintf("%s, got %q", msg, s)
	}
	return buildFigure(s, neg, intPart, frac, exp+mult.exp)
}

// The magnitudes a figure may have. No count of persons or jurisdictions
// and no sum of yuan comes near 1e15 (China's GDP is about 1.3e14 yuan), and
// no ratio is meaningful below 1e-15: beyond them a figure is a slip, and
// one that underflows to 0 is not what was written.
const (
	maxFigure = 1e15
	minFigure = 1e-15
)

// buildFigure makes the figure s of the digits scanned from it and the
// power of ten they are shifted by, or says why it is out of range.
func buildFigure(s, neg, intPart, frac string, shift int) (Figure, string) {
	// Build the decimal with the multiplier folded into the exponent, so that
	// strconv rounds once: "93.2%" is 93.2e-2, exactly the float64 0.932,
	// where 93.2/100 would be 0.9320000000000001.
	v, err := strconv.ParseFloat(neg+intPart+"."+frac+"0e"+strconv.Itoa(shift), 64)
	zero := strings.Trim(intPart, "0") == "" && strings.Trim(frac, "0") == ""
	switch a := math.Abs(v); {
	case err != nil || a > maxFigure:
		return Figure{}, fmt.Sprintf("must be at most 1e15 in magnitude, got %q", s)
	case a < minFigure && !zero:
		return Figure{}, fmt.Sprintf("must be 0 or at least 1e-15 in magnitude, got %q", s)
	}
	p, err := halfUnit(shift - len(frac) - 1)
	if err != nil || p == 0 || math.IsInf(p, 0) {
		return Figure{}, fmt.Sprintf("has an exponent or a number of decimals out of range, got %q", s)
	}
	return Figure{Value: v, Precision: p, Printed: s}, ""
}

// halfUnit is half a unit of the last written digit, 5 × 10^exp, as strconv
// reads it: rounded once, where math.Pow10 times 0.5 may not be.
func halfUnit(exp int) (float64, error) {
	if i := exp - firstHalfUnit; i >= 0 && i < len(halfUnits) {
		return halfUnits[i], nil
	}
	return strconv.ParseFloat("5e"+strconv.Itoa(exp), 64)
}

// halfUnits are the half units of the exponents most figures have, from
// firstHalfUnit on, read once rather than for every figure.
var halfUnits = func() (h [48]float64) {
	for i := range h {
		h[i], _ = strconv.ParseFloat("5e"+strconv.Itoa(firstHalfUnit+i), 64)
	}
	return h
}()

const firstHalfUnit = -24

// parsePlain parses a number in plain decimal notation: an optional minus,
// an integer without leading zeros or separators, optional decimals after one
// point and an optional exponent, as in 0.95, 5000, -2.5e-3; within the
// magnitudes of a figure. It is parseFigure without thousands separators,
// multipliers or percent, for the numbers of a data file that are not
// figures as printed: precisions, coverage targets, growth rates.
func parsePlain(s string) (Figure, string) {
	t := strings.TrimSpace(s)
	if msg := nonFinite(t); msg != "" {
		return Figure{}, msg
	}
	neg, intPart, frac, exp, msg := scanNumber(t, true)
	if msg == "" && strings.Contains(t, ",") {
		msg = badSyntax
	}
	if msg == badSyntax {
		msg = "must be a number in decimal notation (0.95, 5000, 2.5e-3)"
	}
	if msg != "" {
		return Figure{}, fmt.Sprintf("%s, got %q", msg, s)
	}
	return buildFigure(t, neg, intPart, frac, exp)
}

// parseWhole parses a whole number written in decimal digits only, without
// sign, leading zeros or separators: an authority, a count in a config.
func parseWhole(s string) (int, string) {
	if s == "" || len(s) > 9 || s[0] == '0' && len(s) > 1 || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Sprintf("must be a whole number written in digits (5), got %q", s)
	}
	v, _ := strconv.Atoi(s)
	return v, ""
}

// parseYear parses a year: four digits, from 1900 to the year after now's.
func parseYear(s string, now func() time.Time) (int, string) {
	y, err := strconv.Atoi(s) // After a first digit, Atoi takes only digits.
	if len(s) != 4 || s[0] < '1' || s[0] > '9' || err != nil {
		return 0, fmt.Sprintf("must be a year of four digits (2022), got %q", s)
	}
	if max := now().Year() + 1; y < 1900 || y > max {
		return 0, fmt.Sprintf("%d is out of range 1900..%d", y, max)
	}
	return y, ""
}

// countsThings reports whether figures of unit count things, and so must
// be whole numbers: persons and jurisdictions.
func countsThings(unit dataset.Unit) bool {
	return unit == dataset.UnitPersons || unit == dataset.UnitJurisdictions
}

// notWhole says that a figure of a count is not a whole number, or returns "".
func notWhole(fig Figure, name string, unit dataset.Unit) string {
	if !countsThings(unit) || fig.Value == math.Trunc(fig.Value) {
		return ""
	}
	v := num(fig.Value)
	if fig.printed() != "" {
		v = fmt.Sprintf("%q (%s)", fig.Printed, v)
	}
	return fmt.Sprintf("%s is not a whole number: %s counts %s", v, name, unit)
}

// badSyntax stands for the message listing the accepted forms, which depends
// on the unit.
const badSyntax = "\x00"

// maxExponent bounds a written exponent so that adding the multiplier and
// the count of decimals cannot overflow an int. Any figure beyond it is
// infinite or has a precision below the smallest float64, so bounding it
// refuses nothing that would otherwise be accepted.
const maxExponent = 1 << 30

// scanNumber splits num, a figure without its multiplier, into its sign, its
// integer digits without commas, its decimals and its written exponent, or
// says what is wrong. An exponent is allowed only in a plain number: with
// commas or a multiplier it is never printed.
func scanNumber(num string, exponentAllowed bool) (neg, intPart, frac string, exp int, msg string) {
	rest := num
	if r, ok := strings.CutPrefix(rest, "-"); ok {
		neg, rest = "-", r
	}
	i := 0
	for i < len(rest) && (isDigit(rest[i]) || rest[i] == ',') {
		i++
	}
	intPart, rest = rest[:i], rest[i:]
	commas := strings.Contains(intPart, ",")
	switch {
	case intPart == "" || !isDigit(intPart[0]):
		return "", "", "", 0, badSyntax
	case commas && !groupedByThree(intPart):
		return "", "", "", 0, "commas must separate groups of three digits (3,512; 42,953万)"
	case intPart[0] == '0' && len(intPart) > 1:
		return "", "", "", 0, badSyntax // Leading zeros: "02019" reads as octal in some places.
	}
	intPart = strings.ReplaceAll(intPart, ",", "")
	if r, ok := strings.CutPrefix(rest, "."); ok {
		i = 0
		for i < len(r) && isDigit(r[i]) {
			i++
		}
		if i == 0 {
			return "", "", "", 0, badSyntax
		}
		frac, rest = r[:i], r[i:]
	}
	if rest != "" && (rest[0] == 'e' || rest[0] == 'E') && exponentAllowed && !commas {
		r := rest[1:]
		if len(r) > 0 && (r[0] == '+' || r[0] == '-') {
			r = r[1:]
		}
		i = 0
		for i < len(r) && isDigit(r[i]) {
			i++
		}
		if i == 0 || i != len(r) {
			return "", "", "", 0, badSyntax
		}
		e, err := strconv.Atoi(rest[1:])
		if err != nil || e > maxExponent || e < -maxExponent {
			return "", "", "", 0, "must be a finite number (exponent out of range)"
		}
		exp, rest = e, ""
	}
	if rest != "" {
		if strings.Contains(num, "，") {
			return "", "", "", 0, "thousands separators must be ASCII commas (3,512)"
		}
		return "", "", "", 0, badSyntax
	}
	return neg, intPart, frac, exp, ""
}

// groupedByThree reports whether digits with commas are grouped as in
// "42,953" or "1,028,710": one to three digits, not starting with 0, then
// groups of exactly three.
func groupedByThree(s string) bool {
	groups := strings.Split(s, ",")
	if first := groups[0]; first == "" || len(first) > 3 || first[0] == '0' {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// acceptedForms says what a value may look like; ratios show their own forms.
func acceptedForms(unit dataset.Unit) string {
	if unit == dataset.UnitRatio {
		return "must be a number or a percentage as printed (0.932, 93.2%)"
	}
	return "must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿)"
}

// nonFinite recognises the spellings of NaN and infinity that YAML and
// strconv know, in any case and with any sign, and says they are not
// finite, which is plainer than that they are not numbers.
func nonFinite(s string) string {
	w := s
	if len(w) > 0 && (w[0] == '+' || w[0] == '-') {
		w = w[1:]
	}
	w = strings.TrimPrefix(w, ".")
	switch {
	case strings.EqualFold(w, "nan"):
		return "must be a finite number, got NaN"
	case strings.EqualFold(w, "inf") || strings.EqualFold(w, "infinity"):
		return "must be a finite number, got " + s
	}
	return ""
}
