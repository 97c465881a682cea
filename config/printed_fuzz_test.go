package config

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// FuzzParseFigure checks, for any text and unit, that parseFigure never
// panics, that what it accepts is a finite value with a finite positive
// precision that reads back the same, that a plain number it accepts is
// one strconv reads as the same float64, so it is never laxer than
// parseNumber, and that what it accepts reads the same typed in full-width
// forms and traditional characters.
func FuzzParseFigure(f *testing.F) {
	units := []dataset.Unit{dataset.UnitRatio, dataset.UnitPersons, dataset.UnitYuan, dataset.UnitJurisdictions, ""}
	for _, s := range []string{
		"3512", "3,512", "0.932", "93.2%", "32.45 million", "1.03 billion", "12 thousand", "6.58 trillion",
		"42,953万", "102871万", "5.81亿", "2.48万亿", "1.5e6", "-2.5E-3", "0", "-0", " 7 ",
		"1,23", "3，512", "1_000", "0x1p4", "+5", "02019", ".5", "5.", ".nan", "-.Inf", "1e309", "0e400", "1e-400",
		"7021.4万人", "6958.7 万", "6958.7\u3000万", "29,117 万人", "10.5亿人", "3,512元", "6.58万亿元", "117个", "5万户",
		"17444萬", "13.46億人", "2.48萬億", "117個", "95.6 percent", "95.6 per cent", "93.2％", "９３．２％", "－３,５１２",
		"1.2个百分点", "-0.5 个百分点", "2個百分點", "5万 人", "5  万", "5 million人", "5e3人", "ＮａＮ", "３，５１２",
	} {
		for i := range units {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, u uint8) {
		unit := units[int(u)%len(units)]
		fig, msg := parseFigure(s, unit)
		if msg != "" {
			if fig != (Figure{}) {
				t.Fatalf("parseFigure(%q, %s) refused (%s) but returned %+v", s, unit, msg, fig)
			}
			return
		}
		if math.IsNaN(fig.Value) || math.IsInf(fig.Value, 0) {
			t.Fatalf("parseFigure(%q, %s) accepted a non-finite value %v", s, unit, fig.Value)
		}
		if !(fig.Precision > 0) || math.IsInf(fig.Precision, 0) {
			t.Fatalf("parseFigure(%q, %s) gave precision %v", s, unit, fig.Precision)
		}
		if fig.Printed != strings.TrimSpace(s) {
			t.Fatalf("parseFigure(%q, %s) printed %q, want the trimmed input", s, unit, fig.Printed)
		}
		again, msg := parseFigure(fig.Printed, unit)
		if msg != "" || !sameFigure(again, fig) {
			t.Fatalf("parseFigure(%q, %s) = %+v, but its printed form reads %+v (%s)", s, unit, fig, again, msg)
		}
		wide := toWide(fig.Printed)
		if w, msg := parseFigure(wide, unit); msg != "" || !sameFloat(w.Value, fig.Value) || !sameFloat(w.Precision, fig.Precision) || w.form != fig.form {
			t.Fatalf("parseFigure(%q, %s) = %+v, but %q reads %+v (%s)", s, unit, fig, wide, w, msg)
		}
		if plainNumber(fig.Printed) {
			v, err := strconv.ParseFloat(fig.Printed, 64)
			if err != nil || !sameFloat(v, fig.Value) {
				t.Fatalf("parseFigure(%q, %s) = %v, but strconv reads %v (%v)", s, unit, fig.Value, v, err)
			}
		}
	})
}

// plainNumber reports whether s has neither thousands separators nor a
// multiplier, so that it is a number strconv should read the same way.
func plainNumber(s string) bool {
	return strings.Trim(s, "0123456789.eE+-") == "" && !strings.Contains(s, ",")
}

// toWide writes s as it may be typed in a Chinese text: ASCII in full-width
// forms, but for the comma and the space, and 万, 亿, 个, 户 and 点 in
// traditional characters.
func toWide(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r <= '~' && r != ',' {
			return r - '!' + 0xFF01
		}
		if t, ok := traditional[r]; ok {
			return t
		}
		return r
	}, s)
}

var traditional = map[rune]rune{'万': '萬', '亿': '億', '个': '個', '户': '戶', '点': '點'}

func sameFigure(a, b Figure) bool {
	return sameFloat(a.Value, b.Value) && sameFloat(a.Precision, b.Precision) && a.Printed == b.Printed
}

// sameFloat compares bit for bit, so that -0 and 0 differ.
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b)
}

// FuzzPlainNumbers checks that the parsers of the numbers of a data file
// that are not figures as printed accept exactly their grammars: parsePlain
// decimal notation within the magnitudes of a figure, read as strconv reads
// it; parseWhole digits without sign or leading zeros; parseYear four of
// them within the years a figure may have.
func FuzzPlainNumbers(f *testing.F) {
	for _, s := range []string{
		"0", "0.95", "5000", "-2.5e-3", "1e15", "1e-15", "1e16", "9e-16", "0e400", " 7 ", "2022", "1899", "2028",
		"1_000", "0x1p4", "+5", "02019", ".5", "5.", "1,000", "5%", "5万", "NaN", "-.inf", "1e-400", "123456789", "1234567890",
	} {
		f.Add(s)
	}
	plain := regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	whole := regexp.MustCompile(`^(0|[1-9][0-9]{0,8})$`)
	year := regexp.MustCompile(`^[1-9][0-9]{3}$`)
	f.Fuzz(func(t *testing.T, s string) {
		trimmed := strings.TrimSpace(s)
		fig, msg := parsePlain(s)
		if msg == "" {
			v, err := strconv.ParseFloat(trimmed, 64)
			switch {
			case !plain.MatchString(trimmed):
				t.Fatalf("parsePlain(%q) accepted what is not decimal notation", s)
			case err != nil || !sameFloat(v, fig.Value):
				t.Fatalf("parsePlain(%q) = %v, but strconv reads %v (%v)", s, fig.Value, v, err)
			case math.Abs(v) > maxFigure || v != 0 && math.Abs(v) < minFigure:
				t.Fatalf("parsePlain(%q) accepted %v, of a magnitude out of range", s, v)
			}
		} else if plain.MatchString(trimmed) {
			v, err := strconv.ParseFloat(trimmed, 64)
			if err == nil && math.Abs(v) <= maxFigure && math.Abs(v) >= minFigure {
				t.Fatalf("parsePlain(%q) refused a number in range: %s", s, msg)
			}
		}
		w, msg := parseWhole(s)
		if want := whole.MatchString(s); want != (msg == "") {
			t.Fatalf("parseWhole(%q) = %d, %q; want accepted %v", s, w, msg, want)
		} else if want {
			if n, _ := strconv.Atoi(s); n != w {
				t.Fatalf("parseWhole(%q) = %d", s, w)
			}
		}
		y, msg := parseYear(s, testNow)
		n, _ := strconv.Atoi(s)
		if want := year.MatchString(s) && n >= 1900 && n <= 2027; want != (msg == "") || want && y != n {
			t.Fatalf("parseYear(%q) = %d, %q; want accepted %v", s, y, msg, want)
		}
	})
}
