package pages

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// figurePage is /figure: one figure, or an unresolved conflict, with
// everything said about it. The lists grow with the data (a series may be
// published thousands of times), so each shows a page of figuresPerPage,
// the same page of each, and the checks are those of the figures shown.
type figurePage struct {
	Figure figureView
	// Conflict lists the figures of an unresolved conflict; the page is
	// then about a series that is not served.
	Conflict relatedList
	Related  relatedList // The other figures of the series.
	Checks   []checkView
	// MoreChecks counts the checks of the figures shown beyond those
	// listed.
	MoreChecks int
	Chart      chartView
	// SeriesURL lists the series' figures of every year.
	SeriesURL string
	Nav       pageNav
}

// relatedList is the part of a list of figures that a page shows.
type relatedList struct {
	Items              []relatedView
	Total, First, Last int
}

// checksShown bounds the checks a figure page lists: a qualified figure
// is compared with every other figure of its series, which may be many.
const checksShown = 100

// relatedView is a figure of the same series and what became of it.
type relatedView struct {
	Figure   figureView
	Relation string
}

// checkView is one consistency check result as the pages show it.
type checkView struct {
	Check    string
	Status   check.Status
	Reason   string // Why the dataset acknowledges a failure; "" unless acknowledged.
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
	More       int // Candidates beyond those listed.
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
	var page int
	if err == nil {
		page, err = parsePage(r.URL.Query())
	}
	if err != nil {
		p.render(w, http.StatusBadRequest, "choice", layout{Title: "Which figure?", Nav: "figures", Reload: reload,
			Data: choicePage{Why: upperFirst(err.Error()) + ".", Asked: asked(r.URL.Query()), MoreURL: "figures"}})
		return
	}
	res := ix.resolve(q)
	if (res.figure != nil || res.conflict != nil) && r.Context().Err() != nil {
		p.failed(w, r, r.Context().Err())
		return
	}
	switch {
	case res.figure != nil:
		p.render(w, http.StatusOK, "figure", layout{Title: ix.view(res.figure).Title(), Nav: "figures", Reload: reload,
			Data: ix.figurePage(res.figure, page)})
	case res.conflict != nil:
		data := ix.conflictPage(res.conflict, page)
		p.render(w, http.StatusNotFound, "figure", layout{Title: "Not served: " + data.Figure.Title(), Nav: "figures", Reload: reload, Data: data})
	default:
		data := choicePage{Why: res.why, Asked: asked(r.URL.Query()), More: res.more,
			MoreURL: figuresURL(figuresFilter{Metric: q.Metric, Region: q.Region, Program: q.Program}, 1)}
		if ix.indicator(q.Metric) == nil || ix.region(q.Region) == nil {
			data.MoreURL = "figures"
		}
		for _, o := range res.candidates {
			data.Candidates = append(data.Candidates, ix.view(o))
		}
		status := http.StatusNotFound
		if len(res.candidates) > 0 && res.choose {
			status = http.StatusMultipleChoices
		}
		p.render(w, status, "choice", layout{Title: "Which figure?", Nav: "figures", Reload: reload, Data: data})
	}
}

// upperFirst capitalises the first letter of a message.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// related is a figure of a list and what became of it, described when a
// page shows it.
type related struct {
	figure   *dataset.Observation
	relation func() string
}

// relatedPage returns the views of the figures of a list that a page
// shows.
func (ix *index) relatedPage(all []related, page int) relatedList {
	list := relatedList{Total: len(all)}
	shown := window(all, pageStart(page, figuresPerPage), figuresPerPage)
	for _, f := range shown {
		list.Items = append(list.Items, relatedView{ix.view(f.figure), f.relation()})
	}
	if len(shown) > 0 {
		list.First = pageStart(page, figuresPerPage) + 1
		list.Last = list.First + len(shown) - 1
	}
	return list
}

// says is a relation that does not depend on the figure.
func says(relation string) func() string { return func() string { return relation } }

// seriesNav clamps page to the pages of the longest list of a figure page
// and links the pages around it.
func seriesNav(o *dataset.Observation, page int, lists ...int) pageNav {
	return newPageNav(page, pageCount(slices.Max(append(lists, 0)), figuresPerPage), func(page int) string {
		return figurePageURL(o, page)
	})
}

func (ix *index) figurePage(o *dataset.Observation, page int) figurePage {
	data := figurePage{Figure: ix.view(o), Chart: ix.chart(o, nil),
		SeriesURL: figuresURL(figuresFilter{Metric: o.Indicator.Name, Region: o.Region, Program: o.Program}, 1)}
	var all []related
	if s := ix.settlement(o); s != nil {
		for _, f := range s.confirming {
			all = append(all, related{f, says("confirms it: agrees within what both wrote; the more precise figure is served")})
		}
		for _, f := range s.disputed {
			all = append(all, related{f, says("disputed: disagrees with another figure of equal standing; the served figure's source outranks both")})
		}
		for _, r := range s.revised {
			all = append(all, related{r.Old, func() string { return revisedBecause(r) }})
		}
	}
	data.Nav = seriesNav(o, page, len(all))
	data.Related = ix.relatedPage(all, data.Nav.Page)
	data.Checks, data.MoreChecks = ix.checkViews(ix.figureChecks(o))
	return data
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

// conflictPage is the page of an unresolved conflict: a page of its
// figures, of the others of its series, and the checks of the figures in
// conflict that it shows, worked out in one run of the checks.
func (ix *index) conflictPage(s *settlement, page int) figurePage {
	first := s.first()
	data := figurePage{Figure: ix.view(first), Chart: ix.chart(first, s.conflict),
		SeriesURL: figuresURL(figuresFilter{Metric: first.Indicator.Name, Region: first.Region, Program: first.Program}, 1)}
	var conflict, others []related
	for _, f := range s.conflict {
		conflict = append(conflict, related{f, says("disagrees with the others; no source outranks the rest")})
	}
	for _, f := range s.others {
		others = append(others, related{f, says("agrees with every figure kept, but its source does not outrank those in conflict")})
	}
	for _, r := range s.revised {
		others = append(others, related{r.Old, func() string { return revisedBecause(r) }})
	}
	data.Nav = seriesNav(first, page, len(conflict), len(others))
	data.Conflict = ix.relatedPage(conflict, data.Nav.Page)
	data.Related = ix.relatedPage(others, data.Nav.Page)
	shown := window(s.conflict, pageStart(data.Nav.Page, figuresPerPage), figuresPerPage)
	data.Checks, data.MoreChecks = ix.checkViews(ix.checksOf(first, s.all(), shown))
	return data
}

// checkViews describes check results with links to the figures they read:
// the first checksShown of them, and how many more there are.
func (ix *index) checkViews(results []check.Result) ([]checkView, int) {
	var views []checkView
	for _, r := range window(results, 0, checksShown) {
		views = append(views, ix.checkView(r))
	}
	return views, len(results) - len(views)
}

// checkView describes a check result with a link to each figure it read,
// once.
func (ix *index) checkView(r check.Result) checkView {
	v := checkView{Check: r.Check, Status: r.Status, Subject: r.Subject, Message: r.Message, Pos: r.Pos.String(), Datasets: r.Datasets}
	if a := r.Acknowledgement; a != nil {
		v.Reason = a.Reason + " (" + a.Pos.String() + ")"
	}
	for i, o := range r.Figures {
		if !slices.Contains(r.Figures[:i], o) {
			v.Figures = append(v.Figures, figureLink{figureURL(o), ix.view(o).Title()})
		}
	}
	return v
}
