package pages

import (
	"net/http"
	"strconv"

	"github.com/socsec-exporter/socsec_exporter/dataset"
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
	if n := param(v, "page"); n != "" {
		if i, err := strconv.Atoi(n); err == nil && i > 0 {
			page.Page = i
		}
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
	if f.Dataset != "" {
		if ds = ix.dataset(f.Dataset); ds == nil {
			page.Problem, status = "no dataset "+strconv.Quote(f.Dataset)+" is loaded", http.StatusNotFound
		}
	}
	if status == http.StatusOK {
		matches := func(o *dataset.Observation) bool {
			return (ds == nil || o.Dataset == ds) && (f.Region == "" || o.Region == f.Region) &&
				(f.Program == "" || o.Program == f.Program) && (f.Metric == "" || o.Indicator.Name == f.Metric) &&
				(f.Year == 0 || o.Year == f.Year)
		}
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
		skip := (page.Page - 1) * figuresPerPage
		var rows []*dataset.Observation
		if ds == nil && f.Region == "" && f.Program == "" && f.Year == 0 {
			page.Total = hi - lo
			for i := lo + skip; i < hi && len(rows) < figuresPerPage; i++ {
				rows = append(rows, ix.at(i))
			}
		} else {
			for i := lo; i < hi; i++ {
				o := ix.at(i)
				if !matches(o) {
					continue
				}
				if page.Total >= skip && len(rows) < figuresPerPage {
					rows = append(rows, o)
				}
				page.Total++
			}
		}
		for _, o := range rows {
			page.Rows = append(page.Rows, ix.view(o))
		}
	}
	page.Pages = max(1, (page.Total+figuresPerPage-1)/figuresPerPage)
	if len(page.Rows) > 0 {
		page.First = (page.Page-1)*figuresPerPage + 1
		page.Last = page.First + len(page.Rows) - 1
	}
	if page.Page > 1 {
		page.Prev = figuresURL(page.Filter, min(page.Page-1, page.Pages))
	}
	if page.Page < page.Pages {
		page.Next = figuresURL(page.Filter, page.Page+1)
	}
	p.render(w, status, "figures", layout{Title: "Figures", Nav: "figures", Reload: p.state().Reload, Data: page})
}
