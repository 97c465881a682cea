package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/common/version"

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

// setLanding rebuilds the landing page so that it shows snap's datasets
// and the data's health: in the pages' style and navigation, with their
// security headers, linking to the metrics at --web.telemetry-path.
func (e *Exporter) setLanding(snap *dataset.Snapshot) {
	st := e.PageState()
	if snap != nil && (st.Load == nil || st.Load.Snapshot != snap) {
		// Not the version recorded for the pages: the landing page lists
		// snap all the same.
		st.Load = &pages.Load{Snapshot: snap, At: e.now()}
	}
	landing := pages.NewWithOptions(e.PageState, e.pageOptions()).Landing(st, build())
	e.landing.Store(&landing)
}

// build is the build information the landing page shows: the version, and
// the revision, branch and date when known (go run stamps the revision
// and date only where the go command records version control data).
func build() pages.Build {
	b := pages.Build{Version: version.Version, Revision: version.GetRevision(), Branch: version.Branch,
		Date: version.BuildDate, GoVersion: version.GoVersion, Platform: version.GoOS + "/" + version.GoArch}
	if b.Revision == "unknown" {
		b.Revision = ""
	}
	return b
}
