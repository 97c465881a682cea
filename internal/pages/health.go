package pages

import (
	"bytes"
	"slices"
	"strings"
)

// healthView is the data's health as the landing page shows it.
type healthView struct {
	Loaded      bool
	LoadedAt    string
	Series      int
	Datasets    int
	Tried       bool // A load or reload has ended.
	ReloadAt    string
	ReloadOK    bool
	Problems    []string
	Revisions   int
	Conflicts   int
	Warnings    int
	CheckFailed []datasetCount // Datasets with failed consistency checks.
	// Datasets with consistency checks that could not be made for want of
	// a figure.
	CheckUnchecked []datasetCount
}

type datasetCount struct {
	Dataset string
	Count   int
}

// LandingCSS styles the data's health on the landing page, which has its
// own stylesheet inline.
const LandingCSS = "table.health th, table.health td { padding: 2px 8px; text-align: left; vertical-align: top; } " +
	"table.health .failed { color: #b3261e; } table.health .ok { color: #1f7a3a; } " +
	"ul.problems { margin: 0; padding-left: 1.2em; } ul.problems code { white-space: pre-wrap; }"

// maxLandingProblems bounds the problems of a failed reload the landing
// page lists; the log and /-/reload have them all.
const maxLandingProblems = 50

// LandingHTML is the data's health for the landing page: when the data was
// last loaded and whether the last reload succeeded, the problems of one
// that failed, and the revisions, unresolved conflicts and failed checks of
// the data served, linking to the pages.
func LandingHTML(st State) string {
	h := healthView{ReloadAt: timeText(st.Reload.At), Tried: !st.Reload.At.IsZero(), ReloadOK: st.Reload.Err == nil}
	if st.Reload.Err != nil {
		h.Problems = problemLines(st.Reload.Err)
	}
	if l := st.Load; l != nil {
		snap := l.Snapshot
		h.Loaded, h.LoadedAt, h.Series, h.Datasets = true, timeText(l.At), len(snap.Series), len(snap.Datasets)
		h.Revisions, h.Conflicts, h.Warnings = len(snap.Revisions), len(snap.Conflicts), len(l.Warnings)
		h.CheckFailed, h.CheckUnchecked = byDataset(snap.CheckFailures()), byDataset(snap.CheckUnchecked())
	}
	var buf bytes.Buffer
	if err := templates().ExecuteTemplate(&buf, "health", h); err != nil {
		return "<p>Rendering the data's health failed.</p>"
	}
	return buf.String()
}

// byDataset lists the nonzero counts by dataset ID, sorted.
func byDataset(counts map[string]int) []datasetCount {
	var list []datasetCount
	for id, n := range counts {
		if n > 0 {
			list = append(list, datasetCount{id, n})
		}
	}
	slices.SortFunc(list, func(a, b datasetCount) int { return strings.Compare(a.Dataset, b.Dataset) })
	return list
}

// problemLines lists the problems of a failed load, one a line, as its
// error tells them.
func problemLines(err error) []string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if len(lines) > maxLandingProblems {
		more := len(lines) - maxLandingProblems
		lines = append(lines[:maxLandingProblems], "… and "+grouped(float64(more))+" more: see the log, or run socsec_exporter check")
	}
	return lines
}
