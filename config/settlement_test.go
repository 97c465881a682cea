package config

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// The settlement cases of testdata/settlement: each file alone, what it
// serves and the warnings of its settlement, exactly.
func TestSettlementCases(t *testing.T) {
	for _, tc := range []struct {
		file   string
		served string // The figure served for the file's one series, or none.
		warn   []string
	}{
		{"at-least.yaml", "none", []string{
			`../testdata/settlement/at-least.yaml:12:5: value: unresolved conflict: socsec_insured_persons region CN program basic_pension year 2022 is not served: ` +
				`10000000 at ../testdata/settlement/at-least.yaml:12:5 (source b, authority 5, published 2023-07-01) and ` +
				`at_least "30 million" at ../testdata/settlement/at-least.yaml:11:5 (source a, authority 5, published 2023-07-01) disagree and no source outranks them all`,
			`../testdata/settlement/at-least.yaml:11:5: qualifier: socsec_insured_persons region CN program basic_pension year 2022: the figure is at_least "30 million" (source a)`,
		}},
		{"pairwise-under-bulletin.yaml", "30000000 from bulletin", []string{
			`../testdata/settlement/pairwise-under-bulletin.yaml:13:5: value: dispute: socsec_insured_persons region CN program basic_pension year 2022: ` +
				`29600000 at ../testdata/settlement/pairwise-under-bulletin.yaml:13:5 (source a, authority 5, published 2023-07-01) and ` +
				`30400000 at ../testdata/settlement/pairwise-under-bulletin.yaml:14:5 (source b, authority 5, published 2023-07-01) disagree with each other; ` +
				`"30 million" at ../testdata/settlement/pairwise-under-bulletin.yaml:12:5 (source bulletin, authority 1, published 2023-06-09) is served, from a source that outranks them all`,
		}},
		{"pairwise-equal-rank.yaml", "none", []string{
			`../testdata/settlement/pairwise-equal-rank.yaml:13:5: value: unresolved conflict: socsec_insured_persons region CN program basic_pension year 2022 is not served: ` +
				`29600000 at ../testdata/settlement/pairwise-equal-rank.yaml:13:5 (source a, authority 5, published 2023-07-01) and ` +
				`30400000 at ../testdata/settlement/pairwise-equal-rank.yaml:14:5 (source b, authority 5, published 2023-07-01) disagree and no source outranks them all`,
		}},
		{"final-over-provisional.yaml", "10000000 from yearbook", []string{
			`../testdata/settlement/final-over-provisional.yaml:12:5: value: revision: socsec_insured_persons region CN program employee_pension year 2005: ` +
				`"1004万" at ../testdata/settlement/final-over-provisional.yaml:12:5 (source communique, authority 3, published 2006-02-28, provisional) is revised by ` +
				`"1000.0万" at ../testdata/settlement/final-over-provisional.yaml:11:5 (source yearbook, authority 3, undated), which outranks it and disagrees with it`,
		}},
		{"undated-unordered.yaml", "none", []string{
			`../testdata/settlement/undated-unordered.yaml:12:5: value: unresolved conflict: socsec_insured_persons region CN program employee_pension year 2005 is not served: ` +
				`"1004万" at ../testdata/settlement/undated-unordered.yaml:12:5 (source communique, authority 3, published 2006-02-28) and ` +
				`"1000.0万" at ../testdata/settlement/undated-unordered.yaml:11:5 (source yearbook, authority 3, undated) disagree and no source outranks them all`,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res, err := loadDatasets(t, "../testdata/settlement/"+tc.file)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Snapshot
			served := "none"
			for _, o := range s.Series {
				served = num(o.Value) + " from " + o.Source.ID
			}
			if served != tc.served {
				t.Errorf("served %s, want %s", served, tc.served)
			}
			if want := map[bool]int{true: 1}[tc.served == "none"]; len(s.Conflicts) != want {
				t.Errorf("%d unresolved conflicts, want %d", len(s.Conflicts), want)
			}
			var got []string
			for _, p := range res.Warnings {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.warn) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.warn, "\n"))
			}
		})
	}
}

// TestSettlementIgnoresOrder writes random figures of a few series into
// datasets, then loads them again and again with the files renamed and
// reordered and the rows of each shuffled: the snapshot served and the
// warnings, positions aside, must stay the same.
func TestSettlementIgnoresOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 40 {
		type row struct{ dataset, line string }
		var rows []row
		for series := range 3 {
			for range 1 + r.IntN(5) {
				value := []string{"30000000", "29600000", "30400000", "30 million", "3000万", "10000000", "3004万"}[r.IntN(7)]
				q := []string{"exact", "exact", "approximately", "at_least", "at_most"}[r.IntN(5)]
				flags := []string{"[]", "[]", "[provisional]"}[r.IntN(3)]
				rows = append(rows, row{[]string{"a", "b", "c"}[r.IntN(3)], fmt.Sprintf(
					"  - {indicator: socsec_insured_persons, region: CN, program: basic_pension, year: %d, value: %q, qualifier: %s, source: s%d, flags: %s}",
					2020+series, value, q, r.IntN(4), flags)})
			}
		}
		load := func(names map[string]string) string {
			dir := t.TempDir()
			var files []string
			for _, id := range []string{"a", "b", "c"} {
				var lines []string
				for _, rw := range rows {
					if rw.dataset == id {
						lines = append(lines, rw.line)
					}
				}
				r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
				text := "id: " + id + "\ntitle: T\nsources:\n" +
					"  - {id: s0, title: Bulletin, published: 2023-06-09, authority: 1}\n" +
					"  - {id: s1, title: Report, published: 2023-07-01}\n" +
					"  - {id: s2, title: Report, published: 2023-07-01}\n" +
					"  - {id: s3, title: Undated report}\n" +
					"regions: [{code: CN, name_en: China, level: country}]\n" +
					"programs: [{id: basic_pension, name: Basic pension insurance}]\n" +
					"observations:\n" + strings.Join(lines, "\n") + "\n"
				if len(lines) == 0 {
					text = strings.TrimSuffix(text, "observations:\n\n")
				}
				file := filepath.Join(dir, names[id])
				if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				files = append(files, file)
			}
			r.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
			res, err := loadDatasets(t, files...)
			if err != nil {
				t.Fatal(err)
			}
			return describeLoad(res, dir)
		}
		want := load(map[string]string{"a": "a.yaml", "b": "b.yaml", "c": "c.yaml"})
		for range 3 {
			names := []string{"x.yaml", "y.yaml", "z.yaml"}
			r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
			if got := load(map[string]string{"a": names[0], "b": names[1], "c": names[2]}); got != want {
				t.Fatalf("round %d: the load depends on the order or names of files and rows:\n%s\nthen\n%s", round, want, got)
			}
		}
	}
}

// describeLoad tells what a load serves and warns of, by what the figures
// say rather than where they are written, in a stable order.
func describeLoad(res *Result, dir string) string {
	figure := func(o *dataset.Observation) string {
		return fmt.Sprintf("%d %s %s %s %s %v", o.Year, o.Dataset.ID, o.Printed(), o.Qualifier, o.Source.ID, o.Flags())
	}
	var lines []string
	for _, o := range res.Snapshot.Series {
		lines = append(lines, "served "+figure(o))
	}
	for _, p := range res.Warnings {
		var figures []string
		for _, o := range p.Figures {
			figures = append(figures, figure(o))
		}
		lines = append(lines, fmt.Sprintf("%s: %s", p.Kind, strings.Join(figures, " | ")))
	}
	slices.Sort(lines)
	return strings.ReplaceAll(strings.Join(lines, "\n"), dir, "")
}

// TestSettlementWorkedExample loads the worked example of
// docs/configuration.md, with and without its best figures, and checks the
// outcomes the document states.
func TestSettlementWorkedExample(t *testing.T) {
	data, err := os.ReadFile("testdata/valid-settlement-worked.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		drop []string // Sources whose figures are left out.
		want string
	}{
		{nil, "served B1; revised P by B1; confirmations R; disputes A,B; conflicts "},
		{[]string{"B1"}, "served P; revised A,B,R by P; confirmations ; disputes ; conflicts "},
		{[]string{"B1", "P"}, "served R; revised ; confirmations ; disputes A,B; conflicts "},
		{[]string{"B1", "P", "R"}, "served none; revised ; confirmations ; disputes ; conflicts A,B"},
	} {
		t.Run("without "+strings.Join(tc.drop, ","), func(t *testing.T) {
			var lines []string
			for _, line := range strings.Split(string(data), "\n") {
				if !slices.ContainsFunc(tc.drop, func(id string) bool {
					return strings.Contains(line, "source: "+id+"}") || strings.Contains(line, "source: "+id+",")
				}) {
					lines = append(lines, line)
				}
			}
			file := filepath.Join(t.TempDir(), "worked.yaml")
			if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := loadDatasets(t, file)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Snapshot
			ids := func(figures []*dataset.Observation) string {
				var out []string
				for _, o := range figures {
					out = append(out, o.Source.ID)
				}
				slices.Sort(out)
				return strings.Join(out, ",")
			}
			served := "none"
			for _, o := range s.Series {
				served = o.Source.ID
			}
			var revised, confirming, disputed, conflicts []*dataset.Observation
			by := ""
			for _, r := range s.Revisions {
				revised, by = append(revised, r.Old), r.By.Source.ID
			}
			for _, c := range s.Confirmations {
				confirming = append(confirming, c.Figure)
			}
			for _, d := range s.Disputes {
				disputed = append(disputed, d.Figures...)
			}
			for _, c := range s.Conflicts {
				conflicts = append(conflicts, c.Figures...)
			}
			rev := ids(revised)
			if by != "" {
				rev += " by " + by
			}
			got := fmt.Sprintf("served %s; revised %s; confirmations %s; disputes %s; conflicts %s",
				served, rev, ids(confirming), ids(disputed), ids(conflicts))
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
