// Package check derives figures from a snapshot's observations (year-on-year
// change, compound annual growth) and checks that the published figures
// agree with each other: reported growth rates and changes with their base
// figures (or a rate with its change, when a base figure is missing),
// participants with population, coverage ratios with participants and
// population, qualified figures with the other figures of their series,
// and declared totals with the sum of their parts.
//
// A published figure stands for every value its digits round to (25840000
// for 25835000..25845000), an at_least figure has no upper end and an
// at_most figure no lower end; two figures agree when what they allow
// overlaps. Figures of different bases are never compared, and a check
// that lacks a figure it needs is Unchecked, not Failed.
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

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// The checks, by the name they are reported under.
const (
	// Reported compares a growth rate or a change a source stated with what its base figures give.
	Reported = "reported"
	// ReportedPair compares a stated growth rate that lacks a base figure
	// with the change the sources stated for the same series and years:
	// the change stands in for the missing base figure.
	ReportedPair = "reported_pair"
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

// Names lists the checks by the name they are reported under.
var Names = []string{Reported, ReportedPair, ParticipantsPopulation, Coverage, FullCoverage, Bounds, Total}

// Metric names the checks read.
const (
	insuredMetric    = schema.Insured
	populationMetric = schema.Population
	coverageMetric   = schema.Coverage
)

// Status is the outcome of a check.
type Status string

// The outcomes of a check. A check that lacks a figure it needs is
// Unchecked, never Failed: a missing figure contradicts nothing. A failed
// check that a dataset acknowledges is Acknowledged, not Failed.
const (
	OK           Status = "ok"
	Failed       Status = "failed"
	Unchecked    Status = "unchecked"
	Acknowledged Status = "acknowledged"
)

// Result is the outcome of one check of one set of figures. Its fields
// say what was checked; Subject and Message are the same told in words,
// for people, and nothing needs to parse them.
type Result struct {
	Check   string
	Status  Status
	Subject string // The figure or claim checked, e.g. socsec_coverage_ratio 140000 basic_pension 2020.
	// Message gives both sides of the comparison, each figure with its
	// series, value as printed, source and position.
	Message string
	Pos     dataset.Position // Where the checked figure or claim is written.
	// Datasets are the IDs of the datasets whose figures or claims took
	// part, sorted; a failure or an unchecked claim counts against each.
	Datasets []string
	// Figures are the figures the check read, the checked one first when
	// the check is of a figure: the base figures of a reported figure that
	// exist; participants and the largest population group; a ratio, its
	// participants and every population group; a bound and the other
	// figure; a total and the parts that exist.
	Figures []*dataset.Observation
	// Reported holds the stated figure a reported check is of; for
	// ReportedPair the rate, then the change it is checked against.
	Reported []*dataset.Reported
	// Total is the declaration a total check is of.
	Total *dataset.Total
	// Acknowledgement is what an Acknowledged result's dataset says of it.
	Acknowledgement *dataset.Acknowledgement
}

// Run runs every check that the snapshot's figures allow and returns the
// results: reported figures first, then served series in snapshot order,
// then qualified figures by series, then declared totals by declaration and
// year. A failure that a dataset acknowledges is Acknowledged.
func Run(snap *dataset.Snapshot) []Result {
	var results []Result
	acks := acknowledgements(snap.Datasets)
	checker{emit: func(r Result) { results = append(results, acks.apply(r)) }}.run(snap)
	return results
}

// RunTerse runs every check as Run does and hands each result to each, in
// Run's order, except that a passing check of a figure is not described:
// it carries its Check, Status and Pos, the checked figure alone in
// Figures, and Total for a total, but no Subject, Message or Datasets.
// Describing every passing figure is most of the cost of Run on large
// datasets; a caller that shows a few of them checks those again with Run
// on the figures they read. Passing checks of reported figures, which are
// few, are described as Run describes them.
func RunTerse(snap *dataset.Snapshot, each func(Result)) {
	acks := acknowledgements(snap.Datasets)
	checker{passes: markPasses, emit: func(r Result) { each(acks.apply(r)) }}.run(snap)
}

// Tally counts failed, acknowledged and unchecked results by dataset ID.
type Tally struct {
	Failed, Acknowledged, Unchecked map[string]int
}

func newTally() Tally {
	return Tally{Failed: map[string]int{}, Acknowledged: map[string]int{}, Unchecked: map[string]int{}}
}

// Count counts the results that failed, those that failed and are
// acknowledged, and those that could not be made, by dataset ID.
func Count(results []Result) Tally {
	n := newTally()
	for _, r := range results {
		n.add(r)
	}
	return n
}

// CountRun runs every check and counts the results by dataset ID, as
// Count(Run(snap)) does, without describing the figures that pass: a load
// only needs the counts, and describing every checked figure is most of
// the cost of Run on large datasets.
func CountRun(snap *dataset.Snapshot) Tally {
	n := newTally()
	acks := acknowledgements(snap.Datasets)
	checker{passes: dropPasses, emit: func(r Result) { n.add(acks.apply(r)) }}.run(snap)
	return n
}

func (n Tally) add(r Result) {
	var into map[string]int
	switch r.Status {
	case Failed:
		into = n.Failed
	case Acknowledged:
		into = n.Acknowledged
	case Unchecked:
		into = n.Unchecked
	default:
		return
	}
	for _, id := range r.Datasets {
		into[id]++
	}
}

// checker runs the checks and hands the results to emit, in Run's order,
// passing ones as passes says.
type checker struct {
	passes passMode
	emit   func(Result)
}

// passMode is what a checker does with a passing check.
type passMode int

const (
	// describePasses describes a passing check as fully as a failed one (Run).
	describePasses passMode = iota
	// markPasses hands on a passing check of a figure as the figure it
	// checks, undescribed (RunTerse).
	markPasses
	// dropPasses hands on no passing check and describes none: a load
	// only counts the others (CountRun).
	dropPasses
)

// report hands r to emit unless it is a pass that the checker drops.
func (c checker) report(r Result) {
	if c.passes != dropPasses || r.Status != OK {
		c.emit(r)
	}
}

// terse reports whether a check that passes when ok is left undescribed,
// and if so makes res the pass of figure o as the checker hands it on.
func (c checker) terse(ok bool, res *Result, o *dataset.Observation) bool {
	if !ok || c.passes == describePasses {
		return false
	}
	if c.passes == markPasses {
		res.Pos, res.Figures = o.Pos, []*dataset.Observation{o}
	}
	return true
}

func (c checker) run(snap *dataset.Snapshot) {
	// A figure of part of a year is never taken as the year's.
	annual := slices.DeleteFunc(slices.Clone(snap.Series), func(o *dataset.Observation) bool { return o.Period != "" })
	c.checkAllReported(snap.Datasets, annual)
	c.checkPopulation(annual)
	c.checkBounds(snap.Datasets)
	c.checkTotals(snap.Datasets, snap.Series)
}

// seriesKey identifies the figures of one region, programme, year and
// basis that the population checks compare.
type seriesKey struct {
	region, program string
	year            int
	basis           string
}

// spanned is a figure with the values it allows (span), worked out once:
// the population checks compare most figures more than once.
type spanned struct {
	*dataset.Observation
	interval
}

// checkPopulation compares participants with the population and coverage
// ratios with participants over population, for every region, programme,
// year and basis that publishes the figures involved. A coverage ratio is
// compared only with participants of its own basis; a population figure
// serves participants and ratios of its own basis, and one that states no
// basis serves those of every basis, since a head count of the region is
// not counted in more than one way as participants are. Where a figure is
// missing there is nothing to compare and no result: these checks compare
// what happens to be published, unlike reported figures and declared
// totals, which a dataset states in order to have them checked. What the
// figures allow and the checks are worked out on every CPU, the results
// reported in order.
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
				k := seriesKey{s.Region, "", s.Year, s.Basis}
				population[k] = append(population[k], s)
			case insuredMetric:
				insured[seriesKey{s.Region, s.Program, s.Year, s.Basis}] = s
				checked = append(checked, s)
			default:
				checked = append(checked, s)
			}
		}
	}
	groupsOf := func(o *dataset.Observation) []spanned {
		groups := population[seriesKey{o.Region, "", o.Year, o.Basis}]
		if o.Basis != "" {
			if anyBasis := population[seriesKey{o.Region, "", o.Year, ""}]; len(anyBasis) > 0 {
				groups = append(slices.Clip(groups), anyBasis...)
			}
		}
		return groups
	}
	results := inChunks(len(checked), func(lo, hi int) []Result {
		var results []Result
		chunk := checker{passes: c.passes, emit: func(r Result) { results = append(results, r) }}
		for _, o := range checked[lo:hi] {
			groups := groupsOf(o.Observation)
			if len(groups) == 0 {
				continue
			}
			if o.Indicator.Name == insuredMetric {
				chunk.report(c.checkParticipants(o, groups))
			} else if p, ok := insured[seriesKey{o.Region, o.Program, o.Year, o.Basis}]; ok {
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

// verdict is how a message says whether figures agree.
func verdict(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// status is OK when ok, else Failed.
func status(ok bool) Status {
	if ok {
		return OK
	}
	return Failed
}

// checkParticipants fails when the participants exceed every population
// group of the region: no group can then be the one the programme covers.
func (c checker) checkParticipants(p spanned, groups []spanned) Result {
	largest := slices.MaxFunc(groups, func(a, b spanned) int { return cmp.Compare(a.hi, b.hi) })
	ok := p.lo <= largest.hi
	res := Result{Check: ParticipantsPopulation, Status: status(ok)}
	if c.terse(ok, &res, p.Observation) {
		return res
	}
	res.Subject, res.Pos, res.Datasets = describe(p.Observation), p.Pos, datasetIDs(p.Dataset, largest.Dataset)
	res.Figures = []*dataset.Observation{p.Observation, largest.Observation}
	res.Message = fmt.Sprintf("participants %s are %s the largest population group, %s",
		figure(p.Observation), verdict(ok, "within", "above"), figure(largest.Observation))
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
	ok := false
	for _, g := range groups {
		ok = ok || want.overlaps(ratioSpan(p.interval, g.interval))
	}
	res.Status = status(ok)
	if c.terse(ok, &res, ratio.Observation) {
		return res
	}
	res.Subject, res.Pos = describe(ratio.Observation), ratio.Pos
	res.Figures = []*dataset.Observation{ratio.Observation, p.Observation}
	var derived, figures []string
	ids := []*dataset.Dataset{ratio.Dataset, p.Dataset}
	for _, g := range groups {
		derived = append(derived, fmt.Sprintf("%s / %s (%s) = %s", num(p.Value), num(g.Value), groupName(g.Observation), num(round(p.Value/g.Value, 4))))
		figures = append(figures, figure(g.Observation))
		ids = append(ids, g.Dataset)
		res.Figures = append(res.Figures, g.Observation)
	}
	res.Datasets = datasetIDs(ids...)
	res.Message = fmt.Sprintf("ratio %s %s participants / population: %s; participants %s; population %s",
		figure(ratio.Observation), verdict(ok, "matches", "matches none of"), strings.Join(derived, ", "),
		figure(p.Observation), strings.Join(figures, ", "))
	return res
}

// groupName names a population group by its dimensions and basis, or
// "all" for the one population figure without either.
func groupName(o *dataset.Observation) string {
	var parts []string
	if d := o.DimensionString(); d != "" {
		parts = append(parts, d)
	}
	if o.Basis != "" {
		parts = append(parts, "basis="+o.Basis)
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, ",")
}

// figure describes a figure with everything needed to find it again: its
// series, its value as the source printed it, its source and position.
func figure(o *dataset.Observation) string {
	q := ""
	if o.Qualifier != dataset.Exact {
		q = string(o.Qualifier) + " "
	}
	return fmt.Sprintf("%s = %s%s (%s, %s)", describe(o), q, withPrinted(num(o.Value), o.Printed()), sourceText(o.Source), o.Pos)
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

// describe names an observation's series and when it is for: metric,
// region, programme, dimensions, basis, and the year or, for part of a
// year, the period.
func describe(o *dataset.Observation) string {
	when := strconv.Itoa(o.Year)
	if o.Period != "" {
		when = o.Period
	}
	return describeSeries(o.Indicator, o.Region, o.Program, o.Dimensions, o.Basis) + " " + when
}

// describeSeries names a series up to the year: metric, region, programme,
// dimensions and basis, those that are set.
func describeSeries(ind *dataset.Indicator, region, program string, dims []string, basis string) string {
	parts := []string{ind.Name, region}
	if program != "" {
		parts = append(parts, program)
	}
	for i, v := range dims {
		parts = append(parts, ind.Dimensions[i]+"="+v)
	}
	if basis != "" {
		parts = append(parts, "basis="+basis)
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
