package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// A table states the unit of its figures once, in a column's header
// ("Number of contributors at year-end (10 000 persons)", "参保人数(万人)"),
// a unit column or the mapping, and prints the bare numbers. A figure of
// such a table is read as the number followed by the multiplier the unit
// stands for, as a bulletin would print it ("7021.4万"), so that it keeps the
// precision of its last digit times the multiplier.

// multiplierSuffix is what follows a bare number of a table to read it in
// a unit that is 10^exp of the base unit: 万, 亿, million, a percent sign,
// or else an exponent.
func multiplierSuffix(exp int) string {
	switch exp {
	case 0:
		return ""
	case -2:
		return "%"
	case 3:
		return " thousand"
	case 4:
		return "万"
	case 6:
		return " million"
	case 8:
		return "亿"
	case 9:
		return " billion"
	case 12:
		return "万亿"
	}
	return "e" + strconv.Itoa(exp)
}

// withUnit is the cell s of a figure in a unit 10^exp of the base unit,
// written as a figure as printed.
func withUnit(s string, exp int) string {
	s = strings.TrimSpace(s)
	suffix := multiplierSuffix(exp)
	if suffix == "" {
		return s
	}
	if suffix[0] == 'e' {
		if _, msg := parsePlain(s); msg != "" {
			return s + " ×10^" + strconv.Itoa(exp) // Refused with the message for what it is.
		}
	}
	return s + suffix
}

var (
	// unitInHeaderRE finds the unit a header states in brackets at its end.
	unitInHeaderRE = regexp.MustCompile(`[(（\[]([^()（）\[\]]+)[)）\]]\s*$`)
	// unitTextRE reads a unit: a power of ten in digits (10 000, 100), a
	// multiplier word, and what is counted, each optional.
	unitTextRE = regexp.MustCompile(`^(1(?:0| ?000)*)?\s*(hundred|thousands?|millions?|billions?|trillions?|万亿|千万|百万|十万|万|亿|千|百)?\s*(persons?|people|yuan|rmb|yuan rmb|renminbi|人|人次|元|个)?$`)
)

// unitWordsExp gives the power of ten of the multiplier words of a unit.
var unitWordsExp = map[string]int{
	"hundred": 2, "thousand": 3, "thousands": 3, "million": 6, "millions": 6, "billion": 9, "billions": 9,
	"trillion": 12, "trillions": 12, "百": 2, "千": 3, "万": 4, "十万": 5, "百万": 6, "千万": 7, "亿": 8, "万亿": 12,
}

// parseUnitText reads the unit of a table's figures, as a header or a
// mapping states it: % or percent, or a power of ten and what is counted
// (万人, 亿元, 10 000 persons, 100 million yuan, thousands, persons), and
// returns the power of ten of the base unit it stands for.
func parseUnitText(s string) (int, bool) {
	t := strings.ToLower(strings.TrimSpace(foldFigure(s)))
	t = strings.Join(strings.Fields(t), " ")
	if t == "%" || t == "percent" || t == "per cent" || t == "百分比" {
		return -2, true
	}
	m := unitTextRE.FindStringSubmatch(t)
	if m == nil || m[0] == "" {
		return 0, false
	}
	exp := 0
	if m[1] != "" {
		exp = strings.Count(m[1], "0")
	}
	if m[2] != "" {
		exp += unitWordsExp[m[2]]
	}
	return exp, true
}

// unitInHeader is the power of ten of the unit a column's header states in
// brackets at its end, and whether it states one.
func unitInHeader(header string) (int, bool) {
	m := unitInHeaderRE.FindStringSubmatch(header)
	if m == nil {
		return 0, false
	}
	return parseUnitText(m[1])
}

func unknownUnit(s string) string {
	return fmt.Sprintf("unknown unit %q: use %%, a multiplier (万, 亿, thousand, million, 10 000, 100 million) and what is counted (人, 元, persons, yuan), e.g. 万人 or 100 million yuan", s)
}

var (
	// timeRE reads a period as tables and agencies print it.
	timeRE = regexp.MustCompile(`^(\d{4})(?:年?|` +
		`-?Q([1-4])|年第?([1-4一二三四])季度?|` +
		`-?M?(0[1-9]|1[0-2])|年(0?[1-9]|1[0-2])月|` +
		`-?[SH]([12])|年?[上下](半年)|` +
		`-(\d{2}-\d{2})|` +
		`-A1| \[YR\d{4}\])$`)
	quarterDigits = map[string]string{"一": "1", "二": "2", "三": "3", "四": "4"}
)

// parseTimeLabel reads a year or a period as a table's header, SDMX's
// TIME_PERIOD or ILOSTAT's time print it (2023, 2023年, 2023-Q3, 2023Q3,
// 2023年第三季度, 2023-09, 2023M09, 2023年9月, 2023-S1, 2023年上半年,
// 2023-09-30, 2023 [YR2023]), and returns the year and the period as an
// observation states them, the period empty for the calendar year.
func parseTimeLabel(s string) (year, period string, ok bool) {
	m := timeRE.FindStringSubmatch(strings.TrimSpace(foldFigure(s)))
	if m == nil {
		return "", "", false
	}
	y := m[1]
	switch {
	case m[2] != "":
		return y, y + "-Q" + m[2], true
	case m[3] != "":
		q := m[3]
		if d, ok := quarterDigits[q]; ok {
			q = d
		}
		return y, y + "-Q" + q, true
	case m[4] != "":
		return y, y + "-" + m[4], true
	case m[5] != "":
		return y, fmt.Sprintf("%s-%02s", y, m[5]), true
	case m[6] != "":
		return y, y + "-H" + m[6], true
	case m[7] != "":
		if strings.Contains(s, "下") {
			return y, y + "-H2", true
		}
		return y, y + "-H1", true
	case m[8] != "":
		return y, y + "-" + m[8], true
	}
	return y, "", true
}

// normName is a name as tables print it, made comparable: without spaces
// (山 西 is 山西), with full-width forms folded and in lower case.
func normName(s string) string {
	s = foldFigure(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// regionSuffixes are what Chinese names of regions end in and tables often
// leave out: 山西省 is printed 山西, 广西壮族自治区 广西.
var regionSuffixes = []string{"壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"}

// shortName is a normalised name without the suffix of its kind of region.
func shortName(s string) string {
	for _, suf := range regionSuffixes {
		if rest, ok := strings.CutSuffix(s, suf); ok && rest != "" {
			return rest
		}
	}
	return s
}

// countryNames are what tables print for the country as a whole.
var countryNames = map[string]bool{"全国": true, "全国合计": true, "全国总计": true, "nationaltotal": true, "national": true, "total": true, "合计": true, "总计": true}
