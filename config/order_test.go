package config

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
)

// TestSortSeriesAsStableSortByKey checks that sortSeries orders figures as a
// stable sort by key does, and ends each series where the key changes, on
// any number of CPUs: figures of a generated
// dataset, each twice and the copies in reverse, so that many figures
// share a key and come in every order.
func TestSortSeriesAsStableSortByKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := datagen.Write(dir, datagen.Options{Series: 30_000}); err != nil {
		t.Fatal(err)
	}
	res, err := Load(Options{ConfigFile: filepath.Join(dir, "config.yml")})
	if err != nil {
		t.Fatal(err)
	}
	var figures []*dataset.Observation
	for _, ds := range res.Snapshot.Datasets {
		figures = append(figures, ds.Observations...)
	}
	for i := len(figures) - 1; i >= 0; i-- {
		copied := *figures[i]
		figures = append(figures, &copied)
	}
	want := slices.Clone(figures)
	slices.SortStableFunc(want, func(a, b *dataset.Observation) int { return strings.Compare(a.Key(), b.Key()) })
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		got := slices.Clone(figures)
		ends := sortSeries(got)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("on %d CPUs, figure %d is %q at %s, not %q at %s", procs, i, got[i].Key(), got[i].Pos, want[i].Key(), want[i].Pos)
			}
		}
		var wantEnds []int
		for i := range want {
			if i+1 == len(want) || want[i+1].Key() != want[i].Key() {
				wantEnds = append(wantEnds, i+1)
			}
		}
		if !slices.Equal(ends, wantEnds) {
			t.Fatalf("on %d CPUs, %d series end at %v..., not %d at %v...", procs, len(ends), ends[:min(len(ends), 5)], len(wantEnds), wantEnds[:5])
		}
	}
}
