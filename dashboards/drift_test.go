package dashboards

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCommittedDashboardsMatchGenerator(t *testing.T) {
	var names []string
	for _, f := range Files() {
		names = append(names, f.Name)
		want, err := Render(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f.Name)
		if err != nil {
			t.Errorf("%v: run go generate ./dashboards", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the generator writes: run go generate ./dashboards", f.Name)
		}
	}
	committed, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range committed {
		if !slices.Contains(names, c) {
			t.Errorf("%s is not written by the generator: remove it", c)
		}
	}
}

func TestExpandSubstitutesVariables(t *testing.T) {
	values := map[string]string{"job": ".+", "program": "basic_pension", "program_name": "x"}
	got := Expand(`a{job=~"$job",program="$program",p="${program}",t="${program:text}",n="$program_name",r="$region"}`, values)
	want := `a{job=~".+",program="basic_pension",p="basic_pension",t="basic_pension",n="x",r="$region"}`
	if got != want {
		t.Errorf("Expand = %s, want %s", got, want)
	}
}
