package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// checkAllReported checks every reported figure, in the order of the
// datasets and of each dataset's reported figures, against the annual
// served figures of its series and basis.
func (c checker) checkAllReported(datasets []*dataset.Dataset, annual []*dataset.Observation) {
	var served map[string]*dataset.Observation
	var stated map[string][]*dataset.Reported
	for _, ds := range datasets {
		for _, r := range ds.Reported {
			if served == nil {
				// Only reported figures look series up by key; most
				// datasets have none, so the indexes are built on demand.
				served = make(map[string]*dataset.Observation, len(annual))
				for _, o := range annual {
					served[o.Key()] = o
				}
				stated = map[string][]*dataset.Reported{}
				for _, ds := range datasets {
					for _, r := range ds.Reported {
						stated[claimKey(r)] = append(stated[claimKey(r)], r)
					}
				}
			}
			for _, res := range checkReported(r, served, stated[claimKey(r)]) {
				c.report(res)
			}
		}
	}
}

// claimKey identifies what a reported figure is about: its series, basis
// and years; a change and a rate with the same key describe one growth.
func claimKey(r *dataset.Reported) string {
	return strings.Join(append([]string{r.Indicator.Name, r.Region, r.Program, r.Basis, strconv.Itoa(r.FromYear), strconv.Itoa(r.ToYear)}, r.Dims...), "\x00")
}

// isRate reports whether a reported figure is a growth rate, not a change.
func isRate(r *dataset.Reported) bool {
	return r.Kind != "change"
}

// checkReported checks a reported figure against its base figures. When
// a base figure is missing the figure is unchecked, except for a growth
// rate whose change the sources also stated (among same, the reported
// figures with the same claimKey): the change then stands in for the
// missing figure, and the rate is checked against each such change.
func checkReported(r *dataset.Reported, served map[string]*dataset.Observation, same []*dataset.Reported) []Result {
	years := r.ToYear - r.FromYear
	res := Result{
		Check:    Reported,
		Subject:  claimSubject(r),
		Pos:      r.Pos,
		Datasets: []string{r.Dataset.ID},
		Reported: []*dataset.Reported{r},
	}
	if r.Kind == "yoy" && years != 1 {
		res.Status = Failed
		res.Message = fmt.Sprintf("a year-on-year change needs consecutive years, not %d apart", years)
		return []Result{res}
	}
	base := func(year int) *dataset.Observation {
		return served[(&dataset.Observation{Indicator: r.Indicator, Region: r.Region, Program: r.Program, Year: year, Basis: r.Basis, Dimensions: r.Dims}).Key()]
	}
	from, to := base(r.FromYear), base(r.ToYear)
	present := presentFigures(from, to)
	if from != nil && to != nil {
		res.Figures = present
		res.Datasets = datasetIDs(r.Dataset, from.Dataset, to.Dataset)
		if r.Kind == "change" {
			return []Result{checkChange(r, from, to, res)}
		}
		return []Result{checkGrowth(r, from, to, res)}
	}
	var results []Result
	for _, change := range same {
		if isRate(r) && !isRate(change) {
			results = append(results, checkPair(r, change, from, to))
		}
	}
	if len(results) > 0 {
		return results
	}
	res.Status, res.Figures = Unchecked, present
	ids := []*dataset.Dataset{r.Dataset}
	for _, o := range present {
		ids = append(ids, o.Dataset)
	}
	res.Datasets = datasetIDs(ids...)
	res.Message = fmt.Sprintf("%s to check the reported %s (%s) against", missing(r, from, to), stated(r), sourceText(r.Source))
	if !isRate(r) && slices.ContainsFunc(same, isRate) {
		res.Message += "; the rate stated for the same years is checked against this change instead (" + ReportedPair + ")"
	}
	return []Result{res}
}

// claimSubject names a reported figure: its kind, series and years.
func claimSubject(r *dataset.Reported) string {
	return fmt.Sprintf("%s of %s %d-%d", r.Kind, describeSeries(r.Indicator, r.Region, r.Program, r.Dims, r.Basis), r.FromYear, r.ToYear)
}

// presentFigures returns the base figures that exist, earlier first.
func presentFigures(from, to *dataset.Observation) []*dataset.Observation {
	var figs []*dataset.Observation
	for _, o := range []*dataset.Observation{from, to} {
		if o != nil {
			figs = append(figs, o)
		}
	}
	return figs
}

// missing says which base figures of a reported figure are not served.
func missing(r *dataset.Reported, from, to *dataset.Observation) string {
	series := describeSeries(r.Indicator, r.Region, r.Program, r.Dims, r.Basis)
	switch {
	case from == nil && to == nil:
		return fmt.Sprintf("no figures of %s %d and %d", series, r.FromYear, r.ToYear)
	case from == nil:
		return fmt.Sprintf("no figure of %s %d", series, r.FromYear)
	}
	return fmt.Sprintf("no figure of %s %d", series, r.ToYear)
}

// checkGrowth compares a growth rate a source stated with the rates its
// base figures allow.
func checkGrowth(r *dataset.Reported, from, to *dataset.Observation, res Result) Result {
	years := r.ToYear - r.FromYear
	computed := growth(from.Value, to.Value, years)
	ok := interval{r.Value - r.Precision, r.Value + r.Precision}.overlaps(growthSpan(span(from), span(to), years))
	res.Status = status(ok)
	res.Message = fmt.Sprintf("reported %s a year (±%s points; %s) %s %s a year computed over %d year(s) from %s to %s",
		stated(r), strings.TrimSuffix(percent(r.Precision, r.Precision/10), " %"), sourceText(r.Source),
		verdict(ok, "agrees with", "disagrees with"), percent(computed, r.Precision/10), years, figure(from), figure(to))
	if years > 1 {
		// A period such as "2016-20" is easily counted as one year shorter than the figures span.
		res.Message += fmt.Sprintf("; over %d year(s) they would give %s a year", years-1, percent(growth(from.Value, to.Value, years-1), r.Precision/10))
	}
	return res
}
