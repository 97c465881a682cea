package pages

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/check"
)

// TestCheckLinksSurviveSpacesInPaths checks that a check's result links
// the figures it read when the dataset's path has spaces in it: the pages
// take the figures from the result, not from the positions its message
// names.
func TestCheckLinksSurviveSpacesInPaths(t *testing.T) {
	data, err := os.ReadFile("../check/testdata/change.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "published figures")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "changes (2020).yaml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := serve(t, file)
	_, body, _ := get(t, srv, "checks")
	// The failed change of region 200000 links both its base figures, and
	// the one that lacks a base figure links the one there is.
	for _, year := range []string{"2019", "2020"} {
		contains(t, "/checks", body, `href="figure?metric=socsec_insured_persons&amp;program=pension&amp;region_code=200000&amp;year=`+year+`"`)
	}
	start := strings.Index(body, "change of socsec_insured_persons 200000 pension 2018-2020")
	if start < 0 {
		t.Fatalf("/checks lacks the change that lacks a base figure:\n%s", body)
	}
	entry := body[start:]
	entry = entry[:strings.Index(entry, "</article>")]
	contains(t, "the unchecked change", entry, "changes (2020).yaml:", `region_code=200000&amp;year=2020"`)
	contains(t, "/checks", body, `<span class="verdict">unchecked</span>`, "1 unchecked for want of a figure")

	_, fig, _ := get(t, srv, "figure?metric=socsec_insured_persons&region_code=200000&program=pension&year=2019")
	contains(t, "the 2019 figure's page", fig, "change of socsec_insured_persons 200000 pension 2019-2020", "FAIL")
}

// TestPassesAreKeptAsTheirFigures checks that the list of checks keeps
// each passing check of a figure (a total, a bound, participants against
// population) as the figure and total it checks, not as a described result,
// and that /checks shows each such pass as check.Run describes it.
func TestPassesAreKeptAsTheirFigures(t *testing.T) {
	files := []string{"../check/testdata/totals.yaml", "../check/testdata/bounds.yaml", "../check/testdata/population.yaml"}
	_, l := serve(t, files...)
	passes := map[string][]check.Result{}
	for _, r := range check.Run(l.Snapshot) {
		if r.Status == check.OK {
			passes[r.Check] = append(passes[r.Check], r)
		}
	}
	for _, name := range []string{check.Total, check.Bounds, check.ParticipantsPopulation} {
		if len(passes[name]) == 0 {
			t.Fatalf("the test datasets have no passing %s check", name)
		}
	}
	for _, g := range l.checkList().checks {
		kept := g.entries[len(g.entries)-g.Passed:]
		if len(kept) != len(passes[g.Name]) {
			t.Errorf("%s: %d passes listed, check.Run gives %d", g.Name, len(kept), len(passes[g.Name]))
			continue
		}
		for i, e := range kept {
			want := passes[g.Name][i]
			if e.result != nil {
				t.Errorf("%s: the pass %q is kept described, not as its figure", g.Name, want.Subject)
				continue
			}
			if got, want := l.index.entryView(g.Name, e), l.index.checkView(want); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: a pass kept as its figure is shown as\n%+v\nwant, as check.Run describes it,\n%+v", g.Name, got, want)
			}
		}
	}
}

// TestChecksLinkAPageOfAConflict checks that /checks links a few of the
// figures of an unresolved conflict of 2,000, and the page of their
// series for the rest, instead of every one of them.
func TestChecksLinkAPageOfAConflict(t *testing.T) {
	const n = 2000
	srv, _ := serve(t, seriesDataset(t, n, 1000, "", ""))
	_, body, _ := get(t, srv, "checks")
	start := strings.Index(body, "Warnings: unresolved conflict")
	if start < 0 {
		t.Fatalf("/checks lacks the unresolved conflict:\n%s", body)
	}
	section := body[start:]
	section = section[:strings.Index(section, "</section>")]
	if got := strings.Count(section, "<a href="); got > warningFigures+2 {
		t.Errorf("the conflict's warning links %d figures, want at most %d and the page of the series", got, warningFigures)
	}
	contains(t, "the conflict's warning", section, `href="figure?metric=socsec_insured_persons&amp;program=p&amp;region_code=CN&amp;year=2020">and 1,990 more of this series, on its page</a>`)
	if len(body) > 256<<10 {
		t.Errorf("/checks is %d KiB, want at most 256 KiB with a conflict of %d figures", len(body)>>10, n)
	}
}
