package dataset

import (
	"math"
	"strconv"
)

// Round15 drops the noise of binary arithmetic on decimal figures:
// 0.932 - 0.0005 is 0.9315, not 0.9315000000000001. It returns what
// formatting v with 15 significant digits and parsing the text back
// returns, mostly without the text: every load works out the bounds of
// every figure, and the round trip through text was a tenth of rendering.
func Round15(v float64) float64 {
	if r, ok := round15Fast(math.Abs(v)); ok {
		return math.Copysign(r, v)
	}
	return round15Text(v)
}

// round15Text is the definition of Round15.
func round15Text(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	return r
}

// pow10 holds the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// round15Fast rounds a > 0 by scaling it by an exact power of ten so that
// its 15 significant digits are the integer part, m. The scaling rounds
// once, by at most 1/16 below 2^50 > 10^15, so rounding m to an integer
// gives the digits the text would unless m is near a half, and then it
// reports false. Dividing (or multiplying) the digits, an exact integer
// below 2^53, by the exact power rounds once, to the float64 nearest the
// decimal, as parsing the text does.
func round15Fast(a float64) (float64, bool) {
	if !(a >= 1e-300 && a < 1e300) { // Zero, subnormals, infinities, NaN.
		return 0, false
	}
	_, exp2 := math.Frexp(a)
	// log10(2) times the binary exponent is the decimal one, give or take one.
	k := 14 - int(math.Floor(float64(exp2-1)*math.Log10E*math.Ln2))
	scale := func(k int) float64 {
		if k >= 0 {
			return a * pow10[k]
		}
		return a / pow10[-k]
	}
	if k < -len(pow10)+2 || k > len(pow10)-2 {
		return 0, false
	}
	m := scale(k)
	switch {
	case m >= 1e15:
		k--
		m = scale(k)
	case m < 1e14:
		k++
		m = scale(k)
	}
	if m < 1e14 || m >= 1e15 {
		return 0, false
	}
	digits := math.Floor(m)
	switch frac := m - digits; {
	case math.Abs(frac-0.5) <= 0.125:
		return 0, false
	case frac > 0.5:
		digits++
	}
	if k >= 0 {
		return digits / pow10[k], true
	}
	return digits * pow10[-k], true
}
