package app

import (
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
)

var benchSeries = flag.Int("bench.series", 100000, "series of the generated dataset the benchmarks load and serve")

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
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err := e.Reload(); err != nil {
		b.Fatal(err)
	}
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

// BenchmarkScrape measures serving one scrape in each format and encoding.
func BenchmarkScrape(b *testing.B) {
	e := benchExporter(b)
	h := e.Handler()
	for _, c := range []struct{ name, accept, encoding string }{
		{"text", "text/plain;version=0.0.4", ""},
		{"text-gzip", "text/plain;version=0.0.4", "gzip"},
		{"openmetrics", "application/openmetrics-text;version=1.0.0", ""},
		{"openmetrics-gzip", "application/openmetrics-text;version=1.0.0", "gzip"},
		{"shard-gzip", "application/openmetrics-text;version=1.0.0", "gzip"},
	} {
		b.Run(c.name, func(b *testing.B) {
			target := "/metrics"
			if c.name == "shard-gzip" {
				target += "?shard=1&shards=4"
			}
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept", c.accept)
			req.Header.Set("Accept-Encoding", c.encoding)
			b.ReportAllocs()
			for b.Loop() {
				w := &discardResponse{header: http.Header{}}
				h.ServeHTTP(w, req)
				if w.code != 0 && w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
				b.SetBytes(w.n)
			}
		})
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
