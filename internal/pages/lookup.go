package pages

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// figureQuery is what a /figure request names: a series by its labels, as
// Prometheus shows them, and a year. Empty fields are not given.
type figureQuery struct {
	Metric, Region, Program, ProgramName string
	Year                                 int // 0: the latest year with an annual figure.
	Period                               string
	// Basis is the basis named; when none is named, a figure without a
	// basis is meant, or else one of any basis.
	Basis      string
	basisGiven bool
	Dims       map[string]string
	raw        url.Values
	// At picks, instead of a year, the annual figure a history panel shows
	// at this instant: the latest whose sample, at 31 December of its
	// year, is at most 366 days older.
	At time.Time
}

// historyWindow is how far back the history dashboard looks for a figure.
const historyWindow = 366 * 24 * time.Hour

// The query parameters of /figure besides the labels of dimensions.
const (
	paramMetric      = "metric"
	paramRegion      = schema.RegionLabel
	paramProgram     = schema.ProgramLabel
	paramProgramName = "program_name"
	paramYear        = schema.YearLabel
	paramPeriod      = schema.PeriodLabel
	paramBasis       = schema.BasisLabel
	paramDimensions  = "dimensions" // k=v,k=v as socsec_observation_info carries them.
	paramAt          = "at"         // Milliseconds since 1970, as Grafana's ${__value.time} gives them.
)

// param returns a query parameter, trimmed; a dashboard variable that
// Grafana left as it was (${__field.labels.basis} of a series without that
// label) counts as not given.
func param(v url.Values, name string) string {
	s := strings.TrimSpace(v.Get(name))
	if strings.HasPrefix(s, "${") || strings.HasPrefix(s, "$__") {
		return ""
	}
	return s
}

// parseFigureQuery reads a /figure request; its error says what is wrong.
func parseFigureQuery(v url.Values) (figureQuery, error) {
	q := figureQuery{
		Metric:      param(v, paramMetric),
		Region:      param(v, paramRegion),
		Program:     param(v, paramProgram),
		ProgramName: param(v, paramProgramName),
		Period:      param(v, paramPeriod),
		Basis:       param(v, paramBasis),
		Dims:        map[string]string{},
		raw:         v,
	}
	if q.Metric == "" {
		q.Metric = param(v, "__name__")
	}
	q.basisGiven = q.Basis != ""
	if y := param(v, paramYear); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil || year < 1 {
			return q, fmt.Errorf("year %q is not a year", y)
		}
		q.Year = year
	}
	if at := param(v, paramAt); at != "" && q.Year == 0 {
		ms, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			return q, fmt.Errorf("at %q is not a time in milliseconds since 1970", at)
		}
		q.At = time.UnixMilli(ms).UTC()
	}
	if d := param(v, paramDimensions); d != "" {
		for _, pair := range strings.Split(d, ",") {
			k, val, ok := strings.Cut(pair, "=")
			if !ok {
				return q, fmt.Errorf("dimensions %q are not written k=v,k=v", d)
			}
			q.Dims[k] = val
		}
	}
	if q.Metric == "" || q.Region == "" {
		return q, fmt.Errorf("a figure is named by at least its metric and region_code")
	}
	return q, nil
}

// resolution is what a query found.
type resolution struct {
	figure   *dataset.Observation // The served figure, when exactly one matches.
	conflict *settlement          // The unresolved conflict, when the query names one.
	// candidates are the figures the query could mean when it names none
	// or several, at most maxCandidates of them, and more the number
	// beyond those; why says which. choose says that the query names
	// each candidate and a person is to pick one.
	candidates []*dataset.Observation
	more       int
	why        string
	choose     bool
}

// offer adds a candidate, or counts it when the list is full.
func (res *resolution) offer(o *dataset.Observation) {
	if len(res.candidates) < maxCandidates {
		res.candidates = append(res.candidates, o)
	} else {
		res.more++
	}
}

// resolve finds the figure a query names. It looks at the figures of one
// indicator and region only, found by binary search, so it costs the same
// at any size. A query that names no basis means a figure without one, or,
// when there is none, a figure of any basis.
func (ix *index) resolve(q figureQuery) resolution {
	if q.basisGiven {
		return ix.resolveBasis(q)
	}
	q.basisGiven = true
	if res := ix.resolveBasis(q); res.figure != nil || res.conflict != nil {
		return res
	}
	q.basisGiven = false
	return ix.resolveBasis(q)
}

func (ix *index) resolveBasis(q figureQuery) resolution {
	ind := ix.indicator(q.Metric)
	if ind == nil {
		return resolution{why: fmt.Sprintf("No figure of the metric %q is served.", q.Metric)}
	}
	region := ix.region(q.Region)
	if region == nil {
		return resolution{why: fmt.Sprintf("No region has the code %q.", q.Region)}
	}
	program, anyProgram := "", true
	if ind.PerProgram {
		switch {
		case q.Program != "":
			program, anyProgram = q.Program, false
		case q.ProgramName != "":
			ps := ix.programsNamed(q.ProgramName)
			if len(ps) == 1 {
				program, anyProgram = ps[0].ID, false
			}
		}
	}
	dims := maps.Clone(q.Dims)
	for _, name := range ind.Dimensions {
		if v := param(q.raw, name); v != "" {
			dims[name] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		if !slices.Contains(ind.Dimensions, k) {
			return resolution{why: fmt.Sprintf("%s has no dimension %q; its dimensions are %v.", ind.Name, k, ind.Dimensions)}
		}
	}
	// anyPeriod matches the figures of any period, when no annual one
	// matches a year.
	anyPeriod := false
	matches := func(o *dataset.Observation, withYear bool) bool {
		if !anyProgram && o.Program != program || o.Period != q.Period && !anyPeriod || q.basisGiven && o.Basis != q.Basis {
			return false
		}
		if withYear && q.Year != 0 && o.Year != q.Year {
			return false
		}
		for i, name := range ind.Dimensions {
			if want, ok := dims[name]; ok && o.Dimensions[i] != want {
				return false
			}
		}
		return true
	}
	lo, hi := ix.span(ind.Name, region.Code, program, anyProgram)
	var served []*dataset.Observation
	if q.Year != 0 && q.basisGiven && (!ind.PerProgram || !anyProgram) && len(dims) == len(ind.Dimensions) {
		// Every label is given, as the pages' own links give them: the
		// figure is found by its key, whatever the span holds.
		probe := dataset.Observation{Indicator: ind, Region: region.Code, Program: program, Year: q.Year, Period: q.Period, Basis: q.Basis}
		for _, name := range ind.Dimensions {
			probe.Dimensions = append(probe.Dimensions, dims[name])
		}
		if o := ix.find(&probe); o != nil {
			served = append(served, o)
		}
	} else {
		for i := lo; i < hi; i++ {
			if o := ix.at(i); matches(o, true) {
				served = append(served, o)
			}
		}
	}
	var conflicts []*settlement
	for _, s := range ix.conflictsAt[indicatorRegion{ind.Name, region.Code}] {
		if matches(s.first(), true) {
			conflicts = append(conflicts, s)
		}
	}
	if q.Year == 0 {
		served, conflicts = latest(served, conflicts, q.At)
	}
	switch {
	case len(served) == 1 && len(conflicts) == 0:
		return resolution{figure: served[0]}
	case len(served) == 0 && len(conflicts) == 1:
		return resolution{conflict: conflicts[0]}
	case len(served)+len(conflicts) > 1:
		res := resolution{why: "Several figures match; choose one.", choose: true}
		for _, o := range served {
			res.offer(o)
		}
		for _, s := range conflicts {
			res.offer(s.first())
		}
		return res
	}
	// No annual figure of the year: the figures for part of it, if any.
	if q.Year != 0 && q.Period == "" {
		res := resolution{why: fmt.Sprintf("No figure with these labels is for the whole of %d; these are for part of it.", q.Year), choose: true}
		anyPeriod = true
		for i := lo; i < hi; i++ {
			if o := ix.at(i); o.Period != "" && matches(o, true) {
				res.offer(o)
			}
		}
		for _, s := range ix.conflictsAt[indicatorRegion{ind.Name, region.Code}] {
			if o := s.first(); o.Period != "" && matches(o, true) {
				res.offer(o)
			}
		}
		if len(res.candidates) > 0 {
			return res
		}
		anyPeriod = false
	}
	// Nothing matches: offer what the indicator and region have.
	res := resolution{why: "No served figure has these labels."}
	if q.Year != 0 {
		res.why = fmt.Sprintf("No served figure has these labels in %d.", q.Year)
	}
	for i := lo; i < hi; i++ {
		if o := ix.at(i); matches(o, false) {
			res.offer(o)
		}
	}
	return res
}

// maxCandidates bounds the figures a page offers when a query names none.
const maxCandidates = 200

// latest keeps the figures of the latest year with an annual figure, or,
// when at is given, of the latest year whose figure a history panel shows
// at that instant.
func latest(served []*dataset.Observation, conflicts []*settlement, at time.Time) ([]*dataset.Observation, []*settlement) {
	ok := func(o *dataset.Observation) bool {
		if o.Period != "" {
			return false
		}
		if at.IsZero() {
			return true
		}
		end := time.Date(o.Year, time.December, 31, 0, 0, 0, 0, time.UTC)
		return !end.After(at) && at.Sub(end) < historyWindow
	}
	year := 0
	for _, o := range served {
		if ok(o) {
			year = max(year, o.Year)
		}
	}
	for _, s := range conflicts {
		if ok(s.first()) {
			year = max(year, s.first().Year)
		}
	}
	keep := func(o *dataset.Observation) bool { return !ok(o) || o.Year != year }
	served = slices.DeleteFunc(served, keep)
	conflicts = slices.DeleteFunc(conflicts, func(s *settlement) bool { return keep(s.first()) })
	return served, conflicts
}

// figurePageURL is the address of a page of a figure's page, which lists a
// page of the figures of its series.
func figurePageURL(o *dataset.Observation, page int) string {
	u := figureURL(o)
	if page > 1 {
		v, _ := url.ParseQuery(strings.TrimPrefix(u, "figure?"))
		v.Set(paramPage, strconv.Itoa(page))
		u = "figure?" + v.Encode()
	}
	return u
}

// figureURL is the address of a figure's page: its labels as query
// parameters, relative so that it works behind a path prefix.
func figureURL(o *dataset.Observation) string {
	v := url.Values{}
	v.Set(paramMetric, o.Indicator.Name)
	v.Set(paramRegion, o.Region)
	if o.Program != "" {
		v.Set(paramProgram, o.Program)
	}
	v.Set(paramYear, strconv.Itoa(o.Year))
	if o.Period != "" {
		v.Set(paramPeriod, o.Period)
	}
	if o.Basis != "" {
		v.Set(paramBasis, o.Basis)
	}
	for i, name := range o.Indicator.Dimensions {
		v.Set(name, o.Dimensions[i])
	}
	return "figure?" + v.Encode()
}
