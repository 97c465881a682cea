package app

import (
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// fileMetrics are socsec_dataset_load_success and
// socsec_dataset_last_load_success_timestamp_seconds. They cover the files
// the last load attempt named and the files whose data is served: a file
// the config no longer names goes once a reload succeeds without it, and a
// served file a failed reload did not get to (a broken config) keeps its
// last values. A reload replaces the whole set at once, so no scrape sees
// it half done.
type fileMetrics struct {
	okDesc, timeDesc *prometheus.Desc

	mu    sync.Mutex
	files []fileState
	// served are the files of the last successful load.
	served []string
}

type fileState struct {
	file string
	ok   bool
	// lastOK is when the file last loaded without errors; zero if never.
	lastOK time.Time
}

func newFileMetrics() *fileMetrics {
	desc := func(f schema.Family) *prometheus.Desc { return prometheus.NewDesc(f.Name, f.Help, f.Labels, nil) }
	return &fileMetrics{okDesc: desc(schema.FileLoadSuccess), timeDesc: desc(schema.FileLoadSuccessTime)}
}

// update records a load attempt that started at start and read files;
// succeeded says whether its version is now served.
func (m *fileMetrics) update(files []dataset.FileStatus, succeeded bool, start time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := map[string]fileState{}
	for _, f := range m.files {
		old[f.file] = f
	}
	next := make([]fileState, 0, len(files))
	named := map[string]bool{}
	for _, s := range files {
		if named[s.File] {
			// Named twice: one series, OK only if both loads were.
			i := slices.IndexFunc(next, func(f fileState) bool { return f.file == s.File })
			next[i].ok = next[i].ok && s.OK
			continue
		}
		f := old[s.File]
		f.file, f.ok = s.File, s.OK
		if s.OK {
			f.lastOK = start
		}
		next = append(next, f)
		named[s.File] = true
	}
	if succeeded {
		m.served = m.served[:0]
		for _, s := range files {
			m.served = append(m.served, s.File)
		}
	} else {
		for _, file := range m.served {
			if f, ok := old[file]; ok && !named[file] {
				next = append(next, f)
			}
		}
	}
	m.files = next
}

// Describe implements prometheus.Collector.
func (m *fileMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.okDesc
	ch <- m.timeDesc
}

// Collect implements prometheus.Collector.
func (m *fileMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	files := slices.Clone(m.files)
	m.mu.Unlock()
	for _, f := range files {
		ok := 0.0
		if f.ok {
			ok = 1
		}
		ch <- prometheus.MustNewConstMetric(m.okDesc, prometheus.GaugeValue, ok, f.file)
		if !f.lastOK.IsZero() {
			ch <- prometheus.MustNewConstMetric(m.timeDesc, prometheus.GaugeValue, float64(f.lastOK.UnixNano())/1e9, f.file)
		}
	}
}
