package datagen

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/exposition"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// readTree returns every file under dir by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestDeterministicValidAndSized(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	opts := Options{Series: 20000}
	st, err := Write(a, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(b, opts); err != nil {
		t.Fatal(err)
	}
	filesA, filesB := readTree(t, a), readTree(t, b)
	if len(filesA) < 2 || len(filesA) != len(filesB) {
		t.Fatalf("wrote %d and %d files", len(filesA), len(filesB))
	}
	for name, data := range filesA {
		if !bytes.Equal(data, filesB[name]) {
			t.Errorf("%s differs between two runs with the same options", name)
		}
	}
	snap := testenv.Load(t, config.Options{ConfigFile: filepath.Join(a, "config.yml")})
	if len(snap.Series) != st.DataSeries {
		t.Errorf("loaded %d data series, Write reported %d", len(snap.Series), st.DataSeries)
	}
	if st.Series < 18000 || st.Series > 22000 {
		t.Errorf("asked for about 20000 series, got %d", st.Series)
	}
	x, err := exposition.Render(collector.Families(snap))
	if err != nil {
		t.Fatal(err)
	}
	if x.Series() != st.Series {
		t.Errorf("the exposition has %d series, Write reported %d", x.Series(), st.Series)
	}
	other := t.TempDir()
	if _, err := Write(other, Options{Series: 20000, Variant: 1}); err != nil {
		t.Fatal(err)
	}
	differs := false
	for name, data := range readTree(t, other) {
		differs = differs || !bytes.Equal(data, filesA[name])
	}
	if !differs {
		t.Error("variant 1 wrote the same files as variant 0")
	}
}

// TestStressDataset checks the worst cases of the pages: a conflict of
// ConflictFigures figures of one series, Totals declared totals of one
// indicator and region that add up, and a quote of QuoteBytes on every
// figure, each different and holding its figure, all of which a load
// accepts without a warning about the quotes.
func TestStressDataset(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Series: 20000, ConflictFigures: 300, Totals: 2500, QuoteBytes: 4096}
	st, err := Write(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := opts.ConflictFigures + 3*opts.Totals; st.StressFigures != want {
		t.Errorf("Write reported %d stress figures, want %d", st.StressFigures, want)
	}
	res, err := config.Load(config.Options{ConfigFile: filepath.Join(dir, "config.yml"), Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	snap := res.Snapshot
	for _, p := range res.Warnings {
		if p.Kind == config.KindQuote {
			t.Fatalf("%s: %s: every quote should hold its figure as printed", p.Pos, p.Message)
		}
	}
	if len(snap.Series) != st.DataSeries+3*opts.Totals {
		t.Errorf("loaded %d data series, want the %d regional ones and the %d figures of the totals", len(snap.Series), st.DataSeries, 3*opts.Totals)
	}
	if len(snap.Conflicts) != 1 || len(snap.Conflicts[0].Figures) != opts.ConflictFigures {
		t.Errorf("%d conflicts, want one of %d figures", len(snap.Conflicts), opts.ConflictFigures)
	}
	totals := 0
	quotes := map[string]bool{}
	for _, ds := range snap.Datasets {
		totals += len(ds.Totals)
		for _, o := range ds.Observations {
			if q := o.Quote(); len(q) != opts.QuoteBytes || quotes[q] {
				t.Fatalf("%s: a quote of %d bytes (seen before: %t), want %d bytes, each different", o.Pos, len(q), quotes[q], opts.QuoteBytes)
			}
			quotes[o.Quote()] = true
		}
	}
	if totals != opts.Totals {
		t.Errorf("%d declared totals, want %d", totals, opts.Totals)
	}
	tally := check.CountRun(snap)
	if tally.Failed["stress"] != 0 || tally.Unchecked["stress"] != 0 {
		t.Errorf("the totals of the stress dataset: %d failed, %d unchecked, want every one to add up", tally.Failed["stress"], tally.Unchecked["stress"])
	}
}
