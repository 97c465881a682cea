package exposition

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// snapshots returns the embedded default and a generated dataset, by name.
func snapshots(t testing.TB) map[string]*dataset.Snapshot {
	t.Helper()
	dir := t.TempDir()
	if _, err := datagen.Write(dir, datagen.Options{Series: 20000}); err != nil {
		t.Fatal(err)
	}
	snaps := map[string]*dataset.Snapshot{}
	for name, file := range map[string]string{"default": "", "generated": dir + "/config.yml"} {
		res, err := config.Load(config.Options{ConfigFile: file, Now: testenv.Now})
		if err != nil {
			t.Fatal(err)
		}
		snaps[name] = res.Snapshot
	}
	return snaps
}

var formats = map[Format]expfmt.Format{
	Text:        expfmt.NewFormat(expfmt.TypeTextPlain),
	OpenMetrics: expfmt.FmtOpenMetrics_1_0_0,
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func plain(t *testing.T, x *Exposition, f Format, s Shard) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := x.WritePlain(&buf, f, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMatchesExpfmt proves the pre-rendered bytes, plain and gzipped, equal
// what client_golang and expfmt write for the collector, in both formats.
func TestMatchesExpfmt(t *testing.T) {
	for name, snap := range snapshots(t) {
		x := mustRender(t, collector.Families(snap))
		for _, fam := range x.families {
			if cap(fam.lines) != len(fam.lines) || cap(fam.hashes) != len(fam.hashes) || cap(fam.om) != len(fam.om) {
				t.Errorf("%s: buffers sized %d, %d, %d for %d, %d, %d", name, cap(fam.lines), cap(fam.hashes), cap(fam.om), len(fam.lines), len(fam.hashes), len(fam.om))
			}
		}
		for f, format := range formats {
			t.Run(name+"/"+[]string{"text", "openmetrics"}[f], func(t *testing.T) {
				want := testenv.Expfmt(t, collector.New(func() *dataset.Snapshot { return snap }), format)
				got := plain(t, x, f, Shard{})
				if !bytes.Equal(got, want) {
					t.Fatalf("pre-rendered output differs from expfmt at byte %d:\n got: %q\nwant: %q", testenv.Mismatch(got, want), testenv.Excerpt(got, testenv.Mismatch(got, want)), testenv.Excerpt(want, testenv.Mismatch(got, want)))
				}
				if n := x.Size(f, Shard{}); n != len(want) {
					t.Errorf("Size = %d, want %d", n, len(want))
				}
				if unzipped := gunzip(t, gz(t, x, f, Shard{})); !bytes.Equal(unzipped, want) {
					t.Errorf("gzip output differs from expfmt at byte %d", testenv.Mismatch(unzipped, want))
				}
			})
		}
	}
}

func mustRender(t *testing.T, families []collector.Family) *Exposition {
	t.Helper()
	x, err := Render(families)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestEscaping covers what the datasets rarely hold: quotes, backslashes and
// newlines in help and label values, a 0x00 and 0x01 in values that decide
// the order, and values OpenMetrics writes differently.
func TestEscaping(t *testing.T) {
	families := []collector.Family{{
		Name: "socsec_test_ratio", Help: "Help with \"quotes\", a \\ and a\nnewline.", Labels: []string{"region_code", "b", "a"},
		Series: func(emit func(float64, ...string)) {
			emit(0.5, "x\"y", "b\\1", "a\n")
			emit(-1, "x", "b\x00", "a")
			emit(0, "x", "b\x01", "a")
			emit(1e21, "x", "b", "a")
			emit(-42, "", "b", "b")
			emit(1, "", "b", "a!")
		},
	}, {Name: "socsec_empty", Help: "Nothing.", Series: func(func(float64, ...string)) {}}}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(familiesCollector(families))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	x := mustRender(t, families)
	for f, format := range formats {
		var want bytes.Buffer
		enc := expfmt.NewEncoder(&want, format)
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
		if got := plain(t, x, f, Shard{}); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s:\n got: %q\nwant: %q", format, got, want.Bytes())
		}
	}
}

// familiesCollector collects families as const gauges, as collector.Collector does.
type familiesCollector []collector.Family

func (c familiesCollector) Describe(chan<- *prometheus.Desc) {}

func (c familiesCollector) Collect(ch chan<- prometheus.Metric) {
	for _, f := range c {
		desc := prometheus.NewDesc(f.Name, f.Help, f.Labels, nil)
		f.Series(func(v float64, values ...string) {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, values...)
		})
	}
}

// TestShardsPartition proves that the shards of every count are a partition
// of the whole: each series in exactly one shard, every shard a valid
// exposition that repeats no family header.
func TestShardsPartition(t *testing.T) {
	snap := snapshots(t)["generated"]
	x := mustRender(t, collector.Families(snap))
	for f, format := range formats {
		whole := seriesSet(t, plain(t, x, f, Shard{}), format)
		if len(whole) != x.Series() {
			t.Fatalf("%d series parsed, Series() = %d", len(whole), x.Series())
		}
		for _, n := range []int{1, 2, 3, 7, 16} {
			seen := map[string]int{}
			for i := range n {
				s := Shard{Index: i, Count: n}
				b := plain(t, x, f, s)
				if unzipped := gunzip(t, gz(t, x, f, s)); !bytes.Equal(unzipped, b) {
					t.Fatalf("%s shard %d/%d: gzip and plain differ", format, i, n)
				}
				part := seriesSet(t, b, format)
				// With a few dozen regions, a shard of many may get none.
				if n <= 3 && len(part) == 0 {
					t.Errorf("%s shard %d/%d is empty", format, i, n)
				}
				for k := range part {
					if prev, dup := seen[k]; dup {
						t.Fatalf("%s: series %s in shard %d and %d of %d", format, k, prev, i, n)
					}
					seen[k] = i
				}
			}
			if len(seen) != len(whole) {
				t.Fatalf("%s: %d shards hold %d series, the whole has %d", format, n, len(seen), len(whole))
			}
			for k := range whole {
				if _, ok := seen[k]; !ok {
					t.Fatalf("%s: series %s is in no shard of %d", format, k, n)
				}
			}
		}
	}
}

// seriesSet returns the sample lines of an exposition, failing when a
// family header appears twice or, for the text format, when expfmt cannot
// parse it. (The OpenMetrics lines are the text lines with ".0" appended to
// integral values, which TestMatchesExpfmt proves for the whole.)
func seriesSet(t *testing.T, b []byte, format expfmt.Format) map[string]bool {
	t.Helper()
	if format.FormatType() == expfmt.TypeTextPlain {
		p := expfmt.NewTextParser(model.LegacyValidation)
		if _, err := p.TextToMetricFamilies(bytes.NewReader(b)); err != nil {
			t.Fatalf("parsing: %v", err)
		}
	}
	set := map[string]bool{}
	for line := range strings.Lines(string(b)) {
		if strings.HasPrefix(line, "# TYPE ") {
			if set[line] {
				t.Fatalf("%s appears twice", strings.TrimSpace(line))
			}
			set[line] = true
			continue
		}
		if !strings.HasPrefix(line, "#") {
			set[line] = true
		}
	}
	for line := range set {
		if strings.HasPrefix(line, "#") {
			delete(set, line)
		}
	}
	return set
}
