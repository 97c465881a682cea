package dashboards

import (
	"strconv"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestMatrixCellsHoldOneFigure checks, on the embedded default with each dashboard's default variables and in each
// copy of a repeated panel, that no two figures a groupingToMatrix panel shows fall in one cell (one row value, one
// column name): Grafana would show one of them and hide the other, and the cell's link could open only one. Figures
// of one programme and year published on two bases (the urban schemes' medical insurance beside all schemes') would.
func TestMatrixCellsHoldOneFigure(t *testing.T) {
	res, err := config.Load(config.Options{Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	snap := res.Snapshot
	matrices := 0
	for _, path := range dashboardFiles(t) {
		m, err := ReadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{}
		for _, v := range m.Templating.List {
			vars[v.Name] = v.Default()
		}
		for _, p := range m.Panels {
			if !hasMatrix(p) {
				continue
			}
			matrices++
			for _, copyVars := range repeatCopies(t, snap, m, p, vars) {
				cells := map[[2]string]shownFigure{}
				for _, s := range panelFigures(t, snap, p, copyVars) {
					cell := [2]string{s.row, s.field}
					if other, ok := cells[cell]; ok {
						t.Errorf("%s: panel %s shows %s and %s in one cell, row %q and column %q", path, strconv.Quote(p.Title),
							selectorOf(other.figure), selectorOf(s.figure), s.row, s.field)
						continue
					}
					cells[cell] = s
				}
			}
		}
	}
	if matrices < 5 {
		t.Errorf("found %d panels with a groupingToMatrix, want at least 5: the panels are not read as they are", matrices)
	}
}

func hasMatrix(p Panel) bool {
	for _, tr := range p.Transformations {
		if tr.ID == "groupingToMatrix" {
			return true
		}
	}
	return false
}
