package config

import (
	"strings"

	"github.com/socsec-exporter/socsec_exporter/dataset"
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
			if !strings.Contains(normalizeQuote(o.Quote()), normalizeQuote(printed)) {
				ld.ps.warnf(o.Pos, "quote", "%s: the quote does not contain the value %s as printed", seriesName(o), printed)
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

// quoteSpelling folds the ways one number is written into one: thousands
// separators and spaces go, and "percent" is "%".
var quoteSpelling = strings.NewReplacer(",", "", "，", "", " ", "", "\u00a0", "", "percent", "%", "per cent", "%", "％", "%")

func normalizeQuote(s string) string {
	return quoteSpelling.Replace(strings.ToLower(s))
}
