package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// run runs the built binary with args in the repository root and returns
// its stdout, stderr and exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(testenv.Exporter(t), args...)
	cmd.Dir = testenv.RepoRoot(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if e, ok := err.(*exec.ExitError); ok {
		code = e.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// TestHelpListsTheServingFlags checks that --help goes to stdout and lists
// the serving flags at the top level, not only under serve --help.
func TestHelpListsTheServingFlags(t *testing.T) {
	stdout, stderr, code := run(t, "--help")
	if code != 0 || stderr != "" {
		t.Fatalf("--help exited %d with stderr %q", code, stderr)
	}
	for _, flag := range []string{"--web.listen-address", "--web.config.file", "--web.telemetry-path", "web.enable-lifecycle", "--config.file", "--dataset.max-file-bytes", "--log.level"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("--help on stdout does not list %s", flag)
		}
	}
}

// TestVersionWithoutLdflags checks that a plain go build reports the
// version of the VERSION file.
func TestVersionWithoutLdflags(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, "--version")
	if code != 0 || !strings.Contains(stdout+stderr, "version "+strings.TrimSpace(string(want))) {
		t.Errorf("--version exited %d and printed %q %q, want version %s", code, stdout, stderr, strings.TrimSpace(string(want)))
	}
}

// TestBackfillToStdout checks that --output=- writes the history to stdout
// and no file named -.
func TestBackfillToStdout(t *testing.T) {
	stdout, stderr, code := run(t, "backfill", "--output=-")
	if code != 0 {
		t.Fatalf("backfill --output=- exited %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "# HELP ") || !strings.HasSuffix(stdout, "# EOF\n") || !strings.Contains(stdout, "socsec_coverage_ratio{") {
		t.Errorf("stdout is not the OpenMetrics history:\n%.300s", stdout)
	}
	if _, err := os.Stat(filepath.Join(testenv.RepoRoot(t), "-")); err == nil {
		t.Error("backfill --output=- wrote a file named -")
	}
}
