package pages

import (
	"slices"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// figureChecks returns the consistency checks a figure takes part in, with
// their arithmetic: check.Run on the part of the snapshot that the checks
// of that figure read (checkPart), which gives the results the whole
// snapshot gives for it.
func (ix *index) figureChecks(o *dataset.Observation) []check.Result {
	all := []*dataset.Observation{o}
	if s := ix.settlement(o); s != nil {
		all = s.all()
	}
	return ix.checksOf(o, all, []*dataset.Observation{o})
}

// checksOf returns the results of the checks that involve any of the
// figures shown, all of them of o's series, whose figures are all: one
// run of the checks on the part of the snapshot they read, however many
// figures are shown.
func (ix *index) checksOf(o *dataset.Observation, all, shown []*dataset.Observation) []check.Result {
	at := make(map[dataset.Position]bool, len(shown))
	population := false
	for _, f := range shown {
		at[f.Pos] = true
		population = population || f.Indicator.Name == schema.Population
	}
	var involved []check.Result
	for _, r := range check.Run(ix.checkPart(o, all)) {
		ok := at[r.Pos] || slices.ContainsFunc(r.Figures, func(f *dataset.Observation) bool { return at[f.Pos] })
		if !ok && population {
			ok = slices.ContainsFunc(shown, func(f *dataset.Observation) bool { return involves(r, f) })
		}
		if ok {
			involved = append(involved, r)
		}
	}
	return involved
}

// checkPart returns the part of the snapshot that the checks of o's series
// read, all being every figure of the series: the figures themselves, for
// the checks of qualified figures against the others of their series; for
// participants, population and coverage, those three of o's region and
// year; for a reported figure that names the series in o's year, the
// series in the years it names; for a declared total that names the series
// as its total or a part, the total and parts in o's year. So a figure's
// page reads what its checks compare and no more, however many figures its
// region has and however many totals its indicator.
func (ix *index) checkPart(o *dataset.Observation, all []*dataset.Observation) *dataset.Snapshot {
	name := nameOf(o)
	var reported []*dataset.Reported
	for _, r := range ix.reported[name] {
		if r.FromYear == o.Year || r.ToYear == o.Year {
			reported = append(reported, r)
		}
	}
	totals := ix.totals[name]
	served := map[*dataset.Observation]bool{}
	add := func(indicator, program string, anyProgram bool, keep func(*dataset.Observation) bool) {
		lo, hi := ix.span(indicator, o.Region, program, anyProgram)
		for i := lo; i < hi; i++ {
			if f := ix.at(i); keep(f) {
				served[f] = true
			}
		}
	}
	switch o.Indicator.Name {
	case schema.Population, schema.Insured, schema.Coverage:
		for _, indicator := range []string{schema.Population, schema.Insured, schema.Coverage} {
			add(indicator, "", true, func(f *dataset.Observation) bool { return f.Year == o.Year })
		}
	}
	// Reported figures and totals read figures of named series: each found
	// by its key.
	find := func(probe dataset.Observation) {
		if f := ix.find(&probe); f != nil {
			served[f] = true
		}
	}
	for _, r := range reported {
		for _, year := range []int{r.FromYear, r.ToYear} {
			find(dataset.Observation{Indicator: r.Indicator, Region: r.Region, Program: r.Program, Year: year, Basis: r.Basis, Dimensions: r.Dims})
		}
	}
	for _, t := range totals {
		// A part is of the total's year, period and basis; the results
		// that involve o are those of o's year and period.
		for _, ref := range append([]dataset.SeriesRef{t.Total}, t.Parts...) {
			find(dataset.Observation{Indicator: t.Indicator, Region: t.Region, Program: ref.Program, Year: o.Year, Period: o.Period, Basis: t.Basis, Dimensions: ref.Dims})
		}
	}
	part := &dataset.Snapshot{Series: make([]*dataset.Observation, 0, len(served))}
	for f := range served {
		part.Series = append(part.Series, f)
	}
	// In the snapshot's order, which is the order of the results.
	slices.SortFunc(part.Series, func(a, b *dataset.Observation) int { return dataset.CompareKeys(a, b) })
	byDataset := map[*dataset.Dataset][]*dataset.Observation{}
	for _, f := range all {
		byDataset[f.Dataset] = append(byDataset[f.Dataset], f)
	}
	for _, ds := range ix.snap.Datasets {
		// A copy of the dataset with what it has of the part: its other
		// fields say what the checks may need of it.
		d := *ds
		d.Observations, d.Reported, d.Totals = byDataset[ds], nil, nil
		slices.SortFunc(d.Observations, byPosition)
		for _, r := range reported {
			if r.Dataset == ds {
				d.Reported = append(d.Reported, r)
			}
		}
		for _, t := range totals {
			if t.Dataset == ds {
				d.Totals = append(d.Totals, t)
			}
		}
		part.Datasets = append(part.Datasets, &d)
	}
	return part
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
