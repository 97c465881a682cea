package config

import (
	"cmp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// A declared total says that one series equals the sum of others, its
// parts, for an indicator and a region:
//
//	totals:
//	  - indicator: socsec_insured_persons
//	    region: CN
//	    total: {program: basic_medical}
//	    parts:
//	      - {program: employee_medical}
//	      - {program: resident_medical}
//
// The total and each part name a series by program and dimensions; what
// they share can be written once next to indicator and region, and a
// reference overrides it. After that every series must be complete: a
// programme for a per-programme indicator, a value for every dimension.

var totalKeys = []string{"indicator", "region", "program", "dimensions", "basis", "total", "parts", "note"}

func (p *datasetParser) parseTotal(n *yaml.Node, path string) {
	before := len(p.ps.errors)
	tf := p.mapping(n, path, totalKeys...)
	t := &dataset.Total{
		Region:  p.str(tf, "region", true),
		Note:    p.text(tf, "note"),
		Dataset: p.ds,
		Pos:     p.pos(n),
	}
	name := p.str(tf, "indicator", true)
	if t.Indicator = p.indicator(name); t.Indicator == nil && name != "" {
		p.ps.errorf(p.pos(tf.values["indicator"]), join(path, "indicator"), "unknown indicator %q: use a built-in one or declare it under indicators", name)
	}
	t.Region = p.regionCode(t.Region, tf.values["region"], join(path, "region"))
	t.Basis = p.basis(tf, path, t.Indicator)
	if t.Indicator == nil || !isMapping(n) {
		return // The series cannot be checked without their indicator.
	}
	if t.Indicator.Unit == dataset.UnitRatio {
		p.ps.errorf(p.pos(tf.values["indicator"]), join(path, "indicator"), "%s is a ratio: ratios do not add up", t.Indicator.Name)
	}
	shared := p.seriesFields(tf, path, t.Indicator)
	if tn := tf.values["total"]; tn == nil {
		p.ps.errorf(p.pos(n), join(path, "total"), "missing required field")
	} else {
		t.Total = p.seriesRef(tn, join(path, "total"), t.Indicator, shared)
	}
	parts := p.list(tf, "parts")
	switch pn := tf.values["parts"]; {
	case pn == nil:
		p.ps.errorf(p.pos(n), join(path, "parts"), "missing required field")
	case pn.Kind == yaml.SequenceNode && len(parts) < 2:
		p.ps.errorf(p.pos(pn), join(path, "parts"), "a total needs at least two parts, got %d", len(parts))
	}
	keys := []string{refKey(t.Total)}
	for i, pn := range parts {
		field := index(join(path, "parts"), i)
		ref := p.seriesRef(pn, field, t.Indicator, shared)
		switch j := slices.Index(keys, refKey(ref)); {
		case len(p.ps.errors) > before:
			// An incomplete series is not compared with the others.
		case j == 0:
			p.ps.errorf(p.pos(pn), field, "is the total itself: a part must differ from it by program or by a dimension value")
		case j > 0:
			p.ps.errorf(p.pos(pn), field, "is the same series as parts[%d]", j-1)
		}
		keys = append(keys, refKey(ref))
		t.Parts = append(t.Parts, ref)
	}
	if len(p.ps.errors) == before {
		p.ds.Totals = append(p.ds.Totals, t)
	}
}

// basis reads the basis of a reported figure or a declared total: the
// basis of the figures it is about, as an observation states it, and the
// indicator's when it states none.
func (p *datasetParser) basis(f fields, path string, ind *dataset.Indicator) string {
	b := p.str(f, "basis", false)
	if b == "" {
		if ind != nil {
			return ind.Basis
		}
		return ""
	}
	if msg := checkBasis(b); msg != "" {
		p.ps.errorf(p.pos(f.values["basis"]), join(path, "basis"), "%s", msg)
	}
	return p.intern(b)
}

// refKey identifies a referenced series.
func refKey(r dataset.SeriesRef) string {
	return r.Program + "\x00" + strings.Join(r.Dims, "\x00")
}

// seriesPart is a series as far as one mapping names it: a programme and
// some dimension values.
type seriesPart struct {
	program string
	dims    map[string]string
}

// seriesFields reads the program and dimensions of f, either of which may
// be left out, and checks them against the indicator.
func (p *datasetParser) seriesFields(f fields, path string, ind *dataset.Indicator) seriesPart {
	s := seriesPart{program: p.str(f, "program", false), dims: map[string]string{}}
	if s.program != "" {
		pos, field := p.pos(f.values["program"]), join(path, "program")
		switch {
		case !ind.PerProgram:
			p.ps.errorf(pos, field, "%s is not per programme: leave program out", ind.Name)
		case p.programs[s.program] == nil:
			p.ps.errorf(pos, field, "unknown program %q: declare it under programs", s.program)
		}
	}
	d := f.values["dimensions"]
	if d == nil {
		return s
	}
	if d.Kind != yaml.MappingNode {
		p.ps.errorf(p.pos(d), join(path, "dimensions"), "must be a mapping, got %s", kindName(d))
		return s
	}
	for i := 0; i+1 < len(d.Content); i += 2 {
		k, v := d.Content[i], d.Content[i+1]
		field := join(path, "dimensions."+k.Value)
		if _, dup := s.dims[k.Value]; dup {
			p.ps.errorf(p.pos(k), field, "duplicate field")
			continue
		}
		if !slices.Contains(ind.Dimensions, k.Value) {
			p.ps.errorf(p.pos(k), field, "unknown dimension %q: %s has %s", k.Value, ind.Name, describeDims(ind.Dimensions))
			continue
		}
		// A bad value is still a value: the series does not lack the dimension.
		switch {
		case v.Kind != yaml.ScalarNode:
			p.ps.errorf(p.pos(v), field, "must be a scalar, got %s", kindName(v))
		case !validID(v.Value):
			p.ps.errorf(p.pos(v), field, "%q must match [A-Za-z0-9_.-]+", v.Value)
		}
		s.dims[k.Value] = p.intern(v.Value)
	}
	return s
}

// seriesRef reads the total or a part: what n names, completed by what
// the whole total shares.
func (p *datasetParser) seriesRef(n *yaml.Node, path string, ind *dataset.Indicator, shared seriesPart) dataset.SeriesRef {
	f := p.mapping(n, path, "program", "dimensions")
	ref := dataset.SeriesRef{Pos: p.pos(n)}
	if !isMapping(n) {
		return ref // mapping said so.
	}
	own := p.seriesFields(f, path, ind)
	ref.Program = cmp.Or(own.program, shared.program)
	if ind.PerProgram && ref.Program == "" {
		p.ps.errorf(p.pos(n), join(path, "program"), "missing required field: %s is per programme (give program here or for the whole total)", ind.Name)
	}
	for _, d := range ind.Dimensions {
		v, ok := own.dims[d]
		if !ok {
			v, ok = shared.dims[d]
		}
		if !ok {
			p.ps.errorf(p.pos(n), join(path, "dimensions."+d), "missing dimension %q required by %s (give it here or for the whole total)", d, ind.Name)
		}
		ref.Dims = append(ref.Dims, v)
	}
	return ref
}

// isMapping reports whether n is a mapping or an alias of one.
func isMapping(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n.Kind == yaml.MappingNode
}
