package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// The layouts of an observation file.
const (
	layoutLong    = "long"     // One figure per row, in this project's columns.
	layoutTable   = "table"    // A rectangular table whose columns are mapped.
	layoutSDMX    = "sdmx-csv" // SDMX-CSV 1.0 or 2.0.
	layoutILOSTAT = "ilostat"  // ILOSTAT's bulk download CSV.
)

var layouts = []string{layoutLong, layoutTable, layoutSDMX, layoutILOSTAT}

// fileKeys are the keys of an observation_files entry written as a mapping;
// layoutKeys says which of them each layout takes beyond file and layout.
var (
	fileKeys   = []string{"file", "layout", "sheet", "range", "header_row", "header_rows", "columns", "codes", "source", "indicator", "region", "program", "basis", "unit", "year", "period", "flags", "dimensions"}
	figureKeys = []string{"source", "indicator", "region", "program", "basis", "unit", "year", "period", "flags", "dimensions"}
	layoutKeys = map[string][]string{
		layoutLong:    nil,
		layoutTable:   append([]string{"sheet", "range", "header_row", "header_rows", "columns", "codes"}, figureKeys...),
		layoutSDMX:    append([]string{"codes"}, figureKeys...),
		layoutILOSTAT: append([]string{"codes"}, figureKeys...),
	}
)

// setting is one field of a figure as a mapping, a column or a cell sets
// it, with where it is written.
type setting struct {
	value string
	pos   dataset.Position
	field string
	// fixed marks a setting of the whole file, which a column or a code
	// may override.
	fixed bool
}

// target is what a mapping, a column or a code says about the figures it
// applies to, by field: indicator, region, program, source, basis, unit,
// year, period, flags (comma-separated) and dimensions.NAME.
type target map[string]setting

// fileMapping is an observation_files entry: a file and how to read it.
type fileMapping struct {
	file   string // As shown in messages.
	field  string // observation_files[i]
	pos    dataset.Position
	layout string
	sheet  string
	// rng is the rectangle of the sheet or CSV file that holds the table,
	// nil for all of it.
	rng *cellRange
	// header is the first row of the column names, from 1, counted in the
	// range; headerRows is how many rows name the columns (a group row over
	// a column row is 2).
	header, headerRows int
	fixed              target
	// columns maps a table's column names to what they hold.
	columns map[string]*tableColumn
	// codes maps a column's name, then a code of it, to what it sets.
	codes map[string]map[string]target
	// codesPos is where each column of codes is written.
	codesPos map[string]dataset.Position
}

// parseObservationFile reads an observation_files entry, a path or a
// mapping, and the file it names.
func (p *datasetParser) parseObservationFile(fsys fileSystem, base string, n *yaml.Node, field string) {
	if n.Kind != yaml.MappingNode {
		filePath := p.path(n, field, base)
		if filePath == "" {
			return
		}
		if strings.EqualFold(filepath.Ext(filePath), ".xlsx") {
			p.ps.errorf(p.pos(n), field, "%s is a workbook: give it as a mapping with layout table ({file: %s, layout: table, sheet: …, columns: …})", n.Value, n.Value)
			return
		}
		data, err := p.ld.read(fsys, filePath, csvFile)
		if err != nil {
			p.ps.errorf(p.pos(n), field, "%s: %v", fsys.name(filePath), err)
			return
		}
		p.parseCSV(fsys.name(filePath), data)
		return
	}
	f := p.mapping(n, field, fileKeys...)
	fn := p.scalar(f, "file", true)
	if fn == nil {
		return
	}
	filePath := p.path(fn, join(field, "file"), base)
	if filePath == "" {
		return
	}
	m := &fileMapping{file: fsys.name(filePath), field: field, pos: p.pos(n), layout: layoutLong, header: 1, headerRows: 1}
	xlsx := strings.EqualFold(filepath.Ext(filePath), ".xlsx")
	if xlsx {
		m.layout = layoutTable
	}
	before := len(p.ps.errors)
	if ln := p.scalar(f, "layout", false); ln != nil {
		m.layout = ln.Value
		if !slices.Contains(layouts, m.layout) {
			p.ps.errorf(p.pos(ln), join(field, "layout"), "unknown layout %q: use %s", ln.Value, strings.Join(layouts, ", "))
			return
		}
		if xlsx && m.layout != layoutTable {
			p.ps.errorf(p.pos(ln), join(field, "layout"), "a workbook (.xlsx) is read with layout table, got %s", m.layout)
			return
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if k != "file" && k != "layout" && slices.Contains(fileKeys, k) && !slices.Contains(layoutKeys[m.layout], k) {
			p.ps.errorf(p.pos(n.Content[i]), join(field, k), "layout %s takes no %s", m.layout, k)
		}
	}
	if sn := p.scalar(f, "sheet", false); sn != nil {
		if !xlsx {
			p.ps.errorf(p.pos(sn), join(field, "sheet"), "only a workbook (.xlsx) has sheets")
		}
		m.sheet = sn.Value
	}
	if h, hn := p.integer(f, "header_row", false); hn != nil {
		if h < 1 {
			p.ps.errorf(p.pos(hn), join(field, "header_row"), "must be 1 or more, got %d", h)
		}
		m.header = h
	}
	if h, hn := p.integer(f, "header_rows", false); hn != nil {
		if h < 1 || h > maxHeaderRows {
			p.ps.errorf(p.pos(hn), join(field, "header_rows"), "must be 1 to %d, got %d", maxHeaderRows, h)
		}
		m.headerRows = h
	}
	if rn := p.scalar(f, "range", false); rn != nil {
		rg, msg := parseCellRange(rn.Value)
		if msg != "" {
			p.ps.errorf(p.pos(rn), join(field, "range"), "%s", msg)
		}
		m.rng = rg
	}
	m.fixed = p.parseTarget(f, field, true)
	if m.layout == layoutTable {
		m.columns = p.parseColumns(f, field)
	}
	m.codes, m.codesPos = p.parseCodes(f, field, m)
	if len(p.ps.errors) > before {
		return
	}
	data, err := p.ld.read(fsys, filePath, csvFile)
	if err != nil {
		p.ps.errorf(p.pos(fn), join(field, "file"), "%s: %v", fsys.name(filePath), err)
		return
	}
	switch {
	case m.layout == layoutLong:
		p.parseCSV(m.file, data)
	case xlsx:
		p.parseXLSX(m, data)
	case m.layout == layoutTable:
		p.parseTableCSV(m, data)
	case m.layout == layoutSDMX:
		p.parseSDMX(m, data)
	case m.layout == layoutILOSTAT:
		p.parseILOSTAT(m, data)
	}
}

// parseTarget reads the fields of a figure that a mapping sets: those of
// figureKeys among f.
func (p *datasetParser) parseTarget(f fields, path string, fixed bool) target {
	t := target{}
	for _, k := range figureKeys {
		v := f.values[k]
		if v == nil {
			continue
		}
		switch k {
		case "flags":
			var flags []string
			for j, fl := range p.list(f, "flags") {
				if fl.Kind != yaml.ScalarNode {
					p.ps.errorf(p.pos(fl), index(join(path, "flags"), j), "must be a flag, got %s", kindName(fl))
					continue
				}
				flags = append(flags, fl.Value)
			}
			t["flags"] = setting{value: strings.Join(flags, ","), pos: p.pos(v), field: join(path, "flags"), fixed: fixed}
		case "dimensions":
			if v.Kind != yaml.MappingNode {
				p.ps.errorf(p.pos(v), join(path, "dimensions"), "must be a mapping, got %s", kindName(v))
				continue
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				dk, dv := v.Content[i], v.Content[i+1]
				name := join(path, "dimensions."+dk.Value)
				if dv.Kind != yaml.ScalarNode {
					p.ps.errorf(p.pos(dv), name, "must be a scalar, got %s", kindName(dv))
					continue
				}
				if _, dup := t["dimensions."+dk.Value]; dup {
					p.ps.errorf(p.pos(dk), name, "duplicate field")
					continue
				}
				t["dimensions."+dk.Value] = setting{value: dv.Value, pos: p.pos(dv), field: name, fixed: fixed}
			}
		default:
			if sn := p.scalar(f, k, false); sn != nil {
				t[k] = setting{value: sn.Value, pos: p.pos(sn), field: join(path, k), fixed: fixed}
			}
		}
	}
	if s, ok := t["unit"]; ok {
		if _, ok := parseUnitText(s.value); !ok {
			p.ps.errorf(s.pos, s.field, "%s", unknownUnit(s.value))
		}
	}
	return t
}

// parseCodes reads a mapping's codes: for each column, for each code, what
// the code sets, a mapping of fields or, for a column whose codes name one
// field (a region, an indicator or a key column of a table), that field's
// value.
func (p *datasetParser) parseCodes(f fields, path string, m *fileMapping) (map[string]map[string]target, map[string]dataset.Position) {
	n := f.values["codes"]
	if n == nil {
		return nil, nil
	}
	path = join(path, "codes")
	if n.Kind != yaml.MappingNode {
		p.ps.errorf(p.pos(n), path, "must be a mapping of columns to mappings of codes, got %s", kindName(n))
		return nil, nil
	}
	codes, where := map[string]map[string]target{}, map[string]dataset.Position{}
	// A table matches its header to columns and its cells to codes spaces
	// and case aside: of two names that match alike, which one a cell took
	// would be left to a map's order, so the second is a problem. cols and
	// each column's named hold the names given by their names as matched.
	table := m.layout == layoutTable
	cols := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		ck, cv := n.Content[i], n.Content[i+1]
		col := ck.Value
		cpath := join(path, col)
		if codes[col] != nil {
			p.ps.errorf(p.pos(ck), cpath, "duplicate field")
			continue
		}
		if table {
			if prev, ok := cols[normName(col)]; ok {
				p.ps.errorf(p.pos(ck), cpath, "the codes of column %q again: a table's columns are matched to names spaces and case aside", prev)
				continue
			}
			cols[normName(col)] = col
		}
		if cv.Kind != yaml.MappingNode {
			p.ps.errorf(p.pos(cv), cpath, "must be a mapping of the column's codes, got %s", kindName(cv))
			continue
		}
		codes[col], where[col] = map[string]target{}, p.pos(ck)
		role := m.codeRole(col)
		named := map[string]string{}
		for j := 0; j+1 < len(cv.Content); j += 2 {
			code, to := cv.Content[j], cv.Content[j+1]
			tpath := join(cpath, code.Value)
			if _, dup := codes[col][code.Value]; dup {
				p.ps.errorf(p.pos(code), tpath, "duplicate field")
				continue
			}
			if table {
				if prev, ok := named[normName(code.Value)]; ok {
					p.ps.errorf(p.pos(code), tpath, "the same code as %q: a table's cells are matched to codes spaces and case aside", prev)
					continue
				}
				named[normName(code.Value)] = code.Value
			}
			switch {
			case to.Kind == yaml.ScalarNode && to.Tag != "!!null" && role != "":
				codes[col][code.Value] = target{role: {value: to.Value, pos: p.pos(to), field: tpath}}
			case to.Kind == yaml.ScalarNode && to.Tag != "!!null":
				p.ps.errorf(p.pos(to), tpath, "must be a mapping of what the code stands for ({program: old_age_pension}, {dimensions: {sex: female}}): the codes of %s name no one field", col)
			case to.Kind == yaml.MappingNode:
				tf := p.mapping(to, tpath, figureKeys...)
				codes[col][code.Value] = p.parseTarget(tf, tpath, false)
			default:
				p.ps.errorf(p.pos(to), tpath, "must be a code or a mapping of what the code stands for, got %s", kindName(to))
			}
		}
	}
	return codes, where
}

// codeRole is the one field a code of column col names, or "".
func (m *fileMapping) codeRole(col string) string {
	switch m.layout {
	case layoutTable:
		if c := m.columns[normName(col)]; c != nil && c.role != "" && c.role != roleIgnore {
			return c.role
		}
	case layoutSDMX:
		switch col {
		case "REF_AREA":
			return "region"
		case "INDICATOR":
			return "indicator"
		}
	case layoutILOSTAT:
		switch col {
		case "ref_area":
			return "region"
		case "indicator":
			return "indicator"
		}
	}
	return ""
}

// merge sets the fields of t over those of dst, unless they conflict.
func (dst target) merge(t target) (string, setting) {
	if msg, s := dst.conflict(t); msg != "" {
		return msg, s
	}
	maps.Copy(dst, t)
	return "", setting{}
}

// conflict says what is wrong when t and dst, two columns or codes, neither
// of them the file's, set one field to different values: the first such
// field by name, so that a load names the same one each time.
func (dst target) conflict(t target) (string, setting) {
	first, found := "", false
	for k, s := range t {
		if old, ok := dst[k]; ok && !old.fixed && old.value != s.value && (!found || k < first) {
			first, found = k, true
		}
	}
	if !found {
		return "", setting{}
	}
	old, s := dst[first], t[first]
	return fmt.Sprintf("%s is %q by %s and %q by %s", first, old.value, old.field, s.value, s.field), s
}

// skipped counts the rows of a file that were not read, by the column and
// code that left them unmapped, or by another reason, of all its rows of
// figures.
type skipped struct {
	total   int // The rows of figures, read or not.
	rows    int
	codes   map[string]map[string]int // By column, then code.
	reasons map[string]int
}

func (s *skipped) code(col, code string) {
	s.rows++
	if s.codes == nil {
		s.codes = map[string]map[string]int{}
	}
	if s.codes[col] == nil {
		s.codes[col] = map[string]int{}
	}
	s.codes[col][code]++
}

func (s *skipped) reason(why string) {
	s.rows++
	if s.reasons == nil {
		s.reasons = map[string]int{}
	}
	s.reasons[why]++
}

// add counts the rows o counted as well.
func (s *skipped) add(o skipped) {
	s.total += o.total
	s.rows += o.rows
	for col, counts := range o.codes {
		if s.codes == nil {
			s.codes = map[string]map[string]int{}
		}
		if s.codes[col] == nil {
			s.codes[col] = map[string]int{}
		}
		for code, n := range counts {
			s.codes[col][code] += n
		}
	}
	for why, n := range o.reasons {
		if s.reasons == nil {
			s.reasons = map[string]int{}
		}
		s.reasons[why] += n
	}
}

// maxSkippedCodes bounds the codes of one column a warning lists.
const maxSkippedCodes = 10

// warn records one warning for the rows skipped, if any: how many, and
// which codes (the most frequent first) or reasons.
func (s *skipped) warn(p *datasetParser, m *fileMapping) {
	if s.rows == 0 {
		return
	}
	var parts, coded []string
	for _, col := range slices.Sorted(maps.Keys(s.codes)) {
		counts := s.codes[col]
		codes := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
			if counts[a] != counts[b] {
				return counts[b] - counts[a]
			}
			return strings.Compare(a, b)
		})
		var listed []string
		for i, c := range codes {
			if i == maxSkippedCodes {
				listed = append(listed, fmt.Sprintf("and %d more", len(codes)-i))
				break
			}
			listed = append(listed, fmt.Sprintf("%s (%d)", shorten(c), counts[c]))
		}
		coded = append(coded, col+" "+strings.Join(listed, ", "))
	}
	if len(coded) > 0 {
		parts = append(parts, "codes not mapped under codes: "+strings.Join(coded, "; "))
	}
	for _, why := range slices.Sorted(maps.Keys(s.reasons)) {
		parts = append(parts, fmt.Sprintf("%s (%d)", why, s.reasons[why]))
	}
	p.ps.warnf(KindSkipped, nil, m.pos, m.field, "skipped rows: %s: %d of %d rows skipped: %s", m.file, s.rows, s.total, strings.Join(parts, "; "))
}

// missingCell reports whether a cell holds no figure: empty, or one of the
// marks tables print for a figure not available.
func missingCell(s string) bool {
	switch strings.TrimSpace(s) {
	case "", "..", "...", "-", "–", "—", "…", ":", "x", "NA", "n.a.":
		return true
	}
	return false
}

// figureInput turns what a row and column set into an observation as
// written; value is the cell as printed, with the unit's multiplier.
func figureInput(t target, value string, pos func(string) dataset.Position, field func(string) string) obsInput {
	in := obsInput{value: value, pos: pos, field: field}
	in.set(t)
	return in
}

// set sets the fields of in that t sets, over what in held.
func (in *obsInput) set(t target) {
	for k, s := range t {
		switch k {
		case "indicator":
			in.indicator = s.value
		case "region":
			in.region = s.value
		case "program":
			in.program = s.value
		case "year":
			in.year = s.value
		case "period":
			in.period = s.value
		case "source":
			in.source = s.value
		case "basis":
			in.basis = s.value
		case "flags":
			in.flags = nil
			if s.value != "" {
				in.flags = strings.Split(s.value, ",")
			}
		default:
			if d, ok := strings.CutPrefix(k, "dimensions."); ok {
				// A map of its own: in may be a copy of a row's input,
				// whose figures share the row's map.
				in.dims = maps.Clone(in.dims)
				if in.dims == nil {
					in.dims = map[string]string{}
				}
				in.dims[d] = s.value
			}
		}
	}
}

// figureFields are what set the fields of a figure read from a file: its
// column's settings (col, nil for none) over its row's, looked up in turn.
type figureFields struct{ row, col target }

// get is the setting of field k.
func (f figureFields) get(k string) (setting, bool) {
	if s, ok := f.col[k]; ok {
		return s, true
	}
	s, ok := f.row[k]
	return s, ok
}

// positions places a field of the figure: where the mapping, a code or a
// key cell sets it, else at the value's cell.
func (f figureFields) positions(cell dataset.Position, cellField string) (func(string) dataset.Position, func(string) string) {
	pos := func(name string) dataset.Position {
		if s, ok := f.get(name); ok && s.pos.File != "" {
			return s.pos
		}
		return cell
	}
	field := func(name string) string {
		if d, ok := strings.CutPrefix(name, "dimensions."); ok {
			if s, ok := f.get(name); ok {
				return s.field
			}
			return cellField + ": dimensions." + d
		}
		if s, ok := f.get(name); ok && name != "value" {
			return s.field
		}
		if name == "value" || name == "" {
			return cellField
		}
		return cellField + ": " + name
	}
	return pos, field
}

// targetPos places a field of a figure whose fields t sets.
func targetPos(t target, cell dataset.Position, cellField string) (func(string) dataset.Position, func(string) string) {
	return figureFields{row: t}.positions(cell, cellField)
}

// addTableFigure adds the figure of a cell: validated as any figure, with
// where in the table it was read.
func (p *datasetParser) addTableFigure(in obsInput, cell *dataset.Cell) *dataset.Observation {
	// A region of the catalog is the dataset's from its first figure on.
	if r := p.region(in.region, in.pos("region")); r != nil {
		in.region = r.Code
	}
	o := p.addObservation(in)
	if o == nil {
		return nil
	}
	if cell != nil {
		if o.Words == nil {
			o.Words = &dataset.Words{}
		}
		o.Words.Cell = cell
	}
	p.ds.Observations = append(p.ds.Observations, o)
	return o
}
