package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The same 100,000 figures three ways: 2,000 regions by 50 years of one
// indicator, as long CSV (a row a figure), as a CSV table with a column a
// year, and as that table in a workbook.
const (
	layoutBenchRegions = 2000
	layoutBenchYears   = 50
	layoutBenchFirst   = 1975
)

// layoutBenchValue is the figure of region r in year y, with one decimal as
// a "(10 000 persons)" column prints it.
func layoutBenchValue(r, y int) string {
	return fmt.Sprintf("%d.%d", 100+r+y, (r*7+y)%10)
}

// writeLayoutBench writes the dataset of layout (long, table or xlsx) into
// dir and returns its file.
func writeLayoutBench(b *testing.B, dir, layout string) string {
	b.Helper()
	var yaml strings.Builder
	yaml.WriteString("id: bench\ntitle: Bench\nsources: [{id: s, title: S}]\nprograms: [{id: p, name: P}]\nregions:\n")
	for r := range layoutBenchRegions {
		fmt.Fprintf(&yaml, "  - {code: r%04d, name_en: Region %d, level: province}\n", r, r)
	}
	var rows [][]string
	header := []string{"Region"}
	for y := range layoutBenchYears {
		header = append(header, fmt.Sprint(layoutBenchFirst+y))
	}
	rows = append(rows, header)
	for r := range layoutBenchRegions {
		row := []string{fmt.Sprintf("r%04d", r)}
		for y := range layoutBenchYears {
			row = append(row, layoutBenchValue(r, y))
		}
		rows = append(rows, row)
	}
	table := "  - {file: %s, layout: table, source: s, indicator: socsec_insured_persons, program: p, unit: 10 000 persons, columns: {Region: region}}\n"
	switch layout {
	case "long":
		var csv strings.Builder
		csv.WriteString("indicator,region,program,year,value,source\n")
		for r := range layoutBenchRegions {
			for y := range layoutBenchYears {
				fmt.Fprintf(&csv, "socsec_insured_persons,r%04d,p,%d,%s万,s\n", r, layoutBenchFirst+y, layoutBenchValue(r, y))
			}
		}
		write(b, filepath.Join(dir, "long.csv"), csv.String())
		yaml.WriteString("observation_files: [long.csv]\n")
	case "table":
		var csv strings.Builder
		for _, row := range rows {
			csv.WriteString(strings.Join(row, ",") + "\n")
		}
		write(b, filepath.Join(dir, "table.csv"), csv.String())
		fmt.Fprintf(&yaml, "observation_files:\n"+table, "table.csv")
	case "xlsx":
		wb := excelize.NewFile()
		sw, err := wb.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		for i, row := range rows {
			cells := make([]any, len(row))
			for j, v := range row {
				cells[j] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := sw.SetRow(cell, cells); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := wb.SaveAs(filepath.Join(dir, "table.xlsx")); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&yaml, "observation_files:\n"+table, "table.xlsx")
	}
	path := filepath.Join(dir, "bench.yaml")
	write(b, path, yaml.String())
	return path
}

func write(b *testing.B, path, text string) {
	b.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLoadLayouts loads the same 100,000 figures as long CSV, as a CSV
// table and as a workbook, so that a table's cost can be read against the
// long CSV's (docs/benchmarks.md).
func BenchmarkLoadLayouts(b *testing.B) {
	for _, layout := range []string{"long", "table", "xlsx"} {
		b.Run(layout, func(b *testing.B) {
			path := writeLayoutBench(b, b.TempDir(), layout)
			b.ReportAllocs()
			for b.Loop() {
				res, err := LoadContext(context.Background(), Options{Datasets: []string{path}})
				if err != nil {
					b.Fatal(err)
				}
				if n := len(res.Snapshot.Series); n != layoutBenchRegions*layoutBenchYears {
					b.Fatalf("%s: %d series, want %d", layout, n, layoutBenchRegions*layoutBenchYears)
				}
			}
		})
	}
}
