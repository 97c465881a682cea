package dataset

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sameFloat reports whether a and b are the same float64, NaN and the sign
// of zero included.
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

func TestRound15(t *testing.T) {
	for _, tc := range []struct{ v, want float64 }{
		{0.932 - 0.0005, 0.9315},
		{0.932 + 0.0005, 0.9325},
		{-(0.932 - 0.0005), -0.9315},
		{1339459157 - 0.5, 1339459156.5},
		{0.1 + 0.2, 0.3},
		{999999999999999.4, 999999999999999},
		{999999999999999.6, 1e15},
		{0, 0},
		{math.Copysign(0, -1), math.Copysign(0, -1)},
		{math.Inf(1), math.Inf(1)},
		{math.Inf(-1), math.Inf(-1)},
		{math.NaN(), math.NaN()},
		{5e-324, 5e-324},
		{math.MaxFloat64, math.Inf(1)}, // 1.79769313486232e308 is beyond float64.
	} {
		if got := Round15(tc.v); !sameFloat(got, tc.want) {
			t.Errorf("Round15(%v) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

// TestRound15Text compares Round15 with its definition, the round trip
// through 15-digit text, on figures as published give or take a precision,
// and on random bits.
func TestRound15Text(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	const n = 200000
	for i := range n {
		var v float64
		if i%2 == 0 {
			digits := float64(r.IntN(1_000_000))
			scale := pow10[r.IntN(10)]
			v = digits/scale + float64(r.IntN(3)-1)*0.5/pow10[r.IntN(8)]
		} else {
			v = math.Float64frombits(r.Uint64())
		}
		if got, want := Round15(v), round15Text(v); !sameFloat(got, want) {
			t.Fatalf("Round15(%v) = %v, the text round trip gives %v", v, got, want)
		}
		if _, ok := round15Fast(math.Abs(v)); ok && i%2 == 0 {
			fast++
		}
	}
	// The fast path is the point: published figures must mostly take it.
	if fast < n/2*9/10 {
		t.Errorf("%d of %d published-like figures took the fast path, want at least 90 %%", fast, n/2)
	}
}

func FuzzRound15(f *testing.F) {
	for _, v := range []float64{0.9315000000000001, 1e15 - 0.5, 123456789012345.5, 1e-8, 1e37, -2.5e-7} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if got, want := Round15(v), round15Text(v); !sameFloat(got, want) {
			t.Fatalf("Round15(%v) = %v, the text round trip gives %v", v, got, want)
		}
	})
}

func BenchmarkRound15(b *testing.B) {
	for _, bc := range []struct {
		name  string
		round func(float64) float64
	}{{"fast", Round15}, {"text", round15Text}} {
		b.Run(bc.name, func(b *testing.B) {
			v := 0.0
			for b.Loop() {
				v += bc.round(0.932 - 0.0005)
			}
		})
	}
}
