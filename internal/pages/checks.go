package pages

import (
	"slices"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/check"
	"github.com/socsec-exporter/socsec_exporter/dataset"
	"github.com/socsec-exporter/socsec_exporter/schema"
)

// figureChecks returns the consistency checks a figure takes part in, with
// their arithmetic: check.Run on the part of the snapshot the checks of that
// figure read, which gives the results the whole snapshot gives for it.
// Checks compare figures of one region and year (participants, population,
// coverage, totals), of one series (bounds) or the years a reported figure
// names, so that part is the served figures of the figure's region in those
// years, the figures of its series, and the region's reported figures and
// totals.
func (ix *index) figureChecks(o *dataset.Observation) []check.Result {
	years := []int{o.Year}
	var reported []*dataset.Reported
	for _, r := range ix.reported[o.Region] {
		if r.FromYear == o.Year || r.ToYear == o.Year {
			reported = append(reported, r)
			years = append(years, r.FromYear, r.ToYear)
		}
	}
	var series []*dataset.Observation
	for _, ind := range ix.snap.Indicators {
		lo, hi := ix.span(ind.Name, o.Region, "", true)
		for i := lo; i < hi; i++ {
			if f := ix.at(i); slices.Contains(years, f.Year) {
				series = append(series, f)
			}
		}
	}
	figures := []*dataset.Observation{o}
	if s := ix.settlement(o); s != nil {
		figures = s.all()
	}
	part := &dataset.Snapshot{Series: series}
	for _, ds := range ix.snap.Datasets {
		d := &dataset.Dataset{ID: ds.ID, Title: ds.Title, File: ds.File, Sources: ds.Sources}
		for _, f := range figures {
			if f.Dataset == ds {
				d.Observations = append(d.Observations, f)
			}
		}
		slices.SortFunc(d.Observations, byPosition)
		for _, r := range reported {
			if r.Dataset == ds {
				d.Reported = append(d.Reported, r)
			}
		}
		for _, t := range ix.totals[o.Region] {
			if t.Dataset == ds {
				d.Totals = append(d.Totals, t)
			}
		}
		part.Datasets = append(part.Datasets, d)
	}
	var involved []check.Result
	for _, r := range check.Run(part) {
		if involves(r, o) {
			involved = append(involved, r)
		}
	}
	return involved
}

// involves reports whether a check result concerns the figure: it checks
// the figure or reads it, or, for a population figure, compares a
// programme of its region, year and basis with the population groups.
func involves(r check.Result, o *dataset.Observation) bool {
	if r.Pos == o.Pos || slices.ContainsFunc(r.Figures, func(f *dataset.Observation) bool { return f.Pos == o.Pos }) {
		return true
	}
	if o.Indicator.Name != schema.Population || len(r.Figures) == 0 {
		return false
	}
	switch r.Check {
	case check.ParticipantsPopulation, check.Coverage, check.FullCoverage:
		// The first figure is the one checked; a population figure
		// without a basis serves every basis.
		f := r.Figures[0]
		return f.Region == o.Region && f.Year == o.Year && (o.Basis == "" || o.Basis == f.Basis)
	}
	return false
}

// byPosition orders figures as they are written: by file, line and column.
func byPosition(a, b *dataset.Observation) int {
	if c := strings.Compare(a.Pos.File, b.Pos.File); c != 0 {
		return c
	}
	if a.Pos.Line != b.Pos.Line {
		return a.Pos.Line - b.Pos.Line
	}
	return a.Pos.Column - b.Pos.Column
}
