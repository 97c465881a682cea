// Package pages serves the exporter's provenance pages: every served figure
// (/figures), one figure with its source, the source's own words, the other
// figures of its series, the consistency checks it takes part in and a chart
// of its series (/figure), and every warning and check of the current load
// (/checks). They are rendered on the server with html/template, work without
// JavaScript and load nothing from elsewhere.
//
// What the pages look up is indexed once per loaded version (NewLoad), so a
// figure's page costs a few binary searches however many series there are.
package pages

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// ContentSecurityPolicy is sent with every page: nothing but the exporter's
// own stylesheet and inline images, no script at all, forms only to itself.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Load is one loaded version of the data as the pages see it: the snapshot,
// the warnings of the load that built it, when it was loaded, and the index
// the pages look figures up in, built once for the version.
type Load struct {
	Snapshot *dataset.Snapshot
	Warnings []config.Problem
	At       time.Time

	index *index
	// checks are every consistency check of the version, run on the first
	// request that lists them all, apart from it, so that a request that
	// cannot wait leaves it running for the next; figure pages check their
	// own figures.
	checksOnce  sync.Once
	checksBuilt chan struct{} // Closed once checks or checksErr is set.
	checks      *checkList
	checksErr   error
}

// NewLoad indexes a loaded version for the pages. The index is small (see
// docs/pages.md) and built here, within the load, so that its memory is
// counted with the version's and the first page is as quick as any.
func NewLoad(snap *dataset.Snapshot, warnings []config.Problem, at time.Time) *Load {
	return &Load{Snapshot: snap, Warnings: warnings, At: at, index: newIndex(snap)}
}

// Reload is the outcome of the last load or reload.
type Reload struct {
	At  time.Time // When it ended; zero before the first.
	Err error     // Why it failed, nil when it succeeded.
}

// State is what the exporter tells the pages: the version it serves (nil
// before the first successful load) and how its last reload went.
type State struct {
	Load   *Load
	Reload Reload
}

// Pages serves the provenance pages of whatever version state returns.
type Pages struct {
	state func() State
	tmpl  *template.Template
	opts  Options
}

// DefaultTimeout is how long a page request may work unless Options say
// otherwise: far longer than a page takes (milliseconds at a million
// series; the first /checks of a version, which lists every check, about a
// second), so that only a request gone wrong meets it.
const DefaultTimeout = 10 * time.Second

// Options bound the work of the pages.
type Options struct {
	// Timeout is how long one page request may work: a page that is not
	// ready by then is answered 503 with Retry-After. 0 means no limit.
	Timeout time.Duration
	// Wrap, when set, wraps the handler of each page, not that of their
	// stylesheet: the exporter limits the page requests served at once.
	Wrap func(http.Handler) http.Handler
	// MetricsPath is where the metrics are served, which the pages link
	// to: /metrics when empty.
	MetricsPath string
}

// New returns the pages of the versions that state returns, each request
// bounded by DefaultTimeout.
func New(state func() State) *Pages {
	return NewWithOptions(state, Options{Timeout: DefaultTimeout})
}

// NewWithOptions returns the pages of the versions that state returns,
// bounded by opts.
func NewWithOptions(state func() State, opts Options) *Pages {
	return &Pages{state: state, tmpl: templates(), opts: opts}
}

// templates are parsed once, from the files embedded in the binary.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("pages").Funcs(funcs).ParseFS(templateFiles, "templates/*.html"))
})

// Register adds the pages' routes to mux: /figures, /figure, /checks,
// /compare and their stylesheets under /static/.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.Handle("/figures", p.page(p.serveFigures))
	mux.Handle("/figure", p.page(p.serveFigure))
	mux.Handle("/checks", p.page(p.serveChecks))
	mux.Handle("/compare", p.page(p.serveCompare))
	static, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.Handle("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
}

// page wraps a page handler: GET and HEAD only, the security headers, the
// request's deadline (Options.Timeout), a page saying so while nothing is
// loaded yet, and Options.Wrap.
func (p *Pages) page(serve func(w http.ResponseWriter, r *http.Request, l *Load)) http.Handler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Use GET", http.StatusMethodNotAllowed)
			return
		}
		if p.opts.Timeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), p.opts.Timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		st := p.state()
		if st.Load == nil {
			p.render(w, http.StatusServiceUnavailable, "loading", layout{Title: "Loading", Reload: st.Reload})
			return
		}
		serve(w, r, st.Load)
	})
	if p.opts.Wrap != nil {
		h = p.opts.Wrap(h)
	}
	return h
}

// retryAfter is what a page not ready in time tells the client to wait, in
// seconds.
const retryAfter = "5"

// failed answers a request whose page could not be made: 503 with
// Retry-After when its deadline passed first, 500 otherwise.
func (p *Pages) failed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		w.Header().Set("Retry-After", retryAfter)
		p.render(w, http.StatusServiceUnavailable, "unavailable", layout{Title: "Try again", Reload: p.state().Reload,
			Data: p.opts.Timeout.String()})
		return
	}
	http.Error(w, "Making the page failed: "+err.Error(), http.StatusInternalServerError)
}

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

// layout is what every page template gets besides its own data.
type layout struct {
	Title   string
	Nav     string // The page the navigation marks as current.
	Metrics string // Where the metrics are served.
	Reload  Reload
	Data    any
}

// metricsPath is where the metrics are served.
func (p *Pages) metricsPath() string {
	if p.opts.MetricsPath == "" {
		return "/metrics"
	}
	return p.opts.MetricsPath
}

// layout completes what every page template gets.
func (p *Pages) layout(data layout) layout {
	data.Metrics = p.metricsPath()
	return data
}

// render executes the named page into a buffer first, so that a template
// error is a clean 500 rather than half a page.
func (p *Pages) render(w http.ResponseWriter, status int, name string, data layout) {
	var buf pageBuffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, p.layout(data)); err != nil {
		http.Error(w, "Rendering the page failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf.b)))
	w.WriteHeader(status)
	_, _ = w.Write(buf.b)
}

type pageBuffer struct{ b []byte }

func (b *pageBuffer) Write(p []byte) (int, error) {
	b.b = append(b.b, p...)
	return len(p), nil
}
