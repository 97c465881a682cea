package pages

import (
	"net/http"
	"strconv"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// Build is the build of the exporter as the landing page tells it. A
// field left empty is not known, and the page leaves it out rather than
// show an empty or "unknown" part.
type Build struct {
	Version   string
	Revision  string
	Branch    string
	Date      string // When the revision was committed or the binary built.
	GoVersion string
	Platform  string
}

// buildPart is one known part of the build: "version 0.1.0".
type buildPart struct{ Name, Value string }

// parts lists the known parts of b, in the order the page shows them.
func (b Build) parts() []buildPart {
	var list []buildPart
	for _, p := range []buildPart{{"version", b.Version}, {"revision", b.Revision}, {"branch", b.Branch},
		{"date", b.Date}, {"Go", b.GoVersion}, {"platform", b.Platform}} {
		if p.Value != "" && p.Value != "unknown" {
			list = append(list, p)
		}
	}
	return list
}

// landingView is what the landing page shows.
type landingView struct {
	Build    []buildPart
	Metrics  string
	Health   healthView
	Loaded   bool
	Datasets []datasetView
}

// datasetView is a dataset as the landing page lists it: its sources and
// series, and how its consistency checks went.
type datasetView struct {
	ID, Title, File string
	Series          int
	Sources         []sourceView
	// Failed counts the failed checks that the dataset does not
	// acknowledge, Acknowledged those it does, and Unchecked those that
	// could not be made for want of a figure.
	Failed, Acknowledged, Unchecked int
}

// sourceView is a source with what is known of who published it and when:
// Detail is "publisher, published 2021-07-07", either part alone, or empty.
type sourceView struct {
	Title, URL, Detail string
}

// sourceDetail says who published s and when, as far as either is known.
func sourceDetail(s *dataset.Source) string {
	detail := s.Publisher
	if s.Released.IsZero() && s.Published.IsZero() {
		return detail
	}
	if detail != "" {
		detail += ", "
	}
	return detail + s.DateText()
}

// Landing returns the landing page of st, made once, here: the exporter
// makes it anew when what it shows changes (a load or a failed reload),
// so that serving it costs nothing but the write. It answers GET and HEAD
// of / alone, with the pages' security headers.
func (p *Pages) Landing(st State, build Build) http.Handler {
	v := landingView{Build: build.parts(), Metrics: p.metricsPath(), Health: health(st)}
	if l := st.Load; l != nil {
		v.Loaded = true
		snap := l.Snapshot
		counts := snap.SeriesCount()
		failed, acknowledged, unchecked := checkCounts(snap)
		for _, ds := range snap.Datasets {
			d := datasetView{ID: ds.ID, Title: ds.Title, File: ds.File, Series: counts[ds.ID],
				Failed: failed[ds.ID], Acknowledged: acknowledged[ds.ID], Unchecked: unchecked[ds.ID]}
			for _, s := range ds.Sources {
				d.Sources = append(d.Sources, sourceView{Title: s.Title, URL: s.URL, Detail: sourceDetail(s)})
			}
			v.Datasets = append(v.Datasets, d)
		}
	}
	var buf pageBuffer
	err := p.tmpl.ExecuteTemplate(&buf, "landing", p.layout(layout{Title: "Home", Nav: "home", Reload: st.Reload, Data: v}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		securityHeaders(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Use GET", http.StatusMethodNotAllowed)
			return
		}
		if err != nil {
			http.Error(w, "Rendering the page failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(buf.b)))
		_, _ = w.Write(buf.b)
	})
}

// checkCounts are the failed, acknowledged and unchecked consistency
// checks of snap by dataset ID; none where snap does not count them.
func checkCounts(snap *dataset.Snapshot) (failed, acknowledged, unchecked map[string]int) {
	count := func(f func() map[string]int) map[string]int {
		if f == nil {
			return nil
		}
		return f()
	}
	return count(snap.CheckFailures), count(snap.CheckAcknowledged), count(snap.CheckUnchecked)
}
