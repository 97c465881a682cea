// Command socsec_exporter serves official social-security statistics as
// Prometheus metrics. Without --config.file it serves the embedded default:
// the Shanxi article, China's national history and its provinces.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"

	"github.com/socsec-exporter/socsec_exporter/internal/app"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command of args and returns its exit code. Reports (check's,
// backfill's to stdout) and help go to stdout; errors and logs to stderr.
func run(args []string, stdout, stderr io.Writer) int {
	c := newCLI()
	c.app.UsageWriter(stdout)
	c.app.ErrorWriter(stderr)
	// --help and --version end the run here, with the code kingpin gives.
	exit := -1
	c.app.Terminate(func(code int) {
		if exit < 0 {
			exit = code
		}
	})
	cmd, err := c.parse(args)
	if exit >= 0 {
		return exit
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", c.app.Name, err)
		return 2
	}
	opts := c.opts
	c.log.Writer = stderr
	switch cmd {
	case c.check.FullCommand():
		co := c.checkOpts
		co.Stderr = stderr
		return app.Check(stdout, opts.Load, co)
	case c.backfill.FullCommand():
		return app.Backfill(stderr, stdout, opts.Load, c.output, c.labels)
	}
	// Refused before anything starts, as a bad config is: exit code 1.
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", c.app.Name, err)
		return 1
	}
	opts.Logger = promslog.New(&c.log)
	opts.Logger.Info("Starting socsec_exporter", "version", version.Info(), "build_context", version.BuildContext())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default: // A reload is already pending; it will read the newest files.
			}
		}
	}()
	if err := app.New(opts).Run(ctx, reload); err != nil {
		opts.Logger.Error("Exiting", "err", err)
		return 1
	}
	return 0
}

// parse reads args into c and returns the command they name, serve when
// they name none, or an error saying what was expected.
func (c *cli) parse(args []string) (string, error) {
	l := newCommandLine(c.app)
	args, err := l.read(args)
	if err != nil {
		return "", err
	}
	cmd, err := c.app.Parse(args)
	if err != nil {
		ctx, _ := c.app.ParseContext(args)
		if ctx != nil && ctx.SelectedCommand != nil {
			cmd = ctx.SelectedCommand.FullCommand()
		}
		err = valueError(ctx, err)
	} else {
		err = c.opts.Load.Limits.Validate()
	}
	if err != nil {
		return "", fmt.Errorf("%w\n%s", err, l.helpHint(cmd))
	}
	return cmd, nil
}
