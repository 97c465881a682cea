package datagen

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
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
