package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/schema"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// selfFamily reports whether a family is one of the self-metrics a scrape
// carries beside the data: the exporter's own (schema.Self) and those of the
// Go runtime, the process and the handler, which schema reserves by prefix.
func selfFamily(name string) bool {
	isNamed := func(fs []schema.Family) bool {
		return slices.ContainsFunc(fs, func(f schema.Family) bool { return f.Name == name })
	}
	return isNamed(schema.Self) || (schema.Reserved(name) != "" && !isNamed(schema.Metadata))
}

// splitFamilies cuts a text exposition into its families, each from its
// # HELP line to the next family's, in order, with the family names.
func splitFamilies(t *testing.T, b []byte) (names []string, blocks [][]byte) {
	t.Helper()
	for len(b) > 0 {
		rest, ok := bytes.CutPrefix(b, []byte("# HELP "))
		if !ok {
			t.Fatalf("a family does not start with # HELP: %q", b[:min(len(b), 200)])
		}
		name, _, _ := bytes.Cut(rest, []byte(" "))
		end := bytes.Index(b, []byte("\n# HELP "))
		if end < 0 {
			end = len(b)
		} else {
			end++
		}
		names = append(names, string(name))
		blocks = append(blocks, b[:end])
		b = b[end:]
	}
	return names, blocks
}

// TestGoldenEqualsBinary scrapes the built binary serving the embedded
// default in the text format and holds what it serves besides the
// self-metrics byte for byte to collector/testdata/default.prom, the golden
// file the collector test writes with client_golang and expfmt: the
// pre-rendered exposition and the way the handler puts it in a response
// change nothing.
func TestGoldenEqualsBinary(t *testing.T) {
	golden := filepath.Join(testenv.RepoRoot(t), "collector", "testdata", "default.prom")
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	_, base := testenv.StartExporter(t)
	body := scrape(t, base+"/metrics", scrapeFormats[0].accept, scrapeFormats[0].contentType, false)
	names, blocks := splitFamilies(t, body)
	var got []byte
	var dropped []string
	for i, name := range names {
		if selfFamily(name) {
			dropped = append(dropped, name)
			continue
		}
		got = append(got, blocks[i]...)
	}
	// The exporter's own self-metrics must be there and have been dropped,
	// so that an empty or renamed scrape cannot pass.
	for _, f := range schema.Self {
		if !slices.Contains(dropped, f.Name) {
			t.Errorf("the scrape has no %s", f.Name)
		}
	}
	if !bytes.Equal(got, want) {
		at := testenv.Mismatch(got, want)
		t.Errorf("the scrape without the self-metrics (%s) differs from %s at byte %d:\n got: %q\nwant: %q",
			strings.Join(dropped, ", "), golden, at, testenv.Excerpt(got, at), testenv.Excerpt(want, at))
	}
}
