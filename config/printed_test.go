package config

import (
	"math"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// closeTo reports whether got is within a relative 1e-12 of want, the
// tolerance for precisions, which need not be the nearest float64.
func closeTo(got, want float64) bool {
	return got == want || math.Abs(got-want) <= 1e-12*math.Abs(want)
}

func TestParseFigure(t *testing.T) {
	const (
		ratio   = dataset.UnitRatio
		persons = dataset.UnitPersons
		yuan    = dataset.UnitYuan
		juris   = dataset.UnitJurisdictions
	)
	const (
		formsRatio  = `must be a number or a percentage as printed (0.932, 93.2%), got `
		formsCounts = `must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got `
		commas      = `commas must separate groups of three digits (3,512; 42,953万), got `
	)
	huge := "1" + strings.Repeat("0", 300) // 1e300: finite, but not in trillions.
	ok := []struct {
		in        string
		unit      dataset.Unit
		value     float64 // Compared exactly: the float64 nearest the decimal.
		precision float64
		printed   string
	}{
		// Plain numbers, as parseNumber reads them.
		{"3512", persons, 3512, 0.5, "3512"},
		{"26120000", persons, 26120000, 0.5, "26120000"},
		{"0", persons, 0, 0.5, "0"},
		{"0.932", ratio, 0.932, 0.0005, "0.932"},
		{"0.10", ratio, 0.1, 0.005, "0.10"},
		{"-5", persons, -5, 0.5, "-5"}, // Ranges are the caller's.
		{"1.5e6", persons, 1.5e6, 5e4, "1.5e6"},
		{"1.5E6", persons, 1.5e6, 5e4, "1.5E6"},
		{"15e+5", persons, 1.5e6, 5e4, "15e+5"},
		{"2.5e-1", ratio, 0.25, 0.005, "2.5e-1"},
		// The magnitudes a figure may have, at their ends.
		{"1e-15", ratio, 1e-15, 5e-16, "1e-15"},
		{"-1e15", yuan, -1e15, 5e14, "-1e15"},
		{"1000万亿", yuan, 1e15, 5e11, "1000万亿"},
		{"0.000000000000000000000", ratio, 0, 5e-22, "0.000000000000000000000"},
		{" 3512\t", persons, 3512, 0.5, "3512"},
		{"\u30003512\u3000", persons, 3512, 0.5, "3512"},
		// Thousands separators.
		{"3,512", persons, 3512, 0.5, "3,512"},
		{"1,028,710", persons, 1028710, 0.5, "1,028,710"},
		{"123,456.78", yuan, 123456.78, 0.005, "123,456.78"},
		{"-3,512", persons, -3512, 0.5, "-3,512"},
		// Percentages, for ratios.
		{"93.2%", ratio, 0.932, 0.0005, "93.2%"},
		{"93%", ratio, 0.93, 0.005, "93%"},
		{"100%", ratio, 1, 0.005, "100%"},
		{"0.5%", ratio, 0.005, 0.0005, "0.5%"},
		{"0.05%", ratio, 0.0005, 0.00005, "0.05%"},
		{"93.20%", ratio, 0.932, 0.00005, "93.20%"},
		// English multipliers.
		{"32.45 million", persons, 32450000, 5000, "32.45 million"},
		{"1.50 million", persons, 1500000, 5000, "1.50 million"},
		{"1.03 billion", persons, 1.03e9, 5e6, "1.03 billion"},
		{"12 thousand", juris, 12000, 500, "12 thousand"},
		{"1,234 thousand", persons, 1234000, 500, "1,234 thousand"},
		{"6.58 trillion", yuan, 6.58e12, 5e9, "6.58 trillion"},
		// Chinese multipliers.
		{"42,953万", persons, 429530000, 5000, "42,953万"},
		{"102871万", persons, 1028710000, 5000, "102871万"},
		{"5.81亿", persons, 581000000, 500000, "5.81亿"},
		{"2.48万亿", yuan, 2.48e12, 5e9, "2.48万亿"},
		{"6.58万亿", yuan, 6.58e12, 5e9, "6.58万亿"},
		{"1.5万", yuan, 15000, 500, "1.5万"},
		{"0.07亿", yuan, 7e6, 5e5, "0.07亿"},
		// Multipliers are plain syntax for every unit; ranges are checked elsewhere.
		{"1 million", ratio, 1e6, 5e5, "1 million"},
		{"5万", "", 50000, 5000, "5万"},
	}
	for _, c := range ok {
		f, msg := parseFigure(c.in, c.unit)
		if msg != "" {
			t.Errorf("parseFigure(%q, %s): %s", c.in, c.unit, msg)
			continue
		}
		if f.Value != c.value || !closeTo(f.Precision, c.precision) || f.Printed != c.printed {
			t.Errorf("parseFigure(%q, %s) = %v ± %v %q, want %v ± %v %q", c.in, c.unit, f.Value, f.Precision, f.Printed, c.value, c.precision, c.printed)
		}
	}

	bad := []struct {
		in   string
		unit dataset.Unit
		msg  string
	}{
		{"", persons, formsCounts + `""`},
		{"  ", persons, formsCounts + `""`},
		{"", ratio, formsRatio + `""`},
		{"abc", persons, formsCounts + `"abc"`},
		{"abc", ratio, formsRatio + `"abc"`},
		{"93.2 %", ratio, formsRatio + `"93.2 %"`},
		{"%", ratio, formsRatio + `"%"`},
		// % for other units.
		{"93.2%", persons, `% is only for ratio indicators, not persons, got "93.2%"`},
		{"5%", yuan, `% is only for ratio indicators, not yuan, got "5%"`},
		{"5%", juris, `% is only for ratio indicators, not jurisdictions, got "5%"`},
		{"5%", "", `% is only for ratio indicators, got "5%"`},
		// Unknown or misspelt multipliers.
		{"32.45million", persons, formsCounts + `"32.45million"`},
		{"32.45  million", persons, formsCounts + `"32.45  million"`},
		{"32.45 Million", persons, formsCounts + `"32.45 Million"`},
		{"32.45\u00a0million", persons, formsCounts + `"32.45\u00a0million"`},
		{"32.45 millions", persons, formsCounts + `"32.45 millions"`},
		{"32.45 mn", persons, formsCounts + `"32.45 mn"`},
		{"5 万", persons, formsCounts + `"5 万"`},
		{"5千", persons, formsCounts + `"5千"`},
		{"5百万", persons, formsCounts + `"5百万"`},
		{"5亿万", persons, formsCounts + `"5亿万"`},
		{"5万万", persons, formsCounts + `"5万万"`},
		{"5万人", persons, formsCounts + `"5万人"`},
		{"5%%", ratio, formsRatio + `"5%%"`},
		{"million", persons, formsCounts + `"million"`},
		{"万", persons, formsCounts + `"万"`},
		{"3512 persons", persons, formsCounts + `"3512 persons"`},
		// Commas.
		{"1,23", persons, commas + `"1,23"`},
		{"12,3456", persons, commas + `"12,3456"`},
		{"1,23,456", persons, commas + `"1,23,456"`},
		{"1234,567", persons, commas + `"1234,567"`},
		{"0,932", ratio, commas + `"0,932"`},
		{"012,345", persons, commas + `"012,345"`},
		{"3,512,", persons, commas + `"3,512,"`},
		{"3,,512", persons, commas + `"3,,512"`},
		{",512", persons, formsCounts + `",512"`},
		{"3,512.5,0", yuan, formsCounts + `"3,512.5,0"`},
		{"3,512e3", persons, formsCounts + `"3,512e3"`},
		{"3，512", persons, `thousands separators must be ASCII commas (3,512), got "3，512"`},
		// Forms strconv or YAML read but a bulletin never prints.
		{"1_000", persons, formsCounts + `"1_000"`},
		{"0x1p4", persons, formsCounts + `"0x1p4"`},
		{"0x10", persons, formsCounts + `"0x10"`},
		{"+5", persons, formsCounts + `"+5"`},
		{"02019", persons, formsCounts + `"02019"`},
		{"00.5", ratio, formsRatio + `"00.5"`},
		{".5", ratio, formsRatio + `".5"`},
		{"5.", persons, formsCounts + `"5."`},
		{"-", persons, formsCounts + `"-"`},
		{"--5", persons, formsCounts + `"--5"`},
		{"−5", persons, formsCounts + `"−5"`},
		{"３５１２", persons, formsCounts + `"３５１２"`},
		{"1e", persons, formsCounts + `"1e"`},
		{"1e+", persons, formsCounts + `"1e+"`},
		{"1e5x", persons, formsCounts + `"1e5x"`},
		{"1.5e3万", persons, formsCounts + `"1.5e3万"`},
		{"1.5e3 million", persons, formsCounts + `"1.5e3 million"`},
		{"9.32e1%", ratio, formsRatio + `"9.32e1%"`},
		{"3 512", persons, formsCounts + `"3 512"`},
		// NaN and infinities, with parseNumber's messages.
		{"NaN", ratio, `must be a finite number, got NaN`},
		{".nan", ratio, `must be a finite number, got NaN`},
		{"-NAN", ratio, `must be a finite number, got NaN`},
		{".inf", ratio, `must be a finite number, got .inf`},
		{"-.Inf", persons, `must be a finite number, got -.Inf`},
		{"+Inf", persons, `must be a finite number, got +Inf`},
		{"Infinity", persons, `must be a finite number, got Infinity`},
		{"--inf", persons, formsCounts + `"--inf"`},
		// Out of range, before or after the multiplier.
		{"1.000000000000001e15", yuan, `must be at most 1e15 in magnitude, got "1.000000000000001e15"`},
		{"1001万亿", yuan, `must be at most 1e15 in magnitude, got "1001万亿"`},
		{"-2e15", yuan, `must be at most 1e15 in magnitude, got "-2e15"`},
		{"1e308", persons, `must be at most 1e15 in magnitude, got "1e308"`},
		{"1e309", yuan, `must be at most 1e15 in magnitude, got "1e309"`},
		{"-1e309", yuan, `must be at most 1e15 in magnitude, got "-1e309"`},
		{"1.8e308", yuan, `must be at most 1e15 in magnitude, got "1.8e308"`},
		{huge + " trillion", yuan, `must be at most 1e15 in magnitude, got "` + huge + ` trillion"`},
		{"9e-16", ratio, `must be 0 or at least 1e-15 in magnitude, got "9e-16"`},
		{"1e-320", ratio, `must be 0 or at least 1e-15 in magnitude, got "1e-320"`},
		{"1e-400", ratio, `must be 0 or at least 1e-15 in magnitude, got "1e-400"`},
		{"-0.0000000000000001", ratio, `must be 0 or at least 1e-15 in magnitude, got "-0.0000000000000001"`},
		{"0e400", ratio, `has an exponent or a number of decimals out of range, got "0e400"`},
		{"1e99999999999", ratio, `must be a finite number (exponent out of range), got "1e99999999999"`},
		{"1e-99999999999999999999", ratio, `must be a finite number (exponent out of range), got "1e-99999999999999999999"`},
	}
	for _, c := range bad {
		f, msg := parseFigure(c.in, c.unit)
		if msg != c.msg {
			t.Errorf("parseFigure(%q, %s) = %+v, %q\n want message %q", c.in, c.unit, f, msg, c.msg)
		}
		if msg != "" && f != (Figure{}) {
			t.Errorf("parseFigure(%q, %s) refused with a figure: %+v", c.in, c.unit, f)
		}
	}
}

// TestParseFigureExact checks figures that naive arithmetic gets wrong: the
// multiplier shifts the decimal, so the value is the float64 nearest to what
// was printed, not a rounded float64 times a power of ten.
func TestParseFigureExact(t *testing.T) {
	for _, c := range []struct {
		in    string
		unit  dataset.Unit
		want  float64
		naive float64 // What multiplying or dividing a parsed mantissa gives.
	}{
		{"0.7%", dataset.UnitRatio, 0.007, 0.006999999999999999},
		{"0.07%", dataset.UnitRatio, 0.0007, 0.0007000000000000001},
		{"0.28万", dataset.UnitYuan, 2800, 2800.0000000000005},
		{"0.29亿", dataset.UnitYuan, 29e6, 2.8999999999999996e+07},
		{"1.07万亿", dataset.UnitYuan, 1.07e12, 1.0700000000000001e+12},
		{"32.45 million", dataset.UnitPersons, 32450000, 3.2450000000000004e+07},
		{"2.01 million", dataset.UnitPersons, 2010000, 2.0099999999999998e+06},
		{"1.07 billion", dataset.UnitPersons, 1.07e9, 1.0700000000000001e+09},
	} {
		f, msg := parseFigure(c.in, c.unit)
		if msg != "" || f.Value != c.want {
			t.Errorf("parseFigure(%q) = %v (%s), want exactly %v", c.in, f.Value, msg, c.want)
		}
		if c.want == c.naive {
			t.Errorf("%q: the naive value %v is not wrong, so the case tests nothing", c.in, c.naive)
		}
	}
}
