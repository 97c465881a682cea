package pages

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// checkList is every warning and consistency check of one loaded version,
// grouped, for /checks. A passing check of a figure (participants,
// coverage: one per figure, hundreds of thousands in a national dataset; a
// total in each year, tens of thousands where a dataset declares many) is
// kept as the figure it checked, and the total; its message is made again,
// with the figure's other checks, only when a page shows it.
type checkList struct {
	warnings                        []*warningGroup
	checks                          []*checkGroup
	failed, unchecked, acknowledged int
}

type warningGroup struct {
	Kind     string
	Problems []config.Problem
}

type checkGroup struct {
	Name                                    string
	Failed, Unchecked, Acknowledged, Passed int
	// Failures first, then the checks that could not be made, then passes,
	// each in check.Run's order.
	entries []checkEntry
}

type checkEntry struct {
	result *check.Result // Nil for a pass kept as its figure.
	// The figure a pass kept as its figure checks, and the declared total
	// it is checked as the total of, if it is.
	figure *dataset.Observation
	total  *dataset.Total
}

// checkOrder is the order /checks shows the checks in.
var checkOrder = []string{check.Reported, check.ReportedPair, check.ParticipantsPopulation, check.Coverage, check.FullCoverage, check.Bounds, check.Total}

// checkList returns the version's check list, built on first use.
func (l *Load) checkList() *checkList {
	<-l.buildChecks()
	return l.checks
}

// PrepareChecks starts building the version's list of checks in the
// background, unless it is built or being built, so that the first /checks
// of a version finds it ready: at a million series it takes about half a
// second of CPU, which a request would otherwise wait for.
func (l *Load) PrepareChecks() {
	l.buildChecks()
}

// checkListWithin returns the version's check list, or the context's error
// when it is done first; the list goes on being built for the next request.
func (l *Load) checkListWithin(ctx context.Context) (*checkList, error) {
	built := l.buildChecks()
	select {
	case <-built:
		return l.checks, l.checksErr
	default:
	}
	select {
	case <-built:
		return l.checks, l.checksErr
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// buildChecks starts building the check list, once, and returns a channel
// closed when it is built.
func (l *Load) buildChecks() <-chan struct{} {
	l.checksOnce.Do(func() {
		l.checksBuilt = make(chan struct{})
		go func() {
			defer close(l.checksBuilt)
			// Built apart from any request, a panic would end the
			// process: it is the list's error instead, as it was the
			// request's when the request built it.
			defer func() {
				if r := recover(); r != nil {
					l.checksErr = fmt.Errorf("building the list of checks: %v", r)
				}
			}()
			l.checks = buildCheckList(l)
		}()
	})
	return l.checksBuilt
}

func buildCheckList(l *Load) *checkList {
	snap := l.Snapshot
	cl := &checkList{}
	groups := map[string]*checkGroup{}
	for _, name := range checkOrder {
		groups[name] = &checkGroup{Name: name}
		cl.checks = append(cl.checks, groups[name])
	}
	// Entries that follow the failures, and the groups they go to.
	var unchecked, passes []checkEntry
	var uncheckedGroups, passGroups []*checkGroup
	// Passes come undescribed, as what they check; what a page shows of
	// them is checked again when it is shown (entryView).
	check.RunTerse(snap, func(r check.Result) {
		g := groups[r.Check]
		if g == nil {
			g = &checkGroup{Name: r.Check}
			groups[r.Check] = g
			cl.checks = append(cl.checks, g)
		}
		// A copy of the result only where it is kept whole: most are
		// passes kept as their figure.
		kept := func() *check.Result { res := r; return &res }
		switch {
		case r.Status == check.Failed:
			cl.failed++
			g.Failed++
			g.entries = append(g.entries, checkEntry{result: kept()})
		case r.Status == check.Unchecked:
			cl.unchecked++
			g.Unchecked++
			unchecked, uncheckedGroups = append(unchecked, checkEntry{result: kept()}), append(uncheckedGroups, g)
		case r.Status == check.Acknowledged:
			// A failure its dataset explains: listed after the failures,
			// with the unchecked, never among the passes.
			cl.acknowledged++
			g.Acknowledged++
			unchecked, uncheckedGroups = append(unchecked, checkEntry{result: kept()}), append(uncheckedGroups, g)
		case r.Message == "" && len(r.Figures) > 0:
			g.Passed++
			passes, passGroups = append(passes, checkEntry{figure: r.Figures[0], total: r.Total}), append(passGroups, g)
		default:
			g.Passed++
			passes, passGroups = append(passes, checkEntry{result: kept()}), append(passGroups, g)
		}
	})
	for i, e := range unchecked {
		uncheckedGroups[i].entries = append(uncheckedGroups[i].entries, e)
	}
	for i, e := range passes {
		passGroups[i].entries = append(passGroups[i].entries, e)
	}
	kinds := map[config.Kind]*warningGroup{}
	for _, p := range l.Warnings {
		g := kinds[p.Kind]
		if g == nil {
			g = &warningGroup{Kind: string(p.Kind)}
			kinds[p.Kind] = g
			cl.warnings = append(cl.warnings, g)
		}
		g.Problems = append(g.Problems, p)
	}
	// What changes the data served first, remarks last.
	slices.SortStableFunc(cl.warnings, func(a, b *warningGroup) int {
		return cmp.Compare(slices.Index(config.Kinds, config.Kind(a.Kind)), slices.Index(config.Kinds, config.Kind(b.Kind)))
	})
	return cl
}
