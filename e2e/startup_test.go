package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestTelemetryPathRefusedAtStart starts the binary with paths of the metrics that would clash with another route
// (the landing page, the provenance pages, their stylesheets, the /-/ endpoints), that are not a path (no leading
// slash, a space, which a ServeMux pattern reads as a method, a brace, which it reads as a wildcard) or that are not
// clean. Each must stop the start with exit code 1 and an error naming --web.telemetry-path and the path, never a
// panic; a path of its own serves the metrics there.
func TestTelemetryPathRefusedAtStart(t *testing.T) {
	for _, path := range []string{
		"/figures", "/figure", "/checks", "/", "/static/", "/static/pages.css", "/-/healthy", "/-/other",
		"metrics", "", "/m etrics", "/{name}", "/metrics/", "/a//metrics", "/a/../metrics", "/métriques",
	} {
		stdout, stderr, exit := startRefused(t, "--web.telemetry-path="+path)
		out := stdout + stderr
		switch {
		case exit != 1:
			t.Errorf("--web.telemetry-path=%q: %s, want exit code 1 at start:\n%s", path, exitText(exit), out)
		case strings.Contains(out, "panic") || strings.Contains(out, "goroutine "):
			t.Errorf("--web.telemetry-path=%q: panicked, want a clear error:\n%s", path, out)
		case !strings.Contains(out, "--web.telemetry-path") || !strings.Contains(out, strings.ReplaceAll(path, `"`, `\"`)):
			t.Errorf("--web.telemetry-path=%q: the error does not name the flag and the path:\n%s", path, out)
		}
	}

	_, base := testenv.StartExporter(t, "--web.telemetry-path=/socsec/metrics")
	if err := testenv.HTTPStatus(http.DefaultClient, base+"/socsec/metrics", http.StatusOK); err != nil {
		t.Errorf("with --web.telemetry-path=/socsec/metrics: %v, want 200", err)
	}
	if err := testenv.HTTPStatus(http.DefaultClient, base+"/metrics", http.StatusNotFound); err != nil {
		t.Errorf("with --web.telemetry-path=/socsec/metrics, /metrics: %v, want 404", err)
	}
}

// securityHeaders are the headers the provenance pages send to keep a browser from running, framing or sniffing
// what they show.
var securityHeaders = []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"}

// TestLandingPageSecurityHeaders checks that the landing page, one of the pages, sends every security header the
// provenance pages send, with their values, Content-Security-Policy included, and has no inline stylesheet, which
// that policy would keep a browser from applying.
func TestLandingPageSecurityHeaders(t *testing.T) {
	_, base := testenv.StartExporter(t)
	get := func(path string) (http.Header, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %v", path, resp.Status, err)
		}
		return resp.Header, string(body)
	}
	pages, _ := get("/figures")
	landing, body := get("/")
	for _, name := range securityHeaders {
		if pages.Get(name) == "" {
			t.Fatalf("/figures sends no %s; this test expects the pages to send %v", name, securityHeaders)
		}
		if landing.Get(name) != pages.Get(name) {
			t.Errorf("the landing page sends %s %q, want %q as the pages send", name, landing.Get(name), pages.Get(name))
		}
	}
	if regexp.MustCompile(`<style[\s>]|\sstyle="`).MatchString(body) {
		t.Errorf("the landing page has an inline style, which its Content-Security-Policy %q blocks:\n%s", landing.Get("Content-Security-Policy"), body)
	}
}

// startRefused starts the binary on a free loopback address with args, which
// must stop it at start, and returns its stdout, stderr and exit code: -1
// when it did not exit within a minute.
func startRefused(t *testing.T, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testenv.Exporter(t), append([]string{"--web.listen-address=" + testenv.FreeAddr(t)}, args...)...)
	cmd.Dir = testenv.RepoRoot(t)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		exit = -1
	case errors.As(err, &exitErr):
		exit = exitErr.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errs.String(), exit
}

// exitText says how startRefused saw the binary end.
func exitText(exit int) string {
	if exit < 0 {
		return "still running after a minute"
	}
	return fmt.Sprintf("exit code %d", exit)
}

// TestStartupChecksBeforeListening starts the binary with a config that
// does not exist and with a web config that does not exist: each must exit
// 1 with the error on stderr, and never listen. The web config is checked
// before the datasets are loaded.
func TestStartupChecksBeforeListening(t *testing.T) {
	for _, c := range []struct {
		flag, want, notLogged string
	}{
		{"--config.file=e2e/testdata/does-not-exist.yml", "e2e/testdata/does-not-exist.yml: ", "Listening on"},
		{"--web.config.file=e2e/testdata/does-not-exist-web.yml", `--web.config.file="e2e/testdata/does-not-exist-web.yml"`, "Loaded config and datasets"},
	} {
		stdout, stderr, exit := startRefused(t, c.flag)
		switch {
		case exit != 1:
			t.Errorf("%s: %s, want exit code 1 at start:\n%s", c.flag, exitText(exit), stderr)
		case !strings.Contains(stderr, c.want):
			t.Errorf("%s: stderr does not say %q:\n%s", c.flag, c.want, stderr)
		case strings.Contains(stdout+stderr, "Listening on"):
			t.Errorf("%s: the exporter listened before it exited:\n%s", c.flag, stderr)
		case strings.Contains(stdout+stderr, c.notLogged):
			t.Errorf("%s: the log says %q, want the start refused before that:\n%s", c.flag, c.notLogged, stderr)
		}
	}
}
