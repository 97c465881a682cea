package pages

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// The entries /checks shows of each group on its first page, and on each
// page of one group.
const (
	checksPreview  = 20
	checksPerPage  = 100
	groupWarnings  = "warning:"
	groupCheckName = "check:"
)

type checksPage struct {
	Warnings, Failed, Unchecked, Acknowledged, Passed int
	WarningGroups                                     []warningGroupView
	CheckGroups                                       []checkGroupView
	// Group is set when the page lists one group, a page at a time.
	Group             string
	Page, Pages       int
	Prev, Next, Index string
	Problem           string
}

type warningGroupView struct {
	Kind  string
	Count int
	Items []warningView
	More  string // All of the group, when the overview shows part.
}

type warningView struct {
	Pos, Field, Message string
	Figures             []figureLink
}

type checkGroupView struct {
	Name                                    string
	Failed, Unchecked, Acknowledged, Passed int
	Items                                   []checkView
	More                                    string
}

func (p *Pages) serveChecks(w http.ResponseWriter, r *http.Request, l *Load) {
	ix := l.index
	v := r.URL.Query()
	n, err := parsePage(v)
	if err != nil {
		p.render(w, http.StatusBadRequest, "checks", layout{Title: "Warnings and checks", Nav: "checks", Reload: p.state().Reload,
			Data: checksPage{Problem: "The " + err.Error() + ".", Index: "checks"}})
		return
	}
	// The list is built once per version, on the first request that needs
	// it; a request that cannot wait for it leaves it building.
	cl, err := l.checkListWithin(r.Context())
	if err != nil {
		p.failed(w, r, err)
		return
	}
	page := checksPage{Failed: cl.failed, Unchecked: cl.unchecked, Acknowledged: cl.acknowledged, Warnings: len(l.Warnings), Group: param(v, "group"), Page: n, Index: "checks"}
	for _, g := range cl.checks {
		page.Passed += g.Passed
	}
	limit, from := checksPreview, 0
	if page.Group != "" {
		// A page past the last of its group is the last.
		size := 0
		for _, g := range cl.warnings {
			if page.Group == groupWarnings+g.Kind {
				size = len(g.Problems)
			}
		}
		for _, g := range cl.checks {
			if page.Group == groupCheckName+g.Name {
				size = len(g.entries)
			}
		}
		page.Page = min(page.Page, pageCount(size, checksPerPage))
		limit, from = checksPerPage, pageStart(page.Page, checksPerPage)
	}
	found := page.Group == ""
	for _, g := range cl.warnings {
		id := groupWarnings + g.Kind
		if page.Group != "" && page.Group != id {
			continue
		}
		found = true
		gv := warningGroupView{Kind: g.Kind, Count: len(g.Problems)}
		for _, prob := range window(g.Problems, from, limit) {
			gv.Items = append(gv.Items, ix.warningView(prob))
		}
		if page.Group == "" && len(g.Problems) > limit {
			gv.More = groupURL(id, 1)
		}
		page.setPages(id, len(g.Problems))
		page.WarningGroups = append(page.WarningGroups, gv)
	}
	for _, g := range cl.checks {
		id := groupCheckName + g.Name
		if page.Group != "" && page.Group != id || page.Group == "" && len(g.entries) == 0 {
			continue
		}
		found = true
		gv := checkGroupView{Name: g.Name, Failed: g.Failed, Unchecked: g.Unchecked, Acknowledged: g.Acknowledged, Passed: g.Passed}
		for _, e := range window(g.entries, from, limit) {
			gv.Items = append(gv.Items, ix.entryView(g.Name, e))
		}
		if page.Group == "" && len(g.entries) > limit {
			gv.More = groupURL(id, 1)
		}
		page.setPages(id, len(g.entries))
		page.CheckGroups = append(page.CheckGroups, gv)
	}
	status := http.StatusOK
	if !found {
		page.Problem, status = "There is no group "+strconv.Quote(shorten(page.Group))+" of warnings or checks.", http.StatusNotFound
	}
	p.render(w, status, "checks", layout{Title: "Warnings and checks", Nav: "checks", Reload: p.state().Reload, Data: page})
}

// setPages sets the page links of a one-group page.
func (page *checksPage) setPages(id string, n int) {
	if page.Group != id {
		return
	}
	nav := newPageNav(page.Page, pageCount(n, checksPerPage), func(page int) string { return groupURL(id, page) })
	page.Page, page.Pages, page.Prev, page.Next = nav.Page, nav.Pages, nav.Prev, nav.Next
}

func groupURL(id string, page int) string {
	v := url.Values{"group": {id}}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "checks?" + v.Encode()
}

// warningFigures is how many of a warning's figures /checks links; the
// figures of an unresolved conflict are thousands at worst, which the page
// of their series lists a page at a time.
const warningFigures = 10

func (ix *index) warningView(p config.Problem) warningView {
	v := warningView{Pos: p.Pos.String(), Field: p.Field, Message: p.Message}
	if p.Pos.Line == 0 {
		v.Pos = p.Pos.File
	}
	for _, o := range window(p.Figures, 0, warningFigures) {
		v.Figures = append(v.Figures, figureLink{figureURL(o), ix.view(o).Title()})
	}
	if more := len(p.Figures) - warningFigures; more > 0 {
		first := p.Figures[0]
		label := "and " + grouped(float64(more)) + " more"
		if !slices.ContainsFunc(p.Figures, func(o *dataset.Observation) bool { return dataset.CompareKeys(o, first) != 0 }) {
			label = "and " + grouped(float64(more)) + " more of this series, on its page"
		}
		v.Figures = append(v.Figures, figureLink{figureURL(first), label})
	}
	return v
}

// entryView describes a check result; a pass kept as its figure is checked
// again, on its own, for its message.
func (ix *index) entryView(name string, e checkEntry) checkView {
	if e.result != nil {
		return ix.checkView(*e.result)
	}
	for _, r := range ix.figureChecks(e.figure) {
		if r.Check == name && r.Total == e.total && len(r.Figures) > 0 && r.Figures[0] == e.figure {
			return ix.checkView(r)
		}
	}
	fv := ix.view(e.figure)
	return checkView{Check: name, Status: check.OK, Subject: fv.Title(), Pos: fv.Pos, Datasets: []string{e.figure.Dataset.ID},
		Figures: []figureLink{{fv.URL, fv.Title()}}}
}
