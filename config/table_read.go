package config

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// The roles of a table's key columns beyond the fields of a figure.
const roleIgnore = "ignore"

// keyRoles are what a key column of a table may hold, one per row; a
// column may also hold dimensions.NAME.
var keyRoles = []string{"region", "indicator", "program", "basis", "source", "unit", "year", "period", roleIgnore}

// tableColumn is a column of a table as the mapping describes it: a key
// column (role) or a value column (role "") whose figures value says
// what they are.
type tableColumn struct {
	name  string
	role  string
	value target
	pos   dataset.Position
	field string
}

// parseColumns reads a table mapping's columns: each column's name as the
// header prints it, and what it holds.
func (p *datasetParser) parseColumns(f fields, path string) map[string]*tableColumn {
	n := f.values["columns"]
	cols := map[string]*tableColumn{}
	if n == nil {
		return cols
	}
	path = join(path, "columns")
	if n.Kind != yaml.MappingNode {
		p.ps.errorf(p.pos(n), path, "must be a mapping of the table's column names to what they hold, got %s", kindName(n))
		return cols
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		cpath := join(path, k.Value)
		c := &tableColumn{name: k.Value, pos: p.pos(k), field: cpath}
		if cols[normName(k.Value)] != nil {
			p.ps.errorf(p.pos(k), cpath, "column %q is mapped twice", k.Value)
			continue
		}
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag != "!!null":
			c.role = v.Value
			dim, isDim := strings.CutPrefix(v.Value, "dimensions.")
			if !slices.Contains(keyRoles, v.Value) && !(isDim && labelNameRE.MatchString(dim)) {
				p.ps.errorf(p.pos(v), cpath, "unknown role %q: a key column holds one of %s or dimensions.NAME; a value column is a mapping ({indicator: …, year: …})", v.Value, strings.Join(keyRoles, ", "))
			}
		case v.Kind == yaml.MappingNode:
			tf := p.mapping(v, cpath, figureKeys...)
			c.value = p.parseTarget(tf, cpath, false)
		default:
			p.ps.errorf(p.pos(v), cpath, "must be a role (region, indicator, …, ignore) or a mapping of what the column's figures are, got %s", kindName(v))
			continue
		}
		cols[normName(k.Value)] = c
	}
	return cols
}

// checkTarget records a problem for each field a mapping or code sets that
// names what the dataset does not have, once rather than at every figure.
func (p *datasetParser) checkTarget(t target) bool {
	ok := true
	bad := func(s setting, format string, args ...any) {
		p.ps.errorf(s.pos, s.field, format, args...)
		ok = false
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		s := t[k]
		if msg := labelTooLong(s.value, p.maxLabel); msg != "" {
			bad(s, "%s", msg)
			continue
		}
		switch k {
		case "indicator":
			if p.indicator(s.value) == nil {
				bad(s, "unknown indicator %q: use a built-in one or declare it under indicators", s.value)
			}
		case "program":
			if p.programs[s.value] == nil {
				bad(s, "unknown program %q: declare it under programs", s.value)
			}
		case "region":
			if !p.knownRegion(s.value) {
				bad(s, "unknown region %q: declare it under regions", s.value)
			}
		case "source":
			if _, msg := p.source(s.value); msg != "" {
				bad(s, "%s", msg)
			}
		case "year":
			if _, msg := parseYear(s.value, p.ld.opts.Now); msg != "" {
				bad(s, "%s", msg)
			}
		case "flags":
			for f := range strings.SplitSeq(s.value, ",") {
				if !slices.Contains(dataset.Flags, f) {
					bad(s, "unknown flag %q: use %s", f, strings.Join(dataset.Flags, ", "))
				}
			}
		}
	}
	return ok
}

// checkTargets checks every target of a mapping: the file's, its columns'
// and its codes'.
func (p *datasetParser) checkTargets(m *fileMapping, ix *regionNames) bool {
	ok := p.checkTarget(m.fixed)
	for _, name := range slices.Sorted(maps.Keys(m.columns)) {
		ok = p.checkTarget(m.columns[name].value) && ok
	}
	for _, col := range slices.Sorted(maps.Keys(m.codes)) {
		for _, code := range slices.Sorted(maps.Keys(m.codes[col])) {
			t := m.codes[col][code]
			if s, isRegion := t["region"]; isRegion && len(t) == 1 && !p.knownRegion(s.value) {
				// A bare code of a region column may name the region by its name.
				if code, _ := ix.resolve(s.value); code != "" {
					s.value = code
					t["region"] = s
					continue
				}
			}
			ok = p.checkTarget(t) && ok
		}
	}
	return ok
}

// grid is a table as read: its rows of cells as printed, and where each
// cell is.
type grid struct {
	file, sheet string
	rows        [][]string
	// pos places the cell of row r and column c, from 0; a cell past the
	// end of its row is placed at the row's start.
	pos func(r, c int) dataset.Position
	// ref names a cell of a workbook (Sheet1!C7), "" for a CSV file.
	ref func(r, c int) string
}

// parseTableCSV reads a CSV file of layout table.
func (p *datasetParser) parseTableCSV(m *fileMapping, data []byte) {
	g, ok := p.csvGrid(m.file, data, ',')
	if ok {
		p.readTable(m, g)
	}
}

// csvGrid reads a whole CSV file into a grid, rows of any length.
func (p *datasetParser) csvGrid(file string, data []byte, sep rune) (*grid, bool) {
	bareCRToLF(data)
	if !validUTF8(file, data, p.ps) {
		return nil, false
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	t := newCSVText(file, data, 1)
	t.comma = byte(sep) // ',', ';' or '\t'.
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sep
	r.FieldsPerRecord = -1
	var rows [][]string
	var where [][]dataset.Position
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.csvError(t, err, nil)
			return nil, false
		}
		at := make([]dataset.Position, len(rec))
		for i := range rec {
			at[i] = t.pos(r.FieldPos(i))
		}
		rows, where = append(rows, rec), append(where, at)
	}
	return &grid{
		file: file, rows: rows,
		pos: func(r, c int) dataset.Position {
			if r >= len(where) {
				return dataset.Position{File: file, Line: 1, Column: 1}
			}
			if c >= len(where[r]) {
				c = 0
			}
			return where[r][c]
		},
		ref: func(int, int) string { return "" },
	}, true
}

// valueColumn is a column of figures of a table, with what its header
// says about them.
type valueColumn struct {
	i      int
	name   string
	set    target
	exp    int  // The power of ten of the unit its header states,
	hasExp bool // if it states one.
}

// keyColumn is a column of a table whose cells say what the figures of
// their row are.
type keyColumn struct {
	i     int
	name  string // As the header prints it.
	role  string
	codes map[string]target // By normalised code; nil for a column without codes.
}

// tableLayout is what the header and the mapping of a table say about its
// rows. It is read before the rows and not changed after, so that pieces
// of the rows read at once share it.
type tableLayout struct {
	m  *fileMapping
	g  *grid // Cropped to the mapping's range.
	ix *regionNames
	// top and bottom are the header's first and last rows in g; header
	// names its columns, and headerRows places its rows in the file for
	// messages (row 3, rows 3 to 4).
	top, bottom int
	header      []string
	headerRows  string
	keys        []keyColumn
	values      []valueColumn
	empty       []int // The columns without a name, in order.
	// notes is the text of the table's notes, which every figure carries;
	// noteRows are the rows they are in.
	notes    string
	noteRows map[int]bool
}

// readTable reads the figures of a table: the header row names the
// columns, each row after it is read by its key cells, each value cell
// under a value column is a figure.
func (p *datasetParser) readTable(m *fileMapping, g *grid) {
	ix := p.regionIndex()
	if !p.checkTargets(m, ix) {
		return
	}
	l, ok := p.readLayout(m, g, ix)
	if !ok {
		return
	}
	// The rows after the header, in pieces of tablePieceRows read at once
	// and taken in order as a long CSV file's are; the rows the pieces
	// taken read and skipped, with those of the rows read after them, are
	// the file's.
	start, end := l.bottom+1, len(l.g.rows)
	from := func(i int) int { return start + i*tablePieceRows }
	n := max(1, (end-start+tablePieceRows-1)/tablePieceRows)
	counts, taken := make([]skipped, n), n
	p.inPieces(n, func(q *datasetParser, i int) ([]*dataset.Observation, bool) {
		var ok bool
		counts[i], ok = l.readRows(q, from(i), min(from(i+1), end))
		return q.ds.Observations, ok
	}, func(i int) {
		counts[i], _ = l.readRows(p, from(i), end)
		taken = i + 1
	})
	if p.ld.state.stopped {
		return
	}
	var all skipped
	for _, c := range counts[:taken] {
		all.add(c)
	}
	all.warn(p, m)
}

// tablePieceRows is how many rows of a table a piece read at once has.
var tablePieceRows = 1000

// readLayout reads the layout of a table, g, from its header and its
// mapping, recording each problem with them; ok is false when there is
// one.
func (p *datasetParser) readLayout(m *fileMapping, g *grid, ix *regionNames) (*tableLayout, bool) {
	g, ok := p.cropTable(m, g)
	if !ok {
		return nil, false
	}
	l := &tableLayout{m: m, g: g, ix: ix}
	if !p.readHeader(l) || !p.readNotes(l) {
		return nil, false
	}
	// Codes are checked against the columns once the columns are right.
	before := len(p.ps.errors)
	if p.mapColumns(l); len(p.ps.errors) == before {
		p.keyCodes(l)
	}
	return l, len(p.ps.errors) == before
}

// cropTable is the part of g in the mapping's range, all of it for none.
func (p *datasetParser) cropTable(m *fileMapping, g *grid) (*grid, bool) {
	if m.rng == nil {
		return g, true
	}
	cropped, ok := g.crop(m.rng)
	if !ok {
		p.ps.errorf(m.pos, join(m.field, "range"), "range %s starts at row %d, below the last row %d of %s", m.rng.text, m.rng.r0+1, len(g.rows), g.file)
	}
	return cropped, ok
}

// readHeader reads the names of a table's columns from its header's rows,
// or records that the table has too few rows to have them.
func (p *datasetParser) readHeader(l *tableLayout) bool {
	m, g := l.m, l.g
	l.top, l.bottom = m.header-1, m.header+m.headerRows-2
	if l.bottom >= len(g.rows) {
		p.noHeader(m, g)
		return false
	}
	l.header = g.rows[l.bottom]
	if m.headerRows > 1 {
		l.header = joinHeader(g.rows[l.top:l.bottom+1], g.sheet == "")
	}
	l.headerRows = m.headerText()
	return true
}

// noHeader records that a table, g, ends before the header its mapping
// places.
func (p *datasetParser) noHeader(m *fileMapping, g *grid) {
	at, rows := dataset.Position{File: g.file, Line: 1, Column: 1}, fmt.Sprintf("row %d (header_row)", m.header)
	if len(g.rows) > 0 {
		at = g.pos(0, 0)
	}
	if m.headerRows > 1 {
		rows = fmt.Sprintf("rows %d to %d (header_row, header_rows)", m.header, m.header+m.headerRows-1)
	}
	in := ""
	if m.rng != nil {
		in = " in range " + m.rng.text
	}
	p.ps.errorf(at, g.where(0, 0, ""), "the table has %d rows%s, no header %s", len(g.rows), in, rows)
}

// headerText places the rows of a table's header in its file, for
// messages: row 3, or rows 3 to 4.
func (m *fileMapping) headerText() string {
	first := m.header
	if m.rng != nil {
		first += m.rng.r0
	}
	if m.headerRows > 1 {
		return fmt.Sprintf("rows %d to %d", first, first+m.headerRows-1)
	}
	return fmt.Sprintf("row %d", first)
}

// readNotes finds the notes of a table and the rows they are in, or
// records that they are too long for the note of a figure.
func (p *datasetParser) readNotes(l *tableLayout) bool {
	l.notes, l.noteRows = tableNotes(l.g, l.top, l.bottom)
	if msg := textTooLong(l.notes, p.maxText); msg != "" {
		r := slices.Min(slices.Collect(maps.Keys(l.noteRows)))
		p.ps.errorf(l.g.pos(r, 0), l.g.where(r, 0, ""), "the notes of the table %s", msg)
		return false
	}
	return true
}

// mapColumns sorts the columns of a table's header by what they hold, and
// records a problem for each column the mapping names and the header has
// not, and for a table without a column of figures.
func (p *datasetParser) mapColumns(l *tableLayout) {
	m, g := l.m, l.g
	before := len(p.ps.errors)
	found := map[*tableColumn]bool{}
	for i, name := range l.header {
		c := m.columns[normName(name)]
		if c != nil {
			found[c] = true
		}
		p.mapColumn(l, i, name, c)
	}
	for _, name := range slices.Sorted(maps.Keys(m.columns)) {
		if c := m.columns[name]; !found[c] {
			p.ps.errorf(c.pos, c.field, "column %q is not in the header of %s (%s), which has %s", c.name, g.file, l.headerRows, quoteList(l.header))
		}
	}
	if len(l.values) == 0 && len(p.ps.errors) == before {
		p.ps.errorf(g.pos(l.bottom, 0), g.where(l.bottom, 0, ""), "no column of figures: name a column by its year (2023, 2023年) or map one under %s.columns ({indicator: …})", m.field)
	}
}

// mapColumn adds column i of a table's header, named name, to its layout
// as c, the mapping's column of that name (nil for none), says: a key
// column, a column of figures, one ignored; else a column named by a year
// holds the figures of that year, and one without a name none.
func (p *datasetParser) mapColumn(l *tableLayout, i int, name string, c *tableColumn) {
	year, period, isTime := parseTimeLabel(name)
	at, where := l.g.pos(l.bottom, i), l.g.where(l.bottom, i, name)
	switch {
	case c != nil && c.role == roleIgnore:
	case c != nil && c.role != "":
		l.keys = append(l.keys, keyColumn{i: i, name: name, role: c.role})
	case c != nil:
		exp, hasExp := unitInHeader(name)
		l.values = append(l.values, valueColumn{i: i, name: name, set: c.value, exp: exp, hasExp: hasExp})
	case isTime:
		t := target{"year": {value: year, pos: at, field: where}}
		if period != "" {
			t["period"] = setting{value: period, pos: at, field: where}
		}
		l.values = append(l.values, valueColumn{i: i, name: name, set: t})
	case strings.TrimSpace(name) == "":
		l.empty = append(l.empty, i)
	default:
		p.ps.errorf(at, where, "column %q is not mapped: map it under %s.columns as a key column (region, indicator, …), a column of figures ({indicator: …}) or ignore; a column of figures of a year is named by it (2023, 2023年, 2023-Q3)", name, l.m.field)
	}
}

// keyCodes gives each key column of a table the codes the mapping has for
// it, and records a problem for the codes of a column that is not a key
// column. Codes and columns are matched as names are, spaces and case
// aside.
func (p *datasetParser) keyCodes(l *tableLayout) {
	m := l.m
	byColumn := map[string]map[string]target{}
	for _, name := range slices.Sorted(maps.Keys(m.codes)) {
		if c := m.columns[normName(name)]; c == nil || c.role == "" || c.role == roleIgnore {
			p.ps.errorf(m.codesPos[name], join(m.field, "codes."+name), "codes are for key columns: map %q under columns as one (region, program, dimensions.NAME, …)", name)
			continue
		}
		byCode := make(map[string]target, len(m.codes[name]))
		for code, t := range m.codes[name] {
			byCode[normName(code)] = t
		}
		byColumn[normName(name)] = byCode
	}
	for j, k := range l.keys {
		l.keys[j].codes = byColumn[normName(k.name)]
	}
}

// rowReader reads rows of a table with a parser, q, and counts those it
// reads and skips.
type rowReader struct {
	l      *tableLayout
	q      *datasetParser
	counts skipped
	// units holds the power of ten of each unit the figures state, read
	// once: a table states a handful, each on every figure.
	units map[string]unitOf
}

type unitOf struct {
	exp int
	ok  bool
}

// readRows reads the rows of a table from row from up to row to with q,
// and returns the rows it read and skipped and whether it read them all:
// not when a limit stopped it.
func (l *tableLayout) readRows(q *datasetParser, from, to int) (skipped, bool) {
	rr := &rowReader{l: l, q: q, units: map[string]unitOf{}}
	for r := from; r < to; r++ {
		row := l.g.rows[r]
		if blankRow(row) || l.noteRows[r] {
			continue
		}
		rr.counts.total++
		if !rr.fits(r, row) {
			continue
		}
		if t, name, ok := rr.keyCells(r, row); ok && !rr.figures(r, row, t, name) {
			return rr.counts, false
		}
	}
	return rr.counts, true
}

// cellAt is cell c of a row, "" past its end.
func cellAt(row []string, c int) string {
	if c < len(row) {
		return row[c]
	}
	return ""
}

// fits reports whether row r fits the table's header, or records why not:
// a cell past its columns, or a figure in a column without a name.
func (rr *rowReader) fits(r int, row []string) bool {
	l := rr.l
	for c := len(l.header); c < len(row); c++ {
		if strings.TrimSpace(row[c]) != "" {
			rr.q.ps.errorf(l.g.pos(r, c), l.g.where(r, c, ""), "a cell past the header's %d columns: the table does not fit its header (%s)", len(l.header), l.headerRows)
			return false
		}
	}
	for _, c := range l.empty {
		if !missingCell(cellAt(row, c)) {
			rr.q.ps.errorf(l.g.pos(r, c), l.g.where(r, c, ""), "a figure in a column without a name: give its header a year or map it")
			return false
		}
	}
	return true
}

// keyCells reads what the key cells of row r say of its figures, over what
// the mapping says of all, and names the row by them for the figures'
// cells. ok is false when the row gives no figures: a code that the
// mapping does not map skips it, a problem with a cell is recorded.
func (rr *rowReader) keyCells(r int, row []string) (t target, name string, ok bool) {
	l := rr.l
	t = maps.Clone(l.m.fixed)
	label := make([]string, 0, len(l.keys))
	for _, k := range l.keys {
		v := strings.TrimSpace(cellAt(row, k.i))
		label = append(label, v)
		here := setting{value: v, pos: l.g.pos(r, k.i), field: l.g.where(r, k.i, k.name)}
		if !rr.keyCell(t, k, here) {
			return nil, "", false
		}
	}
	return t, strings.Join(label, " / "), true
}

// keyCell sets in t, a row's fields, what the cell here of key column k
// says, and reports whether it could.
func (rr *rowReader) keyCell(t target, k keyColumn, here setting) bool {
	if k.codes != nil {
		return rr.codeCell(t, k, here)
	}
	ps, v := rr.q.ps, here.value
	if v == "" {
		ps.errorf(here.pos, here.field, "empty %s cell: every row names its %s", k.role, k.role)
		return false
	}
	switch k.role {
	case "region":
		code, msg := rr.l.ix.resolve(v)
		if msg != "" {
			ps.errorf(here.pos, here.field, "%s; or map it under %s.codes", msg, rr.l.m.field)
			return false
		}
		here.value = code
	case "year", "period":
		// A time cell sets the year and period over the mapping's.
		year, period, ok := parseTimeLabel(v)
		if !ok {
			ps.errorf(here.pos, here.field, "must be a year or a period (2023, 2023年, 2023-Q3, 2023年9月), got %q", v)
			return false
		}
		here.value = year
		t["year"] = here
		if period != "" {
			here.value = period
			t["period"] = here
		}
		return true
	}
	return rr.merge(t, target{k.role: here}, here.pos)
}

// codeCell sets in t, a row's fields, what the code in the cell here of key
// column k stands for. A code that the mapping does not map skips the row,
// unless the column's regions are named by code or name.
func (rr *rowReader) codeCell(t target, k keyColumn, here setting) bool {
	ct, ok := k.codes[normName(here.value)]
	if !ok && k.role == "region" {
		if code, _ := rr.l.ix.resolve(here.value); code != "" {
			ct, ok = target{"region": {value: code, pos: here.pos, field: here.field}}, true
		}
	}
	if !ok {
		rr.counts.code(k.name, here.value)
		return false
	}
	return rr.merge(t, ct, here.pos)
}

// merge sets the fields of by over those of t, or records at pos, the cell
// that sets them, that they conflict.
func (rr *rowReader) merge(t, by target, pos dataset.Position) bool {
	if msg, s := t.merge(by); msg != "" {
		rr.q.ps.errorf(pos, s.field, "%s", msg)
		return false
	}
	return true
}

// figures adds the figures of row r, named name, whose key cells set t:
// one for each cell of a value column that prints one. It reports false
// when a limit stopped the load.
func (rr *rowReader) figures(r int, row []string, t target, name string) bool {
	l, q := rr.l, rr.q
	rowIn := figureInput(t, "", nil, nil) // What the row sets, each of its figures.
	for _, vc := range l.values {
		v := cellAt(row, vc.i)
		if missingCell(v) {
			continue
		}
		pos, field := l.g.pos(r, vc.i), l.g.where(r, vc.i, vc.name)
		if msg, s := t.conflict(vc.set); msg != "" {
			q.ps.errorf(pos, s.field, "%s", msg)
			continue
		}
		f := figureFields{row: t, col: vc.set}
		exp, ok := rr.unitExp(f, vc)
		if !ok {
			continue
		}
		in := rowIn
		in.set(vc.set)
		in.value, in.note = withUnit(v, exp), l.notes
		in.pos, in.field = f.positions(pos, field)
		q.addTableFigure(in, &dataset.Cell{Sheet: l.g.sheet, Ref: l.g.ref(r, vc.i), Row: name, Column: strings.TrimSpace(vc.name)})
		if q.ld.state.stopped {
			return false
		}
	}
	return true
}

// unitExp is the power of ten of the unit of a figure of column vc whose
// fields f sets, or records that the unit is not known. A unit that a
// column, a code or a key cell sets comes before the one vc's header
// states, which comes before the file's.
func (rr *rowReader) unitExp(f figureFields, vc valueColumn) (int, bool) {
	switch u, ok := f.get("unit"); {
	case ok && (!u.fixed || !vc.hasExp):
		un, seen := rr.units[u.value]
		if !seen {
			un.exp, un.ok = parseUnitText(u.value)
			rr.units[u.value] = un
		}
		if !un.ok {
			rr.q.ps.errorf(u.pos, u.field, "%s", unknownUnit(u.value))
		}
		return un.exp, un.ok
	case vc.hasExp:
		return vc.exp, true
	}
	return 0, true
}

// where names a cell in a problem: its workbook reference, else the name
// of its column.
func (g *grid) where(r, c int, name string) string {
	if ref := g.ref(r, c); ref != "" {
		return ref
	}
	return name
}

// blankRow reports whether a row has no cell with anything in it.
func blankRow(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// quoteList quotes the names of a header for a message, at most 20.
func quoteList(names []string) string {
	var q []string
	for i, n := range names {
		if i == 20 {
			q = append(q, fmt.Sprintf("and %d more", len(names)-i))
			break
		}
		q = append(q, fmt.Sprintf("%q", shorten(n)))
	}
	if len(q) == 0 {
		return "no columns"
	}
	return "columns " + strings.Join(q, ", ")
}

// regionNames finds the region a table names by its code, an alias or
// its name in Chinese or English as tables print it.
type regionNames struct {
	exact   map[string][]string // Normalised code, alias or name: region codes.
	short   map[string][]string // Normalised name without 省, 市, 自治区 …
	country []string            // Regions of level country.
	names   map[string]string   // A region's name for messages.
	// catalog is the index of the built-in catalog, which names what the
	// regions above do not; nil for none.
	catalog *regionNames
}

// newRegionNames indexes the names of regions.
func newRegionNames(regions []*dataset.Region) *regionNames {
	ix := &regionNames{exact: map[string][]string{}, short: map[string][]string{}, names: map[string]string{}}
	add := func(m map[string][]string, k, code string) {
		if k != "" && !slices.Contains(m[k], code) {
			m[k] = append(m[k], code)
		}
	}
	for _, r := range regions {
		ix.names[r.Code] = cmpOr(r.Name, r.NameEN)
		add(ix.exact, normName(r.Code), r.Code)
		for _, a := range r.Aliases {
			add(ix.exact, normName(a), r.Code)
		}
		for _, n := range []string{r.Name, r.NameEN} {
			add(ix.exact, normName(n), r.Code)
			add(ix.short, shortName(normName(n)), r.Code)
		}
		if r.Level == "country" {
			ix.country = append(ix.country, r.Code)
		}
	}
	return ix
}

// resolve returns the code of the region s names, or says why there is
// none or more than one.
func (ix *regionNames) resolve(s string) (string, string) {
	k := normName(s)
	pick := func(codes []string) (string, string) { return ix.pickOf(s, codes) }
	if codes := ix.exact[k]; len(codes) > 0 {
		return pick(codes)
	}
	if countryNames[k] {
		switch {
		case len(ix.country) > 0:
			return pick(ix.country)
		case ix.catalog != nil && chinaTotals[k]:
			return "CN", ""
		}
		return "", fmt.Sprintf("%q names the country, and no region of level country is declared", s)
	}
	if codes := ix.short[shortName(k)]; len(codes) > 0 {
		return pick(codes)
	}
	if c := ix.catalog; c != nil {
		codes := c.exact[k]
		if len(codes) == 0 {
			codes = c.short[shortName(k)]
		}
		if len(codes) > 0 {
			return c.pickOf(s, codes)
		}
		return "", fmt.Sprintf("neither the dataset nor the built-in catalog of regions has a region of code or name %q: declare it under regions (name or name_en as the table prints it)", s)
	}
	return "", fmt.Sprintf("no region has the code or name %q: declare it under regions (name or name_en as the table prints it)", s)
}

// pickOf returns the one code of codes, the regions s may name, or says
// that s names more than one.
func (ix *regionNames) pickOf(s string, codes []string) (string, string) {
	if len(codes) == 1 {
		return codes[0], ""
	}
	named := make([]string, len(codes))
	for i, c := range codes {
		named[i] = fmt.Sprintf("%s (%s)", c, ix.names[c])
	}
	return "", fmt.Sprintf("%q may name region %s: name it by its code", s, strings.Join(named, " or "))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// maxHeaderRows bounds the rows that name a table's columns.
const maxHeaderRows = 5

// cellRange is a rectangle of a sheet or a CSV file, its corners as row
// and column from 0, both included.
type cellRange struct {
	text           string // As the mapping writes it, for messages.
	r0, c0, r1, c1 int
}

// parseCellRange reads a range as a spreadsheet writes it (B4:H40; $B$4:$H$40),
// which names the columns of a CSV file by letter as well: A the first.
func parseCellRange(s string) (*cellRange, string) {
	from, to, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), ":")
	c0, r0, err0 := excelize.CellNameToCoordinates(from)
	c1, r1, err1 := excelize.CellNameToCoordinates(to)
	if !ok || err0 != nil || err1 != nil {
		return nil, fmt.Sprintf("must be a range of cells from its top left to its bottom right cell, such as B4:H40, got %q", s)
	}
	if r1 < r0 || c1 < c0 {
		return nil, fmt.Sprintf("range %s ends above or left of where it starts: write its top left cell first, such as B4:H40", s)
	}
	return &cellRange{text: s, r0: r0 - 1, c0: c0 - 1, r1: r1 - 1, c1: c1 - 1}, ""
}

// crop is the part of g in rg, each cell still placed and named where it
// is in the file; ok is false when the range starts below the last row.
func (g *grid) crop(rg *cellRange) (*grid, bool) {
	if rg.r0 >= len(g.rows) {
		return nil, false
	}
	rows := make([][]string, 0, min(rg.r1, len(g.rows)-1)-rg.r0+1)
	for r := rg.r0; r <= rg.r1 && r < len(g.rows); r++ {
		row := g.rows[r]
		if rg.c0 >= len(row) {
			rows = append(rows, nil)
			continue
		}
		rows = append(rows, row[rg.c0:min(rg.c1+1, len(row))])
	}
	pos, ref := g.pos, g.ref
	return &grid{
		file: g.file, sheet: g.sheet, rows: rows,
		pos: func(r, c int) dataset.Position { return pos(r+rg.r0, c+rg.c0) },
		ref: func(r, c int) string { return ref(r+rg.r0, c+rg.c0) },
	}, true
}

// joinHeader names the columns of a header of several rows: each column
// by its cells from the top row down, joined by " / ", a cell that repeats
// the one above it (a merged cell) once. A CSV file has no merged cells:
// there a group name printed once over the columns to its right names each
// of them, as the spreadsheet it was saved from showed it.
func joinHeader(rows [][]string, fill bool) []string {
	width := 0
	for _, row := range rows {
		width = max(width, len(row))
	}
	names := make([]string, width)
	for c := range width {
		var parts []string
		for i, row := range rows {
			v := ""
			if c < len(row) {
				v = strings.TrimSpace(row[c])
			}
			if v == "" && fill && i < len(rows)-1 {
				for l := min(c, len(row)) - 1; l >= 0; l-- {
					if v = strings.TrimSpace(row[l]); v != "" {
						break
					}
				}
			}
			if v != "" && (len(parts) == 0 || parts[len(parts)-1] != v) {
				parts = append(parts, v)
			}
		}
		names[c] = strings.Join(parts, " / ")
	}
	return names
}

// footnoteRE starts the notes tables print above or below their rows:
// 注：, 数据来源：, Note:, Sources:, a note numbered 注1：, or an asterisk.
var footnoteRE = regexp.MustCompile(`(?i)^(?:(?:注|附注|数据来源|资料来源|说明|notes?|sources?)\s*[0-9①-⑩]*\s*[:：]|\*)`)

// tableNotes finds the rows of notes of a table, above its header or below
// its last row of figures, and returns them joined as the text of the
// note every figure of the table carries, with the rows they are in. A row
// of one cell right after a note continues it (注：1. … then 2. …).
func tableNotes(g *grid, headerFrom, headerTo int) (string, map[int]bool) {
	var notes []string
	rows := map[int]bool{}
	after := false
	for r, row := range g.rows {
		if r >= headerFrom && r <= headerTo {
			after = false
			continue
		}
		text, one := onlyCell(row)
		switch {
		case one && footnoteRE.MatchString(text):
			after = true
		case one && after && r > headerTo:
		default:
			if !blankRow(row) {
				after = false
			}
			continue
		}
		notes = append(notes, text)
		rows[r] = true
	}
	return strings.Join(notes, " "), rows
}

// onlyCell is the text of the one cell of a row with anything in it, and
// whether there is exactly one.
func onlyCell(row []string) (string, bool) {
	text, n := "", 0
	for _, c := range row {
		if t := strings.TrimSpace(c); t != "" {
			text = t
			n++
		}
	}
	return text, n == 1
}
