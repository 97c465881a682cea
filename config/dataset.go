package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// datasetParser reads one dataset file and the CSV files it references.
type datasetParser struct {
	yamlReader
	ld      *loader
	ds      *dataset.Dataset
	sources map[string]*dataset.Source
	regions map[string]*dataset.Region
	// taken, of the parser of a piece of a file read at once with others,
	// holds the regions of the catalog the piece named, by each code it
	// named them by, until the piece is taken: regions stays as it was.
	taken      map[string]*dataset.Region
	programs   map[string]*dataset.Program
	indicators map[string]*dataset.Indicator
	// dimValues interns dimension values: a CSV field shares its memory
	// with the whole row, which a served figure must not keep alive.
	dimValues map[string]string
	// slab is where observations are allocated, many at a time.
	slab []dataset.Observation
}

var datasetKeys = []string{"id", "title", "publisher", "license", "sources", "regions", "programs", "indicators", "observations", "observation_files", "reported", "totals",
	"publication_lag_months", "expect_new_years", "acknowledged"}

// parseDataset parses and validates one dataset file; problems go to ld.ps.
func (ld *loader) parseDataset(fsys fileSystem, path string, data []byte) *dataset.Dataset {
	file := fsys.name(path)
	p := &datasetParser{
		yamlReader: yamlReader{file: file, ps: ld.ps, maxLabel: ld.opts.MaxLabelBytes, maxText: ld.opts.MaxTextBytes},
		ld:         ld,
		ds:         &dataset.Dataset{File: file},
		sources:    map[string]*dataset.Source{},
		regions:    map[string]*dataset.Region{},
		programs:   map[string]*dataset.Program{},
		indicators: map[string]*dataset.Indicator{},
		dimValues:  map[string]string{},
	}
	root := p.parse(data)
	if root == nil {
		return nil
	}
	if hasKey(root, "datasets") && !hasKey(root, "id") {
		ld.ps.errorf(p.pos(root), "", "this is a config, not a dataset: pass it with --config.file=%s", file)
		return nil
	}
	f := p.mapping(root, "", datasetKeys...)
	p.ds.ID = p.id(f, "id")
	p.ds.Pos = p.pos(root)
	if n := f.values["id"]; n != nil {
		p.ds.Pos = p.pos(n)
	}
	p.ds.Title = p.str(f, "title", true)
	p.ds.Publisher = p.str(f, "publisher", false)
	p.ds.License = p.str(f, "license", false)
	p.ds.PublicationLagMonths = p.publicationLag(f)
	if expect, ok := p.boolean(f, "expect_new_years"); ok {
		p.ds.Closed = !expect
	}
	p.parseSources(f)
	p.parseRegions(f)
	p.parsePrograms(f)
	p.parseIndicators(f)
	for i, n := range p.list(f, "observations") {
		if ld.state.stopped {
			return p.ds
		}
		p.parseObservation(n, index("observations", i))
	}
	for i, n := range p.list(f, "observation_files") {
		if ld.state.stopped {
			break
		}
		p.parseObservationFile(fsys, path, n, index("observation_files", i))
	}
	if ld.state.stopped {
		return p.ds
	}
	for i, n := range p.list(f, "reported") {
		p.parseReported(n, index("reported", i))
	}
	for i, n := range p.list(f, "totals") {
		p.parseTotal(n, index("totals", i))
	}
	p.parseAcknowledged(f)
	return p.ds
}

func (p *datasetParser) parseSources(f fields) {
	for i, n := range p.list(f, "sources") {
		path := index("sources", i)
		sf := p.mapping(n, path, "id", "title", "url", "publisher", "published", "released", "authority")
		s := &dataset.Source{
			ID:        p.id(sf, "id"),
			Title:     p.str(sf, "title", true),
			URL:       p.str(sf, "url", false),
			Publisher: p.str(sf, "publisher", false),
			Published: p.date(sf, "published", p.ld.opts.Now),
			Released:  p.date(sf, "released", p.ld.opts.Now),
			Authority: dataset.DefaultAuthority,
		}
		if a, an := p.integer(sf, "authority", false); an != nil {
			if a < 1 || a > 9 {
				p.ps.errorf(p.pos(an), join(path, "authority"), "%d is out of range 1..9 (1 the producer's final release, 5 a press report)", a)
			}
			s.Authority = a
		}
		if !s.Released.IsZero() && !s.Published.IsZero() && s.Released.After(s.Published) {
			p.ps.errorf(p.pos(sf.values["released"]), join(path, "released"), "%s is after published %s: a copy cannot appear before its figures are released",
				s.Released.Format(time.DateOnly), s.Published.Format(time.DateOnly))
		}
		if s.URL != "" && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://") {
			p.ps.errorf(p.pos(sf.values["url"]), join(path, "url"), "must be an http(s) URL, got %q", s.URL)
		}
		if p.sources[s.ID] != nil {
			p.ps.errorf(p.pos(n), join(path, "id"), "duplicate source id %q", s.ID)
			continue
		}
		p.sources[s.ID] = s
		p.ds.Sources = append(p.ds.Sources, s)
	}
	if len(p.ds.Sources) == 0 && f.node.Kind == yaml.MappingNode {
		p.ps.errorf(p.pos(f.node), "sources", "a dataset needs at least one source")
	}
}

func (p *datasetParser) parseRegions(f fields) {
	parents := map[*dataset.Region]*yaml.Node{}
	for i, n := range p.list(f, "regions") {
		path := index("regions", i)
		rf := p.mapping(n, path, "code", "name", "name_en", "level", "parent", "aliases")
		r := &dataset.Region{
			Code:   p.id(rf, "code"),
			Name:   p.str(rf, "name", false),
			NameEN: p.str(rf, "name_en", false),
			Level:  p.id(rf, "level"),
			Parent: p.str(rf, "parent", false),
			Pos:    p.pos(n),
		}
		if r.Name == "" && r.NameEN == "" && n.Kind == yaml.MappingNode {
			p.ps.errorf(p.pos(n), join(path, "name"), "a region needs name or name_en")
		}
		if p.regions[r.Code] != nil {
			p.ps.errorf(p.pos(n), join(path, "code"), "duplicate region code %q", r.Code)
			continue
		}
		if r.Parent != "" {
			parents[r] = rf.values["parent"]
		}
		p.regions[r.Code] = r
		p.ds.Regions = append(p.ds.Regions, r)
		for j, a := range p.list(rf, "aliases") {
			if !p.labelFits(a, index(join(path, "aliases"), j)) {
				continue
			}
			if p.regions[a.Value] != nil || !validID(a.Value) {
				p.ps.errorf(p.pos(a), index(join(path, "aliases"), j), "alias %q is not a free region code", a.Value)
				continue
			}
			r.Aliases = append(r.Aliases, a.Value)
			p.regions[a.Value] = r
		}
	}
	for i, r := range p.ds.Regions {
		if n := parents[r]; n != nil && (p.region(r.Parent, r.Pos) == nil || r.Parent == r.Code) {
			p.ps.errorf(p.pos(n), join(index("regions", i), "parent"), "unknown parent region %q: declare it under regions", r.Parent)
		}
	}
	p.warnCatalogClashes()
}

func (p *datasetParser) parsePrograms(f fields) {
	for i, n := range p.list(f, "programs") {
		path := index("programs", i)
		pf := p.mapping(n, path, "id", "name")
		pr := &dataset.Program{ID: p.id(pf, "id"), Name: p.str(pf, "name", true), Pos: p.pos(n)}
		if p.programs[pr.ID] != nil {
			p.ps.errorf(p.pos(n), join(path, "id"), "duplicate program id %q", pr.ID)
			continue
		}
		p.programs[pr.ID] = pr
		p.ds.Programs = append(p.ds.Programs, pr)
	}
}

func (p *datasetParser) parseIndicators(f fields) {
	for i, n := range p.list(f, "indicators") {
		path := index("indicators", i)
		inf := p.mapping(n, path, "name", "help", "unit", "per_program", "dimensions", "basis")
		ind := &dataset.Indicator{
			Name:       p.str(inf, "name", true),
			Help:       p.str(inf, "help", true),
			Unit:       dataset.Unit(p.str(inf, "unit", false)),
			PerProgram: true,
			Basis:      p.str(inf, "basis", false),
		}
		if msg := checkBasis(ind.Basis); msg != "" && ind.Basis != "" {
			p.ps.errorf(p.pos(inf.values["basis"]), join(path, "basis"), "%s", msg)
		}
		if b, ok := p.boolean(inf, "per_program"); ok {
			ind.PerProgram = b
		}
		if _, ok := unitSuffixes[ind.Unit]; !ok && ind.Unit != "" {
			p.ps.errorf(p.pos(inf.values["unit"]), join(path, "unit"), "unknown unit %q: use ratio, persons, yuan, jurisdictions or leave it out", ind.Unit)
		}
		if msg := checkIndicatorName(ind.Name, ind.Unit); msg != "" && ind.Name != "" {
			p.ps.errorf(p.pos(inf.values["name"]), join(path, "name"), "%q %s", ind.Name, msg)
		}
		for j, d := range p.list(inf, "dimensions") {
			switch {
			case !p.labelFits(d, index(join(path, "dimensions"), j)):
				continue
			case !labelNameRE.MatchString(d.Value) || schema.ReservedDimension(d.Value):
				p.ps.errorf(p.pos(d), index(join(path, "dimensions"), j), "%q is not a usable label name", d.Value)
			case slices.Contains(ind.Dimensions, d.Value):
				p.ps.errorf(p.pos(d), index(join(path, "dimensions"), j), "dimension %q is listed twice", d.Value)
				continue
			}
			ind.Dimensions = append(ind.Dimensions, d.Value)
		}
		if p.ld.catalog[ind.Name] != nil || p.indicators[ind.Name] != nil {
			p.ps.errorf(p.pos(n), join(path, "name"), "duplicate indicator %q", ind.Name)
			continue
		}
		p.indicators[ind.Name] = ind
		p.ds.Indicators = append(p.ds.Indicators, ind)
	}
}

// indicator resolves a name against the dataset's own indicators, then the catalog.
func (p *datasetParser) indicator(name string) *dataset.Indicator {
	if ind := p.indicators[name]; ind != nil {
		return ind
	}
	return p.ld.catalog[name]
}

// obsInput is one observation as written, from YAML or CSV, before validation.
type obsInput struct {
	indicator, region, program, source, qualifier, note, year, value string
	precision, quote, locator, period, basis                         string
	flags                                                            []string
	dims                                                             map[string]string
	// pos and field locate a named field (or "" for the whole observation).
	pos   func(field string) dataset.Position
	field func(name string) string
}

var observationKeys = []string{"indicator", "region", "program", "year", "value", "source", "qualifier", "note", "precision", "quote", "locator", "flags", "period", "basis", "dimensions"}

func (p *datasetParser) parseObservation(n *yaml.Node, path string) {
	of := p.mapping(n, path, observationKeys...)
	in := obsInput{
		pos: func(field string) dataset.Position {
			if dim, ok := strings.CutPrefix(field, "dimensions."); ok {
				// The value of one dimension, else the dimensions.
				if d := of.values["dimensions"]; d != nil && d.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(d.Content); i += 2 {
						if d.Content[i].Value == dim {
							return p.pos(d.Content[i+1])
						}
					}
				}
				field = "dimensions"
			}
			if v := of.values[field]; v != nil {
				return p.pos(v)
			}
			return p.pos(n)
		},
		field: func(name string) string { return join(path, name) },
		dims:  map[string]string{},
	}
	for _, k := range observationKeys {
		v := of.values[k]
		if v == nil || k == "dimensions" || k == "flags" {
			continue
		}
		if v.Kind != yaml.ScalarNode {
			p.ps.errorf(p.pos(v), join(path, k), "must be a scalar, got %s", kindName(v))
			return
		}
	}
	str := func(k string) string {
		if v := of.values[k]; v != nil {
			return v.Value
		}
		return ""
	}
	in.indicator, in.region, in.program, in.year = str("indicator"), str("region"), str("program"), str("year")
	in.value, in.source, in.qualifier, in.note = str("value"), str("source"), str("qualifier"), str("note")
	in.precision, in.quote, in.period, in.basis = str("precision"), str("quote"), str("period"), str("basis")
	in.locator = str("locator")
	for _, f := range p.list(of, "flags") {
		in.flags = append(in.flags, f.Value)
	}
	if v := of.values["year"]; v != nil && v.Tag != "!!int" {
		if _, msg := parseYear(v.Value, p.ld.opts.Now); msg == "" {
			p.ps.errorf(p.pos(v), join(path, "year"), "%s", notAString(v.Value))
		} else {
			p.ps.errorf(p.pos(v), join(path, "year"), "%s", msg)
		}
		return
	}
	// A figure as printed is a string ("93.2%"); anything else must be a number.
	if v := of.values["value"]; v != nil && v.Tag != "!!int" && v.Tag != "!!float" && v.Tag != "!!str" {
		p.ps.errorf(p.pos(v), join(path, "value"), "must be a number or a figure as printed, got %q", v.Value)
		return
	}
	if d := of.values["dimensions"]; d != nil {
		if d.Kind != yaml.MappingNode {
			p.ps.errorf(p.pos(d), join(path, "dimensions"), "must be a mapping, got %s", kindName(d))
			return
		}
		for i := 0; i+1 < len(d.Content); i += 2 {
			k, v := d.Content[i], d.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				p.ps.errorf(p.pos(v), join(path, "dimensions."+k.Value), "must be a scalar, got %s", kindName(v))
				return
			}
			if _, dup := in.dims[k.Value]; dup {
				p.ps.errorf(p.pos(k), join(path, "dimensions."+k.Value), "duplicate field")
				return
			}
			in.dims[k.Value] = v.Value
		}
	}
	if o := p.addObservation(in); o != nil {
		p.ds.Observations = append(p.ds.Observations, o)
	}
}

// addObservation validates an observation from either format and returns
// it, or nil when it has a problem.
func (p *datasetParser) addObservation(in obsInput) *dataset.Observation {
	pos := in.pos("")
	if !p.ld.countFigure(pos) || !p.inputFits(in) {
		return nil
	}
	ps, before := p.ps, len(p.ps.errors)
	o := p.newObservation()
	*o = dataset.Observation{Region: in.region, Program: in.program, Dataset: p.ds, Pos: pos}
	words := dataset.Words{Quote: in.quote, Note: in.note, Locator: in.locator}
	switch o.Indicator = p.indicator(in.indicator); {
	case in.indicator == "":
		ps.errorf(in.pos(""), in.field("indicator"), "missing required field")
	case o.Indicator == nil:
		ps.errorf(in.pos("indicator"), in.field("indicator"), "unknown indicator %q: use a built-in one or declare it under indicators", in.indicator)
	}
	switch {
	case in.region == "":
		ps.errorf(in.pos(""), in.field("region"), "missing required field")
	case p.region(in.region, in.pos("region")) == nil:
		ps.errorf(in.pos("region"), in.field("region"), "unknown region %q: declare it under regions", in.region)
	default:
		o.Region = p.known(in.region).Code
	}
	if o.Indicator != nil {
		switch {
		case o.Indicator.PerProgram && in.program == "":
			ps.errorf(in.pos(""), in.field("program"), "missing required field: %s is per programme", o.Indicator.Name)
		case o.Indicator.PerProgram && p.programs[in.program] == nil:
			ps.errorf(in.pos("program"), in.field("program"), "unknown program %q: declare it under programs", in.program)
		case !o.Indicator.PerProgram && in.program != "":
			ps.errorf(in.pos("program"), in.field("program"), "%s is not per programme: leave program out", o.Indicator.Name)
		case o.Indicator.PerProgram:
			o.Program = p.programs[in.program].ID
		}
		given := 0 // Of in.dims, those the indicator has: when all, none is unknown.
		for _, d := range o.Indicator.Dimensions {
			v, ok := in.dims[d]
			if ok {
				given++
			}
			switch {
			case !ok || v == "":
				ps.errorf(in.pos(""), in.field("dimensions."+d), "missing dimension %q required by %s", d, o.Indicator.Name)
			case !validID(v):
				ps.errorf(in.pos("dimensions."+d), in.field("dimensions."+d), "%q must match [A-Za-z0-9_.-]+", v)
			case !p.ld.countDimensionValue(in.pos("dimensions."+d), in.field("dimensions."+d), d, v):
				return nil
			}
			o.Dimensions = append(o.Dimensions, p.intern(v))
		}
		if given < len(in.dims) {
			for _, k := range slices.Sorted(maps.Keys(in.dims)) {
				if !slices.Contains(o.Indicator.Dimensions, k) {
					ps.errorf(in.pos("dimensions"), in.field("dimensions."+k), "unknown dimension %q: %s has %s", k, o.Indicator.Name, describeDims(o.Indicator.Dimensions))
				}
			}
		}
	}
	if in.year == "" {
		ps.errorf(in.pos(""), in.field("year"), "missing required field")
	} else if y, msg := parseYear(in.year, p.ld.opts.Now); msg != "" {
		ps.errorf(in.pos("year"), in.field("year"), "%s", msg)
	} else {
		o.Year = y
		if in.period != "" {
			if period, msg := parsePeriod(in.period, y); msg != "" {
				ps.errorf(in.pos("period"), in.field("period"), "%s", msg)
			} else {
				o.Period = p.intern(period)
			}
		}
	}
	if o.Indicator != nil {
		o.Basis = o.Indicator.Basis
	}
	if in.basis != "" {
		if msg := checkBasis(in.basis); msg != "" {
			ps.errorf(in.pos("basis"), in.field("basis"), "%s", msg)
		}
		o.Basis = p.intern(in.basis)
	}
	var unit dataset.Unit
	if o.Indicator != nil {
		unit = o.Indicator.Unit
	}
	if in.value == "" {
		ps.errorf(in.pos(""), in.field("value"), "missing required field")
	} else if fig, msg := parseValue(in.value, unit, in.indicator); msg != "" {
		ps.errorf(in.pos("value"), in.field("value"), "%s", msg)
	} else {
		v := fig.Value
		o.Value, o.Precision, words.Printed = v, fig.Precision, fig.printed()
		if in.precision != "" {
			if pr, msg := parsePlain(in.precision); msg != "" || pr.Value < 0 {
				ps.errorf(in.pos("precision"), in.field("precision"), "must be a number >= 0 in decimal notation, in the unit of the value, got %q", in.precision)
			} else {
				o.Precision = pr.Value
			}
		}
		if o.Indicator != nil {
			switch {
			case o.Indicator.Unit == dataset.UnitRatio && (v < 0 || v > 1):
				ps.errorf(in.pos("value"), in.field("value"), "ratio %s is outside 0..1 (write 93.2 %% as 0.932)", num(v))
			case o.Indicator.Unit != "" && v < 0:
				ps.errorf(in.pos("value"), in.field("value"), "%s is negative: %s counts %s", num(v), o.Indicator.Name, o.Indicator.Unit)
			case notWhole(fig, o.Indicator.Name, o.Indicator.Unit) != "":
				ps.errorf(in.pos("value"), in.field("value"), "%s", notWhole(fig, o.Indicator.Name, o.Indicator.Unit))
			}
		}
	}
	var msg string
	if o.Source, msg = p.source(in.source); msg != "" {
		ps.errorf(in.pos("source"), in.field("source"), "%s", msg)
	}
	o.Qualifier = dataset.Exact
	if in.qualifier != "" {
		o.Qualifier = dataset.Qualifier(in.qualifier)
		if !slices.Contains(dataset.Qualifiers, o.Qualifier) {
			ps.errorf(in.pos("qualifier"), in.field("qualifier"), "unknown qualifier %q: use exact, approximately, at_least or at_most", in.qualifier)
		}
	}
	if o.Qualifier == dataset.Approximately && in.precision == "" {
		o.Precision = max(o.Precision, roughPrecision(o.Value))
	}
	for i, f := range in.flags {
		switch f = strings.TrimSpace(f); {
		case !slices.Contains(dataset.Flags, f):
			ps.errorf(in.pos("flags"), index(in.field("flags"), i), "unknown flag %q: use %s", f, strings.Join(dataset.Flags, ", "))
		case slices.Contains(words.Flags, f):
			ps.errorf(in.pos("flags"), index(in.field("flags"), i), "flag %q is given twice", f)
		default:
			words.Flags = append(words.Flags, p.intern(f))
		}
	}
	slices.Sort(words.Flags)
	if words.Printed != "" || words.Quote != "" || words.Note != "" || words.Locator != "" || len(words.Flags) > 0 {
		o.Words = new(words) // Only figures with words take memory for them.
	}
	if len(ps.errors) > before {
		return nil
	}
	return o
}

// inputFits records a problem for each field of an observation that is
// longer than a label value may be, or for its quote, note and locator, free text,
// longer than free text may be, and reports whether there is none.
func (p *datasetParser) inputFits(in obsInput) bool {
	fits := true
	for _, f := range []struct{ name, v string }{{"quote", in.quote}, {"note", in.note}, {"locator", in.locator}} {
		if msg := textTooLong(f.v, p.maxText); msg != "" {
			p.ps.errorf(in.pos(f.name), in.field(f.name), "%s", msg)
			fits = false
		}
	}
	return p.labelsFit(in) && fits
}

// labelsFit records a problem for each field of an observation that is
// longer than a label value may be, and reports whether there is none.
func (p *datasetParser) labelsFit(in obsInput) bool {
	longest := max(len(in.indicator), len(in.region), len(in.program), len(in.year), len(in.value),
		len(in.source), len(in.qualifier), len(in.precision), len(in.period), len(in.basis))
	for _, f := range in.flags {
		longest = max(longest, len(f))
	}
	for k, v := range in.dims {
		longest = max(longest, len(k), len(v))
	}
	if longest <= p.maxLabel {
		return true
	}
	ok := true
	check := func(name, field, v string) {
		if msg := labelTooLong(v, p.maxLabel); msg != "" {
			p.ps.errorf(in.pos(name), in.field(field), "%s", msg)
			ok = false
		}
	}
	for _, f := range []struct{ name, v string }{
		{"indicator", in.indicator}, {"region", in.region}, {"program", in.program}, {"year", in.year},
		{"value", in.value}, {"source", in.source}, {"qualifier", in.qualifier}, {"precision", in.precision},
		{"period", in.period}, {"basis", in.basis},
	} {
		check(f.name, f.name, f.v)
	}
	for i, f := range in.flags {
		check("flags", index("flags", i), f)
	}
	for _, k := range slices.Sorted(maps.Keys(in.dims)) {
		check("dimensions", "dimensions."+shorten(k), k)
		check("dimensions."+k, "dimensions."+shorten(k), in.dims[k])
	}
	return ok
}

// newObservation allocates an observation from the slab: one allocation for
// many figures instead of one each. Slabs grow to 1024 figures, so that the
// parser of a small piece of a CSV file does not take a whole one.
func (p *datasetParser) newObservation() *dataset.Observation {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]dataset.Observation, 0, min(2*cap(p.slab)+16, 1024))
	}
	p.slab = p.slab[:len(p.slab)+1]
	return &p.slab[len(p.slab)-1]
}

// intern returns the dimension value v in memory of its own, shared by
// every figure with that value.
func (p *datasetParser) intern(v string) string {
	s, ok := p.dimValues[v]
	if !ok {
		s = strings.Clone(v)
		p.dimValues[s] = s
	}
	return s
}

// source resolves a source reference, or says why it cannot; it may be
// left out when the dataset has exactly one source.
func (p *datasetParser) source(id string) (*dataset.Source, string) {
	if id == "" {
		if len(p.ds.Sources) == 1 {
			return p.ds.Sources[0], ""
		}
		return nil, fmt.Sprintf("missing required field: the dataset has %d sources", len(p.ds.Sources))
	}
	s := p.sources[id]
	if s == nil {
		return nil, fmt.Sprintf("unknown source %q: declare it under sources", id)
	}
	return s, ""
}

func describeDims(dims []string) string {
	if len(dims) == 0 {
		return "no dimensions"
	}
	return "dimensions " + strings.Join(dims, ", ")
}
