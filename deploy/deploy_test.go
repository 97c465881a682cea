package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

const (
	rulesFile     = "prometheus/rules/socsec.rules.yml"
	promConfig    = "prometheus/prometheus.yml"
	amConfig      = "alertmanager/alertmanager.yml"
	composeFile   = "../docker-compose.yml"
	dashboardsDir = "/var/lib/grafana/dashboards/socsec"
)

// tool returns the path of a command-line tool, failing the test with the Debian package that provides it.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	return testenv.Tool(t, name, debianPackage)
}

// run runs a tool and fails the test with its output when it exits non-zero.
func run(t *testing.T, name, debianPackage string, args ...string) {
	t.Helper()
	out, err := exec.Command(tool(t, name, debianPackage), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func TestRulesPassPromtool(t *testing.T) {
	run(t, "promtool", "prometheus", "check", "rules", rulesFile)
	tests, err := filepath.Glob("prometheus/tests/*.yml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule tests in prometheus/tests (%v)", err)
	}
	run(t, "promtool", "prometheus", append([]string{"test", "rules"}, tests...)...)
}

// TestEveryAlertIsTestedBothWays checks that each alert has a test where it fires and one where it must not.
func TestEveryAlertIsTestedBothWays(t *testing.T) {
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	decodeFile(t, rulesFile, &rules, false)
	var tests struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `yaml:"alertname"`
				ExpAlerts []any  `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	decodeFile(t, "prometheus/tests/socsec.rules.test.yml", &tests, false)
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, test := range tests.Tests {
		for _, a := range test.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				quiet[a.Alertname] = true
			}
		}
	}
	alerts := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			alerts++
			if !fires[r.Alert] || !quiet[r.Alert] {
				t.Errorf("%s: tested firing %v, tested not firing %v; want both", r.Alert, fires[r.Alert], quiet[r.Alert])
			}
			if r.For == "" || r.Labels["severity"] == "" {
				t.Errorf("%s: needs for and a severity label", r.Alert)
			}
			for _, key := range []string{"summary", "description", "runbook_url"} {
				if r.Annotations[key] == "" {
					t.Errorf("%s: no %s annotation", r.Alert, key)
				}
			}
			want := "https://github.com/socsec-exporter/socsec_exporter/blob/main/README.md#" + strings.ToLower(r.Alert)
			if r.Annotations["runbook_url"] != want {
				t.Errorf("%s: runbook_url %q, want %q", r.Alert, r.Annotations["runbook_url"], want)
			}
		}
	}
	if alerts < 6 {
		t.Errorf("found %d alerts, want at least 6", alerts)
	}
}

// TestRunbooksExist checks that README.md has a heading for every runbook_url anchor.
func TestRunbooksExist(t *testing.T) {
	doc, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(rules), "\n") {
		_, anchor, ok := strings.Cut(line, "README.md#")
		if !ok {
			continue
		}
		found := false
		for _, l := range strings.Split(string(doc), "\n") {
			if heading, ok := strings.CutPrefix(l, "### "); ok && strings.ToLower(heading) == anchor {
				found = true
			}
		}
		if !found {
			t.Errorf("README.md has no ### heading for the runbook anchor %q", anchor)
		}
	}
}

// scrapeConfig is the part of a Prometheus scrape job the tests look at.
type scrapeConfig struct {
	JobName       string `yaml:"job_name"`
	SampleLimit   int    `yaml:"sample_limit"`
	StaticConfigs []struct {
		Targets []string `yaml:"targets"`
	} `yaml:"static_configs"`
}

func TestPrometheusConfig(t *testing.T) {
	run(t, "promtool", "prometheus", "check", "config", promConfig)
	var cfg struct {
		Global struct {
			ScrapeInterval string `yaml:"scrape_interval"`
		} `yaml:"global"`
		RuleFiles     []string       `yaml:"rule_files"`
		ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
	}
	decodeFile(t, promConfig, &cfg, false)
	if cfg.Global.ScrapeInterval != "1m" {
		t.Errorf("scrape_interval %q, want 1m", cfg.Global.ScrapeInterval)
	}
	var ruleFiles []string
	for _, pattern := range cfg.RuleFiles {
		m, err := filepath.Glob(filepath.Join("prometheus", pattern))
		if err != nil {
			t.Fatal(err)
		}
		ruleFiles = append(ruleFiles, m...)
	}
	if !slices.Contains(ruleFiles, rulesFile) {
		t.Errorf("rule_files %v do not load %s", cfg.RuleFiles, rulesFile)
	}
	i := slices.IndexFunc(cfg.ScrapeConfigs, func(s scrapeConfig) bool { return s.JobName == "socsec" })
	if i < 0 {
		t.Fatal("no scrape job socsec: the alert rules select job=\"socsec\"")
	}
	job := cfg.ScrapeConfigs[i]
	if job.SampleLimit <= 0 {
		t.Error("scrape job socsec has no sample_limit")
	}
	if len(job.StaticConfigs) != 1 || !slices.Equal(job.StaticConfigs[0].Targets, []string{"exporter:10716"}) {
		t.Errorf("scrape job socsec targets %v, want exporter:10716", job.StaticConfigs)
	}
}

func TestAlertmanagerConfig(t *testing.T) {
	run(t, "amtool", "prometheus-alertmanager", "check-config", amConfig)
}

func TestGrafanaDatasourceProvisioning(t *testing.T) {
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name      string         `yaml:"name"`
			Type      string         `yaml:"type"`
			UID       string         `yaml:"uid"`
			Access    string         `yaml:"access"`
			URL       string         `yaml:"url"`
			IsDefault bool           `yaml:"isDefault"`
			Editable  bool           `yaml:"editable"`
			JSONData  map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	decodeFile(t, "grafana/provisioning/datasources/prometheus.yaml", &ds, true)
	if ds.APIVersion != 1 || len(ds.Datasources) != 1 {
		t.Fatalf("apiVersion %d with %d datasources, want 1 and 1", ds.APIVersion, len(ds.Datasources))
	}
	d := ds.Datasources[0]
	if d.Type != "prometheus" || d.UID != "prometheus" || d.URL != "http://prometheus:9090" || d.Access != "proxy" || !d.IsDefault {
		t.Errorf("datasource %+v, want the default prometheus datasource with uid prometheus at http://prometheus:9090", d)
	}
}

func TestGrafanaDashboardProvisioning(t *testing.T) {
	var dp struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name                  string `yaml:"name"`
			Type                  string `yaml:"type"`
			Folder                string `yaml:"folder"`
			DisableDeletion       bool   `yaml:"disableDeletion"`
			AllowUIUpdates        bool   `yaml:"allowUiUpdates"`
			UpdateIntervalSeconds int    `yaml:"updateIntervalSeconds"`
			Options               struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	decodeFile(t, "grafana/provisioning/dashboards/socsec.yaml", &dp, true)
	if dp.APIVersion != 1 || len(dp.Providers) != 1 {
		t.Fatalf("apiVersion %d with %d providers, want 1 and 1", dp.APIVersion, len(dp.Providers))
	}
	p := dp.Providers[0]
	if p.Type != "file" || p.Options.Path != dashboardsDir || p.AllowUIUpdates {
		t.Errorf("provider %+v, want a read-only file provider reading %s", p, dashboardsDir)
	}
}

func TestComposeFile(t *testing.T) {
	project := loadCompose(t)
	var names []string
	for name := range project.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"alertmanager", "exporter", "grafana", "prometheus"}; !slices.Equal(names, want) {
		t.Errorf("services %v, want %v", names, want)
	}
	for name, s := range project.Services {
		if s.Build == nil {
			if _, tag, ok := strings.Cut(s.Image, ":"); !ok || tag == "" || tag == "latest" {
				t.Errorf("%s: image %q is not pinned to a version", name, s.Image)
			}
		} else {
			if info, err := os.Stat(s.Build.Context); err != nil || !info.IsDir() {
				t.Errorf("%s: build context %s: %v", name, s.Build.Context, err)
			}
			if _, err := os.Stat(filepath.Join(s.Build.Context, "Dockerfile")); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s: no healthcheck", name)
		}
		for _, v := range s.Volumes {
			switch v.Type {
			case types.VolumeTypeBind:
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("%s: bind mount source: %v", name, err)
				}
			case types.VolumeTypeVolume:
				if _, ok := project.Volumes[v.Source]; !ok {
					t.Errorf("%s: named volume %s is not declared", name, v.Source)
				}
			}
		}
		for _, p := range s.Ports {
			if p.HostIP != "127.0.0.1" {
				t.Errorf("%s: port %d is published on %q, want 127.0.0.1", name, p.Target, p.HostIP)
			}
		}
	}

	grafana := project.Services["grafana"]
	if !slices.ContainsFunc(grafana.Ports, func(p types.ServicePortConfig) bool { return p.Published == "3000" && p.Target == 3000 }) {
		t.Error("grafana is not published on localhost:3000")
	}
	for key, want := range map[string]string{"GF_AUTH_ANONYMOUS_ENABLED": "true", "GF_AUTH_ANONYMOUS_ORG_ROLE": "Viewer"} {
		if v := grafana.Environment[key]; v == nil || *v != want {
			t.Errorf("grafana %s is not %q: dashboards would need a login", key, want)
		}
	}
	mounts := map[string]string{}
	for _, v := range grafana.Volumes {
		mounts[v.Target] = v.Source
	}
	if src, _ := filepath.Abs("../dashboards"); mounts[dashboardsDir] != src {
		t.Errorf("grafana mounts %q at %s, want the dashboards directory", mounts[dashboardsDir], dashboardsDir)
	}
	prom := project.Services["prometheus"]
	promMounts := map[string]string{}
	for _, v := range prom.Volumes {
		promMounts[v.Target] = v.Source
	}
	if src, _ := filepath.Abs("prometheus/rules"); promMounts["/etc/prometheus/rules"] != src {
		t.Errorf("prometheus mounts %q at /etc/prometheus/rules, want deploy/prometheus/rules", promMounts["/etc/prometheus/rules"])
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FROM golang:1.26 AS build", "CGO_ENABLED=0", "./cmd/socsec_exporter", "USER 65534", "EXPOSE 10716", "HEALTHCHECK"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{composeFile}, cli.WithName("socsec"), cli.WithWorkingDirectory(".."))
	if err != nil {
		t.Fatal(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load %s: %v", composeFile, err)
	}
	return project
}

// decodeFile decodes a YAML file into v; strict decoding also rejects keys v does not declare.
func decodeFile(t *testing.T, path string, v any, strict bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(strict)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
