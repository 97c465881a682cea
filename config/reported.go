package config

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

func (p *datasetParser) parseReported(n *yaml.Node, path string) {
	rf := p.mapping(n, path, "kind", "indicator", "region", "program", "dimensions", "basis", "from_year", "to_year", "value", "allow_large", "source", "note")
	r := &dataset.Reported{
		Kind:    p.str(rf, "kind", true),
		Region:  p.str(rf, "region", true),
		Program: p.str(rf, "program", false),
		Dataset: p.ds,
		Pos:     p.pos(n),
	}
	if r.Kind != "cagr" && r.Kind != "yoy" && r.Kind != "change" && r.Kind != "" {
		p.ps.errorf(p.pos(rf.values["kind"]), join(path, "kind"), "unknown kind %q: use cagr (average annual growth rate), yoy (year-on-year growth rate) or change (absolute change)", r.Kind)
	}
	name := p.str(rf, "indicator", true)
	if r.Indicator = p.indicator(name); r.Indicator == nil && name != "" {
		p.ps.errorf(p.pos(rf.values["indicator"]), join(path, "indicator"), "unknown indicator %q", name)
	}
	r.Region = p.regionCode(r.Region, rf.values["region"], join(path, "region"))
	r.Basis = p.basis(rf, path, r.Indicator)
	if r.Program != "" && p.programs[r.Program] == nil {
		p.ps.errorf(p.pos(rf.values["program"]), join(path, "program"), "unknown program %q: declare it under programs", r.Program)
	}
	if d := rf.values["dimensions"]; d != nil && r.Indicator != nil {
		df := p.mapping(d, join(path, "dimensions"), r.Indicator.Dimensions...)
		for _, dim := range r.Indicator.Dimensions {
			r.Dims = append(r.Dims, p.str(df, dim, true))
		}
	}
	r.FromYear, _ = p.year(rf, "from_year", true, p.ld.opts.Now)
	r.ToYear, _ = p.year(rf, "to_year", true, p.ld.opts.Now)
	if r.FromYear >= r.ToYear && r.ToYear != 0 {
		p.ps.errorf(p.pos(rf.values["to_year"]), join(path, "to_year"), "%d must be after from_year %d", r.ToYear, r.FromYear)
	}
	p.reportedValue(r, rf, path)
	var srcPos dataset.Position
	if sn := rf.values["source"]; sn != nil {
		srcPos = p.pos(sn)
	} else {
		srcPos = p.pos(n)
	}
	var msg string
	if r.Source, msg = p.source(p.str(rf, "source", false)); msg != "" {
		p.ps.errorf(srcPos, join(path, "source"), "%s", msg)
	}
	p.ds.Reported = append(p.ds.Reported, r)
}

// reportedValue reads a reported figure's value with the precision it was
// written with. A growth rate is a plain number (0.058) or a percentage as
// printed ("5.8%"); a change is a figure in the unit of the indicator, as
// an observation's value is ("2436万", "-1.2 million", "0.8%" for a ratio),
// and may be negative.
func (p *datasetParser) reportedValue(r *dataset.Reported, rf fields, path string) {
	n := p.scalar(rf, "value", true)
	if n == nil {
		return
	}
	field := join(path, "value")
	if n.Tag != "!!int" && n.Tag != "!!float" && n.Tag != "!!str" {
		p.ps.errorf(p.pos(n), field, "must be a number or a figure as printed, got %q", n.Value)
		return
	}
	if r.Kind == "change" {
		if r.Indicator == nil {
			return // The unit that decides what the value may be is unknown.
		}
		fig, msg := parseFigureOf(n.Value, r.Indicator.Unit, r.Indicator.Name)
		if msg == "" {
			msg = notWhole(fig, r.Indicator.Name, r.Indicator.Unit)
		}
		if msg != "" {
			p.ps.errorf(p.pos(n), field, "%s", msg)
			return
		}
		r.Value, r.Precision, r.Printed = fig.Value, fig.Precision, fig.printed()
		return
	}
	// A YAML number (0.058) is read as the plain number it is, with the
	// precision of its last digit; a string may be a percentage ("5.8%").
	fig, msg := parseFigure(n.Value, dataset.UnitRatio)
	if msg == "" && fig.printed() != "" && !fig.percentage() {
		msg = fmt.Sprintf("a growth rate must be a ratio or a percentage as printed (0.058, 5.8%%), got %q", fig.Printed)
	}
	// A rate beyond ±100 % a year is most often a percentage written as a
	// ratio: 5.8 for 5.8 %, read as 580 %.
	if large, _ := p.boolean(rf, "allow_large"); msg == "" && !large && (fig.Value > 1 || fig.Value < -1) {
		msg = fmt.Sprintf("a growth rate of %s a year is beyond ±100 %%: write 5.8 %% as 0.058 or \"5.8%%\", or set allow_large: true if the source states such a rate, got %q",
			strconv.FormatFloat(fig.Value*100, 'g', 6, 64)+" %", n.Value)
	}
	if msg != "" {
		p.ps.errorf(p.pos(n), field, "%s", msg)
		return
	}
	r.Value, r.Precision, r.Printed = fig.Value, fig.Precision, fig.printed()
}
