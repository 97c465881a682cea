package config

import (
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// TestChinaNational loads datasets/china-national.yaml, the national figures
// read in the yearbooks and reports it cites, and pins a handful of them as
// served, the early press figures of 2005 revised by the yearbook, and a
// locator and source on every figure.
func TestChinaNational(t *testing.T) {
	res, err := loadDatasets(t, "../datasets/china-national.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := res.Snapshot
	if len(s.Datasets) != 1 || s.Datasets[0].ID != "china-national" {
		t.Fatalf("datasets %+v", s.Datasets)
	}
	type key struct {
		indicator, program string
		year               int
		period, basis      string
	}
	served := map[key]*dataset.Observation{}
	for _, o := range s.Series {
		served[key{o.Indicator.Name, o.Program, o.Year, o.Period, o.Basis}] = o
	}
	for _, tc := range []struct {
		key     key
		value   float64
		printed string
		source  string
	}{
		{key{"socsec_insured_persons", "employee_pension", 2005, "", ""}, 174870000, "17487.0万", "yb2006-t23-39"},
		{key{"socsec_beneficiaries_persons", "employee_pension", 2005, "", "year_end"}, 43675000, "4367.5万", "yb2006-t23-39"},
		{key{"socsec_fund_income_annual_yuan", "employee_pension", 2005, "", ""}, 509331440000, "50933144万", "yb2006-t23-39"},
		{key{"socsec_insured_persons", "employee_pension", 2010, "", ""}, 257073000, "25707.3万", "yb2011-t21-40"},
		{key{"socsec_fund_balance_yuan", "employee_pension", 2010, "", "year_end"}, 1536530000000, "15365.3亿", "yb2011-t21-40"},
		{key{"socsec_insured_persons", "unemployment", 2008, "", ""}, 123998000, "12399.8万", "yb2009-t22-43"},
		{key{"socsec_insured_persons", "basic_medical", 2009, "", "urban_schemes"}, 401470000, "40147.0万", "yb2010-t22-48"},
		{key{"socsec_insured_persons", "work_injury", 2011, "", ""}, 176959000, "17695.9万", "yb2012-t23-39"},
		{key{"socsec_insured_persons", "maternity", 2007, "", ""}, 77750000, "7775万", "lsy2011-t10-25"},
		{key{"socsec_insured_persons", "basic_pension", 2022, "", ""}, 1050000000, "1.05 billion", "xinhua-2023-01-22"},
		{key{"socsec_insured_persons", "work_injury", 2024, "2024-03", ""}, 290000000, "290 million", "app-2024-05-04"},
	} {
		o := served[tc.key]
		if o == nil {
			t.Errorf("%+v: not served", tc.key)
			continue
		}
		if o.Value != tc.value || o.Printed() != tc.printed || o.Source.ID != tc.source {
			t.Errorf("%+v: served %v (%q) from %s, want %v (%q) from %s", tc.key, o.Value, o.Printed(), o.Source.ID, tc.value, tc.printed, tc.source)
		}
	}
	// The 2005 communique's early figures, reported by the press, are
	// revised by the yearbook's final ones.
	if len(s.Revisions) != 2 || len(s.Conflicts) != 0 {
		t.Errorf("%d revisions, %d unresolved conflicts, want 2 and 0", len(s.Revisions), len(s.Conflicts))
	}
	for _, rv := range s.Revisions {
		if rv.Old.Source.ID != "chinanews-2006-02-28" || rv.Served.Source.ID != "yb2006-t23-39" {
			t.Errorf("revision of %s by %s", rv.Old.Source.ID, rv.Served.Source.ID)
		}
	}
	// Every figure says where in its source it stands, and none copies the
	// source's text.
	obs := s.Datasets[0].Observations
	if len(obs) < 90 {
		t.Errorf("%d figures, want at least 90", len(obs))
	}
	for _, o := range obs {
		if o.Locator() == "" || o.Source.URL == "" {
			t.Errorf("%s: locator %q, source URL %q", o.Pos, o.Locator(), o.Source.URL)
		}
		if o.Quote() != "" {
			t.Errorf("%s: quote %q: the dataset copies no text of a source", o.Pos, o.Quote())
		}
	}
}
