package deploy

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// The comments of docs/history.md that mark the blocks this file runs.
const (
	historyDoc           = "docs/history.md"
	historyCommandsMark  = "<!-- deploy/history_docs_test.go runs the next block"
	historyOutputMark    = "<!-- deploy/history_docs_test.go finds the lines of the next block"
	historyQueriesMark   = "<!-- deploy/history_docs_test.go runs the next queries"
	historyDocListenAddr = "--web.listen-address="
)

// TestHistoryDocCommands runs the commands of docs/history.md as they are written, from a copy of the repository's
// layout (scripts/ and deploy/) with socsec_exporter, promtool and prometheus on the PATH: the backfill, then the
// Prometheus on its blocks, on a free port instead of the one written. It then runs the document's queries on that
// Prometheus, expecting the embedded default's figures with the job label of the backfill and its oldest year kept
// by the retention; and it starts Prometheus again with the command the script prints, which must work as well.
func TestHistoryDocCommands(t *testing.T) {
	root := testenv.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, historyDoc))
	if err != nil {
		t.Fatal(err)
	}
	commands := docCommands(t, markedBlock(t, string(doc), historyCommandsMark, "sh"))
	if len(commands) != 2 || commands[0][0] != "scripts/backfill.sh" || commands[1][0] != "prometheus" {
		t.Fatalf("%s: the commands %q are not a backfill with scripts/backfill.sh and then prometheus, which this test runs", historyDoc, commands)
	}

	work := t.TempDir()
	for _, dir := range []string{"scripts", "deploy"} {
		if err := os.Symlink(filepath.Join(root, dir), filepath.Join(work, dir)); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(work, ".bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"socsec_exporter": testenv.Exporter(t),
		"promtool":        testenv.Tool(t, "promtool", "prometheus"),
		"prometheus":      testenv.Tool(t, "prometheus", "prometheus"),
	} {
		if err := os.Symlink(path, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	// The script finds the exporter and promtool on the PATH, as the document says, not in variables of the caller.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "SOCSEC_EXPORTER=") || strings.HasPrefix(kv, "PROMTOOL=") || strings.HasPrefix(kv, "PATH=")
	})
	env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	backfill := exec.CommandContext(ctx, commands[0][0], commands[0][1:]...)
	backfill.Dir, backfill.Env, backfill.WaitDelay = work, env, 5*time.Second
	out, err := backfill.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(commands[0], " "), err, out)
	}
	suggested := printedPrometheus(t, string(out))

	job := ""
	for _, arg := range commands[0] {
		if v, ok := strings.CutPrefix(arg, "--label=job="); ok {
			job = v
		}
	}
	queries := strings.Split(strings.TrimSpace(markedBlock(t, string(doc), historyQueriesMark, "promql")), "\n")

	for _, c := range []struct {
		what string
		args []string
	}{
		{historyDoc, commands[1]},
		{"the command scripts/backfill.sh prints", suggested},
	} {
		api, p := startDocPrometheus(t, work, c.what, c.args)
		// A year after the newest figure, each query holds the figures of 2020.
		for _, q := range queries {
			got := docQuery(t, api, q, "2021-06-30T00:00:00Z")
			if len(got) == 0 {
				t.Errorf("%s: %s returns nothing at 2021-06-30", c.what, q)
			}
			for _, s := range got {
				if s["job"] != job {
					t.Errorf("%s: %s returns %v, want the job label %q of the backfill", c.what, q, s, job)
				}
			}
		}
		// The retention keeps the oldest year, 2007, whose figure is drawn at 31 December.
		if got := docQuery(t, api, "socsec_subsidy_annual_per_capita_yuan", "2007-12-31T00:00:00Z"); len(got) != 1 {
			t.Errorf("%s: the 2007 subsidy: %d series, want 1: the retention dropped the oldest year", c.what, len(got))
		}
		// The next starts on the same storage, which one Prometheus at a time may hold.
		if err := p.stop(2 * time.Minute); err != nil {
			t.Fatalf("%s: stopping Prometheus: %v", c.what, err)
		}
	}
}

// TestHistoryDocOutput checks the lines docs/history.md shows of what socsec_exporter backfill writes against what it
// writes for the embedded default.
func TestHistoryDocOutput(t *testing.T) {
	root := testenv.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, historyDoc))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "history.om")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testenv.Exporter(t), "backfill", "--output="+file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("socsec_exporter backfill: %v\n%s", err, out)
	}
	written, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(written), "\n")
	shown := strings.Split(strings.TrimSpace(markedBlock(t, string(doc), historyOutputMark, "")), "\n")
	if len(shown) < 3 {
		t.Fatalf("%s shows %d lines of the output, want some", historyDoc, len(shown))
	}
	for _, line := range shown {
		if !slices.Contains(lines, line) {
			t.Errorf("%s shows %q, which socsec_exporter backfill does not write", historyDoc, line)
		}
	}
}

// markedBlock returns the body of the fenced block of language lang right after the one comment starting with mark.
func markedBlock(t *testing.T, doc, mark, lang string) string {
	t.Helper()
	if n := strings.Count(doc, mark); n != 1 {
		t.Fatalf("%s has %d comments starting %q, want exactly one before a ```%s block", historyDoc, n, mark, lang)
	}
	_, after, _ := strings.Cut(doc, mark)
	_, after, ok := strings.Cut(after, "-->\n")
	block, ok2 := strings.CutPrefix(after, "```"+lang+"\n")
	block, _, ok3 := strings.Cut(block, "\n```\n")
	if !ok || !ok2 || !ok3 {
		t.Fatalf("%s: the comment %q is not followed by a ```%s block", historyDoc, mark, lang)
	}
	return block
}

// docCommands splits a shell block into its commands, each a list of words: lines continued with a backslash are
// joined, and anything this test would have to interpret as a shell does (quotes, variables, comments, operators)
// fails it.
func docCommands(t *testing.T, block string) [][]string {
	t.Helper()
	var commands [][]string
	for _, line := range strings.Split(strings.ReplaceAll(block, "\\\n", " "), "\n") {
		if strings.ContainsAny(line, `'"$#;&|<>`+"`") {
			t.Fatalf("%s: %q needs a shell to run; keep the commands plain words", historyDoc, line)
		}
		if words := strings.Fields(line); len(words) > 0 {
			commands = append(commands, words)
		}
	}
	return commands
}

// printedPrometheus returns the prometheus command that scripts/backfill.sh prints, as words.
func printedPrometheus(t *testing.T, output string) []string {
	t.Helper()
	for _, line := range strings.Split(output, "\n") {
		if words := strings.Fields(line); len(words) > 0 && words[0] == "prometheus" {
			return words
		}
	}
	t.Fatalf("scripts/backfill.sh prints no prometheus command:\n%s", output)
	return nil
}

// docProcess is a Prometheus a document's command started, and its output.
type docProcess struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan error // Receives the exit once.
	exit error
	over bool
}

// exited reports whether the process has ended, without waiting.
func (p *docProcess) exited() bool {
	if !p.over {
		select {
		case p.exit = <-p.done:
			p.over = true
		default:
		}
	}
	return p.over
}

// stop ends the process with SIGTERM, as Prometheus expects, killing it after timeout.
func (p *docProcess) stop(timeout time.Duration) error {
	if p.exited() {
		return fmt.Errorf("had exited: %v", p.exit)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case p.exit = <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		p.exit = fmt.Errorf("still running %s after SIGTERM, killed (%v)", timeout, <-p.done)
	}
	p.over = true
	return p.exit
}

// startDocPrometheus runs the prometheus command args (with the prometheus of dir's .bin) in dir, listening on a
// free loopback port instead of the address it names, if any, and returns its API URL and process once it is ready.
// The process is stopped when the test ends, and its output shown if the test failed.
func startDocPrometheus(t *testing.T, dir, what string, args []string) (string, *docProcess) {
	t.Helper()
	addr := testenv.FreeAddr(t)
	args = slices.Clone(args[1:])
	if i := slices.IndexFunc(args, func(a string) bool { return strings.HasPrefix(a, historyDocListenAddr) }); i >= 0 {
		args[i] = historyDocListenAddr + addr
	} else {
		args = append(args, historyDocListenAddr+addr)
	}
	p := &docProcess{cmd: exec.Command(filepath.Join(dir, ".bin", "prometheus"), args...), out: &lockedBuffer{}, done: make(chan error, 1)}
	p.cmd.Dir, p.cmd.Stdout, p.cmd.Stderr = dir, p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.stop(time.Minute)
		}
		if t.Failed() {
			t.Logf("%s: output of prometheus %s:\n%s", what, strings.Join(args, " "), p.out.String())
		}
	})
	base := "http://" + addr
	testenv.WaitFor(t, what+": Prometheus to be ready", 2*time.Minute, func() error {
		if p.exited() {
			t.Fatalf("%s: prometheus %s exited before it was ready (%v)", what, strings.Join(args, " "), p.exit)
		}
		return testenv.HTTPStatus(http.DefaultClient, base+"/-/ready", http.StatusOK)
	})
	return base + "/api/v1/", p
}

// lockedBuffer is a bytes.Buffer that a process writes while a test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// docQuery runs an instant query at the RFC 3339 time at and returns the labels of each series.
func docQuery(t *testing.T, api, expr, at string) []map[string]string {
	t.Helper()
	got, err := testenv.QueryLabels(api, expr, at)
	if err != nil {
		t.Fatalf("%s at %s: %v", expr, at, err)
	}
	return got
}

// TestAddingAProvinceStartsEmpty checks that "Adding a province" in docs/configuration.md starts from an empty
// dataset: its first block, before the steps, is an example file that loads and holds no figure, so that a new
// province is never a copy of another's figures to delete.
func TestAddingAProvinceStartsEmpty(t *testing.T) {
	root := testenv.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	checkProvinceSection(t, root, string(doc))
}

// checkProvinceSection checks the section Adding a province of doc, docs/configuration.md, whose example files are
// under root.
func checkProvinceSection(t *testing.T, root, doc string) {
	t.Helper()
	_, section, ok := strings.Cut(doc, "\n### Adding a province\n")
	if !ok {
		t.Fatal("docs/configuration.md has no section Adding a province")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	block := strings.Index(section, "\n```")
	step := strings.Index(section, "\n1. ")
	if block < 0 || step < 0 || step < block {
		t.Fatalf("Adding a province: its first step (at %d) comes before its first block (at %d): start from the empty dataset", step, block)
	}
	const marker = "<!-- example: "
	i := strings.LastIndex(section[:block], marker)
	if i < 0 {
		t.Fatal("Adding a province: its first block is not an example file (<!-- example: FILE --> before it)")
	}
	file, _, _ := strings.Cut(section[i+len(marker):], " -->")
	snap := testenv.Load(t, config.Options{Datasets: []string{filepath.Join(root, filepath.FromSlash(file))}})
	if len(snap.Datasets) != 1 || len(snap.Series) != 0 {
		t.Errorf("Adding a province starts from %s: %d datasets and %d figures, want one dataset and no figure", file, len(snap.Datasets), len(snap.Series))
	}
}
