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
	found bool
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

// readTable reads the figures of a table: the header row names the
// columns, each row after it is read by its key cells, each value cell
// under a value column is a figure.
func (p *datasetParser) readTable(m *fileMapping, g *grid) {
	ix := p.regionIndex()
	if !p.checkTargets(m, ix) {
		return
	}
	if m.rng != nil {
		cropped, ok := g.crop(m.rng)
		if !ok {
			p.ps.errorf(m.pos, join(m.field, "range"), "range %s starts at row %d, below the last row %d of %s", m.rng.text, m.rng.r0+1, len(g.rows), g.file)
			return
		}
		g = cropped
	}
	hi, last := m.header-1, m.header+m.headerRows-2 // The header's first and last rows.
	if last >= len(g.rows) {
		at, rows := dataset.Position{File: g.file, Line: 1, Column: 1}, fmt.Sprintf("row %d (header_row)", m.header)
		if len(g.rows) > 0 {
			at = g.pos(0, 0)
		}
		if m.headerRows > 1 {
			rows = fmt.Sprintf("rows %d to %d (header_row, header_rows)", m.header, last+1)
		}
		in := ""
		if m.rng != nil {
			in = " in range " + m.rng.text
		}
		p.ps.errorf(at, g.where(0, 0, ""), "the table has %d rows%s, no header %s", len(g.rows), in, rows)
		return
	}
	header := g.rows[last]
	if m.headerRows > 1 {
		header = joinHeader(g.rows[hi:last+1], g.sheet == "")
	}
	// The header's rows in the file, for messages.
	first := m.header
	if m.rng != nil {
		first += m.rng.r0
	}
	headerRows := fmt.Sprintf("row %d", first)
	if m.headerRows > 1 {
		headerRows = fmt.Sprintf("rows %d to %d", first, first+m.headerRows-1)
	}
	notes, noteRows := tableNotes(g, hi, last)
	if msg := textTooLong(notes, p.maxText); msg != "" {
		r := slices.Min(slices.Collect(maps.Keys(noteRows)))
		p.ps.errorf(g.pos(r, 0), g.where(r, 0, ""), "the notes of the table %s", msg)
		return
	}
	var keys []int // Columns by number, and their roles.
	var roles []string
	var values []valueColumn
	empty := map[int]bool{}
	before := len(p.ps.errors)
	for i, name := range header {
		c := m.columns[normName(name)]
		if c != nil {
			c.found = true
		}
		year, period, isTime := parseTimeLabel(name)
		exp, hasExp := unitInHeader(name)
		at, where := g.pos(last, i), g.where(last, i, name)
		switch {
		case c != nil && c.role == roleIgnore:
		case c != nil && c.role != "":
			keys, roles = append(keys, i), append(roles, c.role)
		case c != nil:
			values = append(values, valueColumn{i: i, name: name, set: c.value, exp: exp, hasExp: hasExp})
		case isTime:
			t := target{"year": {value: year, pos: at, field: where}}
			if period != "" {
				t["period"] = setting{value: period, pos: at, field: where}
			}
			values = append(values, valueColumn{i: i, name: name, set: t})
		case strings.TrimSpace(name) == "":
			empty[i] = true
		default:
			p.ps.errorf(at, where, "column %q is not mapped: map it under %s.columns as a key column (region, indicator, …), a column of figures ({indicator: …}) or ignore; a column of figures of a year is named by it (2023, 2023年, 2023-Q3)", name, m.field)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.columns)) {
		if c := m.columns[name]; !c.found {
			p.ps.errorf(c.pos, c.field, "column %q is not in the header of %s (%s), which has %s", c.name, g.file, headerRows, quoteList(header))
		}
	}
	if len(values) == 0 && len(p.ps.errors) == before {
		p.ps.errorf(g.pos(last, 0), g.where(last, 0, ""), "no column of figures: name a column by its year (2023, 2023年) or map one under %s.columns ({indicator: …})", m.field)
	}
	if len(p.ps.errors) > before {
		return
	}
	// The codes of key columns, by the column's normalised name as columns are.
	codes := map[string]map[string]target{}
	for name, cs := range m.codes {
		// Codes are matched as names are, spaces and case aside.
		byName := make(map[string]target, len(cs))
		for code, t := range cs {
			byName[normName(code)] = t
		}
		codes[normName(name)] = byName
		if c := m.columns[normName(name)]; c == nil || c.role == "" || c.role == roleIgnore {
			p.ps.errorf(m.codesPos[name], join(m.field, "codes."+name), "codes are for key columns: map %q under columns as one (region, program, dimensions.NAME, …)", name)
		}
	}
	if len(p.ps.errors) > before {
		return
	}
	// The rows after the header, in pieces of tablePieceRows read at once
	// and taken in order as a long CSV file's are; each piece counts the
	// rows it read and skipped, and the counts of the pieces taken, with
	// those of the rows read after them, make the file's.
	type counted struct {
		sk    skipped
		total int
	}
	start := last + 1
	n := max(1, (len(g.rows)-start+tablePieceRows-1)/tablePieceRows)
	counts, taken := make([]counted, n), n
	readRows := func(q *datasetParser, from, to int, tally *counted) bool {
		// A table states a handful of units, each on every figure: read each once.
		type unitOf struct {
			exp int
			ok  bool
		}
		units := map[string]unitOf{}
	rows:
		for r := from; r < to; r++ {
			row := g.rows[r]
			if blankRow(row) || noteRows[r] {
				continue
			}
			tally.total++
			cell := func(c int) string {
				if c < len(row) {
					return row[c]
				}
				return ""
			}
			for c := len(header); c < len(row); c++ {
				if strings.TrimSpace(row[c]) != "" {
					q.ps.errorf(g.pos(r, c), g.where(r, c, ""), "a cell past the header's %d columns: the table does not fit its header (%s)", len(header), headerRows)
					continue rows
				}
			}
			for c := range empty {
				if !missingCell(cell(c)) {
					q.ps.errorf(g.pos(r, c), g.where(r, c, ""), "a figure in a column without a name: give its header a year or map it")
					continue rows
				}
			}
			t := maps.Clone(m.fixed)
			label := make([]string, 0, len(keys))
			for j, c := range keys {
				v, name := strings.TrimSpace(cell(c)), header[c]
				label = append(label, v)
				here := setting{value: v, pos: g.pos(r, c), field: g.where(r, c, name)}
				if codes := codes[normName(name)]; codes != nil {
					ct, ok := codes[normName(v)]
					if !ok && roles[j] == "region" {
						if code, _ := ix.resolve(v); code != "" {
							ct, ok = target{"region": {value: code, pos: here.pos, field: here.field}}, true
						}
					}
					if !ok {
						tally.sk.code(name, v)
						continue rows
					}
					if msg, s := t.merge(ct); msg != "" {
						q.ps.errorf(here.pos, s.field, "%s", msg)
						continue rows
					}
					continue
				}
				if v == "" {
					q.ps.errorf(here.pos, here.field, "empty %s cell: every row names its %s", roles[j], roles[j])
					continue rows
				}
				switch roles[j] {
				case "region":
					code, msg := ix.resolve(v)
					if msg != "" {
						q.ps.errorf(here.pos, here.field, "%s; or map it under %s.codes", msg, m.field)
						continue rows
					}
					here.value = code
				case "year", "period":
					year, period, ok := parseTimeLabel(v)
					if !ok {
						q.ps.errorf(here.pos, here.field, "must be a year or a period (2023, 2023年, 2023-Q3, 2023年9月), got %q", v)
						continue rows
					}
					here.value = year
					t["year"] = here
					if period != "" {
						here.value = period
						t["period"] = here
					}
					continue
				}
				if msg, s := t.merge(target{roles[j]: here}); msg != "" {
					q.ps.errorf(here.pos, s.field, "%s", msg)
					continue rows
				}
			}
			rowName := strings.Join(label, " / ")
			rowIn := figureInput(t, "", nil, nil) // What the row sets, each of its figures.
			for _, vc := range values {
				v := cell(vc.i)
				if missingCell(v) {
					continue
				}
				pos, field := g.pos(r, vc.i), g.where(r, vc.i, vc.name)
				if msg, s := t.conflict(vc.set); msg != "" {
					q.ps.errorf(pos, s.field, "%s", msg)
					continue
				}
				f := figureFields{row: t, col: vc.set}
				exp := 0
				switch u, ok := f.get("unit"); {
				case ok && (!u.fixed || !vc.hasExp):
					un, seen := units[u.value]
					if !seen {
						un.exp, un.ok = parseUnitText(u.value)
						units[u.value] = un
					}
					if !un.ok {
						q.ps.errorf(u.pos, u.field, "%s", unknownUnit(u.value))
						continue
					}
					exp = un.exp
				case vc.hasExp:
					exp = vc.exp
				}
				in := rowIn
				in.set(vc.set)
				in.value, in.note = withUnit(v, exp), notes
				in.pos, in.field = f.positions(pos, field)
				q.addTableFigure(in, &dataset.Cell{Sheet: g.sheet, Ref: g.ref(r, vc.i), Row: rowName, Column: strings.TrimSpace(vc.name)})
				if q.ld.state.stopped {
					return false
				}
			}
		}
		return true
	}
	p.inPieces(n, func(q *datasetParser, i int) ([]*dataset.Observation, bool) {
		ok := readRows(q, start+i*tablePieceRows, min(start+(i+1)*tablePieceRows, len(g.rows)), &counts[i])
		return q.ds.Observations, ok
	}, func(i int) {
		counts[i], taken = counted{}, i+1
		readRows(p, start+i*tablePieceRows, len(g.rows), &counts[i])
	})
	if p.ld.state.stopped {
		return
	}
	var all counted
	for _, c := range counts[:taken] {
		all.sk.add(c.sk)
		all.total += c.total
	}
	all.sk.warn(p, m, all.total)
}

// tablePieceRows is how many rows of a table a piece read at once has.
var tablePieceRows = 1000

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
