package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// The built-in catalog of regions: China, its provincial-level divisions
// with their GB/T 2260 codes, and the countries and areas of ISO 3166-1.
// A dataset names any of them by code, by another code (CHN, JPN) or, in a
// table, by name, without declaring it; the first time it does, the region
// becomes the dataset's as if declared there. A region the dataset declares
// itself is always its own, whatever the catalog says of its code.

// gbt2260Provinces are China's 31 provincial-level divisions: their GB/T
// 2260 codes, their names in Chinese and in English as China's statistical
// yearbooks print them, and other English names tables use.
var gbt2260Provinces = [...]struct {
	code, name, nameEN string
	other              []string
}{
	{"110000", "北京市", "Beijing", nil},
	{"120000", "天津市", "Tianjin", nil},
	{"130000", "河北省", "Hebei", nil},
	{"140000", "山西省", "Shanxi", nil},
	{"150000", "内蒙古自治区", "Inner Mongolia", nil},
	{"210000", "辽宁省", "Liaoning", nil},
	{"220000", "吉林省", "Jilin", nil},
	{"230000", "黑龙江省", "Heilongjiang", nil},
	{"310000", "上海市", "Shanghai", nil},
	{"320000", "江苏省", "Jiangsu", nil},
	{"330000", "浙江省", "Zhejiang", nil},
	{"340000", "安徽省", "Anhui", nil},
	{"350000", "福建省", "Fujian", nil},
	{"360000", "江西省", "Jiangxi", nil},
	{"370000", "山东省", "Shandong", nil},
	{"410000", "河南省", "Henan", nil},
	{"420000", "湖北省", "Hubei", nil},
	{"430000", "湖南省", "Hunan", nil},
	{"440000", "广东省", "Guangdong", nil},
	{"450000", "广西壮族自治区", "Guangxi", nil},
	{"460000", "海南省", "Hainan", nil},
	{"500000", "重庆市", "Chongqing", nil},
	{"510000", "四川省", "Sichuan", nil},
	{"520000", "贵州省", "Guizhou", nil},
	{"530000", "云南省", "Yunnan", nil},
	{"540000", "西藏自治区", "Tibet", []string{"Xizang"}},
	{"610000", "陕西省", "Shaanxi", nil},
	{"620000", "甘肃省", "Gansu", nil},
	{"630000", "青海省", "Qinghai", nil},
	{"640000", "宁夏回族自治区", "Ningxia", nil},
	{"650000", "新疆维吾尔自治区", "Xinjiang", nil},
}

// chinaAreas are the areas of ISO 3166-1 that are parts of China, with
// their names in Chinese as GB/T 2260 gives them.
var chinaAreas = map[string]string{"HK": "香港特别行政区", "MO": "澳门特别行政区", "TW": "台湾省"}

// regionCatalog is the built-in catalog: its regions by code, and an index
// of their codes and names.
type regionCatalog struct {
	byCode map[string]*dataset.Region // By code and by other code.
	names  *regionNames
}

var builtinRegions = newRegionCatalog()

func newRegionCatalog() *regionCatalog {
	c := &regionCatalog{byCode: map[string]*dataset.Region{}}
	// The index holds each region's other codes and names as aliases; the
	// regions a dataset takes have none, as a declared one need have none.
	var indexed []*dataset.Region
	add := func(r dataset.Region, other ...string) {
		served := r
		c.byCode[r.Code] = &served
		for _, o := range other {
			if validID(o) && strings.ToUpper(o) == o {
				c.byCode[o] = &served
			}
		}
		r.Aliases = other
		indexed = append(indexed, &r)
	}
	for _, iso := range isoCountries {
		r := dataset.Region{Code: iso.alpha2, NameEN: iso.name, Level: "country"}
		switch name, part := chinaAreas[iso.alpha2]; {
		case iso.alpha2 == "CN":
			r.Name = "中国"
		case part:
			r.Name, r.Level, r.Parent = name, "region", "CN"
		}
		add(r, iso.alpha3)
	}
	for _, p := range gbt2260Provinces {
		add(dataset.Region{Code: p.code, Name: p.name, NameEN: p.nameEN, Level: "province", Parent: "CN"}, p.other...)
	}
	c.names = newRegionNames(indexed)
	return c
}

// chinaTotals are what China's tables print for the whole country; with no
// country declared, they name China. ("Total" alone may be any country's.)
var chinaTotals = map[string]bool{"全国": true, "全国合计": true, "全国总计": true, "nationaltotal": true}

// region returns the region a code names for the dataset: its own, else the
// catalog's, which the dataset takes (with the region that encloses it) as
// if declared, placed at pos, where it is first named. It returns nil for
// a code neither knows.
func (p *datasetParser) region(code string, pos dataset.Position) *dataset.Region {
	if r := p.known(code); r != nil {
		return r
	}
	c := builtinRegions.byCode[code]
	if c == nil {
		return nil
	}
	r := p.known(c.Code) // The dataset's own, named by another code.
	if r == nil {
		if c.Parent != "" {
			p.region(c.Parent, pos)
		}
		taken := *c
		taken.Pos = pos
		r = &taken
		p.name(r.Code, r)
		p.ds.Regions = append(p.ds.Regions, r)
	}
	if p.known(code) == nil {
		p.name(code, r)
	}
	return r
}

// known returns the region that code names for the dataset so far, nil
// for none.
func (p *datasetParser) known(code string) *dataset.Region {
	if r := p.regions[code]; r != nil {
		return r
	}
	return p.taken[code]
}

// name records that code names r: in the dataset's regions, or in the
// piece's own until the piece is taken.
func (p *datasetParser) name(code string, r *dataset.Region) {
	if p.taken != nil {
		p.taken[code] = r
		return
	}
	p.regions[code] = r
}

// regionCode resolves code, a region's code or alias of the dataset or a
// code of the catalog, to the code its figures are served under; an unknown
// one is an error at n.
func (p *datasetParser) regionCode(code string, n *yaml.Node, field string) string {
	if code == "" {
		return ""
	}
	if r := p.region(code, p.pos(n)); r != nil {
		return r.Code
	}
	p.ps.errorf(p.pos(n), field, "unknown region %q: declare it under regions", code)
	return code
}

// regionIndex is the index of the regions a table of the dataset may name:
// the dataset's own, then the catalog's.
func (p *datasetParser) regionIndex() *regionNames {
	ix := newRegionNames(p.ds.Regions)
	ix.catalog = builtinRegions.names
	return ix
}

// coded returns the code of the region whose code, other code or name is
// exactly s (CN, CHN, China), as an agency's file writes it, the dataset's
// own before the catalog's, or "".
func (ix *regionNames) coded(s string) string {
	k := normName(s)
	codes := ix.exact[k]
	if len(codes) == 0 && ix.catalog != nil {
		codes = ix.catalog.exact[k]
	}
	if len(codes) != 1 || k == "" {
		return ""
	}
	return codes[0]
}

// knownRegion reports whether the dataset or the catalog has a region of
// the code.
func (p *datasetParser) knownRegion(code string) bool {
	return p.known(code) != nil || builtinRegions.byCode[code] != nil
}

// warnCatalogClashes warns of each region the dataset declares whose code
// the catalog gives to another place, by the names of both: the dataset's
// definition is used for its figures, and a slip in a code is caught.
func (p *datasetParser) warnCatalogClashes() {
	for i, r := range p.ds.Regions {
		if r.Pos.File != p.file {
			continue // Taken from the catalog.
		}
		codes := append([]string{r.Code}, r.Aliases...)
		for _, code := range codes {
			c := builtinRegions.byCode[code]
			if c == nil || sameRegion(r, c) {
				continue
			}
			p.ps.warnf(KindDefinition, nil, r.Pos, index("regions", i),
				"region %q is %s here, but code %s is %s in the built-in catalog of regions (GB/T 2260, ISO 3166): this dataset's definition is used for its figures",
				r.Code, regionLabel(r), code, regionLabel(c))
			break
		}
	}
}

// sameRegion reports whether a declared region is the catalog's region c
// by its names: each name it gives is one of c's, as tables print them.
func sameRegion(r, c *dataset.Region) bool {
	known := map[string]bool{}
	for _, n := range []string{c.Name, c.NameEN} {
		known[normName(n)], known[shortName(normName(n))] = true, true
	}
	for _, n := range []string{r.Name, r.NameEN} {
		k := normName(n)
		for _, suffix := range []string{"province", "municipality", "autonomousregion"} {
			k = strings.TrimSuffix(k, suffix)
		}
		if n != "" && !known[k] && !known[shortName(k)] {
			return false
		}
	}
	return true
}

// regionLabel names a region by its names for a message.
func regionLabel(r *dataset.Region) string {
	switch {
	case r.Name != "" && r.NameEN != "":
		return fmt.Sprintf("%s (%s)", r.Name, r.NameEN)
	case r.Name != "":
		return r.Name
	}
	return r.NameEN
}
