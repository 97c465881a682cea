package pages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
