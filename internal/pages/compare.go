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
	req, problem := ix.resolveCompare(q)
	if problem != nil {
		return problem.show(page), nil
	}
	scope := ix.scopeOf(req)
	// Made here, not by seriesAsked, so that the map of a request stays on
	// the stack.
	found := seriesFound{series: map[string]compareSeries{}}
	bases, err := scope.seriesAsked(ctx, req, &found)
	if err != nil {
		return 0, err
	}
	page.Bases = append(page.Bases, bases...)
	series, problem := ix.oneSeries(req, &found)
	if problem != nil {
		return problem.show(page), nil
	}
	page.Help, page.Series = req.ind.Help, ix.seriesLabel(req.ind, series)
	page.Program, page.Basis = series.program, series.basis
	regions, err := regionsToDraw(ctx, req, scope, series, page)
	if err != nil {
		return 0, err
	}
	for _, c := range regions {
		page.Selected[c] = true
	}
	figs, err := ix.annualFigures(ctx, req.ind, series, regions)
	if err != nil {
		return 0, err
	}
	page.PartYear, page.FirstYear, page.LastYear = figs.partYear, figs.first, figs.last
	page.Charts = ix.compareCharts(req.ind, series, page.Series, regions, figs)
	return http.StatusOK, nil
}

// compareProblem is why a comparison draws no chart: the page's status, the
// sentence that says why, and for several series the links that name each.
type compareProblem struct {
	status  int
	text    string
	choices []option // At most maxCandidates,
	more    int      // and the number beyond.
}

// show puts the problem on the page and returns the page's status.
func (p *compareProblem) show(page *comparePage) int {
	page.Problem, page.Choices, page.MoreChoices = p.text, p.choices, p.more
	return p.status
}

// compareRequest is a /compare request resolved against the snapshot, so
// that what follows looks up nothing the request names by itself.
type compareRequest struct {
	ind *dataset.Indicator
	// program is the programme named, empty for any: an indicator not per
	// programme takes none, whatever the request names.
	program, basis string
	dims           map[string]string // Dimension name to value, those named.
	regions        []string          // Served codes, distinct, in the order named.
}

// resolveCompare resolves q, or says why it cannot: an indicator,
// programme or region the snapshot lacks is not found (404), a dimension
// the indicator lacks is a bad request (400).
func (ix *index) resolveCompare(q compareQuery) (compareRequest, *compareProblem) {
	ind := ix.indicator(q.metric)
	if ind == nil {
		return compareRequest{}, &compareProblem{status: http.StatusNotFound,
			text: fmt.Sprintf("No figure of the metric %q is served.", shorten(q.metric))}
	}
	req := compareRequest{ind: ind, basis: q.basis, dims: dimensionsAsked(ind, q)}
	if ind.PerProgram && q.program != "" {
		if ix.program(q.program) == nil {
			return req, &compareProblem{status: http.StatusNotFound, text: fmt.Sprintf("No programme %q is served.", shorten(q.program))}
		}
		req.program = q.program
	}
	// The first by name, so that a request gets one answer whatever the
	// map's order.
	for _, k := range slices.Sorted(maps.Keys(req.dims)) {
		if !slices.Contains(ind.Dimensions, k) {
			return req, &compareProblem{status: http.StatusBadRequest,
				text: fmt.Sprintf("%s has no dimension %q; its dimensions are %v.", ind.Name, shorten(k), ind.Dimensions)}
		}
	}
	var problem *compareProblem
	req.regions, problem = ix.regionsNamed(q.regions)
	return req, problem
}

// regionsNamed returns the served codes of the regions named, in the
// order named, a region named by its code and by an alias once; or says
// which the snapshot lacks (404).
func (ix *index) regionsNamed(codes []string) ([]string, *compareProblem) {
	var regions []string
	for _, c := range codes {
		reg := ix.region(c)
		if reg == nil {
			return nil, &compareProblem{status: http.StatusNotFound, text: fmt.Sprintf("No region has the code %q.", shorten(c))}
		}
		if !slices.Contains(regions, reg.Code) {
			regions = append(regions, reg.Code)
		}
	}
	return regions, nil
}

// dimensionsAsked returns the dimensions q names: those of dimensions=k=v,
// and the indicator's named one parameter each, as /figure takes them,
// which win over the former.
func dimensionsAsked(ind *dataset.Indicator, q compareQuery) map[string]string {
	dims := maps.Clone(q.dims)
	for _, name := range ind.Dimensions {
		if v := param(q.raw, name); v != "" {
			dims[name] = v
		}
	}
	return dims
}

// matches reports whether o is a figure of the series the request names, as
// far as it names one, the basis aside: the form lists every basis there is.
func (r compareRequest) matches(o *dataset.Observation) bool {
	if r.program != "" && o.Program != r.program {
		return false
	}
	for i, name := range r.ind.Dimensions {
		if want, ok := r.dims[name]; ok && o.Dimensions[i] != want {
			return false
		}
	}
	return true
}

// what names what the request asks for, for a sentence: the indicator, and
// the programme, basis and dimensions as far as it names them.
func (r compareRequest) what() string {
	what := r.ind.Name
	if r.program != "" {
		what += " of the programme " + r.program
	}
	if r.basis != "" {
		what += " on the basis " + strconv.Quote(shorten(r.basis))
	}
	for _, k := range slices.Sorted(maps.Keys(r.dims)) {
		what += " with " + k + " " + strconv.Quote(shorten(r.dims[k]))
	}
	return what
}

// where names the regions the request looks in, for a sentence.
func (r compareRequest) where() string {
	if len(r.regions) > 0 {
		return "the regions named"
	}
	return "any region"
}

// compareScope is where a comparison looks for the series asked for: the
// figures of each region named, found by binary search, or, with none
// named, every figure of the indicator.
type compareScope struct {
	ix    *index
	spans [][2]int // Positions [lo, hi) in the index.
}

// scopeOf returns the scope of req: each region named, in the programme
// named or, naming none, in any; or, with no region named, the indicator.
func (ix *index) scopeOf(req compareRequest) compareScope {
	s := compareScope{ix: ix}
	for _, c := range req.regions {
		lo, hi := ix.span(req.ind.Name, c, req.program, req.program == "")
		s.spans = append(s.spans, [2]int{lo, hi})
	}
	if len(req.regions) == 0 {
		lo, hi := ix.indicatorSpan(req.ind.Name)
		s.spans = append(s.spans, [2]int{lo, hi})
	}
	return s
}

// each calls fn with every figure of the scope, in index order. It stops
// with the context's error once the context is done, looking every 4096
// figures: an indicator may have a million.
func (s compareScope) each(ctx context.Context, fn func(o *dataset.Observation)) error {
	n := 0
	for _, sp := range s.spans {
		for i := sp[0]; i < sp[1]; i++ {
			if n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			n++
			fn(s.ix.at(i))
		}
	}
	return nil
}

// seriesFound is what the scope holds of a request: the series of annual
// figures it could mean, by key, and the count of its figures for part of
// a year, which no chart draws.
type seriesFound struct {
	series   map[string]compareSeries
	partYear int
}

// seriesAsked fills found with the series the request could mean, those
// without a basis when it names none and there are such, and returns the
// bases of its figures, whichever is named, for the form.
func (s compareScope) seriesAsked(ctx context.Context, req compareRequest, found *seriesFound) ([]option, error) {
	bases := map[string]bool{}
	err := s.each(ctx, func(o *dataset.Observation) {
		if !req.matches(o) {
			return
		}
		if o.Basis != "" {
			bases[o.Basis] = true
		}
		if req.basis != "" && o.Basis != req.basis {
			return
		}
		if o.Period != "" {
			found.partYear++
			return
		}
		found.series[seriesOfFigure(o).key()] = seriesOfFigure(o)
	})
	if err != nil {
		return nil, err
	}
	if req.basis == "" {
		found.withoutBasisWhenAny()
	}
	var options []option
	for _, b := range slices.Sorted(maps.Keys(bases)) {
		options = append(options, option{b, b})
	}
	return options, nil
}

// withoutBasisWhenAny keeps the series without a basis when there is one:
// what a request that names no basis means, as /figure takes it.
func (f *seriesFound) withoutBasisWhenAny() {
	if slices.ContainsFunc(slices.Collect(maps.Values(f.series)), func(s compareSeries) bool { return s.basis == "" }) {
		maps.DeleteFunc(f.series, func(_ string, s compareSeries) bool { return s.basis != "" })
	}
}

// oneSeries returns the one series found, or says why there is not one:
// none in the regions looked in (404), or several to choose from (300).
func (ix *index) oneSeries(req compareRequest, found *seriesFound) (compareSeries, *compareProblem) {
	switch len(found.series) {
	case 0:
		return compareSeries{}, noSeries(req, found.partYear)
	case 1:
		for _, s := range found.series {
			return s, nil
		}
	}
	return compareSeries{}, ix.seriesChoices(req, found.series)
}

// noSeries says that no region looked in has an annual figure of what the
// request names, and how many of its figures are for part of a year, the
// reason some requests find none.
func noSeries(req compareRequest, partYear int) *compareProblem {
	text := fmt.Sprintf("No served annual figure of %s is in %s.", req.what(), req.where())
	if partYear > 0 {
		text += fmt.Sprintf(" %s %s for part of a year, which this page does not draw.", grouped(float64(partYear)), plural(partYear, "figure is", "figures are"))
	}
	return &compareProblem{status: http.StatusNotFound, text: text}
}

// seriesChoices lists the series a request could mean, in key order, each
// a link to its comparison in the regions named: at most maxCandidates,
// the rest counted.
func (ix *index) seriesChoices(req compareRequest, series map[string]compareSeries) *compareProblem {
	p := &compareProblem{status: http.StatusMultipleChoices,
		text: fmt.Sprintf("%s series of %s are in %s; choose one.", grouped(float64(len(series))), req.what(), req.where())}
	keys := slices.Sorted(maps.Keys(series))
	for _, k := range keys[:min(len(keys), maxCandidates)] {
		p.choices = append(p.choices, option{compareURL(req.ind, series[k], req.regions), ix.seriesLabel(req.ind, series[k])})
	}
	p.more = len(keys) - len(p.choices)
	return p
}

// regionsToDraw returns the regions the page draws a chart of: those
// named, the page linking every region that has the series, or else the
// regions that have it, at most maxCompareRegions, the page counting the
// rest.
func regionsToDraw(ctx context.Context, req compareRequest, scope compareScope, series compareSeries, page *comparePage) ([]string, error) {
	if len(req.regions) > 0 {
		page.AllURL = compareURL(req.ind, series, nil)
		return req.regions, nil
	}
	page.DefaultRegions = true
	have, err := scope.regionsWith(ctx, series)
	if err != nil {
		return nil, err
	}
	regions := have[:min(len(have), maxCompareRegions)]
	page.MoreRegions = len(have) - len(regions)
	return regions, nil
}

// regionsWith returns the regions of the scope with an annual figure of the
// series: the national figures first, beside which the others are read,
// then by code as the index holds them.
func (s compareScope) regionsWith(ctx context.Context, series compareSeries) ([]string, error) {
	var have []string
	err := s.each(ctx, func(o *dataset.Observation) {
		if o.Period == "" && series.has(o) && (len(have) == 0 || have[len(have)-1] != o.Region) {
			have = append(have, o.Region)
		}
	})
	if err != nil {
		return nil, err
	}
	if i := slices.Index(have, nationalRegion); i > 0 {
		have = slices.Insert(slices.Delete(have, i, i+1), 0, nationalRegion)
	}
	return have, nil
}

// regionFigures are the served annual figures of a series in the regions a
// page draws, each region's in year order; the years they span, which
// every chart shares; and the count of the series' figures for part of a
// year, which no chart draws.
type regionFigures struct {
	byRegion    [][]*dataset.Observation
	first, last int
	partYear    int
}

// annualFigures collects the figures of the series in each region, looking
// at the context between regions.
func (ix *index) annualFigures(ctx context.Context, ind *dataset.Indicator, series compareSeries, regions []string) (regionFigures, error) {
	f := regionFigures{byRegion: make([][]*dataset.Observation, len(regions)), first: math.MaxInt, last: math.MinInt}
	for i, c := range regions {
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		figs, partYear := ix.annualFiguresIn(ind, series, c)
		f.byRegion[i], f.partYear = figs, f.partYear+partYear
		if n := len(figs); n > 0 {
			f.first, f.last = min(f.first, figs[0].Year), max(f.last, figs[n-1].Year)
		}
	}
	return f, nil
}

// annualFiguresIn returns the served annual figures of the series in one
// region, in year order, found by binary search, and counts those for part
// of a year.
func (ix *index) annualFiguresIn(ind *dataset.Indicator, series compareSeries, region string) ([]*dataset.Observation, int) {
	var figs []*dataset.Observation
	partYear := 0
	lo, hi := ix.span(ind.Name, region, series.program, false)
	for j := lo; j < hi; j++ {
		o := ix.at(j)
		if !series.has(o) {
			continue
		}
		if o.Period != "" {
			partYear++
			continue
		}
		figs = append(figs, o)
	}
	slices.SortFunc(figs, func(a, b *dataset.Observation) int { return a.Year - b.Year })
	return figs, partYear
}

// compareCharts draws a chart of each region, in the order given, titled
// with the region's name and the series' label, on the years every chart
// spans.
func (ix *index) compareCharts(ind *dataset.Indicator, series compareSeries, label string, regions []string, figs regionFigures) []compareChart {
	var charts []compareChart
	for i, c := range regions {
		ch := compareChart{Code: c, Name: c, Figures: len(figs.byRegion[i]), Span: yearSpan(figs.byRegion[i]), Gaps: yearGaps(figs.byRegion[i]),
			FiguresURL: figuresURL(figuresFilter{Metric: ind.Name, Region: c, Program: series.program}, 1),
			Conflicts:  ix.conflictYears(ind, series, c)}
		if reg := ix.region(c); reg != nil {
			ch.Name = regionName(reg)
		}
		ch.Chart, ch.Lines = smallMultiple(figs.byRegion[i], ind.Unit, figs.first, figs.last)
		ch.Chart.Title = ch.Name + ": " + label
		charts = append(charts, ch)
	}
	return charts
}

// yearSpan names the first and last year of figures in year order,
// "2005–2023", or the one year, or none.
func yearSpan(figs []*dataset.Observation) string {
	if len(figs) == 0 {
		return ""
	}
	first, last := figs[0].Year, figs[len(figs)-1].Year
	if first == last {
		return strconv.Itoa(first)
	}
	return strconv.Itoa(first) + "–" + strconv.Itoa(last)
}

// yearGaps returns the years between the first and last of figures in year
// order that have no figure: a chart names them under it, since its line
// breaks there.
func yearGaps(figs []*dataset.Observation) []int {
	var gaps []int
	for j := 1; j < len(figs); j++ {
		for y := figs[j-1].Year + 1; y < figs[j].Year; y++ {
			gaps = append(gaps, y)
		}
	}
	return gaps
}

// conflictYears links the annual figures of the series in a region that
// are not served for an unresolved conflict: the chart does not draw them,
// so it names their years.
func (ix *index) conflictYears(ind *dataset.Indicator, series compareSeries, region string) []figureLink {
	var links []figureLink
	for _, s := range ix.conflictsAt[indicatorRegion{ind.Name, region}] {
		if o := s.first(); o.Period == "" && series.has(o) {
			links = append(links, figureLink{figureURL(o), strconv.Itoa(o.Year)})
		}
	}
	return links
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
