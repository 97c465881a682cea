package config

import (
	"math"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
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
		// One space, ASCII or ideographic, before a Chinese multiplier or unit word.
		{"6958.7 万", persons, 69587000, 500, "6958.7 万"},
		{"6958.7\u3000万", persons, 69587000, 500, "6958.7\u3000万"},
		{"5 万", persons, 50000, 5000, "5 万"},
		{"2.48 万亿", yuan, 2.48e12, 5e9, "2.48 万亿"},
		{"29,117 万人", persons, 291170000, 5000, "29,117 万人"},
		{"3512 元", yuan, 3512, 0.5, "3512 元"},
		// Unit words, for the unit they count.
		{"7021.4万人", persons, 70214000, 500, "7021.4万人"},
		{"10.5亿人", persons, 1.05e9, 5e6, "10.5亿人"},
		{"5万人", persons, 50000, 5000, "5万人"},
		{"3512人", persons, 3512, 0.5, "3512人"},
		{"3,512元", yuan, 3512, 0.5, "3,512元"},
		{"123.45元", yuan, 123.45, 0.005, "123.45元"},
		{"2.48万元", yuan, 24800, 50, "2.48万元"},
		{"5.81亿元", yuan, 5.81e8, 5e5, "5.81亿元"},
		{"6.58万亿元", yuan, 6.58e12, 5e9, "6.58万亿元"},
		{"117个", juris, 117, 0.5, "117个"},
		{"-3512人", persons, -3512, 0.5, "-3512人"}, // Ranges are the caller's.
		// Percentages in other spellings.
		{"95.6 percent", ratio, 0.956, 0.0005, "95.6 percent"},
		{"95.6 per cent", ratio, 0.956, 0.0005, "95.6 per cent"},
		{"93.2％", ratio, 0.932, 0.0005, "93.2％"},
		// Percentage points, the change of a ratio, as a reported change reads them.
		{"1.2个百分点", ratio, 0.012, 0.0005, "1.2个百分点"},
		{"-0.5 个百分点", ratio, -0.005, 0.0005, "-0.5 个百分点"},
		{"2個百分點", ratio, 0.02, 0.005, "2個百分點"},
		// Full-width forms and traditional characters.
		{"３５１２", persons, 3512, 0.5, "３５１２"},
		{"９３．２％", ratio, 0.932, 0.0005, "９３．２％"},
		{"－３,５１２", persons, -3512, 0.5, "－３,５１２"},
		{"１２,３４５", persons, 12345, 0.5, "１２,３４５"},
		{"３２．４５ million", persons, 32450000, 5000, "３２．４５ million"},
		{"32.45 ｍｉｌｌｉｏｎ", persons, 32450000, 5000, "32.45 ｍｉｌｌｉｏｎ"},
		{"１．５ｅ６", persons, 1.5e6, 5e4, "１．５ｅ６"},
		{"17444萬", persons, 174440000, 5000, "17444萬"},
		{"13.46億", persons, 1.346e9, 5e5, "13.46億"},
		{"2.48萬億", yuan, 2.48e12, 5e9, "2.48萬億"},
		{"13.46億人", persons, 1.346e9, 5e5, "13.46億人"},
		{"117個", juris, 117, 0.5, "117個"},
		{"５ 万人", persons, 50000, 5000, "５ 万人"},
		{"７０２１．４　萬人", persons, 70214000, 500, "７０２１．４　萬人"},
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
		{"93.2 ％", ratio, formsRatio + `"93.2 ％"`},
		{"93.2percent", ratio, formsRatio + `"93.2percent"`},
		{"93.2 Percent", ratio, formsRatio + `"93.2 Percent"`},
		{"93.2 per  cent", ratio, formsRatio + `"93.2 per  cent"`},
		{"93.2%%", ratio, formsRatio + `"93.2%%"`},
		{"%", ratio, formsRatio + `"%"`},
		// % for other units.
		{"93.2%", persons, `% is only for ratio indicators, not persons, got "93.2%"`},
		{"5%", yuan, `% is only for ratio indicators, not yuan, got "5%"`},
		{"5%", juris, `% is only for ratio indicators, not jurisdictions, got "5%"`},
		{"5%", "", `% is only for ratio indicators, got "5%"`},
		{"5％", persons, `％ is only for ratio indicators, not persons, got "5％"`},
		{"5 percent", yuan, `percent is only for ratio indicators, not yuan, got "5 percent"`},
		{"5 per cent", "", `per cent is only for ratio indicators, got "5 per cent"`},
		// Unit words that do not fit the unit.
		{"3,512元", persons, `unit 元 (yuan) does not fit a count of persons, got "3,512元"`},
		{"5万人", yuan, `unit 人 (persons) does not fit a sum of yuan, got "5万人"`},
		{"5人", ratio, `unit 人 (persons) does not fit a ratio, got "5人"`},
		{"5人", "", `unit 人 (persons) does not fit a figure without a unit, got "5人"`},
		{"117个", persons, `unit 个 (things) does not fit a count of persons, got "117个"`},
		{"117個", persons, `unit 個 (things) does not fit a count of persons, got "117個"`},
		{"117人", juris, `unit 人 (persons) does not fit a count of jurisdictions, got "117人"`},
		{"5万户", persons, `unit 户 (households) does not fit a count of persons, got "5万户"`},
		{"5戶", juris, `unit 戶 (households) does not fit a count of jurisdictions, got "5戶"`},
		{"5户", "", `unit 户 (households) does not fit a figure without a unit, got "5户"`},
		{"1.2个百分点", persons, `unit 个百分点 (percentage points) does not fit a count of persons, got "1.2个百分点"`},
		{"abc元", persons, `unit 元 (yuan) does not fit a count of persons, got "abc元"`},
		// Unit words out of place.
		{"元", yuan, formsCounts + `"元"`},
		{"5万 人", persons, formsCounts + `"5万 人"`},
		{"5  万", persons, formsCounts + `"5  万"`},
		{"5 \u3000万", persons, formsCounts + `"5 \u3000万"`},
		{"5\u00a0万", persons, formsCounts + `"5\u00a0万"`},
		{"5\t万", persons, formsCounts + `"5\t万"`},
		{"5 million人", persons, formsCounts + `"5 million人"`},
		{"5人万", persons, formsCounts + `"5人万"`},
		{"5人人", persons, formsCounts + `"5人人"`},
		{"5e3人", persons, formsCounts + `"5e3人"`},
		{"5名", persons, formsCounts + `"5名"`},
		{"5万个百分点", ratio, formsRatio + `"5万个百分点"`},
		{"5%个百分点", ratio, formsRatio + `"5%个百分点"`},
		{"5百分点", ratio, formsRatio + `"5百分点"`},
		{"32.45\u3000million", persons, formsCounts + `"32.45\u3000million"`},
		// Unknown or misspelt multipliers.
		{"32.45million", persons, formsCounts + `"32.45million"`},
		{"32.45  million", persons, formsCounts + `"32.45  million"`},
		{"32.45 Million", persons, formsCounts + `"32.45 Million"`},
		{"32.45\u00a0million", persons, formsCounts + `"32.45\u00a0million"`},
		{"32.45 millions", persons, formsCounts + `"32.45 millions"`},
		{"32.45 mn", persons, formsCounts + `"32.45 mn"`},
		{"5千", persons, formsCounts + `"5千"`},
		{"5百万", persons, formsCounts + `"5百万"`},
		{"5亿万", persons, formsCounts + `"5亿万"`},
		{"5万万", persons, formsCounts + `"5万万"`},
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
		{"３，５１２", persons, `thousands separators must be ASCII commas (3,512), got "３，５１２"`},
		{"3，512万人", persons, `thousands separators must be ASCII commas (3,512), got "3，512万人"`},
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
		{"＋５", persons, formsCounts + `"＋５"`},
		{"０２０１９", persons, formsCounts + `"０２０１９"`},
		{"５。５", persons, formsCounts + `"５。５"`},
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
		{"ＮａＮ", ratio, `must be a finite number, got NaN`},
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

// TestParseValue checks what an observation's value adds to parseFigure:
// the precision of a ratio written as a plain number, the indicator named
// when a unit word does not fit, and percentage points refused.
func TestParseValue(t *testing.T) {
	const (
		ratio   = dataset.UnitRatio
		persons = dataset.UnitPersons
		cov     = "socsec_coverage_ratio"
		insured = "socsec_insured_persons"
	)
	for _, c := range []struct {
		in        string
		unit      dataset.Unit
		name      string
		value     float64
		precision float64
		msg       string
	}{
		{"0.9", ratio, cov, 0.9, 0.005, ""},
		{"0.932", ratio, cov, 0.932, 0.0005, ""},
		{"93%", ratio, cov, 0.93, 0.005, ""},
		{"93 percent", ratio, cov, 0.93, 0.005, ""},
		{"９３．２％", ratio, cov, 0.932, 0.0005, ""},
		{"7021.4万人", persons, insured, 70214000, 500, ""},
		{"3,512元", persons, insured, 0, 0, `unit 元 (yuan) does not fit socsec_insured_persons, which counts persons, got "3,512元"`},
		{"3512人", ratio, cov, 0, 0, `unit 人 (persons) does not fit socsec_coverage_ratio, which is a ratio, got "3512人"`},
		{"5个", "", "socsec_things", 0, 0, `unit 个 (things) does not fit socsec_things, which has no unit, got "5个"`},
		{"5元", "", "", 0, 0, `unit 元 (yuan) does not fit a figure without a unit, got "5元"`},
		{"1.2个百分点", ratio, cov, 0, 0, `个百分点 (percentage points) is for the change of a ratio, under reported with kind change: write a value of socsec_coverage_ratio as a percentage (93.2%), got "1.2个百分点"`},
		{" 1.2 個百分點 ", ratio, cov, 0, 0, `個百分點 (percentage points) is for the change of a ratio, under reported with kind change: write a value of socsec_coverage_ratio as a percentage (93.2%), got "1.2 個百分點"`},
		{"1.2个百分点", persons, insured, 0, 0, `unit 个百分点 (percentage points) does not fit socsec_insured_persons, which counts persons, got "1.2个百分点"`},
	} {
		f, msg := parseValue(c.in, c.unit, c.name)
		if msg != c.msg {
			t.Errorf("parseValue(%q, %s) message %q\n want %q", c.in, c.unit, msg, c.msg)
		}
		if msg != "" && f != (Figure{}) {
			t.Errorf("parseValue(%q, %s) refused with a figure: %+v", c.in, c.unit, f)
		}
		if msg == "" && (f.Value != c.value || !closeTo(f.Precision, c.precision)) {
			t.Errorf("parseValue(%q, %s) = %v ± %v, want %v ± %v", c.in, c.unit, f.Value, f.Precision, c.value, c.precision)
		}
	}
}

// TestQuoteHolds checks that a quote holds a figure printed in any
// accepted form when it quotes that figure, in the same form or another
// spelling of it, and not when it quotes another.
func TestQuoteHolds(t *testing.T) {
	for _, c := range []struct {
		quote, printed string
		holds          bool
	}{
		{"年末全国参加基本养老保险人数为102871万人。", "102,871万", true},
		{"The coverage rate reached 91 percent.", "91%", true},
		{"参保率达到91％。", "91%", true},
		{"参保率达到91%。", "91 per cent", true},
		{"coverage of 95.6 per cent", "95.6 percent", true},
		{"coverage of 95.6 Per Cent", "95.6%", true},
		// Unit words: quoted or not.
		{"参保人数7021.4万人", "7021.4万人", true},
		{"参保人数7021.4万，其中", "7021.4万人", true},
		{"月人均养老金3512元", "3,512元", true},
		{"月人均养老金3,512元", "3512", true},
		{"全省117个县", "117个", true},
		// A space before the multiplier or unit, ASCII or ideographic.
		{"参保人数6958.7万人", "6958.7 万", true},
		{"参保人数6958.7 万人", "6958.7万", true},
		{"参保人数29,117　万人", "29,117 万人", true},
		// Full-width forms, in the quote or the value.
		{"参保率９３．２％", "93.2%", true},
		{"参保率93.2%", "９３．２％", true},
		{"参保率９３．２％", "９３．２％", true},
		{"参保人数３，５１２人", "3,512人", true},
		{"減少－１２人", "-12人", true},
		// Traditional characters.
		{"參保人數17444萬人", "17444萬", true},
		{"參保人數17444萬人", "17444万", true},
		{"参保人数17444万人", "17444萬", true},
		{"參保人數13.46億人", "13.46亿人", true},
		{"總額2.48萬億元", "2.48万亿", true},
		// Other figures.
		{"参保生育保险人数为23752万人。", "2.38亿", false},
		{"参保人数7021.5万人", "7021.4万人", false},
		{"参保率93.2%", "93.3%", false},
		{"全省117户", "117个", false},
		{"全省117户、117个县", "117个", true},
		{"月人均养老金3512万元", "3512元", false},
		{"月人均养老金35120元", "3512元", false},
		{"月人均养老金3512.5元", "3512元", false},
		{"月人均养老金3512.5元，较上年3512元", "3512元", true},
		{"参保人数7021.4万。", "7021.4万人", true},
		{"参保人数7021.4万户", "7021.4万人", false},
		{"参保人数7021.4万亿", "7021.4万人", false},
	} {
		if got := quoteHolds(c.quote, c.printed); got != c.holds {
			t.Errorf("quoteHolds(%q, %q) = %v, want %v", c.quote, c.printed, got, c.holds)
		}
	}
}
