package config

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// parseXLSX reads a sheet of a workbook as a table, each cell as the
// spreadsheet shows it: a number in its number format ("1020.3" for a
// format of one decimal), so that a figure keeps the precision it is shown
// with. A workbook is a zip archive whose parts are unpacked to be read:
// what it unpacks to is held to --dataset.max-file-bytes as a file is.
func (p *datasetParser) parseXLSX(m *fileMapping, data []byte) {
	at := dataset.Position{File: m.file}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		p.ps.errorf(at, "", "not a workbook (.xlsx, a zip archive): %v", err)
		return
	}
	var unpacked uint64
	for _, f := range zr.File {
		unpacked += f.UncompressedSize64
	}
	limit := p.ld.opts.MaxFileBytes
	if unpacked > uint64(limit) {
		p.ps.errorf(at, "", "the workbook unpacks to %d bytes, over the limit of %d bytes (--dataset.max-file-bytes)", unpacked, limit)
		return
	}
	// archive/zip refuses a part that unpacks to more than its header
	// says, and excelize is held to the same limit.
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: limit, UnzipXMLSizeLimit: limit})
	if err != nil {
		p.ps.errorf(at, "", "not a workbook (.xlsx): %v", err)
		return
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	sheet := m.sheet
	switch {
	case sheet == "" && len(sheets) > 0:
		sheet = sheets[0]
	case !slices.Contains(sheets, sheet):
		p.ps.errorf(m.pos, join(m.field, "sheet"), "%s has no sheet %q; its sheets are %s", m.file, m.sheet, strings.Join(quoted(sheets), ", "))
		return
	}
	rows, err := wb.GetRows(sheet)
	if err != nil {
		p.ps.errorf(at, sheet, "cannot read the sheet: %v", err)
		return
	}
	lastHeader := m.header + m.headerRows - 1 // The header's last row in the sheet.
	if m.rng != nil {
		lastHeader += m.rng.r0
	}
	if hasMergeCells(zr) {
		fillMerged(wb, sheet, rows, lastHeader)
	}
	g := &grid{
		file: m.file, sheet: sheet, rows: rows,
		pos: func(r, c int) dataset.Position { return dataset.Position{File: m.file, Line: r + 1, Column: c + 1} },
		ref: func(r, c int) string {
			name, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return sheet
			}
			return sheet + "!" + name
		},
	}
	p.readTable(m, g)
}

// hasMergeCells reports whether a part of the workbook may hold merged
// cells: whether any names a mergeCells element. Finding none, excelize
// need not decode the whole sheet a second time to find no merged cells.
// Every part is searched, whatever its name: a package may name its parts
// as it likes.
func hasMergeCells(zr *zip.Reader) bool {
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return true
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || bytes.Contains(data, []byte("mergeCells")) {
			return true
		}
	}
	return false
}

// fillMerged gives every cell of a merged area of the header and key
// columns the value the spreadsheet shows across it: a header over two
// columns names both, a region printed once beside several rows names each.
func fillMerged(wb *excelize.File, sheet string, rows [][]string, header int) {
	merged, err := wb.GetMergeCells(sheet)
	if err != nil {
		return
	}
	for _, mc := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		// Only small areas: a merged area is a header or a label, and one
		// over a whole sheet would multiply its cells.
		if err1 != nil || err2 != nil || (c2-c1+1)*(r2-r1+1) > 1000 || r1 > header && c1 != c2 {
			continue
		}
		for r := r1; r <= r2 && r <= len(rows); r++ {
			for c := c1; c <= c2; c++ {
				row := rows[r-1]
				for len(row) < c {
					row = append(row, "")
				}
				if row[c-1] == "" {
					row[c-1] = mc.GetCellValue()
				}
				rows[r-1] = row
			}
		}
	}
}

func quoted(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return q
}
