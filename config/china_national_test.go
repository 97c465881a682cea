package config

import (
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// TestChinaNational loads the embedded default/china-national.yaml, the national figures
// read in the yearbooks and reports it cites, and pins a handful of them as
// served, the early press figures of 2005 revised by the yearbook, and a
// locator and source on every figure.
func TestChinaNational(t *testing.T) {
	res, err := loadDatasets(t, "default/china-national.yaml")
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
		{key{"socsec_insured_persons", "employee_pension", 2013, "", ""}, 322180000, "32,218万人", "chinaorg-2014-05-27-white-paper"},
		{key{"socsec_insured_persons", "resident_pension", 2013, "", ""}, 497500000, "49,750万人", "chinaorg-2014-05-27-white-paper"},
		{key{"socsec_insured_persons", "unemployment", 2009, "", ""}, 127150000, "12715万人", "chinanews-2010-05-19"},
		{key{"socsec_fund_balance_yuan", "unemployment", 2012, "", "year_end"}, 292900000000, "2929亿元", "xiangrikui-2012-unemployment"},
		{key{"socsec_insured_persons", "work_injury", 2023, "", ""}, 302000000, "302 million", "tellerreport-2024-01-24"},
		{key{"socsec_beneficiaries_persons", "unemployment", 2023, "", "during_year"}, 7300000, "7.3 million", "xinhua-2024-10-08"},
		{key{"socsec_insured_persons", "maternity", 2012, "", ""}, 154287000, "15428.7万", "nhfpc-yb2015-maternity"},
		{key{"socsec_fund_balance_yuan", "maternity", 2013, "", "year_end"}, 51470000000, "514.7亿", "nhfpc-yb2015-maternity"},
		{key{"socsec_insured_persons", "work_injury", 2013, "", ""}, 199170000, "19917万人", "caihuajun-2013-work-injury"},
		{key{"socsec_insured_persons", "basic_medical", 2011, "", "urban_schemes"}, 473000000, "4.73亿人", "xinhua-2012-04-18-medical"},
		{key{"socsec_insured_persons", "basic_pension", 2017, "", ""}, 915480000, "91548萬人", "peoplesdaily-2018-05-22"},
		{key{"socsec_insured_persons", "resident_pension", 2015, "", ""}, 504720000, "50472万人", "chyxx-2015-pension"},
		{key{"socsec_beneficiaries_persons", "unemployment", 2021, "", "during_year"}, 6080000, "608万人", "overseas-2021-bulletin"},
		{key{"socsec_fund_balance_yuan", "basic_pension", 2021, "", "year_end"}, 6397000000000, "63970億元", "peoplesdaily-2021-bulletin"},
		{key{"socsec_fund_income_annual_yuan", "basic_medical", 2018, "", ""}, 2109011000000, "21090.11亿元", "xinhua-2019-03-01-medical"},
		{key{"socsec_pension_monthly_per_capita_yuan", "employee_pension", 2014, "", ""}, 2061, "2061元", "shebaodata-2014-annual-report"},
		{key{"socsec_pension_monthly_per_capita_yuan", "employee_pension", 2012, "", ""}, 1721, "1721元", "peoplesdaily-2013-01-26"},
		{key{"socsec_insured_persons", "maternity", 2023, "", ""}, 249000000, "249 million", "xinhua-2024-04-15-maternity"},
		{key{"socsec_insured_persons", "rural_cooperative_medical", 2013, "", ""}, 802000000, "8.02亿人", "qianinfo-2014-06-04-nrcms"},
		{key{"socsec_insured_persons", "unemployment", 2018, "2018-03", ""}, 188000000, "1.88亿人", "cctv-2018-04-27"},
		{key{"socsec_insured_persons", "maternity", 2021, "", ""}, 237520000, "23752万人", "nbs-2022-achievements"},
		{key{"socsec_insured_persons", "basic_medical", 2022, "", ""}, 1345920000, "134592萬人", "peoplesdaily-2022-medical-bulletin"},
		{key{"socsec_insured_persons", "resident_medical", 2020, "", ""}, 1016760000, "101676万人", "overseas-2020-medical-bulletin"},
		{key{"socsec_fund_expenditure_annual_yuan", "basic_pension", 2018, "", ""}, 4755000000000, "47550億元", "qilu-2018-bulletin"},
		{key{"socsec_insured_persons", "unemployment", 2016, "", ""}, 180890000, "18089万人", "huaxia-2016-communique"},
		{key{"socsec_insured_persons", "employee_pension", 2020, "", ""}, 456380000, "45638萬人", "crntt-2021-02-28"},
		{key{"socsec_insured_persons", "employee_pension", 2016, "", ""}, 379300000, "37930万人", "cns-2017-five-years"},
		{key{"socsec_beneficiaries_persons", "work_injury", 2007, "", "during_year"}, 960000, "96萬人", "govcn-2008-03-31-work-injury"},
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
	// The communiques' early figures (2005, 2006 and 2007, as reprinted or
	// reported) are revised by the yearbooks' and the ministry's later ones,
	// a consultancy's 2021 maternity figure by the statistics bureau's, the
	// communiques of 2015 to 2021 and the 2022 medical quick report, flagged
	// provisional, by the final figures, and an earlier press report of 2008
	// by a later one.
	wantRevised := map[string]string{
		"chinanews-2006-02-28":         "yb2006-t23-39",
		"govcn-2006-communique":        "",
		"kaotiyun-2007-communique":     "",
		"chyxx-maternity-2022-04-14":   "nbs-2022-achievements",
		"jrj-2022-medical-express":     "peoplesdaily-2022-medical-bulletin",
		"govcn-2008-02-20-work-injury": "govcn-2008-03-31-work-injury",
		"huaxia-2016-communique":       "cns-2017-five-years",
		"xinhua-2017-communique":       "zhentanlaw-2017-bulletin",
		"workers-2021-communique":      "",
		"crntt-2021-02-28":             "overseas-2020-medical-bulletin",
	}
	if len(s.Revisions) != 31 || len(s.Conflicts) != 0 {
		t.Errorf("%d revisions, %d unresolved conflicts, want 31 and 0", len(s.Revisions), len(s.Conflicts))
	}
	for _, rv := range s.Revisions {
		by, ok := wantRevised[rv.Old.Source.ID]
		sameRank := rv.By.Source.Authority == rv.Old.Source.Authority && rv.Old.Provisional() == rv.By.Provisional()
		outranks := rv.By.Source.Authority < rv.Old.Source.Authority ||
			rv.By.Source.Authority == rv.Old.Source.Authority && rv.Old.Provisional() && !rv.By.Provisional() ||
			sameRank && rv.By.Source.Date().After(rv.Old.Source.Date())
		if !ok || (by != "" && rv.By.Source.ID != by) || !outranks {
			t.Errorf("revision of %s (authority %d) by %s (authority %d) not expected", rv.Old.Source.ID, rv.Old.Source.Authority, rv.By.Source.ID, rv.By.Source.Authority)
		}
	}
	// Every figure says where in its source it stands, and none copies the
	// source's text.
	obs := s.Datasets[0].Observations
	if len(obs) != 451 || len(s.Datasets[0].Sources) != 87 {
		t.Errorf("%d figures from %d sources, want 451 from 87", len(obs), len(s.Datasets[0].Sources))
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
