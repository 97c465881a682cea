package app

import (
	"slices"
	"sync"
	"time"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/exposition"
)

// served is one loaded version of the data: the snapshot, its exposition
// rendered at load, and the exposition of each dataset on its own, rendered
// in the background or on its first request and then kept with this
// version.
type served struct {
	snap     *dataset.Snapshot
	whole    *exposition.Exposition
	datasets map[string]*datasetView
}

// datasetView is the exposition of one dataset, rendered once, and how
// long that took.
type datasetView struct {
	once sync.Once
	x    *exposition.Exposition
	took time.Duration
}

func newServed(snap *dataset.Snapshot) (*served, error) {
	whole, err := exposition.Render(collector.Families(snap))
	if err != nil {
		return nil, err
	}
	s := &served{snap: snap, whole: whole, datasets: map[string]*datasetView{}}
	for _, ds := range snap.Datasets {
		s.datasets[ds.ID] = &datasetView{}
	}
	if len(snap.Datasets) == 1 {
		// One dataset is the whole snapshot: no second rendering.
		v := s.datasets[snap.Datasets[0].ID]
		v.once.Do(func() { v.x = whole })
	}
	return s, nil
}

// render renders the exposition of dataset id into v.
func (s *served) render(v *datasetView, id string) {
	start := time.Now()
	// A part of families that rendered cannot break a rule the whole kept,
	// so there is no error to handle.
	v.x, _ = exposition.Render(collector.Families(datasetSnapshot(s.snap, id)))
	v.x.Share(s.whole)
	v.took = time.Since(start)
}

// datasetSnapshot is what the exporter would serve if the config named only
// the dataset id: its figures settled among themselves, its definitions and
// checks, and the coverage targets that concern its programmes and regions.
func datasetSnapshot(snap *dataset.Snapshot, id string) *dataset.Snapshot {
	i := slices.IndexFunc(snap.Datasets, func(ds *dataset.Dataset) bool { return ds.ID == id })
	ds := snap.Datasets[i]
	programs, regions := map[string]bool{}, map[string]bool{}
	for _, p := range ds.Programs {
		programs[p.ID] = true
	}
	for _, r := range ds.Regions {
		regions[r.Code] = true
	}
	var targets []dataset.Target
	for _, t := range snap.Targets {
		if programs[t.Program] && (t.Region == "" || regions[t.Region]) {
			targets = append(targets, t)
		}
	}
	return config.Single(ds, targets)
}
