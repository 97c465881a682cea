package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/pages"
)

// Handler returns the exporter's HTTP routes.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	e.routes(mux)
	mux.Handle(e.opts.TelemetryPath, e.metricsHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		(*e.landing.Load()).ServeHTTP(w, r)
	})
	return mux
}

// routes adds the routes other than the metrics and the landing page to mux.
func (e *Exporter) routes(mux *http.ServeMux) {
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
	e.registerPages(mux)
}

// checkTelemetryPath says what is wrong with p as the path of the metrics:
// it must be a clean absolute path, of characters that a URL path holds as
// they are and that a ServeMux pattern gives no meaning to (a space ends a
// method, braces hold a wildcard), and it must not be the path of another
// route: the landing page, the provenance pages and their stylesheets, or
// anything under /-/.
func checkTelemetryPath(p string) error {
	bad := strings.IndexFunc(p, func(r rune) bool { return !pathChar(r) })
	switch {
	case !strings.HasPrefix(p, "/"):
		return errors.New("must start with /")
	case bad >= 0:
		r, _ := utf8.DecodeRuneInString(p[bad:])
		return fmt.Errorf("has %q, but may hold only letters, digits and / - . _ ~ ! $ & ' ( ) * + , ; = : @", r)
	case path.Clean(p) != p:
		return errors.New("must be a clean path: no // and no . or .. segment, and no / at the end")
	case p == "/":
		return errors.New("is the landing page")
	case strings.HasPrefix(p, "/-/"):
		return errors.New("is under /-/, where the health, readiness and reload endpoints are")
	}
	others := http.NewServeMux()
	(&Exporter{}).routes(others)
	if _, pattern := others.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}}); pattern != "" {
		return fmt.Errorf("clashes with the route %s of the provenance pages", pattern)
	}
	return nil
}

// pathChar says whether r may be in the path of the metrics: the characters
// of a URL path segment that need no escaping, and /.
func pathChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("/-._~!$&'()*+,;=:@", r)
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
	// The security headers of the pages, so that the landing page is held to
	// what they are.
	csp := landingPolicy(handler)
	var landing http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		handler.ServeHTTP(w, r)
	})
	e.landing.Store(&landing)
}

// inlineStyle is a <style> element of the landing page and its content.
var inlineStyle = regexp.MustCompile(`(?s)<style[^>]*>(.*?)</style>`)

// landingPolicy is the pages' Content-Security-Policy (pages.ContentSecurityPolicy)
// for the landing page that landing serves: exporter-toolkit writes its
// stylesheet inline, so the policy allows that stylesheet, by its hash, and
// nothing else inline.
func landingPolicy(landing http.Handler) string {
	page := &pageRecorder{header: http.Header{}}
	landing.ServeHTTP(page, &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{}})
	var hashes []string
	for _, m := range inlineStyle.FindAllSubmatch(page.body.Bytes(), -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	directives := strings.Split(pages.ContentSecurityPolicy, "; ")
	i := slices.IndexFunc(directives, func(d string) bool { return strings.HasPrefix(d, "style-src ") })
	if i < 0 {
		directives, i = append(directives, "style-src"), len(directives)
	}
	directives[i] = strings.Join(append([]string{directives[i]}, hashes...), " ")
	return strings.Join(directives, "; ")
}

// pageRecorder keeps what a handler writes.
type pageRecorder struct {
	header http.Header
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header         { return p.header }
func (p *pageRecorder) Write(b []byte) (int, error) { return p.body.Write(b) }
func (p *pageRecorder) WriteHeader(int)             {}

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
