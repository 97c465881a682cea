package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestStackRunsTheTestedVersions checks that the docker-compose stack and the Dockerfile run the Prometheus and
// Alertmanager versions of deploy/versions.env, which the tests build and run.
func TestStackRunsTheTestedVersions(t *testing.T) {
	v := testenv.Versions(t)
	images := map[string]string{
		"prom/prometheus":   "prom/prometheus:v" + v["PROMETHEUS_VERSION"],
		"prom/alertmanager": "prom/alertmanager:v" + v["ALERTMANAGER_VERSION"],
	}
	used := map[string]bool{}
	for name, s := range loadCompose(t).Services {
		repo, _, _ := strings.Cut(s.Image, ":")
		if want, ok := images[repo]; ok {
			used[repo] = true
			if s.Image != want {
				t.Errorf("docker-compose.yml: %s runs %s, but the tests run %s (%s): change both together", name, s.Image, want, testenv.VersionsFile)
			}
		}
	}
	for repo := range images {
		if !used[repo] {
			t.Errorf("docker-compose.yml runs no %s image", repo)
		}
	}
	dockerfile, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^FROM (prom/[a-z]+)(:\S*)?`).FindAllStringSubmatch(string(dockerfile), -1) {
		if want := images[m[1]]; m[0] != "FROM "+want {
			t.Errorf("Dockerfile: %q, but the tests run %s (%s)", m[0], want, testenv.VersionsFile)
		}
	}
}

// TestToolsAreTheStackVersions checks that the programs the tests run are those of deploy/versions.env, built by
// scripts/build-test-tools.sh, and not others found on PATH.
func TestToolsAreTheStackVersions(t *testing.T) {
	v := testenv.Versions(t)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"prometheus", []string{"--version"}, "prometheus, version " + v["PROMETHEUS_VERSION"] + " "},
		{"promtool", []string{"--version"}, "promtool, version " + v["PROMETHEUS_VERSION"] + " "},
		{"amtool", []string{"--version"}, "amtool, version " + v["ALERTMANAGER_VERSION"] + " "},
		{"alertmanager", []string{"--version"}, "alertmanager, version " + v["ALERTMANAGER_VERSION"] + " "},
		{"helm", []string{"version", "--short"}, "v" + v["HELM_VERSION"] + "\n"},
	} {
		path := testenv.Tool(t, c.name, "")
		out, err := exec.Command(path, c.args...).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), c.want) {
			t.Errorf("%s %s: %v\n%s\nwant it to start with %q", path, strings.Join(c.args, " "), err, out, c.want)
		}
		dir, err := testenv.ToolsDir()
		if err != nil {
			t.Fatal(err)
		}
		if rel, err := filepath.Rel(dir, path); err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s runs from %s, outside %s", c.name, path, dir)
		}
	}
}

// TestRulesPassOldestPromtool runs the rule checks and tests of TestRulesPassPromtool with Debian's promtool 2.42 too,
// the oldest Prometheus supported: the rules and their tests hold on both.
func TestRulesPassOldestPromtool(t *testing.T) {
	promtool, version := testenv.DebianPrometheus(t, "promtool")
	t.Logf("promtool %s", version)
	tests, err := filepath.Glob("prometheus/tests/*.yml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule tests in prometheus/tests (%v)", err)
	}
	for _, args := range [][]string{{"check", "rules", rulesFile}, append([]string{"test", "rules"}, tests...)} {
		if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %s %s: %v\n%s", version, strings.Join(args, " "), err, out)
		}
	}
}
