package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// The tests below count events and bound them with generous deadlines: the
// machine running them may be slow and busy, so none asserts how fast
// anything is.

// serve runs e's real server, with its time limits, on a loopback port
// until the test ends, and returns the address.
func serve(t *testing.T, e *Exporter) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := e.newServer()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

// reliableExporter is an exporter loaded from configFile with the options
// changed by set.
func reliableExporter(t *testing.T, configFile string, set func(*Options)) *Exporter {
	t.Helper()
	opts := Options{
		Load:          config.Options{ConfigFile: configFile, Now: testenv.Now},
		TelemetryPath: "/metrics",
		Logger:        slog.New(slog.DiscardHandler),
	}
	if set != nil {
		set(&opts)
	}
	e := New(opts)
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	return e
}

// stalledScrape connects to addr, asks for /metrics with the extra header
// lines given, and never reads the answer.
func stalledScrape(t *testing.T, addr, extra string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := fmt.Fprintf(conn, "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain;version=0.0.4\r\n%s\r\n", extra); err != nil {
		t.Fatal(err)
	}
	return conn
}

// scrapeUntilOK scrapes addr until a scrape gets a whole 200 or within
// fails; it returns the number of 503 answers before that.
func scrapeUntilOK(t *testing.T, addr string, within time.Duration, what string) int {
	t.Helper()
	client := &http.Client{Timeout: within}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(within)
	busy := 0
	for {
		body, resp, err := scrape(client, "http://"+addr+"/metrics", acceptHeaders["text"], false)
		switch {
		case err != nil:
			t.Fatalf("%s: a normal scrape failed: %v", what, err)
		case resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte("\nsocsec_coverage_ratio{")):
			return busy
		case resp.StatusCode != http.StatusServiceUnavailable:
			t.Fatalf("%s: a normal scrape got %s", what, resp.Status)
		}
		busy++
		if time.Now().After(deadline) {
			t.Fatalf("%s: a normal scrape still got 503 after %s (%d tries): clients that do not read hold every place of --web.max-requests", what, within, busy)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestNonReadingClientsDoNotHoldTheLimit connects 100 clients that ask for
// /metrics (17 MB, far more than socket buffers hold) and never read:
// within 15 s a normal scrape still gets its 200, because a scrape that
// makes no progress is cut after the stall timeout.
func TestNonReadingClientsDoNotHoldTheLimit(t *testing.T) {
	e := reliableExporter(t, generate(t, t.TempDir(), 100000, 0), func(o *Options) {
		o.MaxRequests = 40
		o.WriteTimeout = 5 * time.Minute // Only the stall timeout can free them within the test.
		o.WriteStallTimeout = 2 * time.Second
	})
	addr := serve(t, e)
	for range 100 {
		stalledScrape(t, addr, "")
	}
	busy := scrapeUntilOK(t, addr, 15*time.Second, "100 clients that do not read")
	t.Logf("a normal scrape got its 200 after %d answers of 503", busy)
}

// TestScrapeTimeoutHeaderIsTheDeadline holds the only place of
// --web.max-requests 1 with a client that does not read and says, as
// Prometheus does, that it gives up after 1 s: the scrape is cut then,
// although the write timeout is minutes and the stall timeout off, and a
// normal scrape gets its 200 within 15 s.
func TestScrapeTimeoutHeaderIsTheDeadline(t *testing.T) {
	e := reliableExporter(t, generate(t, t.TempDir(), 100000, 0), func(o *Options) {
		o.MaxRequests = 1
		o.WriteTimeout = 5 * time.Minute
	})
	addr := serve(t, e)
	stalledScrape(t, addr, scrapeTimeoutHeader+": 1\r\n")
	scrapeUntilOK(t, addr, 15*time.Second, "a client that does not read, with a scrape timeout of 1 s")
	for _, c := range []struct {
		header string
		want   time.Duration
	}{{"", 5 * time.Minute}, {"10", 10 * time.Second}, {"0.5", 500 * time.Millisecond}, {"600", 5 * time.Minute}, {"x", 5 * time.Minute}, {"-1", 5 * time.Minute}, {"1e300", 5 * time.Minute}} {
		r, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
		r.Header.Set(scrapeTimeoutHeader, c.header)
		start := time.Now()
		if got := e.scrapeDeadline(r, start).Sub(start); got != c.want {
			t.Errorf("%s: %q: the scrape deadline is %s away, want %s (the header, capped by --web.write-timeout)", scrapeTimeoutHeader, c.header, got, c.want)
		}
	}
}

// openFDs counts the open file descriptors of the test process.
func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// TestIdleConnectionsAreClosed opens 1,000 keep-alive connections that
// make one request each and then stay idle, and 100 that never send a
// request: the exporter closes its end of all of them, and its open file
// descriptors (those of this process, less the clients' own sockets) return
// to where they were within the idle timeout plus slack.
func TestIdleConnectionsAreClosed(t *testing.T) {
	e := reliableExporter(t, "", func(o *Options) {
		o.IdleTimeout = 2 * time.Second
		o.ReadHeaderTimeout = 2 * time.Second
	})
	addr := serve(t, e)
	baseline := openFDs(t)
	var clients []net.Conn
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for i := range 1100 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		clients = append(clients, conn)
		if i >= 1000 {
			continue // Silent: connected, nothing sent.
		}
		fmt.Fprint(conn, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("connection %d: %s, close %v: want a 200 that keeps the connection", i, resp.Status, resp.Close)
		}
	}
	peak := openFDs(t) - len(clients)
	deadline := time.Now().Add(2*time.Second + 30*time.Second)
	for {
		server := openFDs(t) - len(clients)
		if server <= baseline+10 {
			t.Logf("%d descriptors before, %d of the server's after opening the connections, %d now", baseline, peak, server)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d descriptors open besides the clients' %d, %d before they connected: the exporter keeps idle connections open", server, len(clients), baseline)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The clients see their connections closed by the exporter.
	for i, c := range []net.Conn{clients[0], clients[999], clients[1099]} {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if n, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("client %d: read %d bytes, %v; want EOF", i, n, err)
		}
	}
}

// writeConfig writes a config naming the given datasets, relative to dir.
func writeConfig(t *testing.T, dir string, datasets ...string) string {
	t.Helper()
	file := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(file, []byte("datasets: ["+strings.Join(datasets, ", ")+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// copyTestdata copies files of config/testdata into dir.
func copyTestdata(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join("..", "..", "config", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// post sends POST /-/reload to addr and returns the status and body.
func postReload(addr string) (int, string, error) {
	resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// reloadCounts returns the reload requests and the reloads run so far.
func (e *Exporter) reloadCounts() (requests, runs int) {
	e.reloads.mu.Lock()
	defer e.reloads.mu.Unlock()
	return e.reloads.requests, e.reloads.runs
}

// TestReloadStormCoalesces sends 40 POST /-/reload at once while a reload
// runs: they share one more reload, so at most two run, and each request
// gets the result of a reload that started after it; here the first fails
// and the next succeeds, so one request gets 500 and 39 get 200.
func TestReloadStormCoalesces(t *testing.T) {
	dir := t.TempDir()
	copyTestdata(t, dir, "valid-dataset.yaml")
	e := reliableExporter(t, writeConfig(t, dir, "valid-dataset.yaml"), func(o *Options) { o.EnableLifecycle = true })
	requestsBefore, runsBefore := e.reloadCounts()
	release := make(chan struct{})
	var loads atomic.Int64
	e.load = func(ctx context.Context, opts config.Options) (*config.Result, error) {
		if loads.Add(1) == 1 {
			<-release
			return &config.Result{}, errors.New("the first load fails")
		}
		return config.LoadContext(ctx, opts)
	}
	addr := serve(t, e)
	type answer struct {
		code int
		body string
	}
	answers := make(chan answer, 40)
	errs := make(chan error, 40)
	for range 40 {
		go func() {
			code, body, err := postReload(addr)
			if err != nil {
				errs <- err
				return
			}
			answers <- answer{code, body}
		}()
	}
	testenv.WaitFor(t, "40 reload requests to arrive", time.Minute, func() error {
		if n, _ := e.reloadCounts(); n < 40+requestsBefore {
			return fmt.Errorf("%d reload requests so far", n-requestsBefore)
		}
		return nil
	})
	close(release)
	codes := map[int]int{}
	for range 40 {
		select {
		case a := <-answers:
			codes[a.code]++
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(time.Minute):
			t.Fatalf("a reload request got no answer within a minute; answers so far: %v", codes)
		}
	}
	_, runs := e.reloadCounts()
	if runs-runsBefore > 2 || loads.Load() > 2 {
		t.Errorf("40 parallel reload requests ran %d reloads (%d loads), want at most 2", runs-runsBefore, loads.Load())
	}
	if codes[http.StatusInternalServerError] != 1 || codes[http.StatusOK] != 39 {
		t.Errorf("answers by status %v, want one 500 (the reload running when they came) and 39 200 (the one after)", codes)
	}
}

// TestReloadTimeout makes loads hang in a way no context can stop, as a
// read of a hung file system does: a reload answers 500 once
// --config.reload-timeout is over, a later one answers too instead of
// hanging, the last good data stays served, and once the stuck load
// returns a reload succeeds again.
func TestReloadTimeout(t *testing.T) {
	dir := t.TempDir()
	copyTestdata(t, dir, "valid-dataset.yaml")
	e := reliableExporter(t, writeConfig(t, dir, "valid-dataset.yaml"), func(o *Options) {
		o.EnableLifecycle = true
		o.ReloadTimeout = time.Second
	})
	unstick := make(chan struct{})
	var stuck atomic.Bool
	stuck.Store(true)
	e.load = func(ctx context.Context, opts config.Options) (*config.Result, error) {
		if stuck.Load() {
			<-unstick // Not ctx: this load cannot be stopped.
		}
		return config.LoadContext(ctx, opts)
	}
	addr := serve(t, e)
	for i, want := range []string{"did not finish within 1s", "is still running"} {
		done := make(chan struct{})
		var code int
		var body string
		var err error
		go func() {
			defer close(done)
			code, body, err = postReload(addr)
		}()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatalf("reload %d: no answer within a minute of a reload timeout of 1s", i)
		}
		if err != nil || code != http.StatusInternalServerError || !strings.Contains(body, want) {
			t.Errorf("reload %d while a load is stuck: %d %v %q, want 500 saying %q", i, code, err, body, want)
		}
	}
	body, _, err := scrape(http.DefaultClient, "http://"+addr+"/metrics", acceptHeaders["text"], false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte("\nsocsec_config_last_reload_successful 0\n")) || !bytes.Contains(body, []byte(`socsec_coverage_ratio{program="basic_pension",region_code="140000",year="2020"} 0.932`)) {
		t.Errorf("after reloads that timed out, want the last good data served and socsec_config_last_reload_successful 0:\n%s", body)
	}
	stuck.Store(false)
	close(unstick)
	testenv.WaitFor(t, "a reload to succeed once the stuck load returned", time.Minute, func() error {
		if code, body, err := postReload(addr); err != nil || code != http.StatusOK {
			return fmt.Errorf("%d %v %q", code, err, body)
		}
		return nil
	})
}

// TestShutdownDuringStuckReload runs the exporter as main does and cancels
// its context, as SIGTERM does, while a reload is stuck in a load no
// context can stop and a client waits for it on POST /-/reload: Run returns
// within the shutdown timeout (plus slack), and the client is answered.
func TestShutdownDuringStuckReload(t *testing.T) {
	addr := testenv.FreeAddr(t)
	noSystemd, noWebConfig := false, ""
	e := New(Options{
		Load:            config.Options{Now: testenv.Now},
		Web:             &web.FlagConfig{WebListenAddresses: &[]string{addr}, WebSystemdSocket: &noSystemd, WebConfigFile: &noWebConfig},
		TelemetryPath:   "/metrics",
		Logger:          slog.New(slog.DiscardHandler),
		ShutdownTimeout: 2 * time.Second,
		EnableLifecycle: true,
	})
	forever := make(chan struct{})
	defer close(forever)
	var loads, stuck atomic.Int64
	e.load = func(ctx context.Context, opts config.Options) (*config.Result, error) {
		if loads.Add(1) > 1 {
			stuck.Add(1)
			<-forever
		}
		return config.LoadContext(ctx, opts)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hup := make(chan struct{}, 1)
	ran := make(chan error, 1)
	go func() { ran <- e.Run(ctx, hup) }()
	testenv.WaitFor(t, "the exporter to be ready", time.Minute, func() error {
		return testenv.HTTPStatus(http.DefaultClient, "http://"+addr+"/-/ready", http.StatusOK)
	})
	type answer struct {
		code int
		err  error
	}
	waiting := make(chan answer, 1)
	go func() {
		code, _, err := postReload(addr)
		waiting <- answer{code, err}
	}()
	testenv.WaitFor(t, "the reload to be stuck", time.Minute, func() error {
		if stuck.Load() == 0 {
			return errors.New("no load stuck yet")
		}
		return nil
	})
	hup <- struct{}{} // A SIGHUP as well, pending behind the stuck one.
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(2*time.Second + 30*time.Second):
		t.Fatal("Run did not return within the shutdown timeout of 2s (plus 30s of slack) while a reload was stuck")
	}
	select {
	case a := <-waiting:
		if a.err == nil && a.code != http.StatusServiceUnavailable {
			t.Errorf("the client waiting on POST /-/reload got %d, want 503 (shutting down) or a closed connection", a.code)
		}
	case <-time.After(30 * time.Second):
		t.Error("the client waiting on POST /-/reload got no answer after the shutdown")
	}
}

// TestReloadDisabled proves that without --web.enable-lifecycle POST and PUT
// /-/reload answer 403 and reload nothing, GET still 405.
func TestReloadDisabled(t *testing.T) {
	e := reliableExporter(t, "", nil)
	addr := serve(t, e)
	_, runsBefore := e.reloadCounts()
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodGet} {
		req, _ := http.NewRequest(method, "http://"+addr+"/-/reload", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := http.StatusForbidden
		if method == http.MethodGet {
			want = http.StatusMethodNotAllowed
		}
		if resp.StatusCode != want {
			t.Errorf("%s /-/reload without --web.enable-lifecycle: %s %q, want %d", method, resp.Status, body, want)
		}
	}
	if _, runs := e.reloadCounts(); runs != runsBefore {
		t.Errorf("%d reloads ran while reloading over HTTP is disabled", runs-runsBefore)
	}
}

// syncBuffer is a buffer a logger writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFailedReloadIsToldBriefly breaks a CSV file of 131,072 rows in three
// ways: a header whose last column is a long line of some other file, a
// header whose last column opens a quote that runs through every row, and
// 5,000 rows with a bad value. The 500 answer and the log then hold at most
// ten problems of the file and a count of the rest, each problem once, and
// nothing of the file beyond the start of the offending field.
func TestFailedReloadIsToldBriefly(t *testing.T) {
	dir := t.TempDir()
	copyTestdata(t, dir, "valid-observations.yaml", "valid-observations.csv")
	csvFile := filepath.Join(dir, "valid-observations.csv")
	var logs syncBuffer
	e := reliableExporter(t, writeConfig(t, dir, "valid-observations.yaml"), func(o *Options) {
		o.EnableLifecycle = true
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	addr := serve(t, e)

	rows131k := func(header string) []byte {
		var b bytes.Buffer
		b.WriteString(header)
		for i := range 131072 {
			fmt.Fprintf(&b, "\nsocsec_coverage_ratio,140000,basic_pension,2020,0.9%06d,s1", i)
		}
		b.WriteString("\n")
		return b.Bytes()
	}
	longLine := rows131k("indicator,region,program,year,value,root:x:0:0:SECRET-START" + strings.Repeat("/usr/sbin/nologin:", 80) + "SECRET-END")
	quoted := rows131k("indicator,region,program,year,value,\"SECRET-START")
	quoted = append(quoted, "SECRET-END\"\n"...)
	var rows bytes.Buffer
	rows.WriteString("indicator,region,program,year,value,source\n")
	for range 5000 {
		rows.WriteString("socsec_coverage_ratio,140000,basic_pension,2020,SECRET-VALUE,s1\n")
	}
	for _, c := range []struct {
		name      string
		content   []byte
		wantShown string
		wantMore  int
	}{
		{"a header of a long line", longLine, "SECRET-START", 0},
		{"a header quote through 131,072 rows", quoted, "SECRET-START", 0},
		{"5,000 bad values", rows.Bytes(), "SECRET-VALUE", 4990},
	} {
		if err := os.WriteFile(csvFile, c.content, 0o644); err != nil {
			t.Fatal(err)
		}
		logStart := len(logs.String())
		code, body, err := postReload(addr)
		if err != nil {
			t.Fatal(err)
		}
		log := logs.String()[logStart:]
		if code != http.StatusInternalServerError {
			t.Fatalf("%s: reload answered %d:\n%.2000s", c.name, code, body)
		}
		for where, text := range map[string]string{"the 500 answer": body, "the log": log} {
			problems := strings.Count(text, csvFile+":")
			switch {
			case len(text) > 8<<10:
				t.Errorf("%s: %s is %d bytes, want a summary of a few kilobytes at most", c.name, where, len(text))
			case strings.Contains(text, "SECRET-END") || strings.Contains(text, "0.9000001"):
				t.Errorf("%s: %s holds file content beyond the offending field:\n%.2000s", c.name, where, text)
			case !strings.Contains(text, c.wantShown):
				t.Errorf("%s: %s does not show the start of the offending field %q:\n%.2000s", c.name, where, c.wantShown, text)
			case problems < 1 || problems > 11:
				t.Errorf("%s: %s names the file %d times, want 1 to 10 problems and the count of the rest:\n%.2000s", c.name, where, problems, text)
			case c.wantMore > 0 && !strings.Contains(text, fmt.Sprintf("%d more problem(s)", c.wantMore)):
				t.Errorf("%s: %s does not count the %d problems not shown:\n%.2000s", c.name, where, c.wantMore, text)
			}
		}
		if n := strings.Count(log, "level=ERROR"); n != 1 {
			t.Errorf("%s: the failed reload was logged %d times, want once:\n%.2000s", c.name, n, log)
		}
	}
}

// fileSamples returns the samples of the two per-file families in a text
// scrape, by family and file.
func fileSamples(t *testing.T, addr string) map[string]map[string]string {
	t.Helper()
	body, _, err := scrape(http.DefaultClient, "http://"+addr+"/metrics", acceptHeaders["text"], false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{"socsec_dataset_load_success": {}, "socsec_dataset_last_load_success_timestamp_seconds": {}}
	for line := range strings.Lines(string(body)) {
		name, rest, ok := strings.Cut(line, `{file="`)
		if samples := out[name]; ok && samples != nil {
			file, value, _ := strings.Cut(rest, `"} `)
			samples[file] = strings.TrimSpace(value)
		}
	}
	return out
}

// TestFileMetricsFollowTheServedData reloads a config of two datasets as
// one of them is dropped, then breaks the config, then one dataset: the
// dropped file's series go with the reload that drops it, a broken config
// keeps the load status and time of the files still served, and a broken
// dataset file reports 0 and keeps its last success time.
func TestFileMetricsFollowTheServedData(t *testing.T) {
	dir := t.TempDir()
	copyTestdata(t, dir, "valid-dataset.yaml", "valid-observations.yaml", "valid-observations.csv")
	a, b := filepath.Join(dir, "valid-dataset.yaml"), filepath.Join(dir, "valid-observations.yaml")
	cfg := writeConfig(t, dir, "valid-dataset.yaml", "valid-observations.yaml")
	e := reliableExporter(t, cfg, func(o *Options) { o.EnableLifecycle = true })
	addr := serve(t, e)
	check := func(step string, wantOK map[string]string, wantTime map[string]bool) map[string]map[string]string {
		t.Helper()
		got := fileSamples(t, addr)
		ok, times := got["socsec_dataset_load_success"], got["socsec_dataset_last_load_success_timestamp_seconds"]
		if fmt.Sprint(ok) != fmt.Sprint(wantOK) {
			t.Errorf("%s: socsec_dataset_load_success %v, want %v", step, ok, wantOK)
		}
		for file := range times {
			if !wantTime[file] {
				t.Errorf("%s: a stale socsec_dataset_last_load_success_timestamp_seconds{file=%q}", step, file)
			}
		}
		for file := range wantTime {
			if times[file] == "" {
				t.Errorf("%s: no socsec_dataset_last_load_success_timestamp_seconds{file=%q}", step, file)
			}
		}
		return got
	}
	reload := func(step string, want int) {
		t.Helper()
		if code, body, err := postReload(addr); err != nil || code != want {
			t.Fatalf("%s: reload answered %d %v, want %d:\n%s", step, code, err, want, body)
		}
	}
	check("both datasets", map[string]string{a: "1", b: "1"}, map[string]bool{a: true, b: true})

	writeConfig(t, dir, "valid-dataset.yaml")
	reload("one dataset dropped", http.StatusOK)
	before := check("one dataset dropped", map[string]string{a: "1"}, map[string]bool{a: true})

	if err := os.WriteFile(cfg, []byte("datasets: [valid-dataset.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reload("a broken config", http.StatusInternalServerError)
	after := check("a broken config", map[string]string{a: "1"}, map[string]bool{a: true})
	if got, want := after["socsec_dataset_last_load_success_timestamp_seconds"][a], before["socsec_dataset_last_load_success_timestamp_seconds"][a]; got != want {
		t.Errorf("a broken config: the last success time of the served file changed from %s to %s", want, got)
	}

	writeConfig(t, dir, "valid-dataset.yaml")
	if err := os.WriteFile(a, []byte("id: [broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reload("a broken dataset", http.StatusInternalServerError)
	check("a broken dataset", map[string]string{a: "0"}, map[string]bool{a: true})
}

// TestDeadlineRightAfterTheLoad ends a load's context right after a load
// that succeeded, as a deadline passing then does, fifty times over, with
// someone waiting for the result each time: what the load hands over must
// hold a version or the reason it has none, never neither, which apply
// would swap in as an empty version. Then a reload whose deadline passes
// right after its load fails and the version served stays.
func TestDeadlineRightAfterTheLoad(t *testing.T) {
	dir := t.TempDir()
	copyTestdata(t, dir, "valid-dataset.yaml")
	e := reliableExporter(t, writeConfig(t, dir, "valid-dataset.yaml"), nil)
	handed := 0
	for i := range 50 {
		ctx, expire := context.WithCancelCause(context.Background())
		e.load = func(ctx context.Context, opts config.Options) (*config.Result, error) {
			res, err := config.LoadContext(ctx, opts)
			expire(errors.New("the deadline passed"))
			return res, err
		}
		out := make(chan loaded)
		e.loadSlot <- struct{}{}
		go e.loadVersion(ctx, out)
		select {
		case l := <-out:
			handed++
			e.memory.settle() // What reload does with a result.
			if l.err == nil && l.served == nil {
				t.Fatalf("load %d, whose deadline passed right after it succeeded, handed over a result with neither a version nor an error", i)
			}
			if l.err != nil && l.served != nil {
				t.Fatalf("load %d handed over a version and the error %v", i, l.err)
			}
			e.loadSlot <- struct{}{} // Once the load has freed its slot.
		case e.loadSlot <- struct{}{}: // The load ended without handing anything over.
		case <-time.After(time.Minute):
			t.Fatalf("load %d neither handed over a result nor ended within a minute", i)
		}
		<-e.loadSlot
	}
	t.Logf("%d of 50 loads handed over a result, the others gave up on their own", handed)

	before := e.current.Load()
	e.opts.ReloadTimeout = time.Hour
	e.load = func(ctx context.Context, opts config.Options) (*config.Result, error) {
		res, err := config.LoadContext(ctx, opts)
		e.cancel() // The shutdown, right after the load.
		return res, err
	}
	if err := e.Reload(); err == nil {
		t.Errorf("a reload stopped right after its load succeeded returned no error")
	}
	if e.current.Load() != before || e.Snapshot() == nil {
		t.Errorf("a reload stopped right after its load changed the version served")
	}
}
