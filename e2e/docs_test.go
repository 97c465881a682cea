package e2e

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// The docs show every config, dataset and CSV example as a file under docs/examples/: a comment naming the file,
// then a fenced block that is the file, byte for byte.
const (
	exampleMarker = "<!-- example: "
	examplesDir   = "docs/examples"
	examplesConf  = "docs/examples/socsec.yml"
)

// docFiles returns the Markdown files of the documentation, relative to the repository root: the README, every
// file of docs/ and the README of datasets/.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"README.md", "datasets/README.md"}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 10 {
		t.Fatalf("found %d files in docs/*.md, want the reference documentation", len(docs))
	}
	for _, d := range docs {
		files = append(files, filepath.ToSlash(strings.TrimPrefix(d, root+string(filepath.Separator))))
	}
	return files
}

// fence is one fenced code block of a Markdown file.
type fence struct {
	lang, body string
	line       int    // of the opening fence, from 1
	example    string // the file named by an example comment right before it, or ""
}

// fences returns the fenced code blocks of a Markdown document, each with the example file named by a comment on
// the line before its opening fence.
func fences(doc string) ([]fence, error) {
	var (
		out  []fence
		cur  *fence
		prev string
		body strings.Builder
	)
	for i, line := range strings.SplitAfter(doc, "\n") {
		trimmed := strings.TrimSuffix(line, "\n")
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &fence{lang: strings.TrimPrefix(trimmed, "```"), line: i + 1}
			if name, ok := strings.CutPrefix(prev, exampleMarker); ok {
				name, ok = strings.CutSuffix(name, " -->")
				if !ok {
					return nil, fmt.Errorf("line %d: example comment %q does not end in \" -->\"", i, prev)
				}
				cur.example = name
			}
			body.Reset()
		case cur != nil && trimmed == "```":
			cur.body = body.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line)
		}
		prev = trimmed
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: fence never closed", cur.line)
	}
	return out, nil
}

// socsecKeys are top-level keys of a socsec config or dataset: a YAML block with one of them is an example of
// those files, not of a Prometheus or Alertmanager config.
var socsecKeys = regexp.MustCompile(`(?m)^(datasets|include_default_dataset|default_datasets|coverage_targets|id|sources|regions|programs|observations):`)

// TestDocExamplesAreTheFiles checks that every config, dataset and CSV example in the docs is marked as a file of
// docs/examples/ and is that file byte for byte, and that every file there is shown.
func TestDocExamplesAreTheFiles(t *testing.T) {
	root := testenv.RepoRoot(t)
	shown := map[string]bool{}
	for _, doc := range docFiles(t, root) {
		b, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := fences(string(b))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		marked := 0
		for _, f := range blocks {
			where := fmt.Sprintf("%s:%d", doc, f.line)
			if f.example == "" {
				if f.lang == "csv" || (f.lang == "yaml" || f.lang == "yml") && socsecKeys.MatchString(f.body) {
					t.Errorf("%s: a ```%s example of a socsec file without a %q comment naming its file under %s/", where, f.lang, exampleMarker+"… -->", examplesDir)
				}
				continue
			}
			marked++
			if !strings.HasPrefix(f.example, examplesDir+"/") {
				t.Errorf("%s: example %s is not under %s/", where, f.example, examplesDir)
				continue
			}
			if want := map[string]string{".yml": "yaml", ".yaml": "yaml", ".csv": "csv"}[filepath.Ext(f.example)]; f.lang != want {
				t.Errorf("%s: example %s is in a ```%s block, want ```%s", where, f.example, f.lang, want)
			}
			file, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.example)))
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			shown[f.example] = true
			if string(file) != f.body {
				at := testenv.Mismatch(file, []byte(f.body))
				t.Errorf("%s: the block differs from %s at byte %d:\nfile: %q\ndoc:  %q", where, f.example, at,
					testenv.Excerpt(file, at), testenv.Excerpt([]byte(f.body), at))
			}
		}
		if marked != strings.Count(string(b), exampleMarker) {
			t.Errorf("%s: %d example comments, %d of them right before a fenced block", doc, strings.Count(string(b), exampleMarker), marked)
		}
	}
	err := filepath.WalkDir(filepath.Join(root, examplesDir), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if !shown[rel] && !(filepath.Ext(rel) == ".xlsx" && namedByShown(t, root, shown, rel)) {
			t.Errorf("%s is shown by no document: mark its block with %s%s -->", rel, exampleMarker, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) < 4 {
		t.Errorf("found %d example files shown in the docs, want the config, the dataset, its CSV and the province", len(shown))
	}
}

// TestDocExamplesLoad runs the real check on the example config: it loads the example dataset with its CSV, the
// province from the directory the config lists, and the embedded default, and finds no error.
func TestDocExamplesLoad(t *testing.T) {
	stdout, stderr, code := run(t, "check", "--config.file="+examplesConf)
	if code != 0 {
		t.Fatalf("check --config.file=%s exited %d:\n%s%s", examplesConf, code, stdout, stderr)
	}
	if !strings.Contains(stdout, " 3 dataset(s)") {
		t.Errorf("check --config.file=%s does not load 3 datasets (the example, the province and the default):\n%s", examplesConf, stdout)
	}
	for _, file := range []string{"datasets/shanxi-2022.yaml", "datasets/shanxi-2022.csv"} {
		if !strings.Contains(stdout, filepath.ToSlash(filepath.Join(examplesDir, file))) {
			t.Errorf("check output names nothing of %s/%s; did it load it?\n%s", examplesDir, file, stdout)
		}
	}
}

// slug is GitHub's anchor of a Markdown heading: lower case, letters, digits, '-' and '_' kept, spaces made '-',
// everything else dropped.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// anchors returns the anchors of the headings of a Markdown document, outside fenced blocks, with GitHub's "-1",
// "-2" suffixes for repeated headings.
func anchors(doc string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		heading, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok {
			continue
		}
		a := slug(strings.TrimSpace(heading))
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks checks every link between the documents: the file it names exists, and so does the heading of its
// anchor.
func TestDocLinks(t *testing.T) {
	root := testenv.RepoRoot(t)
	docs := map[string]string{}
	for _, doc := range docFiles(t, root) {
		b, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		docs[doc] = string(b)
	}
	links := 0
	for doc, text := range docs {
		for i, line := range strings.Split(text, "\n") {
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				where := fmt.Sprintf("%s:%d: %s", doc, i+1, target)
				file, anchor, _ := strings.Cut(target, "#")
				path := doc
				if file != "" {
					path = filepath.ToSlash(filepath.Join(filepath.Dir(doc), file))
					if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(path))); err != nil {
						t.Errorf("%s: %v", where, err)
						continue
					}
				}
				if anchor == "" {
					continue
				}
				target, ok := docs[path]
				if !ok {
					t.Errorf("%s: an anchor into %s, which is not one of the documents", where, path)
					continue
				}
				if !anchors(target)[anchor] {
					t.Errorf("%s: %s has no heading with the anchor #%s", where, path, anchor)
				}
			}
		}
	}
	if links < 30 {
		t.Errorf("found %d links between the documents, want the README's and the docs' cross-references", links)
	}
}

// TestDocDefaultShards checks what docs/scaling.md says of the embedded default: of its 32 regions, shard 0 of 2
// serves CN, 140000 and 15 others, shard 1 the other 15, and no region in both.
func TestDocDefaultShards(t *testing.T) {
	_, base := testenv.StartExporter(t)
	scrape := func(shard string) string {
		resp, err := http.Get(base + "/metrics?shards=2&shard=" + shard)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("shard %s of 2: %s %v", shard, resp.Status, err)
		}
		return string(b)
	}
	regions := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`region_code="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
		slices.Sort(out)
		return out
	}
	zero, one := regions(scrape("0")), regions(scrape("1"))
	if len(zero) != 17 || !slices.Contains(zero, "CN") || !slices.Contains(zero, "140000") {
		t.Errorf("shard 0 of 2 has the regions %v, want 17 with CN and 140000", zero)
	}
	if len(one) != 15 {
		t.Errorf("shard 1 of 2 has the regions %v, want 15", one)
	}
	for _, r := range one {
		if slices.Contains(zero, r) {
			t.Errorf("region %s is in both shards of 2, want each region's series in one shard", r)
		}
	}
}

// namedByShown reports whether a shown example in the directory of rel
// names it: a workbook, which no document can show as text, is shown
// through the dataset that reads it.
func namedByShown(t *testing.T, root string, shown map[string]bool, rel string) bool {
	t.Helper()
	for example := range shown {
		if path.Dir(example) != path.Dir(rel) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(example)))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "file: "+path.Base(rel)) {
			return true
		}
	}
	return false
}
