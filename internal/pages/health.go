package pages

import (
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
	CheckFailed []datasetCount // Datasets with failed consistency checks they do not acknowledge.
	// Datasets with failed consistency checks they acknowledge, with a
	// reason.
	CheckAcknowledged []datasetCount
	// Datasets with consistency checks that could not be made for want of
	// a figure.
	CheckUnchecked []datasetCount
}

type datasetCount struct {
	Dataset string
	Count   int
}

// maxLandingProblems bounds the problems of a failed reload the landing
// page lists; the log and /-/reload have them all.
const maxLandingProblems = 50

// health is the data's health for the landing page: when the data was last
// loaded and whether the last reload succeeded, the problems of one that
// failed, and the revisions, unresolved conflicts and failed checks of the
// data served, linking to the pages.
func health(st State) healthView {
	h := healthView{ReloadAt: timeText(st.Reload.At), Tried: !st.Reload.At.IsZero(), ReloadOK: st.Reload.Err == nil}
	if st.Reload.Err != nil {
		h.Problems = problemLines(st.Reload.Err)
	}
	if l := st.Load; l != nil {
		snap := l.Snapshot
		h.Loaded, h.LoadedAt, h.Series, h.Datasets = true, timeText(l.At), len(snap.Series), len(snap.Datasets)
		h.Revisions, h.Conflicts, h.Warnings = len(snap.Revisions), len(snap.Conflicts), len(l.Warnings)
		failed, acknowledged, unchecked := checkCounts(snap)
		h.CheckFailed, h.CheckAcknowledged, h.CheckUnchecked = byDataset(failed), byDataset(acknowledged), byDataset(unchecked)
	}
	return h
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
