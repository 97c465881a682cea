package config

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

const chinaProvincesFile = "default/china-provinces/china-provinces.yaml"

// provinceKey names a figure of the china-provinces dataset.
type provinceKey struct {
	indicator, region, program string
	year                       int
	basis                      string
}

func (k provinceKey) String() string {
	return fmt.Sprintf("%s{region=%s,program=%s,basis=%q} %d", k.indicator, k.region, k.program, k.basis, k.year)
}

// loadChinaProvinces loads the dataset alone and indexes its figures.
func loadChinaProvinces(t *testing.T) (*dataset.Dataset, map[provinceKey]*dataset.Observation) {
	t.Helper()
	res, err := loadDatasets(t, chinaProvincesFile)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Snapshot
	if len(s.Datasets) != 1 || s.Datasets[0].ID != "china-provinces" {
		t.Fatalf("datasets %+v, want the one dataset china-provinces", s.Datasets)
	}
	if len(s.Revisions) != 0 || len(s.Conflicts) != 0 {
		t.Errorf("%d revisions and %d unresolved conflicts, want none: every yearbook table gives each figure once", len(s.Revisions), len(s.Conflicts))
	}
	// A figure is read twice only where two tables of the labour yearbook
	// print the same maternity beneficiaries of 2010, and the two agree.
	figures := map[provinceKey]*dataset.Observation{}
	twice := 0
	for _, o := range s.Datasets[0].Observations {
		k := provinceKey{o.Indicator.Name, o.Region, o.Program, o.Year, o.Basis}
		if prev := figures[k]; prev != nil {
			twice++
			if prev.Value != o.Value || prev.Source.ID == o.Source.ID || k.program != "maternity" || k.year != 2010 {
				t.Errorf("%s: read twice, %v at %s from %s and %v at %s from %s", k, prev.Value, prev.Pos, prev.Source.ID, o.Value, o.Pos, o.Source.ID)
			}
		}
		figures[k] = o
	}
	if twice != 5 {
		t.Errorf("%d figures read twice, want 5 (the national row and four provinces of 2010 in tables 10-25 and 10-26)", twice)
	}
	return s.Datasets[0], figures
}

// TestChinaProvinces pins a handful of figures of the yearbook tables by
// region as read with the table layout: value, printed form, source and the
// row and column they were read from; and that every figure cites its
// source's URL and its cell and copies no text.
func TestChinaProvinces(t *testing.T) {
	ds, figures := loadChinaProvinces(t)
	for _, tc := range []struct {
		key             provinceKey
		value           float64
		printed, source string
		row, column     string
	}{
		{provinceKey{"socsec_insured_persons", "140000", "employee_pension", 2010, ""}, 5910000, "591.0万", "yb2011-t21-40",
			"Shanxi", "Urban Employee Basic Pension Insurance Contributors at Year-end (10 000 persons)"},
		{provinceKey{"socsec_insured_persons", "140000", "employee_pension", 2004, ""}, 3767000, "376.7万", "yb2005-t23-40",
			"Shanxi", "Contributed in Pension Insurance at the Year-end (10 000 persons)"},
		{provinceKey{"socsec_fund_balance_yuan", "140000", "employee_pension", 2008, "year_end"}, 39080000000, "390.8亿", "yb2009-t22-42",
			"Shanxi", "Balance at Year-end"},
		{provinceKey{"socsec_fund_income_annual_yuan", "440000", "employee_pension", 2004, ""}, 37356590000, "3735659万", "yb2005-t23-40",
			"Guangdong", "Revenue"},
		{provinceKey{"socsec_insured_employees_persons", "150000", "employee_pension", 2010, ""}, 3115000, "311.5万", "yb2011-t21-40",
			"Inner Mongolia", "Number of Staff and Workers"},
		{provinceKey{"socsec_insured_retirees_persons", "620000", "employee_medical", 2008, ""}, 688000, "68.8万", "yb2009-t22-44",
			"Gansu", "Retirees"},
		{provinceKey{"socsec_beneficiaries_persons", "650000", "unemployment", 2008, "year_end"}, 61000, "6.1万", "yb2009-t22-43",
			"Xinjiang", "Beneficiaries of Unemployment Insurance Fund (10 000 persons)"},
		{provinceKey{"socsec_insured_persons", "540000", "work_injury", 2011, ""}, 118000, "11.8万", "yb2012-t23-39",
			"Tibet", "Work Injury Insurance Contributors at Year-end (10 000 persons)"},
		{provinceKey{"socsec_fund_balance_yuan", "650000", "maternity", 2010, "year_end"}, 990000000, "9.9亿", "lsy2011-t10-26",
			"Xinjiang", "Balance at the Year-end"},
		{provinceKey{"socsec_insured_persons", "140000", "rural_cooperative_medical", 2008, ""}, 20897800, "2089.78万", "yb2009-t21-47",
			"Shanxi", "Number of Persons Participated (10 000 persons)"},
		{provinceKey{"socsec_insured_persons", "140000", "maternity", 2007, ""}, 1044000, "104.4万", "lsy2011-t10-25",
			"Shanxi", "2007 Contributors at the Year-end"},
		{provinceKey{"socsec_beneficiaries_persons", "320000", "rural_pension", 2008, "during_year"}, 1764000, "176.4万", "yb2009-t22-47",
			"Jiangsu", "Farmer Beneficiaries in the Year"},
		{provinceKey{"socsec_insured_persons", "CN", "employee_pension", 2008, ""}, 218911000, "21891.1万", "yb2009-t22-42",
			"National Total", "Urban Basic Pension Insurance Contributors at Year-end (10 000 persons)"},
		{provinceKey{"socsec_insured_persons", "350000", "resident_pension", 2019, ""}, 15541400, "1554.14万", "fj-yb2020-t21-19",
			"Fujian", "People Participated in Residents of Social Endowment Insurance in Urban and Rural Areas"},
		{provinceKey{"socsec_insured_persons", "350000", "basic_medical", 2019, ""}, 37881000, "3788.10万", "fj-yb2020-t21-19",
			"Fujian", "People Participated in Basic Medical Insurance at the Year-end"},
	} {
		o := figures[tc.key]
		if o == nil {
			t.Errorf("%s: not read", tc.key)
			continue
		}
		if o.Value != tc.value || o.Printed() != tc.printed || o.Source.ID != tc.source {
			t.Errorf("%s: read %v (printed %q) from %s, want %v (%q) from %s", tc.key, o.Value, o.Printed(), o.Source.ID, tc.value, tc.printed, tc.source)
		}
		if c := o.Cell(); c == nil || c.Row != tc.row || c.Column != tc.column {
			t.Errorf("%s: cell %+v, want row %q, column %q", tc.key, c, tc.row, tc.column)
		}
	}
	// A cell the table leaves empty is no figure: Tibet's beneficiaries of
	// work injury insurance in 2011.
	if o := figures[provinceKey{"socsec_beneficiaries_persons", "540000", "work_injury", 2011, "year_end"}]; o != nil {
		t.Errorf("Tibet's empty cell of 2011 read as %v at %s", o.Value, o.Pos)
	}
	// A column mapped to ignore is no figure: the Fujian table's employees
	// in work of basic pension insurance, whose scope the table leaves open.
	for k, o := range figures {
		if k.region == "350000" && k.year == 2019 && k.program != "resident_pension" && k.program != "basic_medical" {
			t.Errorf("%s: read %v at %s from the Fujian table's ignored columns", k, o.Value, o.Pos)
		}
	}
	// Liaoning's figures read in text, not in a table: pinned with their
	// source and the place in it.
	for _, tc := range []struct {
		key             provinceKey
		value           float64
		printed, source string
	}{
		{provinceKey{"socsec_insured_persons", "210000", "employee_pension", 2011, ""}, 15567000, "1556.7万", "ln-gb2011-p4"},
		{provinceKey{"socsec_insured_persons", "210000", "employee_pension", 2016, ""}, 18003000, "1800.30万", "ln-pension-2001-2016"},
		{provinceKey{"socsec_beneficiaries_persons", "210000", "employee_pension", 2001, "year_end"}, 2888800, "288.88万", "ln-pension-2001-2016"},
		{provinceKey{"socsec_fund_expenditure_annual_yuan", "210000", "employee_pension", 2016, ""}, 193030000000, "1930.3亿", "ln-pension-2001-2016"},
	} {
		o := figures[tc.key]
		if o == nil {
			t.Errorf("%s: not read", tc.key)
			continue
		}
		if math.Abs(o.Value-tc.value) > 1e-6*tc.value || o.Printed() != tc.printed || o.Source.ID != tc.source {
			t.Errorf("%s: read %v (printed %q) from %s, want %v (%q) from %s", tc.key, o.Value, o.Printed(), o.Source.ID, tc.value, tc.printed, tc.source)
		}
	}
	// Every figure cites its source's URL and where it stands there: the
	// cell of a table, or, for the figures read in text (Liaoning's alone),
	// a locator.
	for _, o := range ds.Observations {
		if o.Source == nil || o.Source.URL == "" {
			t.Errorf("%s: source %+v: every figure cites its source's URL", o.Pos, o.Source)
			continue
		}
		if o.Cell() == nil && (o.Locator() == "" || o.Region != "210000") {
			t.Errorf("%s: no cell, locator %q, region %s: a figure not read in a table is one of Liaoning's and gives a locator", o.Pos, o.Locator(), o.Region)
		}
		if o.Quote() != "" {
			t.Errorf("%s: quote %q: the dataset copies no text of a source", o.Pos, o.Quote())
		}
	}
}

// TestChinaProvincesCounts pins how much of the tables could be read: the
// figures, provinces and years (2001 to 2003, 2005 and 2007 of maternity and of Liaoning only, 2016 of Liaoning
// only, 2019 of Fujian only), and the provinces with three years of participants of the employees' pension (2004,
// 2008 and 2010) and Liaoning's six (those three, and 2001, 2011 and 2016 read in text).
func TestChinaProvincesCounts(t *testing.T) {
	ds, figures := loadChinaProvinces(t)
	if got, want := len(ds.Observations), 1602; got != want {
		t.Errorf("%d figures, want %d", got, want)
	}
	provinces := map[string]bool{}
	years := map[int]bool{}
	pensionYears := map[string]int{}
	for k := range figures {
		years[k.year] = true
		if k.region == "CN" {
			continue
		}
		provinces[k.region] = true
		if k.indicator == "socsec_insured_persons" && k.program == "employee_pension" {
			pensionYears[k.region]++
		}
	}
	if len(provinces) != 31 {
		t.Errorf("%d provinces with figures, want 31", len(provinces))
	}
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	if fmt.Sprint(ys) != "[2001 2002 2003 2004 2005 2006 2007 2008 2009 2010 2011 2016 2019]" {
		t.Errorf("years %v, want [2001 2002 2003 2004 2005 2006 2007 2008 2009 2010 2011 2016 2019]", ys)
	}
	threeYears, fiveOrMore := 0, 0
	for _, n := range pensionYears {
		if n == 3 {
			threeYears++
		}
		if n >= 5 {
			fiveOrMore++
		}
	}
	if len(pensionYears) != 27 || threeYears != 21 || fiveOrMore != 1 || pensionYears["210000"] != 6 {
		t.Errorf("%d provinces with pension participants, %d of them in 3 years, %d in 5 or more, Liaoning in %d; want 27, 21, 1 and 6",
			len(pensionYears), threeYears, fiveOrMore, pensionYears["210000"])
	}
}

// TestChinaProvincesAddUp checks the sums the tables imply, which a
// declared total cannot state: in every row, participants are the
// participants in work plus the retirees; and in the tables read whole, the
// provinces add up to the national row. Each sum holds within what the
// printed figures allow.
func TestChinaProvincesAddUp(t *testing.T) {
	_, figures := loadChinaProvinces(t)
	bounds := func(os ...*dataset.Observation) (lo, hi float64) {
		for _, o := range os {
			l, h := o.Bounds()
			lo, hi = lo+l, hi+h
		}
		return lo, hi
	}
	meets := func(a, b []*dataset.Observation) bool {
		alo, ahi := bounds(a...)
		blo, bhi := bounds(b...)
		eps := 1e-6 * math.Max(ahi, bhi)
		return alo <= bhi+eps && blo <= ahi+eps
	}
	rows := 0
	for k, total := range figures {
		if k.indicator != "socsec_insured_persons" {
			continue
		}
		retirees := provinceKey{"socsec_beneficiaries_persons", k.region, k.program, k.year, "year_end"}
		if k.program == "employee_medical" {
			retirees = provinceKey{"socsec_insured_retirees_persons", k.region, k.program, k.year, ""}
		}
		emp, ret := figures[provinceKey{"socsec_insured_employees_persons", k.region, k.program, k.year, ""}], figures[retirees]
		if emp == nil || ret == nil {
			continue
		}
		rows++
		if !meets([]*dataset.Observation{total}, []*dataset.Observation{emp, ret}) {
			t.Errorf("%s: %s is not %s + %s within the printed precision", k, total.Printed(), emp.Printed(), ret.Printed())
		}
	}
	if rows != 135 {
		t.Errorf("%d rows with participants, employees and retirees, want 135 (133 rows of the tables, Liaoning's 2001 and 2016)", rows)
	}
	// In every table read whole, the provinces add up to the national row.
	type group struct {
		indicator, program string
		year               int
		basis              string
	}
	national := map[group]*dataset.Observation{}
	provinces := map[group][]*dataset.Observation{}
	for k, o := range figures {
		g := group{k.indicator, k.program, k.year, k.basis}
		if k.region == "CN" {
			national[g] = o
		} else {
			provinces[g] = append(provinces[g], o)
		}
	}
	sums := 0
	for g, n := range national {
		parts := provinces[g]
		if len(parts) != 31 {
			continue // A table read in part, or Tibet's empty cell of 2011.
		}
		sums++
		if !meets([]*dataset.Observation{n}, parts) {
			lo, hi := bounds(parts...)
			t.Errorf("%+v: national %s, the 31 provinces add up to %v..%v; want them to agree", g, n.Printed(), lo, hi)
		}
	}
	if sums != 20 {
		t.Errorf("%d national rows checked against the sum of the provinces, want 20", sums)
	}
}

// TestChinaProvincesWithNational loads the provinces beside the national
// dataset: the national rows both enter from the same tables are one figure,
// never a conflict.
func TestChinaProvincesWithNational(t *testing.T) {
	res, err := loadDatasets(t, "default/china-national.yaml", chinaProvincesFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Snapshot.Conflicts {
		t.Errorf("unresolved conflict: %+v", c)
	}
}
