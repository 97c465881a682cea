package e2e

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

const (
	textAccept = "text/plain;version=0.0.4"
	omAccept   = "application/openmetrics-text;version=1.0.0"
)

// firstMember decompresses only the first gzip member of its standard input,
// as Python's own readers of HTTP bodies do, and reports on standard error
// whether that member ended the stream and what followed it.
const firstMember = `import sys, zlib
d = zlib.decompressobj(31)
body = d.decompress(sys.stdin.buffer.read()) + d.flush()
sys.stdout.buffer.write(body)
print("eof=%s unused=%d" % (d.eof, len(d.unused_data)), file=sys.stderr)
`

// TestGzipClients proves that the clients people read /metrics with get the
// whole body when it comes gzipped, the data part byte for byte as a plain
// scrape sends it, and the self-metrics to the end, # EOF included: curl
// --compressed, Python's zlib reading the first gzip member, and headless
// Chromium. All three read only the first member of a gzip stream.
func TestGzipClients(t *testing.T) {
	curl := testenv.Tool(t, "curl", "curl")
	python := testenv.Tool(t, "python3", "python3")
	chromium := testenv.Tool(t, "chromium", "chromium")
	dir := t.TempDir()
	if _, err := datagen.Write(dir, datagen.Options{Series: 100000}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"default", nil},
		{"100k-series", []string{"--config.file=" + filepath.Join(dir, "config.yml")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, base := testenv.StartExporter(t, c.args...)
			url := base + "/metrics"
			for _, accept := range []string{textAccept, omAccept} {
				want := plainScrape(t, url, accept)
				om := accept == omAccept

				got, _ := runTool(t, time.Minute, nil, curl, "--compressed", "-s", "--fail", "-H", "Accept: "+accept, url)
				sameBody(t, "curl --compressed, Accept "+accept, got, want, om)

				raw, _ := runTool(t, time.Minute, nil, curl, "-s", "--fail", "-H", "Accept-Encoding: gzip", "-H", "Accept: "+accept, url)
				if !bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
					t.Fatalf("Accept %s: the body asked for with Accept-Encoding: gzip is not gzip: %q", accept, raw[:min(len(raw), 20)])
				}
				got, status := runTool(t, time.Minute, raw, python, "-c", firstMember)
				if s := strings.TrimSpace(string(status)); s != "eof=True unused=0" {
					t.Errorf("Accept %s: Python's zlib on the first gzip member: %s, want eof=True unused=0", accept, s)
				}
				sameBody(t, "Python zlib.decompressobj(31), Accept "+accept, got, want, om)
			}

			// Chromium asks for text/html, gets the text format and shows it in a <pre>.
			profile := t.TempDir()
			netLog := filepath.Join(profile, "netlog.json")
			dom, _ := runTool(t, 5*time.Minute, nil, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--user-data-dir="+profile, "--log-net-log="+netLog, "--dump-dom", url)
			netLogText, err := os.ReadFile(netLog)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range []string{"Content-Encoding: gzip", "Content-Type: text/plain"} {
				if !bytes.Contains(netLogText, []byte(h)) {
					t.Errorf("Chromium's net log has no response header %q: the test did not exercise gzip as meant", h)
				}
			}
			m := preContent.FindSubmatch(dom)
			if m == nil {
				t.Fatalf("Chromium's DOM has no <pre> with the body: %q", dom[:min(len(dom), 300)])
			}
			got := []byte(html.UnescapeString(string(m[1])))
			want := plainScrape(t, url, textAccept)
			if g, w := bytes.Count(got, []byte("\n")), bytes.Count(want, []byte("\n")); g != w {
				t.Errorf("Chromium shows %d lines, a plain scrape has %d", g, w)
			}
			sameBody(t, "headless Chromium", got, want, false)
		})
	}
}

var preContent = regexp.MustCompile(`(?s)<pre[^>]*>(.*)</pre>`)

// runTool runs a program with stdin for at most timeout and returns its
// standard output and error, failing the test when it fails.
func runTool(t *testing.T, timeout time.Duration, stdin []byte, name string, args ...string) ([]byte, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second // Also stop waiting for children the timeout leaves behind.
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes(), stderr.Bytes()
}

// plainScrape returns the uncompressed body of url in the format accept asks for.
func plainScrape(t *testing.T, url, accept string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("plain scrape of %s: %s, Content-Encoding %q", url, resp.Status, resp.Header.Get("Content-Encoding"))
	}
	return body
}

// sameBody fails unless got holds the data part of want byte for byte and
// then the same self-metrics series in the same order (their values change
// from scrape to scrape), ending in # EOF for OpenMetrics.
func sameBody(t *testing.T, client string, got, want []byte, om bool) {
	t.Helper()
	gotData, gotSelf, ok1 := cutSelfMetrics(got)
	wantData, wantSelf, ok2 := cutSelfMetrics(want)
	switch {
	case !ok2:
		t.Fatalf("%s: the plain scrape has no self-metrics", client)
	case !ok1:
		t.Errorf("%s: %d bytes with no self-metrics (the plain scrape has %d); they end in %q", client, len(got), len(want), got[max(0, len(got)-200):])
		return
	case !bytes.Equal(gotData, wantData):
		at := 0
		for at < min(len(gotData), len(wantData)) && gotData[at] == wantData[at] {
			at++
		}
		t.Errorf("%s: the data part (%d bytes) differs from the plain scrape's (%d bytes) at byte %d", client, len(gotData), len(wantData), at)
	}
	if g, w := seriesOf(gotSelf), seriesOf(wantSelf); g != w {
		t.Errorf("%s: the self-metrics differ from the plain scrape's:\n got %q\nwant %q", client, g, w)
	}
	if om != bytes.HasSuffix(got, []byte("\n# EOF\n")) {
		t.Errorf("%s: OpenMetrics %v, but the body ends in %q", client, om, got[max(0, len(got)-40):])
	}
}

// cutSelfMetrics splits a body before its first self-metrics family: the
// go_ families are the first of them, after every data family.
func cutSelfMetrics(body []byte) (data, self []byte, ok bool) {
	i := bytes.Index(body, []byte("\n# HELP go_"))
	if i < 0 {
		return nil, nil, false
	}
	return body[:i+1], body[i+1:], true
}

// seriesOf is the lines of a body with the sample values cut off.
func seriesOf(b []byte) string {
	var out strings.Builder
	for line := range strings.Lines(string(b)) {
		if !strings.HasPrefix(line, "#") {
			line = line[:max(0, strings.LastIndexByte(line, ' '))]
		}
		fmt.Fprintln(&out, strings.TrimSuffix(line, "\n"))
	}
	return out.String()
}
