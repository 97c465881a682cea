package config

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// fuzzLoad parses one dataset (and its CSV, if any) from memory, checks
// the invariants every parse must keep, whatever the input, and returns the
// problems and observations.
func fuzzLoad(t *testing.T, files fstest.MapFS) ([]Problem, []*dataset.Observation) {
	ld := &loader{opts: fuzzOptions(t), ps: &problems{}, catalog: map[string]*dataset.Indicator{}}
	for _, ind := range schema.Catalog() {
		ld.catalog[ind.Name] = ind
	}
	ds := ld.parseDataset(embeddedFS{files}, "d.yaml", files["d.yaml"].Data)
	for _, p := range ld.ps.errors {
		if p.Pos.File == "" || p.Message == "" {
			t.Fatalf("problem without a place or message: %+v", p)
		}
		checkInFile(t, p, files)
	}
	if ld.state.figures > ld.opts.MaxSeries+1 {
		t.Fatalf("read %d figures, past the limit of %d", ld.state.figures, ld.opts.MaxSeries)
	}
	if len(ld.ps.errors) > 0 || ds == nil {
		return ld.ps.errors, nil
	}
	for _, o := range ds.Observations {
		if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) || o.Year < 1900 || o.Year > 2027 {
			t.Fatalf("accepted an invalid observation: %+v", o)
		}
		if math.Abs(o.Value) > maxFigure || o.Value != 0 && math.Abs(o.Value) < minFigure {
			t.Fatalf("accepted a value of a magnitude out of range: %v", o.Value)
		}
		if o.Indicator.Unit == dataset.UnitRatio && (o.Value < 0 || o.Value > 1) {
			t.Fatalf("accepted a ratio outside 0..1: %v", o.Value)
		}
		if countsThings(o.Indicator.Unit) && o.Value != math.Trunc(o.Value) {
			t.Fatalf("accepted %v %s, not a whole number", o.Value, o.Indicator.Unit)
		}
		if o.Source == nil || len(o.Dimensions) != len(o.Indicator.Dimensions) {
			t.Fatalf("accepted an incomplete observation: %+v", o)
		}
		for _, v := range append([]string{o.Region, o.Program, o.Period, o.Basis}, o.Dimensions...) {
			if len(v) > ld.opts.MaxLabelBytes {
				t.Fatalf("accepted a label value of %d bytes", len(v))
			}
		}
	}
	for name, values := range ld.state.dimValues {
		if len(values) > ld.opts.MaxDimensionValues {
			t.Fatalf("accepted %d values of dimension %s", len(values), name)
		}
	}
	return ld.ps.errors, ds.Observations
}

// checkInFile fails when a problem is placed outside the file it names:
// after its last line, or after the end of a line of a CSV file. YAML counts
// more line breaks than LF (CR, NEL, LS, PS), so a YAML line is bounded by
// every break and a column by the characters of the file.
func checkInFile(t *testing.T, p Problem, files fstest.MapFS) {
	f := files[strings.TrimPrefix(p.Pos.File, "embedded:")]
	if f == nil {
		t.Fatalf("problem in a file that is not there: %s", p)
	}
	if p.Pos.Line == 0 {
		return
	}
	if p.Pos.Line < 0 || p.Pos.Column < 1 {
		t.Fatalf("problem at a position that is not one: %s", p)
	}
	data := f.Data
	if strings.HasSuffix(p.Pos.File, ".csv") {
		data = bytes.Clone(data)
		bareCRToLF(data)
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		lines := bytes.Split(data, []byte("\n"))
		if p.Pos.Line > len(lines) || p.Pos.Column > utf8.RuneCount(lines[p.Pos.Line-1])+1 {
			t.Fatalf("problem past the end of its line or file: %s in %q", p, data)
		}
		return
	}
	breaks := 0
	for _, r := range strings.ReplaceAll(string(data), "\r\n", "\n") {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			breaks++
		}
	}
	if p.Pos.Line > breaks+1 || p.Pos.Column > utf8.RuneCount(data)+1 {
		t.Fatalf("problem past the end of its file: %s in %q", p, data)
	}
}

// fuzzOptions are the options of a load of fuzzed files: limits small
// enough for the fuzzer to reach, larger than any seed needs.
func fuzzOptions(t *testing.T) Options {
	limits, err := Limits{MaxFileBytes: 1 << 20, MaxSeries: 100, MaxLabelBytes: 256, MaxDimensionValues: 10}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return Options{Limits: limits, Now: testNow}
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
		files := fstest.MapFS{"d.yaml": {Data: yaml}, "obs.csv": {Data: data}}
		problems, obs := fuzzLoad(t, files)
		// Read in pieces of a few bytes, the file gives the same.
		defer func(size int) { csvPieceBytes = size }(csvPieceBytes)
		csvPieceBytes = 1 + len(data)%32
		piecesProblems, piecesObs := fuzzLoad(t, files)
		if !reflect.DeepEqual(piecesProblems, problems) || !reflect.DeepEqual(piecesObs, obs) {
			t.Fatalf("read in pieces of %d bytes, the file gives\n%v\n%v\nnot\n%v\n%v", csvPieceBytes, piecesProblems, piecesObs, problems, obs)
		}
	})
}

func FuzzConfigYAML(f *testing.F) {
	seeds(f, "*.yml")
	datasetFile, err := os.ReadFile("testdata/valid-dataset.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ld := &loader{opts: fuzzOptions(t), ps: &problems{}}
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
