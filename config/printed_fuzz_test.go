package config

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// FuzzParseFigure checks, for any text and unit, that parseFigure never
// panics, that what it accepts is a finite value with a finite positive
// precision that reads back the same, and that a plain number it accepts is
// one strconv reads as the same float64, so it is never laxer than
// parseNumber.
func FuzzParseFigure(f *testing.F) {
	units := []dataset.Unit{dataset.UnitRatio, dataset.UnitPersons, dataset.UnitYuan, dataset.UnitJurisdictions, ""}
	for _, s := range []string{
		"3512", "3,512", "0.932", "93.2%", "32.45 million", "1.03 billion", "12 thousand", "6.58 trillion",
		"42,953万", "102871万", "5.81亿", "2.48万亿", "1.5e6", "-2.5E-3", "0", "-0", " 7 ",
		"1,23", "3，512", "1_000", "0x1p4", "+5", "02019", ".5", "5.", ".nan", "-.Inf", "1e309", "0e400", "1e-400",
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

func sameFigure(a, b Figure) bool {
	return sameFloat(a.Value, b.Value) && sameFloat(a.Precision, b.Precision) && a.Printed == b.Printed
}

// sameFloat compares bit for bit, so that -0 and 0 differ.
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b)
}
