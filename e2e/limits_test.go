package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// runExporter runs the binary with args and returns its combined output and
// exit code, failing if it runs for more than 10 s: nothing here may block.
func runExporter(t *testing.T, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testenv.Exporter(t), args...)
	cmd.Dir = testenv.RepoRoot(t)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("socsec_exporter %s did not finish within 10 s:\n%s", strings.Join(args, " "), out)
	}
	exit := 0
	if e, ok := err.(*exec.ExitError); ok {
		exit = e.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), exit
}

// TestDatasetLimitFlags checks that the --dataset.* limits reach the load of
// both check and serve, and that a limit of 0 or below is refused at start.
func TestDatasetLimitFlags(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for _, c := range []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"check refuses a named pipe without blocking", []string{"check", fifo}, 1,
			fifo + ": is a named pipe (FIFO), not a regular file: only regular files are read"},
		{"check refuses /dev/zero", []string{"check", "/dev/zero"}, 1,
			"/dev/zero: is a character device, not a regular file: only regular files are read"},
		{"check applies --dataset.max-series", []string{"check", "--dataset.max-series=3", "config/testdata/valid-settlement.yaml"}, 1,
			"config/testdata/valid-settlement.yaml:51:5: over the limit of 3 figures in one load (--dataset.max-series): the load stops here"},
		{"serve applies --dataset.max-label-bytes at start-up", []string{"--web.listen-address=" + testenv.FreeAddr(t), "--dataset.max-label-bytes=10"}, 1,
			"embedded:default/shanxi-2021-07-07.yaml:7:8: title: is 58 bytes long, over the limit of 10 bytes for a label value (--dataset.max-label-bytes)"},
		{"serve refuses a limit of 0", []string{"--dataset.max-file-bytes=0"}, 2,
			"--dataset.max-file-bytes must be at least 1, got 0 (there is no unlimited setting: give a large value instead)"},
		{"check refuses a negative limit", []string{"check", "--dataset.max-total-bytes=-5"}, 2,
			"--dataset.max-total-bytes must be at least 1, got -5 (there is no unlimited setting: give a large value instead)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, exit := runExporter(t, c.args...)
			if exit != c.exit {
				t.Errorf("exit code %d, want %d\n%s", exit, c.exit, out)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("the output does not say %q:\n%s", c.want, out)
			}
		})
	}
	if _, err := os.Stat(fifo); err != nil {
		t.Fatal(err)
	}
}
