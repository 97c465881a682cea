package pages

import (
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/socsec-exporter/socsec_exporter/check"
	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// figurePage is /figure: one figure, or an unresolved conflict, with
// everything said about it.
type figurePage struct {
	Figure figureView
	// Conflict lists the figures of an unresolved conflict; the page is
	// then about a series that is not served.
	Conflict []relatedView
	Related  []relatedView // The other figures of the series.
	Checks   []checkView
	Chart    chartView
	// SeriesURL lists the series' figures of every year.
	SeriesURL string
}

// relatedView is a figure of the same series and what became of it.
type relatedView struct {
	Figure   figureView
	Relation string
}

// checkView is one consistency check result as the pages show it.
type checkView struct {
	Check    string
	Status   check.Status
	Subject  string
	Message  string
	Pos      string
	Datasets []string
	Figures  []figureLink
}

type figureLink struct {
	URL, Label string
}

// choicePage is /figure when the query names no figure or several.
type choicePage struct {
	Why        string
	Asked      []labelValue // The parameters of the request, sorted.
	Candidates []figureView
	MoreURL    string
}

// asked lists a request's parameters.
func asked(v url.Values) []labelValue {
	var lv []labelValue
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, val := range v[k] {
			lv = append(lv, labelValue{k, val})
		}
	}
	return lv
}

func (p *Pages) serveFigure(w http.ResponseWriter, r *http.Request, l *Load) {
	ix := l.index
	reload := p.state().Reload
	q, err := parseFigureQuery(r.URL.Query())
	if err != nil {
		p.render(w, http.StatusBadRequest, "choice", layout{Title: "Which figure?", Nav: "figures", Reload: reload,
			Data: choicePage{Why: err.Error() + ".", Asked: asked(r.URL.Query()), MoreURL: "figures"}})
		return
	}
	res := ix.resolve(q)
	switch {
	case res.figure != nil:
		p.render(w, http.StatusOK, "figure", layout{Title: ix.view(res.figure).Title(), Nav: "figures", Reload: reload,
			Data: ix.figurePage(res.figure)})
	case res.conflict != nil:
		page := ix.conflictPage(res.conflict)
		p.render(w, http.StatusNotFound, "figure", layout{Title: "Not served: " + page.Figure.Title(), Nav: "figures", Reload: reload, Data: page})
	default:
		page := choicePage{Why: res.why, Asked: asked(r.URL.Query()),
			MoreURL: figuresURL(figuresFilter{Metric: q.Metric, Region: q.Region, Program: q.Program}, 1)}
		if ix.indicator(q.Metric) == nil || ix.region(q.Region) == nil {
			page.MoreURL = "figures"
		}
		for _, o := range res.candidates {
			page.Candidates = append(page.Candidates, ix.view(o))
		}
		status := http.StatusNotFound
		if len(res.candidates) > 0 && res.why == "Several figures match; choose one." {
			status = http.StatusMultipleChoices
		}
		p.render(w, status, "choice", layout{Title: "Which figure?", Nav: "figures", Reload: reload, Data: page})
	}
}

func (ix *index) figurePage(o *dataset.Observation) figurePage {
	page := figurePage{Figure: ix.view(o), Chart: ix.chart(o, nil),
		SeriesURL: figuresURL(figuresFilter{Metric: o.Indicator.Name, Region: o.Region, Program: o.Program}, 1)}
	if s := ix.settlement(o); s != nil {
		for _, f := range s.confirming {
			page.Related = append(page.Related, relatedView{ix.view(f), "confirms it: agrees within what both wrote; the more precise figure is served"})
		}
		for _, f := range s.disputed {
			page.Related = append(page.Related, relatedView{ix.view(f), "disputed: disagrees with another figure of equal standing; the served figure's source outranks both"})
		}
		for _, r := range s.revised {
			page.Related = append(page.Related, relatedView{ix.view(r.Old), revisedBecause(r)})
		}
	}
	page.Checks = ix.checkViews(ix.figureChecks(o))
	return page
}

// revisedBecause says why a figure was revised: what makes the figure
// that contradicts it outrank it.
func revisedBecause(r dataset.Revision) string {
	by := "the figure of " + r.By.Source.ID
	switch {
	case r.By.Source.Authority != r.Old.Source.Authority:
		return "revised: disagrees with " + by + ", whose source has the higher authority"
	case r.Old.Provisional() && !r.By.Provisional():
		return "revised: a provisional figure that disagrees with " + by + ", a final one"
	}
	return "revised: disagrees with " + by + ", whose source is later"
}

func (ix *index) conflictPage(s *settlement) figurePage {
	first := s.first()
	page := figurePage{Figure: ix.view(first), Chart: ix.chart(first, s.conflict),
		SeriesURL: figuresURL(figuresFilter{Metric: first.Indicator.Name, Region: first.Region, Program: first.Program}, 1)}
	for _, f := range s.conflict {
		page.Conflict = append(page.Conflict, relatedView{ix.view(f), "disagrees with the others; no source outranks the rest"})
	}
	for _, f := range s.others {
		page.Related = append(page.Related, relatedView{ix.view(f), "agrees with every figure kept, but its source does not outrank those in conflict"})
	}
	for _, r := range s.revised {
		page.Related = append(page.Related, relatedView{ix.view(r.Old), revisedBecause(r)})
	}
	var results []check.Result
	for _, f := range s.conflict {
		for _, r := range ix.figureChecks(f) {
			if !slices.ContainsFunc(results, func(x check.Result) bool { return x.Pos == r.Pos && x.Message == r.Message }) {
				results = append(results, r)
			}
		}
	}
	page.Checks = ix.checkViews(results)
	return page
}

// checkViews describes check results with links to the figures they read.
func (ix *index) checkViews(results []check.Result) []checkView {
	var views []checkView
	for _, r := range results {
		views = append(views, ix.checkView(r))
	}
	return views
}

// checkView describes a check result with a link to each figure it read,
// once.
func (ix *index) checkView(r check.Result) checkView {
	v := checkView{Check: r.Check, Status: r.Status, Subject: r.Subject, Message: r.Message, Pos: r.Pos.String(), Datasets: r.Datasets}
	for i, o := range r.Figures {
		if !slices.Contains(r.Figures[:i], o) {
			v.Figures = append(v.Figures, figureLink{figureURL(o), ix.view(o).Title()})
		}
	}
	return v
}
