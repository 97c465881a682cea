// Package datagen writes a realistic, deterministic national dataset of any
// size for benchmarks and load tests: a region hierarchy of country,
// provinces, prefecture-level cities and counties with GB/T 2260-style codes,
// social-security programmes, several years, and indicators with and without
// dimensions, as dataset YAML files with CSV observation files and a
// config.yml that loads them.
package datagen

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Options size and vary the generated data.
type Options struct {
	// Series is how many series the exposition of the data should have,
	// counted as Prometheus counts them: every data series, its
	// socsec_observation_info, the socsec_latest_data_year and metadata
	// series. The generator stops at the first whole region-year at or
	// above it.
	Series int
	// Variant changes every value and the dataset titles, so that two
	// variants of one size are told apart in every family.
	Variant int
	// LatestYear is the most recent statistical year; zero means 2024.
	LatestYear int

	// The worst cases of the provenance pages, in a dataset of their own
	// (stress.yaml) beside the regional data, which Series counts alone.
	// ConflictFigures is how many figures of one series of China disagree,
	// all from one source: an unresolved conflict that is not served.
	ConflictFigures int
	// Totals is how many totals are declared on one indicator of China,
	// each of three figures (the total and two parts) that add up.
	Totals int
	// QuoteBytes gives every figure, regional and stress, a quote of
	// that many bytes, each different; zero gives none.
	QuoteBytes int
}

// Stats describes what was written.
type Stats struct {
	Regions    int
	Years      int
	DataSeries int // Series the snapshot serves (what check reports).
	Series     int // Series of the exposition, as Options.Series counts them.
	// StressFigures counts the figures of stress.yaml, which neither
	// DataSeries nor Series counts.
	StressFigures int
}

// province is a provincial-level division with its GB/T 2260 code prefix.
type province struct {
	code, name, nameEN string
}

var provinces = []province{
	{"11", "北京市", "Beijing"}, {"12", "天津市", "Tianjin"}, {"13", "河北省", "Hebei"}, {"14", "山西省", "Shanxi"},
	{"15", "内蒙古自治区", "Inner Mongolia"}, {"21", "辽宁省", "Liaoning"}, {"22", "吉林省", "Jilin"},
	{"23", "黑龙江省", "Heilongjiang"}, {"31", "上海市", "Shanghai"}, {"32", "江苏省", "Jiangsu"},
	{"33", "浙江省", "Zhejiang"}, {"34", "安徽省", "Anhui"}, {"35", "福建省", "Fujian"}, {"36", "江西省", "Jiangxi"},
	{"37", "山东省", "Shandong"}, {"41", "河南省", "Henan"}, {"42", "湖北省", "Hubei"}, {"43", "湖南省", "Hunan"},
	{"44", "广东省", "Guangdong"}, {"45", "广西壮族自治区", "Guangxi"}, {"46", "海南省", "Hainan"},
	{"50", "重庆市", "Chongqing"}, {"51", "四川省", "Sichuan"}, {"52", "贵州省", "Guizhou"}, {"53", "云南省", "Yunnan"},
	{"54", "西藏自治区", "Tibet"}, {"61", "陕西省", "Shaanxi"}, {"62", "甘肃省", "Gansu"}, {"63", "青海省", "Qinghai"},
	{"64", "宁夏回族自治区", "Ningxia"}, {"65", "新疆维吾尔自治区", "Xinjiang"},
}

type program struct {
	id, name string
	pension  bool
}

var programs = []program{
	{"basic_pension", "Basic pension insurance for urban employees", true},
	{"resident_pension", "Basic pension insurance for urban and rural residents", true},
	{"basic_medical", "Basic medical insurance for urban employees", false},
	{"resident_medical", "Basic medical insurance for urban and rural residents", false},
	{"unemployment", "Unemployment insurance", false},
	{"work_injury", "Work-related injury insurance", false},
	{"maternity", "Maternity insurance", false},
	{"major_illness", "Major illness insurance for urban and rural residents", false},
	{"minimum_living", "Minimum living allowance (dibao)", false},
	{"child_welfare", "Basic living security for orphans and unsupported children", false},
}

// region is one generated region with the population its figures scale from.
type region struct {
	code, name, nameEN, level, parent string
	population                        float64
}

// hierarchy returns every region, each after its parent: the country, the
// provinces, then each province's cities, each followed by its counties.
func hierarchy() []region {
	r := rand.New(rand.NewPCG(2260, 1))
	regions := []region{{code: "CN", name: "中国", nameEN: "China", level: "country", population: 1.41e9}}
	var lower []region
	for _, p := range provinces {
		pop := 1.41e9 / float64(len(provinces)) * (0.3 + 1.4*r.Float64())
		regions = append(regions, region{code: p.code + "0000", name: p.name, nameEN: p.nameEN, level: "province", parent: "CN", population: pop})
		cities := 6 + r.IntN(12)
		for c := 1; c <= cities; c++ {
			cityPop := pop / float64(cities) * (0.5 + r.Float64())
			city := region{code: fmt.Sprintf("%s%02d00", p.code, c), name: fmt.Sprintf("%s第%d市", short(p.name), c),
				nameEN: fmt.Sprintf("%s City %d", p.nameEN, c), level: "city", parent: p.code + "0000", population: cityPop}
			lower = append(lower, city)
			counties := 5 + r.IntN(9)
			for k := 1; k <= counties; k++ {
				lower = append(lower, region{code: fmt.Sprintf("%s%02d%02d", p.code, c, k), name: fmt.Sprintf("%s第%d县", short(city.name), k),
					nameEN: fmt.Sprintf("%s County %d", city.nameEN, k), level: "county", parent: city.code,
					population: cityPop / float64(counties) * (0.5 + r.Float64())})
			}
		}
	}
	return append(regions, lower...)
}

// short drops the administrative suffix of a Chinese region name.
func short(name string) string {
	for _, suffix := range []string{"维吾尔自治区", "回族自治区", "壮族自治区", "自治区", "省", "市"} {
		if s, ok := strings.CutSuffix(name, suffix); ok {
			return s
		}
	}
	return name
}

// Per region and year: five per-programme indicators for each insurance
// programme of the national dataset, a monthly pension for the pension
// programmes, population by group and supported children by category.
const (
	nationalPrograms     = 9
	perProgramIndicators = 5
	pensionPrograms      = 2
	populationGroups     = 2
	childCategories      = 2
	dataPerRegionYear    = perProgramIndicators*nationalPrograms + pensionPrograms + populationGroups + childCategories
	// boundsPerRegionYear counts the lower and upper bounds of the
	// coverage ratio of each insurance programme.
	boundsPerRegionYear = 2 * nationalPrograms
	// latestPerRegion counts socsec_latest_data_year series: one per
	// metric and programme of a region, dimensions folded.
	latestPerRegion = perProgramIndicators*nationalPrograms + pensionPrograms + 1 + 1
	minYears        = 10
	maxYears        = 35
)

// Write generates the data into dir (created if missing) and returns what it
// wrote.
func Write(dir string, opts Options) (Stats, error) {
	if opts.Series <= 0 {
		return Stats{}, fmt.Errorf("series must be positive, got %d", opts.Series)
	}
	if opts.ConflictFigures < 0 || opts.Totals < 0 || opts.QuoteBytes < 0 {
		return Stats{}, fmt.Errorf("conflict figures, totals and quote bytes must not be negative, got %d, %d and %d", opts.ConflictFigures, opts.Totals, opts.QuoteBytes)
	}
	if opts.QuoteBytes > 0 && opts.QuoteBytes < minQuoteBytes {
		return Stats{}, fmt.Errorf("a quote must be at least %d bytes, to tell each figure's apart, got %d", minQuoteBytes, opts.QuoteBytes)
	}
	if opts.LatestYear == 0 {
		opts.LatestYear = 2024
	}
	all := hierarchy()
	years := min(maxYears, max(minYears, int(math.Ceil(float64(opts.Series)/float64(len(all)*2*dataPerRegionYear)))))
	// Series not tied to a region: programme info, per dataset its info, its
	// sources (one bulletin a year and a preliminary release) and its
	// series, observation (four qualifiers), revision, unresolved conflict,
	// check failure, unchecked and acknowledged check counts, and the two
	// coverage targets.
	st := Stats{Years: years, Series: len(programs) + 2*(1+years+1) + 2*(1+4+1+1+1+1+1) + 2}
	// The years each region has figures for, latest first; the last region may stop early.
	var spans []int
	for len(spans) < len(all) && st.Series < opts.Series {
		st.Series += 1 + latestPerRegion
		n := 0
		for n < years && st.Series < opts.Series {
			st.Series += 2*dataPerRegionYear + boundsPerRegionYear
			st.DataSeries += dataPerRegionYear
			n++
		}
		if n >= 2 {
			// A series of two years or more has a year it is next due.
			st.Series += latestPerRegion
		}
		spans = append(spans, n)
	}
	used := all[:len(spans)]
	st.Regions = len(used)
	if err := os.MkdirAll(filepath.Join(dir, "datasets"), 0o755); err != nil {
		return st, fmt.Errorf("creating the output directory: %w", err)
	}
	g := &generator{dir: dir, opts: opts, years: years, regions: used, spans: spans}
	steps := []func() error{g.config, g.national, g.households}
	if opts.ConflictFigures > 0 || opts.Totals > 0 {
		steps = append(steps, g.stress)
		st.StressFigures = opts.ConflictFigures + 3*opts.Totals
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return st, err
		}
	}
	return st, nil
}

type generator struct {
	dir     string
	opts    Options
	years   int
	regions []region
	spans   []int
}

func (g *generator) config() error {
	return writeFile(filepath.Join(g.dir, "config.yml"), func(w *bufio.Writer) {
		fmt.Fprintf(w, "# Generated by socsec_datagen --series %d.\ndatasets:\n  - datasets\ncoverage_targets:\n", g.opts.Series)
		fmt.Fprintf(w, "  - program: basic_pension\n    ratio: 0.95\n  - program: basic_medical\n    ratio: 0.95\n")
	})
}

// header writes the parts of a dataset YAML that both datasets share.
func (g *generator) header(w *bufio.Writer, id, title string) {
	fmt.Fprintf(w, "id: %s\ntitle: %s (variant %d)\npublisher: Ministry of Human Resources and Social Security (synthetic)\n", id, title, g.opts.Variant)
	fmt.Fprintf(w, "license: Synthetic data generated for benchmarks.\nsources:\n")
	for y := g.opts.LatestYear - g.years + 1; y <= g.opts.LatestYear; y++ {
		fmt.Fprintf(w, "  - id: bulletin-%d\n    title: Statistical bulletin on human resources and social security %d\n", y, y)
		fmt.Fprintf(w, "    url: https://www.mohrss.gov.cn/bulletin/%d\n    publisher: MOHRSS\n    published: %d-06-%02d\n", y, y+1, 10+y%15)
	}
	fmt.Fprintf(w, "  - id: preliminary-%d\n    title: Preliminary figures %d\n    publisher: MOHRSS\n    published: %d-01-20\n", g.opts.LatestYear, g.opts.LatestYear, g.opts.LatestYear+1)
	fmt.Fprintf(w, "regions:\n")
	for _, r := range g.regions {
		fmt.Fprintf(w, "  - code: %q\n    name: %s\n    name_en: %s\n    level: %s\n", r.code, r.name, r.nameEN, r.level)
		if r.parent != "" {
			fmt.Fprintf(w, "    parent: %q\n", r.parent)
		}
	}
}

// rows calls row for every region and year with figures, latest year first.
func (g *generator) rows(row func(r region, year int, rnd *rand.Rand)) {
	for i, r := range g.regions {
		seed, _ := strconv.ParseUint(strings.TrimPrefix(r.code, "CN"), 10, 64)
		rnd := rand.New(rand.NewPCG(seed, uint64(g.opts.Variant)))
		for k := range g.spans[i] {
			row(r, g.opts.LatestYear-k, rnd)
		}
	}
}

// population returns a region's resident and registered population in a
// year; both datasets use it, so coverage ratios agree with it.
func (g *generator) population(r region, year int) (resident, registered float64) {
	f := 1 - 0.004*float64(g.opts.LatestYear-year) + 0.002*float64(g.opts.Variant%5)
	resident = math.Round(r.population * f)
	return resident, math.Round(resident * 0.94)
}

func (g *generator) national() error {
	err := writeFile(filepath.Join(g.dir, "datasets", "national.yaml"), func(w *bufio.Writer) {
		g.header(w, "national-bulletins", "National social insurance statistics by region")
		fmt.Fprintf(w, "programs:\n")
		for _, p := range programs[:nationalPrograms] {
			fmt.Fprintf(w, "  - id: %s\n    name: %s\n", p.id, p.name)
		}
		fmt.Fprintf(w, "observation_files:\n  - national-observations.csv\n")
	})
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(g.dir, "datasets", "national-observations.csv"), func(w *bufio.Writer) {
		w.WriteString("indicator,region,program,year,value,source,qualifier,note,quote\n")
		g.rows(func(r region, year int, rnd *rand.Rand) {
			growth := 1 - 0.02*float64(g.opts.LatestYear-year)
			resident, _ := g.population(r, year)
			for _, p := range programs[:nationalPrograms] {
				// Coverage is stated as participants over the resident
				// population, rounded as bulletins round it, so that the
				// consistency checks pass.
				insured := math.Round(resident * math.Min(0.99, (0.55+0.4*rnd.Float64())*growth))
				coverage := math.Round(insured/resident*1000) / 1000
				beneficiaries := math.Round(insured * (0.1 + 0.3*rnd.Float64()))
				income := math.Round(insured * (800 + 2400*rnd.Float64()) * growth)
				expenditure := math.Round(income * (0.7 + 0.35*rnd.Float64()))
				source := "bulletin-" + strconv.Itoa(year)
				figure := func(ind string, v float64, qualifier string) {
					value := strconv.FormatFloat(v, 'f', -1, 64)
					fmt.Fprintf(w, "%s,%s,%s,%d,%s,%s,%s,,", ind, r.code, p.id, year, value, source, qualifier)
					g.quote(w, value, ind, r.code, p.id, year, "")
				}
				figure("socsec_coverage_ratio", coverage, "")
				qualifier := ""
				if r.level == "country" {
					qualifier = "approximately"
				}
				figure("socsec_insured_persons", insured, qualifier)
				figure("socsec_beneficiaries_persons", beneficiaries, "")
				figure("socsec_fund_income_annual_yuan", income, "")
				figure("socsec_fund_expenditure_annual_yuan", expenditure, "")
				if p.pension {
					figure("socsec_pension_monthly_per_capita_yuan", math.Round((180+3200*rnd.Float64())*growth*100)/100, "")
				}
				if r.level == "country" && year == g.opts.LatestYear {
					// The preliminary release, revised by the bulletin.
					value := strconv.FormatFloat(math.Round(insured*0.98), 'f', -1, 64)
					fmt.Fprintf(w, "socsec_insured_persons,%s,%s,%d,%s,preliminary-%d,approximately,Preliminary figure,", r.code, p.id, year, value, year)
					g.quote(w, value, "socsec_insured_persons", r.code, p.id, year, "preliminary")
				}
			}
		})
	})
}

func (g *generator) households() error {
	err := writeFile(filepath.Join(g.dir, "datasets", "households.yaml"), func(w *bufio.Writer) {
		g.header(w, "population-and-children", "Population and children under basic living security")
		fmt.Fprintf(w, "programs:\n  - id: %s\n    name: %s\n", programs[nationalPrograms].id, programs[nationalPrograms].name)
		fmt.Fprintf(w, "observation_files:\n  - households-observations.csv\n")
	})
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(g.dir, "datasets", "households-observations.csv"), func(w *bufio.Writer) {
		w.WriteString("indicator,region,program,year,population,category,value,source,quote\n")
		g.rows(func(r region, year int, rnd *rand.Rand) {
			source := "bulletin-" + strconv.Itoa(year)
			resident, registered := g.population(r, year)
			for _, pop := range []struct {
				group string
				value float64
			}{{"resident", resident}, {"registered", registered}} {
				value := fmt.Sprintf("%.0f", pop.value)
				fmt.Fprintf(w, "socsec_population_persons,%s,,%d,%s,,%s,%s,", r.code, year, pop.group, value, source)
				g.quote(w, value, "socsec_population_persons", r.code, pop.group, year, "")
			}
			for _, c := range []string{"orphans", "unsupported"} {
				value := fmt.Sprintf("%.0f", math.Round(r.population*(0.0001+0.0003*rnd.Float64())))
				fmt.Fprintf(w, "socsec_children_supported_persons,%s,child_welfare,%d,,%s,%s,%s,", r.code, year, c, value, source)
				g.quote(w, value, "socsec_children_supported_persons", r.code, c, year, "")
			}
		})
	})
}

// minQuoteBytes holds the words that tell one figure's quote from another's.
const minQuoteBytes = 160

// quoteFiller pads quotes: plain words, no comma, quote or line break, so
// that a CSV field holds it as it is.
var quoteFiller = strings.Repeat("and the table beside it gives the same figure again in other words ", 4096/68+1)

// quote writes the quote field of a figure and ends its row: none without
// Options.QuoteBytes, else that many bytes that begin with the figure's
// value and what tells the figure apart, so that no two quotes are the
// same string and each holds its figure, as config checks.
func (g *generator) quote(w *bufio.Writer, value, indicator, region, what string, year int, extra string) {
	if g.opts.QuoteBytes > 0 {
		// The value as printed, as a quote holds it, with what tells the
		// figure apart.
		n, _ := fmt.Fprintf(w, "The bulletin gives %s for %s %s %s in %d %s variant %d: ", value, indicator, region, what, year, extra, g.opts.Variant)
		for rest := g.opts.QuoteBytes - n; rest > 0; rest -= min(rest, len(quoteFiller)) {
			w.WriteString(quoteFiller[:min(rest, len(quoteFiller))])
		}
	}
	w.WriteByte('\n')
}

// stress writes stress.yaml: a conflict of ConflictFigures figures of one
// series and Totals declared totals of one indicator and region, with
// their figures in stress-observations.csv.
func (g *generator) stress() error {
	year := g.opts.LatestYear
	err := writeFile(filepath.Join(g.dir, "datasets", "stress.yaml"), func(w *bufio.Writer) {
		fmt.Fprintf(w, "id: stress\ntitle: The worst cases of the pages (variant %d)\npublisher: Synthetic\n", g.opts.Variant)
		fmt.Fprintf(w, "license: Synthetic data generated for benchmarks.\nsources:\n")
		fmt.Fprintf(w, "  - id: press\n    title: Press reports of %d\n    published: %d-03-01\n", year, year+1)
		fmt.Fprintf(w, "  - id: yearbook\n    title: Yearbook tables of %d\n    published: %d-10-01\n", year, year+1)
		fmt.Fprintf(w, "regions:\n  - code: CN\n    name: 中国\n    name_en: China\n    level: country\n")
		fmt.Fprintf(w, "programs:\n  - id: stress_conflict\n    name: A programme published many times\n")
		fmt.Fprintf(w, "  - id: stress_totals\n    name: A programme of many groups\n")
		fmt.Fprintf(w, "indicators:\n  - name: socsec_group_members_persons\n    help: Members of a group of a programme, in two parts and in all.\n")
		fmt.Fprintf(w, "    unit: persons\n    dimensions: [group, subgroup, part]\n")
		fmt.Fprintf(w, "observation_files:\n  - stress-observations.csv\n")
		if g.opts.Totals > 0 {
			fmt.Fprintf(w, "totals:\n")
		}
		for i := range g.opts.Totals {
			group, sub := stressGroup(i)
			fmt.Fprintf(w, "  - {indicator: socsec_group_members_persons, region: CN, program: stress_totals, total: {dimensions: {group: %s, subgroup: %s, part: all}}, ", group, sub)
			fmt.Fprintf(w, "parts: [{dimensions: {group: %s, subgroup: %s, part: a}}, {dimensions: {group: %s, subgroup: %s, part: b}}]}\n", group, sub, group, sub)
		}
	})
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(g.dir, "datasets", "stress-observations.csv"), func(w *bufio.Writer) {
		w.WriteString("indicator,region,program,year,group,subgroup,part,value,source,quote\n")
		for i := range g.opts.ConflictFigures {
			value := strconv.Itoa(1000000 + i)
			fmt.Fprintf(w, "socsec_insured_persons,CN,stress_conflict,%d,,,,%s,press,", year, value)
			g.quote(w, value, "socsec_insured_persons", "CN", "conflict", year, strconv.Itoa(i))
		}
		for i := range g.opts.Totals {
			group, sub := stressGroup(i)
			a, b := 1000+i%997, 2000+i%991
			for _, part := range []struct {
				name  string
				value int
			}{{"all", a + b}, {"a", a}, {"b", b}} {
				value := strconv.Itoa(part.value)
				fmt.Fprintf(w, "socsec_group_members_persons,CN,stress_totals,%d,%s,%s,%s,%s,yearbook,", year, group, sub, part.name, value)
				g.quote(w, value, "socsec_group_members_persons", "CN", group+" "+sub+" "+part.name, year, "")
			}
		}
	})
}

// stressGroup names the i-th group of the totals by two dimensions, so
// that no dimension has more values than --dataset.max-dimension-values
// allows by default.
func stressGroup(i int) (group, subgroup string) {
	return fmt.Sprintf("g%03d", i/1000), fmt.Sprintf("s%03d", i%1000)
}

// writeFile writes a file through a buffer, reporting the first error.
func writeFile(path string, write func(*bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	write(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
