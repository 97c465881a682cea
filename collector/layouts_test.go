package collector

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/xuri/excelize/v2"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// layoutsDir holds the docs' example of each layout of observation_files,
// relative to the repository's root.
const layoutsDir = "docs/examples/datasets/layouts"

// layoutExamples maps each layout's golden exposition to its example dataset.
var layoutExamples = map[string]string{
	"layout-year-columns": "year-columns.yaml",
	"layout-yearbook":     "yearbook.yaml",
	"layout-sdmx":         "sdmx.yaml",
	"layout-ilostat":      "ilostat.yaml",
	"layout-workbook":     "workbook.yaml",
}

// The sheet the workbook example reads: a title, a header of two rows whose
// years are merged over their two columns, the China Labour Statistical
// Yearbook 2011's table 10-25 for 2008 to 2010 as it prints it (in 10 000
// persons), and a note.
var (
	maternityText = map[string]string{
		"A1": "Maternity Insurance by Region, 2008-2010 (10 000 persons)",
		"A3": "Region", "B3": "2008", "D3": "2009", "F3": "2010",
		"B4": "Contributors at the Year-end", "C4": "Beneficiaries of Maternity Insurance",
		"D4": "Contributors at the Year-end", "E4": "Beneficiaries of Maternity Insurance",
		"F4": "Contributors at the Year-end", "G4": "Beneficiaries of Maternity Insurance",
		"A11": "Source: China Labour Statistical Yearbook 2011, table 10-25.",
	}
	// maternityRows are rows 5 to 9: a region, then its figures from B on.
	maternityRows = [][]string{
		{"National", "9254", "140", "10876", "174", "12336", "211"},
		{"Hebei", "408.5", "5.2", "489.9", "6.7", "561.5", "5.2"},
		{"Shanxi", "148.3", "0.7", "185.8", "0.9", "211.6", "1.7"},
		{"Inner Mongolia", "154.6", "1.6", "182.9", "2.0", "233.9", "2.2"},
		{"Liaoning", "460.2", "11.7", "531.2", "13.5", "593.0", "13.5"},
	}
	maternityMerged = []string{"A1:G1", "A3:A4", "B3:C3", "D3:E3", "F3:G3"}
)

// writeWorkbook writes the workbook example's sheet into dir, each figure a
// number whose format shows the decimals it is printed with.
func writeWorkbook(t *testing.T, dir string) {
	t.Helper()
	const sheet = "10-25"
	wb := excelize.NewFile()
	defer wb.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(wb.SetSheetName("Sheet1", sheet))
	// In a fixed order, so that the workbook's shared strings, and its
	// bytes, are the same each time it is written.
	for _, ref := range slices.Sorted(maps.Keys(maternityText)) {
		must(wb.SetCellStr(sheet, ref, maternityText[ref]))
	}
	styles := map[int]int{}
	for i, row := range maternityRows {
		must(wb.SetCellStr(sheet, "A"+strconv.Itoa(5+i), row[0]))
		for j, text := range row[1:] {
			ref, err := excelize.CoordinatesToCellName(2+j, 5+i)
			must(err)
			v, err := strconv.ParseFloat(text, 64)
			must(err)
			decimals := 0
			if _, frac, ok := strings.Cut(text, "."); ok {
				decimals = len(frac)
			}
			if _, ok := styles[decimals]; !ok {
				format := strings.TrimSuffix("0."+strings.Repeat("0", decimals), ".")
				styles[decimals], err = wb.NewStyle(&excelize.Style{CustomNumFmt: &format})
				must(err)
			}
			must(wb.SetCellFloat(sheet, ref, v, decimals, 64))
			must(wb.SetCellStyle(sheet, ref, ref, styles[decimals]))
		}
	}
	for _, m := range maternityMerged {
		from, to, _ := strings.Cut(m, ":")
		must(wb.MergeCell(sheet, from, to))
	}
	must(wb.SaveAs(filepath.Join(dir, "maternity-2008-2010.xlsx")))
}

// loadLayout loads the example of a layout alone, from the repository's
// root so that the files it names are the same wherever the test runs. The
// workbook the example names is committed beside it; -update writes it
// anew with writeWorkbook.
func loadLayout(t *testing.T, file string) *dataset.Snapshot {
	t.Helper()
	root, path := testenv.RepoRoot(t), filepath.Join(filepath.FromSlash(layoutsDir), file)
	if file == "workbook.yaml" && *update {
		writeWorkbook(t, filepath.Join(root, filepath.FromSlash(layoutsDir)))
	}
	t.Chdir(root)
	res, err := config.Load(config.Options{Datasets: []string{path}, Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	// Every row of each example is read: none skipped, nothing to warn of.
	for _, w := range res.Warnings {
		t.Errorf("%s: a warning: %s", file, w)
	}
	return res.Snapshot
}

// TestLayoutGolden loads the docs' example of each layout and compares the
// exposition with its golden file: the values, the regions taken from the
// catalog and the sources as served.
func TestLayoutGolden(t *testing.T) {
	for name, file := range layoutExamples {
		t.Run(name, func(t *testing.T) {
			// Found before the load leaves the repository for the workbook's directory.
			golden := filepath.Join(testenv.RepoRoot(t), "collector", "testdata", name+".prom")
			snap := loadLayout(t, file)
			c := New(func() *dataset.Snapshot { return snap })
			compareGolden(t, c, golden)
			problems, err := testutil.CollectAndLint(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("%s: %s", p.Metric, p.Text)
			}
		})
	}
}

// compareGolden compares the collector's exposition with a golden file,
// which -update rewrites first.
func compareGolden(t *testing.T, c *Collector, golden string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, testenv.Expfmt(t, c, expfmt.NewFormat(expfmt.TypeTextPlain)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := testutil.CollectAndCompare(c, f); err != nil {
		t.Errorf("%v\n(run go test ./collector -update to accept the new output)", err)
	}
}
