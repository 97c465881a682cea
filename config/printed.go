package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
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
	form      form   // Whether it was written as a percentage or in points.
}

// form is how a figure of a ratio was written, which decides what it may be
// a figure of.
type form uint8

const (
	formNumber  form = iota // Anything but the two below.
	formPercent             // A percentage: 93.2%, 93.2 percent.
	formPoints              // Percentage points, 1.2个百分点: a change of a ratio.
)

// percentage reports whether the figure was written as a percentage, in
// any of its spellings (93.2%, 93.2％, 93.2 percent, 93.2 per cent).
func (f Figure) percentage() bool { return f.form == formPercent }

// multiplier is a word a bulletin writes after a number, with the power of
// ten it stands for.
type multiplier struct {
	suffix string
	exp    int
}

// chinese reports whether the multiplier is a Chinese one, which may have a
// space before it and a unit word after it.
func (m multiplier) chinese() bool { return m.suffix != "" && m.suffix[0] != ' ' }

// multipliers are tried in order, so "万亿" comes before "亿". English words
// take exactly one ASCII space before them and are lower case, as printed in
// English-language reports; 万 and 亿 follow the digits, as printed in
// Chinese bulletins, directly or after one space. One spelling for each
// (after folding, see foldFigure) keeps the grammar, and the message that
// lists it, short.
var multipliers = []multiplier{
	{"万亿", 12},
	{"万", 4},
	{"亿", 8},
	{" thousand", 3},
	{" million", 6},
	{" billion", 9},
	{" trillion", 12},
}

// percentForms are the spellings of a percentage, for ratio indicators;
// "％" is folded to "%" before they are tried.
var percentForms = []string{"%", " percent", " per cent"}

// unitWord is a Chinese unit word a bulletin writes after a number or its
// multiplier, with what it counts and the unit of the indicators it fits.
type unitWord struct {
	word  string       // After folding.
	gloss string       // What it counts, in English, for messages.
	unit  dataset.Unit // The unit it fits; "" for none.
	exp   int          // The power of ten it stands for.
}

// unitWords are the unit words accepted after a number. 个 counts things,
// never persons (who are counted in 人 or 名), so it fits jurisdictions only.
// 户 counts households, which no indicator counts: it is recognised only to
// say so. 个百分点 are percentage points, the difference of two percentages:
// a figure of the change of a ratio, never of a ratio (see parseValue).
var unitWords = []unitWord{
	{"个百分点", "percentage points", dataset.UnitRatio, -2},
	{"人", "persons", dataset.UnitPersons, 0},
	{"元", "yuan", dataset.UnitYuan, 0},
	{"个", "things", dataset.UnitJurisdictions, 0},
	{"户", "households", "", 0},
}

// suffix is what follows the number of a figure: a multiplier, a unit word,
// both (a Chinese multiplier then a unit word), or a percent form.
type suffix struct {
	mult    multiplier
	word    *unitWord
	percent string
}

// exp is the power of ten the suffix stands for.
func (sf suffix) exp() int {
	e := sf.mult.exp
	if sf.word != nil {
		e += sf.word.exp
	}
	if sf.percent != "" {
		e -= 2
	}
	return e
}

// splitFigure splits t, a trimmed and folded figure, into its number and
// what follows it. The number is what is left when nothing fits: whether it
// is one is for scanNumber to say.
func splitFigure(t string) (num string, sf suffix) {
	if t == "" || isDigit(t[len(t)-1]) {
		return t, sf // No suffix ends in a digit: a plain number, most often.
	}
	for _, p := range percentForms {
		if rest, ok := strings.CutSuffix(t, p); ok {
			return rest, suffix{percent: p}
		}
	}
	num = t
	for i := range unitWords {
		if rest, ok := strings.CutSuffix(num, unitWords[i].word); ok {
			num, sf.word = rest, &unitWords[i]
			break
		}
	}
	if sf.word == nil || sf.word.exp == 0 { // No multiplier before 个百分点.
		for _, m := range multipliers {
			if sf.word != nil && !m.chinese() {
				continue // "5 million人" mixes two languages.
			}
			if rest, ok := strings.CutSuffix(num, m.suffix); ok {
				num, sf.mult = rest, m
				break
			}
		}
	}
	if sf.word != nil || sf.mult.chinese() {
		if rest, ok := strings.CutSuffix(num, " "); ok {
			num = rest
		} else if rest, ok := strings.CutSuffix(num, "\u3000"); ok {
			num = rest
		}
	}
	return num, sf
}

// foldFigure reads the forms a figure may be typed in as the one its
// grammar knows: the full-width forms of ASCII characters (U+FF01..U+FF5E:
// ９３．２％, －５) as ASCII, and the traditional characters 萬, 億, 個,
// 戶 and 點 as 万, 亿, 个, 户 and 点. It maps rune to rune, so the last n runes
// of s are what the last n runes of the result were folded from. The
// full-width comma "，" is kept, and so refused: in Chinese text it is the
// comma between clauses, never a thousands separator, and a value with one
// is more likely two figures run together than one figure grouped.
func foldFigure(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(foldRune, s) // Allocates only if a rune changes.
		}
	}
	return s
}

func foldRune(r rune) rune {
	switch {
	case r == '，':
		return r
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	}
	switch r {
	case '萬':
		return '万'
	case '億':
		return '亿'
	case '個':
		return '个'
	case '戶':
		return '户'
	case '點':
		return '点'
	}
	return r
}

// lastRunes is the last n runes of s: in a figure, what was written for the
// last n runes of its folded form.
func lastRunes(s string, n int) string {
	i := len(s)
	for ; n > 0 && i > 0; n-- {
		_, w := utf8.DecodeLastRuneInString(s[:i])
		i -= w
	}
	return s[i:]
}

// parseFigure parses s, the value of a figure of the given unit, either as a
// plain number or as a figure as printed, so that a figure can be copied
// from a bulletin or an English release as it stands. After trimming white
// space and folding (see foldFigure: full-width ９３．２％ is read as 93.2%,
// traditional 萬 and 億 as 万 and 亿), s must match
//
//	figure   = ["-"] integer ["." digits] [suffix]
//	         | ["-"] plain ["." digits] exponent
//	integer  = plain | nonzero [digit [digit]] ("," digit digit digit)...
//	plain    = "0" | nonzero [digits]
//	exponent = ("e" | "E") ["+" | "-"] digits
//	suffix   = [space] chinese [word] | [space] word | [space] "个百分点"
//	         | english | percent
//	space    = " " | "　" (U+3000, the ideographic space)
//	chinese  = "万" | "亿" | "万亿"
//	word     = "人" | "元" | "个" | "户"
//	english  = " thousand" | " million" | " billion" | " trillion"
//	percent  = "%" | " percent" | " per cent"
//
// where digits are ASCII once folded. What a figure may be written in
// depends on unit: a percent form or 个百分点 (percentage points, the
// change of a ratio, which parseValue refuses for a ratio itself) only for
// ratio indicators; 人 only for persons, 元 only for yuan, 个 (which counts
// things) only for jurisdictions, and 户 (households) for none; a figure of
// an indicator without a unit takes no unit word. A unit word that does not
// fit is refused with a message naming both it and the indicator's unit.
//
// Every plain number accepted is one strconv.ParseFloat reads as the same
// float64, but not the reverse: leading zeros, a leading "+", ".5", "5.",
// hexadecimal, underscores, NaN and infinities are refused, as they are
// ambiguous, never printed or not figures. So are values of a magnitude
// above maxFigure, and nonzero values below minFigure, which includes
// those that underflow to 0. Ranges (negative counts, ratios above 1,
// whole numbers of persons) are left to the caller, which knows the
// indicator.
//
// The figure's precision is half a unit of its last written digit times
// what the suffix stands for: "7021.4万人" is 70,214,000 ± 500, "95.6
// percent" 0.956 ± 0.0005. The second result is "" or a message saying what
// is wrong and what is accepted.
func parseFigure(s string, unit dataset.Unit) (Figure, string) {
	return parseFigureOf(s, unit, "")
}

// parseFigureOf is parseFigure for a figure of the indicator name, which a
// message about a unit word that does not fit names.
func parseFigureOf(s string, unit dataset.Unit, name string) (Figure, string) {
	s = strings.TrimSpace(s)
	t := foldFigure(s)
	if msg := nonFinite(t); msg != "" {
		return Figure{}, msg
	}
	num, sf := splitFigure(t)
	switch {
	case sf.percent != "" && unit != dataset.UnitRatio:
		written := strings.TrimPrefix(lastRunes(s, utf8.RuneCountInString(sf.percent)), " ")
		if unit == "" {
			return Figure{}, fmt.Sprintf("%s is only for ratio indicators, got %q", written, s)
		}
		return Figure{}, fmt.Sprintf("%s is only for ratio indicators, not %s, got %q", written, unit, s)
	case sf.word != nil && (sf.word.unit == "" || sf.word.unit != unit):
		return Figure{}, unitMisfit(s, *sf.word, unit, name)
	}
	neg, intPart, frac, exp, msg := scanNumber(num, sf == suffix{})
	if msg != "" {
		if msg == badSyntax {
			msg = acceptedForms(unit)
		}
		return Figure{}, fmt.Sprintf("%s, got %q", msg, s)
	}
	fig, msg := buildFigure(s, neg, intPart, frac, exp+sf.exp())
	switch {
	case msg != "":
	case sf.percent != "":
		fig.form = formPercent
	case sf.word != nil && sf.word.exp != 0:
		fig.form = formPoints
	}
	return fig, msg
}

// unitMisfit says that the unit word of s does not fit a figure of unit, of
// the indicator name if it is known.
func unitMisfit(s string, w unitWord, unit dataset.Unit, name string) string {
	var of, which string
	switch unit {
	case dataset.UnitRatio:
		of, which = "a ratio", "is a ratio"
	case dataset.UnitYuan:
		of, which = "a sum of yuan", "is in yuan"
	case "":
		of, which = "a figure without a unit", "has no unit"
	default:
		of, which = "a count of "+string(unit), "counts "+string(unit)
	}
	if name != "" {
		of = name + ", which " + which
	}
	written := lastRunes(s, utf8.RuneCountInString(w.word))
	return fmt.Sprintf("unit %s (%s) does not fit %s, got %q", written, w.gloss, of, s)
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
