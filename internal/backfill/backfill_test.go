package backfill

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden OpenMetrics files from the current output")

func load(t *testing.T, files ...string) *dataset.Snapshot {
	t.Helper()
	return testenv.Load(t, config.Options{Datasets: files})
}

func write(t *testing.T, snap *dataset.Snapshot, extra ...Label) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, snap, extra...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	got := write(t, load(t))
	golden := "testdata/default.om"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./internal/backfill -update to accept it):\n%s", golden, got)
	}
}

func TestTimestamp(t *testing.T) {
	for year, want := range map[int]int64{2007: 1199059200, 2015: 1451520000, 2020: 1609372800} {
		if got := Timestamp(year).Unix(); got != want {
			t.Errorf("Timestamp(%d) = %d, want %d", year, got, want)
		}
	}
}

// sampleRE matches a sample line: name, labels, value, timestamp. OpenMetrics
// writes the timestamp in seconds as a float, such as 1.6093728e+09.
var sampleRE = regexp.MustCompile(`^([a-z_]+)(\{[^}]*\}) (\S+) (\S+)$`)

// seconds parses an OpenMetrics timestamp that must be whole seconds.
func seconds(t *testing.T, line int, s string) int64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) {
		t.Fatalf("line %d: timestamp %q is not whole seconds", line, s)
	}
	return int64(f)
}

// TestLayout checks what promtool requires of every file, on datasets whose
// series span several years written out of order: families are not
// interleaved and have HELP and TYPE gauge before their samples, each series
// is contiguous with ascending timestamps, no sample has a year label, and
// the file ends with # EOF. It also checks that every served figure becomes
// one sample at the end of its year or period, and that the name series of the regions
// and programmes with figures, and only those, have a sample at every year
// from the oldest figure to the newest.
func TestLayout(t *testing.T) {
	for _, files := range [][]string{nil, {"testdata/history.yaml"}, {"../../config/testdata/valid-periods.yaml"}} {
		t.Run(fmt.Sprint(files), func(t *testing.T) {
			snap := load(t, files...)
			out := string(write(t, snap))
			body, ok := strings.CutSuffix(out, "# EOF\n")
			if !ok {
				t.Fatalf("output does not end with # EOF:\n%s", out)
			}
			doneFamilies, doneSeries := map[string]bool{}, map[string]bool{}
			family, series, typed := "", "", false
			var last int64
			samples := map[string]float64{}
			names := map[string][]int64{}
			for i, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
				if name, ok := strings.CutPrefix(line, "# HELP "); ok {
					name, _, _ = strings.Cut(name, " ")
					if doneFamilies[name] {
						t.Fatalf("line %d: family %s starts again", i+1, name)
					}
					doneFamilies[family], family, typed = true, name, false
					continue
				}
				if line == "# TYPE "+family+" gauge" {
					typed = true
					continue
				}
				m := sampleRE.FindStringSubmatch(line)
				if m == nil || m[1] != family || !typed {
					t.Fatalf("line %d: %q is not a sample of the gauge family %q", i+1, line, family)
				}
				if strings.Contains(m[2], `year="`) {
					t.Errorf("line %d: sample keeps the year label", i+1)
				}
				ts := seconds(t, i+1, m[4])
				key := m[1] + m[2]
				switch {
				case key != series && doneSeries[key]:
					t.Fatalf("line %d: series %s is not contiguous", i+1, key)
				case key == series && ts <= last:
					t.Fatalf("line %d: timestamp %d does not ascend after %d", i+1, ts, last)
				}
				doneSeries[series], series, last = true, key, ts
				if _, named := nameFamilies[m[1]]; named {
					names[key] = append(names[key], ts)
					continue
				}
				samples[key+" "+strconv.FormatInt(ts, 10)], _ = strconv.ParseFloat(m[3], 64)
			}
			checkNames(t, snap, names)
			if len(samples) != len(snap.Series) {
				t.Errorf("got %d samples, want one per served series: %d", len(samples), len(snap.Series))
			}
			for _, o := range snap.Series {
				labels := []string{}
				for name, v := range map[string]string{"region_code": o.Region, "program": o.Program} {
					if v != "" {
						labels = append(labels, name+"="+strconv.Quote(v))
					}
				}
				for j, d := range o.Indicator.Dimensions {
					labels = append(labels, d+"="+strconv.Quote(o.Dimensions[j]))
				}
				found := false
				for key, v := range samples {
					if strings.HasPrefix(key, o.Indicator.Name+"{") && strings.HasSuffix(key, " "+strconv.FormatInt(o.PeriodEnd().Unix(), 10)) && v == o.Value && containsAll(key, labels) {
						found = true
					}
				}
				if !found {
					t.Errorf("no sample for %s %s %s %d = %v at %s", o.Indicator.Name, o.Region, o.Program, o.Year, o.Value, o.PeriodEnd())
				}
			}
		})
	}
}

// checkNames checks the name series against the regions and programmes that
// have figures in snap: one series each, with a sample at every year from the
// oldest figure to the newest.
func checkNames(t *testing.T, snap *dataset.Snapshot, names map[string][]int64) {
	t.Helper()
	first, last := snap.Series[0].Year, snap.Series[0].Year
	want := map[string]bool{}
	for _, o := range snap.Series {
		first, last = min(first, o.Year), max(last, o.Year)
		want[`socsec_region_info region_code="`+o.Region+`"`] = true
		if o.Program != "" {
			want[`socsec_program_info program="`+o.Program+`"`] = true
		}
	}
	var span []int64
	for year := first; year <= last; year++ {
		span = append(span, Timestamp(year).Unix())
	}
	got := map[string]bool{}
	for key, ts := range names {
		name, labels, _ := strings.Cut(key, "{")
		for w := range want {
			wantName, label, _ := strings.Cut(w, " ")
			if name == wantName && strings.Contains(labels, label) {
				got[w] = true
			}
		}
		if !slices.Equal(ts, span) {
			t.Errorf("%s: samples at %v, want every year %d-%d: %v", key, ts, first, last, span)
		}
	}
	if len(names) != len(want) || len(got) != len(want) {
		t.Errorf("name series %v, want one for each of %v", slices.Sorted(maps.Keys(names)), slices.Sorted(maps.Keys(want)))
	}
}

func TestExtraLabels(t *testing.T) {
	snap := load(t)
	out := string(write(t, snap, Label{Name: "job", Value: `socsec "history"`}))
	lines := 0
	for _, line := range strings.Split(out, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines++
		if !strings.Contains(line, `job="socsec \"history\""`) {
			t.Errorf("sample without the job label: %s", line)
		}
	}
	if lines == 0 {
		t.Fatal("no samples")
	}
	if !strings.Contains(out, `socsec_pension_monthly_per_capita_yuan{job="socsec \"history\"",program="basic_pension",region_code="140000"} 2639.0 1.45152e+09`) {
		t.Errorf("the job label is not in its sorted place:\n%s", out)
	}
	for _, name := range []string{"region_code", "program", "year", "category", "region_name"} {
		err := Write(io.Discard, snap, Label{Name: name, Value: "x"})
		if err == nil || !strings.Contains(err.Error(), "label "+name+" is already a label of") {
			t.Errorf("extra label %s: error %v, want a clash", name, err)
		}
	}
}

func TestParseLabels(t *testing.T) {
	got, err := ParseLabels([]string{"job=socsec_history", "env=a=b", "empty="})
	want := []Label{{"job", "socsec_history"}, {"env", "a=b"}, {"empty", ""}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ParseLabels = %v, %v; want %v", got, err, want)
	}
	for spec, problem := range map[string]string{
		"job":         "want name=value",
		"1job=x":      "is not a valid label name",
		"=x":          "is not a valid label name",
		"jo-b=x":      "is not a valid label name",
		"__name__=x":  "reserved",
		"job=a,job=b": "given twice",
	} {
		if _, err := ParseLabels(strings.Split(spec, ",")); err == nil || !strings.Contains(err.Error(), problem) {
			t.Errorf("ParseLabels(%q): error %v, want %q", spec, err, problem)
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestEscapes writes a dataset whose help and names need escaping: quotes,
// backslashes and newlines come out escaped as OpenMetrics requires, in HELP
// as well as in label values.
func TestEscapes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "escapes.yaml")
	data := `id: escapes
title: Escapes
sources:
  - id: s1
    title: Report
    published: 2021-01-01
indicators:
  - name: socsec_escapes_yuan
    help: "Help with \"quotes\", a \\ backslash\nand a second line."
    unit: yuan
regions:
  - code: R1
    name: "Name \"quoted\", a \\ and\na newline"
    level: province
programs:
  - id: p1
    name: "Programme \\ \"one\""
observations:
  - {indicator: socsec_escapes_yuan, region: R1, program: p1, year: 2020, value: 12.5}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out := string(write(t, load(t, path), Label{Name: "job", Value: "a\\b\n\"c\""}))
	for _, want := range []string{
		`# HELP socsec_escapes_yuan Help with \"quotes\", a \\ backslash\nand a second line.` + "\n",
		`socsec_escapes_yuan{job="a\\b\n\"c\"",program="p1",region_code="R1"} 12.5 1.6093728e+09` + "\n",
		`socsec_program_info{job="a\\b\n\"c\"",program="p1",program_name="Programme \\ \"one\""} 1.0 1.6093728e+09` + "\n",
		`socsec_region_info{job="a\\b\n\"c\"",parent_code="",region_code="R1",region_level="province",region_name="Name \"quoted\", a \\ and\na newline",region_name_en=""} 1.0 1.6093728e+09` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
