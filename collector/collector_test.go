package collector

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden .prom files from the current output")

// cases maps each golden exposition to the config it is made from; an empty
// config is the embedded default.
var cases = map[string]string{
	"default": "",
	"merged":  "testdata/merged/config.yml",
}

func load(t *testing.T, configFile string) *Collector {
	t.Helper()
	res, err := config.Load(config.Options{ConfigFile: configFile, Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	return New(func() *dataset.Snapshot { return res.Snapshot })
}

func TestGolden(t *testing.T) {
	for name, configFile := range cases {
		t.Run(name, func(t *testing.T) {
			compareGolden(t, load(t, configFile), filepath.Join("testdata", name+".prom"))
		})
	}
}

func TestLint(t *testing.T) {
	for name, configFile := range cases {
		problems, err := testutil.CollectAndLint(load(t, configFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s: %s", name, p.Metric, p.Text)
		}
	}
}

func TestNothingBeforeFirstLoad(t *testing.T) {
	if n := testutil.CollectAndCount(New(func() *dataset.Snapshot { return nil })); n != 0 {
		t.Errorf("collected %d metrics with no snapshot, want 0", n)
	}
}

func TestEachCollectReadsTheSnapshotOnce(t *testing.T) {
	reads := 0
	res, err := config.Load(config.Options{Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	c := New(func() *dataset.Snapshot { reads++; return res.Snapshot })
	testutil.CollectAndCount(c)
	if reads != 1 {
		t.Errorf("read the snapshot %d times in one collection, want 1 so that a reload cannot mix versions", reads)
	}
}
