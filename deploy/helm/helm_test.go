package helm

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

const (
	chart      = "socsec-exporter"
	allOptions = "testdata/all-options.yaml"
	rulesGlob  = "../prometheus/rules/*.yml"
	dashGlob   = "../../dashboards/*.json"
)

// helm runs the helm of deploy/versions.env with args and returns its standard output, failing the test when it
// exits non-zero.
func helm(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(testenv.Tool(t, "helm", ""), args...)
	// No repositories, plugins or cache of the user's.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home, "HELM_CONFIG_HOME="+home, "HELM_DATA_HOME="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out
}

// rendered is what helm template renders, decoded strictly into the API types.
type rendered struct {
	deployments     []appsv1.Deployment
	services        []corev1.Service
	configMaps      []corev1.ConfigMap
	secrets         []corev1.Secret
	serviceMonitors []monitoringv1.ServiceMonitor
	prometheusRules []monitoringv1.PrometheusRule
}

// kinds returns the number of objects of each kind.
func (r *rendered) kinds() map[string]int {
	return map[string]int{
		"Deployment": len(r.deployments), "Service": len(r.services), "ConfigMap": len(r.configMaps),
		"Secret": len(r.secrets), "ServiceMonitor": len(r.serviceMonitors), "PrometheusRule": len(r.prometheusRules),
	}
}

func (r *rendered) configMap(t *testing.T, name string) corev1.ConfigMap {
	t.Helper()
	i := slices.IndexFunc(r.configMaps, func(c corev1.ConfigMap) bool { return c.Name == name })
	if i < 0 {
		t.Fatalf("no ConfigMap %s", name)
	}
	return r.configMaps[i]
}

var separator = regexp.MustCompile(`(?m)^---\s*$`)

// render runs helm template on the chart with args (values) and decodes every manifest into its Kubernetes or
// Prometheus Operator type, refusing unknown and duplicate fields and any other kind.
func render(t *testing.T, args ...string) *rendered {
	t.Helper()
	out := helm(t, append([]string{"template", "socsec-exporter", chart, "--namespace", "monitoring"}, args...)...)
	r := &rendered{}
	names := map[string]bool{}
	for _, doc := range separator.Split(string(out), -1) {
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
		if meta.Kind == "" && strings.TrimSpace(regexp.MustCompile(`(?m)^#.*$`).ReplaceAllString(doc, "")) == "" {
			continue // Only comments.
		}
		key := meta.APIVersion + " " + meta.Kind + " " + meta.Metadata.Name
		if names[key] {
			t.Errorf("%s rendered twice", key)
		}
		names[key] = true
		var err error
		switch meta.APIVersion + " " + meta.Kind {
		case "apps/v1 Deployment":
			r.deployments, err = decodeStrict(doc, r.deployments)
		case "v1 Service":
			r.services, err = decodeStrict(doc, r.services)
		case "v1 ConfigMap":
			r.configMaps, err = decodeStrict(doc, r.configMaps)
		case "v1 Secret":
			r.secrets, err = decodeStrict(doc, r.secrets)
		case "monitoring.coreos.com/v1 ServiceMonitor":
			r.serviceMonitors, err = decodeStrict(doc, r.serviceMonitors)
		case "monitoring.coreos.com/v1 PrometheusRule":
			r.prometheusRules, err = decodeStrict(doc, r.prometheusRules)
		default:
			err = fmt.Errorf("unexpected kind %s %s", meta.APIVersion, meta.Kind)
		}
		if err != nil {
			t.Errorf("%s: %v\n%s", key, err, doc)
		}
	}
	return r
}

// decodeStrict decodes a manifest into a new T appended to list, refusing fields T does not have and duplicate keys.
func decodeStrict[T any](doc string, list []T) ([]T, error) {
	var v T
	if err := yaml.UnmarshalStrict([]byte(doc), &v); err != nil {
		return list, err
	}
	return append(list, v), nil
}

func TestChartLint(t *testing.T) {
	helm(t, "lint", "--strict", chart)
	helm(t, "lint", "--strict", chart, "--values", allOptions)
}

// TestChartDefaults renders the chart with its default values: a Deployment of the embedded default and its Service,
// nothing else.
func TestChartDefaults(t *testing.T) {
	r := render(t)
	if want := map[string]int{"Deployment": 1, "Service": 1}; !kindsEqual(r.kinds(), want) {
		t.Fatalf("rendered %v, want %v", r.kinds(), want)
	}
	d := r.deployments[0]
	checkDeployment(t, d, r)
	c := d.Spec.Template.Spec.Containers[0]
	if want := []string{"--web.listen-address=:10716", "--log.level=info", "--log.format=logfmt"}; !slices.Equal(c.Args, want) {
		t.Errorf("args %q, want %q: the embedded default, without lifecycle", c.Args, want)
	}
	if c.Image != "socsec_exporter:"+chartAppVersion(t) {
		t.Errorf("image %s, want socsec_exporter:%s", c.Image, chartAppVersion(t))
	}
	if len(d.Spec.Template.Spec.Volumes) > 0 || len(c.VolumeMounts) > 0 {
		t.Errorf("volumes %v mounted at %v, want none", d.Spec.Template.Spec.Volumes, c.VolumeMounts)
	}
}

// TestChartAllOptions renders the chart with every option on and checks the objects against each other and the
// repository: the PrometheusRule carries deploy/prometheus/rules/ and the ConfigMaps dashboards/, unchanged.
func TestChartAllOptions(t *testing.T) {
	r := render(t, "--values", allOptions)
	want := map[string]int{"Deployment": 1, "Service": 1, "ConfigMap": 1 + len(glob(t, dashGlob)), "Secret": 1,
		"ServiceMonitor": 2, "PrometheusRule": len(glob(t, rulesGlob))}
	if !kindsEqual(r.kinds(), want) {
		t.Fatalf("rendered %v, want %v", r.kinds(), want)
	}
	d := r.deployments[0]
	checkDeployment(t, d, r)
	c := d.Spec.Template.Spec.Containers[0]
	for _, arg := range []string{"--config.file=/etc/socsec/config/config.yml", "--web.config.file=/etc/socsec/web/web-config.yml",
		"--web.enable-lifecycle", "--log.level=debug", "--log.format=json", "--dataset.max-series=2000000"} {
		if !slices.Contains(c.Args, arg) {
			t.Errorf("args %q lack %s", c.Args, arg)
		}
	}
	if h := c.LivenessProbe.HTTPGet.HTTPHeaders; len(h) != 1 || h[0].Name != "Authorization" {
		t.Errorf("liveness probe headers %v, want the Authorization of values", h)
	}
	for _, key := range []string{"checksum/config", "checksum/web-config", "example.org/owner"} {
		if d.Spec.Template.Annotations[key] == "" {
			t.Errorf("pod template lacks the annotation %s", key)
		}
	}
	checkRules(t, r.prometheusRules)
	checkDashboards(t, r.configMaps, nil)
	checkShards(t, r, 4, [][]string{{"0", "2"}, {"1", "3"}})
	for _, sm := range r.serviceMonitors {
		if sm.Labels["release"] != "kube-prometheus-stack" || sm.Spec.SampleLimit == nil || *sm.Spec.SampleLimit != 300000 {
			t.Errorf("ServiceMonitor %s: labels %v, sampleLimit %v", sm.Name, sm.Labels, sm.Spec.SampleLimit)
		}
		for _, e := range sm.Spec.Endpoints {
			if e.BasicAuth == nil || e.BasicAuth.Username.Name != "socsec-scrape" {
				t.Errorf("ServiceMonitor %s: endpoint %v lacks the basicAuth of serviceMonitor.endpoint", sm.Name, e.Params)
			}
		}
	}
	if rule := r.prometheusRules[0]; rule.Labels["release"] != "kube-prometheus-stack" {
		t.Errorf("PrometheusRule labels %v lack prometheusRule.labels", rule.Labels)
	}
}

// readmeMarker precedes the README's sharding recipe as chart values.
const readmeMarker = "<!-- deploy/helm/helm_test.go renders the chart with the next block"

// TestREADMEShardValues renders the chart with the README's sharding recipe as values and checks that the first
// ServiceMonitor holds shards 0 and 2 of 4 and the second 1 and 3, each labelled for its Prometheus.
func TestREADMEShardValues(t *testing.T) {
	block := testenv.MarkedYAMLBlock(t, "README.md", readmeMarker)
	values := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(values, []byte(block+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := render(t, "--values", values)
	checkShards(t, r, 4, [][]string{{"0", "2"}, {"1", "3"}})
}

// TestChartWithoutShards checks the ServiceMonitor of one target serving the whole, and of one Prometheus scraping
// every shard.
func TestChartWithoutShards(t *testing.T) {
	checkShards(t, render(t, "--set", "serviceMonitor.enabled=true"), 0, [][]string{nil})
	checkShards(t, render(t, "--set", "serviceMonitor.enabled=true,serviceMonitor.shards=3"), 3, [][]string{{"0", "1", "2"}})
}

// TestChartLeavesOutDashboards checks dashboards.exclude.
func TestChartLeavesOutDashboards(t *testing.T) {
	r := render(t, "--set", "dashboards.enabled=true", "--set", "dashboards.exclude={socsec-history.json}")
	checkDashboards(t, r.configMaps, []string{"socsec-history.json"})
}

// TestChartRefusesWrongValues checks that values.schema.json and the templates refuse what cannot work.
func TestChartRefusesWrongValues(t *testing.T) {
	for _, c := range []struct {
		set  []string
		want string
	}{
		{[]string{"servicemonitor.enabled=true"}, "additional properties 'servicemonitor' not allowed"},
		{[]string{"serviceMonitor.enabled=true", "serviceMonitor.servers[0].labels.a=b"}, "set serviceMonitor.shards too"},
		{[]string{"serviceMonitor.enabled=true", "serviceMonitor.shards=1", "serviceMonitor.servers[0].labels.a=b", "serviceMonitor.servers[1].labels.a=c"}, "more servers than shards"},
		{[]string{"datasets.files.a\\.yaml=x"}, "needs a config that lists them"},
		{[]string{"webConfig.scheme=FTP"}, "/webConfig/scheme"},
	} {
		args := []string{"template", "socsec-exporter", chart}
		for _, s := range c.set {
			args = append(args, "--set", s)
		}
		cmd := exec.Command(testenv.Tool(t, "helm", ""), args...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("helm template --set %v: %v, want an error with %q:\n%s", c.set, err, c.want, out)
		}
	}
}

// checkDeployment checks what every rendering must hold: a non-root pod on a read-only root filesystem without
// privileges, probes on /-/healthy and /-/ready, resources, a Service that selects the pods on the container's port,
// and a volume (rendered, or named by values) for every mount.
func checkDeployment(t *testing.T, d appsv1.Deployment, r *rendered) {
	t.Helper()
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	ps, cs := pod.SecurityContext, c.SecurityContext
	if ps == nil || cs == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser == 0 {
		t.Errorf("pod security context %+v: want non-root", ps)
	}
	if cs == nil || cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem || cs.AllowPrivilegeEscalation == nil ||
		*cs.AllowPrivilegeEscalation || cs.Capabilities == nil || !slices.Equal(cs.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container security context %+v: want a read-only root filesystem, no privilege escalation, no capabilities", cs)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token it has no use for")
	}
	for probe, path := range map[*corev1.Probe]string{c.LivenessProbe: "/-/healthy", c.ReadinessProbe: "/-/ready"} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != path || probe.HTTPGet.Port.String() != "http" {
			t.Errorf("probe %+v, want GET %s on the port http", probe, path)
		}
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Errorf("resources %+v: want memory and CPU requests and a memory limit", c.Resources)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" {
		t.Fatalf("ports %+v, want one named http", c.Ports)
	}
	if !subset(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("selector %v does not select the pod template's labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	}
	if len(r.services) != 1 {
		t.Fatalf("%d services, want 1", len(r.services))
	}
	s := r.services[0]
	if !subset(s.Spec.Selector, d.Spec.Template.Labels) || len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Name != "http" ||
		s.Spec.Ports[0].TargetPort.String() != "http" || s.Spec.Ports[0].Port != c.Ports[0].ContainerPort {
		t.Errorf("service %s selects %v on %+v; want the pods on the port http", s.Name, s.Spec.Selector, s.Spec.Ports)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	for _, m := range c.VolumeMounts {
		v, ok := volumes[m.Name]
		if !ok || !m.ReadOnly {
			t.Errorf("mount %+v: no volume, or not read-only", m)
			continue
		}
		switch {
		case v.ConfigMap != nil && m.Name == "config":
			r.configMap(t, v.ConfigMap.Name)
		case v.Secret != nil:
			if !slices.ContainsFunc(r.secrets, func(s corev1.Secret) bool { return s.Name == v.Secret.SecretName }) {
				t.Errorf("volume %s names the Secret %s, which is not rendered", v.Name, v.Secret.SecretName)
			}
		}
	}
}

// checkRules checks that the PrometheusRules carry exactly the rule files, each decoded strictly into the operator's
// PrometheusRuleSpec.
func checkRules(t *testing.T, rules []monitoringv1.PrometheusRule) {
	t.Helper()
	files := glob(t, rulesGlob)
	if len(rules) != len(files) {
		t.Fatalf("%d PrometheusRules for %d rule files", len(rules), len(files))
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var want monitoringv1.PrometheusRuleSpec
		if err := yaml.UnmarshalStrict(b, &want); err != nil {
			t.Fatalf("%s as a PrometheusRule's spec: %v", file, err)
		}
		if !slices.ContainsFunc(rules, func(r monitoringv1.PrometheusRule) bool { return reflect.DeepEqual(r.Spec, want) }) {
			t.Errorf("no PrometheusRule carries the rules of %s as they are: run go generate ./deploy/helm", file)
		}
		n := 0
		for _, g := range want.Groups {
			n += len(g.Rules)
		}
		if n == 0 {
			t.Errorf("%s has no rules", file)
		}
	}
}

// checkDashboards checks that there is a ConfigMap labelled for the Grafana sidecar holding each dashboard of
// dashboards/ but those excluded, byte for byte, and no other.
func checkDashboards(t *testing.T, configMaps []corev1.ConfigMap, excluded []string) {
	t.Helper()
	got := map[string]string{}
	for _, c := range configMaps {
		if c.Labels["grafana_dashboard"] != "1" {
			continue
		}
		for name, data := range c.Data {
			got[name] = data
		}
		if len(c.Data) != 1 {
			t.Errorf("ConfigMap %s holds %d dashboards, want 1", c.Name, len(c.Data))
		}
	}
	for _, file := range glob(t, dashGlob) {
		name := filepath.Base(file)
		data, ok := got[name]
		delete(got, name)
		if slices.Contains(excluded, name) {
			if ok {
				t.Errorf("%s is rendered though excluded", name)
			}
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || data != string(b) {
			t.Errorf("%s: no ConfigMap holds it as it is (found %v): run go generate ./deploy/helm", name, ok)
		}
	}
	for name := range got {
		t.Errorf("a ConfigMap holds %s, which is not in dashboards/", name)
	}
}

// checkShards checks that the ServiceMonitors scrape the Service's port http with the job label socsec, and that the
// i-th holds the endpoints of the shards servers[i] of count, with their parameters, shard label and instance.
func checkShards(t *testing.T, r *rendered, count int, servers [][]string) {
	t.Helper()
	if len(r.serviceMonitors) != len(servers) {
		t.Fatalf("%d ServiceMonitors, want %d", len(r.serviceMonitors), len(servers))
	}
	service := r.services[0]
	for i, sm := range r.serviceMonitors {
		if !subset(sm.Spec.Selector.MatchLabels, service.Labels) {
			t.Errorf("%s selects %v, not the Service's labels %v", sm.Name, sm.Spec.Selector.MatchLabels, service.Labels)
		}
		if want := fmt.Sprintf("socsec-%d", i); len(servers) > 1 && sm.Labels["prometheus"] != want {
			t.Errorf("%s: labels %v, want prometheus=%s of its server", sm.Name, sm.Labels, want)
		}
		var shards []string
		for _, e := range sm.Spec.Endpoints {
			if e.Port != "http" || e.Path != "/metrics" {
				t.Errorf("%s scrapes port %q path %q, want http /metrics", sm.Name, e.Port, e.Path)
			}
			relabel := map[string]monitoringv1.RelabelConfig{}
			for _, rc := range e.RelabelConfigs {
				relabel[rc.TargetLabel] = rc
			}
			if job := relabel["job"]; job.Replacement == nil || *job.Replacement != "socsec" || len(job.SourceLabels) > 0 {
				t.Errorf("%s: relabelings %+v do not set job to socsec, which the rules select", sm.Name, e.RelabelConfigs)
			}
			shard := e.Params["shard"]
			if count == 0 {
				if len(e.Params) > 0 {
					t.Errorf("%s: params %v without shards", sm.Name, e.Params)
				}
				continue
			}
			if len(shard) != 1 || !slices.Equal(e.Params["shards"], []string{fmt.Sprint(count)}) {
				t.Errorf("%s: params %v, want one shard of %d", sm.Name, e.Params, count)
				continue
			}
			shards = append(shards, shard[0])
			if l := relabel["shard"]; l.Replacement == nil || *l.Replacement != shard[0] {
				t.Errorf("%s: shard %s is not labelled shard=%s: %+v", sm.Name, shard[0], shard[0], e.RelabelConfigs)
			}
			if in := relabel["instance"]; !slices.Equal(in.SourceLabels, []monitoringv1.LabelName{"__address__", "shard"}) || in.Separator == nil || *in.Separator != ";shard=" {
				t.Errorf("%s: shard %s's instance is not <address>;shard=%s: %+v", sm.Name, shard[0], shard[0], in)
			}
		}
		if count > 0 && !slices.Equal(shards, servers[i]) {
			t.Errorf("%s scrapes shards %v, want %v", sm.Name, shards, servers[i])
		}
	}
}

// TestChartRunsTheExporter renders the chart with every option on and runs the exporter as the pod would: with the
// container's arguments, the ConfigMap and the Secret written where they are mounted, and a dataset in the volume.
// The readiness and liveness probes, with their headers, must then succeed, a request without the password must not,
// and /metrics must serve both datasets.
func TestChartRunsTheExporter(t *testing.T) {
	r := render(t, "--values", allOptions)
	d := r.deployments[0]
	c := d.Spec.Template.Spec.Containers[0]
	root := t.TempDir()
	volumes := map[string]corev1.Volume{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		volumes[v.Name] = v
	}
	for _, m := range c.VolumeMounts {
		dir := filepath.Join(root, m.MountPath)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		switch v := volumes[m.Name]; {
		case v.ConfigMap != nil && m.Name == "config":
			files = r.configMap(t, v.ConfigMap.Name).Data
		case v.Secret != nil:
			files = r.secrets[slices.IndexFunc(r.secrets, func(s corev1.Secret) bool { return s.Name == v.Secret.SecretName })].StringData
		case m.Name == "datasets":
			files["volume.yaml"] = volumeDataset
		default:
			t.Fatalf("mount %s of an unexpected volume %+v", m.Name, v)
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	addr := testenv.FreeAddr(t)
	var args []string
	for _, arg := range c.Args {
		if strings.HasPrefix(arg, "--web.listen-address=") {
			arg = "--web.listen-address=" + addr
		}
		args = append(args, strings.ReplaceAll(arg, "=/etc/socsec/", "="+root+"/etc/socsec/"))
	}
	p := testenv.Start(t, root, testenv.Exporter(t), args...)
	base := "http://" + addr
	probe := func(path string, headers []corev1.HTTPHeader) (int, string, error) {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			return 0, "", err
		}
		for _, h := range headers {
			req.Header.Set(h.Name, h.Value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		var body bytes.Buffer
		_, err = body.ReadFrom(resp.Body)
		return resp.StatusCode, body.String(), err
	}
	testenv.WaitFor(t, "the readiness probe to succeed", 30*time.Second, func() error {
		if p.Cmd.ProcessState != nil {
			return fmt.Errorf("exited: %s", p.Output())
		}
		code, _, err := probe(c.ReadinessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.HTTPHeaders)
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("status %d", code)
		}
		return err
	})
	if code, _, err := probe(c.LivenessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.HTTPHeaders); err != nil || code != http.StatusOK {
		t.Errorf("liveness probe: %d %v, want 200", code, err)
	}
	if code, _, err := probe("/metrics", nil); err != nil || code != http.StatusUnauthorized {
		t.Errorf("/metrics without the password: %d %v, want 401", code, err)
	}
	_, metrics, err := probe("/metrics", c.ReadinessProbe.HTTPGet.HTTPHeaders)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`socsec_dataset_series{dataset="test"}`, `socsec_dataset_series{dataset="volume"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// volumeDataset is the dataset TestChartRunsTheExporter puts in the datasets volume.
const volumeDataset = `id: volume
title: A dataset on the datasets volume
sources:
  - id: s1
    title: A report
regions:
  - code: "150000"
    name: 内蒙古自治区
    name_en: Inner Mongolia
    level: province
programs:
  - id: basic_pension
    name: Basic pension insurance
observations:
  - indicator: socsec_coverage_ratio
    region: "150000"
    program: basic_pension
    year: 2020
    value: 0.9
`

func chartAppVersion(t *testing.T) string {
	t.Helper()
	var c struct {
		AppVersion string `json:"appVersion"`
	}
	b, err := os.ReadFile(filepath.Join(chart, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c.AppVersion
}

// TestChartAppVersionIsTheExporters checks that the chart's appVersion, its default image tag, is VERSION.
func TestChartAppVersionIsTheExporters(t *testing.T) {
	b, err := os.ReadFile("../../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	if v := strings.TrimSpace(string(b)); chartAppVersion(t) != v {
		t.Errorf("Chart.yaml appVersion %q, want VERSION's %q", chartAppVersion(t), v)
	}
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", pattern, err)
	}
	return files
}

func kindsEqual(got, want map[string]int) bool {
	for k, n := range got {
		if want[k] != n {
			return false
		}
	}
	for k, n := range want {
		if got[k] != n {
			return false
		}
	}
	return true
}

// subset reports whether every label of a is in b with the same value, and a has some.
func subset(a, b map[string]string) bool {
	if len(a) == 0 {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
