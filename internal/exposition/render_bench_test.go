package exposition

import (
	"context"
	"flag"
	"os"
	"sync"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

var benchSeries = flag.Int("bench.series", 100000, "series in the dataset BenchmarkRender generates")

// benchSnapshot is the generated snapshot BenchmarkRender renders, loaded
// once per process: the benchmark runs more than once, and generating and
// loading a million series takes longer than rendering them.
var benchSnapshot = sync.OnceValues(func() (*dataset.Snapshot, error) {
	dir, err := os.MkdirTemp("", "exposition-bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if _, err := datagen.Write(dir, datagen.Options{Series: *benchSeries}); err != nil {
		return nil, err
	}
	res, err := config.LoadContext(context.Background(), config.Options{ConfigFile: dir + "/config.yml"})
	if err != nil {
		return nil, err
	}
	return res.Snapshot, nil
})

// BenchmarkRender renders a generated dataset of -bench.series series, from
// the snapshot's families to an exposition ready to serve.
func BenchmarkRender(b *testing.B) {
	snap, err := benchSnapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x, err := Render(collector.Families(snap))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(x.Series()), "series")
	}
}
