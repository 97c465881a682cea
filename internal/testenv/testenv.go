// Package testenv starts the real parts that end-to-end tests exercise: the
// exporter binary, Prometheus and promtool, on loopback, stopped when the
// test ends.
package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// Tool returns the path of a program the tests need, failing (never
// skipping) when it is missing. prometheus, promtool, amtool, alertmanager
// and helm are those scripts/build-test-tools.sh builds at the versions of
// VersionsFile; any other is found on PATH, and the failure names the Debian
// package to install.
func Tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	if _, ok := built[name]; ok {
		return builtTool(t, name)
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install it with apt-get install -y --no-install-recommends %s (the README's test command does)", name, debianPackage)
	}
	return path
}

// RepoRoot returns the module's root directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Fatalf("finding the module root: %v", err)
	}
	return filepath.Dir(string(bytes.TrimSpace(out)))
}

var build struct {
	once sync.Once
	path string
	err  error
}

// Exporter builds the socsec_exporter binary once per test process.
func Exporter(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "socsec-e2e-")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "socsec_exporter")
		cmd := exec.Command("go", "build", "-o", build.path, "./cmd/socsec_exporter")
		cmd.Dir = RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// FreeAddr returns a loopback address with a port nobody listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Process is a program started for a test.
type Process struct {
	Cmd *exec.Cmd
	out *syncBuffer
}

// Output returns what the process wrote to stdout and stderr so far.
func (p *Process) Output() string { return p.out.String() }

// Signal sends sig to the process.
func (p *Process) Signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := p.Cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// Wait waits up to timeout for the process to exit and returns its error.
func (p *Process) Wait(timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		_ = p.Cmd.Process.Kill()
		return fmt.Errorf("still running after %s, killed", timeout)
	}
}

// Start runs a program in dir until the test ends; its output is shown if
// the test fails.
func Start(t testing.TB, dir, name string, args ...string) *Process {
	t.Helper()
	p := &Process{Cmd: exec.Command(name, args...), out: &syncBuffer{}}
	p.Cmd.Dir = dir
	p.Cmd.Stdout, p.Cmd.Stderr = p.out, p.out
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.Cmd.ProcessState == nil {
			_ = p.Cmd.Process.Kill()
			_ = p.Cmd.Wait()
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(name), p.Output())
		}
	})
	return p
}

// WaitFor polls check until it returns nil, failing the test after timeout.
func WaitFor(t testing.TB, what string, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// HTTPStatus returns nil when GET url answers with the status want.
func HTTPStatus(client *http.Client, url string, want int) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// StartExporter runs the exporter with args on a free loopback port and
// waits until it is ready; it returns the process and its base URL.
func StartExporter(t testing.TB, args ...string) (*Process, string) {
	t.Helper()
	addr := FreeAddr(t)
	p := Start(t, RepoRoot(t), Exporter(t), append([]string{"--web.listen-address=" + addr}, args...)...)
	base := "http://" + addr
	WaitFor(t, "the exporter to be ready", 30*time.Second, func() error {
		if p.Cmd.ProcessState != nil {
			return fmt.Errorf("exited: %s", p.Output())
		}
		return HTTPStatus(http.DefaultClient, base+"/-/ready", http.StatusOK)
	})
	return p, base
}

// StartPrometheus runs a real Prometheus with the given config on a free
// loopback port and fresh storage; extra flags are appended. It returns the
// base URL once Prometheus is ready.
func StartPrometheus(t testing.TB, config string, extra ...string) string {
	t.Helper()
	return StartPrometheusOn(t, filepath.Join(t.TempDir(), "data"), config, extra...)
}

// StartPrometheusOn runs a real Prometheus like StartPrometheus, but on the
// storage directory storage, such as one holding backfilled blocks.
func StartPrometheusOn(t testing.TB, storage, config string, extra ...string) string {
	t.Helper()
	return StartPrometheusWith(t, Tool(t, "prometheus", "prometheus"), storage, config, extra...)
}

// StartPrometheusWith runs the Prometheus binary bin like StartPrometheusOn,
// such as Debian's (DebianPrometheus).
func StartPrometheusWith(t testing.TB, bin, storage, config string, extra ...string) string {
	t.Helper()
	configFile := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(configFile, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := FreeAddr(t)
	args := []string{
		"--config.file=" + configFile,
		"--storage.tsdb.path=" + storage,
		"--web.listen-address=" + addr,
	}
	// Relative paths in the config (rule files) resolve against the repo root.
	Start(t, RepoRoot(t), bin, append(args, extra...)...)
	base := "http://" + addr
	WaitFor(t, "Prometheus to be ready", 60*time.Second, func() error {
		return HTTPStatus(http.DefaultClient, base+"/-/ready", http.StatusOK)
	})
	return base
}

// Backfill runs scripts/backfill.sh for at most two minutes with the built
// exporter and the real promtool, passing args (options and the output
// directory), and returns what the script printed.
func Backfill(t testing.TB, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(RepoRoot(t), "scripts", "backfill.sh"), args...)
	cmd.Env = append(os.Environ(), "SOCSEC_EXPORTER="+Exporter(t), "PROMTOOL="+Tool(t, "promtool", "prometheus"))
	cmd.WaitDelay = 5 * time.Second // Also stop waiting for a child the timeout leaves behind.
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/backfill.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// syncBuffer is a bytes.Buffer safe for a process to write while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Clone(b.buf.String())
}

// Now is the fixed clock of tests, so that "after next year" means after 2027
// whenever they run.
func Now() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }

// Load loads config and datasets with the test clock, failing the test on
// any error.
func Load(t testing.TB, opts config.Options) *dataset.Snapshot {
	t.Helper()
	opts.Now = Now
	res, err := config.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Snapshot
}

// Expfmt is what expfmt writes in format for everything c collects, gathered
// through a pedantic registry as promhttp would: the reference the golden
// files and the pre-rendered exposition are held to. OpenMetrics output has
// no final # EOF, which belongs at the end of a whole response.
func Expfmt(t testing.TB, c prometheus.Collector, format expfmt.Format) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, format)
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// Mismatch returns the offset of the first byte where a and b differ, or
// the length of the shorter when one is a prefix of the other.
func Mismatch(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Excerpt returns the bytes of b around offset at, to show a mismatch.
func Excerpt(b []byte, at int) []byte {
	return b[max(0, at-100):min(len(b), at+100)]
}

// MarkedYAMLBlock returns the ```yaml block that follows the one comment
// starting with marker in the repository's file rel, a document whose
// example a test runs.
func MarkedYAMLBlock(t testing.TB, rel, marker string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(RepoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(doc), marker); n != 1 {
		t.Fatalf("%s has %d comments starting %q, want exactly one before a ```yaml block", rel, n, marker)
	}
	_, after, _ := strings.Cut(string(doc), marker)
	_, after, ok := strings.Cut(after, "-->")
	fence, block, ok2 := strings.Cut(after, "```yaml\n")
	block, _, ok3 := strings.Cut(block, "\n```\n")
	if !ok || !ok2 || !ok3 || strings.TrimSpace(fence) != "" {
		t.Fatalf("%s: the comment %q is not followed by a ```yaml block", rel, marker)
	}
	return block
}
