// Package check derives figures from a snapshot's observations (year-on-year
// change, compound annual growth) and checks that the published figures
// agree with each other: reported growth rates and changes with their base
// figures, participants with population, coverage ratios with participants
// and population, qualified figures with the other figures of their series,
// and declared totals with the sum of their parts.
//
// A published figure stands for every value its digits round to (25840000
// for 25835000..25845000), an at_least figure has no upper end and an
// at_most figure no lower end; two figures agree when what they allow
// overlaps.
package check

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/socsec-exporter/socsec_exporter/dataset"
	"github.com/socsec-exporter/socsec_exporter/schema"
)

// The checks, by the name they are reported under.
const (
	// Reported compares a growth rate or a change a source stated with what its base figures give.
	Reported = "reported"
	// ParticipantsPopulation checks that a programme has no more participants than the region has people.
	ParticipantsPopulation = "participants_population"
	// Coverage checks that a coverage ratio equals participants / population for some population group.
	Coverage = "coverage"
	// FullCoverage checks that a ratio of 1 ("full coverage") is not contradicted by participants below every population group.
	FullCoverage = "full_coverage"
	// Bounds checks that at_least and at_most figures are not contradicted by other figures of the same series.
	Bounds = "bounds"
	// Total checks that a series declared to be the sum of others is, within what the figures allow.
	Total = "total"
)

// Metric names the checks read.
const (
	insuredMetric    = schema.Insured
	populationMetric = schema.Population
	coverageMetric   = schema.Coverage
)

// Result is the outcome of one check of one set of figures.
type Result struct {
	Check   string
	OK      bool
	Subject string // The figure or claim checked, e.g. socsec_coverage_ratio 140000 basic_pension 2020.
	// Message gives both sides of the comparison with their values, sources and positions.
	Message string
	Pos     dataset.Position // Where the checked figure or claim is written.
	// Datasets are the IDs of the datasets whose figures took part, sorted;
	// a failure counts against each of them.
	Datasets []string
}

// Run runs every check that the snapshot's figures allow and returns the
// results: reported figures first, then served series in snapshot order,
// then qualified figures by series, then declared totals by declaration and
// year.
func Run(snap *dataset.Snapshot) []Result {
	var results []Result
	checker{emit: func(r Result) { results = append(results, r) }}.run(snap)
	return results
}

// Failures counts the failed results by dataset ID.
func Failures(results []Result) map[string]int {
	n := map[string]int{}
	for _, r := range results {
		count(n, r)
	}
	return n
}

// CountFailures runs every check and counts the failures by dataset ID, as
// Failures(Run(snap)) does, without describing the figures that pass: a
// load only needs the counts, and describing every checked figure is most
// of the cost of Run on large datasets.
func CountFailures(snap *dataset.Snapshot) map[string]int {
	n := map[string]int{}
	checker{brief: true, emit: func(r Result) { count(n, r) }}.run(snap)
	return n
}

func count(n map[string]int, r Result) {
	if !r.OK {
		for _, id := range r.Datasets {
			n[id]++
		}
	}
}

// checker runs the checks and hands the results to emit, in Run's order.
// When brief, only failures are handed on, and passing figures are not
// described: a load counts only failures.
type checker struct {
	brief bool
	emit  func(Result)
}

// report hands r to emit unless it is a passing result of a brief checker.
func (c checker) report(r Result) {
	if !c.brief || !r.OK {
		c.emit(r)
	}
}

func (c checker) run(snap *dataset.Snapshot) {
	// A figure of part of a year is never taken as the year's.
	annual := slices.DeleteFunc(slices.Clone(snap.Series), func(o *dataset.Observation) bool { return o.Period != "" })
	var served map[string]*dataset.Observation
	for _, ds := range snap.Datasets {
		for _, r := range ds.Reported {
			if served == nil {
				// Only reported figures look series up by key; most
				// datasets have none, so the index is built on demand.
				served = make(map[string]*dataset.Observation, len(annual))
				for _, o := range annual {
					served[o.Key()] = o
				}
			}
			c.report(checkReported(r, served))
		}
	}
	c.checkPopulation(annual)
	c.checkBounds(snap.Datasets)
	c.checkTotals(snap.Datasets, snap.Series)
}

func checkReported(r *dataset.Reported, served map[string]*dataset.Observation) Result {
	years := r.ToYear - r.FromYear
	res := Result{
		Check:    Reported,
		Subject:  fmt.Sprintf("%s of %s %d-%d", r.Kind, describeSeries(r.Indicator, r.Region, r.Program, r.Dims), r.FromYear, r.ToYear),
		Pos:      r.Pos,
		Datasets: []string{r.Dataset.ID},
	}
	if r.Kind == "yoy" && years != 1 {
		res.Message = fmt.Sprintf("a year-on-year change needs consecutive years, not %d apart", years)
		return res
	}
	base := func(year int) *dataset.Observation {
		return served[(&dataset.Observation{Indicator: r.Indicator, Region: r.Region, Program: r.Program, Year: year, Dimensions: r.Dims}).Key()]
	}
	from, to := base(r.FromYear), base(r.ToYear)
	for _, o := range []*dataset.Observation{from, to} {
		if o == nil {
			year := r.ToYear
			if from == nil {
				year = r.FromYear
			}
			res.Message = fmt.Sprintf("no figure for %d to check the reported %s against", year, stated(r))
			return res
		}
	}
	res.Datasets = datasetIDs(r.Dataset, from.Dataset, to.Dataset)
	if r.Kind == "change" {
		return checkChange(r, from, to, res)
	}
	computed := growth(from.Value, to.Value, years)
	res.OK = interval{r.Value - r.Precision, r.Value + r.Precision}.overlaps(growthSpan(span(from), span(to), years))
	verdict := "agrees with"
	if !res.OK {
		verdict = "disagrees with"
	}
	res.Message = fmt.Sprintf("reported %s a year (±%s points; %s) %s %s a year computed over %d year(s) from %s to %s",
		stated(r), strings.TrimSuffix(percent(r.Precision, r.Precision/10), " %"), sourceText(r.Source),
		verdict, percent(computed, r.Precision/10), years, figure(from), figure(to))
	if years > 1 {
		// A period such as "2016-20" is easily counted as one year shorter than the figures span.
		res.Message += fmt.Sprintf("; over %d year(s) they would give %s a year", years-1, percent(growth(from.Value, to.Value, years-1), r.Precision/10))
	}
	return res
}

// seriesKey identifies the figures of one region, programme and year that
// the population checks compare.
type seriesKey struct {
	region, program string
	year            int
}

// spanned is a figure with the values it allows (span), worked out once:
// the population checks compare most figures more than once.
type spanned struct {
	*dataset.Observation
	interval
}

// checkPopulation compares participants with the population and coverage
// ratios with participants over population, for every region, programme and
// year that publishes the figures involved. What the figures allow and the
// checks are worked out on every CPU, the results reported in order.
func (c checker) checkPopulation(series []*dataset.Observation) {
	spans := inChunks(len(series), func(lo, hi int) []spanned {
		var figures []spanned
		for _, o := range series[lo:hi] {
			switch o.Indicator.Name {
			case populationMetric, insuredMetric, coverageMetric:
				figures = append(figures, spanned{o, span(o)})
			}
		}
		return figures
	})
	n, participants := 0, 0
	for _, figures := range spans {
		n += len(figures)
		for _, s := range figures {
			if s.Indicator.Name == insuredMetric {
				participants++
			}
		}
	}
	population := map[seriesKey][]spanned{}
	insured := make(map[seriesKey]spanned, participants)
	checked := make([]spanned, 0, n) // Participants and coverage ratios, in order.
	for _, figures := range spans {
		for _, s := range figures {
			switch s.Indicator.Name {
			case populationMetric:
				k := seriesKey{s.Region, "", s.Year}
				population[k] = append(population[k], s)
			case insuredMetric:
				insured[seriesKey{s.Region, s.Program, s.Year}] = s
				checked = append(checked, s)
			default:
				checked = append(checked, s)
			}
		}
	}
	results := inChunks(len(checked), func(lo, hi int) []Result {
		var results []Result
		chunk := checker{brief: c.brief, emit: func(r Result) { results = append(results, r) }}
		for _, o := range checked[lo:hi] {
			groups := population[seriesKey{o.Region, "", o.Year}]
			if len(groups) == 0 {
				continue
			}
			if o.Indicator.Name == insuredMetric {
				chunk.report(c.checkParticipants(o, groups))
			} else if p, ok := insured[seriesKey{o.Region, o.Program, o.Year}]; ok {
				chunk.report(c.checkCoverage(o, p, groups))
			}
		}
		return results
	})
	for _, rs := range results {
		for _, r := range rs {
			c.emit(r)
		}
	}
}

// inChunks calls f on consecutive chunks of n items, several for each CPU,
// at once, and returns what it gives for each chunk, in order.
func inChunks[T any](n int, f func(lo, hi int) T) []T {
	chunks := max(1, min(4*runtime.GOMAXPROCS(0), n/1024))
	out := make([]T, chunks)
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() { out[i] = f(i*n/chunks, (i+1)*n/chunks) })
	}
	wg.Wait()
	return out
}

// checkParticipants fails when the participants exceed every population
// group of the region: no group can then be the one the programme covers.
func (c checker) checkParticipants(p spanned, groups []spanned) Result {
	largest := slices.MaxFunc(groups, func(a, b spanned) int { return cmp.Compare(a.hi, b.hi) })
	res := Result{Check: ParticipantsPopulation, OK: p.lo <= largest.hi}
	if c.brief && res.OK {
		return res
	}
	res.Subject, res.Pos, res.Datasets = describe(p.Observation), p.Pos, datasetIDs(p.Dataset, largest.Dataset)
	verdict := "within"
	if !res.OK {
		verdict = "above"
	}
	res.Message = fmt.Sprintf("participants %s are %s the largest population group, %s %s", figure(p.Observation), verdict, largest.DimensionString(), figure(largest.Observation))
	return res
}

// checkCoverage passes when participants over some population group gives
// the ratio. A ratio of exactly 1 states full coverage and is checked as
// exactly 1, not as anything that rounds to 1.
func (c checker) checkCoverage(ratio, p spanned, groups []spanned) Result {
	res := Result{Check: Coverage}
	want := ratio.interval
	if ratio.Value == 1 {
		res.Check, want = FullCoverage, interval{1, 1}
	}
	for _, g := range groups {
		res.OK = res.OK || want.overlaps(ratioSpan(p.interval, g.interval))
	}
	if c.brief && res.OK {
		return res
	}
	res.Subject, res.Pos = describe(ratio.Observation), ratio.Pos
	var derived []string
	ids := []*dataset.Dataset{ratio.Dataset, p.Dataset}
	for _, g := range groups {
		derived = append(derived, fmt.Sprintf("%s / %s (%s) = %s", num(p.Value), num(g.Value), g.DimensionString(), num(round(p.Value/g.Value, 4))))
		ids = append(ids, g.Dataset)
	}
	res.Datasets = datasetIDs(ids...)
	verdict := "matches"
	if !res.OK {
		verdict = "matches none of"
	}
	res.Message = fmt.Sprintf("ratio %s %s participants / population: %s; participants %s",
		figure(ratio.Observation), verdict, strings.Join(derived, ", "), figure(p.Observation))
	return res
}

// boundKey is a series up to its dimensions: a cheap first filter for the
// figures that share a series with a bound, found without building keys.
type boundKey struct {
	indicator, region, program string
	year                       int
}

// checkBounds compares every at_least or at_most figure with each other
// figure of the same series, whichever source was published later: a
// revision replaces an estimate, but a bound is a claim about the true value
// that the other figure must not rule out.
func (c checker) checkBounds(datasets []*dataset.Dataset) {
	// Bounds are rare: only series that may hold one are grouped by key.
	bounded := map[boundKey]bool{}
	for _, ds := range datasets {
		for _, o := range ds.Observations {
			if bound(o) {
				bounded[boundKey{o.Indicator.Name, o.Region, o.Program, o.Year}] = true
			}
		}
	}
	if len(bounded) == 0 {
		return
	}
	byKey := map[string][]*dataset.Observation{}
	var keys []string
	for _, ds := range datasets {
		for _, o := range ds.Observations {
			if !bounded[boundKey{o.Indicator.Name, o.Region, o.Program, o.Year}] {
				continue
			}
			k := o.Key()
			if byKey[k] == nil {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], o)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		all := byKey[k]
		for i, a := range all {
			for _, b := range all[i+1:] {
				if !bound(a) && !bound(b) {
					continue
				}
				if !bound(a) {
					a, b = b, a
				}
				res := Result{Check: Bounds, OK: span(a).overlaps(span(b))}
				if c.brief && res.OK {
					continue
				}
				res.Subject, res.Pos, res.Datasets = describe(a), a.Pos, datasetIDs(a.Dataset, b.Dataset)
				verdict := "allows"
				if !res.OK {
					verdict = "is contradicted by"
				}
				res.Message = fmt.Sprintf("%s %s %s", figure(a), verdict, figure(b))
				c.report(res)
			}
		}
	}
}

func bound(o *dataset.Observation) bool {
	return o.Qualifier == dataset.AtLeast || o.Qualifier == dataset.AtMost
}

// figure describes a figure with everything needed to find it again.
func figure(o *dataset.Observation) string {
	q := ""
	if o.Qualifier != dataset.Exact {
		q = string(o.Qualifier) + " "
	}
	return fmt.Sprintf("%s%s in %d (%s, %s)", q, withPrinted(num(o.Value), o.Printed()), o.Year, sourceText(o.Source), o.Pos)
}

// withPrinted adds to a formatted value how the source printed it, when
// that says more than the digits: "2.48万亿", not "3,512".
func withPrinted(v, printed string) string {
	if printed == "" || strings.ReplaceAll(printed, ",", "") == strings.TrimPrefix(v, "+") {
		return v
	}
	return v + " (" + strconv.Quote(printed) + ")"
}

// sourceText names a source and its date as config messages do: released
// or published, or undated; a date is never made up for a source without.
func sourceText(s *dataset.Source) string {
	return s.ID + ", " + s.DateText()
}

// describe names an observation's series and year as config messages do.
func describe(o *dataset.Observation) string {
	return describeSeries(o.Indicator, o.Region, o.Program, o.Dimensions) + " " + strconv.Itoa(o.Year)
}

func describeSeries(ind *dataset.Indicator, region, program string, dims []string) string {
	parts := []string{ind.Name, region}
	if program != "" {
		parts = append(parts, program)
	}
	for i, v := range dims {
		parts = append(parts, ind.Dimensions[i]+"="+v)
	}
	return strings.Join(parts, " ")
}

// datasetIDs returns the distinct IDs of the datasets, sorted.
func datasetIDs(datasets ...*dataset.Dataset) []string {
	ids := make([]string, 0, len(datasets))
	for _, ds := range datasets {
		ids = append(ids, ds.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// percent formats a ratio as a percentage with as many decimals as precision
// (half a unit of the last digit, as a ratio) calls for.
func percent(v, precision float64) string {
	decimals := max(0, int(math.Ceil(-math.Log10(precision*200))))
	return strconv.FormatFloat(v*100, 'f', decimals, 64) + " %"
}

func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// num formats a figure as people write it: 25840000, not 2.584e+07.
func num(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
