package config

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// The fixed columns of an observations CSV file, numbered as in csvColumns;
// any other column names a dimension.
const (
	colIndicator = iota
	colRegion
	colProgram
	colYear
	colValue
	colSource
	colQualifier
	colNote
	colPrecision
	colQuote
	colFlags
	colPeriod
	colBasis
	colLocator
)

var csvColumns = []string{"indicator", "region", "program", "year", "value", "source", "qualifier", "note", "precision", "quote", "flags", "period", "basis", "locator"}

var csvRequired = []string{"indicator", "region", "year", "value"}

// csvPieceBytes is about the size of the pieces the rows of a CSV file are
// cut into to be read on every CPU; a smaller file is read in one piece.
var csvPieceBytes = 256 << 10

// csvHeader is what the header row of a CSV file says about the rows.
type csvHeader struct {
	names []string
	cols  map[string]int // Column number, from 1, by name.
	dims  map[string]int // The same for the columns that name dimensions.
	// fixed holds the column number of each of csvColumns, 0 when absent:
	// a row's cells are taken by number, not looked up by name.
	fixed []int
}

// parseCSV reads observations from CSV: a header row, then one observation
// per row, validated exactly as YAML observations are.
func (p *datasetParser) parseCSV(file string, data []byte) {
	bareCRToLF(data)
	if !validUTF8(file, data, p.ps) {
		return
	}
	before := len(p.ps.errors)
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // Spreadsheet programs write a byte-order mark.
	t := newCSVText(file, data, 1)
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if err != nil {
		p.csvError(t, err, nil)
		return
	}
	h := &csvHeader{names: header, cols: map[string]int{}, dims: map[string]int{}}
	known := p.dimensionNames()
	for i, name := range header {
		pos := t.pos(r.FieldPos(i))
		switch {
		case len(name) > p.maxLabel:
			p.ps.errorf(pos, shorten(name), "the column name %s", labelTooLong(name, p.maxLabel))
			continue
		case h.cols[name] != 0:
			p.ps.errorf(pos, name, "duplicate column")
		case !slices.Contains(csvColumns, name) && !known[name]:
			p.ps.errorf(pos, name, "unknown column: use %v or a dimension of an indicator", csvColumns)
		}
		h.cols[name] = i + 1
	}
	for _, c := range csvRequired {
		if h.cols[c] == 0 {
			p.ps.errorf(dataset.Position{File: file, Line: 1, Column: 1}, c, "missing required column")
		}
	}
	if len(p.ps.errors) > before {
		return
	}
	h.fixed = make([]int, len(csvColumns))
	for name, i := range h.cols {
		if c := slices.Index(csvColumns, name); c >= 0 {
			h.fixed[c] = i
		} else {
			h.dims[name] = i
		}
	}
	p.parseRows(file, data, int(r.InputOffset()), h)
}

// parseRows reads the rows of data from offset start on, in pieces read at
// once, each by a parser of its own, then taken in file order. A piece is
// taken only if it was read to its end and the load's limits hold with it;
// else the rows from its start on are read again, one after the other, so
// that the problems found and the point where a limit stops the load are
// exactly those of reading the whole file in one go.
func (p *datasetParser) parseRows(file string, data []byte, start int, h *csvHeader) {
	cuts := cutRows(data, start, csvPieceBytes)
	p.inPieces(len(cuts)-1, func(q *datasetParser, i int) ([]*dataset.Observation, bool) {
		return q.readRows(newCSVText(file, data[cuts[i].off:cuts[i+1].off], cuts[i].line), h, nil)
	}, func(i int) {
		p.ds.Observations, _ = p.readRows(newCSVText(file, data[cuts[i].off:], cuts[i].line), h, p.ds.Observations)
	})
}

// inPieces reads n pieces of a file at once on every CPU, piece i with read
// and a parser of its own, then takes them in order. From the first piece
// that was not read to its end, or with which a limit would be over,
// rest(i) reads the rest of the file with p, one row after the other. A
// file of one piece is read by rest(0) alone.
func (p *datasetParser) inPieces(n int, read func(q *datasetParser, i int) ([]*dataset.Observation, bool), rest func(i int)) {
	type piece struct {
		q        *datasetParser
		obs      []*dataset.Observation
		complete bool
	}
	pieces := make([]piece, n)
	if len(pieces) > 1 {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(pieces)) {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(pieces); i = int(next.Add(1) - 1) {
					q := p.pieceParser()
					obs, complete := read(q, i)
					pieces[i] = piece{q, obs, complete}
				}
			})
		}
		wg.Wait()
	}
	total := 0
	for _, pc := range pieces {
		total += len(pc.obs)
	}
	p.ds.Observations = slices.Grow(p.ds.Observations, total)
	for i, pc := range pieces {
		if pc.q == nil || !pc.complete || !p.take(pc.q, pc.obs) {
			rest(i)
			return
		}
	}
}

// pieceParser returns a parser for a piece of a file that shares with p
// only what reading rows does not change: definitions and options. Its
// problems and counts are its own, its figures limited to what the load
// has left, and the regions of the catalog it takes are its own until p
// takes the piece: pieces are read at once, and a region is the dataset's
// from where the first piece taken names it.
func (p *datasetParser) pieceParser() *datasetParser {
	q := *p
	q.ps = &problems{}
	q.ld = &loader{opts: p.ld.opts, ps: q.ps, catalog: p.ld.catalog}
	q.ld.opts.MaxSeries -= p.ld.state.figures
	q.dimValues = map[string]string{}
	q.slab = nil
	q.taken = map[string]*dataset.Region{}
	ds := *p.ds
	ds.Regions, ds.Observations = nil, nil
	q.ds = &ds
	return &q
}

// take adds what q, the parser of the piece of a file after those taken,
// read: its figures, observations, problems and the regions of the catalog
// it named. It takes nothing and reports false when a limit stopped q or
// would be over with it.
func (p *datasetParser) take(q *datasetParser, obs []*dataset.Observation) bool {
	ld, piece := p.ld, &q.ld.state
	if piece.stopped || ld.state.figures+piece.figures > ld.opts.MaxSeries {
		return false
	}
	for dim, values := range piece.dimValues {
		seen, n := ld.state.dimValues[dim], len(ld.state.dimValues[dim])
		for v := range values {
			if _, ok := seen[v]; !ok {
				n++
			}
		}
		if n > ld.opts.MaxDimensionValues {
			return false
		}
	}
	ld.state.figures += piece.figures
	for dim, values := range piece.dimValues {
		if ld.state.dimValues == nil {
			ld.state.dimValues = map[string]map[string]struct{}{}
		}
		if ld.state.dimValues[dim] == nil {
			ld.state.dimValues[dim] = map[string]struct{}{}
		}
		maps.Copy(ld.state.dimValues[dim], values)
	}
	// The regions of the catalog the piece took that p has not, in the
	// order it took them, each where the piece first named it; then the
	// other codes it named them by.
	for _, r := range q.ds.Regions {
		if p.regions[r.Code] == nil {
			p.regions[r.Code] = r
			p.ds.Regions = append(p.ds.Regions, r)
		}
	}
	for code, r := range q.taken {
		if p.regions[code] == nil {
			p.regions[code] = p.regions[r.Code]
		}
	}
	for _, o := range obs {
		o.Dataset = p.ds
	}
	p.ps.errors = append(p.ps.errors, q.ps.errors...)
	p.ps.warnings = append(p.ps.warnings, q.ps.warnings...)
	p.ds.Observations = append(p.ds.Observations, obs...)
	return true
}

// cut is where a piece of a CSV file starts: its offset and line.
type cut struct{ off, line int }

// cutRows cuts data[start:], which starts a row, into pieces of about size
// bytes. A piece ends with a line break outside quotes, after an even
// number of quotes since start (a quote within a field is written twice).
// A stray quote may put a cut within a field: the piece before it then ends
// within quotes, is not read to its end, and is read again with the rest.
// The last cut is the end of data.
func cutRows(data []byte, start, size int) []cut {
	cuts := []cut{{start, 1 + bytes.Count(data[:start], []byte("\n"))}}
	quotes, counted := 0, start // The quotes in data[start:counted].
	for at := start + size; at < len(data); {
		i := bytes.IndexByte(data[at:], '\n')
		if i < 0 {
			break
		}
		end := at + i + 1
		if end == len(data) {
			break
		}
		quotes += bytes.Count(data[counted:end], []byte(`"`))
		counted = end
		if quotes%2 != 0 {
			at = end // Within a quoted field: try the next line break.
			continue
		}
		last := cuts[len(cuts)-1]
		cuts = append(cuts, cut{end, last.line + bytes.Count(data[last.off:end], []byte("\n"))})
		at = end + size
	}
	return append(cuts, cut{off: len(data)})
}

// readRows appends to obs the observations of the rows of t, read to its
// end, and reports whether it got there: not when a CSV syntax error or a
// limit stopped it.
func (p *datasetParser) readRows(t *csvText, h *csvHeader, obs []*dataset.Observation) ([]*dataset.Observation, bool) {
	r := csv.NewReader(bytes.NewReader(t.data))
	r.ReuseRecord = true
	r.FieldsPerRecord = len(h.names)
	pos := func(field string) dataset.Position {
		if dim, ok := strings.CutPrefix(field, "dimensions."); ok {
			field = dim // A dimension is a column of its own.
		}
		i := h.cols[field]
		if field == "dimensions" || i == 0 {
			i = 1
		}
		return t.pos(r.FieldPos(i - 1))
	}
	field := func(name string) string { return name }
	for !p.ld.state.stopped {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return obs, true
		}
		if err != nil {
			p.csvError(t, err, h.names)
			return obs, false
		}
		cell := func(c int) string {
			if i := h.fixed[c]; i != 0 {
				return rec[i-1]
			}
			return ""
		}
		in := obsInput{
			indicator: cell(colIndicator), region: cell(colRegion), program: cell(colProgram),
			year: cell(colYear), value: cell(colValue), source: cell(colSource),
			qualifier: cell(colQualifier), note: cell(colNote),
			precision: cell(colPrecision), quote: cell(colQuote), period: cell(colPeriod), basis: cell(colBasis),
			locator: cell(colLocator), pos: pos, field: field,
		}
		if f := cell(colFlags); f != "" {
			in.flags = strings.Split(f, ",")
		}
		for name, i := range h.dims {
			if v := rec[i-1]; v != "" {
				if in.dims == nil {
					in.dims = map[string]string{}
				}
				in.dims[name] = v
			}
		}
		if o := p.addObservation(in); o != nil {
			obs = append(obs, o)
		}
	}
	return obs, false
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

// csvText is a CSV file from one of its lines on, as a reader of it sees
// it: what the reader reports by line and byte column of the text is placed
// by line and character column in the file.
type csvText struct {
	file  string
	data  []byte
	line  int // The line of the file data starts on.
	lines lineIndex
	comma byte // The separator of its fields, ASCII.
}

func newCSVText(file string, data []byte, line int) *csvText {
	return &csvText{file: file, data: data, line: line, lines: lineIndex{data: data, line: 1}, comma: ','}
}

// pos places byte column col of line of the text in the file.
func (t *csvText) pos(line, col int) dataset.Position {
	return dataset.Position{File: t.file, Line: t.line + line - 1, Column: t.lines.column(line, col)}
}

// csvError records a CSV syntax error where it is to be fixed: a row with
// the wrong number of fields at its start; a stray or missing quote at the
// quote that opens its field when that is on an earlier line, as when a
// quote is never closed (encoding/csv reports the end of the file, or where
// the next quote happens to be); any other at the character encoding/csv
// stopped at.
func (p *datasetParser) csvError(t *csvText, err error, header []string) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		p.ps.errorf(dataset.Position{File: t.file, Line: 1, Column: 1}, "", "invalid CSV: %v", err)
		return
	}
	pos := t.pos(pe.Line, pe.Column)
	msg := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		pos.Line, pos.Column = t.line+pe.StartLine-1, 1
		msg = fmt.Sprintf("the row has a different number of fields from the header's %d", len(header))
	case errors.Is(pe.Err, csv.ErrQuote):
		errAt := t.lines.offset(pe.Line) + pe.Column - 1
		open, ok := openingQuote(t.data, t.comma, t.lines.offset(pe.StartLine), errAt)
		if !ok {
			break
		}
		line := 1 + bytes.Count(t.data[:open], []byte("\n"))
		at := t.pos(line, open-t.lines.offset(line)+1)
		switch {
		// encoding/csv may stop short of the end of the file, before a
		// carriage return that ends it: no quote after the opening one is
		// never closed too.
		case errAt >= len(t.data) || bytes.IndexByte(t.data[open+1:], '"') < 0:
			msg = `the quote that opens this field is never closed`
		case at.Line != pos.Line:
			msg = fmt.Sprintf(`the quoted field that starts here ends at line %d, column %d with a quote not followed by %s or a line break: a quote within a field is written twice ("")`, pos.Line, pos.Column, separatorName(t.comma))
		default:
			msg = `a quote within a quoted field must be written twice ("")`
			at = pos
		}
		pos = at
	}
	p.ps.errorf(pos, "", "invalid CSV: %s", msg)
}

// separatorName names the separator of a CSV file's fields.
func separatorName(comma byte) string {
	switch comma {
	case ';':
		return "a semicolon"
	case '\t':
		return "a tab"
	}
	return "a comma"
}

// openingQuote finds the quote that opens the quoted field of the record
// starting at offset from in which encoding/csv found a stray or missing
// quote at offset errAt: the field that quote seems to close, or one that is
// never closed. The fields of the record are separated by comma.
func openingQuote(data []byte, comma byte, from, errAt int) (int, bool) {
	for i := from; i < len(data) && i <= errAt; {
		if data[i] != '"' {
			// An unquoted field runs to the next separator or the end of the record.
			j := bytes.IndexAny(data[i:], string([]byte{comma, '\n'}))
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
		case i+1 < len(data) && data[i+1] == comma:
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
