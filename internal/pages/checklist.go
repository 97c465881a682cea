package pages

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/check"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// checkList is every warning and consistency check of one loaded version,
// grouped, for /checks. A passing check of a served figure (participants,
// coverage: one per figure, hundreds of thousands in a national dataset) is
// kept as the figure it checked; its message is made again, with the
// figure's other checks, when a page shows it.
type checkList struct {
	warnings          []*warningGroup
	checks            []*checkGroup
	failed, unchecked int
	// figureAt finds the figures that warnings name by their positions.
	figureAt map[dataset.Position]*dataset.Observation
}

type warningGroup struct {
	Kind     string
	Problems []config.Problem
}

type checkGroup struct {
	Name                      string
	Failed, Unchecked, Passed int
	// Failures first, then the checks that could not be made, then passes,
	// each in check.Run's order.
	entries []checkEntry
}

type checkEntry struct {
	result *check.Result        // Nil for a pass kept as its figure.
	figure *dataset.Observation // The figure of a pass kept as its figure.
}

// checkOrder is the order /checks shows the checks in.
var checkOrder = []string{check.Reported, check.ReportedPair, check.ParticipantsPopulation, check.Coverage, check.FullCoverage, check.Bounds, check.Total}

// compactChecks are those whose result concerns one served figure, at its
// position, and that figure pages make again.
var compactChecks = map[string]bool{check.ParticipantsPopulation: true, check.Coverage: true, check.FullCoverage: true}

// checks returns the version's check list, built on first use.
func (l *Load) checkList() *checkList {
	l.checksOnce.Do(func() { l.checks = buildCheckList(l) })
	return l.checks
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
	for _, r := range check.Run(snap) {
		g := groups[r.Check]
		if g == nil {
			g = &checkGroup{Name: r.Check}
			groups[r.Check] = g
			cl.checks = append(cl.checks, g)
		}
		res := r
		switch {
		case r.Status == check.Failed:
			cl.failed++
			g.Failed++
			g.entries = append(g.entries, checkEntry{result: &res})
		case r.Status == check.Unchecked:
			cl.unchecked++
			g.Unchecked++
			unchecked, uncheckedGroups = append(unchecked, checkEntry{result: &res}), append(uncheckedGroups, g)
		case compactChecks[r.Check]:
			g.Passed++
			passes, passGroups = append(passes, checkEntry{figure: r.Figures[0]}), append(passGroups, g)
		default:
			g.Passed++
			passes, passGroups = append(passes, checkEntry{result: &res}), append(passGroups, g)
		}
	}
	for i, e := range unchecked {
		uncheckedGroups[i].entries = append(uncheckedGroups[i].entries, e)
	}
	for i, e := range passes {
		passGroups[i].entries = append(passGroups[i].entries, e)
	}
	wanted := map[dataset.Position]bool{}
	kinds := map[string]*warningGroup{}
	for _, p := range l.Warnings {
		kind := warningKind(p)
		g := kinds[kind]
		if g == nil {
			g = &warningGroup{Kind: kind}
			kinds[kind] = g
			cl.warnings = append(cl.warnings, g)
		}
		g.Problems = append(g.Problems, p)
		want(wanted, p.Pos, p.Message)
	}
	slices.SortStableFunc(cl.warnings, func(a, b *warningGroup) int { return cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)) })
	cl.figureAt = map[dataset.Position]*dataset.Observation{}
	if len(wanted) > 0 {
		for _, ds := range snap.Datasets {
			for _, o := range ds.Observations {
				if wanted[o.Pos] {
					cl.figureAt[o.Pos] = o
				}
			}
		}
	}
	return cl
}

// want adds the position and every position the message names.
func want(wanted map[dataset.Position]bool, pos dataset.Position, message string) {
	wanted[pos] = true
	for _, m := range positionPattern.FindAllString(message, -1) {
		if p, ok := parsePosition(m); ok {
			wanted[p] = true
		}
	}
}

// parsePosition reads file:line:column.
func parsePosition(s string) (dataset.Position, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return dataset.Position{}, false
	}
	col, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return dataset.Position{}, false
	}
	j := strings.LastIndexByte(s[:i], ':')
	if j < 0 {
		return dataset.Position{}, false
	}
	line, err := strconv.Atoi(s[j+1 : i])
	if err != nil {
		return dataset.Position{}, false
	}
	return dataset.Position{File: s[:j], Line: line, Column: col}, true
}

// find finds the figures warnings name.
func (cl *checkList) find(p dataset.Position) *dataset.Observation { return cl.figureAt[p] }

// positionPattern finds the positions a warning names figures by.
var positionPattern = regexp.MustCompile(`[^\s(),]+:\d+:\d+`)

// figuresNamed returns the figures at the position and at the positions the
// message names, each once, as find finds them.
func figuresNamed(find func(dataset.Position) *dataset.Observation, pos dataset.Position, message string) []*dataset.Observation {
	var figs []*dataset.Observation
	seen := map[*dataset.Observation]bool{}
	add := func(p dataset.Position) {
		if o := find(p); o != nil && !seen[o] {
			seen[o] = true
			figs = append(figs, o)
		}
	}
	add(pos)
	for _, m := range positionPattern.FindAllString(message, -1) {
		if p, ok := parsePosition(m); ok {
			add(p)
		}
	}
	return figs
}

// warningKinds orders the kinds of warnings on /checks: what changes the
// data served first, remarks last; other kinds follow in the order met.
var warningKinds = []string{"unresolved conflict", "revision", "series break", "confirmation", "qualifier"}

func kindRank(kind string) int {
	if i := slices.Index(warningKinds, kind); i >= 0 {
		return i
	}
	return len(warningKinds)
}

// warningPrefix is a message that says its kind first: "revision: ...".
var warningPrefix = regexp.MustCompile(`^([a-z][a-z ]{0,30}):`)

// warningKind groups a warning: by the kind its message starts with, else
// by its field.
func warningKind(p config.Problem) string {
	if m := warningPrefix.FindStringSubmatch(p.Message); m != nil {
		return m[1]
	}
	if p.Field != "" {
		// observations[3].qualifier and qualifier are one kind.
		f := p.Field
		if i := strings.LastIndexByte(f, '.'); i >= 0 {
			f = f[i+1:]
		}
		if i := strings.IndexByte(f, '['); i >= 0 {
			f = f[:i]
		}
		return f
	}
	return "other"
}
