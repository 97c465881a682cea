package config

import (
	"archive/zip"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// tableFigure is what a test expects of one figure read from a table.
type tableFigure struct {
	value, precision float64
	printed          string
	period           string
	flags            []string
	note             string
	cell             *dataset.Cell
	pos              string
}

// checkFigures compares the figures read with those a test expects, by
// key: value, precision, printed form, period, flags, note, cell and position.
func checkFigures(t *testing.T, got map[string]*dataset.Observation, want map[string]tableFigure) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		w, o := want[k], got[k]
		if o == nil {
			t.Errorf("no figure %s", k)
			continue
		}
		note := ""
		if o.Words != nil {
			note = o.Words.Note
		}
		if o.Value != w.value || o.Precision != w.precision || o.Printed() != w.printed || o.Period != w.period ||
			!slices.Equal(o.Flags(), w.flags) || note != w.note || !reflect.DeepEqual(o.Cell(), w.cell) || o.Pos.String() != w.pos {
			t.Errorf("%s:\ngot  %v ± %v %q %q %v %q %+v %s\nwant %v ± %v %q %q %v %q %+v %s", k,
				o.Value, o.Precision, o.Printed(), o.Period, o.Flags(), note, o.Cell(), o.Pos,
				w.value, w.precision, w.printed, w.period, w.flags, w.note, w.cell, w.pos)
		}
	}
}

// figuresByKey loads a dataset and returns its figures by "indicator
// region program year period dims source".
func figuresByKey(t *testing.T, file string) (map[string]*dataset.Observation, *Result) {
	t.Helper()
	res, err := loadDatasets(t, file)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	got := map[string]*dataset.Observation{}
	for _, o := range res.Snapshot.Datasets[0].Observations {
		k := strings.Join([]string{o.Indicator.Name, o.Region, o.Program, strconv.Itoa(o.Year), o.Period, o.DimensionString(), o.Source.ID}, " ")
		if got[k] != nil {
			t.Fatalf("two figures %s", k)
		}
		got[k] = o
	}
	return got, res
}

// TestTableLayouts loads a file of each layout and checks its figures:
// value, precision, printed form, period, flags and where each was read.
func TestTableLayouts(t *testing.T) {
	got, res := figuresByKey(t, "testdata/tables/tables.yaml")
	const pens = "socsec_pension_recipients_persons JP old_age 2022  sex="
	// The notes below a table are every figure's of it.
	const portalNotes, workbookNotes = "注：测试数据，不是统计数字。 数据来源：测试文件", "注：本表数字为测试数据，不是统计数字。"
	want := map[string]tableFigure{
		// A data-portal export: the unit from the mapping, the year from the header.
		"socsec_insured_persons 140000 basic_pension 2022   portal": {value: 9910000, precision: 500, printed: "991.0万", note: portalNotes,
			cell: &dataset.Cell{Row: "山西省", Column: "2022年"}, pos: "testdata/tables/portal.csv:6:12"},
		"socsec_insured_persons 110000 basic_pension 2023   portal": {value: 18015000, precision: 500, printed: "1801.5万", note: portalNotes,
			cell: &dataset.Cell{Row: "北京市", Column: "2023年"}, pos: "testdata/tables/portal.csv:5:5"},
		// A yearbook table: the units from the headers, the year from the mapping.
		"socsec_insured_persons CN basic_pension 2023   yearbook": {value: 521124000, precision: 500, printed: "52,112.4万",
			cell: &dataset.Cell{Row: "National Total", Column: "Number of contributors at year-end (10 000 persons)"}, pos: "testdata/tables/yearbook.csv:2:16"},
		"socsec_fund_income_annual_yuan 140000 basic_pension 2023   yearbook": {value: 2.1e8, precision: 5e6, printed: "2.1亿",
			cell: &dataset.Cell{Row: "Shanxi", Column: "Fund revenue (100 million yuan)"}, pos: "testdata/tables/yearbook.csv:4:15"},
		"socsec_coverage_ratio 140000 basic_pension 2023   yearbook": {value: 0.885, precision: 0.0005, printed: "88.5%",
			cell: &dataset.Cell{Row: "Shanxi", Column: "Coverage (%)"}, pos: "testdata/tables/yearbook.csv:4:19"},
		// A workbook: the cell as its number format shows it, at its reference.
		"socsec_insured_persons CN basic_pension 2023   workbook": {value: 521124000, precision: 500, printed: "52,112.4万", note: workbookNotes,
			cell: &dataset.Cell{Sheet: "表1", Ref: "表1!B3", Row: "全 国", Column: "2023年"}, pos: "testdata/tables/workbook.xlsx:3:2"},
		"socsec_insured_persons 610000 basic_pension 2022   workbook": {value: 12137000, precision: 500, printed: "1,213.7万", note: workbookNotes,
			cell: &dataset.Cell{Sheet: "表1", Ref: "表1!C6", Row: "陕 西", Column: "2022年"}, pos: "testdata/tables/workbook.xlsx:6:3"},
		// SDMX-CSV 1.0: UNIT_MULT and DECIMALS, OBS_STATUS P.
		pens + "female intl": {value: 21250000, precision: 5000, printed: "21.25 million", pos: "testdata/tables/sdmx-1.csv:2:40"},
		pens + "male intl":   {value: 16500000, precision: 5000, printed: "16.5 million", flags: []string{"provisional"}, pos: "testdata/tables/sdmx-1.csv:3:40"},
		pens + "all intl":    {value: 37750000, precision: 5000, printed: "37.75 million", pos: "testdata/tables/sdmx-1.csv:4:41"},
		// SDMX-CSV 2.0 with semicolons and labels: a quarter, OBS_STATUS E.
		"socsec_insured_persons CN basic_pension 2023 2023-Q3  intl": {value: 1.052e9, precision: 5e5, printed: "10.52亿", period: "2023-Q3", flags: []string{"estimated"}, pos: "testdata/tables/sdmx-2.csv:2:51"},
		"socsec_coverage_ratio CN basic_pension 2022   intl":         {value: 0.925, precision: 0.0005, printed: "92.5%", pos: "testdata/tables/sdmx-2.csv:5:48"},
		// ILOSTAT: percentages, the alias CHN, notes.
		"socsec_coverage_ratio CN old_age 2023   intl": {value: 0.995, precision: 0.0005, printed: "99.5%", note: "note_source: R1:3513", pos: "testdata/tables/ilostat.csv:2:56"},
		"socsec_coverage_ratio CN old_age 2021   intl": {value: 0.987, precision: 0.0005, printed: "98.7%", flags: []string{"estimated"},
			note: "note_indicator: T3:3308; note_source: R1:3513", pos: "testdata/tables/ilostat.csv:3:56"},
		"socsec_coverage_ratio JP old_age 2023   intl": {value: 0.999, precision: 0.0005, printed: "99.9%", note: "note_source: R1:3513", pos: "testdata/tables/ilostat.csv:4:56"},
		// Germany, not declared: the catalog's, by its ISO 3166 codes DE and DEU.
		"socsec_pension_recipients_persons DE old_age 2022  sex=all intl": {value: 21000000, precision: 50000, printed: "21.0 million", pos: "testdata/tables/sdmx-1.csv:5:41"},
		"socsec_coverage_ratio DE old_age 2023   intl":                    {value: 1, precision: 0.005, printed: "100%", note: "note_source: R1:3513", pos: "testdata/tables/ilostat.csv:6:56"},
	}
	checkFigures(t, got, want)
	// Cells that print no figure give none.
	for _, k := range []string{
		"socsec_insured_persons 140000 basic_pension 2021   portal",
		"socsec_coverage_ratio 110000 basic_pension 2023   yearbook",
		"socsec_coverage_ratio 610000 basic_pension 2023   yearbook",
		"socsec_coverage_ratio CN basic_pension 2023   intl",
		"socsec_insured_persons 140000 basic_pension 2022   workbook",
	} {
		if got[k] != nil {
			t.Errorf("a figure %s from a cell without one", k)
		}
	}
	if n := len(got); n != 35 {
		t.Errorf("%d figures, want 35", n)
	}
	// The catalog's region is the dataset's from the cell that first names it.
	var de *dataset.Region
	for _, r := range res.Snapshot.Datasets[0].Regions {
		if r.Code == "DE" {
			de = r
		}
	}
	if want := (dataset.Region{Code: "DE", NameEN: "Germany", Level: "country", Pos: dataset.Position{File: "testdata/tables/sdmx-1.csv", Line: 5, Column: 22}}); de == nil || !reflect.DeepEqual(*de, want) {
		t.Errorf("region DE: got %+v, want %+v", de, want)
	}
	var warnings []string
	for _, w := range res.Warnings {
		if w.Kind == KindSkipped || w.Kind == KindSeriesBreak {
			warnings = append(warnings, w.String())
		}
	}
	wantWarnings := []string{
		`testdata/tables/sdmx-1.csv:4:49: OBS_STATUS: series break: OBS_STATUS B: the source marks a break in the series of socsec_pension_recipients_persons, region JP, at 2022: compare the figures before and after it with care`,
		`testdata/tables/tables.yaml:82:5: observation_files[3]: skipped rows: testdata/tables/ilostat.csv: 2 of 6 rows skipped: codes not mapped under codes: classif1 SOC_CONTIG_CHILD (1); sex SEX_F (1)`,
		`testdata/tables/tables.yaml:76:5: observation_files[2]: skipped rows: testdata/tables/sdmx-1.csv: 1 of 6 rows skipped: codes not mapped under codes: MEASURE PEN_EXP (1)`,
		`testdata/tables/tables.yaml:89:5: observation_files[4]: skipped rows: testdata/tables/sdmx-2.csv: 2 of 4 rows skipped: codes not mapped under codes: OBS_STATUS F (1); ACTION D, deleted (1)`,
	}
	if !slices.Equal(warnings, wantWarnings) {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warnings, "\n"), strings.Join(wantWarnings, "\n"))
	}
}

// TestTableErrors checks the exact message of each way a file may not fit
// its mapping, each at the file, line, column and field to fix.
func TestTableErrors(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"testdata/tables/invalid-tables.yaml", []string{
			// Columns the mapping does not know, and one the file does not have.
			`testdata/tables/invalid-unmapped.csv:1:4: 单位: column "单位" is not mapped: map it under observation_files[0].columns as a key column (region, indicator, …), a column of figures ({indicator: …}) or ignore; a column of figures of a year is named by it (2023, 2023年, 2023-Q3)`,
			`testdata/tables/invalid-unmapped.csv:1:13: 备注: column "备注" is not mapped: map it under observation_files[0].columns as a key column (region, indicator, …), a column of figures ({indicator: …}) or ignore; a column of figures of a year is named by it (2023, 2023年, 2023-Q3)`,
			`testdata/tables/invalid-tables.yaml:53:7: observation_files[0].columns.单位 (unit): column "单位 (unit)" is not in the header of testdata/tables/invalid-unmapped.csv (row 1), which has columns "地区", "单位", "2023年", "备注"`,
			// Regions: ambiguous, unknown, missing; figures; a row longer than the header.
			`testdata/tables/invalid-regions.csv:2:1: 地 区: "全 国" may name region CN (中国) or JP (日本): name it by its code; or map it under observation_files[1].codes`,
			`testdata/tables/invalid-regions.csv:3:5: 2023年: "1,020.3" (1020.3) is not a whole number: socsec_insured_persons counts persons`,
			`testdata/tables/invalid-regions.csv:4:5: 2023年: 1260.4 is not a whole number: socsec_insured_persons counts persons`,
			`testdata/tables/invalid-regions.csv:4:12: 2022年: must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got "12.3.4"`,
			`testdata/tables/invalid-regions.csv:5:1: 地 区: neither the dataset nor the built-in catalog of regions has a region of code or name "朝 阳": declare it under regions (name or name_en as the table prints it); or map it under observation_files[1].codes`,
			`testdata/tables/invalid-regions.csv:6:1: 地 区: empty region cell: every row names its region`,
			`testdata/tables/invalid-regions.csv:7:9: a cell past the header's 3 columns: the table does not fit its header (row 1)`,
			`testdata/tables/invalid-regions.csv:1:1: the table has 7 rows, no header row 9 (header_row)`,
			// Mappings that are wrong in themselves.
			`testdata/tables/invalid-tables.yaml:65:13: observation_files[3].layout: unknown layout "tabular": use long, table, sdmx-csv, ilostat`,
			`testdata/tables/invalid-tables.yaml:67:5: observation_files[4].codes: layout long takes no codes`,
			`testdata/tables/invalid-tables.yaml:67:22: observation_files[4].codes.地区.全国: must be a mapping of what the code stands for ({program: old_age_pension}, {dimensions: {sex: female}}): the codes of 地区 name no one field`,
			`testdata/tables/invalid-tables.yaml:72:12: observation_files[5].sheet: only a workbook (.xlsx) has sheets`,
			`testdata/tables/invalid-tables.yaml:71:11: observation_files[5].unit: unknown unit "10 000 households": use %, a multiplier (万, 亿, thousand, million, 10 000, 100 million) and what is counted (人, 元, persons, yuan), e.g. 万人 or 100 million yuan`,
			`testdata/tables/invalid-tables.yaml:73:5: observation_files[6]: invalid-regions.xlsx is a workbook: give it as a mapping with layout table ({file: invalid-regions.xlsx, layout: table, sheet: …, columns: …})`,
		}},
		{"testdata/tables/invalid-sdmx.yaml", []string{
			`testdata/tables/invalid-not-sdmx.csv:1:1: not an SDMX-CSV file: its first column is DATAFLOW (1.0) or STRUCTURE (2.0), followed by a comma, semicolon or tab; found "FLOW,REF_AREA,TIME_PERIOD,OBS_VALUE"`,
			`testdata/tables/invalid-sdmx-columns.csv:1:1: OBS_VALUE: missing column OBS_VALUE: an SDMX-CSV file has DATAFLOW (1.0) or STRUCTURE, STRUCTURE_ID (2.0), the dimensions, TIME_PERIOD, OBS_VALUE and attributes; found columns "DATAFLOW", "REF_AREA", "MEASURE", "TIME_PERIOD", "VALUE"`,
			`testdata/tables/invalid-sdmx.yaml:57:88: observation_files[2].codes.MEASURE.COV: must be a mapping of what the code stands for ({program: old_age_pension}, {dimensions: {sex: female}}): the codes of MEASURE name no one field`,
			`testdata/tables/invalid-sdmx-2.csv:3:36: TIME_PERIOD: must be a year or a period (2023, 2023-Q3, 2023-09, 2023-S1, 2023-09-30), got "2023-Q5"`,
			`testdata/tables/invalid-sdmx-2.csv:4:49: UNIT_MULT: must be a power of ten from -15 to 15 (6 for millions), got "eight"`,
			`testdata/tables/invalid-sdmx-2.csv:7:41: OBS_VALUE: ratio 1.931 is outside 0..1 (write 93.2 % as 0.932)`,
			`testdata/tables/invalid-sdmx-2.csv:8:49: DECIMALS: must be a number of decimals from 0 to 15, got "-1"`,
			`testdata/tables/invalid-sdmx.yaml:70:7: observation_files[4].codes.classif3: column classif3 is not in testdata/tables/invalid-ilostat.csv, which has columns "ref_area", "source", "indicator", "sex", "classif1", "time", "obs_value", "obs_status"`,
			`testdata/tables/invalid-ilostat.csv:2:56: obs_value: ratio 99.5 is outside 0..1 (write 93.2 % as 0.932)`,
			`testdata/tables/invalid-ilostat.csv:3:51: time: must be a year or a period (2023, 2023-Q3, 2023-09, 2023-S1, 2023-09-30), got "2022M13"`,
		}},
		// A file separated by semicolons: the quote that opens a field is found
		// past the semicolons, as past the commas of another.
		{"testdata/tables/invalid-sdmx-quote.yaml", []string{
			`testdata/tables/invalid-sdmx-unclosed-quote.csv:2:35: invalid CSV: the quote that opens this field is never closed`,
			`testdata/tables/invalid-sdmx-quote-runs-on.csv:2:35: invalid CSV: the quoted field that starts here ends at line 3, column 11 with a quote not followed by a semicolon or a line break: a quote within a field is written twice ("")`,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := loadDatasets(t, tc.file)
			got := problemLines(t, err)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestParseTimeLabel reads the years and periods tables print.
func TestParseTimeLabel(t *testing.T) {
	for in, want := range map[string][2]string{
		"2023": {"2023", ""}, "2023年": {"2023", ""}, "2023-Q3": {"2023", "2023-Q3"}, "2023Q3": {"2023", "2023-Q3"},
		"2023年第三季度": {"2023", "2023-Q3"}, "2023年9月": {"2023", "2023-09"}, "2023-09": {"2023", "2023-09"},
		"2023M09": {"2023", "2023-09"}, "2023-S1": {"2023", "2023-H1"}, "2023年上半年": {"2023", "2023-H1"},
		"2023-09-30": {"2023", "2023-09-30"}, "2023 [YR2023]": {"2023", ""}, "２０２３年": {"2023", ""},
	} {
		y, p, ok := parseTimeLabel(in)
		if !ok || y != want[0] || p != want[1] {
			t.Errorf("parseTimeLabel(%q) = %q, %q, %v, want %q, %q", in, y, p, ok, want[0], want[1])
		}
	}
	for _, in := range []string{"", "Region", "2023-Q5", "2023M13", "23", "2023年13月", "Shanxi 2023"} {
		if y, p, ok := parseTimeLabel(in); ok {
			t.Errorf("parseTimeLabel(%q) = %q, %q, want none", in, y, p)
		}
	}
}

// TestParseUnitText reads the units tables state.
func TestParseUnitText(t *testing.T) {
	for in, want := range map[string]int{
		"万人": 4, "亿元": 8, "万亿元": 12, "10 000 persons": 4, "10000 persons": 4, "100 million yuan": 8,
		"%": -2, "percent": -2, "thousands": 3, "persons": 0, "yuan": 0, "1 000 persons": 3, "million": 6,
	} {
		if got, ok := parseUnitText(in); !ok || got != want {
			t.Errorf("parseUnitText(%q) = %d, %v, want %d", in, got, ok, want)
		}
	}
	if got, ok := unitInHeader("参保人数（万人）"); !ok || got != 4 {
		t.Errorf("unitInHeader(参保人数（万人）) = %d, %v, want 4", got, ok)
	}
	for _, in := range []string{"10 000 households", "year-end", "", "20 persons"} {
		if got, ok := parseUnitText(in); ok {
			t.Errorf("parseUnitText(%q) = %d, want none", in, got)
		}
	}
}

// TestRegionNames finds regions as tables print them, and refuses a name
// that fits more than one.
func TestRegionNames(t *testing.T) {
	ix := newRegionNames([]*dataset.Region{
		{Code: "CN", Name: "中国", NameEN: "China", Level: "country"},
		{Code: "140000", Name: "山西省", NameEN: "Shanxi"},
		{Code: "610000", Name: "陕西省", NameEN: "Shaanxi"},
		{Code: "450000", Name: "广西壮族自治区", NameEN: "Guangxi"},
		{Code: "220000", Name: "吉林省", NameEN: "Jilin"},
		{Code: "220200", Name: "吉林市", NameEN: "Jilin City"},
	})
	for in, want := range map[string]string{
		"Shanxi": "140000", "山西": "140000", "山 西": "140000", "山西省": "140000", "SHAANXI": "610000", "140000": "140000",
		"广西": "450000", "全国": "CN", "全 国": "CN", "National Total": "CN", "China": "CN", "吉林省": "220000", "Jilin": "220000", "吉林市": "220200",
	} {
		if got, msg := ix.resolve(in); got != want {
			t.Errorf("resolve(%q) = %q (%s), want %s", in, got, msg, want)
		}
	}
	for in, want := range map[string]string{
		"吉林":     `"吉林" may name region 220000 (吉林省) or 220200 (吉林市): name it by its code`,
		"Shansi": `no region has the code or name "Shansi": declare it under regions (name or name_en as the table prints it)`,
	} {
		if got, msg := ix.resolve(in); got != "" || msg != want {
			t.Errorf("resolve(%q) = %q, %q, want %q", in, got, msg, want)
		}
	}
}

// TestXLSXErrors checks the messages of workbooks that do not fit their
// mappings, each at the workbook's sheet and cell.
func TestXLSXErrors(t *testing.T) {
	_, err := loadDatasets(t, "testdata/tables/invalid-xlsx.yaml")
	got := problemLines(t, err)
	want := []string{
		`testdata/tables/invalid-xlsx.yaml:55:5: observation_files[0].sheet: testdata/tables/workbook.xlsx has no sheet "Sheet9"; its sheets are "表1"`,
		`testdata/tables/invalid-xlsx.yaml:62:13: observation_files[1].layout: a workbook (.xlsx) is read with layout table, got sdmx-csv`,
		`testdata/tables/invalid-not-a-workbook.xlsx: not a workbook (.xlsx, a zip archive): zip: not a valid zip file`,
		`testdata/tables/workbook.xlsx:3:1: 表1!A3: "全 国" may name region CN (中国) or JP (日本): name it by its code; or map it under observation_files[3].codes`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// What a workbook unpacks to is held to the limit of a file.
	_, err = Load(Options{Datasets: []string{"testdata/tables/tables.yaml"}, Now: testNow, Limits: Limits{MaxFileBytes: 10_000}})
	got = problemLines(t, err)
	want = []string{`testdata/tables/workbook.xlsx: the workbook unpacks to 18916 bytes, over the limit of 10000 bytes (--dataset.max-file-bytes)`}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLongLayoutAsMapping reads a CSV file of one figure per row named by
// a mapping as it is named by its file name alone.
func TestLongLayoutAsMapping(t *testing.T) {
	yaml, err := os.ReadFile("testdata/valid-observations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile("testdata/valid-observations.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mapped := strings.Replace(string(yaml), "  - valid-observations.csv\n", "  - {file: valid-observations.csv, layout: long}\n", 1)
	writeFiles(t, dir, map[string]string{"d.yaml": mapped, "valid-observations.csv": string(csv)})
	res, err := loadDatasets(t, filepath.Join(dir, "d.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := loadDatasets(t, "testdata/valid-observations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := res.Snapshot.Datasets[0].Observations, plain.Snapshot.Datasets[0].Observations; len(a) != 2 || len(a) != len(b) || a[0].Value != b[0].Value || a[1].Value != b[1].Value {
		t.Errorf("read %d figures as a mapping, %d by the file's name", len(a), len(b))
	}
}

// TestTableRangeAndHeaderRows reads a table from a range of a CSV file,
// each figure at its place in the file, and a table whose header has a
// group row over a column row, and keeps the notes below each as every
// figure's note; the regions are the catalog's.
func TestTableRangeAndHeaderRows(t *testing.T) {
	got, res := figuresByKey(t, "testdata/table-range.yaml")
	const rangeNote, headerNote = "Note: test figures.", "注：测试数字，不是统计数字。 1. 第二行注释。"
	const pension, unemployment = "城镇职工基本养老保险 / ", "失业保险 / "
	want := map[string]tableFigure{
		"socsec_insured_persons 140000 employee_pension 2022   test": {value: 1001000, precision: 500, printed: "100.1万", note: rangeNote,
			cell: &dataset.Cell{Row: "Shanxi", Column: "2022"}, pos: "testdata/table-range.csv:4:9"},
		"socsec_insured_persons 140000 employee_pension 2023   test": {value: 1012000, precision: 500, printed: "101.2万", note: rangeNote,
			cell: &dataset.Cell{Row: "Shanxi", Column: "2023"}, pos: "testdata/table-range.csv:4:15"},
		"socsec_insured_persons 110000 employee_pension 2022   test": {value: 2001000, precision: 500, printed: "200.1万", note: rangeNote,
			cell: &dataset.Cell{Row: "Beijing", Column: "2022"}, pos: "testdata/table-range.csv:5:10"},
		"socsec_insured_persons 140000 employee_pension 2021   test": {value: 1001000, precision: 500, printed: "100.1万", note: headerNote,
			cell: &dataset.Cell{Row: "山 西", Column: pension + "参保人数(万人)"}, pos: "testdata/table-header.csv:3:5"},
		"socsec_fund_income_annual_yuan 140000 employee_pension 2021   test": {value: 1.02e9, precision: 5e6, printed: "10.2亿", note: headerNote,
			cell: &dataset.Cell{Row: "山 西", Column: pension + "基金收入(亿元)"}, pos: "testdata/table-header.csv:3:11"},
		"socsec_insured_persons 150000 unemployment 2021   test": {value: 402000, precision: 500, printed: "40.2万", note: headerNote,
			cell: &dataset.Cell{Row: "内蒙古", Column: unemployment + "参保人数(万人)"}, pos: "testdata/table-header.csv:4:14"},
	}
	checkFigures(t, got, want)
	// Beijing 2023 is "-", 内蒙古's unemployment fund "…"; outside the range
	// and below the notes, nothing is read.
	if n := len(got); n != 10 {
		t.Errorf("%d figures, want 10: %v", n, slices.Sorted(maps.Keys(got)))
	}
	var regions []string
	for _, r := range res.Snapshot.Regions {
		regions = append(regions, r.Code+" "+r.Name+" "+r.NameEN+" "+r.Level+" "+r.Parent)
	}
	wantRegions := []string{"110000 北京市 Beijing province CN", "140000 山西省 Shanxi province CN", "150000 内蒙古自治区 Inner Mongolia province CN", "CN 中国 China country "}
	if !slices.Equal(regions, wantRegions) {
		t.Errorf("regions taken from the catalog:\n%s\nwant\n%s", strings.Join(regions, "\n"), strings.Join(wantRegions, "\n"))
	}
	for _, w := range res.Warnings {
		if w.Kind == KindSkipped {
			t.Errorf("a note counted as a skipped row: %s", w)
		}
	}
}

// TestTableRangeAndHeaderRowsErrors checks the exact message of each range
// and header that does not fit its file.
func TestTableRangeAndHeaderRowsErrors(t *testing.T) {
	_, err := loadDatasets(t, "testdata/table-invalid.yaml")
	got := problemLines(t, err)
	want := []string{
		`testdata/table-invalid.yaml:13:12: observation_files[0].range: must be a range of cells from its top left to its bottom right cell, such as B4:H40, got "B3-D7"`,
		`testdata/table-invalid.yaml:18:12: observation_files[1].range: range D7:B3 ends above or left of where it starts: write its top left cell first, such as B4:H40`,
		`testdata/table-invalid.yaml:21:5: observation_files[2].range: range B30:D40 starts at row 30, below the last row 7 of testdata/table-range.csv`,
		`testdata/table-range.csv:3:2: the table has 2 rows in range B3:D4, no header rows 2 to 3 (header_row, header_rows)`,
		`testdata/table-invalid.yaml:35:18: observation_files[4].header_rows: must be 1 to 5, got 9`,
		// A header of two rows names each column by both.
		`testdata/table-header.csv:2:2: 城镇职工基本养老保险 / 参保人数(万人): column "城镇职工基本养老保险 / 参保人数(万人)" is not mapped: map it under observation_files[5].columns as a key column (region, indicator, …), a column of figures ({indicator: …}) or ignore; a column of figures of a year is named by it (2023, 2023年, 2023-Q3)`,
		`testdata/table-header.csv:2:11: 城镇职工基本养老保险 / 基金收入(亿元): column "城镇职工基本养老保险 / 基金收入(亿元)" is not mapped: map it under observation_files[5].columns as a key column (region, indicator, …), a column of figures ({indicator: …}) or ignore; a column of figures of a year is named by it (2023, 2023年, 2023-Q3)`,
		`testdata/table-header.csv:2:20: 失业保险 / 参保人数(万人): column "失业保险 / 参保人数(万人)" is not mapped: map it under observation_files[5].columns as a key column (region, indicator, …), a column of figures ({indicator: …}) or ignore; a column of figures of a year is named by it (2023, 2023年, 2023-Q3)`,
		`testdata/table-header.csv:2:29: 失业保险 / 基金收入(亿元): column "失业保险 / 基金收入(亿元)" is not mapped: map it under observation_files[5].columns as a key column (region, indicator, …), a column of figures ({indicator: …}) or ignore; a column of figures of a year is named by it (2023, 2023年, 2023-Q3)`,
		`testdata/table-invalid.yaml:45:7: observation_files[5].columns.参保人数(万人): column "参保人数(万人)" is not in the header of testdata/table-header.csv (rows 1 to 2), which has columns "地区", "城镇职工基本养老保险 / 参保…", "城镇职工基本养老保险 / 基金…", "失业保险 / 参保人数(万人)", "失业保险 / 基金收入(亿元)"`,
		`testdata/table-invalid.yaml:48:5: observation_files[6].range: layout sdmx-csv takes no range`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// testWorkbook writes a workbook of one sheet: its cells by reference (a
// float64 shown with one decimal, as a yearbook's sheet formats it), and
// its merged areas.
func testWorkbook(t *testing.T, path, sheet string, cells map[string]any, merged ...string) {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	oneDecimal := "0.0"
	style, err := wb.NewStyle(&excelize.Style{CustomNumFmt: &oneDecimal})
	if err != nil {
		t.Fatal(err)
	}
	for ref, v := range cells {
		if err := wb.SetCellValue(sheet, ref, v); err != nil {
			t.Fatal(err)
		}
		if _, isNumber := v.(float64); isNumber {
			if err := wb.SetCellStyle(sheet, ref, ref, style); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range merged {
		from, to, _ := strings.Cut(m, ":")
		if err := wb.MergeCell(sheet, from, to); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestWorkbookMergedHeader reads a range of a sheet whose header has merged
// cells, a group over two columns and a key column over both header rows,
// as the sheet shows them; each figure and problem names its real cell.
func TestWorkbookMergedHeader(t *testing.T) {
	dir := t.TempDir()
	// Made-up figures: test data, not statistics.
	testWorkbook(t, filepath.Join(dir, "national.xlsx"), "Sheet1", map[string]any{
		"A1": "测试表：数字为虚构，不是统计数字",
		"B3": "地区", "C3": "城镇职工基本养老保险", "E3": "失业保险",
		"C4": "参保人数(万人)", "D4": "基金收入(亿元)", "E4": "参保人数(万人)", "F4": "基金收入(亿元)",
		"B5": "山 西", "C5": 1020.0, "D5": 2.1, "E5": 50.3, "F5": "…",
		"B6": "Inner Mongolia", "C6": 900.5, "D6": 1.0, "E6": 40.2, "F6": 1.9,
		"B7": "全国", "C7": 52112.4, "D7": 95.2, "E7": 2400.8, "F7": 18.3,
		"B9": "注：本表为测试数据。",
		"A7": "outside the range", "H5": "outside the range",
	}, "A1:F1", "B3:B4", "C3:D3", "E3:F3")
	writeFiles(t, dir, map[string]string{"d.yaml": `id: workbook-test
title: Test of a workbook's merged header (made-up figures)
sources:
  - id: test
    title: Test workbook
programs:
  - id: employee_pension
    name: Basic pension insurance for urban employees
  - id: unemployment
    name: Unemployment insurance
observation_files:
  - file: national.xlsx
    range: B3:F9
    header_rows: 2
    year: 2021
    columns:
      地区: region
      城镇职工基本养老保险 / 参保人数(万人): {indicator: socsec_insured_persons, program: employee_pension}
      城镇职工基本养老保险 / 基金收入(亿元): {indicator: socsec_fund_income_annual_yuan, program: employee_pension}
      失业保险 / 参保人数(万人): {indicator: socsec_insured_persons, program: unemployment}
      失业保险 / 基金收入(亿元): {indicator: socsec_fund_income_annual_yuan, program: unemployment}
`})
	got, _ := figuresByKey(t, filepath.Join(dir, "d.yaml"))
	file := filepath.Join(dir, "national.xlsx")
	const note = "注：本表为测试数据。"
	want := map[string]tableFigure{
		"socsec_insured_persons CN employee_pension 2021   test": {value: 521124000, precision: 500, printed: "52112.4万", note: note,
			cell: &dataset.Cell{Sheet: "Sheet1", Ref: "Sheet1!C7", Row: "全国", Column: "城镇职工基本养老保险 / 参保人数(万人)"}, pos: file + ":7:3"},
		// 1020.0 as its format shows it: to the tenth.
		"socsec_insured_persons 140000 employee_pension 2021   test": {value: 10200000, precision: 500, printed: "1020.0万", note: note,
			cell: &dataset.Cell{Sheet: "Sheet1", Ref: "Sheet1!C5", Row: "山 西", Column: "城镇职工基本养老保险 / 参保人数(万人)"}, pos: file + ":5:3"},
		"socsec_fund_income_annual_yuan 150000 unemployment 2021   test": {value: 1.9e8, precision: 5e6, printed: "1.9亿", note: note,
			cell: &dataset.Cell{Sheet: "Sheet1", Ref: "Sheet1!F6", Row: "Inner Mongolia", Column: "失业保险 / 基金收入(亿元)"}, pos: file + ":6:6"},
	}
	checkFigures(t, got, want)
	if n := len(got); n != 11 {
		t.Errorf("%d figures, want 11 (12 cells, one …): %v", n, slices.Sorted(maps.Keys(got)))
	}

	// A problem names the sheet's cell, in the range as out of it.
	testWorkbook(t, filepath.Join(dir, "national.xlsx"), "Sheet1", map[string]any{
		"B3": "地区", "C3": "2021年", "B4": "山西", "C4": 1020.3, "D4": "past the header", "B5": "陕西", "C5": "12.3.4",
	})
	writeFiles(t, dir, map[string]string{"d.yaml": `id: workbook-test
title: Test of a workbook's cells that do not fit (made-up figures)
sources:
  - id: test
    title: Test workbook
programs:
  - id: employee_pension
    name: Basic pension insurance for urban employees
observation_files:
  - file: national.xlsx
    range: B3:D5
    indicator: socsec_insured_persons
    program: employee_pension
    unit: 万人
    columns:
      地区: region
`})
	_, err := loadDatasets(t, filepath.Join(dir, "d.yaml"))
	lines := problemLines(t, err)
	for i := range lines {
		lines[i] = strings.TrimPrefix(lines[i], dir+string(filepath.Separator))
	}
	wantLines := []string{
		`national.xlsx:4:4: Sheet1!D4: a cell past the header's 2 columns: the table does not fit its header (row 3)`,
		`national.xlsx:5:3: Sheet1!C5: must be a number or a figure as printed (3512, 3,512, 32.45 million, 5.81亿, 2.48万亿), got "12.3.4万"`,
	}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
}

// columnOverRowDataset is a table whose rows set a dimension and a source
// by key cells and codes, and whose columns set the year, a dimension, the
// flags, the source and the unit over the row's and the file's; rows is
// the table's rows after its header.
func columnOverRowDataset(rows string) map[string]string {
	return map[string]string{
		"d.yaml": `id: layers
title: Test of a table's columns over its rows (made-up figures)
sources:
  - id: test
    title: Test table
  - id: other
    title: Another test table
programs:
  - id: basic_pension
    name: Basic pension
indicators:
  - name: socsec_pension_recipients_persons
    help: Persons drawing a pension.
    unit: persons
    dimensions: [sex, age]
observation_files:
  - file: t.csv
    layout: table
    dimensions: {age: all}
    source: test
    indicator: socsec_pension_recipients_persons
    program: basic_pension
    unit: 万人
    flags: [estimated]
    columns:
      地区: region
      性别: dimensions.sex
      Over 60 2018: {year: 2018, dimensions: {age: over_60}}
      Women 2022: {year: 2022, dimensions: {sex: female}}
      2021 (persons): {year: 2021, flags: [provisional], source: other}
      Total 2019: {year: 2019, unit: 人}
    codes:
      性别: {男: male, 女: female, 全体: {dimensions: {sex: all}, source: other}, 退休: {dimensions: {sex: all}, source: test}, 其他: n/a}
`,
		"t.csv": "地区,性别,Over 60 2018,Women 2022,2021 (persons),2020,Total 2019\n" + rows,
	}
}

// TestTableColumnOverRow checks what a figure of a table is when its column
// and its row both set its fields: the column's settings over the row's and
// the file's, each field placed where it is set, and the exact message when
// a column and a row set one field to two values.
func TestTableColumnOverRow(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, columnOverRowDataset("山西,女,0.5,1.5,25000,2.5,30000\n北京,全体,,,45000,4.5,\n"))
	got, _ := figuresByKey(t, filepath.Join(dir, "d.yaml"))
	file := filepath.Join(dir, "t.csv")
	const pens = "socsec_pension_recipients_persons "
	want := map[string]tableFigure{
		// A dimension of the column over the file's, for that column alone.
		pens + "140000 basic_pension 2018  sex=female,age=over_60 test": {value: 5000, precision: 500, printed: "0.5万", flags: []string{"estimated"},
			cell: &dataset.Cell{Row: "山西 / 女", Column: "Over 60 2018"}, pos: file + ":2:6"},
		"socsec_pension_recipients_persons 140000 basic_pension 2022  sex=female,age=all test": {value: 15000, precision: 500, printed: "1.5万", flags: []string{"estimated"},
			cell: &dataset.Cell{Row: "山西 / 女", Column: "Women 2022"}, pos: file + ":2:10"},
		// The column's flags and source over the file's, its header's unit over the file's.
		pens + "140000 basic_pension 2021  sex=female,age=all other": {value: 25000, precision: 0.5, printed: "", flags: []string{"provisional"},
			cell: &dataset.Cell{Row: "山西 / 女", Column: "2021 (persons)"}, pos: file + ":2:14"},
		pens + "140000 basic_pension 2020  sex=female,age=all test": {value: 25000, precision: 500, printed: "2.5万", flags: []string{"estimated"},
			cell: &dataset.Cell{Row: "山西 / 女", Column: "2020"}, pos: file + ":2:20"},
		// The column's unit over the file's.
		pens + "140000 basic_pension 2019  sex=female,age=all test": {value: 30000, precision: 0.5, printed: "", flags: []string{"estimated"},
			cell: &dataset.Cell{Row: "山西 / 女", Column: "Total 2019"}, pos: file + ":2:24"},
		// A code that sets the source as the column does.
		pens + "110000 basic_pension 2021  sex=all,age=all other": {value: 45000, precision: 0.5, printed: "", flags: []string{"provisional"},
			cell: &dataset.Cell{Row: "北京 / 全体", Column: "2021 (persons)"}, pos: file + ":3:9"},
		pens + "110000 basic_pension 2020  sex=all,age=all other": {value: 45000, precision: 500, printed: "4.5万", flags: []string{"estimated"},
			cell: &dataset.Cell{Row: "北京 / 全体", Column: "2020"}, pos: file + ":3:15"},
	}
	checkFigures(t, got, want)
	if n := len(got); n != len(want) {
		t.Errorf("%d figures, want %d: %v", n, len(want), slices.Sorted(maps.Keys(got)))
	}

	writeFiles(t, dir, columnOverRowDataset("山西,男,,1.5,25000,2.5,30000\n北京,其他,,,45000,,\n上海,退休,,,1,2,\n"))
	_, err := loadDatasets(t, filepath.Join(dir, "d.yaml"))
	lines := problemLines(t, err)
	for i := range lines {
		lines[i] = strings.TrimPrefix(lines[i], dir+string(filepath.Separator))
	}
	wantLines := []string{
		`t.csv:2:7: observation_files[0].columns.Women 2022.dimensions.sex: dimensions.sex is "male" by observation_files[0].codes.性别.男 and "female" by observation_files[0].columns.Women 2022.dimensions.sex`,
		`d.yaml:33:125: observation_files[0].codes.性别.其他: "n/a" must match [A-Za-z0-9_.-]+`,
		`t.csv:4:9: observation_files[0].columns.2021 (persons).source: source is "test" by observation_files[0].codes.性别.退休.source and "other" by observation_files[0].columns.2021 (persons).source`,
	}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
}

// TestHasMergeCells checks that a workbook is searched for merged cells
// when a part of it has a mergeCells element, and that excelize finds none
// in a workbook without one, which is not searched.
func TestHasMergeCells(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		merged []string
		want   bool
	}{
		{"plain", nil, false},
		{"merged", []string{"A1:B1"}, true},
	} {
		path := filepath.Join(dir, tc.name+".xlsx")
		testWorkbook(t, path, "Sheet1", map[string]any{"A1": "地区", "A2": "山西", "B2": 1020.3}, tc.merged...)
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := hasMergeCells(&zr.Reader); got != tc.want {
			t.Errorf("%s: hasMergeCells is %v, want %v", tc.name, got, tc.want)
		}
		zr.Close()
		wb, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		merged, err := wb.GetMergeCells("Sheet1")
		wb.Close()
		if err != nil || (len(merged) > 0) != tc.want {
			t.Errorf("%s: excelize finds %d merged areas (%v), want some: %v", tc.name, len(merged), err, tc.want)
		}
	}
}

// piecesTable is a table of pension recipients by province and sex, a
// column a year, with notes above and below. The provinces are the
// catalog's, by the names tables print (山西, Tibet, 全国), so the dataset
// takes each where first named. Every 101st row has a sex with no code (a
// row skipped), every 401st row is blank, and cells here and there print no
// figure; with wrong, cells that are not numbers, a row whose code sets
// the source a column sets otherwise, and a province no one knows. Up to
// row rows/2 a row is of men or of women; after it, every fifth row is of
// both.
func piecesTable(rows int, wrong bool) string {
	provinces := []string{"山西", "北京", "内蒙古", "广东", "全国", "陕西", "Shanghai", "Tibet", "香港"}
	var b strings.Builder
	b.WriteString("注：为测试而编的数字。\n地区,性别,2019,2020,2021 (persons),2022,2023\n")
	for i := range rows {
		region, sex := provinces[(i/37)%len(provinces)], []string{"男", "女"}[i%2]
		switch {
		case i > rows/2 && i%5 == 0:
			sex = "全体"
		case i%101 == 5:
			sex = "其他"
		case wrong && i%211 == 9:
			sex = "退休"
		case wrong && i%307 == 11:
			region = "朝 阳"
		case i%401 == 13:
			b.WriteString(",,,,,,\n")
			continue
		}
		cells := make([]string, 5)
		for y := range cells {
			cells[y] = fmt.Sprintf("%d.%d", 10+i%900, (i+y)%10)
			switch {
			case wrong && (i+y)%97 == 3:
				cells[y] = "12.3.4"
			case (i+y)%13 == 0:
				cells[y] = "…"
			}
		}
		cells[2] = fmt.Sprint(1000 + i)
		fmt.Fprintf(&b, "%s,%s,%s\n", region, sex, strings.Join(cells, ","))
	}
	b.WriteString("数据来源：为测试而编\n")
	return b.String()
}

// piecesTableDataset reads piecesTable from file, declaring no region.
func piecesTableDataset(file string) string {
	return `id: pieces
title: A table read in pieces (made-up figures)
sources:
  - id: test
    title: Test table
  - id: other
    title: Another test table
programs:
  - id: basic_pension
    name: Basic pension
indicators:
  - name: socsec_pension_recipients_persons
    help: Persons drawing a pension.
    unit: persons
    dimensions: [sex]
observation_files:
  - file: ` + file + `
    layout: table
    header_row: 2
    source: test
    indicator: socsec_pension_recipients_persons
    program: basic_pension
    unit: 万人
    columns:
      地区: region
      性别: dimensions.sex
      2021 (persons): {year: 2021, source: other}
    codes:
      性别: {男: male, 女: female, 全体: all, 退休: {dimensions: {sex: all}, source: test}}
`
}

// piecesWorkbook writes the cells of a CSV table into a workbook's sheet.
func piecesWorkbook(t *testing.T, path, table string) {
	t.Helper()
	cells := map[string]any{}
	for r, line := range strings.Split(strings.TrimSuffix(table, "\n"), "\n") {
		for c, v := range strings.Split(line, ",") {
			if v != "" {
				ref, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					t.Fatal(err)
				}
				cells[ref] = v
			}
		}
	}
	testWorkbook(t, path, "Sheet1", cells)
}

// loadTableInPieces loads with tables read in pieces of rows rows and
// returns the result and the text of the error.
func loadTableInPieces(t *testing.T, rows int, opts Options) (*Result, map[string]int, string) {
	t.Helper()
	defer func(rows int) { tablePieceRows = rows }(tablePieceRows)
	tablePieceRows = rows
	return loadInPieces(t, csvPieceBytes, opts)
}

// TestTablePiecesReadAsOne loads a table read in pieces of many sizes and
// checks that every result is that of reading it in one piece: the same
// figures served in the same order at the same cells, the same regions of
// the catalog taken where first named, the same problems in the same order,
// the same rows skipped, and a limit that stops the load at the same
// figure.
func TestTablePiecesReadAsOne(t *testing.T) {
	const rows = 3000
	for _, tc := range []struct {
		name     string
		wrong    bool
		workbook bool
		opts     Options
		// In one piece: how many figures load (0 for an error), and part
		// of the message of the error or of the rows skipped.
		figures int
		message string
	}{
		{name: "clean", figures: 13_918, message: "t.csv: 27 of 2993 rows skipped: codes not mapped under codes: 性别 其他 (27)"},
		{name: "workbook", workbook: true, figures: 13_918, message: "t.xlsx: 27 of 2993 rows skipped: codes not mapped under codes: 性别 其他 (27)"},
		{name: "problems", wrong: true, message: "t.csv:"},
		{name: "figure limit", opts: Options{Limits: Limits{MaxSeries: 7000}}, message: "limit"},
		{name: "dimension limit", wrong: true, opts: Options{Limits: Limits{MaxDimensionValues: 2}}, message: "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			table, file := piecesTable(rows, tc.wrong), "t.csv"
			if tc.workbook {
				file = "t.xlsx"
				piecesWorkbook(t, filepath.Join(dir, file), table)
			} else {
				writeFiles(t, dir, map[string]string{file: table})
			}
			writeFiles(t, dir, map[string]string{"d.yaml": piecesTableDataset(file)})
			opts := tc.opts
			opts.Datasets, opts.Now = []string{filepath.Join(dir, "d.yaml")}, testNow
			whole, wholeFailures, wholeErr := loadTableInPieces(t, 1<<30, opts)
			figures, messages := 0, []string{wholeErr}
			if whole.Snapshot != nil {
				figures = len(whole.Snapshot.Datasets[0].Observations)
			}
			for _, w := range whole.Warnings {
				if w.Kind == KindSkipped {
					messages = append(messages, w.Message)
				}
			}
			if figures != tc.figures || !slices.ContainsFunc(messages, func(m string) bool { return strings.Contains(m, tc.message) }) {
				t.Fatalf("read in one piece, %d figures load with the messages\n%s\nwant %d figures and a message with %q", figures, strings.Join(messages, "\n"), tc.figures, tc.message)
			}
			for _, size := range []int{1, 7, 250, 1000} {
				res, failures, err := loadTableInPieces(t, size, opts)
				if err != wholeErr {
					t.Fatalf("in pieces of %d rows, the error is\n%s\nnot\n%s", size, err, wholeErr)
				}
				if got, want := regionsAt(res), regionsAt(whole); !slices.Equal(got, want) {
					t.Fatalf("in pieces of %d rows, the regions taken are\n%v\nnot, as in one piece,\n%v", size, got, want)
				}
				if !reflect.DeepEqual(res.Warnings, whole.Warnings) {
					t.Fatalf("in pieces of %d rows, the warnings are\n%v\nnot, as in one piece,\n%v", size, res.Warnings, whole.Warnings)
				}
				if !reflect.DeepEqual(res, whole) || !maps.Equal(failures, wholeFailures) {
					t.Fatalf("in pieces of %d rows, the result differs from reading in one piece", size)
				}
			}
		})
	}
}

// orderDataset is a table of pension recipients by region, a column a
// year, with the codes given and the table's rows after its header.
func orderDataset(codes, rows string) map[string]string {
	return map[string]string{
		"d.yaml": `id: order
title: Test of the order of a table's problems (made-up figures)
sources:
  - id: test
    title: Test table
programs:
  - id: basic_pension
    name: Basic pension
indicators:
  - name: socsec_pension_recipients_persons
    help: Persons drawing a pension.
    unit: persons
observation_files:
  - file: t.csv
    layout: table
    source: test
    indicator: socsec_pension_recipients_persons
    program: basic_pension
    unit: 万人
    columns:
      地区: region
` + codes,
		"t.csv": "地区,,2020,,2021\n" + rows,
	}
}

// TestTableProblemsInOrder checks that a table's problems come in the same
// order at every load: a row with figures in two columns without a name is
// reported at the first of them, and the codes of columns that are not key
// columns by the columns' names, whatever order the mapping gives them in.
func TestTableProblemsInOrder(t *testing.T) {
	for _, tc := range []struct {
		name, codes, rows string
		want              []string
	}{
		{
			name: "columns without a name", rows: "北京,1,2,3,4\n",
			want: []string{`t.csv:2:4: a figure in a column without a name: give its header a year or map it`},
		},
		{
			name:  "codes of columns that are not key columns",
			codes: "    codes:\n      Zone: {a: {program: basic_pension}}\n      2020: {b: {program: basic_pension}}\n      Area: {c: {program: basic_pension}}\n",
			rows:  "北京,,2,,4\n",
			want: []string{
				`d.yaml:24:7: observation_files[0].codes.2020: codes are for key columns: map "2020" under columns as one (region, program, dimensions.NAME, …)`,
				`d.yaml:25:7: observation_files[0].codes.Area: codes are for key columns: map "Area" under columns as one (region, program, dimensions.NAME, …)`,
				`d.yaml:23:7: observation_files[0].codes.Zone: codes are for key columns: map "Zone" under columns as one (region, program, dimensions.NAME, …)`,
			},
		},
		{
			// Matched as a table's cells are, both codes are Beijing's
			// cell: which one a row took was the last of a map's order.
			name:  "codes the same but for spaces and case",
			codes: "    codes:\n      地区: {Beijing: \"110000\", \" bei jing\": \"310000\"}\n",
			rows:  "Beijing,,2,,4\n",
			want: []string{
				`d.yaml:23:31: observation_files[0].codes.地区. bei jing: the same code as "Beijing": a table's cells are matched to codes spaces and case aside`,
			},
		},
		{
			name:  "codes of one column named twice",
			codes: "    codes:\n      地区: {Beijing: \"110000\"}\n      地 区: {Shanghai: \"310000\"}\n",
			rows:  "Beijing,,2,,4\n",
			want: []string{
				`d.yaml:24:7: observation_files[0].codes.地 区: the codes of column "地区" again: a table's columns are matched to names spaces and case aside`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, orderDataset(tc.codes, tc.rows))
			// Maps are iterated in a new order each time: a problem
			// found in a map's order would come in another sooner or later.
			for range 20 {
				_, err := loadDatasets(t, filepath.Join(dir, "d.yaml"))
				lines := problemLines(t, err)
				for i := range lines {
					lines[i] = strings.TrimPrefix(lines[i], dir+string(filepath.Separator))
				}
				if !slices.Equal(lines, tc.want) {
					t.Fatalf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
				}
			}
		})
	}
}

// conflictDataset is a table whose two key columns hold codes that set the
// same three fields, the program, the source and a dimension, each to other
// values, in the rows given.
func conflictDataset(rows string) map[string]string {
	return map[string]string{
		"d.yaml": `id: conflict
title: Test of a conflict between two codes of a row (made-up figures)
sources:
  - id: test
    title: Test table
  - id: other
    title: Other table
programs:
  - id: basic_pension
    name: Basic pension
  - id: other_pension
    name: Other pension
indicators:
  - name: socsec_pension_recipients_persons
    help: Persons drawing a pension.
    unit: persons
    dimensions: [sex]
observation_files:
  - file: t.csv
    layout: table
    indicator: socsec_pension_recipients_persons
    unit: 万人
    columns:
      地区: region
      甲: program
      乙: source
    codes:
      甲: {a: {program: basic_pension, source: test, dimensions: {sex: all}}}
      乙: {b: {program: other_pension, source: other, dimensions: {sex: male}}}
`,
		"t.csv": "地区,甲,乙,2020,2021\n" + rows,
	}
}

// TestTableConflictNamedInOrder checks that when two codes of a row set
// several fields to different values, the problem names the same field at
// every load, the first by name, not the first of a map's order.
func TestTableConflictNamedInOrder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, conflictDataset("北京,a,b,1,2\n"))
	want := []string{
		`t.csv:2:6: observation_files[0].codes.乙.b.dimensions.sex: dimensions.sex is "all" by observation_files[0].codes.甲.a.dimensions.sex and "male" by observation_files[0].codes.乙.b.dimensions.sex`,
	}
	// Maps are iterated in a new order each time: a field chosen in a
	// map's order would be another sooner or later.
	for range 20 {
		_, err := loadDatasets(t, filepath.Join(dir, "d.yaml"))
		lines := problemLines(t, err)
		for i := range lines {
			lines[i] = strings.TrimPrefix(lines[i], dir+string(filepath.Separator))
		}
		if !slices.Equal(lines, want) {
			t.Fatalf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
	}
}
