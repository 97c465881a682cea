package check

import (
	"math"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

func TestSpan(t *testing.T) {
	persons := &dataset.Indicator{Unit: dataset.UnitPersons}
	ratio := &dataset.Indicator{Unit: dataset.UnitRatio}
	inf := math.Inf(1)
	for _, tc := range []struct {
		ind    *dataset.Indicator
		value  float64
		q      dataset.Qualifier
		p      float64
		lo, hi float64
	}{
		{persons, 1000, dataset.Exact, 0.5, 999.5, 1000.5},
		{persons, 25840000, dataset.Approximately, 5000, 25835000, 25845000},
		{persons, 32450000, dataset.AtLeast, 0.5, 32449999.5, inf},
		{persons, 30000000, dataset.AtMost, 0.5, 0, 30000000.5},
		{ratio, 0.932, dataset.Exact, 0.0005, 0.9315, 0.9325},
		{ratio, 1, dataset.Exact, 0.005, 0.995, 1},
		{ratio, 0.9, dataset.Approximately, 0.05, 0.85, 0.95},
		{ratio, 0.95, dataset.AtLeast, 0.005, 0.945, 1},
	} {
		got := span(&dataset.Observation{Indicator: tc.ind, Value: tc.value, Qualifier: tc.q, Precision: tc.p})
		if math.Abs(got.lo-tc.lo) > 1e-9 || math.Abs(got.hi-tc.hi) > 1e-9 && !math.IsInf(tc.hi, 1) || math.IsInf(tc.hi, 1) != math.IsInf(got.hi, 1) {
			t.Errorf("span(%s %v %s) = [%v, %v], want [%v, %v]", tc.q, tc.value, tc.ind.Unit, got.lo, got.hi, tc.lo, tc.hi)
		}
	}
}

func TestGrowth(t *testing.T) {
	for _, tc := range []struct {
		from, to float64
		years    int
		want     float64
	}{
		{2639, 3512, 5, 0.058822},
		{2639, 3512, 4, 0.074061},
		{100, 95, 1, -0.05},
		{0, 3512, 5, math.Inf(1)},
	} {
		if got := growth(tc.from, tc.to, tc.years); math.Abs(got-tc.want) > 1e-6 && got != tc.want {
			t.Errorf("growth(%v, %v, %d) = %.6f, want %.6f", tc.from, tc.to, tc.years, got, tc.want)
		}
	}
}
