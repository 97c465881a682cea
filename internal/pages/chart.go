package pages

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// chartView is a small chart of a series over the years, drawn as inline
// SVG on the server: one point per figure at the end of its period, the
// annual figures joined by a line, the page's figure marked with the values
// it allows.
type chartView struct {
	Width, Height int
	Title         string
	Points        []chartPoint
	Line          string // Polyline points of the annual figures.
	XTicks        []chartTick
	YTicks        []chartTick
	// Left, Right, Top and Bottom are the plot area's edges.
	Left, Right, Top, Bottom float64
	Bar                      *chartBar // What the marked figure allows.
	HasConflict              bool
}

type chartPoint struct {
	X, Y     float64
	URL      string
	Label    string
	Current  bool
	Conflict bool // A figure of an unresolved conflict, not served.
}

type chartTick struct {
	Pos   float64
	Label string
}

type chartBar struct {
	X, Y1, Y2    float64
	Open1, Open2 bool // The lower or upper bound is open or beyond the chart: no cap.
}

// CapLeft and CapRight are the ends of the caps of the bar.
func (b chartBar) CapLeft() float64  { return b.X - 5 }
func (b chartBar) CapRight() float64 { return b.X + 5 }

const (
	chartWidth, chartHeight                        = 720, 240
	chartLeft, chartRight, chartTop, chartBottomPx = 76.0, 24.0, 16.0, 30.0
)

// chart draws the figures of o's series: its served figures of every year,
// and the figures of conflicts, marking current (o or the conflict's).
func (ix *index) chart(o *dataset.Observation, conflicting []*dataset.Observation) chartView {
	type fig struct {
		o        *dataset.Observation
		conflict bool
	}
	// The annual figure of each year, found by its key, and o, which may
	// be for part of a year: the chart costs the years, not the figures
	// of the indicator and region.
	var figs []fig
	for _, year := range ix.years {
		probe := dataset.Observation{Indicator: o.Indicator, Region: o.Region, Program: o.Program, Year: year, Basis: o.Basis, Dimensions: o.Dimensions}
		if f := ix.find(&probe); f != nil {
			figs = append(figs, fig{o: f})
		}
		if year == o.Year && o.Period != "" && conflicting == nil {
			figs = append(figs, fig{o: o})
		}
	}
	for _, f := range chartSpread(conflicting, o) {
		figs = append(figs, fig{o: f, conflict: true})
	}
	for _, s := range ix.conflictsOf[nameOf(o)] {
		if c := s.first(); c.Period == "" && c.Year != o.Year {
			for _, f := range chartSpread(s.conflict, nil) {
				figs = append(figs, fig{o: f, conflict: true})
			}
		}
	}
	c := chartView{Width: chartWidth, Height: chartHeight, Left: chartLeft, Right: chartWidth - chartRight,
		Top: chartTop, Bottom: chartHeight - chartBottomPx}
	c.Title = o.Indicator.Name + " " + o.Region
	if o.Program != "" {
		c.Title += " " + o.Program
	}
	if d := o.DimensionString(); d != "" {
		c.Title += " " + d
	}
	if len(figs) == 0 {
		return c
	}
	// Axes: the years of the figures, and their values with what the
	// marked figure allows.
	x0, x1 := math.Inf(1), math.Inf(-1)
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, f := range figs {
		x := yearPosition(f.o)
		x0, x1 = math.Min(x0, x), math.Max(x1, x)
		y0, y1 = math.Min(y0, f.o.Value), math.Max(y1, f.o.Value)
	}
	blo, bhi := o.Bounds()
	if !math.IsInf(blo, 0) {
		y0 = math.Min(y0, blo)
	}
	if !math.IsInf(bhi, 0) {
		y1 = math.Max(y1, bhi)
	}
	y0, y1 = valueRange(y0, y1, o.Indicator.Unit != "")
	if x1 == x0 {
		x0, x1 = x0-1, x1+1
	} else {
		x0, x1 = x0-0.5, x1+0.5
	}
	px := func(x float64) float64 { return round1(c.Left + (x-x0)/(x1-x0)*(c.Right-c.Left)) }
	py := func(y float64) float64 { return round1(c.Bottom - (y-y0)/(y1-y0)*(c.Bottom-c.Top)) }
	var line []string
	for _, f := range figs {
		p := chartPoint{X: px(yearPosition(f.o)), Y: py(f.o.Value), URL: figureURL(f.o), Current: f.o == o,
			Conflict: f.conflict}
		label := strconv.Itoa(f.o.Year)
		if f.o.Period != "" {
			label = f.o.Period
		}
		p.Label = label + ": " + formatValue(f.o.Indicator.Unit, f.o.Value, f.o.Precision) + " (" + f.o.Source.ID + ", " + f.o.Source.DateText() + ")"
		if f.conflict {
			p.Label += ", in an unresolved conflict, not served"
		}
		c.Points = append(c.Points, p)
		c.HasConflict = c.HasConflict || f.conflict
		if !f.conflict && f.o.Period == "" {
			line = append(line, strconv.FormatFloat(p.X, 'f', -1, 64)+","+strconv.FormatFloat(p.Y, 'f', -1, 64))
		}
	}
	c.Line = strings.Join(line, " ")
	bar := &chartBar{X: px(yearPosition(o))}
	bar.Y1, bar.Open1 = py(math.Min(math.Max(blo, y0), y1)), math.IsInf(blo, -1) || blo < y0
	bar.Y2, bar.Open2 = py(math.Max(math.Min(bhi, y1), y0)), math.IsInf(bhi, 1) || bhi > y1
	if bar.Y1 != bar.Y2 {
		c.Bar = bar
	}
	// Ticks: every year when there are few, else about eight.
	first, last := int(math.Ceil(x0)), int(math.Floor(x1))
	step := max(1, (last-first+1+7)/8)
	for y := first; y <= last; y += step {
		c.XTicks = append(c.XTicks, chartTick{Pos: px(float64(y)), Label: strconv.Itoa(y)})
	}
	for _, t := range valueTicks(o.Indicator.Unit, y0, y1) {
		c.YTicks = append(c.YTicks, chartTick{Pos: py(t.value), Label: t.label})
	}
	return c
}

// valueTick is a tick of the value axis: where it stands and what it reads.
type valueTick struct {
	value float64
	label string
}

// valueTicks returns the ticks of a value axis from y0 to y1: round values
// a round step apart (1, 2, 2.5 or 5 times a power of ten), three to seven
// of them, each labelled with as many digits as the step needs, so that no
// two read the same. Should rounding ever make two labels equal, only one
// tick is labelled, the middle one, as it is.
func valueTicks(u dataset.Unit, y0, y1 float64) []valueTick {
	span := y1 - y0
	if !(span > 0) || math.IsInf(span, 0) {
		return []valueTick{{value: y0, label: axisLabel(u, y0, 0, 0)}}
	}
	step := niceStep(span / 6)
	scale := axisScale(u, math.Max(math.Abs(y0), math.Abs(y1)))
	digits := stepDigits(step / scale)
	var ticks []valueTick
	for k := math.Ceil(y0/step - 1e-9); k*step <= y1+step*1e-9; k++ {
		v := dataset.Round15(k * step)
		ticks = append(ticks, valueTick{value: v, label: axisLabel(u, v, scale, digits)})
	}
	for i := 1; i < len(ticks); i++ {
		if ticks[i].label == ticks[i-1].label {
			mid := dataset.Round15((y0 + y1) / 2)
			return []valueTick{{value: mid, label: axisLabel(u, mid, 0, 0)}}
		}
	}
	return ticks
}

// niceStep is the round step nearest above raw: 1, 2, 2.5 or 5 times a
// power of ten.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// stepDigits is how many decimals a multiple of step needs, at most 12.
func stepDigits(step float64) int {
	for d := 0; d < 12; d++ {
		scaled := step * math.Pow(10, float64(d))
		if math.Abs(scaled-math.Round(scaled)) < 1e-6*scaled {
			return d
		}
	}
	return 12
}

// chartSample is the most points the chart draws of one conflict: a
// series published thousands of times is drawn as the spread of its
// figures, not as every one.
const chartSample = 20

// chartSpread returns the figures of a conflict the chart draws: all of
// them when they are few, else chartSample spread evenly from the lowest
// value to the highest, with keep among them when it is one of the
// figures.
func chartSpread(figs []*dataset.Observation, keep *dataset.Observation) []*dataset.Observation {
	if len(figs) <= chartSample {
		return figs
	}
	sorted := slices.Clone(figs)
	slices.SortStableFunc(sorted, func(a, b *dataset.Observation) int { return cmp.Compare(a.Value, b.Value) })
	out := make([]*dataset.Observation, 0, chartSample+1)
	for i := range chartSample {
		out = append(out, sorted[i*(len(sorted)-1)/(chartSample-1)])
	}
	if keep != nil && slices.Contains(figs, keep) && !slices.Contains(out, keep) {
		out = append(out, keep)
	}
	return out
}

// yearPosition places a figure on the year axis at the end of its period:
// an annual figure at its year, one of September 2025 three quarters of the
// way from 2024 to 2025.
func yearPosition(o *dataset.Observation) float64 {
	if o.Period == "" {
		return float64(o.Year)
	}
	end := o.PeriodEnd()
	days := time.Date(end.Year(), time.December, 31, 0, 0, 0, 0, time.UTC).YearDay()
	return float64(end.Year()) - 1 + float64(end.YearDay())/float64(days)
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// valueRange is the value axis of a chart whose values run from y0 to y1:
// from zero when they spread widely, never a single value, padded, and not
// below zero for a quantity with a unit unless the values go there.
func valueRange(y0, y1 float64, hasUnit bool) (float64, float64) {
	if y0 > 0 && (y1-y0) > y1/2 {
		y0 = 0 // Counts spread widely read more honestly from zero.
	}
	if y1 == y0 {
		y0, y1 = y0-math.Max(math.Abs(y0)*0.1, 1e-3), y1+math.Max(math.Abs(y1)*0.1, 1e-3)
	}
	pad := (y1 - y0) * 0.08
	y0, y1 = y0-pad, y1+pad
	if hasUnit && y0 < 0 && (y1-y0)*0.08 >= -y0 {
		y0 = math.Min(0, y0+pad)
	}
	return y0, y1
}
