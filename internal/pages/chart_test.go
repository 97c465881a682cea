package pages

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// yLabels are the labels of the value axis of a page's chart.
var yLabels = regexp.MustCompile(`<text class="ylabel"[^>]*>([^<]*)</text>`)

// chartSnapshot is one series of persons with a figure of each value, from
// 2018 on, each given to precision.
func chartSnapshot(precision float64, values ...float64) *dataset.Snapshot {
	ind := &dataset.Indicator{Name: "socsec_insured_persons", Help: "Insured persons.", Unit: dataset.UnitPersons}
	src := &dataset.Source{ID: "s", Title: "Bulletin", Authority: 1}
	ds := &dataset.Dataset{ID: "d", Title: "Chart", File: "d.yaml", Sources: []*dataset.Source{src}}
	for i, v := range values {
		ds.Observations = append(ds.Observations, &dataset.Observation{Indicator: ind, Region: "CN", Program: "p",
			Year: 2018 + i, Value: v, Precision: precision, Source: src, Dataset: ds,
			Pos: dataset.Position{File: "d.yaml", Line: 10 + i, Column: 5}})
	}
	return &dataset.Snapshot{Datasets: []*dataset.Dataset{ds}, Indicators: []*dataset.Indicator{ind},
		Regions: []*dataset.Region{{Code: "CN", NameEN: "China"}}, Series: ds.Observations}
}

// TestChartAxisLabelsDiffer is the chart of one point, or of points of one
// value, which labelled its value axis "1.07B" five times: the labels of
// its ticks differ, or one tick alone is labelled.
func TestChartAxisLabelsDiffer(t *testing.T) {
	for _, c := range []struct {
		name      string
		precision float64
		values    []float64
	}{
		{"one point of 1.07 billion", 5e6, []float64{1.07e9}},
		{"one point of 1.07 billion, exact", 0, []float64{1.07e9}},
		{"three points of 1.07 billion", 5e6, []float64{1.07e9, 1.07e9, 1.07e9}},
		{"one point of 3", 0.5, []float64{3}},
		{"one point of 0", 0, []float64{0}},
		{"one point of 12,345.678", 0.0005, []float64{12345.678}},
		{"close points", 0.5, []float64{1070000001, 1070000002}},
	} {
		t.Run(c.name, func(t *testing.T) {
			snap := chartSnapshot(c.precision, c.values...)
			w := serveOnce(NewLoad(snap, nil, testenv.Now()), figureURL(snap.Series[0]))
			if w.Code != http.StatusOK {
				t.Fatalf("the figure page: status %d, want 200\n%s", w.Code, w.Body)
			}
			var labels []string
			for _, m := range yLabels.FindAllStringSubmatch(w.Body.String(), -1) {
				labels = append(labels, m[1])
			}
			if len(labels) == 0 {
				t.Fatalf("the chart labels no value; want at least one tick labelled")
			}
			seen := map[string]bool{}
			for _, l := range labels {
				if seen[l] {
					t.Errorf("the value axis reads %q more than once: %q; want labels that differ", l, labels)
				}
				seen[l] = true
			}
		})
	}
}

// TestValueTicks holds the ticks of a value axis to round values inside
// the axis, in order, labelled each differently and as what they are.
func TestValueTicks(t *testing.T) {
	for _, c := range []struct {
		unit   dataset.Unit
		y0, y1 float64
		want   string // The labels, joined by " | "; "" to check only that they differ.
	}{
		{dataset.UnitPersons, 0.94e9, 1.2e9, "0.95B | 1B | 1.05B | 1.1B | 1.15B | 1.2B"},
		{dataset.UnitPersons, 1.0642e9, 1.0758e9, "1.066B | 1.068B | 1.07B | 1.072B | 1.074B"},
		{dataset.UnitPersons, 0, 25.8e6, "0 | 5M | 10M | 15M | 20M | 25M"},
		{dataset.UnitPersons, 2.9, 3.1, "2.9 | 2.95 | 3 | 3.05 | 3.1"},
		{dataset.UnitRatio, 0.9310, 0.9330, "93.1 % | 93.15 % | 93.2 % | 93.25 % | 93.3 %"},
		{dataset.UnitRatio, -0.02, 0.03, "-2 % | -1 % | 0 % | 1 % | 2 % | 3 %"},
		{dataset.UnitPersons, -1, 1, "-1 | -0.5 | 0 | 0.5 | 1"},
		{dataset.UnitPersons, 1e15, 1e15 + 1e3, ""},
		{dataset.UnitPersons, 123456789.123, 123456789.124, ""},
	} {
		name := fmt.Sprintf("%s %g to %g", c.unit, c.y0, c.y1)
		ticks := valueTicks(c.unit, c.y0, c.y1)
		var labels []string
		for i, tk := range ticks {
			labels = append(labels, tk.label)
			if tk.value < c.y0-1e-9*math.Abs(c.y0) || tk.value > c.y1+1e-9*math.Abs(c.y1) {
				t.Errorf("%s: tick %g is outside the axis", name, tk.value)
			}
			if i > 0 && !(tk.value > ticks[i-1].value) {
				t.Errorf("%s: tick %g follows %g; want ascending", name, tk.value, ticks[i-1].value)
			}
		}
		got := strings.Join(labels, " | ")
		if c.want != "" && got != c.want {
			t.Errorf("%s: labels %q, want %q", name, got, c.want)
		}
		seen := map[string]bool{}
		for _, l := range labels {
			if seen[l] {
				t.Errorf("%s: %q labels more than one tick: %q", name, l, got)
			}
			seen[l] = true
		}
		if len(ticks) > 1 && len(ticks) < 3 || len(ticks) > 10 {
			t.Errorf("%s: %d ticks (%q), want 3 to 10, or one", name, len(ticks), got)
		}
	}
}
