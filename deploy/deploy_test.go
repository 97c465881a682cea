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
	datasetsDir   = "/etc/socsec" // where the stack mounts the repository's datasets/ directory
	promConfig    = "prometheus/prometheus.yml"
	historyConfig = "prometheus/history.yml"
	amConfig      = "alertmanager/alertmanager.yml"
	composeFile   = "../docker-compose.yml"
	dashboardsDir = "/var/lib/grafana/dashboards/socsec"
	datasources   = "grafana/provisioning/datasources"
)

// The history service of the stack: the job label its backfill adds, which the History dashboard filters on, and the
// retention that keeps every year of the blocks.
const (
	historyJob       = "socsec_history"
	historyRetention = "30y"
)

// The uids of the provisioned data sources: the Prometheus that scrapes the exporter and the history Prometheus.
const (
	liveUID    = "prometheus"
	historyUID = "prometheus-history"
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

// TestEveryAlertIsTestedBothWays checks that each alert has a test where it fires and one where it must not, in any of
// the rule test files that TestRulesPassPromtool runs.
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
	files, err := filepath.Glob("prometheus/tests/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule tests in prometheus/tests (%v)", err)
	}
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, file := range files {
		tests.Tests = nil
		decodeFile(t, file, &tests, false)
		for _, test := range tests.Tests {
			for _, a := range test.AlertRuleTest {
				if len(a.ExpAlerts) > 0 {
					fires[a.Alertname] = true
				} else {
					quiet[a.Alertname] = true
				}
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
			want := runbookURL + strings.ToLower(r.Alert)
			if r.Annotations["runbook_url"] != want {
				t.Errorf("%s: runbook_url %q, want %q", r.Alert, r.Annotations["runbook_url"], want)
			}
		}
	}
	if alerts < 6 {
		t.Errorf("found %d alerts, want at least 6", alerts)
	}
}

// runbookURL is where every alert's runbook_url points, followed by the alert's name in lower case: the alert's
// section of docs/runbooks.md on GitHub.
const runbookURL = "https://github.com/socsec-exporter/socsec_exporter/blob/main/docs/runbooks.md#"

// TestRunbooksExist checks that docs/runbooks.md has a heading for every runbook_url anchor, and that every runbook
// URL of the rules and their tests points there.
func TestRunbooksExist(t *testing.T) {
	doc, err := os.ReadFile("../docs/runbooks.md")
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, l := range strings.Split(string(doc), "\n") {
		if heading, ok := strings.CutPrefix(strings.TrimLeft(l, "#"), " "); ok && strings.HasPrefix(l, "#") {
			headings[strings.ToLower(heading)] = true
		}
	}
	files, err := filepath.Glob("prometheus/*/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	anchors := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			_, url, ok := strings.Cut(line, "runbook_url:")
			if !ok {
				continue
			}
			anchor, ok := strings.CutPrefix(strings.TrimSpace(url), runbookURL)
			if !ok {
				t.Errorf("%s:%d: runbook_url %s does not point into docs/runbooks.md (%s)", file, i+1, strings.TrimSpace(url), runbookURL)
				continue
			}
			anchors++
			if !headings[anchor] {
				t.Errorf("%s:%d: docs/runbooks.md has no heading for the runbook anchor %q", file, i+1, anchor)
			}
		}
	}
	if anchors < 6 {
		t.Errorf("found %d runbook URLs in %v, want at least one per alert", anchors, files)
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

// TestHistoryPrometheusConfig checks the history Prometheus' configuration: valid, and with no scrape jobs and no
// rules, so that nothing newer than the backfilled years lands in its storage.
func TestHistoryPrometheusConfig(t *testing.T) {
	run(t, "promtool", "prometheus", "check", "config", historyConfig)
	var cfg map[string]any
	decodeFile(t, historyConfig, &cfg, false)
	for key, v := range cfg {
		if key != "scrape_configs" || v != nil && len(v.([]any)) > 0 {
			t.Errorf("%s sets %s: %v; the history Prometheus only serves its blocks", historyConfig, key, v)
		}
	}
}

// datasource is a provisioned Grafana data source.
type datasource struct {
	Name      string         `yaml:"name"`
	Type      string         `yaml:"type"`
	UID       string         `yaml:"uid"`
	Access    string         `yaml:"access"`
	URL       string         `yaml:"url"`
	IsDefault bool           `yaml:"isDefault"`
	Editable  bool           `yaml:"editable"`
	JSONData  map[string]any `yaml:"jsonData"`
}

// readDatasource decodes a provisioning file of the datasources directory that holds exactly one data source.
func readDatasource(t *testing.T, file string) datasource {
	t.Helper()
	var ds struct {
		APIVersion  int          `yaml:"apiVersion"`
		Datasources []datasource `yaml:"datasources"`
	}
	decodeFile(t, filepath.Join(datasources, file), &ds, true)
	if ds.APIVersion != 1 || len(ds.Datasources) != 1 {
		t.Fatalf("%s: apiVersion %d with %d datasources, want 1 and 1", file, ds.APIVersion, len(ds.Datasources))
	}
	return ds.Datasources[0]
}

func TestGrafanaDatasourceProvisioning(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(datasources, "*.yaml"))
	if err != nil || len(files) != 2 {
		t.Fatalf("datasource files %v (%v), want prometheus.yaml and prometheus-history.yaml", files, err)
	}
	d := readDatasource(t, "prometheus.yaml")
	if d.Type != "prometheus" || d.UID != liveUID || d.URL != "http://prometheus:9090" || d.Access != "proxy" || !d.IsDefault {
		t.Errorf("datasource %+v, want the default prometheus datasource with uid prometheus at http://prometheus:9090", d)
	}
	h := readDatasource(t, "prometheus-history.yaml")
	if h.Type != "prometheus" || h.UID != historyUID || h.URL != "http://prometheus-history:9090" || h.Access != "proxy" || h.IsDefault {
		t.Errorf("datasource %+v, want a non-default prometheus datasource with uid %s at http://prometheus-history:9090", h, historyUID)
	}
	if h.JSONData["timeInterval"] != "1d" {
		t.Errorf("history datasource timeInterval %v, want 1d: it holds one sample a year", h.JSONData["timeInterval"])
	}
	// Each dashboard defaults to one of the two, and so is proven against a real Prometheus by one end-to-end test.
	for _, m := range readDashboards(t) {
		if uid := datasourceDefault(m); uid != liveUID && uid != historyUID {
			t.Errorf("%s: data source variable defaults to %q, want %s or %s", m.Title, uid, liveUID, historyUID)
		}
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
	if want := []string{"alertmanager", "exporter", "grafana", "history-backfill", "prometheus", "prometheus-history"}; !slices.Equal(names, want) {
		t.Errorf("services %v, want %v", names, want)
	}
	// One-shot services are those another service waits for to complete.
	oneShot := map[string]bool{}
	for _, s := range project.Services {
		for name, d := range s.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				oneShot[name] = true
			}
		}
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
		switch {
		case oneShot[name]:
			if s.Restart != "no" || len(s.Ports) > 0 {
				t.Errorf("%s: a one-shot step needs restart \"no\" and no ports, has %q and %v", name, s.Restart, s.Ports)
			}
		case s.HealthCheck == nil || len(s.HealthCheck.Test) == 0:
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
	if src, _ := filepath.Abs("../dashboards"); mounts(grafana)[dashboardsDir] != src {
		t.Errorf("grafana mounts %q at %s, want the dashboards directory", mounts(grafana)[dashboardsDir], dashboardsDir)
	}
	if src, _ := filepath.Abs("grafana/provisioning"); mounts(grafana)["/etc/grafana/provisioning"] != src {
		t.Errorf("grafana mounts %q at /etc/grafana/provisioning, want deploy/grafana/provisioning with both data sources",
			mounts(grafana)["/etc/grafana/provisioning"])
	}
	prom := project.Services["prometheus"]
	if src, _ := filepath.Abs("prometheus/rules"); mounts(prom)["/etc/prometheus/rules"] != src {
		t.Errorf("prometheus mounts %q at /etc/prometheus/rules, want deploy/prometheus/rules", mounts(prom)["/etc/prometheus/rules"])
	}
}

// TestComposeDatasets checks how the stack serves the user's datasets: the repository's datasets/ directory is
// mounted read-only at the same place in the exporter and the history-backfill step, and both read the config that
// SOCSEC_CONFIG names, or the embedded default (an empty --config.file) when it is unset.
func TestComposeDatasets(t *testing.T) {
	const config = datasetsDir + "/socsec.yml"
	for _, env := range [][]string{nil, {"SOCSEC_CONFIG=" + config}} {
		project := loadCompose(t, env...)
		want := "--config.file="
		if env != nil {
			want += config
		}
		src, _ := filepath.Abs("../datasets")
		for _, name := range []string{"exporter", "history-backfill"} {
			s := project.Services[name]
			if !slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
				return v.Type == types.VolumeTypeBind && v.Source == src && v.Target == datasetsDir && v.ReadOnly
			}) {
				t.Errorf("%s does not mount %s read-only at %s: %+v", name, src, datasetsDir, s.Volumes)
			}
		}
		if exporter := project.Services["exporter"]; !slices.Contains(exporter.Command, want) {
			t.Errorf("with %q, the exporter's command %q lacks %s", env, exporter.Command, want)
		}
		backfill := "socsec-backfill " + want + " --label=job=" + historyJob + " /prometheus/next"
		if script := strings.Join(project.Services["history-backfill"].Command, "\n"); !strings.Contains(script, backfill) {
			t.Errorf("with %q, the history-backfill command lacks %q:\n%s", env, backfill, script)
		}
	}
	if _, err := os.Stat("../datasets/README.md"); err != nil {
		t.Errorf("the mounted directory explains nothing: %v", err)
	}
}

// TestComposeHistory checks the history part of the stack: the backfill step writes blocks with the job label the
// History dashboard filters on into a volume, and the history Prometheus waits for it, starts on those blocks with
// a retention that keeps every year, reads the history configuration and is reachable where the data source points.
func TestComposeHistory(t *testing.T) {
	project := loadCompose(t)
	backfill, history := project.Services["history-backfill"], project.Services["prometheus-history"]
	if backfill.Build == nil || backfill.Build.Target != "history-backfill" {
		t.Errorf("history-backfill builds %+v, want the Dockerfile's history-backfill stage", backfill.Build)
	}
	if d, ok := history.DependsOn["history-backfill"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("prometheus-history depends on %+v, want history-backfill to complete successfully", history.DependsOn)
	}
	script := strings.Join(backfill.Command, "\n")
	// With the exporter's config (TestComposeDatasets), so the history holds the datasets the exporter serves.
	for _, want := range []string{"--label=job=" + historyJob + " /prometheus/next", "mv /prometheus/next /prometheus/blocks"} {
		if !strings.Contains(script, want) {
			t.Errorf("history-backfill command lacks %q:\n%s", want, script)
		}
	}
	start := strings.Join(history.Command, "\n")
	for _, want := range []string{
		"cp -R /history/blocks /prometheus/tsdb",
		"exec /bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus/tsdb",
		"--storage.tsdb.retention.time=" + historyRetention,
	} {
		if !strings.Contains(start, want) {
			t.Errorf("prometheus-history command lacks %q:\n%s", want, start)
		}
	}
	// Both mount the same volume: the step at /prometheus, the server read-only at /history.
	volume := func(s types.ServiceConfig, target string) (string, bool) {
		for _, v := range s.Volumes {
			if v.Target == target && v.Type == types.VolumeTypeVolume {
				return v.Source, v.ReadOnly
			}
		}
		return "", false
	}
	written, _ := volume(backfill, "/prometheus")
	read, readOnly := volume(history, "/history")
	if written == "" || written != read || !readOnly {
		t.Errorf("history-backfill writes volume %q, prometheus-history reads %q (read-only %v): want the same, read-only", written, read, readOnly)
	}
	if src, _ := filepath.Abs(historyConfig); mounts(history)["/etc/prometheus/prometheus.yml"] != src {
		t.Errorf("prometheus-history mounts %q as its config, want %s", mounts(history)["/etc/prometheus/prometheus.yml"], historyConfig)
	}
	if !slices.ContainsFunc(history.Ports, func(p types.ServicePortConfig) bool { return p.Published == "9190" && p.Target == 9090 }) {
		t.Errorf("prometheus-history ports %v, want localhost:9190", history.Ports)
	}
	if prom := project.Services["prometheus"]; history.Image != prom.Image {
		t.Errorf("prometheus-history runs %s, prometheus %s: want the same version", history.Image, prom.Image)
	}
}

// mounts returns the source of each mount of s by its target.
func mounts(s types.ServiceConfig) map[string]string {
	m := map[string]string{}
	for _, v := range s.Volumes {
		m[v.Target] = v.Source
	}
	return m
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
	// The history-backfill stage: the stack's Prometheus image (for promtool and a shell), the binary and the script,
	// as a non-root user. The exporter's stage stays the last, so a plain build gives the exporter image.
	image := loadCompose(t).Services["prometheus"].Image
	_, stage, ok := bytes.Cut(b, []byte("FROM "+image+" AS history-backfill\n"))
	if !ok {
		t.Fatalf("Dockerfile has no stage FROM %s AS history-backfill", image)
	}
	stage, rest, _ := bytes.Cut(stage, []byte("\nFROM "))
	for _, want := range []string{"COPY --from=build /out/socsec_exporter /bin/socsec_exporter", "scripts/backfill.sh /bin/socsec-backfill", "USER 65534:65534"} {
		if !bytes.Contains(stage, []byte(want)) {
			t.Errorf("Dockerfile stage history-backfill lacks %q", want)
		}
	}
	if !bytes.Contains(rest, []byte("ENTRYPOINT [\"/bin/socsec_exporter\"]")) {
		t.Error("the exporter's stage does not follow the history-backfill stage")
	}
}

// loadCompose loads the stack's compose file as docker compose would with the given environment (NAME=VALUE), and no
// other: neither the test's environment nor a .env file changes what the tests see.
func loadCompose(t *testing.T, env ...string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{composeFile}, cli.WithName("socsec"), cli.WithWorkingDirectory(".."), cli.WithEnv(env))
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
