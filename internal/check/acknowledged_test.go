package check_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/check"
)

// TestAcknowledged checks that each failure a dataset acknowledges, of a reported figure, of a bound and of a
// total, is Acknowledged with its acknowledgement and counted apart, that a failure nobody acknowledges stays
// Failed, and that the acknowledgements matching no failure are stale, each with what became of its check.
func TestAcknowledged(t *testing.T) {
	snap := load(t, "testdata/acknowledged.yaml")
	results := check.Run(snap)
	type result struct {
		check   string
		status  check.Status
		subject string
		reason  string
	}
	var got []result
	for _, r := range results {
		reason := ""
		if r.Acknowledgement != nil {
			reason = r.Acknowledgement.Reason
		}
		got = append(got, result{r.Check, r.Status, r.Subject, reason})
	}
	want := []result{
		{check.Reported, check.Acknowledged, "cagr of socsec_pension_monthly_per_capita_yuan 100000 pension 2015-2020", "The article rounds down."},
		{check.Reported, check.Unchecked, "cagr of socsec_pension_monthly_per_capita_yuan 100000 pension 2016-2020", ""},
		{check.Reported, check.Failed, "cagr of socsec_pension_monthly_per_capita_yuan 200000 pension 2015-2020", ""},
		{check.Reported, check.OK, "yoy of socsec_pension_monthly_per_capita_yuan 200000 pension 2019-2020", ""},
		{check.Bounds, check.Acknowledged, "socsec_coverage_ratio 100000 medical 2020", "The article's share is of another population."},
		{check.Total, check.Acknowledged, "socsec_insured_persons 100000 medical 2020", "100 persons insured in both schemes are counted once in the total."},
	}
	if !slices.Equal(got, want) {
		t.Errorf("results\n%v\nwant\n%v", got, want)
	}
	tally := check.Count(results)
	wantTally := check.Tally{Failed: map[string]int{"acknowledged": 1}, Acknowledged: map[string]int{"acknowledged": 3}, Unchecked: map[string]int{"acknowledged": 1}}
	if !maps.Equal(tally.Failed, wantTally.Failed) || !maps.Equal(tally.Acknowledged, wantTally.Acknowledged) || !maps.Equal(tally.Unchecked, wantTally.Unchecked) {
		t.Errorf("Count: %+v, want %+v", tally, wantTally)
	}
	// The load's brief run of the checks counts the same.
	if f, a, u := snap.CheckFailures(), snap.CheckAcknowledged(), snap.CheckUnchecked(); !maps.Equal(f, wantTally.Failed) || !maps.Equal(a, wantTally.Acknowledged) || !maps.Equal(u, wantTally.Unchecked) {
		t.Errorf("the snapshot counts %v failed, %v acknowledged, %v unchecked; want %+v", f, a, u, wantTally)
	}
	var stale []string
	for _, s := range check.Stale(snap.Datasets, results) {
		stale = append(stale, s.Check+" "+check.Subject(s.Figure)+": "+string(s.Status))
	}
	wantStale := []string{
		"reported yoy of socsec_pension_monthly_per_capita_yuan 200000 pension 2019-2020: ok",
		"reported cagr of socsec_pension_monthly_per_capita_yuan 100000 pension 2016-2020: unchecked",
		"coverage socsec_coverage_ratio 100000 medical 2021: ",
	}
	if !slices.Equal(stale, wantStale) {
		t.Errorf("stale acknowledgements\n%q\nwant\n%q", stale, wantStale)
	}
}

// TestAcknowledgedByItsOwnDatasetOnly checks that an acknowledgement covers the failure of what its own dataset
// states: another dataset restating the acknowledged rate has a failure of its own, not acknowledged.
func TestAcknowledgedByItsOwnDatasetOnly(t *testing.T) {
	snap := load(t, "testdata/acknowledged.yaml", "testdata/restated.yaml")
	var statuses []check.Status
	for _, r := range check.Run(snap) {
		if r.Check == check.Reported && r.Subject == "cagr of socsec_pension_monthly_per_capita_yuan 100000 pension 2015-2020" {
			statuses = append(statuses, r.Status)
			if r.Status == check.Failed && r.Reported[0].Dataset.ID != "restated" {
				t.Errorf("the failure of dataset %s's rate is not acknowledged, want that of restated", r.Reported[0].Dataset.ID)
			}
		}
	}
	if want := []check.Status{check.Acknowledged, check.Failed}; !slices.Equal(statuses, want) {
		t.Errorf("the rate stated by both datasets: %v, want %v", statuses, want)
	}
	if f := snap.CheckFailures(); f["restated"] != 1 {
		t.Errorf("failures of restated: %d, want 1", f["restated"])
	}
}

// TestNoAcknowledgementsLeaveResultsAlone checks that results of datasets without acknowledgements are as before:
// failures fail and nothing is stale.
func TestNoAcknowledgementsLeaveResultsAlone(t *testing.T) {
	snap := load(t, "testdata/reported.yaml")
	results := check.Run(snap)
	for _, r := range results {
		if r.Status == check.Acknowledged || r.Acknowledgement != nil {
			t.Errorf("%s %s is acknowledged, but the dataset acknowledges nothing", r.Check, r.Subject)
		}
	}
	if stale := check.Stale(snap.Datasets, results); len(stale) > 0 {
		t.Errorf("%d stale acknowledgements of a dataset without any", len(stale))
	}
}
