package pages

import (
	"context"
	"net/http"
	"strconv"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// figuresPerPage is how many figures /figures lists on a page.
const figuresPerPage = 100

// figuresFilter is what /figures is filtered by; empty fields filter
// nothing.
type figuresFilter struct {
	Dataset, Region, Program, Metric string
	Year                             int
}

type option struct {
	Value, Label string
}

type figuresPage struct {
	Filter                               figuresFilter
	Datasets, Regions, Programs, Metrics []option
	Years                                []int
	Rows                                 []figureView
	Total, Page, Pages, First, Last      int
	Prev, Next                           string
	Conflicts                            int
	Problem                              string
}

func (p *Pages) serveFigures(w http.ResponseWriter, r *http.Request, l *Load) {
	ix := l.index
	v := r.URL.Query()
	f := figuresFilter{Dataset: param(v, "dataset"), Region: param(v, paramRegion), Program: param(v, paramProgram), Metric: param(v, paramMetric)}
	page := figuresPage{Filter: f, Years: ix.years, Conflicts: len(ix.conflicts), Page: 1}
	status := http.StatusOK
	if y := param(v, paramYear); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil {
			page.Problem = "year " + strconv.Quote(y) + " is not a year"
			status = http.StatusBadRequest
		}
		page.Filter.Year, f.Year = year, year
	}
	if n, err := parsePage(v); err != nil {
		page.Problem, status = err.Error(), http.StatusBadRequest
	} else {
		page.Page = n
	}
	for _, ds := range ix.snap.Datasets {
		page.Datasets = append(page.Datasets, option{ds.ID, ds.ID + " · " + ds.Title})
	}
	for _, reg := range ix.snap.Regions {
		page.Regions = append(page.Regions, option{reg.Code, regionName(reg) + " · " + reg.Code})
	}
	for _, prog := range ix.snap.Programs {
		page.Programs = append(page.Programs, option{prog.ID, prog.Name + " · " + prog.ID})
	}
	for _, ind := range ix.snap.Indicators {
		page.Metrics = append(page.Metrics, option{ind.Name, ind.Name})
	}
	if reg := ix.region(f.Region); reg != nil {
		f.Region = reg.Code // An alias names the same figures.
	}
	var ds *dataset.Dataset
	if f.Dataset != "" && status == http.StatusOK {
		if ds = ix.dataset(f.Dataset); ds == nil {
			page.Problem, status = "no dataset "+strconv.Quote(f.Dataset)+" is loaded", http.StatusNotFound
		}
	}
	if status == http.StatusOK {
		// The figures of a metric, or of a metric and region, are one run
		// of the index; anything else is a scan, which stops collecting
		// once the page is full but goes on counting.
		lo, hi := 0, ix.len()
		switch {
		case f.Metric != "" && f.Region != "":
			lo, hi = ix.span(f.Metric, f.Region, "", true)
		case f.Metric != "":
			lo, hi = ix.indicatorSpan(f.Metric)
		}
		var match func(o *dataset.Observation) bool
		if ds != nil || f.Region != "" || f.Program != "" || f.Year != 0 {
			match = func(o *dataset.Observation) bool {
				return (ds == nil || o.Dataset == ds) && (f.Region == "" || o.Region == f.Region) &&
					(f.Program == "" || o.Program == f.Program) && (f.Metric == "" || o.Indicator.Name == f.Metric) &&
					(f.Year == 0 || o.Year == f.Year)
			}
		}
		rows, total, n, err := ix.figureRows(r.Context(), lo, hi, match, page.Page)
		if err != nil {
			p.failed(w, r, err)
			return
		}
		page.Total, page.Page = total, n
		for _, o := range rows {
			page.Rows = append(page.Rows, ix.view(o))
		}
	}
	page.Pages = pageCount(page.Total, figuresPerPage)
	page.Page = min(page.Page, page.Pages)
	if len(page.Rows) > 0 {
		page.First = pageStart(page.Page, figuresPerPage) + 1
		page.Last = page.First + len(page.Rows) - 1
	}
	nav := newPageNav(page.Page, page.Pages, func(n int) string { return figuresURL(page.Filter, n) })
	page.Prev, page.Next = nav.Prev, nav.Next
	p.render(w, status, "figures", layout{Title: "Figures", Nav: "figures", Reload: p.state().Reload, Data: page})
}

// figureRows returns the figures of positions [lo, hi) that match (all when
// match is nil) on a page of figuresPerPage, a page past the last being the
// last, with how many match in all and the page shown. A scan stops with
// the context's error once its deadline has passed.
func (ix *index) figureRows(ctx context.Context, lo, hi int, match func(*dataset.Observation) bool, page int) ([]*dataset.Observation, int, int, error) {
	var rows []*dataset.Observation
	if match == nil {
		total := hi - lo
		page = min(page, pageCount(total, figuresPerPage))
		for i := lo + pageStart(page, figuresPerPage); i < hi && len(rows) < figuresPerPage; i++ {
			rows = append(rows, ix.at(i))
		}
		return rows, total, page, nil
	}
	scan := func(page int) (int, error) {
		rows = rows[:0]
		skip, total := pageStart(page, figuresPerPage), 0
		for i := lo; i < hi; i++ {
			if (i-lo)%4096 == 0 && ctx.Err() != nil {
				return 0, ctx.Err()
			}
			o := ix.at(i)
			if !match(o) {
				continue
			}
			if total >= skip && len(rows) < figuresPerPage {
				rows = append(rows, o)
			}
			total++
		}
		return total, nil
	}
	total, err := scan(page)
	if err != nil {
		return nil, 0, 0, err
	}
	if last := pageCount(total, figuresPerPage); page > last {
		// Past the last page: the last, which a second scan collects.
		page = last
		if _, err := scan(page); err != nil {
			return nil, 0, 0, err
		}
	}
	return rows, total, page, nil
}
