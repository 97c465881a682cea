package config

import (
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// quoteChecks warns of every figure whose quote does not contain its value
// as printed: a quote is there to show where the number was read, so a quote
// without it is most often a slip of the copy. Figures flagged derived are
// the compiler's reading of words ("full coverage" as 1) and are left out.
func (ld *loader) quoteChecks(datasets []*dataset.Dataset) {
	for _, ds := range datasets {
		for _, o := range ds.Observations {
			if o.Quote() == "" || hasFlag(o, "derived") {
				continue
			}
			printed := o.Printed()
			if printed == "" {
				printed = num(o.Value)
			}
			if !quoteHolds(o.Quote(), printed) {
				ld.ps.warnf(KindQuote, []*dataset.Observation{o}, o.Pos, "quote", "%s: the quote does not contain the value %s as printed", seriesName(o), printed)
			}
		}
	}
}

func hasFlag(o *dataset.Observation, flag string) bool {
	for _, f := range o.Flags() {
		if f == flag {
			return true
		}
	}
	return false
}

// quoteHolds reports whether quote contains printed, a figure's value as
// printed (or, for a plain number, as num writes it), once both are folded
// to one spelling by normalizeQuote. A unit word at the end of the value
// need not be quoted, as the compiler may take it from the rest of the
// sentence ("7021.4万人" is in "参保人数7021.4万，"), but where the quote goes
// on after the number, it must not go on with another unit word, a
// multiplier or more digits: "117个" is not in "117户", "3512元" not in
// "3512万元" or "3512.5元".
func quoteHolds(quote, printed string) bool {
	q, p := normalizeQuote(quote), normalizeQuote(printed)
	if strings.Contains(q, p) {
		return true
	}
	num := ""
	for _, w := range unitWords {
		if rest, ok := strings.CutSuffix(p, w.word); ok && rest != "" {
			num = rest
			break
		}
	}
	if num == "" {
		return false
	}
	for i := strings.Index(q, num); i >= 0; {
		if !goesOn(q[i+len(num):]) {
			return true
		}
		j := strings.Index(q[i+1:], num)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// goesOn reports whether the rest of a quote after a number makes it
// another figure: more digits or decimals, a multiplier or a unit word.
func goesOn(rest string) bool {
	if rest == "" {
		return false
	}
	if isDigit(rest[0]) || rest[0] == '.' && len(rest) > 1 && isDigit(rest[1]) {
		return true
	}
	for _, m := range multipliers {
		if m.chinese() && strings.HasPrefix(rest, m.suffix) {
			return true
		}
	}
	for _, w := range unitWords {
		if strings.HasPrefix(rest, w.word) {
			return true
		}
	}
	return false
}

// quoteSpelling folds the ways one number is written into one: thousands
// separators and spaces go, and "percent" is "%".
var quoteSpelling = strings.NewReplacer(",", "", "，", "", " ", "", "\u00a0", "", "\u3000", "", "percent", "%", "per cent", "%")

// normalizeQuote spells a quote, or a value, as quoteHolds compares them:
// folded as a figure is before it is parsed (full-width forms as ASCII,
// 萬 and 億 as 万 and 亿; see foldFigure), in lower case, and without
// separators or spaces.
func normalizeQuote(s string) string {
	return quoteSpelling.Replace(strings.ToLower(foldFigure(s)))
}
