package config

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/socsec-exporter/socsec_exporter/dataset"
	"github.com/socsec-exporter/socsec_exporter/schema"
)

// fuzzLoad parses one dataset (and its CSV, if any) from memory and checks
// the invariants every parse must keep, whatever the input.
func fuzzLoad(t *testing.T, files fstest.MapFS) {
	ld := &loader{opts: Options{MaxFileBytes: 1 << 20, Now: testNow}, ps: &problems{}, catalog: map[string]*dataset.Indicator{}}
	for _, ind := range schema.Catalog() {
		ld.catalog[ind.Name] = ind
	}
	ds := ld.parseDataset(embeddedFS{files}, "d.yaml", files["d.yaml"].Data)
	for _, p := range ld.ps.errors {
		if p.Pos.File == "" || p.Message == "" {
			t.Fatalf("problem without a place or message: %+v", p)
		}
	}
	if len(ld.ps.errors) > 0 || ds == nil {
		return
	}
	for _, o := range ds.Observations {
		if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) || o.Year < 1900 || o.Year > 2027 {
			t.Fatalf("accepted an invalid observation: %+v", o)
		}
		if o.Indicator.Unit == dataset.UnitRatio && (o.Value < 0 || o.Value > 1) {
			t.Fatalf("accepted a ratio outside 0..1: %v", o.Value)
		}
		if o.Source == nil || len(o.Dimensions) != len(o.Indicator.Dimensions) {
			t.Fatalf("accepted an incomplete observation: %+v", o)
		}
	}
}

func seeds(f *testing.F, pattern string) {
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds for %s: %v", pattern, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzDatasetYAML(f *testing.F) {
	seeds(f, "*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLoad(t, fstest.MapFS{"d.yaml": {Data: data}})
	})
}

func FuzzObservationsCSV(f *testing.F) {
	seeds(f, "*.csv")
	header, err := os.ReadFile("testdata/valid-observations.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		yaml := []byte(string(header[:len(header)-len("valid-observations.csv\n")]) + "obs.csv\n")
		fuzzLoad(t, fstest.MapFS{"d.yaml": {Data: yaml}, "obs.csv": {Data: data}})
	})
}

func FuzzConfigYAML(f *testing.F) {
	seeds(f, "*.yml")
	datasetFile, err := os.ReadFile("testdata/valid-dataset.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ld := &loader{opts: Options{MaxFileBytes: 1 << 20, Now: testNow}, ps: &problems{}}
		files := fstest.MapFS{"c.yml": {Data: data}, "valid-dataset.yaml": {Data: datasetFile}}
		cfg := ld.parseConfig(embeddedFS{files}, "c.yml")
		for _, p := range ld.ps.errors {
			if p.Pos.File == "" || p.Message == "" {
				t.Fatalf("problem without a place or message: %+v", p)
			}
		}
		for _, in := range cfg.targets {
			if len(ld.ps.errors) == 0 && (in.target.Ratio < 0 || in.target.Ratio > 1) {
				t.Fatalf("accepted a target outside 0..1: %+v", in.target)
			}
		}
	})
}
