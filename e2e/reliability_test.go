package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// processFDs counts the open file descriptors of process pid.
func processFDs(t *testing.T, pid int) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// TestSlowAndIdleClients runs the binary with short time limits and sends
// it 20 clients that ask for /metrics (17 MB) and never read, against
// --web.max-requests 5, then 300 keep-alive connections left idle after a
// request and 100 that never send one. A normal scrape gets its 200 within
// 15 s, and the exporter's open file descriptors return to where they were
// within the idle timeout plus slack. It counts events and bounds them
// generously; it measures no speed.
func TestSlowAndIdleClients(t *testing.T) {
	dir := t.TempDir()
	if _, err := datagen.Write(dir, datagen.Options{Series: 100000}); err != nil {
		t.Fatal(err)
	}
	proc, base := testenv.StartExporter(t, "--config.file="+filepath.Join(dir, "config.yml"), "--web.max-requests=5",
		"--web.write-stall-timeout=2s", "--web.idle-timeout=2s", "--web.read-header-timeout=2s")
	addr := strings.TrimPrefix(base, "http://")
	pid := proc.Cmd.Process.Pid
	baseline := processFDs(t, pid)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		return c
	}
	for range 20 {
		fmt.Fprintf(dial(), "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: %s\r\n\r\n", textAccept)
	}
	for i := range 300 {
		c := dial()
		fmt.Fprint(c, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("idle connection %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for range 100 {
		dial()
	}
	peak := processFDs(t, pid)

	client := &http.Client{Timeout: 15 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	busy := 0
	for {
		resp, err := client.Get(base + "/metrics")
		if err != nil {
			t.Fatalf("a normal scrape: %v", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("a normal scrape: reading the body: %v", err)
		}
		if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "\nsocsec_coverage_ratio{") {
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("a normal scrape: %s", resp.Status)
		}
		busy++
		if time.Now().After(deadline) {
			t.Fatalf("a normal scrape still got 503 after 15 s (%d tries): clients that do not read hold --web.max-requests", busy)
		}
		time.Sleep(100 * time.Millisecond)
	}
	client.CloseIdleConnections()

	deadline = time.Now().Add(2*time.Second + 30*time.Second)
	for {
		n := processFDs(t, pid)
		if n <= baseline+5 {
			t.Logf("exporter descriptors: %d before the clients, %d with them, %d now; a normal scrape got 503 %d times first", baseline, peak, n, busy)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the exporter has %d descriptors open 32 s after %d clients went idle, %d before them: idle and stalled connections are not closed", n, len(conns), baseline)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
