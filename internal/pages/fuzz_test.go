package pages

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// fuzzData are the datasets the fuzz targets serve pages of: revisions,
// confirmations, disputes and conflicts; figures of part of a year and of
// several bases; declared totals and reported figures.
var fuzzData = []string{
	"../../config/testdata/valid-settlement.yaml",
	"../../testdata/settlement/pairwise-under-bulletin.yaml",
	"../check/testdata/totals.yaml",
	"../check/testdata/reported.yaml",
	"../check/testdata/bounds.yaml",
}

// fuzzPages are the pages of fuzzData, loaded once for every input.
var fuzzPages = sync.OnceValues(func() (http.Handler, error) {
	res, err := config.Load(config.Options{Datasets: fuzzData, Now: testenv.Now})
	if err != nil {
		return nil, err
	}
	l := NewLoad(res.Snapshot, res.Warnings, testenv.Now())
	mux := http.NewServeMux()
	New(func() State { return State{Load: l} }).Register(mux)
	return mux, nil
})

// maxFuzzBody bounds a page of fuzzData: a page of figures, each with its
// words, is far less.
const maxFuzzBody = 1 << 20

// fuzzGet serves GET path?query and fails unless the answer is one of the
// statuses the page may give, of bounded size. A panic fails the target
// as it is.
func fuzzGet(t *testing.T, path, query string, statuses ...int) {
	t.Helper()
	h, err := fuzzPages()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.URL.RawQuery = query
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if !slices.Contains(statuses, w.Code) {
		t.Errorf("GET %s?%s: status %d, want one of %v", path, query, w.Code, statuses)
	}
	if n := w.Body.Len(); n > maxFuzzBody {
		t.Errorf("GET %s?%s: %d bytes, want at most %d", path, query, n, maxFuzzBody)
	}
}

// values is a query of the parameters given, in order, as name and value
// pairs; an empty value is given as empty.
func values(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v.Encode()
}

// FuzzFiguresPage requests /figures with every parameter it takes.
func FuzzFiguresPage(f *testing.F) {
	f.Add("", "", "", "", "", "")
	f.Add("settlement", "CN", "basic_pension", "socsec_insured_persons", "2022", "1")
	f.Add("", "", "", "", "", "92233720368547760")
	f.Add("", "", "", "", "2022", "99999999999999999999999")
	f.Add("nope", "X", "", "socsec_coverage_ratio", "x", "0")
	f.Add("", "", "", "", "-1", "-1")
	f.Fuzz(func(t *testing.T, ds, region, program, metric, year, page string) {
		fuzzGet(t, "/figures", values("dataset", ds, paramRegion, region, paramProgram, program, paramMetric, metric, paramYear, year, paramPage, page),
			http.StatusOK, http.StatusBadRequest, http.StatusNotFound)
	})
}

// FuzzFigurePage requests /figure with every parameter it takes: the
// labels, the programme's name, the dimensions both ways, the instant of
// a history panel and the page of the lists.
func FuzzFigurePage(f *testing.F) {
	f.Add("socsec_insured_persons", "", "CN", "basic_pension", "", "2022", "", "", "", "", "", "")
	f.Add("socsec_beneficiaries_persons", "", "CN", "unemployment", "", "2022", "", "", "", "", "", "92233720368547760")
	f.Add("", "socsec_insured_persons", "CN", "", "Basic pension insurance", "", "", "", "", "1640000000000", "0", "")
	f.Add("socsec_insured_persons", "", "100000", "medical", "", "2020", "2020-09", "year_end", "category=a,b", "x", "-1", "a")
	f.Add("socsec_coverage_ratio", "", "${__field.labels.region_code}", "", "", "-5", "", "", "k=v", "9223372036854775807", "abc", "")
	f.Fuzz(func(t *testing.T, metric, name, region, program, programName, year, period, basis, dims, at, page, category string) {
		fuzzGet(t, "/figure", values(paramMetric, metric, "__name__", name, paramRegion, region, paramProgram, program,
			paramProgramName, programName, paramYear, year, paramPeriod, period, paramBasis, basis, paramDimensions, dims,
			paramAt, at, paramPage, page, "category", category),
			http.StatusOK, http.StatusMultipleChoices, http.StatusBadRequest, http.StatusNotFound)
	})
}

// FuzzChecksPage requests /checks with every parameter it takes.
func FuzzChecksPage(f *testing.F) {
	f.Add("", "")
	f.Add("warning:qualifier", "92233720368547760")
	f.Add("check:total", "9223372036854775807")
	f.Add("warning:unresolved conflict", "2")
	f.Add("check:nope", "0")
	f.Add("", "-1")
	f.Fuzz(func(t *testing.T, group, page string) {
		fuzzGet(t, "/checks", values("group", group, paramPage, page), http.StatusOK, http.StatusBadRequest, http.StatusNotFound)
	})
}

// FuzzPageQuery requests each page with a query string as a client may
// write it: repeated, unescaped or malformed parameters.
func FuzzPageQuery(f *testing.F) {
	f.Add(uint8(0), "page=92233720368547760&page=1")
	f.Add(uint8(1), "metric=socsec_insured_persons&region_code=CN&program=basic_pension&year=2022&page=%zz")
	f.Add(uint8(2), "group=warning%3Aqualifier&page=92233720368547760")
	f.Add(uint8(1), "metric=socsec_insured_persons&region_code=CN&year=2022&dimensions=%3D%2C%3D")
	f.Add(uint8(3), "metric=socsec_insured_persons&program=basic_pension&region_code=CN&region_code=%ff")
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		path := []string{"/figures", "/figure", "/checks", "/compare"}[int(which)%4]
		fuzzGet(t, path, query, http.StatusOK, http.StatusMultipleChoices, http.StatusBadRequest, http.StatusNotFound)
	})
}
