package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/exposition"
)

var (
	benchSeries = flag.Int("bench.series", 100000, "series of the generated dataset the benchmarks load and serve")
	heapDir     = flag.String("bench.heap-profile-dir", "", "directory BenchmarkScrape writes the in-use heap profile of each state into, once it is set up")
)

// benchExporter generates a dataset of -bench.series series and returns an
// exporter that serves it, loaded.
func benchExporter(b *testing.B) *Exporter {
	b.Helper()
	dir := b.TempDir()
	if _, err := datagen.Write(dir, datagen.Options{Series: *benchSeries}); err != nil {
		b.Fatal(err)
	}
	e := New(Options{
		Load:          config.Options{ConfigFile: dir + "/config.yml"},
		TelemetryPath: "/metrics",
		RenderTimeout: time.Minute,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err := e.Reload(); err != nil {
		b.Fatal(err)
	}
	// Wait for what the load compresses in the background, so that it is
	// not measured with the first benchmark.
	_, _ = e.current.Load().whole.Gzip(context.Background(), exposition.OpenMetrics, exposition.Shard{})
	return e
}

// BenchmarkLoad measures a reload: parse, validate, check and render.
func BenchmarkLoad(b *testing.B) {
	e := benchExporter(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Reload(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScrape measures serving one scrape in each format and encoding,
// fresh after a load and with every view warm: each dataset alone and each
// shard for 2, 4, 8 and 16 shards, in both formats and encodings, as
// scripts/loadtest.sh warms them.
func BenchmarkScrape(b *testing.B) {
	e := benchExporter(b)
	h := e.Handler()
	serve := func(target, accept, encoding string) int64 {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("Accept-Encoding", encoding)
		w := &discardResponse{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.code != 0 && w.code != http.StatusOK {
			b.Fatalf("%s: status %d", target, w.code)
		}
		return w.n
	}
	cases := []struct{ name, accept, encoding string }{
		{"text", acceptHeaders["text"], ""},
		{"text-gzip", acceptHeaders["text"], "gzip"},
		{"openmetrics", acceptHeaders["prometheus2"], ""},
		{"openmetrics-gzip", acceptHeaders["prometheus2"], "gzip"},
		{"shard-gzip", acceptHeaders["prometheus2"], "gzip"},
	}
	for _, state := range []string{"fresh", "warm"} {
		if state == "warm" {
			var targets []string
			for _, ds := range e.Snapshot().Datasets {
				targets = append(targets, "/metrics?dataset="+ds.ID)
			}
			for _, n := range []int{2, 4, 8, 16} {
				for i := range n {
					targets = append(targets, fmt.Sprintf("/metrics?shard=%d&shards=%d", i, n))
				}
			}
			for _, target := range targets {
				for _, c := range cases[:4] {
					serve(target, c.accept, c.encoding)
				}
			}
		}
		writeHeapProfile(b, state)
		for _, c := range cases {
			b.Run(state+"/"+c.name, func(b *testing.B) {
				target := "/metrics"
				if c.name == "shard-gzip" {
					target += "?shard=1&shards=4"
				}
				b.ReportAllocs()
				for b.Loop() {
					b.SetBytes(serve(target, c.accept, c.encoding))
				}
			})
		}
	}
}

// writeHeapProfile writes the in-use heap, garbage collected, to
// state.heap.pb.gz in -bench.heap-profile-dir, when that is set.
func writeHeapProfile(b *testing.B, state string) {
	b.Helper()
	if *heapDir == "" {
		return
	}
	runtime.GC()
	f, err := os.Create(filepath.Join(*heapDir, "scrape-"+state+".heap.pb.gz"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// discardResponse is a ResponseWriter that counts and drops the body, so
// that the benchmark measures the handler, not a recorder's copying.
type discardResponse struct {
	header http.Header
	code   int
	n      int64
}

func (d *discardResponse) Header() http.Header  { return d.header }
func (d *discardResponse) WriteHeader(code int) { d.code = code }
func (d *discardResponse) Write(b []byte) (int, error) {
	d.n += int64(len(b))
	return io.Discard.Write(b)
}
