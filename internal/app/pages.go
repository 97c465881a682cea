package app

import (
	"sync/atomic"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/pages"
)

// pageState is what the provenance pages and the landing page show: the
// version served, indexed for the pages, and how the last reload went.
type pageState struct {
	load   atomic.Pointer[pages.Load]
	reload atomic.Pointer[pages.Reload]
}

// PageState returns what the provenance pages show.
func (e *Exporter) PageState() pages.State {
	st := pages.State{Load: e.pageState.load.Load()}
	if r := e.pageState.reload.Load(); r != nil {
		st.Reload = *r
	}
	return st
}

// recordReload keeps the outcome of a load or reload for the pages: the
// loaded version with its warnings, indexed here so that the index is part
// of the version's memory, or why the load failed. A failure rebuilds the
// landing page, which tells it; a success leaves that to the swap.
func (e *Exporter) recordReload(res *config.Result, err error) {
	now := e.now()
	if err == nil && res != nil && res.Snapshot != nil {
		e.pageState.load.Store(pages.NewLoad(res.Snapshot, res.Warnings, now))
	}
	e.pageState.reload.Store(&pages.Reload{At: now, Err: err})
	if err != nil {
		e.setLanding(e.Snapshot())
	}
}
