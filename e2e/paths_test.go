package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// TestLatin1PathsScrapeCleanly serves a config and a dataset in a directory
// named in Latin-1, whose path is no valid UTF-8: promtool finds the scrape
// clean, and a real Prometheus scrapes it and stores the file's series.
func TestLatin1PathsScrapeCleanly(t *testing.T) {
	root := testenv.RepoRoot(t)
	dir := filepath.Join(t.TempDir(), "donn\xe9es")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "config", "testdata", "valid-alias-a.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"d.yaml": string(data), "socsec.yml": "datasets: [d.yaml]\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, exporter := testenv.StartExporter(t, "--config.file="+filepath.Join(dir, "socsec.yml"))
	body := get(t, exporter+"/metrics")
	promtool := testenv.Tool(t, "promtool", "prometheus")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics on the scrape of a Latin-1 path: %v\n%s", err, out)
	}
	if want := `donn\\xe9es/d.yaml"} 1`; !strings.Contains(body, want) {
		t.Errorf("the scrape lacks the file's load success with its path escaped, %s", want)
	}
	prom := testenv.StartPrometheus(t, fmt.Sprintf(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: socsec
    static_configs:
      - targets: [%q]
`, strings.TrimPrefix(exporter, "http://")))
	testenv.WaitFor(t, "Prometheus to store the Latin-1 file's load success", 60*time.Second, func() error {
		v, err := query(prom, `socsec_dataset_load_success{file=~".*donn.xe9es/d[.]yaml"} == 1 and on () up{job="socsec"} == 1`)
		if err != nil {
			return err
		}
		if len(v) != 1 {
			return fmt.Errorf("%d series of the file's load success with the target up, want 1", len(v))
		}
		return nil
	})
}
