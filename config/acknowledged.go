package config

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// An acknowledgement says that a dataset knows why one of its consistency
// checks fails, so that the failure is reported apart and alerts on nothing:
//
//	acknowledged:
//	  - check: reported
//	    figure: {kind: cagr, indicator: socsec_pension_monthly_per_capita_yuan, region: "140000",
//	             program: basic_pension, from_year: 2015, to_year: 2020}
//	    reason: The article rounds 5.88 % down to 5.8 %.
//
// figure names what the check is of, with the keys the dataset writes it
// with: for reported and reported_pair the reported figure by the keys of
// its entry under reported, for total the figure of the total series, and
// for the other checks the checked figure, both by the keys of an
// observation. A dataset acknowledges only what it states itself.

// KindStaleAcknowledgement is the warning about an acknowledgement that no
// failed check matches: check reports it, as only running the checks tells.
const KindStaleAcknowledgement Kind = "stale acknowledgement"

var acknowledgedKeys = []string{"check", "figure", "reason"}

// The keys of figure: those of a reported figure, and those of an observation.
var (
	ackClaimKeys  = []string{"kind", "indicator", "region", "program", "dimensions", "basis", "from_year", "to_year"}
	ackFigureKeys = []string{"indicator", "region", "program", "dimensions", "basis", "year", "period"}
)

// parseAcknowledged reads the dataset's acknowledgements; each must name a
// known check and what it is of completely, and no two the same.
func (p *datasetParser) parseAcknowledged(f fields) {
	seen := map[string]int{}
	for i, n := range p.list(f, "acknowledged") {
		path := index("acknowledged", i)
		before := len(p.ps.errors)
		af := p.mapping(n, path, acknowledgedKeys...)
		ack := &dataset.Acknowledgement{Check: p.str(af, "check", true), Reason: p.text(af, "reason"), Dataset: p.ds, Pos: p.pos(n)}
		if rn := af.values["reason"]; isMapping(n) && (rn == nil || rn.Tag == "!!null") {
			p.ps.errorf(p.pos(n), join(path, "reason"), "missing required field: say why the check fails")
		} else if rn != nil && rn.Kind == yaml.ScalarNode && strings.TrimSpace(rn.Value) == "" {
			p.ps.errorf(p.pos(rn), join(path, "reason"), "must not be empty")
		}
		known := slices.Contains(check.Names, ack.Check)
		if !known && ack.Check != "" {
			p.ps.errorf(p.pos(af.values["check"]), join(path, "check"), "unknown check %q: use %s", ack.Check, strings.Join(check.Names, ", "))
		}
		switch fn := af.values["figure"]; {
		case fn == nil && isMapping(n):
			p.ps.errorf(p.pos(n), join(path, "figure"), "missing required field: the figure or reported figure the check is of")
		case fn != nil && known:
			ack.Figure = p.checkedRef(fn, join(path, "figure"), ack.Check == check.Reported || ack.Check == check.ReportedPair)
		}
		if len(p.ps.errors) > before {
			continue
		}
		key := ack.Check + "\x00" + refKeyOf(ack.Figure)
		if j, dup := seen[key]; dup {
			p.ps.errorf(p.pos(n), path, "acknowledges the same check as acknowledged[%d]", j)
			continue
		}
		seen[key] = i
		p.ds.Acknowledged = append(p.ds.Acknowledged, ack)
	}
}

// refKeyOf is what identifies a CheckedRef, for comparison.
func refKeyOf(r dataset.CheckedRef) string {
	name := ""
	if r.Indicator != nil {
		name = r.Indicator.Name
	}
	return strings.Join(append([]string{r.Kind, name, r.Region, r.Program, r.Basis, r.Period,
		fmt.Sprint(r.Year, r.FromYear, r.ToYear)}, r.Dims...), "\x00")
}

// checkedRef reads the figure an acknowledgement names: a reported figure
// (claim) or an observation's figure, as the dataset writes either.
func (p *datasetParser) checkedRef(n *yaml.Node, path string, claim bool) dataset.CheckedRef {
	keys := ackFigureKeys
	if claim {
		keys = ackClaimKeys
	}
	ff := p.mapping(n, path, keys...)
	ref := dataset.CheckedRef{Region: p.str(ff, "region", true), Program: p.str(ff, "program", false)}
	if !isMapping(n) {
		return ref // mapping said so.
	}
	name := p.str(ff, "indicator", true)
	if ref.Indicator = p.indicator(name); ref.Indicator == nil && name != "" {
		p.ps.errorf(p.pos(ff.values["indicator"]), join(path, "indicator"), "unknown indicator %q: use a built-in one or declare it under indicators", name)
	}
	ref.Region = p.regionCode(ref.Region, ff.values["region"], join(path, "region"))
	ref.Basis = p.basis(ff, path, ref.Indicator)
	if ind := ref.Indicator; ind != nil {
		switch {
		case ind.PerProgram && ref.Program == "":
			p.ps.errorf(p.pos(n), join(path, "program"), "missing required field: %s is per programme", ind.Name)
		case !ind.PerProgram && ref.Program != "":
			p.ps.errorf(p.pos(ff.values["program"]), join(path, "program"), "%s is not per programme: leave program out", ind.Name)
		case ref.Program != "" && p.programs[ref.Program] == nil:
			p.ps.errorf(p.pos(ff.values["program"]), join(path, "program"), "unknown program %q: declare it under programs", ref.Program)
		}
		var df fields
		if d := ff.values["dimensions"]; d != nil {
			df = p.mapping(d, join(path, "dimensions"), ind.Dimensions...)
		} else if len(ind.Dimensions) > 0 {
			p.ps.errorf(p.pos(n), join(path, "dimensions"), "missing required field: %s has %s", ind.Name, describeDims(ind.Dimensions))
		}
		if df.node != nil {
			for _, dim := range ind.Dimensions {
				ref.Dims = append(ref.Dims, p.str(df, dim, true))
			}
		}
	}
	if claim {
		ref.Kind = p.str(ff, "kind", true)
		if ref.Kind != "cagr" && ref.Kind != "yoy" && ref.Kind != "change" && ref.Kind != "" {
			p.ps.errorf(p.pos(ff.values["kind"]), join(path, "kind"), "unknown kind %q: use cagr, yoy or change, as the reported figure does", ref.Kind)
		}
		ref.FromYear, _ = p.year(ff, "from_year", true, p.ld.opts.Now)
		ref.ToYear, _ = p.year(ff, "to_year", true, p.ld.opts.Now)
		if ref.FromYear >= ref.ToYear && ref.ToYear != 0 {
			p.ps.errorf(p.pos(ff.values["to_year"]), join(path, "to_year"), "%d must be after from_year %d", ref.ToYear, ref.FromYear)
		}
		return ref
	}
	ref.Year, _ = p.year(ff, "year", true, p.ld.opts.Now)
	if period := p.str(ff, "period", false); period != "" && ref.Year != 0 {
		var msg string
		if ref.Period, msg = parsePeriod(period, ref.Year); msg != "" {
			p.ps.errorf(p.pos(ff.values["period"]), join(path, "period"), "%s", msg)
		}
	}
	return ref
}
