package dashboards

import (
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestHistoryRangeFollowsTheClock checks that the History dashboard opens on the last 30 years up to the day it is
// opened, whenever that is, so that a year published after the embedded default's is on screen; and that on the
// tests' day it holds every figure of the embedded default, each drawn from 31 December of its year.
func TestHistoryRangeFollowsTheClock(t *testing.T) {
	m, err := ReadModel("socsec-history.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{testenv.Now(), time.Date(2031, time.March, 1, 0, 0, 0, 0, time.UTC), time.Date(2060, time.July, 1, 0, 0, 0, 0, time.UTC)} {
		from, to, err := m.TimeRange(now)
		if err != nil {
			t.Fatalf("History time range %+v: %v", m.Time, err)
		}
		if oldest := now.AddDate(-30, 0, 0); from.After(oldest) || to.Before(now) {
			t.Errorf("opened on %s, the History dashboard shows %s to %s: want at least %s to %s, the last 30 years",
				now.Format(time.DateOnly), from.Format(time.DateOnly), to.Format(time.DateOnly), oldest.Format(time.DateOnly), now.Format(time.DateOnly))
		}
	}

	res, err := config.Load(config.Options{Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	from, to, err := m.TimeRange(testenv.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Snapshot.Series {
		if at := time.Date(o.Year, time.December, 31, 0, 0, 0, 0, time.UTC); at.Before(from) || at.After(to) {
			t.Errorf("the %d figure of %s is drawn at %s, outside the History dashboard's range %s to %s on %s",
				o.Year, o.Indicator.Name, at.Format(time.DateOnly), from.Format(time.DateOnly), to.Format(time.DateOnly),
				testenv.Now().Format(time.DateOnly))
		}
	}
}

// TestHistoryVariablesSeeTheWholeRange checks that each query variable of the History dashboard looks back over the
// whole default range and the year a figure is held: Grafana evaluates it at the end of the range only, and a
// backfilled series has its last sample at 31 December of its newest year, years before now.
func TestHistoryVariablesSeeTheWholeRange(t *testing.T) {
	m, err := ReadModel("socsec-history.json")
	if err != nil {
		t.Fatal(err)
	}
	from, to, err := m.TimeRange(testenv.Now())
	if err != nil {
		t.Fatal(err)
	}
	held, err := model.ParseDuration(historyWindow)
	if err != nil {
		t.Fatal(err)
	}
	need := to.Sub(from) + time.Duration(held)
	variables := 0
	for _, v := range m.Templating.List {
		if v.Type != "query" || v.Name == "job" {
			continue
		}
		variables++
		expr, err := v.PromQL()
		if err != nil {
			t.Fatal(err)
		}
		node, err := promql.ParseExpr(expr)
		if err != nil {
			t.Fatalf("variable %s: %v", v.Name, err)
		}
		windows := 0
		parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
			if ms, ok := n.(*parser.MatrixSelector); ok {
				windows++
				if ms.Range < need {
					t.Errorf("variable %s looks back %s, less than the range of %s and the %s a figure is held: %s",
						v.Name, model.Duration(ms.Range), model.Duration(to.Sub(from)), historyWindow, expr)
				}
			}
			return nil
		})
		if windows == 0 {
			t.Errorf("variable %s looks at no range, so at no backfilled year once the range ends after it: %s", v.Name, expr)
		}
	}
	if variables < 2 {
		t.Errorf("found %d region and programme variables on the History dashboard, want 2", variables)
	}
}

// TestTimeRange checks how Model.TimeRange reads absolute and relative times.
func TestTimeRange(t *testing.T) {
	now := time.Date(2026, time.November, 28, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ from, to, wantFrom, wantTo string }{
		{"now-30y", "now", "1996-11-28T12:00:00Z", "2026-11-28T12:00:00Z"},
		{"now-1h", "now", "2026-11-28T11:00:00Z", "2026-11-28T12:00:00Z"},
		{"now-2w", "now-1d", "2026-11-14T12:00:00Z", "2026-11-27T12:00:00Z"},
		{"2006-01-01T00:00:00.000Z", "2021-12-31T23:59:59.000Z", "2006-01-01T00:00:00Z", "2021-12-31T23:59:59Z"},
	} {
		var m Model
		m.Time.From, m.Time.To = c.from, c.to
		from, to, err := m.TimeRange(now)
		if err != nil || from.Format(time.RFC3339) != c.wantFrom || to.Format(time.RFC3339) != c.wantTo {
			t.Errorf("TimeRange(%s, %s) = %s, %s, %v; want %s, %s", c.from, c.to, from.Format(time.RFC3339), to.Format(time.RFC3339), err, c.wantFrom, c.wantTo)
		}
	}
	for _, bad := range []string{"now-30x", "yesterday", "now+1d"} {
		var m Model
		m.Time.From, m.Time.To = bad, "now"
		if _, _, err := m.TimeRange(now); err == nil {
			t.Errorf("TimeRange(%s) gave no error", bad)
		}
	}
}
