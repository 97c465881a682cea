package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
)

// TestBuildInfo proves that the family the version collector registers is
// the one the schema reserves, name, help and labels.
func TestBuildInfo(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(versioncollector.NewCollector(Namespace))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 1 {
		t.Fatalf("version collector gathered %d families, want 1", len(mfs))
	}
	mf := mfs[0]
	if mf.GetName() != BuildInfo.Name || mf.GetHelp() != BuildInfo.Help {
		t.Errorf("version collector serves %s %q, schema has %s %q", mf.GetName(), mf.GetHelp(), BuildInfo.Name, BuildInfo.Help)
	}
	var labels []string
	for _, l := range mf.GetMetric()[0].GetLabel() {
		labels = append(labels, l.GetName())
	}
	if want := slices.Sorted(slices.Values(BuildInfo.Labels)); !slices.Equal(labels, want) {
		t.Errorf("version collector labels %v, schema has %v", labels, want)
	}
}

// TestFamiliesAreValid checks every family of the schema against the rules
// Render enforces, and that no two share a name.
func TestFamiliesAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range slices.Concat(Metadata, Self) {
		if err := CheckFamily(f.Name, f.Labels); err != nil {
			t.Error(err)
		}
		if seen[f.Name] {
			t.Errorf("%s is in the schema twice", f.Name)
		}
		seen[f.Name] = true
	}
	for _, ind := range Catalog() {
		if err := CheckFamily(ind.Name, DataLabels(ind, true, true)); err != nil {
			t.Error(err)
		}
		if msg := Reserved(ind.Name); msg != "" {
			t.Errorf("built-in indicator %s %s", ind.Name, msg)
		}
	}
}

func TestReserved(t *testing.T) {
	for name, want := range map[string]string{
		"socsec_coverage_target_ratio":   "is reserved: the exporter serves a family of that name itself",
		"socsec_build_info":              "is reserved: the exporter serves a family of that name itself",
		"go_goroutines":                  "is reserved: names starting with go_ belong to the Go runtime and client_golang",
		"promhttp_metric_handler_errors": "is reserved: names starting with promhttp_ belong to the Go runtime and client_golang",
		"socsec_pension_recipients":      "",
	} {
		if got := Reserved(name); got != want {
			t.Errorf("Reserved(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestNoOtherPackageSpellsAFamily keeps the schema the one place that names
// families: no string literal elsewhere in the exporter's code is a family
// name. The dashboards (PromQL queries) and the dataset generator (which
// writes datasets as a user would) are the exceptions.
func TestNoOtherPackageSpellsAFamily(t *testing.T) {
	names := map[string]bool{}
	for _, f := range slices.Concat(Metadata, Self) {
		names[f.Name] = true
	}
	for _, ind := range Catalog() {
		names[ind.Name] = true
	}
	const root = "../.."
	skip := map[string]bool{"internal/schema": true, "dashboards": true, "internal/datagen": true}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case d.IsDir() && (skip[filepath.ToSlash(rel)] || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && rel != ".":
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && names[s] {
					t.Errorf("%s spells the family %s: use the schema package", fset.Position(lit.Pos()), s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
