package helm

import (
	"bytes"
	"encoding/json"
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
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/socsec-exporter/socsec_exporter/dashboards"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

const (
	chart      = "socsec-exporter"
	allOptions = "testdata/all-options.yaml"
	rulesGlob  = "../prometheus/rules/*.yml"
	dashGlob   = "../../dashboards/*.json"
	// history is the History dashboard, which the chart leaves out unless dashboards.history.enabled is set.
	history = "socsec-history.json"
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
	ingresses       []networkingv1.Ingress
}

// kinds returns the number of objects of each kind.
func (r *rendered) kinds() map[string]int {
	return map[string]int{
		"Deployment": len(r.deployments), "Service": len(r.services), "ConfigMap": len(r.configMaps),
		"Secret": len(r.secrets), "ServiceMonitor": len(r.serviceMonitors), "PrometheusRule": len(r.prometheusRules),
		"Ingress": len(r.ingresses),
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
		case "networking.k8s.io/v1 Ingress":
			r.ingresses, err = decodeStrict(doc, r.ingresses)
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
		"ServiceMonitor": 2, "PrometheusRule": len(glob(t, rulesGlob)), "Ingress": 1}
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
	checkDashboards(t, r.configMaps, nil, "https://statistics.example.org/socsec")
	checkIngress(t, r, "socsec.example.org", "/", "nginx", "socsec-national-tls")
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

// TestChartLeavesOutDashboards checks dashboards.exclude, beside the History dashboard, which is off by default.
func TestChartLeavesOutDashboards(t *testing.T) {
	r := render(t, "--set", "dashboards.enabled=true", "--set", "dashboards.exclude={socsec-sources.json}")
	checkDashboards(t, r.configMaps, []string{"socsec-sources.json", history}, dashboards.DefaultExporterURL)
}

// TestChartHistoryDashboardIsOptIn checks that the History dashboard, which needs a Prometheus holding the backfilled
// years as the data source prometheus-history (docs/history.md), is rendered only with dashboards.history.enabled,
// and then with the others.
func TestChartHistoryDashboardIsOptIn(t *testing.T) {
	checkDashboards(t, render(t, "--set", "dashboards.enabled=true").configMaps, []string{history}, dashboards.DefaultExporterURL)
	checkDashboards(t, render(t, "--set", "dashboards.enabled=true,dashboards.history.enabled=true").configMaps, nil,
		dashboards.DefaultExporterURL)
	if r := render(t, "--set", "dashboards.history.enabled=true"); len(r.configMaps) > 0 {
		t.Errorf("dashboards.history.enabled without dashboards.enabled renders %d ConfigMaps, want none", len(r.configMaps))
	}
}

// TestChartExporterURL checks the address the dashboards' "Source of this figure" links open: dashboards.exporterURL
// as given (without a trailing slash), else the Ingress' first host and path (https when a tls entry names the
// host), else http://localhost:<web.port>, where the port-forward of the chart's notes puts the exporter.
func TestChartExporterURL(t *testing.T) {
	ingress := "ingress.enabled=true,ingress.hosts[0].host=socsec.example.org"
	for _, c := range []struct {
		set  []string
		want string
	}{
		{nil, "http://localhost:10716"},
		{[]string{"web.port=9716"}, "http://localhost:9716"},
		{[]string{ingress}, "http://socsec.example.org"},
		{[]string{ingress, "ingress.tls[0].hosts[0]=socsec.example.org,ingress.tls[0].secretName=tls"}, "https://socsec.example.org"},
		{[]string{ingress, "ingress.tls[0].hosts[0]=other.example.org,ingress.tls[0].secretName=tls"}, "http://socsec.example.org"},
		{[]string{ingress, "ingress.hosts[0].paths[0].path=/socsec/"}, "http://socsec.example.org/socsec"},
		{[]string{ingress, "dashboards.exporterURL=https://statistics.example.org/socsec/"}, "https://statistics.example.org/socsec"},
		{[]string{"dashboards.exporterURL=https://statistics.example.org"}, "https://statistics.example.org"},
	} {
		args := []string{"--set", "dashboards.enabled=true"}
		for _, s := range c.set {
			args = append(args, "--set", s)
		}
		t.Run(strings.Join(c.set, ","), func(t *testing.T) {
			checkDashboards(t, render(t, args...).configMaps, []string{history}, c.want)
		})
	}
}

// TestChartIngress renders the Ingress with a class, annotations and TLS, and checks that it sends its host's path
// to the Service's port http, and that a host's paths default to /.
func TestChartIngress(t *testing.T) {
	if r := render(t); len(r.ingresses) != 0 {
		t.Errorf("the defaults render %d Ingresses, want none", len(r.ingresses))
	}
	r := render(t, "--set", "ingress.enabled=true,ingress.className=traefik,ingress.hosts[0].host=socsec.example.org",
		"--set", "ingress.annotations.example\\.org/owner=statistics",
		"--set", "ingress.tls[0].hosts[0]=socsec.example.org,ingress.tls[0].secretName=socsec-tls")
	checkIngress(t, r, "socsec.example.org", "/", "traefik", "socsec-tls")
	if a := r.ingresses[0].Annotations["example.org/owner"]; a != "statistics" {
		t.Errorf("Ingress annotations %v lack ingress.annotations", r.ingresses[0].Annotations)
	}
}

// checkIngress checks that there is one Ingress, of the class className, sending path (Prefix) on host to the
// Service's port http, with TLS for host from the Secret secretName.
func checkIngress(t *testing.T, r *rendered, host, path, className, secretName string) {
	t.Helper()
	if len(r.ingresses) != 1 {
		t.Fatalf("%d Ingresses, want 1", len(r.ingresses))
	}
	in := r.ingresses[0]
	if in.Spec.IngressClassName == nil || *in.Spec.IngressClassName != className {
		t.Errorf("Ingress class %v, want %s", in.Spec.IngressClassName, className)
	}
	if len(in.Spec.TLS) != 1 || in.Spec.TLS[0].SecretName != secretName || !slices.Equal(in.Spec.TLS[0].Hosts, []string{host}) {
		t.Errorf("Ingress TLS %+v, want %s from the Secret %s", in.Spec.TLS, host, secretName)
	}
	if len(in.Spec.Rules) != 1 || in.Spec.Rules[0].Host != host || in.Spec.Rules[0].HTTP == nil || len(in.Spec.Rules[0].HTTP.Paths) != 1 {
		t.Fatalf("Ingress rules %+v, want one path on %s", in.Spec.Rules, host)
	}
	p := in.Spec.Rules[0].HTTP.Paths[0]
	service := r.services[0]
	if p.Path != path || p.PathType == nil || *p.PathType != networkingv1.PathTypePrefix || p.Backend.Service == nil ||
		p.Backend.Service.Name != service.Name || p.Backend.Service.Port.Name != "http" {
		t.Errorf("Ingress path %+v, want %s (Prefix) to the Service %s, port http", p, path, service.Name)
	}
	if !slices.ContainsFunc(service.Spec.Ports, func(sp corev1.ServicePort) bool { return sp.Name == "http" }) {
		t.Errorf("the Service %s has no port http for the Ingress", service.Name)
	}
}

// installMarker precedes the README's command that installs the chart beside kube-prometheus-stack.
const installMarker = "helm install socsec-exporter deploy/helm/socsec-exporter"

// TestREADMEInstallsForKubePrometheusStack renders the chart with the values of the README's helm install command and
// checks what kube-prometheus-stack needs, at its defaults: the ServiceMonitor and the PrometheusRule labelled with its
// release, which its Prometheus selects; the dashboards labelled for its Grafana sidecar (grafana_dashboard: "1"),
// each defaulting to its Grafana's data source (uid prometheus), and so none needing one it does not have, as the
// History dashboard does.
func TestREADMEInstallsForKubePrometheusStack(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), installMarker)
	if !ok {
		t.Fatalf("README.md has no %q", installMarker)
	}
	command, _, _ := strings.Cut(after, "\n```")
	command = strings.ReplaceAll(command, "\\\n", " ")
	command, _, _ = strings.Cut(command, "\n")
	args := []string{}
	fields := strings.Fields(command)
	for i := 0; i < len(fields); i++ {
		switch fields[i] {
		case "--namespace", "--set":
			if i+1 == len(fields) {
				t.Fatalf("README.md: %s without a value in %q", fields[i], command)
			}
			args = append(args, fields[i], fields[i+1])
			i++
		default:
			t.Fatalf("README.md: the install command has %q, which this test does not know: %q", fields[i], command)
		}
	}
	r := render(t, args...)
	if len(r.serviceMonitors) != 1 || r.serviceMonitors[0].Labels["release"] != "kube-prometheus-stack" {
		t.Errorf("ServiceMonitors %d, the first labelled %v: want one labelled release=kube-prometheus-stack", len(r.serviceMonitors),
			func() map[string]string {
				if len(r.serviceMonitors) > 0 {
					return r.serviceMonitors[0].Labels
				}
				return nil
			}())
	}
	if len(r.prometheusRules) == 0 || r.prometheusRules[0].Labels["release"] != "kube-prometheus-stack" {
		t.Errorf("PrometheusRules %d: want them labelled release=kube-prometheus-stack", len(r.prometheusRules))
	}
	checkDashboards(t, r.configMaps, []string{history}, dashboards.DefaultExporterURL)
	for _, c := range r.configMaps {
		for name, data := range c.Data {
			var d struct {
				Templating struct {
					List []struct {
						Type    string `json:"type"`
						Current struct {
							Value any `json:"value"`
						} `json:"current"`
					} `json:"list"`
				} `json:"templating"`
			}
			if err := json.Unmarshal([]byte(data), &d); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, v := range d.Templating.List {
				if v.Type == "datasource" && v.Current.Value != "prometheus" {
					t.Errorf("%s defaults to the data source %v, which kube-prometheus-stack's Grafana does not have (its is prometheus)", name, v.Current.Value)
				}
			}
		}
	}
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
		{[]string{"ingress.enabled=true"}, "ingress.hosts: name at least one host"},
		{[]string{"ingress.enabled=true", "ingress.hosts[0].host=a.example.org", "ingress.hosts[0].paths[0].path=socsec"}, "/ingress/hosts/0/paths/0/path"},
		{[]string{"ingress.enabled=true", "ingress.hosts[0].hosts=a.example.org"}, "additional properties 'hosts' not allowed"},
		{[]string{"dashboards.exporterURL=socsec.example.org"}, "/dashboards/exporterURL"},
		{[]string{"dashboards.history=true"}, "/dashboards/history"},
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
	if p := c.StartupProbe; p == nil || p.PeriodSeconds*p.FailureThreshold < 120 {
		t.Errorf("startup probe %+v, want one that waits at least --config.reload-timeout's 2m for the first load, before which nothing listens", p)
	}
	for probe, path := range map[*corev1.Probe]string{c.StartupProbe: "/-/healthy", c.LivenessProbe: "/-/healthy", c.ReadinessProbe: "/-/ready"} {
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
// dashboards/ but those excluded, and no other: the dashboard as it is, but for the address its "Source of this
// figure" links open, the exporter_url variable, which defaults to exporterURL.
func checkDashboards(t *testing.T, configMaps []corev1.ConfigMap, excluded []string, exporterURL string) {
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
				t.Errorf("%s is rendered though left out", name)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: no ConfigMap holds it", name)
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var want, have map[string]any
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := json.Unmarshal([]byte(data), &have); err != nil {
			t.Errorf("%s as rendered is no JSON: %v", name, err)
			continue
		}
		if url := exporterDefault(t, name, have, dashboards.DefaultExporterURL); url != exporterURL {
			t.Errorf("%s: the %s variable defaults to %q, want %q", name, dashboards.ExporterVariable, url, exporterURL)
		}
		exporterDefault(t, file, want, dashboards.DefaultExporterURL)
		if !reflect.DeepEqual(have, want) {
			t.Errorf("%s: the ConfigMap holds it with more changed than the %s variable: run go generate ./deploy/helm", name, dashboards.ExporterVariable)
		}
	}
	for name := range got {
		t.Errorf("a ConfigMap holds %s, which is not in dashboards/", name)
	}
}

// exporterDefault returns the value the exporter_url text box of the decoded dashboard d defaults to, and sets it to
// reset, failing the test unless its query and its current text and value all hold that value.
func exporterDefault(t *testing.T, name string, d map[string]any, reset string) string {
	t.Helper()
	templating, _ := d["templating"].(map[string]any)
	list, _ := templating["list"].([]any)
	for _, item := range list {
		v, _ := item.(map[string]any)
		if v["name"] != dashboards.ExporterVariable {
			continue
		}
		current, _ := v["current"].(map[string]any)
		query, _ := v["query"].(string)
		if current["text"] != query || current["value"] != query {
			t.Errorf("%s: the %s variable has the query %q but the current value %v", name, dashboards.ExporterVariable, query, current)
		}
		v["query"], current["text"], current["value"] = reset, reset, reset
		return query
	}
	t.Errorf("%s has no %s variable", name, dashboards.ExporterVariable)
	return ""
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
