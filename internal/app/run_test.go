package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestRunLoadsBeforeListening runs the exporter as main does with a first
// load that waits for the test: while it runs nothing listens on the
// address; then a good load is served, a failed one makes Run return an
// error having never listened, and a shutdown during the load makes Run
// return nil having never listened.
func TestRunLoadsBeforeListening(t *testing.T) {
	for _, outcome := range []string{"loaded", "failed", "shut down"} {
		t.Run(outcome, func(t *testing.T) {
			addr := testenv.FreeAddr(t)
			noSystemd, noWebConfig := false, ""
			logs := &syncBuffer{}
			e := New(Options{
				Load:          config.Options{Now: testenv.Now},
				Web:           &web.FlagConfig{WebListenAddresses: &[]string{addr}, WebSystemdSocket: &noSystemd, WebConfigFile: &noWebConfig},
				TelemetryPath: "/metrics",
				Logger:        slog.New(slog.NewTextHandler(logs, nil)),
			})
			loading, release := make(chan struct{}), make(chan struct{})
			e.load = func(ctx context.Context, opts config.Options) (*config.Result, error) {
				close(loading)
				select {
				case <-release:
				case <-ctx.Done():
					return nil, context.Cause(ctx)
				}
				if outcome == "failed" {
					return &config.Result{}, errors.New("the first load fails")
				}
				return config.LoadContext(ctx, opts)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ran := make(chan error, 1)
			go func() { ran <- e.Run(ctx, nil) }()
			select {
			case <-loading:
			case err := <-ran:
				t.Fatalf("Run returned %v before the first load started", err)
			case <-time.After(time.Minute):
				t.Fatal("the first load did not start within a minute")
			}
			if conn, err := net.DialTimeout("tcp", addr, 5*time.Second); err == nil {
				conn.Close()
				t.Errorf("%s accepted a connection while the first load ran, want nothing listening before it succeeds", addr)
			}

			switch outcome {
			case "loaded":
				close(release)
				testenv.WaitFor(t, "the exporter to be ready", time.Minute, func() error {
					return testenv.HTTPStatus(http.DefaultClient, "http://"+addr+"/-/ready", http.StatusOK)
				})
				cancel()
			case "failed":
				close(release)
			case "shut down":
				cancel()
			}
			select {
			case err := <-ran:
				if (err != nil) != (outcome == "failed") {
					t.Errorf("Run returned %v; want an error only when the first load fails", err)
				}
				if err != nil && !strings.Contains(err.Error(), "first load") {
					t.Errorf("Run returned %q, want it to say the first load failed", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("Run did not return within a minute")
			}
			log := logs.String()
			loaded, listening := strings.Index(log, "Loaded config and datasets"), strings.Index(log, "Listening on")
			if outcome == "loaded" && (loaded < 0 || listening < loaded) {
				t.Errorf("the log does not say the data loaded before it says the exporter listens:\n%s", log)
			}
			if outcome != "loaded" && listening >= 0 {
				t.Errorf("the log says the exporter listened although its first load did not succeed:\n%s", log)
			}
		})
	}
}
