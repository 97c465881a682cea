package config

import (
	"context"
	"flag"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
)

var benchSeries = flag.Int("bench.series", 100_000, "series of the dataset BenchmarkLoadConfig loads")

// BenchmarkLoadConfig measures a whole load (parse, validate, settle) of a
// generated dataset of -bench.series series, and its checks.
func BenchmarkLoadConfig(b *testing.B) {
	dir := b.TempDir()
	if _, err := datagen.Write(dir, datagen.Options{Series: *benchSeries}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := LoadContext(context.Background(), Options{ConfigFile: dir + "/config.yml"})
		if err != nil {
			b.Fatal(err)
		}
		res.Snapshot.CheckFailures()
	}
}
