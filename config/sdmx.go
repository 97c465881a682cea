package config

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// codedLayout names the columns of a long file of coded rows, one figure
// per row, as an agency lays it out: SDMX-CSV, ILOSTAT's bulk CSV.
type codedLayout struct {
	name                               string // For messages.
	region, indicator, time, value     string
	status, unitMult, decimals, action string // "" when the layout has none.
	required                           []string
	expected                           string // What a file of the layout has, for messages.
	labels                             bool   // Whether cells may be "CODE: label".
	note                               func(col string) bool
}

var sdmxLayout = codedLayout{
	name: "an SDMX-CSV file", region: "REF_AREA", indicator: "INDICATOR", time: "TIME_PERIOD", value: "OBS_VALUE",
	status: "OBS_STATUS", unitMult: "UNIT_MULT", decimals: "DECIMALS", action: "ACTION",
	required: []string{"TIME_PERIOD", "OBS_VALUE"},
	expected: "DATAFLOW (1.0) or STRUCTURE, STRUCTURE_ID (2.0), the dimensions, TIME_PERIOD, OBS_VALUE and attributes",
	labels:   true,
	note:     func(col string) bool { return col == "COMMENT_OBS" },
}

// statusFlags are the flags of the observation statuses of SDMX's code
// list CL_OBS_STATUS that a figure may carry: "" for a figure without a
// flag. B, a break in the series, is read with a warning; a status not here
// (F a forecast, M or L missing, …) skips the row unless codes maps it.
var statusFlags = map[string]string{"": "", "A": "", "B": "", "P": "provisional", "E": "estimated", "I": "estimated"}

// parseSDMX reads an SDMX-CSV file, version 1.0 (a DATAFLOW column first)
// or 2.0 (STRUCTURE, STRUCTURE_ID and an optional ACTION first), its
// separator the character after the first column's name.
func (p *datasetParser) parseSDMX(m *fileMapping, data []byte) {
	head := bytes.TrimPrefix(data, []byte("\ufeff"))
	head = bytes.TrimPrefix(head, []byte(`"`))
	var sep rune
	for _, first := range []string{"DATAFLOW", "STRUCTURE"} {
		if rest, ok := bytes.CutPrefix(head, []byte(first)); ok {
			rest = bytes.TrimPrefix(rest, []byte(`"`))
			if len(rest) > 0 && bytes.IndexByte([]byte(",;\t"), rest[0]) >= 0 {
				sep = rune(rest[0])
			}
		}
	}
	if sep == 0 {
		line, _, _ := bytes.Cut(head, []byte("\n"))
		p.ps.errorf(dataset.Position{File: m.file, Line: 1, Column: 1}, "", "not an SDMX-CSV file: its first column is DATAFLOW (1.0) or STRUCTURE (2.0), followed by a comma, semicolon or tab; found %q", shorten(string(bytes.TrimSpace(line))))
		return
	}
	g, ok := p.csvGrid(m.file, data, sep)
	if ok {
		p.readCoded(m, g, sdmxLayout)
	}
}

// codeOf is the code of a cell that may print its label after it ("CN:
// China"), as SDMX-CSV does when asked for labels.
func codeOf(s string, labels bool) string {
	s = strings.TrimSpace(s)
	if labels {
		if code, _, ok := strings.Cut(s, ": "); ok {
			return code
		}
	}
	return s
}

// readCoded reads a long file of coded rows: each row's codes are mapped
// to a figure's fields by the mapping's codes, and a row any of whose
// mapped columns has a code that is not mapped is skipped and counted.
func (p *datasetParser) readCoded(m *fileMapping, g *grid, lay codedLayout) {
	ix := p.regionIndex()
	if !p.checkTargets(m, ix) {
		return
	}
	if len(g.rows) == 0 {
		p.ps.errorf(dataset.Position{File: g.file, Line: 1, Column: 1}, "", "empty file: %s has a header row with %s", lay.name, lay.expected)
		return
	}
	header := make([]string, len(g.rows[0]))
	col := map[string]int{}
	before := len(p.ps.errors)
	for i, h := range g.rows[0] {
		header[i] = codeOf(h, lay.labels)
		if _, dup := col[header[i]]; dup {
			p.ps.errorf(g.pos(0, i), header[i], "duplicate column")
		}
		col[header[i]] = i
	}
	for _, c := range lay.required {
		if _, ok := col[c]; !ok {
			p.ps.errorf(g.pos(0, 0), c, "missing column %s: %s has %s; found %s", c, lay.name, lay.expected, quoteList(header))
		}
	}
	for _, c := range slices.Sorted(maps.Keys(m.codes)) {
		if _, ok := col[c]; !ok {
			p.ps.errorf(m.codesPos[c], join(m.field, "codes."+c), "column %s is not in %s, which has %s", c, g.file, quoteList(header))
		}
	}
	_, hasIndicator := m.fixed["indicator"]
	if m.codes[lay.indicator] == nil && !hasIndicator && !m.codesSet("indicator") {
		p.ps.errorf(m.pos, m.field, "no indicator: map the codes of a column to indicators (codes: {%s: {CODE: socsec_…}}) or give the file's indicator", lay.indicator)
	}
	if len(p.ps.errors) > before {
		return
	}
	cell := func(row []string, name string) (string, int) {
		if i, ok := col[name]; ok && name != "" {
			return strings.TrimSpace(row[i]), i
		}
		return "", -1
	}
	var sk skipped
rows:
	for r := 1; r < len(g.rows); r++ {
		row := g.rows[r]
		if blankRow(row) {
			continue
		}
		if len(row) != len(header) {
			p.ps.errorf(g.pos(r, 0), "", "the row has %d fields, the header %d", len(row), len(header))
			continue
		}
		sk.total++
		if a, _ := cell(row, lay.action); a == "D" {
			sk.reason(lay.action + " D, deleted")
			continue
		}
		v, vi := cell(row, lay.value)
		if missingCell(v) {
			continue // No figure, whatever its status says.
		}
		t := maps.Clone(m.fixed)
		for i, h := range header {
			codes := m.codes[h]
			if codes == nil || h == lay.status {
				continue
			}
			code := codeOf(row[i], lay.labels)
			ct, ok := codes[code]
			if region := ix.coded(code); !ok && h == lay.region && region != "" {
				ct, ok = target{"region": {value: region, field: h}}, true
			}
			if !ok {
				sk.code(h, code)
				continue rows
			}
			if msg, _ := t.merge(localize(ct, g.pos(r, i), h)); msg != "" {
				p.ps.errorf(g.pos(r, i), h, "%s", msg)
				continue rows
			}
		}
		if _, ok := t["region"]; !ok && m.codes[lay.region] == nil {
			code, ri := cell(row, lay.region)
			code = codeOf(code, lay.labels)
			region := ix.coded(code)
			if ri < 0 || region == "" {
				sk.code(lay.region, code)
				continue
			}
			t["region"] = setting{value: region, pos: g.pos(r, ri), field: lay.region}
		}
		tv, ti := cell(row, lay.time)
		year, period, ok := parseTimeLabel(tv)
		if !ok {
			p.ps.errorf(g.pos(r, ti), lay.time, "must be a year or a period (2023, 2023-Q3, 2023-09, 2023-S1, 2023-09-30), got %q", tv)
			continue
		}
		t["year"] = setting{value: year, pos: g.pos(r, ti), field: lay.time}
		delete(t, "period")
		if period != "" {
			t["period"] = setting{value: period, pos: g.pos(r, ti), field: lay.time}
		}
		status, si := cell(row, lay.status)
		status = codeOf(status, lay.labels)
		if ct, ok := m.codes[lay.status][status]; ok {
			if msg, _ := t.merge(localize(ct, g.pos(r, si), lay.status)); msg != "" {
				p.ps.errorf(g.pos(r, si), lay.status, "%s", msg)
				continue
			}
		} else if flag, ok := statusFlags[status]; !ok {
			sk.code(lay.status, status)
			continue
		} else if flag != "" {
			addFlag(t, flag, g.pos(r, si), lay.status)
		}
		exp := 0
		if u, ok := t["unit"]; ok {
			exp, _ = parseUnitText(u.value)
		}
		if um, ui := cell(row, lay.unitMult); um != "" {
			e, err := strconv.Atoi(codeOf(um, lay.labels))
			if err != nil || e < -15 || e > 15 {
				p.ps.errorf(g.pos(r, ui), lay.unitMult, "must be a power of ten from -15 to 15 (6 for millions), got %q", um)
				continue
			}
			exp += e
		}
		pos, field := targetPos(t, g.pos(r, vi), lay.value)
		in := figureInput(t, withUnit(v, exp), pos, field)
		if d, di := cell(row, lay.decimals); d != "" {
			n, err := strconv.Atoi(codeOf(d, lay.labels))
			if err != nil || n < 0 || n > 15 {
				p.ps.errorf(g.pos(r, di), lay.decimals, "must be a number of decimals from 0 to 15, got %q", d)
				continue
			}
			// Published with n decimals: known to half a unit of the last.
			in.precision = "5e" + strconv.Itoa(exp-n-1)
		}
		if lay.note != nil {
			var notes []string
			for i, h := range header {
				if lay.note(h) && strings.TrimSpace(row[i]) != "" {
					notes = append(notes, h+": "+strings.TrimSpace(row[i]))
				}
			}
			in.note = strings.Join(notes, "; ")
		}
		o := p.addTableFigure(in, nil)
		if p.ld.state.stopped {
			return
		}
		if o != nil && status == "B" {
			p.ps.warnf(KindSeriesBreak, []*dataset.Observation{o}, g.pos(r, si), lay.status,
				"series break: %s B: the source marks a break in the series of %s, region %s, at %s: compare the figures before and after it with care",
				lay.status, o.Indicator.Name, o.Region, cmpOr(o.Period, strconv.Itoa(o.Year)))
		}
	}
	sk.warn(p, m)
}

// codesSet reports whether some code of the mapping sets field.
func (m *fileMapping) codesSet(field string) bool {
	for _, codes := range m.codes {
		for _, t := range codes {
			if _, ok := t[field]; ok {
				return true
			}
		}
	}
	return false
}

// localize places what a code sets at the cell holding the code, where a
// problem with a figure is fixed by looking at the row, and names the
// code's mapping in the field.
func localize(t target, pos dataset.Position, col string) target {
	out := make(target, len(t))
	for k, s := range t {
		s.pos = pos
		if s.field == "" {
			s.field = col
		}
		out[k] = s
	}
	return out
}

// addFlag adds a flag to those a target sets.
func addFlag(t target, flag string, pos dataset.Position, field string) {
	s, ok := t["flags"]
	if !ok {
		t["flags"] = setting{value: flag, pos: pos, field: field}
		return
	}
	if !slices.Contains(strings.Split(s.value, ","), flag) {
		s.value += "," + flag
		t["flags"] = s
	}
}
