package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// alertmanagerWait bounds each wait of TestAlertmanagerDelivers: building and starting the programs, and the first
// notification of a group, which the shipped config holds back for its group_wait (30 s).
const alertmanagerWait = 3 * time.Minute

// notification is what Alertmanager's webhook receiver posts: one group of alerts.
type notification struct {
	Receiver          string            `json:"receiver"`
	Status            string            `json:"status"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	Alerts            []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"alerts"`
}

// webhook is a webhook receiver on loopback that keeps every notification posted to it.
type webhook struct {
	mu   sync.Mutex
	got  []notification
	errs []string
}

func (w *webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var n notification
	err := json.NewDecoder(r.Body).Decode(&n)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.errs = append(w.errs, err.Error())
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.got = append(w.got, n)
}

// received returns how many notifications were received so far.
func (w *webhook) received() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.got)
}

// notifications returns the notifications received so far whose alerts have the name alertname.
func (w *webhook) notifications(alertname string) []notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	var ns []notification
	for _, n := range w.got {
		if n.CommonLabels["alertname"] == alertname {
			ns = append(ns, n)
		}
	}
	return ns
}

// shippedAlertmanager is the shipped Alertmanager config, decoded as far as the test reads it.
type shippedAlertmanager struct {
	Route struct {
		Receiver string   `yaml:"receiver"`
		GroupBy  []string `yaml:"group_by"`
	} `yaml:"route"`
}

// alertmanagerConfig returns the shipped Alertmanager config with its route's receiver sending to url, and the
// route's group_by: only the receiver is adapted, so that grouping and timing are the shipped ones.
func alertmanagerConfig(t *testing.T, root, url string) ([]byte, []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "deploy", "alertmanager", "alertmanager.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var shipped shippedAlertmanager
	if err := yaml.Unmarshal(b, &shipped); err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	receivers, _ := cfg["receivers"].([]any)
	adapted := 0
	for _, r := range receivers {
		if r, ok := r.(map[string]any); ok && r["name"] == shipped.Route.Receiver {
			r["webhook_configs"] = []any{map[string]any{"url": url, "send_resolved": false}}
			adapted++
		}
	}
	if adapted != 1 || len(shipped.Route.GroupBy) == 0 {
		t.Fatalf("the shipped config has %d receivers named %q, its route's receiver, and group_by %v; want one, and a group_by",
			adapted, shipped.Route.Receiver, shipped.Route.GroupBy)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out, shipped.Route.GroupBy
}

// forDuration is a `for:` of an alerting rule.
var forDuration = regexp.MustCompile(`(?m)^(\s+for:) \S+$`)

// TestAlertmanagerDelivers runs the exporter, a real Prometheus with the shipped rules and a real Alertmanager with
// the shipped config, whose receiver only is a webhook served by the test, and checks what reaches the webhook: the
// coverage figure below its target, with its labels, its bounds and the target in the description, and its runbook
// URL, in a group of the shipped group_by; the inconsistent figures of a dataset that acknowledges nothing; and no
// data-inconsistent alert for the embedded default, whose one failed check it acknowledges.
func TestAlertmanagerDelivers(t *testing.T) {
	root := testenv.RepoRoot(t)
	dir := t.TempDir()

	hook := &webhook{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: hook, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	amConfig, groupBy := alertmanagerConfig(t, root, "http://"+l.Addr().String()+"/")
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), amConfig, 0o644); err != nil {
		t.Fatal(err)
	}
	amAddr := testenv.FreeAddr(t)
	am := testenv.Start(t, dir, testenv.Tool(t, "alertmanager", ""),
		"--config.file="+filepath.Join(dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(dir, "alertmanager-data"),
		"--web.listen-address="+amAddr,
		"--cluster.listen-address=") // No cluster: nothing listens beyond the test's loopback port.
	testenv.WaitFor(t, "Alertmanager to be ready", alertmanagerWait, func() error {
		if am.Cmd.ProcessState != nil {
			return fmt.Errorf("exited: %s", am.Output())
		}
		return testenv.HTTPStatus(http.DefaultClient, "http://"+amAddr+"/-/ready", http.StatusOK)
	})

	// The shipped rules with every `for:` cut to a second, so that alerts fire within the test rather than after
	// their 5 or 15 minutes; nothing else of the rules changes.
	rules, err := os.ReadFile(filepath.Join(root, "deploy", "prometheus", "rules", "socsec.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(forDuration.FindAll(rules, -1)) == 0 {
		t.Fatal("the shipped rules have no `for:` to shorten")
	}
	rulesCopy := filepath.Join(dir, "socsec.rules.yml")
	if err := os.WriteFile(rulesCopy, forDuration.ReplaceAll(rules, []byte("$1 1s")), 0o644); err != nil {
		t.Fatal(err)
	}

	_, exporter := testenv.StartExporter(t, "--config.file="+filepath.Join(root, "e2e", "testdata", "alertmanager", "socsec.yml"))
	testenv.StartPrometheus(t, fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
alerting:
  alertmanagers:
    - static_configs:
        - targets: [%q]
rule_files: [%q]
scrape_configs:
  - job_name: socsec
    static_configs:
      - targets: [%q]
`, amAddr, rulesCopy, strings.TrimPrefix(exporter, "http://")))

	// groupLabels is what the shipped group_by makes of an alert's labels: those of its names that the alert has.
	groupLabels := func(labels map[string]string) map[string]string {
		g := map[string]string{}
		for _, name := range groupBy {
			if v := labels[name]; v != "" {
				g[name] = v
			}
		}
		return g
	}

	var coverage notification
	testenv.WaitFor(t, "Alertmanager to deliver SocsecCoverageBelowTarget to the webhook", alertmanagerWait, func() error {
		ns := hook.notifications("SocsecCoverageBelowTarget")
		if len(ns) == 0 {
			return fmt.Errorf("no notification of it among %d received", hook.received())
		}
		coverage = ns[0]
		return nil
	})
	if len(coverage.Alerts) != 1 {
		t.Fatalf("the coverage notification has %d alerts, want the one of Shanxi basic pension: %+v", len(coverage.Alerts), coverage)
	}
	a := coverage.Alerts[0]
	wantLabels := map[string]string{"alertname": "SocsecCoverageBelowTarget", "severity": "warning", "job": "socsec",
		"instance": strings.TrimPrefix(exporter, "http://"), "region_code": "140000", "program": "basic_pension"}
	if !maps.Equal(a.Labels, wantLabels) || a.Status != "firing" || coverage.Receiver != "default" {
		t.Errorf("delivered %s alert with labels %v to receiver %q, want a firing alert with labels %v to default", a.Status, a.Labels, coverage.Receiver, wantLabels)
	}
	if want := groupLabels(a.Labels); !maps.Equal(coverage.GroupLabels, want) {
		t.Errorf("the coverage alert is grouped by %v, want %v as the shipped group_by %v says", coverage.GroupLabels, want, groupBy)
	}
	// 93.2 % as published, which allows up to 93.25 %, below the 95 % target.
	for _, s := range []string{"was 93.2%", "93.25%", "95%"} {
		if !strings.Contains(a.Annotations["description"], s) {
			t.Errorf("the description lacks %q: %q", s, a.Annotations["description"])
		}
	}
	if url := "https://github.com/socsec-exporter/socsec_exporter/blob/main/docs/runbooks.md#socseccoveragebelowtarget"; a.Annotations["runbook_url"] != url {
		t.Errorf("runbook_url %q, want %q", a.Annotations["runbook_url"], url)
	}

	// The dataset that acknowledges nothing has its data-inconsistent alert delivered; the default's acknowledged
	// failure has none. Both datasets' alerts would be one group (the alert has neither region_code nor program) and
	// go out together in the group's first notification, so that notification tells whether the default's fired.
	var inconsistent notification
	testenv.WaitFor(t, "Alertmanager to deliver SocsecDataInconsistent for the unacknowledged dataset", alertmanagerWait, func() error {
		ns := hook.notifications("SocsecDataInconsistent")
		if len(ns) == 0 {
			return fmt.Errorf("no notification of it among %d received", hook.received())
		}
		inconsistent = ns[0]
		return nil
	})
	var datasets []string
	for _, a := range inconsistent.Alerts {
		datasets = append(datasets, a.Labels["dataset"])
	}
	if !slices.Equal(datasets, []string{"unacknowledged"}) {
		t.Errorf("SocsecDataInconsistent delivered for datasets %v, want [unacknowledged]: shanxi-2021-07-07 acknowledges its one failed check", datasets)
	}
	if want := map[string]string{"alertname": "SocsecDataInconsistent"}; !maps.Equal(inconsistent.GroupLabels, want) {
		t.Errorf("SocsecDataInconsistent is grouped by %v, want %v", inconsistent.GroupLabels, want)
	}
	hook.mu.Lock()
	defer hook.mu.Unlock()
	for _, n := range hook.got {
		for _, a := range n.Alerts {
			if a.Labels["alertname"] == "SocsecDataInconsistent" && a.Labels["dataset"] == "shanxi-2021-07-07" {
				t.Errorf("SocsecDataInconsistent delivered for shanxi-2021-07-07, whose one failed check is acknowledged: %+v", n)
			}
		}
	}
	if len(hook.errs) > 0 {
		t.Errorf("the webhook received posts it could not decode: %v", hook.errs)
	}
}
