package config

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// csvColumns are the fixed columns of an observations CSV file; any other
// column names a dimension.
var csvColumns = []string{"indicator", "region", "program", "year", "value", "source", "qualifier", "note", "precision", "quote", "flags", "period", "basis"}

var csvRequired = []string{"indicator", "region", "year", "value"}

// parseCSV reads observations from CSV: a header row, then one observation
// per row, validated exactly as YAML observations are.
func (p *datasetParser) parseCSV(file string, data []byte) {
	if !validUTF8(file, data, p.ps) {
		return
	}
	before := len(p.ps.errors)
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // Spreadsheet programs write a byte-order mark.
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		p.csvError(file, err)
		return
	}
	cols := map[string]int{}
	known := p.dimensionNames()
	for i, h := range header {
		line, col := r.FieldPos(i)
		pos := dataset.Position{File: file, Line: line, Column: col}
		switch {
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
		i := cols[field]
		if field == "dimensions" || i == 0 {
			i = 1
		}
		line, col := r.FieldPos(i - 1)
		return dataset.Position{File: file, Line: line, Column: col}
	}
	field := func(name string) string { return name }
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			p.csvError(file, err)
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

func (p *datasetParser) csvError(file string, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.ps.errorf(dataset.Position{File: file, Line: pe.Line, Column: pe.Column}, "", "invalid CSV: %v", pe.Err)
		return
	}
	p.ps.errorf(dataset.Position{File: file, Line: 1, Column: 1}, "", "invalid CSV: %v", err)
}
