package app

import (
	"sync/atomic"

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
// loaded version with its warnings, indexed by the load (pages.NewLoad) so
// that the index is part of the version's memory, or why the load failed. A
// failure rebuilds the landing page, which tells it; a success leaves that
// to the swap.
func (e *Exporter) recordReload(page *pages.Load, err error) {
	if page != nil {
		e.pageState.load.Store(page)
	}
	e.pageState.reload.Store(&pages.Reload{At: e.now(), Err: err})
	if err != nil {
		e.setLanding(e.Snapshot())
	}
}
