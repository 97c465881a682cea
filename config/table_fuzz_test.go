package config

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// tableFuzzDataset is the dataset of testdata/tables/tables.yaml with one
// observation file, file, mapped as mapping says.
func tableFuzzDataset(f *testing.F, file, mapping string) []byte {
	data, err := os.ReadFile("testdata/tables/tables.yaml")
	if err != nil {
		f.Fatal(err)
	}
	head, _, ok := strings.Cut(string(data), "observation_files:\n")
	if !ok {
		f.Fatal("tables.yaml has no observation_files")
	}
	return []byte(head + "observation_files:\n  - file: " + file + "\n" + mapping)
}

// fuzzTable loads every input as the CSV file of mapping, seeded with the
// CSV files of testdata/tables and the tables of testdata, and checks what every load must keep: every
// problem placed within its file, no figure out of range.
func fuzzTable(f *testing.F, mapping string) {
	yaml := tableFuzzDataset(f, "t.csv", mapping)
	paths, err := filepath.Glob("testdata/tables/*.csv")
	more, err2 := filepath.Glob("testdata/table-*.csv")
	if err != nil || err2 != nil || len(paths) == 0 || len(more) == 0 {
		f.Fatalf("no seeds: %v, %v", err, err2)
	}
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLoad(t, fstest.MapFS{"d.yaml": {Data: yaml}, "t.csv": {Data: data}})
	})
}

func FuzzTableCSV(f *testing.F) {
	fuzzTable(f, `    layout: table
    source: yearbook
    program: basic_pension
    unit: 万人
    indicator: socsec_insured_persons
    columns:
      地区: region
      Region: region
      Coverage (%): {indicator: socsec_coverage_ratio}
      单位: unit
    codes:
      Region: {National Total: CN}
`)
}

// FuzzTableCSVHeaderRows reads every input as a table in a range, with a
// header of two rows and notes.
func FuzzTableCSVHeaderRows(f *testing.F) {
	fuzzTable(f, `    layout: table
    range: A1:F12
    header_rows: 2
    source: yearbook
    year: 2021
    program: basic_pension
    columns:
      地区: region
      Region: region
      城镇职工基本养老保险 / 参保人数(万人): {indicator: socsec_insured_persons}
      城镇职工基本养老保险 / 基金收入(亿元): {indicator: socsec_fund_income_annual_yuan}
`)
}

func FuzzSDMXCSV(f *testing.F) {
	fuzzTable(f, `    layout: sdmx-csv
    source: intl
    program: old_age
    codes:
      MEASURE: {PEN_REC: {indicator: socsec_pension_recipients_persons}, INS: {indicator: socsec_insured_persons}, COV: {indicator: socsec_coverage_ratio, unit: "%"}}
      SEX: {F: {dimensions: {sex: female}}, _T: {dimensions: {sex: all}}}
`)
}

func FuzzILOSTATCSV(f *testing.F) {
	fuzzTable(f, `    layout: ilostat
    source: intl
    codes:
      indicator: {SDG_0131_SEX_SOC_RT: {indicator: socsec_coverage_ratio, unit: "%"}}
      classif1: {SOC_CONTIG_OLD: {program: old_age}}
      obs_status: {U: {}}
`)
}

// FuzzXLSX loads every input as a workbook of layout table, seeded with the
// workbooks of testdata/tables: whatever the bytes, the load ends with
// problems that name their file, or with figures in range.
func FuzzXLSX(f *testing.F) {
	yaml := tableFuzzDataset(f, "t.xlsx", `    range: A1:H40
    header_row: 2
    source: workbook
    indicator: socsec_insured_persons
    program: basic_pension
    unit: 万人
    columns:
      地区: region
    codes:
      地区: {全国: CN}
`)
	paths, err := filepath.Glob("testdata/tables/*.xlsx")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ld := &loader{opts: fuzzOptions(t), ps: &problems{}, catalog: map[string]*dataset.Indicator{}}
		for _, ind := range schema.Catalog() {
			ld.catalog[ind.Name] = ind
		}
		files := fstest.MapFS{"d.yaml": {Data: yaml}, "t.xlsx": {Data: data}}
		ds := ld.parseDataset(embeddedFS{files}, "d.yaml", yaml)
		for _, p := range ld.ps.errors {
			if p.Pos.File == "" || p.Message == "" || p.Pos.Line < 0 || p.Pos.Column < 0 {
				t.Fatalf("problem without a place or message: %+v", p)
			}
		}
		if len(ld.ps.errors) > 0 || ds == nil {
			return
		}
		for _, o := range ds.Observations {
			if math.IsNaN(o.Value) || o.Value < 0 || o.Value != math.Trunc(o.Value) || o.Cell() == nil || o.Cell().Sheet == "" {
				t.Fatalf("accepted an invalid figure: %+v", o)
			}
		}
	})
}
