package pages

import (
	"regexp"
	"slices"
	"strconv"
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
//
// It also returns the figures of that part by position, to link the figures
// a check's message names.
func (ix *index) figureChecks(o *dataset.Observation) ([]check.Result, figureFinder) {
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
	at := map[dataset.Position]*dataset.Observation{}
	for _, f := range series {
		at[f.Pos] = f
	}
	for _, f := range figures {
		at[f.Pos] = f
	}
	return involved, func(p dataset.Position) *dataset.Observation { return at[p] }
}

// figureFinder finds a figure by the position it is written at, or nil.
type figureFinder func(dataset.Position) *dataset.Observation

// involves reports whether a check result concerns the figure: it checks
// the figure or names it by its position, or, for a population figure,
// compares a programme of its region and year with the population groups.
func involves(r check.Result, o *dataset.Observation) bool {
	pos := o.Pos.String()
	if r.Pos == o.Pos || containsPos(r.Message, pos) {
		return true
	}
	if o.Indicator.Name != schema.Population {
		return false
	}
	switch r.Check {
	case check.ParticipantsPopulation, check.Coverage, check.FullCoverage:
		// The subject is "metric region [programme] [dimensions] year".
		words := strings.Fields(r.Subject)
		return len(words) >= 3 && words[1] == o.Region && words[len(words)-1] == strconv.Itoa(o.Year)
	}
	return false
}

// containsPos reports whether s names the position pos (file:line:column),
// not merely a longer one that starts with it.
func containsPos(s, pos string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], pos)
		if j < 0 {
			return false
		}
		end := i + j + len(pos)
		if end == len(s) || s[end] < '0' || s[end] > '9' {
			return true
		}
		i = end
	}
}

// positionPattern finds the positions a check message names figures by.
var positionPattern = regexp.MustCompile(`[^\s(),]+:\d+:\d+`)

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
