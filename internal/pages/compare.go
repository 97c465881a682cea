package pages

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// maxCompareRegions bounds the regions /compare draws: a chart each, so a
// page costs at most this many series of its years.
const maxCompareRegions = 12

// nationalRegion is the region a comparison names first when it names
// none: China's national figures, beside which a province is read.
const nationalRegion = "CN"

// The small multiples of /compare: narrower than a figure's chart, so that
// three stand side by side on a laptop's screen.
const (
	compareWidth, compareHeight                            = 400, 220
	compareLeft, compareRight, compareTop, compareBottomPx = 64.0, 14.0, 12.0, 28.0
)

// comparePage is /compare: one series (indicator, programme, basis and
// dimensions) of several regions over the years, a chart per region.
type comparePage struct {
	// What the request named, for the form.
	Metric, Program, Basis string
	Selected               map[string]bool // Region codes the form marks.
	Metrics, Programs      []option
	Regions, Bases         []option
	MaxRegions             int
	// Series names the series drawn: programme, basis and dimensions.
	Series, Help string
	Charts       []compareChart
	// DefaultRegions is set when the request named no region: the page
	// draws the national figures and the regions that have the series,
	// MoreRegions of them beyond the cap left out.
	DefaultRegions bool
	MoreRegions    int
	// AllURL draws the series for the regions that have it, when the
	// request named its own.
	AllURL string
	// FirstYear and LastYear are the years every chart spans.
	FirstYear, LastYear int
	// PartYear counts the figures of the series for part of a year, which
	// the charts leave out.
	PartYear int
	// Choices are the series a request that names none of several could
	// mean, at most maxCandidates, and MoreChoices the number beyond.
	Choices     []option
	MoreChoices int
	Problem     string
}

// compareChart is the chart of one region.
type compareChart struct {
	Code, Name string
	Chart      chartView
	// Lines join the figures of consecutive years: a year without a
	// figure breaks the line rather than draw a value nobody published.
	Lines      []string
	Figures    int    // Annual figures drawn.
	Span       string // Their first and last year: "2005–2023".
	Gaps       []int  // The years between without a figure.
	FiguresURL string // Every figure of the indicator, region and programme.
	// Conflicts link the years of the series not served for an unresolved
	// conflict, which the chart does not draw.
	Conflicts []figureLink
}

// compareSeries is what names a series of an indicator beside its region
// and year: programme, basis and dimensions.
type compareSeries struct {
	program, basis string
	dims           []string
}

func seriesOfFigure(o *dataset.Observation) compareSeries {
	return compareSeries{o.Program, o.Basis, o.Dimensions}
}

// key is the series as a map key.
func (s compareSeries) key() string {
	return s.program + "\x00" + s.basis + "\x00" + strings.Join(s.dims, "\x00")
}

// has reports whether o is a figure of the series.
func (s compareSeries) has(o *dataset.Observation) bool {
	return o.Program == s.program && o.Basis == s.basis && slices.Equal(o.Dimensions, s.dims)
}

// compareQuery is what a /compare request names; empty fields are not
// given.
type compareQuery struct {
	metric, program, basis string
	dims                   map[string]string
	regions                []string // Distinct, in the order given.
	raw                    url.Values
}

// parseCompareQuery reads a /compare request; its error, a 400, says what
// is wrong with it as written.
func parseCompareQuery(v url.Values) (compareQuery, error) {
	q := compareQuery{metric: param(v, paramMetric), program: param(v, paramProgram), basis: param(v, paramBasis),
		dims: map[string]string{}, raw: v}
	for _, s := range v[paramRegion] {
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "${") || strings.HasPrefix(s, "$__") || slices.Contains(q.regions, s) {
			continue
		}
		if len(q.regions) == maxCompareRegions {
			return q, fmt.Errorf("a comparison draws at most %d regions, a chart each; this one names more: choose %d or fewer", maxCompareRegions, maxCompareRegions)
		}
		q.regions = append(q.regions, s)
	}
	if d := param(v, paramDimensions); d != "" {
		for _, pair := range strings.Split(d, ",") {
			k, val, ok := strings.Cut(pair, "=")
			if !ok {
				return q, fmt.Errorf("dimensions %q are not written k=v,k=v", shorten(d))
			}
			q.dims[k] = val
		}
	}
	if q.metric == "" && (q.program != "" || q.basis != "" || len(q.regions) > 0 || len(q.dims) > 0) {
		return q, fmt.Errorf("a comparison names the indicator it draws: metric")
	}
	return q, nil
}

// compareURL is the address of /compare for a series of an indicator and
// the regions named, none for the regions that have the series.
func compareURL(ind *dataset.Indicator, s compareSeries, regions []string) string {
	v := url.Values{}
	v.Set(paramMetric, ind.Name)
	if s.program != "" {
		v.Set(paramProgram, s.program)
	}
	if s.basis != "" {
		v.Set(paramBasis, s.basis)
	}
	for i, name := range ind.Dimensions {
		v.Set(name, s.dims[i])
	}
	if len(regions) > 0 {
		v[paramRegion] = regions
	}
	return "compare?" + v.Encode()
}

// CompareURL is the address of /compare for the figure's series: its region
// beside the regions enclosing it, as its dataset names them, or, for a
// region that none encloses, the regions that have the series.
func (f figurePage) CompareURL() string {
	o := f.Figure.O
	var chain []string
	if o.Dataset != nil {
		for code := o.Region; code != "" && len(chain) < maxCompareRegions && !slices.Contains(chain, code); {
			i := slices.IndexFunc(o.Dataset.Regions, func(r *dataset.Region) bool { return r.Code == code })
			if i < 0 {
				break
			}
			chain = append(chain, code)
			code = o.Dataset.Regions[i].Parent
		}
	}
	if len(chain) < 2 {
		chain = nil
	}
	slices.Reverse(chain)
	return compareURL(o.Indicator, seriesOfFigure(o), chain)
}

func (p *Pages) serveCompare(w http.ResponseWriter, r *http.Request, l *Load) {
	ix := l.index
	q, err := parseCompareQuery(r.URL.Query())
	page := comparePage{Metric: q.metric, Program: q.program, Basis: q.basis, Selected: map[string]bool{},
		MaxRegions: maxCompareRegions}
	for _, c := range q.regions {
		page.Selected[c] = true
	}
	for _, ind := range ix.snap.Indicators {
		page.Metrics = append(page.Metrics, option{ind.Name, ind.Name})
	}
	for _, prog := range ix.snap.Programs {
		page.Programs = append(page.Programs, option{prog.ID, prog.Name + " · " + prog.ID})
	}
	for _, reg := range ix.snap.Regions {
		page.Regions = append(page.Regions, option{reg.Code, regionName(reg) + " · " + reg.Code})
	}
	status := http.StatusOK
	if err != nil {
		page.Problem, status = upperFirst(err.Error())+".", http.StatusBadRequest
	} else if q.metric != "" {
		status, err = ix.comparison(r.Context(), q, &page)
		if err != nil {
			p.failed(w, r, err)
			return
		}
	}
	if page.Basis != "" && !slices.ContainsFunc(page.Bases, func(o option) bool { return o.Value == page.Basis }) {
		page.Bases = append(page.Bases, option{page.Basis, page.Basis})
	}
	p.render(w, status, "compare", layout{Title: "Compare regions", Nav: "compare", Reload: p.state().Reload, Data: page})
}

// comparison fills page with the charts of q, or with why there are none,
// and returns the page's status. Its error is the context's, when the
// request's deadline passes first.
func (ix *index) comparison(ctx context.Context, q compareQuery, page *comparePage) (int, error) {
	ind := ix.indicator(q.metric)
	if ind == nil {
		page.Problem = fmt.Sprintf("No figure of the metric %q is served.", shorten(q.metric))
		return http.StatusNotFound, nil
	}
	page.Help = ind.Help
	program := ""
	if ind.PerProgram && q.program != "" {
		if ix.program(q.program) == nil {
			page.Problem = fmt.Sprintf("No programme %q is served.", shorten(q.program))
			return http.StatusNotFound, nil
		}
		program = q.program
	}
	dims := maps.Clone(q.dims)
	for _, name := range ind.Dimensions {
		if v := param(q.raw, name); v != "" {
			dims[name] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		if !slices.Contains(ind.Dimensions, k) {
			page.Problem = fmt.Sprintf("%s has no dimension %q; its dimensions are %v.", ind.Name, shorten(k), ind.Dimensions)
			return http.StatusBadRequest, nil
		}
	}
	var regions []string
	for _, c := range q.regions {
		reg := ix.region(c)
		if reg == nil {
			page.Problem = fmt.Sprintf("No region has the code %q.", shorten(c))
			return http.StatusNotFound, nil
		}
		if !slices.Contains(regions, reg.Code) {
			regions = append(regions, reg.Code)
		}
	}
	// matches is whether a figure is of the series the request names, as
	// far as it names one, the basis aside.
	matches := func(o *dataset.Observation) bool {
		if program != "" && o.Program != program {
			return false
		}
		for i, name := range ind.Dimensions {
			if want, ok := dims[name]; ok && o.Dimensions[i] != want {
				return false
			}
		}
		return true
	}
	// The spans to look in: those of the regions named, each found by
	// binary search, or the indicator's.
	type span struct{ lo, hi int }
	var spans []span
	if len(regions) > 0 {
		for _, c := range regions {
			lo, hi := ix.span(ind.Name, c, program, program == "")
			spans = append(spans, span{lo, hi})
		}
	} else {
		lo, hi := ix.indicatorSpan(ind.Name)
		spans = append(spans, span{lo, hi})
	}
	each := func(fn func(o *dataset.Observation)) error {
		n := 0
		for _, s := range spans {
			for i := s.lo; i < s.hi; i++ {
				if n%4096 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				n++
				fn(ix.at(i))
			}
		}
		return nil
	}
	// The series the request could mean, from their annual figures.
	found := map[string]compareSeries{}
	bases := map[string]bool{}
	partYear := 0
	err := each(func(o *dataset.Observation) {
		if !matches(o) {
			return
		}
		if o.Basis != "" {
			bases[o.Basis] = true // For the form, whichever is named.
		}
		if q.basis != "" && o.Basis != q.basis {
			return
		}
		if o.Period != "" {
			partYear++
			return
		}
		found[seriesOfFigure(o).key()] = seriesOfFigure(o)
	})
	if err != nil {
		return 0, err
	}
	for _, b := range slices.Sorted(maps.Keys(bases)) {
		page.Bases = append(page.Bases, option{b, b})
	}
	if q.basis == "" && slices.ContainsFunc(slices.Collect(maps.Values(found)), func(s compareSeries) bool { return s.basis == "" }) {
		// No basis named: the series without one, as /figure takes it.
		maps.DeleteFunc(found, func(_ string, s compareSeries) bool { return s.basis != "" })
	}
	what := ind.Name
	if program != "" {
		what += " of the programme " + program
	}
	if q.basis != "" {
		what += " on the basis " + strconv.Quote(shorten(q.basis))
	}
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		what += " with " + k + " " + strconv.Quote(shorten(dims[k]))
	}
	where := "any region"
	if len(regions) > 0 {
		where = "the regions named"
	}
	switch len(found) {
	case 0:
		page.Problem = fmt.Sprintf("No served annual figure of %s is in %s.", what, where)
		if partYear > 0 {
			page.Problem += fmt.Sprintf(" %s %s for part of a year, which this page does not draw.", grouped(float64(partYear)), plural(partYear, "figure is", "figures are"))
		}
		return http.StatusNotFound, nil
	case 1:
	default:
		page.Problem = fmt.Sprintf("%s series of %s are in %s; choose one.", grouped(float64(len(found))), what, where)
		for i, k := range slices.Sorted(maps.Keys(found)) {
			if i == maxCandidates {
				page.MoreChoices = len(found) - i
				break
			}
			page.Choices = append(page.Choices, option{compareURL(ind, found[k], regions), ix.seriesLabel(ind, found[k])})
		}
		return http.StatusMultipleChoices, nil
	}
	var series compareSeries
	for _, s := range found {
		series = s
	}
	page.Series = ix.seriesLabel(ind, series)
	page.Program, page.Basis = series.program, series.basis
	if len(regions) == 0 {
		// The regions that have the series, the national figures first,
		// then by code as the index holds them.
		page.DefaultRegions = true
		var have []string
		err := each(func(o *dataset.Observation) {
			if o.Period == "" && series.has(o) && (len(have) == 0 || have[len(have)-1] != o.Region) {
				have = append(have, o.Region)
			}
		})
		if err != nil {
			return 0, err
		}
		if i := slices.Index(have, nationalRegion); i > 0 {
			have = slices.Insert(slices.Delete(have, i, i+1), 0, nationalRegion)
		}
		regions = have[:min(len(have), maxCompareRegions)]
		page.MoreRegions = len(have) - len(regions)
	} else {
		page.AllURL = compareURL(ind, series, nil)
	}
	for _, c := range regions {
		page.Selected[c] = true
	}
	// The annual figures of each region, found by the key of each year;
	// the figures for part of a year are counted, not drawn.
	figs := make([][]*dataset.Observation, len(regions))
	first, last := math.MaxInt, math.MinInt
	page.PartYear = 0
	for i, c := range regions {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		lo, hi := ix.span(ind.Name, c, series.program, false)
		for j := lo; j < hi; j++ {
			o := ix.at(j)
			if !series.has(o) {
				continue
			}
			if o.Period != "" {
				page.PartYear++
				continue
			}
			figs[i] = append(figs[i], o)
			first, last = min(first, o.Year), max(last, o.Year)
		}
		slices.SortFunc(figs[i], func(a, b *dataset.Observation) int { return a.Year - b.Year })
	}
	page.FirstYear, page.LastYear = first, last
	for i, c := range regions {
		ch := compareChart{Code: c, Name: c, Figures: len(figs[i]),
			FiguresURL: figuresURL(figuresFilter{Metric: ind.Name, Region: c, Program: series.program}, 1)}
		if reg := ix.region(c); reg != nil {
			ch.Name = regionName(reg)
		}
		if n := len(figs[i]); n > 0 {
			ch.Span = strconv.Itoa(figs[i][0].Year)
			if y := figs[i][n-1].Year; y != figs[i][0].Year {
				ch.Span += "–" + strconv.Itoa(y)
			}
			for j := 1; j < n; j++ {
				for y := figs[i][j-1].Year + 1; y < figs[i][j].Year; y++ {
					ch.Gaps = append(ch.Gaps, y)
				}
			}
		}
		for _, s := range ix.conflictsAt[indicatorRegion{ind.Name, c}] {
			if o := s.first(); o.Period == "" && series.has(o) {
				ch.Conflicts = append(ch.Conflicts, figureLink{figureURL(o), strconv.Itoa(o.Year)})
			}
		}
		ch.Chart, ch.Lines = smallMultiple(figs[i], ind.Unit, first, last)
		ch.Chart.Title = ch.Name + ": " + page.Series
		page.Charts = append(page.Charts, ch)
	}
	return http.StatusOK, nil
}

// seriesLabel names a series of an indicator for a reader: its programme,
// basis and dimensions, then the indicator.
func (ix *index) seriesLabel(ind *dataset.Indicator, s compareSeries) string {
	var parts []string
	if s.program != "" {
		name := s.program
		if p := ix.program(s.program); p != nil {
			name = p.Name
		}
		parts = append(parts, name)
	}
	if s.basis != "" {
		parts = append(parts, "basis "+s.basis)
	}
	for i, name := range ind.Dimensions {
		parts = append(parts, name+" "+s.dims[i])
	}
	return strings.Join(append(parts, ind.Name), " · ")
}

// smallMultiple draws the annual figures of one region, in year order, on
// years first to last shared by every chart of the page and a value axis
// of its own: a country and its provinces differ a hundredfold. It returns
// the chart and the lines that join the figures of consecutive years.
func smallMultiple(figs []*dataset.Observation, u dataset.Unit, first, last int) (chartView, []string) {
	c := chartView{Width: compareWidth, Height: compareHeight, Left: compareLeft, Right: compareWidth - compareRight,
		Top: compareTop, Bottom: compareHeight - compareBottomPx}
	if len(figs) == 0 {
		return c, nil
	}
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, o := range figs {
		y0, y1 = math.Min(y0, o.Value), math.Max(y1, o.Value)
	}
	y0, y1 = valueRange(y0, y1, u != "")
	x0, x1 := float64(first)-0.5, float64(last)+0.5
	if first == last {
		x0, x1 = float64(first)-1, float64(last)+1
	}
	px := func(x float64) float64 { return round1(c.Left + (x-x0)/(x1-x0)*(c.Right-c.Left)) }
	py := func(y float64) float64 { return round1(c.Bottom - (y-y0)/(y1-y0)*(c.Bottom-c.Top)) }
	var lines []string
	var line []string
	for i, o := range figs {
		p := chartPoint{X: px(float64(o.Year)), Y: py(o.Value), URL: figureURL(o),
			Label: strconv.Itoa(o.Year) + ": " + formatValue(u, o.Value, o.Precision) + " (" + o.Source.ID + ", " + o.Source.DateText() + ")"}
		c.Points = append(c.Points, p)
		if i > 0 && o.Year != figs[i-1].Year+1 {
			if len(line) > 1 {
				lines = append(lines, strings.Join(line, " "))
			}
			line = line[:0]
		}
		line = append(line, strconv.FormatFloat(p.X, 'f', -1, 64)+","+strconv.FormatFloat(p.Y, 'f', -1, 64))
	}
	if len(line) > 1 {
		lines = append(lines, strings.Join(line, " "))
	}
	// About five year labels: the charts are narrow.
	step := max(1, (last-first+1+4)/5)
	for y := first; y <= last; y += step {
		c.XTicks = append(c.XTicks, chartTick{Pos: px(float64(y)), Label: strconv.Itoa(y)})
	}
	for _, t := range valueTicks(u, y0, y1) {
		c.YTicks = append(c.YTicks, chartTick{Pos: py(t.value), Label: t.label})
	}
	return c, lines
}

// plural is the template function of that name, for messages.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
