package pages

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

var (
	benchSeries   = flag.Int("bench.series", 0, "series of the generated dataset the benchmarks serve pages of (socsec_datagen --series); the benchmarks skip without it")
	benchConflict = flag.Int("bench.conflict", 0, "figures of the generated conflict beside it (socsec_datagen --conflict-figures)")
	benchTotals   = flag.Int("bench.totals", 0, "totals declared beside it on one indicator and region (socsec_datagen --totals)")
)

// bench is the loaded version the benchmarks share, loaded once per process.
var bench struct {
	once     sync.Once
	snap     *dataset.Snapshot
	warnings []config.Problem
	err      error
}

// benchLoad generates and loads a dataset of -bench.series series.
func benchLoad(b *testing.B) (*dataset.Snapshot, []config.Problem) {
	b.Helper()
	if *benchSeries == 0 {
		b.Skip("give -bench.series=N, e.g. 1000000, to benchmark the pages on a generated dataset")
	}
	bench.once.Do(func() {
		dir, err := os.MkdirTemp("", "socsec-pages-bench-")
		if err != nil {
			bench.err = err
			return
		}
		defer os.RemoveAll(dir) // Loaded, the files are needed no more.
		if _, err := datagen.Write(dir, datagen.Options{Series: *benchSeries, ConflictFigures: *benchConflict, Totals: *benchTotals}); err != nil {
			bench.err = err
			return
		}
		res, err := config.Load(config.Options{ConfigFile: dir + "/config.yml"})
		if err != nil {
			bench.err = err
			return
		}
		bench.snap, bench.warnings = res.Snapshot, res.Warnings
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.snap, bench.warnings
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkIndex measures building the pages' index of a loaded version, which every load does, and the list of
// every check, which the first /checks request of a version builds: time, and the heap each keeps per served series
// (heap after minus heap before, garbage collected).
func BenchmarkIndex(b *testing.B) {
	snap, warnings := benchLoad(b)
	var index, checks, indexTime, checksTime float64
	var l *Load
	for b.Loop() {
		l = nil
		before := heapInUse()
		start := time.Now()
		l = NewLoad(snap, warnings, time.Now())
		indexTime += time.Since(start).Seconds()
		afterIndex := heapInUse()
		start = time.Now()
		l.checkList()
		checksTime += time.Since(start).Seconds()
		afterChecks := heapInUse()
		index += float64(afterIndex) - float64(before)
		checks += float64(afterChecks) - float64(afterIndex)
	}
	runtime.KeepAlive(l)
	n := float64(b.N)
	b.ReportMetric(index/n/float64(len(snap.Series)), "index-B/series")
	b.ReportMetric(checks/n/float64(len(snap.Series)), "checks-B/series")
	b.ReportMetric(indexTime/n*1000, "index-ms")
	b.ReportMetric(checksTime/n*1000, "checks-ms")
	b.ReportMetric(float64(len(snap.Series)), "series")
}

// benchPage measures serving one page, reporting the median time of a request (a Go benchmark reports the mean).
func benchPage(b *testing.B, target string, prepare func(*Load)) {
	snap, warnings := benchLoad(b)
	l := NewLoad(snap, warnings, time.Now())
	if prepare != nil {
		prepare(l)
	}
	p := New(func() State { return State{Load: l} })
	mux := http.NewServeMux()
	p.Register(mux)
	req := httptest.NewRequest(http.MethodGet, target, nil)
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		start := time.Now()
		mux.ServeHTTP(w, req)
		times = append(times, time.Since(start))
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d", target, w.Code)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkFiguresPage serves the first page of /figures, unfiltered.
func BenchmarkFiguresPage(b *testing.B) {
	benchPage(b, "/figures", nil)
}

// BenchmarkFiguresFiltered serves /figures filtered by a year, which scans every figure.
func BenchmarkFiguresFiltered(b *testing.B) {
	benchPage(b, "/figures?year=2020&program=basic_medical", nil)
}

// BenchmarkFigurePage serves the page of one coverage figure of a county: its source, its checks against the
// county's participants and population, and its chart.
func BenchmarkFigurePage(b *testing.B) {
	snap, _ := benchLoad(b)
	var coverage []*dataset.Observation
	for _, o := range snap.Series {
		if o.Indicator.Name == "socsec_coverage_ratio" && o.Region[len(o.Region)-2:] != "00" {
			coverage = append(coverage, o)
		}
	}
	if len(coverage) == 0 {
		b.Fatal("no coverage figure of a county")
	}
	benchPage(b, "/"+figureURL(coverage[len(coverage)/2]), nil)
}

// BenchmarkChecksPage serves /checks once its list is built.
func BenchmarkChecksPage(b *testing.B) {
	benchPage(b, "/checks", func(l *Load) { l.checkList() })
}

// BenchmarkLargeSeries serves the pages of issue 20's two worst cases, without -bench.series: a conflict of 10,000
// figures of one series (its page, and its last page) and 40,000 declared totals on one indicator and region (the
// count of the checks at start-up, the page of a total, and the first /checks of a version, which checks them all).
func BenchmarkLargeSeries(b *testing.B) {
	conflict := NewLoad(testenv.Load(b, config.Options{Datasets: []string{seriesDataset(b, 10000, 1000, "", "")}}), nil, time.Now())
	totals := totalsSnapshot(40000)
	page := func(l func() *Load, target string, want int) func(b *testing.B) {
		return func(b *testing.B) {
			var times []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				load := l()
				start := time.Now()
				w := serveOnce(load, target)
				times = append(times, time.Since(start))
				if w.Code != want {
					b.Fatalf("GET %s: status %d, want %d", target, w.Code, want)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
		}
	}
	b.Run("conflict-page", page(func() *Load { return conflict }, manySeries, http.StatusNotFound))
	b.Run("conflict-last-page", page(func() *Load { return conflict }, manySeries+"&page=100", http.StatusNotFound))
	b.Run("totals-count", func(b *testing.B) {
		for b.Loop() {
			check.CountRun(totals)
		}
	})
	l := NewLoad(totals, nil, time.Now())
	b.Run("totals-figure-page", page(func() *Load { return l }, figureURL(totals.Series[3*20000+1]), http.StatusOK))
	b.Run("totals-first-checks", page(func() *Load { return NewLoad(totals, nil, time.Now()) }, "checks", http.StatusOK))
}
