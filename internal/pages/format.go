package pages

import (
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// figureView is a figure as the pages show it.
type figureView struct {
	O           *dataset.Observation
	URL         string
	Selector    string // The PromQL selector of its series.
	Indicator   string
	Help        string
	Region      string
	RegionName  string
	Program     string
	ProgramName string
	Year        int
	Period      string
	Basis       string
	Dims        []labelValue
	Printed     string // As the source printed it, or "".
	Value       string // In the indicator's unit: "93.2 %", "25,840,000 persons".
	// Shown is the value as printed, with its unit; Equals the value in the
	// indicator's unit when that says more: "25.84 million persons" and
	// "25,840,000 persons".
	Shown, Equals string
	Raw           string // As served: "0.932".
	Qualifier     string // "exact", "approximately", "at least", "at most".
	Precision     string // "± 0.05 points", "± 5,000 persons".
	Allows        string // The true values it allows.
	Flags         []string
	Source        *dataset.Source
	SourceDate    string // "published 2021-07-07", or "undated".
	Quote         string
	Note          string
	Dataset       *dataset.Dataset
	Pos           string
}

type labelValue struct{ Name, Value string }

func (ix *index) view(o *dataset.Observation) figureView {
	v := figureView{
		O: o, URL: figureURL(o), Selector: selector(o), Indicator: o.Indicator.Name, Help: o.Indicator.Help,
		Region: o.Region, Program: o.Program, Year: o.Year, Period: o.Period, Basis: o.Basis,
		Printed: o.Printed(), Value: formatValue(o.Indicator.Unit, o.Value, o.Precision), Raw: num(o.Value),
		Qualifier: qualifierText(o.Qualifier), Precision: precisionText(o.Indicator.Unit, o.Precision),
		Allows: allowsText(o), Flags: o.Flags(), Source: o.Source, SourceDate: o.Source.DateText(),
		Quote: o.Quote(), Dataset: o.Dataset, Pos: o.Pos.String(),
	}
	if o.Words != nil {
		v.Note = o.Words.Note
	}
	v.Shown = v.Value
	if v.Printed != "" {
		v.Shown = v.Printed
		if w := unitWord(o.Indicator.Unit); w != "" && !strings.Contains(v.Printed, w) {
			v.Shown += " " + w
		}
		if squeeze(v.Shown) != squeeze(v.Value) {
			v.Equals = v.Value
		}
	}
	if r := ix.region(o.Region); r != nil {
		v.RegionName = regionName(r)
	}
	if p := ix.program(o.Program); p != nil {
		v.ProgramName = p.Name
	}
	for i, name := range o.Indicator.Dimensions {
		v.Dims = append(v.Dims, labelValue{name, o.Dimensions[i]})
	}
	return v
}

// Title names the figure: region, programme, dimensions, indicator, year.
func (v figureView) Title() string {
	parts := []string{v.RegionName}
	if v.RegionName == "" {
		parts[0] = v.Region
	}
	if v.ProgramName != "" {
		parts = append(parts, v.ProgramName)
	} else if v.Program != "" {
		parts = append(parts, v.Program)
	}
	for _, d := range v.Dims {
		parts = append(parts, d.Name+" "+d.Value)
	}
	year := strconv.Itoa(v.Year)
	if v.Period != "" {
		year = v.Period
	}
	return strings.Join(parts, " · ") + " · " + v.Indicator + " · " + year
}

// regionName is a region's English name, else its name, with its code.
func regionName(r *dataset.Region) string {
	name := r.NameEN
	if name == "" {
		name = r.Name
	} else if r.Name != "" && r.Name != name {
		name += " (" + r.Name + ")"
	}
	return name
}

// selector is the PromQL selector of the figure's series.
func selector(o *dataset.Observation) string {
	var b strings.Builder
	b.WriteString(o.Indicator.Name)
	b.WriteString(`{region_code=`)
	b.WriteString(strconv.Quote(o.Region))
	if o.Program != "" {
		b.WriteString(`,program=`)
		b.WriteString(strconv.Quote(o.Program))
	}
	b.WriteString(`,year=`)
	b.WriteString(strconv.Quote(strconv.Itoa(o.Year)))
	if o.Period != "" {
		b.WriteString(`,period=`)
		b.WriteString(strconv.Quote(o.Period))
	}
	if o.Basis != "" {
		b.WriteString(`,basis=`)
		b.WriteString(strconv.Quote(o.Basis))
	}
	for i, name := range o.Indicator.Dimensions {
		b.WriteString(",")
		b.WriteString(name)
		b.WriteString("=")
		b.WriteString(strconv.Quote(o.Dimensions[i]))
	}
	b.WriteString("}")
	return b.String()
}

// unitWord names a unit after a number.
func unitWord(u dataset.Unit) string {
	switch u {
	case dataset.UnitRatio, "":
		return ""
	}
	return string(u)
}

// formatValue writes a value in its unit: ratios as percentages with the
// digits the precision allows, counts and money with thousands separators.
func formatValue(u dataset.Unit, v, precision float64) string {
	if u == dataset.UnitRatio {
		return percent(v, precision)
	}
	s := grouped(v)
	if w := unitWord(u); w != "" {
		s += " " + w
	}
	return s
}

// percent writes a ratio as a percentage with as many decimals as half a
// unit of the last digit written, precision, calls for.
func percent(v, precision float64) string {
	decimals := 0
	if precision > 0 {
		decimals = max(0, int(math.Ceil(-math.Log10(precision*200)-1e-9)))
	}
	s := strconv.FormatFloat(v*100, 'f', decimals, 64)
	if precision == 0 {
		s = strconv.FormatFloat(dataset.Round15(v*100), 'f', -1, 64)
	}
	return s + " %"
}

// grouped writes a number with thousands separators: 25,840,000.
func grouped(v float64) string {
	s := num(v)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// squeeze drops what only formats a number: spaces and separators.
func squeeze(s string) string {
	return strings.NewReplacer(" ", "", ",", "", "\u00a0", "").Replace(s)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func qualifierText(q dataset.Qualifier) string {
	return strings.ReplaceAll(string(q), "_", " ")
}

func precisionText(u dataset.Unit, p float64) string {
	if p == 0 {
		return "exact"
	}
	if u == dataset.UnitRatio {
		return "± " + num(dataset.Round15(p*100)) + " points"
	}
	s := "± " + grouped(dataset.Round15(p))
	if w := unitWord(u); w != "" {
		s += " " + w
	}
	return s
}

// allowsText says which true values a figure allows, given its qualifier
// and precision.
func allowsText(o *dataset.Observation) string {
	lo, hi := o.Bounds()
	f := func(v float64) string {
		if o.Indicator.Unit == dataset.UnitRatio {
			return strconv.FormatFloat(dataset.Round15(v*100), 'f', -1, 64) + " %"
		}
		return grouped(v)
	}
	switch {
	case lo == hi:
		return "exactly " + f(lo)
	case math.IsInf(hi, 1):
		return f(lo) + " or more"
	case math.IsInf(lo, -1):
		return f(hi) + " or less"
	}
	return f(lo) + " to " + f(hi)
}

// axisScale is what the labels of a value axis reaching maxAbs are
// written in: percent of a ratio, else thousands (from 10,000), millions,
// billions or trillions, or ones.
func axisScale(u dataset.Unit, maxAbs float64) float64 {
	if u == dataset.UnitRatio {
		return 0.01
	}
	switch {
	case maxAbs >= 1e12:
		return 1e12
	case maxAbs >= 1e9:
		return 1e9
	case maxAbs >= 1e6:
		return 1e6
	case maxAbs >= 1e4:
		return 1e3
	}
	return 1
}

// scaleSuffix is what follows a number written in scale.
var scaleSuffix = map[float64]string{0.01: " %", 1: "", 1e3: "k", 1e6: "M", 1e9: "B", 1e12: "T"}

// axisLabel writes an axis label: 25.8M, 3512, 93.2 %, v in scale with
// digits decimals, trailing zeros dropped; a scale of 0 writes v alone in
// the scale of its own size, as precisely as it is.
func axisLabel(u dataset.Unit, v, scale float64, digits int) string {
	if scale == 0 {
		scale, digits = axisScale(u, math.Abs(v)), -1
	}
	x := dataset.Round15(v / scale)
	if digits >= 0 {
		x = math.Round(x*math.Pow(10, float64(digits))) / math.Pow(10, float64(digits))
	}
	if x == 0 {
		if u != dataset.UnitRatio {
			return "0"
		}
		x = 0 // No "-0".
	}
	text := strconv.FormatFloat(x, 'f', digits, 64)
	if strings.Contains(text, ".") {
		text = strings.TrimRight(strings.TrimRight(text, "0"), ".")
	}
	return text + scaleSuffix[scale]
}

// figuresURL is the address of /figures with the given filters.
func figuresURL(f figuresFilter, page int) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("dataset", f.Dataset)
	set(paramRegion, f.Region)
	set(paramProgram, f.Program)
	set(paramMetric, f.Metric)
	if f.Year != 0 {
		v.Set(paramYear, strconv.Itoa(f.Year))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "figures"
	}
	return "figures?" + v.Encode()
}

// timeText writes a time in UTC to the second.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

var funcs = template.FuncMap{
	"time":    timeText,
	"grouped": func(n int) string { return grouped(float64(n)) },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"anchor":   func(s string) string { return strings.ReplaceAll(strings.ToLower(s), " ", "-") },
	"add":      func(a, b int) int { return a + b },
	"dateOnly": dataset.DateOnly,
}
