package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// TestRegionCatalog holds the catalog to its standards: China's 31
// provincial-level divisions by GB/T 2260 code, and the 249 countries and
// areas of ISO 3166-1, each code once.
func TestRegionCatalog(t *testing.T) {
	if n := len(gbt2260Provinces); n != 31 {
		t.Errorf("%d provincial-level divisions, want 31", n)
	}
	if n := len(isoCountries); n != 249 {
		t.Errorf("%d ISO 3166-1 entries, want 249", n)
	}
	seen := map[string]bool{}
	for _, p := range gbt2260Provinces {
		if len(p.code) != 6 || !strings.HasSuffix(p.code, "0000") || seen[p.code] {
			t.Errorf("province code %q: not a provincial GB/T 2260 code (NN0000), or given twice", p.code)
		}
		seen[p.code] = true
	}
	for _, c := range isoCountries {
		if len(c.alpha2) != 2 || len(c.alpha3) != 3 || seen[c.alpha2] || seen[c.alpha3] || c.name == "" {
			t.Errorf("ISO 3166 entry %+v: codes not of two and three letters, given twice, or without a name", c)
		}
		seen[c.alpha2], seen[c.alpha3] = true, true
	}
	for code, want := range map[string]string{"CN": "CN 中国 China country ", "CHN": "CN 中国 China country ", "140000": "140000 山西省 Shanxi province CN",
		"150000": "150000 内蒙古自治区 Inner Mongolia province CN", "650000": "650000 新疆维吾尔自治区 Xinjiang province CN",
		"JPN": "JP  Japan country ", "DE": "DE  Germany country ", "HKG": "HK 香港特别行政区 Hong Kong, China region CN"} {
		r := builtinRegions.byCode[code]
		if r == nil {
			t.Errorf("no region of code %s in the catalog", code)
			continue
		}
		if got := strings.Join([]string{r.Code, r.Name, r.NameEN, r.Level, r.Parent}, " "); got != want || len(r.Aliases) > 0 {
			t.Errorf("catalog %s = %q, aliases %v; want %q and none", code, got, r.Aliases, want)
		}
	}
}

// TestRegionCatalogNames finds the catalog's regions as tables print them,
// after the dataset's own.
func TestRegionCatalogNames(t *testing.T) {
	p := &datasetParser{regions: map[string]*dataset.Region{}, ds: &dataset.Dataset{}}
	ix := p.regionIndex()
	for in, want := range map[string]string{
		"Inner Mongolia": "150000", "内蒙古": "150000", "内 蒙 古": "150000", "内蒙古自治区": "150000", "山 西": "140000", "Shanxi": "140000",
		"Shaanxi": "610000", "陕西": "610000", "广西": "450000", "Xizang": "540000", "Tibet": "540000", "北京市": "110000",
		"全国": "CN", "全 国": "CN", "National Total": "CN", "Germany": "DE", "JPN": "JP", "110000": "110000",
	} {
		if got, msg := ix.resolve(in); got != want {
			t.Errorf("resolve(%q) = %q (%s), want %s", in, got, msg, want)
		}
	}
	// "Total" alone may be any country's: it names one only when the
	// dataset declares it.
	if got, msg := ix.resolve("Total"); got != "" || msg != `"Total" names the country, and no region of level country is declared` {
		t.Errorf("resolve(Total) = %q, %q", got, msg)
	}
	for in, want := range map[string]string{"CHN": "CN", "DEU": "DE", "de": "DE", "Japan": "JP", "": ""} {
		if got := ix.coded(in); got != want {
			t.Errorf("coded(%q) = %q, want %q", in, got, want)
		}
	}
	// The dataset's own regions first: its 山西 is its SX.
	own := &datasetParser{regions: map[string]*dataset.Region{}, ds: &dataset.Dataset{Regions: []*dataset.Region{{Code: "SX", Name: "山西省", Level: "province"}}}}
	if got, _ := own.regionIndex().resolve("山 西"); got != "SX" {
		t.Errorf("resolve(山 西) = %q, want the dataset's own SX", got)
	}
	// A province taken from the catalog brings China with it, at the place
	// that first names it.
	at := dataset.Position{File: "t.csv", Line: 3, Column: 1}
	if r := p.region("CHN", at); r == nil || r.Code != "CN" {
		t.Fatalf("region(CHN) = %+v, want CN", r)
	}
	p.region("140000", at)
	var got []string
	for _, r := range p.ds.Regions {
		got = append(got, r.Code+" "+r.Pos.String())
	}
	if want := []string{"CN t.csv:3:1", "140000 t.csv:3:1"}; !slices.Equal(got, want) {
		t.Errorf("regions taken: %v, want %v", got, want)
	}
	if p.regions["CHN"] != p.regions["CN"] || p.region("XX", at) != nil {
		t.Errorf("CHN does not name the CN taken, or XX names a region")
	}
}

// TestRegionCatalogClash warns of a region declared with a code the catalog
// gives to another place, and reads the dataset's tables by its definition.
func TestRegionCatalogClash(t *testing.T) {
	got, res := figuresByKey(t, "testdata/catalog-clash.yaml")
	var warnings []string
	for _, w := range res.Warnings {
		if w.Kind == KindDefinition {
			warnings = append(warnings, w.String())
		}
	}
	want := []string{`testdata/catalog-clash.yaml:9:5: regions[0]: region "140000" is 北京市 (Beijing) here, but code 140000 is 山西省 (Shanxi) in the built-in catalog of regions (GB/T 2260, ISO 3166): this dataset's definition is used for its figures`}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
	// 北京 is the dataset's 140000 by name, 陕西 the catalog's 610000.
	for _, k := range []string{"socsec_insured_persons 140000 basic_pension 2023   test", "socsec_insured_persons 610000 basic_pension 2023   test"} {
		if got[k] == nil {
			t.Errorf("no figure %s", k)
		}
	}
}
