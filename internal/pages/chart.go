package pages

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/socsec-exporter/socsec_exporter/dataset"
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
	lo, hi := ix.span(o.Indicator.Name, o.Region, o.Program, false)
	type fig struct {
		o        *dataset.Observation
		conflict bool
	}
	var figs []fig
	for i := lo; i < hi; i++ {
		f := ix.at(i)
		if sameSeries(f, o) && (f.Period == "" || f == o) {
			figs = append(figs, fig{o: f})
		}
	}
	for _, f := range conflicting {
		figs = append(figs, fig{o: f, conflict: true})
	}
	for _, s := range ix.conflicts {
		if c := s.first(); c.Period == "" && sameSeries(c, o) && c.Year != o.Year {
			for _, f := range s.conflict {
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
	if y0 > 0 && (y1-y0) > y1/2 {
		y0 = 0 // Counts spread widely read more honestly from zero.
	}
	if y1 == y0 {
		y0, y1 = y0-math.Max(math.Abs(y0)*0.1, 1e-3), y1+math.Max(math.Abs(y1)*0.1, 1e-3)
	}
	pad := (y1 - y0) * 0.08
	y0, y1 = y0-pad, y1+pad
	if o.Indicator.Unit != "" && y0 < 0 && (y1-y0)*0.08 >= -y0 {
		y0 = math.Min(0, y0+pad)
	}
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
	for i := range 5 {
		v := y0 + (y1-y0)*float64(i)/4
		c.YTicks = append(c.YTicks, chartTick{Pos: py(v), Label: shortNumber(o.Indicator.Unit, niceRound(v, y1-y0))})
	}
	return c
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

// niceRound rounds an axis value to two significant digits of the range.
func niceRound(v, span float64) float64 {
	if span <= 0 {
		return v
	}
	p := math.Pow(10, math.Floor(math.Log10(span))-1)
	return dataset.Round15(math.Round(v/p) * p)
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
