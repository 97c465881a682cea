package config

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// csvColumns are the fixed columns of an observations CSV file; any other
// column names a dimension.
var csvColumns = []string{"indicator", "region", "program", "year", "value", "source", "qualifier", "note", "precision", "quote", "flags", "period", "basis"}

var csvRequired = []string{"indicator", "region", "year", "value"}

// parseCSV reads observations from CSV: a header row, then one observation
// per row, validated exactly as YAML observations are.
func (p *datasetParser) parseCSV(file string, data []byte) {
	bareCRToLF(data)
	if !validUTF8(file, data, p.ps) {
		return
	}
	before := len(p.ps.errors)
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // Spreadsheet programs write a byte-order mark.
	lines := &lineIndex{data: data, line: 1}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		p.csvError(file, data, lines, err, nil)
		return
	}
	// fieldPos is where field i of the last record starts, its column
	// counted in characters as in YAML files and editors, not bytes.
	fieldPos := func(i int) dataset.Position {
		line, col := r.FieldPos(i)
		return dataset.Position{File: file, Line: line, Column: lines.column(line, col)}
	}
	cols := map[string]int{}
	known := p.dimensionNames()
	for i, h := range header {
		pos := fieldPos(i)
		switch {
		case len(h) > p.maxLabel:
			p.ps.errorf(pos, shorten(h), "the column name %s", labelTooLong(h, p.maxLabel))
			continue
		case cols[h] != 0:
			p.ps.errorf(pos, h, "duplicate column")
		case !slices.Contains(csvColumns, h) && !known[h]:
			p.ps.errorf(pos, h, "unknown column: use %v or a dimension of an indicator", csvColumns)
		}
		cols[h] = i + 1
	}
	for _, c := range csvRequired {
		if cols[c] == 0 {
			p.ps.errorf(dataset.Position{File: file, Line: 1, Column: 1}, c, "missing required column")
		}
	}
	if len(p.ps.errors) > before {
		return
	}
	dimCols := map[string]int{}
	for h, i := range cols {
		if !slices.Contains(csvColumns, h) {
			dimCols[h] = i
		}
	}
	pos := func(field string) dataset.Position {
		if dim, ok := strings.CutPrefix(field, "dimensions."); ok {
			field = dim // A dimension is a column of its own.
		}
		i := cols[field]
		if field == "dimensions" || i == 0 {
			i = 1
		}
		return fieldPos(i - 1)
	}
	field := func(name string) string { return name }
	for !p.ld.state.stopped {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			p.csvError(file, data, lines, err, header)
			return
		}
		cell := func(name string) string {
			if i := cols[name]; i != 0 {
				return rec[i-1]
			}
			return ""
		}
		in := obsInput{
			indicator: cell("indicator"), region: cell("region"), program: cell("program"),
			year: cell("year"), value: cell("value"), source: cell("source"),
			qualifier: cell("qualifier"), note: cell("note"),
			precision: cell("precision"), quote: cell("quote"), period: cell("period"), basis: cell("basis"),
			pos: pos, field: field,
		}
		if f := cell("flags"); f != "" {
			in.flags = strings.Split(f, ",")
		}
		for name, i := range dimCols {
			if v := rec[i-1]; v != "" {
				if in.dims == nil {
					in.dims = map[string]string{}
				}
				in.dims[name] = v
			}
		}
		p.addObservation(in)
	}
}

// dimensionNames lists every dimension an indicator known to the dataset has.
func (p *datasetParser) dimensionNames() map[string]bool {
	names := map[string]bool{}
	for _, ind := range p.ld.catalog {
		for _, d := range ind.Dimensions {
			names[d] = true
		}
	}
	for _, ind := range p.indicators {
		for _, d := range ind.Dimensions {
			names[d] = true
		}
	}
	return names
}

// csvError records a CSV syntax error where it is to be fixed: a row with
// the wrong number of fields at its start; a stray or missing quote at the
// quote that opens its field when that is on an earlier line, as when a
// quote is never closed (encoding/csv reports the end of the file, or where
// the next quote happens to be); any other at the character encoding/csv
// stopped at.
func (p *datasetParser) csvError(file string, data []byte, lines *lineIndex, err error, header []string) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		p.ps.errorf(dataset.Position{File: file, Line: 1, Column: 1}, "", "invalid CSV: %v", err)
		return
	}
	pos := dataset.Position{File: file, Line: pe.Line, Column: lines.column(pe.Line, pe.Column)}
	msg := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		pos.Line, pos.Column = pe.StartLine, 1
		msg = fmt.Sprintf("the row has a different number of fields from the header's %d", len(header))
	case errors.Is(pe.Err, csv.ErrQuote):
		errAt := lines.offset(pe.Line) + pe.Column - 1
		open, ok := openingQuote(data, lines.offset(pe.StartLine), errAt)
		if !ok {
			break
		}
		line := 1 + bytes.Count(data[:open], []byte("\n"))
		col := lines.column(line, open-lines.offset(line)+1)
		switch {
		case errAt >= len(data):
			msg = `the quote that opens this field is never closed`
		case line != pe.Line:
			msg = fmt.Sprintf(`the quoted field that starts here ends at line %d, column %d with a quote not followed by a comma or a line break: a quote within a field is written twice ("")`, pos.Line, pos.Column)
		default:
			msg = `a quote within a quoted field must be written twice ("")`
			line, col = pos.Line, pos.Column
		}
		pos.Line, pos.Column = line, col
	}
	p.ps.errorf(pos, "", "invalid CSV: %s", msg)
}

// openingQuote finds the quote that opens the quoted field of the record
// starting at offset from in which encoding/csv found a stray or missing
// quote at offset errAt: the field that quote seems to close, or one that is
// never closed.
func openingQuote(data []byte, from, errAt int) (int, bool) {
	for i := from; i < len(data) && i <= errAt; {
		if data[i] != '"' {
			// An unquoted field runs to the next comma or the end of the record.
			j := bytes.IndexAny(data[i:], ",\n")
			if j < 0 || data[i+j] == '\n' {
				return 0, false
			}
			i += j + 1
			continue
		}
		open := i
		for i++; ; i += 2 {
			j := bytes.IndexByte(data[i:], '"')
			if j < 0 {
				return open, true // Never closed.
			}
			i += j
			if i+1 >= len(data) || data[i+1] != '"' {
				break // The closing quote; "" is a quote within the field.
			}
		}
		switch {
		case i == errAt:
			return open, true
		case i+1 < len(data) && data[i+1] == ',':
			i += 2
		default:
			return 0, false
		}
	}
	return 0, false
}

// bareCRToLF makes the line breaks of a file written with bare carriage
// returns, as old spreadsheet programs for the Mac do, line feeds, in place:
// encoding/csv knows only LF and CRLF, and would read such a file as one row.
// A file whose first line break is LF or CRLF is left alone.
func bareCRToLF(data []byte) {
	i := bytes.IndexAny(data, "\r\n")
	if i < 0 || data[i] != '\r' || i+1 < len(data) && data[i+1] == '\n' {
		return
	}
	for i := range data {
		if data[i] == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			data[i] = '\n'
		}
	}
}

// lineIndex turns the byte columns of encoding/csv into character columns.
// It walks the data forwards from the last line asked for, as the rows of a
// file are read in order.
type lineIndex struct {
	data      []byte
	line, off int // The line last found and where it starts.
}

// offset is where line starts in data, or len(data) past the last line.
func (ix *lineIndex) offset(line int) int {
	if line < ix.line {
		ix.line, ix.off = 1, 0
	}
	for ix.line < line {
		j := bytes.IndexByte(ix.data[ix.off:], '\n')
		if j < 0 {
			return len(ix.data)
		}
		ix.off += j + 1
		ix.line++
	}
	return ix.off
}

// column is the character column of the byte column col of line.
func (ix *lineIndex) column(line, col int) int {
	start := ix.offset(line)
	end := min(start+col-1, len(ix.data))
	if col < 1 || start >= end {
		return max(col, 1)
	}
	return utf8.RuneCount(ix.data[start:end]) + 1
}
