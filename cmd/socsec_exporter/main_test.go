package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// runArgs runs the command line args as main does, with stdout and stderr
// captured, and returns them with the exit code.
func runArgs(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errs bytes.Buffer
	code = run(args, &out, &errs)
	return out.String(), errs.String(), code
}

// section returns the lines of help that follow the line heading and end
// at the next empty line, or "" when no line is heading.
func section(help, heading string) string {
	_, rest, ok := strings.Cut(help, "\n"+heading+"\n")
	if !ok {
		return ""
	}
	body, _, _ := strings.Cut(rest, "\n\n")
	return body
}

// TestCommandHelpListsItsOwnFlagsFirst checks that the help of each command
// lists its own flags before the flags every command takes, and lists no
// flag of another command: check and backfill show none of serve's twenty
// serving flags, and serve shows them first.
func TestCommandHelpListsItsOwnFlagsFirst(t *testing.T) {
	shared := []string{"--config.file=", "--dataset.max-file-bytes=", "--dataset.max-dimension-values=", "--log.level=", "--log.format="}
	for _, c := range []struct {
		command string
		own     []string
		foreign []string
	}{
		{"check", []string{"--format=", "--[no-]consistency-fatal", "--[no-]strict"}, []string{"--web.", "--config.reload-timeout", "--output", "--label"}},
		{"backfill", []string{"--output=", "--label="}, []string{"--web.", "--config.reload-timeout", "--format", "--strict"}},
		{"serve", []string{"--web.listen-address=", "--web.config.file=", "--web.telemetry-path=", "--[no-]web.enable-lifecycle", "--web.render-timeout=", "--config.reload-timeout="}, []string{"--format", "--strict", "--output", "--label"}},
	} {
		stdout, stderr, code := runArgs(t, c.command, "--help")
		if code != 0 || stderr != "" {
			t.Errorf("%s --help exited %d with stderr %q, want 0 and nothing", c.command, code, stderr)
			continue
		}
		own, every := section(stdout, "Flags of "+c.command+":"), section(stdout, "Flags of every command:")
		if own == "" || every == "" || strings.Index(stdout, own) > strings.Index(stdout, every) {
			t.Errorf("%s --help has no section \"Flags of %s:\" before \"Flags of every command:\":\n%s", c.command, c.command, stdout)
			continue
		}
		for _, f := range c.own {
			if !strings.Contains(own, f) {
				t.Errorf("%s --help does not list %s among its own flags:\n%s", c.command, f, own)
			}
		}
		for _, f := range shared {
			if !strings.Contains(every, f) || strings.Contains(own, f) {
				t.Errorf("%s --help does not list %s among the flags of every command, and only there:\n%s", c.command, f, stdout)
			}
		}
		for _, f := range c.foreign {
			if strings.Contains(stdout, f) {
				t.Errorf("%s --help lists %s, a flag of another command:\n%s", c.command, f, stdout)
			}
		}
	}
}

// TestHelpWithoutCommand checks that socsec_exporter --help, which is the
// help of running it without a command, lists the commands, then the flags
// of serve, the default, then the flags of every command.
func TestHelpWithoutCommand(t *testing.T) {
	stdout, stderr, code := runArgs(t, "--help")
	if code != 0 || stderr != "" {
		t.Fatalf("--help exited %d with stderr %q, want 0 and nothing", code, stderr)
	}
	commands := section(stdout, "Commands:")
	serve := section(stdout, "Flags of serve, the default command:")
	every := section(stdout, "Flags of every command:")
	if commands == "" || serve == "" || every == "" ||
		!(strings.Index(stdout, commands) < strings.Index(stdout, serve) && strings.Index(stdout, serve) < strings.Index(stdout, every)) {
		t.Fatalf("--help does not list the commands, the flags of serve and the flags of every command, in that order:\n%s", stdout)
	}
	for _, want := range []string{"serve (default)", "check", "backfill"} {
		if !strings.Contains(commands, want) {
			t.Errorf("--help does not list the command %q:\n%s", want, commands)
		}
	}
	for _, f := range []string{"--web.listen-address=", "--web.telemetry-path=", "--[no-]web.enable-lifecycle", "--config.reload-timeout="} {
		if !strings.Contains(serve, f) {
			t.Errorf("--help does not list %s among the flags of serve:\n%s", f, serve)
		}
	}
	if !strings.Contains(every, "--config.file=") || !strings.Contains(every, "--log.level=") {
		t.Errorf("--help does not list --config.file and --log.level among the flags of every command:\n%s", every)
	}
}

// TestFlagsWhereTheyAreWritten checks that every flag is still read where
// the Dockerfile, the Helm chart, docker-compose.yml, the scripts and the
// docs write it: the serving flags without a command or before serve, the
// loading and log flags before or after any command.
func TestFlagsWhereTheyAreWritten(t *testing.T) {
	for _, c := range []struct {
		args    []string
		command string
		config  string
		listen  []string // Nil for the commands that do not serve.
	}{
		{[]string{"--web.listen-address=:1", "--config.file=x.yml"}, "serve", "x.yml", []string{":1"}},
		{[]string{"--web.listen-address", ":1", "--config.file", "x.yml"}, "serve", "x.yml", []string{":1"}},
		{[]string{"--config.file=x.yml", "--web.listen-address=:1", "--web.enable-lifecycle", "--log.level=debug", "--log.format=json"}, "serve", "x.yml", []string{":1"}},
		{[]string{"--web.listen-address=:1", "--config.file=x.yml", "serve"}, "serve", "x.yml", []string{":1"}},
		{[]string{"serve", "--web.listen-address=:1", "--web.listen-address=:2", "--config.file=x.yml"}, "serve", "x.yml", []string{":1", ":2"}},
		{[]string{}, "serve", "", []string{defaultAddress}},
		{[]string{"check", "--config.file=x.yml", "--format=json"}, "check", "x.yml", nil},
		{[]string{"--config.file=x.yml", "check", "--strict"}, "check", "x.yml", nil},
		{[]string{"--dataset.max-series=3", "check", "a.yaml", "b.yaml"}, "check", "", nil},
		{[]string{"--config.file=x.yml", "backfill", "--label=job=socsec_history", "--output=-"}, "backfill", "x.yml", nil},
		{[]string{"backfill", "--output", "-", "--config.file", "x.yml"}, "backfill", "x.yml", nil},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			cl := newCLI()
			cmd, err := cl.parse(c.args)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if cmd != c.command {
				t.Errorf("command %q, want %q", cmd, c.command)
			}
			if cl.opts.Load.ConfigFile != c.config {
				t.Errorf("--config.file %q, want %q", cl.opts.Load.ConfigFile, c.config)
			}
			if got := *cl.opts.Web.WebListenAddresses; !slices.Equal(got, c.listen) {
				t.Errorf("--web.listen-address %q, want %q", got, c.listen)
			}
		})
	}
	cl := newCLI()
	if _, err := cl.parse([]string{"--dataset.max-series=3", "check", "--format=json", "a.yaml", "b.yaml"}); err != nil {
		t.Fatal(err)
	}
	if cl.opts.Load.MaxSeries != 3 || cl.checkOpts.Format != "json" || !slices.Equal(cl.opts.Load.Datasets, []string{"a.yaml", "b.yaml"}) {
		t.Errorf("check read max series %d, format %q, datasets %q; want 3, json, [a.yaml b.yaml]", cl.opts.Load.MaxSeries, cl.checkOpts.Format, cl.opts.Load.Datasets)
	}
	// After --, everything is a dataset, even what looks like a flag or a command.
	cl = newCLI()
	if _, err := cl.parse([]string{"--config.file=x.yml", "check", "--", "--odd-name.yaml", "serve"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cl.opts.Load.Datasets, []string{"--odd-name.yaml", "serve"}) {
		t.Errorf("check -- read the datasets %q, want [--odd-name.yaml serve]", cl.opts.Load.Datasets)
	}
}

// TestFlagDefaults checks that the flags folded into tables keep their
// defaults.
func TestFlagDefaults(t *testing.T) {
	cl := newCLI()
	if _, err := cl.parse(nil); err != nil {
		t.Fatal(err)
	}
	l, o := cl.opts.Load.Limits, cl.opts
	got := []any{l.MaxFileBytes, l.MaxYAMLBytes, l.MaxTotalBytes, l.MaxSeries, l.MaxLabelBytes, l.MaxTextBytes, l.MaxDimensionValues,
		o.ReadHeaderTimeout.String(), o.IdleTimeout.String(), o.WriteTimeout.String(), o.WriteStallTimeout.String(), o.ShutdownTimeout.String(), o.RenderTimeout.String(), o.ReloadTimeout.String()}
	want := []any{int64(128 << 20), int64(16 << 20), int64(256 << 20), 1_000_000, 2048, 4096, 10_000,
		"10s", "1m0s", "1m0s", "10s", "10s", "5s", "2m0s"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("default %d of the limits and time limits is %v, want %v", i, got[i], want[i])
		}
	}
}

// TestUsageErrors checks that a mistyped command or flag, a flag of another
// command, a flag without its value and a value a flag refuses each exit 2
// with an error on stderr that says what was expected, names the closest
// command or flag, and points to --help; nothing goes to stdout.
func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"chek"}, []string{`unknown command "chek"`, "did you mean check?", "serve (the default), check and backfill", "run socsec_exporter --help"}},
		{[]string{"--config.file=x.yml", "bakfill", "--output=-"}, []string{`unknown command "bakfill"`, "did you mean backfill?", "run socsec_exporter --help"}},
		{[]string{"export"}, []string{`unknown command "export": the commands are serve (the default), check and backfill`, "run socsec_exporter --help"}},
		{[]string{"help", "chek"}, []string{`unknown command "chek"`, "did you mean check?"}},
		{[]string{"--web.listen-adress=:1"}, []string{"unknown flag --web.listen-adress", "did you mean --web.listen-address?", "run socsec_exporter --help"}},
		{[]string{"--listen-address=:1"}, []string{"unknown flag --listen-address", "did you mean --web.listen-address?"}},
		{[]string{"check", "--frmat=json"}, []string{"unknown flag --frmat", "did you mean --format?", "run socsec_exporter check --help"}},
		{[]string{"-x"}, []string{"unknown flag -x", "run socsec_exporter --help"}},
		{[]string{"check", "--web.listen-address=:1"}, []string{"--web.listen-address is a flag of serve, not of check", "run socsec_exporter check --help"}},
		{[]string{"--format=json"}, []string{"--format is a flag of check, not of serve", "socsec_exporter check --format"}},
		{[]string{"--formt=json"}, []string{"unknown flag --formt: did you mean --format? It is a flag of check: socsec_exporter check --format"}},
		{[]string{"backfill", "--output=-", "--strict"}, []string{"--strict is a flag of check, not of backfill", "run socsec_exporter backfill --help"}},
		{[]string{"--config.file", "--log.level=debug"}, []string{"--config.file needs a value", "run socsec_exporter --help"}},
		{[]string{"backfill", "--output"}, []string{"--output needs a value", "run socsec_exporter backfill --help"}},
		{[]string{"backfill"}, []string{"'--output' not provided", "run socsec_exporter backfill --help"}},
		{[]string{"backfill", "--output=-", "history.om"}, []string{`backfill takes no arguments, got "history.om"`}},
		{[]string{"serve", "check"}, []string{`serve takes no arguments, got "check"`}},
		{[]string{"check", "--strict=false"}, []string{"--strict takes no value", "--no-strict"}},
		{[]string{"check", "--format=xml"}, []string{"--format=xml: enum value must be one of text,json", "run socsec_exporter check --help"}},
		{[]string{"--dataset.max-series=many"}, []string{"--dataset.max-series=many:", "run socsec_exporter --help"}},
		{[]string{"--web.read-header-timeout=5"}, []string{"--web.read-header-timeout=5:", "missing unit"}},
		{[]string{"--log.level=loud"}, []string{"--log.level=loud:"}},
		{[]string{"check", "--dataset.max-file-bytes=0"}, []string{"--dataset.max-file-bytes must be at least 1, got 0", "run socsec_exporter check --help"}},
	} {
		stdout, stderr, code := runArgs(t, c.args...)
		if code != 2 || stdout != "" {
			t.Errorf("socsec_exporter %s exited %d with stdout %q, want 2 and nothing", strings.Join(c.args, " "), code, stdout)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("socsec_exporter %s: stderr does not say %q:\n%s", strings.Join(c.args, " "), w, stderr)
			}
		}
	}
}

// TestErrorsGoToStderr checks that the errors of check and backfill go to
// stderr while their reports stay on stdout: check's text report keeps its
// warnings, its JSON report stays one JSON document, and backfill's
// --output=- writes nothing after a failed load.
func TestErrorsGoToStderr(t *testing.T) {
	const missing = "testdata-that-does-not-exist/socsec.yml"
	for _, c := range []struct {
		args []string
		json bool
	}{
		{[]string{"check", "--config.file=" + missing}, false},
		{[]string{"--config.file=" + missing, "check", "--format=json"}, true},
		{[]string{"backfill", "--config.file=" + missing, "--output=-"}, false},
	} {
		stdout, stderr, code := runArgs(t, c.args...)
		name := strings.Join(c.args, " ")
		if code != 1 {
			t.Errorf("%s exited %d, want 1", name, code)
		}
		if !strings.Contains(stderr, missing+": ") {
			t.Errorf("%s: stderr does not name %s:\n%s", name, missing, stderr)
		}
		if c.json {
			var rep struct {
				Status string `json:"status"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Status != "invalid" {
				t.Errorf("%s: stdout is not one JSON report of status invalid (%v):\n%s", name, err, stdout)
			}
		} else if stdout != "" {
			t.Errorf("%s: stdout is %q, want nothing: the error belongs on stderr", name, stdout)
		}
	}
}
