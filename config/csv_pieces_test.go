package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
)

// piecesCSV has rows figures of children supported, each with a note that
// is quoted and holds line breaks, commas and quotes, and bad figures here
// and there: a value that is not a number, an unknown region.
func piecesCSV(rows int, after string) string {
	return regionsCSV(rows, after, func(int) string { return "CN" }, true)
}

// catalogRegions are regions of the built-in catalog, by code and other
// code, some within China: a dataset that names one takes it, and China.
var catalogRegions = []string{"JP", "140000", "CHN", "DEU", "110000", "US", "HK", "CN", "GBR", "FR"}

// catalogCSV is piecesCSV naming the regions of the catalog in turn, each
// for a run of rows, with no bad figures if clean.
func catalogCSV(rows int, clean bool) string {
	return regionsCSV(rows, "", func(i int) string { return catalogRegions[(i/150)%len(catalogRegions)] }, !clean)
}

// regionsCSV is piecesCSV with the region of row i, and bad figures if bad.
func regionsCSV(rows int, after string, region func(i int) string, bad bool) string {
	var b strings.Builder
	b.WriteString("indicator,region,program,year,value,category,note\n")
	for i := range rows {
		region, value := region(i), fmt.Sprint(i)
		switch {
		case bad && i%97 == 13:
			value = "many"
		case bad && i%131 == 7:
			region = "XX"
		}
		note := fmt.Sprintf("\"Row %d, \"\"as printed\"\",\nsee the\r\ntable\"", i)
		if i%3 == 0 {
			note = "plain"
		}
		fmt.Fprintf(&b, "socsec_children_supported_persons,%s,child_welfare,%d,%s,c%d,%s\n", region, 1900+i%120, value, i%7, note)
		if i == rows/2 {
			b.WriteString(after)
		}
	}
	return b.String()
}

// loadInPieces loads with CSV files cut into pieces of size bytes and
// returns the result and the text of the error.
func loadInPieces(t *testing.T, size int, opts Options) (*Result, map[string]int, string) {
	t.Helper()
	defer func(size int) { csvPieceBytes = size }(csvPieceBytes)
	csvPieceBytes = size
	res, err := Load(opts)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	// Funcs are never deeply equal: the failures they count are compared.
	var failures map[string]int
	if res.Snapshot != nil {
		failures = res.Snapshot.CheckFailures()
		res.Snapshot.CheckFailures, res.Snapshot.CheckUnchecked, res.Snapshot.CheckAcknowledged = nil, nil, nil
	}
	return res, failures, msg
}

// TestCSVPiecesReadAsOne loads CSV files cut into pieces of many sizes and
// checks that every result is that of reading each file in one piece: the
// same figures served in the same order, and the same problems.
func TestCSVPiecesReadAsOne(t *testing.T) {
	generated := t.TempDir()
	if _, err := datagen.Write(generated, datagen.Options{Series: 30_000}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string // Written to a directory loaded as a dataset.
		// undeclared loads them with a dataset that declares no region.
		undeclared bool
		regions    int // The regions the dataset takes from the catalog, if it loads.
		opts       Options
		sizes      []int
	}{
		{name: "generated", opts: Options{ConfigFile: filepath.Join(generated, "config.yml")}, sizes: []int{4096, 100_000}},
		{name: "quoted", files: map[string]string{"d.csv": piecesCSV(2000, "")}},
		{name: "half-empty lines", files: map[string]string{"d.csv": piecesCSV(2000, "\n\r\n\n")}},
		{name: "row too long", files: map[string]string{"d.csv": piecesCSV(2000, "socsec_children_supported_persons,CN,child_welfare,2000,1,c1,plain,extra\n")}},
		{name: "stray quote", files: map[string]string{"d.csv": piecesCSV(2000, "socsec_children_supported_persons,CN,child_welfare,2000,1,c1,\"never closed\n")}},
		{name: "quote in a plain field", files: map[string]string{"d.csv": piecesCSV(2000, "socsec_children_supported_persons,CN,child_welfare,2000,1,c1,a\"b\n")}},
		{name: "figure limit", files: map[string]string{"d.csv": piecesCSV(2000, "")}, opts: Options{Limits: Limits{MaxSeries: 1500}}},
		{name: "figure limit over two files", files: map[string]string{"d.csv": piecesCSV(2000, ""), "e.csv": piecesCSV(1000, "")}, opts: Options{Limits: Limits{MaxSeries: 2500}}},
		{name: "dimension limit", files: map[string]string{"d.csv": piecesCSV(2000, "socsec_children_supported_persons,CN,child_welfare,2000,1,c99,plain\n")}, opts: Options{Limits: Limits{MaxDimensionValues: 7}}},
		{name: "regions of the catalog", files: map[string]string{"d.csv": catalogCSV(3000, true)}, undeclared: true, regions: 9, sizes: []int{1, 50, 333, 4096, 20_000}},
		{name: "regions of the catalog and problems", files: map[string]string{"d.csv": catalogCSV(3000, false)}, undeclared: true},
		{name: "regions of the catalog and a figure limit", files: map[string]string{"d.csv": catalogCSV(3000, true)}, undeclared: true, opts: Options{Limits: Limits{MaxSeries: 1000}}},
		{name: "dimension limit over two files", files: map[string]string{"d.csv": piecesCSV(2000, ""), "e.csv": piecesCSV(1000, "socsec_children_supported_persons,CN,child_welfare,2000,1,c99,plain\n")}, opts: Options{Limits: Limits{MaxDimensionValues: 7}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if tc.files != nil {
				dir := t.TempDir()
				var csvFiles []string
				for name := range tc.files {
					csvFiles = append(csvFiles, name)
				}
				writeFiles(t, dir, tc.files)
				ds := limitsDataset("Pieces", csvFiles...)
				if tc.undeclared {
					ds = strings.Replace(ds, "regions:\n  - code: CN\n    name: China\n    level: country\n", "", 1)
				}
				writeFiles(t, dir, map[string]string{"d.yaml": ds})
				opts.Datasets, opts.Now = []string{filepath.Join(dir, "d.yaml")}, testNow
			}
			whole, wholeFailures, wholeErr := loadInPieces(t, 1<<30, opts)
			if tc.regions > 0 && (whole.Snapshot == nil || len(whole.Snapshot.Datasets[0].Regions) != tc.regions) {
				t.Fatalf("read in one piece, the dataset has regions %v (error %q): want %d regions of the catalog", regionsAt(whole), wholeErr, tc.regions)
			}
			sizes := tc.sizes
			if sizes == nil {
				sizes = []int{1, 50, 333, 4096}
			}
			for _, size := range sizes {
				res, failures, err := loadInPieces(t, size, opts)
				if err != wholeErr {
					t.Fatalf("in pieces of %d bytes, the error is\n%s\nnot\n%s", size, err, wholeErr)
				}
				if got, want := regionsAt(res), regionsAt(whole); !slices.Equal(got, want) {
					t.Fatalf("in pieces of %d bytes, the regions taken are\n%v\nnot, as in one piece,\n%v", size, got, want)
				}
				if !reflect.DeepEqual(res, whole) || !maps.Equal(failures, wholeFailures) {
					t.Fatalf("in pieces of %d bytes, the result differs from reading in one piece", size)
				}
			}
		})
	}
}

// regionsAt lists the regions of the datasets res serves, each with where
// it is declared or first named.
func regionsAt(res *Result) []string {
	var at []string
	if res.Snapshot == nil {
		return nil
	}
	for _, ds := range res.Snapshot.Datasets {
		for _, r := range ds.Regions {
			at = append(at, fmt.Sprintf("%s %s:%d:%d", r.Code, filepath.Base(r.Pos.File), r.Pos.Line, r.Pos.Column))
		}
	}
	return at
}
