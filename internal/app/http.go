package app

import (
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/socsec-exporter/socsec_exporter/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/pages"
)

// Handler returns the exporter's HTTP routes.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(e.opts.TelemetryPath, e.metricsHandler())
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Healthy")
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if e.Snapshot() == nil {
			http.Error(w, "Not ready: datasets are still loading", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("/-/reload", e.serveReload)
	pages.New(e.PageState).Register(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		(*e.landing.Load()).ServeHTTP(w, r)
	})
	return mux
}

// setLanding rebuilds the landing page so that it lists snap's datasets.
func (e *Exporter) setLanding(snap *dataset.Snapshot) {
	cfg := web.LandingConfig{
		Name:        "socsec_exporter",
		Description: "Prometheus exporter for official social-security statistics",
		Version:     version.Info(),
		Profiling:   "false", // No pprof handlers are served.
		Links: []web.LandingLinks{
			{Address: strings.TrimPrefix(e.opts.TelemetryPath, "/"), Text: "Metrics"},
			{Address: "-/healthy", Text: "Health"},
			{Address: "-/ready", Text: "Readiness"},
			{Address: "figures", Text: "Figures", Description: "every figure served, with its source and the source's words"},
			{Address: "checks", Text: "Warnings and checks", Description: "what the current load found"},
		},
		ExtraHTML: pages.LandingHTML(e.PageState()) + datasetsHTML(snap),
		ExtraCSS:  "table.datasets td, table.datasets th { padding: 2px 8px; text-align: left; vertical-align: top; } " + pages.LandingCSS,
	}
	h, err := web.NewLandingPage(cfg)
	var handler http.Handler = h
	if err != nil {
		handler = http.NotFoundHandler()
		e.logger.Error("Building the landing page", "err", err)
	}
	e.landing.Store(&handler)
}

// datasetsHTML lists the datasets with their sources and series counts.
func datasetsHTML(snap *dataset.Snapshot) string {
	if snap == nil {
		return "<h2>Datasets</h2><p>Loading…</p>"
	}
	counts := snap.SeriesCount()
	var b strings.Builder
	b.WriteString(`<h2>Datasets</h2><table class="datasets"><tr><th>Dataset</th><th>Series</th><th>Sources</th><th>File</th></tr>`)
	for _, ds := range snap.Datasets {
		fmt.Fprintf(&b, "<tr><td><b>%s</b><br>%s</td><td>%d</td><td>", html.EscapeString(ds.ID), html.EscapeString(ds.Title), counts[ds.ID])
		for _, s := range ds.Sources {
			title := html.EscapeString(s.Title)
			if s.URL != "" {
				title = fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(s.URL), title)
			}
			fmt.Fprintf(&b, "%s (%s, %s)<br>", title, html.EscapeString(s.Publisher), s.DateText())
		}
		fmt.Fprintf(&b, "</td><td>%s</td></tr>", html.EscapeString(ds.File))
	}
	b.WriteString("</table>")
	return b.String()
}
