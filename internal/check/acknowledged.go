package check

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// acknowledged indexes the acknowledgements of datasets by what they name
// (ackKey).
type acknowledged map[string]*dataset.Acknowledgement

// acknowledgements indexes the acknowledgements of every dataset.
func acknowledgements(datasets []*dataset.Dataset) acknowledged {
	var a acknowledged
	for _, ds := range datasets {
		for _, ack := range ds.Acknowledged {
			if a == nil {
				a = acknowledged{}
			}
			a[ackKey(ack.Check, ds, ack.Figure)] = ack
		}
	}
	return a
}

// apply makes a failed result that a dataset acknowledges Acknowledged.
func (a acknowledged) apply(r Result) Result {
	if r.Status != Failed || len(a) == 0 {
		return r
	}
	if key, ok := resultKey(r); ok {
		if ack := a[key]; ack != nil {
			r.Status, r.Acknowledgement = Acknowledged, ack
		}
	}
	return r
}

// ackKey identifies a check of a figure or reported figure as an
// acknowledgement names it: the check, the dataset that states what is
// checked, and what it is.
func ackKey(check string, ds *dataset.Dataset, ref dataset.CheckedRef) string {
	name, id := "", ""
	if ref.Indicator != nil {
		name = ref.Indicator.Name
	}
	if ds != nil {
		id = ds.ID
	}
	parts := []string{check, id, ref.Kind, name, ref.Region, ref.Program, ref.Basis, ref.Period,
		strconv.Itoa(ref.Year), strconv.Itoa(ref.FromYear), strconv.Itoa(ref.ToYear)}
	return strings.Join(append(parts, ref.Dims...), "\x00")
}

// resultKey returns the ackKey of what r checks: its reported figure (the
// rate, for ReportedPair), stated by its dataset; the figure of a declared
// total's series in the year checked, stated by the total's dataset; or
// the checked figure, stated by its own dataset. A dataset acknowledges
// only what it states itself, so that another dataset restating a figure
// or a claim has its own failure.
func resultKey(r Result) (string, bool) {
	switch {
	case len(r.Reported) > 0:
		s := r.Reported[0]
		return ackKey(r.Check, s.Dataset, reportedRef(s)), true
	case len(r.Figures) > 0:
		o, owner := r.Figures[0], r.Figures[0].Dataset
		if r.Total != nil {
			owner = r.Total.Dataset
		}
		return ackKey(r.Check, owner, figureRef(o)), true
	}
	return "", false
}

func reportedRef(s *dataset.Reported) dataset.CheckedRef {
	return dataset.CheckedRef{Kind: s.Kind, Indicator: s.Indicator, Region: s.Region, Program: s.Program, Dims: s.Dims,
		Basis: s.Basis, FromYear: s.FromYear, ToYear: s.ToYear}
}

func figureRef(o *dataset.Observation) dataset.CheckedRef {
	return dataset.CheckedRef{Indicator: o.Indicator, Region: o.Region, Program: o.Program, Dims: o.Dimensions,
		Basis: o.Basis, Year: o.Year, Period: o.Period}
}

// StaleAcknowledgement is an acknowledgement that no failed check matches:
// the figure was corrected, or the check passes or cannot be made.
type StaleAcknowledgement struct {
	*dataset.Acknowledgement
	// Status is that of the check it names, OK or Unchecked; empty when
	// no such check is made.
	Status Status
}

// Stale returns the acknowledgements of the datasets that acknowledge none
// of results, in the order of the datasets and of their acknowledgements.
func Stale(datasets []*dataset.Dataset, results []Result) []StaleAcknowledgement {
	used := map[*dataset.Acknowledgement]bool{}
	status := map[string]Status{}
	for _, r := range results {
		if r.Acknowledgement != nil {
			used[r.Acknowledgement] = true
		}
		if key, ok := resultKey(r); ok && status[key] == "" {
			status[key] = r.Status
		}
	}
	var stale []StaleAcknowledgement
	for _, ds := range datasets {
		for _, ack := range ds.Acknowledged {
			if !used[ack] {
				stale = append(stale, StaleAcknowledgement{ack, status[ackKey(ack.Check, ds, ack.Figure)]})
			}
		}
	}
	return stale
}

// Subject names what an acknowledgement names in the words of a result's
// Subject: a reported figure by its kind, series and years, a figure by
// its series and year or period.
func Subject(ref dataset.CheckedRef) string {
	if ref.Indicator == nil {
		return ""
	}
	series := describeSeries(ref.Indicator, ref.Region, ref.Program, ref.Dims, ref.Basis)
	switch {
	case ref.Kind != "":
		return fmt.Sprintf("%s of %s %d-%d", ref.Kind, series, ref.FromYear, ref.ToYear)
	case ref.Period != "":
		return series + " " + ref.Period
	}
	return series + " " + strconv.Itoa(ref.Year)
}
