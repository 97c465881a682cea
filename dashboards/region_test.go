package dashboards

import (
	"fmt"
	"maps"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestRegionVariableListsEveryRegion has a real Prometheus scrape the exporter's metrics of testdata/regions.yaml,
// whose regions are named three ways, evaluates the Region variable of every dashboard as Grafana does (its
// query_result at the end of the time range, its regex on the text of each series) and checks that every region
// with a figure is an option: its code the value, its name the text, else its English name. Prometheus drops a
// label whose value is empty, so a region declared with name_en only has no region_name at all.
func TestRegionVariableListsEveryRegion(t *testing.T) {
	want := map[string]string{"CN": "中国", "140000": "山西省", "370000": "Shandong"}
	api := scrapeDataset(t, "testdata/regions.yaml", len(want))

	variables := 0
	for _, path := range dashboardFiles(t) {
		m, err := ReadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range m.Templating.List {
			if v.Name != "region" {
				continue
			}
			variables++
			expr, err := v.PromQL()
			if err != nil {
				t.Fatal(err)
			}
			expr = Expand(expr, map[string]string{"job": ".+"})
			result, err := testenv.QueryLabels(api, expr, "")
			if err != nil {
				t.Fatalf("%s: region variable %s: %v", path, expr, err)
			}
			got, err := variableOptions(v.Regex, result)
			if err != nil {
				t.Fatalf("%s: region variable: %v", path, err)
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s: the Region variable offers %v (value: text), want %v", path, got, want)
			}
		}
	}
	if variables < 6 {
		t.Errorf("found %d Region variables, want one on each of the six dashboards that show regions", variables)
	}
}

// scrapeDataset serves the exporter's metrics of the dataset at path to a real Prometheus, as job socsec, and returns
// the address of its API once it has scraped the latest data year of each of the dataset's regions, of which there
// are regions.
func scrapeDataset(t *testing.T, path string, regions int) string {
	t.Helper()
	snap := testenv.Load(t, config.Options{Datasets: []string{path}})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(collector.New(func() *dataset.Snapshot { return snap }))
	exporter := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(exporter.Close)
	target := strings.TrimPrefix(exporter.URL, "http://")
	api := testenv.StartPrometheus(t, fmt.Sprintf(`global: {scrape_interval: 1s}
scrape_configs:
  - job_name: socsec
    static_configs: [{targets: [%q]}]
`, target)) + "/api/v1/"
	testenv.WaitFor(t, fmt.Sprintf("Prometheus to scrape the %d regions of %s", regions, path), 2*time.Minute, func() error {
		got, err := testenv.QueryLabels(api, `count by (region_code) (socsec_latest_data_year{job="socsec"})`, "")
		if err == nil && len(got) != regions {
			err = fmt.Errorf("socsec_latest_data_year of %d regions, want %d", len(got), regions)
		}
		return err
	})
	return api
}

// TestVariableOptionsAsGrafana checks the model of Grafana's regex on query_result: the value and text groups, the
// one standing in for the other when it did not match, and series the regex does not match left out.
func TestVariableOptionsAsGrafana(t *testing.T) {
	regex := `/code="(?<value>[^"]+)".*name="(?<text>[^"]+)"/`
	got, err := variableOptions(regex, []map[string]string{
		{"__name__": "m", "code": "a", "name": "A"},
		{"__name__": "m", "code": "b"},
		{"__name__": "m", "zone": "c"},
	})
	if want := map[string]string{"a": "A"}; err != nil || !maps.Equal(got, want) {
		t.Errorf("options %v (%v), want %v", got, err, want)
	}
	got, err = variableOptions(`/code="(?<value>[^"]+)"(?:.*name="(?<text>[^"]+)")?/`, []map[string]string{{"code": "b"}})
	if want := map[string]string{"b": "b"}; err != nil || !maps.Equal(got, want) {
		t.Errorf("options %v (%v), want %v: the value stands in for a text that did not match", got, err, want)
	}
}

// variableOptions applies a query variable's regex to the series of a query_result as Grafana does: to the text
// name{label="value",...} of each series, labels in Prometheus' order (sorted) and values unescaped; the named group
// value gives the option's value and text its text, each standing in for the other when it did not match; a series
// the regex does not match is no option. It returns the options as value: text.
func variableOptions(regex string, result []map[string]string) (map[string]string, error) {
	pattern, ok := strings.CutPrefix(regex, "/")
	pattern, ok2 := strings.CutSuffix(pattern, "/")
	if !ok || !ok2 {
		return nil, fmt.Errorf("regex %q is not /pattern/ without flags", regex)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	options := map[string]string{}
	for _, s := range result {
		var labels []string
		for _, k := range slices.Sorted(maps.Keys(s)) {
			if k != "__name__" {
				labels = append(labels, k+`="`+s[k]+`"`)
			}
		}
		text := s["__name__"] + "{" + strings.Join(labels, ",") + "} 1 0"
		m := re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		value, name := group(re, m, "value"), group(re, m, "text")
		if value == "" {
			value = name
		}
		if name == "" {
			name = value
		}
		options[value] = name
	}
	return options, nil
}

func group(re *regexp.Regexp, m []string, name string) string {
	if i := re.SubexpIndex(name); i >= 0 {
		return m[i]
	}
	return ""
}
