package testenv

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// VersionsFile is the one place that states the versions of Prometheus, Alertmanager and helm that the
// docker-compose stack runs and the tests run, relative to the repository's root.
const VersionsFile = "deploy/versions.env"

// ToolsDirEnv names the directory where scripts/build-test-tools.sh puts the programs it builds, one directory per
// program and version (prometheus-3.16.0/). Unset, it is socsec_exporter/tools in $XDG_CACHE_HOME, else in ~/.cache.
const ToolsDirEnv = "SOCSEC_TOOLS_DIR"

// built are the programs scripts/build-test-tools.sh builds from their Go modules: the prefix of their directory and
// the key of VersionsFile that gives their version.
var built = map[string]struct{ dir, key string }{
	"prometheus": {"prometheus", "PROMETHEUS_VERSION"},
	"promtool":   {"prometheus", "PROMETHEUS_VERSION"},
	"amtool":     {"alertmanager", "ALERTMANAGER_VERSION"},
	// The server is built apart from amtool, without its web UI (scripts/build-test-tools.sh says why).
	"alertmanager": {"alertmanager-server", "ALERTMANAGER_VERSION"},
	"helm":         {"helm", "HELM_VERSION"},
}

var versions struct {
	once sync.Once
	m    map[string]string
	err  error
}

// Versions returns the KEY=VALUE lines of VersionsFile, failing the test when it cannot be read.
func Versions(t testing.TB) map[string]string {
	t.Helper()
	root := RepoRoot(t)
	versions.once.Do(func() {
		versions.m, versions.err = readVersions(filepath.Join(root, VersionsFile))
	})
	if versions.err != nil {
		t.Fatal(versions.err)
	}
	return versions.m
}

// readVersions reads KEY=VALUE lines, skipping blank lines and # comments, as sh's . would set them.
func readVersions(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	line := regexp.MustCompile(`^([A-Z_]+)=([0-9A-Za-z.+-]+)$`)
	s := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; s.Scan(); n++ {
		text := strings.TrimSpace(s.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		kv := line.FindStringSubmatch(text)
		if kv == nil {
			return nil, fmt.Errorf("%s:%d: %q is not KEY=VERSION", path, n, text)
		}
		m[kv[1]] = kv[2]
	}
	// By program name, so that a file lacking several keys is refused for
	// the same one each time.
	for _, name := range slices.Sorted(maps.Keys(built)) {
		if key := built[name].key; m[key] == "" {
			return nil, fmt.Errorf("%s: no %s", path, key)
		}
	}
	return m, nil
}

// ToolsDir returns the directory where scripts/build-test-tools.sh puts what it builds (see ToolsDirEnv).
func ToolsDir() (string, error) {
	if dir := os.Getenv(ToolsDirEnv); dir != "" {
		return dir, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no %s, XDG_CACHE_HOME or home directory: %w", ToolsDirEnv, err)
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "socsec_exporter", "tools"), nil
}

// builtTool returns the path of a program that scripts/build-test-tools.sh builds, at the version of VersionsFile,
// failing the test with the command that builds it when it is missing. It never falls back to another copy on PATH,
// which would test another version than the stack runs.
func builtTool(t testing.TB, name string) string {
	t.Helper()
	b := built[name]
	dir, err := ToolsDir()
	if err != nil {
		t.Fatal(err)
	}
	version := Versions(t)[b.key]
	path := filepath.Join(dir, b.dir+"-"+version, name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s %s (%s) is not built in %s: run scripts/build-test-tools.sh (make deps runs it), which builds it from its Go module",
			name, version, VersionsFile, dir)
	}
	return path
}

// DebianPrometheus returns the path and version of Debian's prometheus or promtool (name) on PATH: the oldest
// Prometheus the exporter supports (2.42, Debian 12's), which some tests run beside the version of VersionsFile. It
// fails the test when the program is missing or not from a Prometheus 2.
func DebianPrometheus(t testing.TB, name string) (path, version string) {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install Debian's with apt-get install -y --no-install-recommends prometheus (make deps does)", name)
	}
	out, err := exec.Command(path, "--version").CombinedOutput()
	m := regexp.MustCompile(`^` + name + `, version (2\.[0-9]+\.[0-9]+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("%s --version: %v\n%s\nwant a Prometheus 2 from Debian's package", path, err, out)
	}
	return path, string(m[1])
}
