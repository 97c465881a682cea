package e2e

import (
	"bytes"
	"net/http"
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
// the serving flags, as running the exporter without a command serves, with
// the flags every command takes.
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

// TestCommandHelpShowsItsOwnFlags checks that check --help and backfill
// --help list their own flags before the loading and log flags, and none of
// serve's serving flags.
func TestCommandHelpShowsItsOwnFlags(t *testing.T) {
	for command, own := range map[string][]string{
		"check":    {"--format=", "consistency-fatal", "strict"},
		"backfill": {"--output=", "--label="},
	} {
		stdout, stderr, code := run(t, command, "--help")
		if code != 0 || stderr != "" {
			t.Errorf("%s --help exited %d with stderr %q, want 0 and nothing", command, code, stderr)
			continue
		}
		for _, serving := range []string{"--web.", "--config.reload-timeout"} {
			if strings.Contains(stdout, serving) {
				t.Errorf("%s --help lists %s…, a flag of serve:\n%s", command, serving, stdout)
			}
		}
		shared := strings.Index(stdout, "--config.file=")
		for _, flag := range own {
			if i := strings.Index(stdout, flag); i < 0 || shared < 0 || i > shared {
				t.Errorf("%s --help does not list %s before --config.file:\n%s", command, flag, stdout)
			}
		}
	}
}

// TestUsageErrorsSayWhatWasExpected checks that a mistyped command or flag
// exits 2 with exactly this error on stderr: what was expected, the closest
// command or flag, and where --help tells more.
func TestUsageErrorsSayWhatWasExpected(t *testing.T) {
	want := map[string]string{
		"chek": `socsec_exporter: error: unknown command "chek" (did you mean check?): the commands are serve (the default), check and backfill
run socsec_exporter --help for the commands and the flags of serve
`,
		"--web.listen-adress=127.0.0.1:1": `socsec_exporter: error: unknown flag --web.listen-adress: did you mean --web.listen-address?
run socsec_exporter --help for the commands and the flags of serve
`,
		"check --frmat=json": `socsec_exporter: error: unknown flag --frmat: did you mean --format?
run socsec_exporter check --help for its flags
`,
	}
	for args, msg := range want {
		stdout, stderr, code := run(t, strings.Fields(args)...)
		if code != 2 || stdout != "" || stderr != msg {
			t.Errorf("socsec_exporter %s exited %d with stdout %q and stderr %q; want 2, nothing and %q", args, code, stdout, stderr, msg)
		}
	}
}

// TestErrorsGoToStderr checks that check and backfill write their errors to
// stderr and nothing but their reports to stdout. TestCheckCommand pins
// check's errors on bad files, stream by stream.
func TestErrorsGoToStderr(t *testing.T) {
	const missing = "e2e/testdata/does-not-exist.yml"
	for _, args := range [][]string{
		{"check", "--config.file=" + missing},
		{"backfill", "--config.file=" + missing, "--output=-"},
	} {
		stdout, stderr, code := run(t, args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, missing+": ") {
			t.Errorf("socsec_exporter %s exited %d with stdout %q and stderr %q; want 1, nothing on stdout and the error naming %s on stderr",
				strings.Join(args, " "), code, stdout, stderr, missing)
		}
	}

	stdout, stderr, code := run(t, "check", "config/testdata/invalid-unknown-region.yaml", "config/testdata/invalid-csv-bad-number.yaml", "config/testdata/invalid-reserved-indicator.yaml")
	if code != 1 || stdout != "" || stderr == "" {
		t.Errorf("check of three bad files exited %d with stdout %q and stderr %q, want 1, nothing on stdout and the errors on stderr", code, stdout, stderr)
	}
}

// TestServingFlagsWhereTheyAreWritten starts the exporter as the Dockerfile,
// the Helm chart and docker-compose.yml do, the serving flags before any
// command, and with serve named after them.
func TestServingFlagsWhereTheyAreWritten(t *testing.T) {
	for _, args := range [][]string{
		{"--config.file=docs/examples/socsec.yml", "--web.enable-lifecycle", "--log.level=debug", "--log.format=json"},
		{"--config.file=docs/examples/socsec.yml", "--web.max-requests=5", "serve"},
	} {
		_, base := testenv.StartExporter(t, args...)
		if err := testenv.HTTPStatus(http.DefaultClient, base+"/metrics", http.StatusOK); err != nil {
			t.Errorf("socsec_exporter --web.listen-address=… %s: /metrics: %v, want 200", strings.Join(args, " "), err)
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
