// Package e2e runs the built socsec_exporter binary on loopback and checks
// it from the outside: what it serves, how it reloads, TLS and basic auth,
// and the check command.
package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/crypto/bcrypt"

	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	return string(body)
}

func post(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// parse decodes a text exposition into families by name.
func parse(t *testing.T, text string) map[string]*familyView {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	out := map[string]*familyView{}
	for name, mf := range families {
		v := &familyView{samples: map[string]float64{}}
		for _, m := range mf.GetMetric() {
			if m.TimestampMs != nil {
				t.Errorf("%s carries a timestamp: scraped samples must not", name)
			}
			var labels []string
			for _, lp := range m.GetLabel() {
				if lp.GetValue() != "" { // An empty label is no label, to Prometheus as here.
					labels = append(labels, lp.GetName()+"="+lp.GetValue())
				}
			}
			v.samples[strings.Join(labels, ",")] = m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue()
		}
		out[name] = v
	}
	return out
}

type familyView struct{ samples map[string]float64 }

func (f *familyView) value(t *testing.T, labels string) float64 {
	t.Helper()
	v, ok := f.samples[labels]
	if !ok {
		t.Fatalf("no sample {%s}; have %v", labels, f.samples)
	}
	return v
}

func family(t *testing.T, fams map[string]*familyView, name string) *familyView {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no family %s", name)
	}
	return f
}

func TestDefaultScrapeIsCleanForPromtool(t *testing.T) {
	promtool := testenv.Tool(t, "promtool", "prometheus")
	_, base := testenv.StartExporter(t)
	body := get(t, base+"/metrics")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	fams := parse(t, body)
	// The 13 figures of the article and its provenance, as Prometheus sees them.
	for _, c := range []struct {
		family, labels string
		want           float64
	}{
		{"socsec_coverage_ratio", "program=basic_pension,region_code=140000,year=2020", 0.932},
		{"socsec_insured_persons", "program=basic_medical,region_code=140000,year=2020", 32450000},
		{"socsec_coverage_ratio", "program=basic_medical,region_code=140000,year=2020", 0.95},
		{"socsec_pension_monthly_per_capita_yuan", "program=basic_pension,region_code=140000,year=2015", 2639},
		{"socsec_pension_monthly_per_capita_yuan", "program=basic_pension,region_code=140000,year=2020", 3512},
		{"socsec_subsidy_annual_per_capita_yuan", "program=resident_medical,region_code=140000,year=2007", 40},
		{"socsec_subsidy_annual_per_capita_yuan", "program=resident_medical,region_code=140000,year=2020", 550},
		{"socsec_beneficiaries_persons", "program=outpatient_chronic,region_code=140000,year=2020", 2480000},
		{"socsec_children_supported_persons", "category=orphan,program=child_welfare,region_code=140000,year=2020", 4900},
		{"socsec_children_supported_persons", "category=unsupported,program=child_welfare,region_code=140000,year=2020", 5600},
		{"socsec_jurisdictions_with_mechanism", "jurisdiction_level=city,program=minors_protection,region_code=140000,year=2020", 11},
		{"socsec_jurisdictions_with_mechanism", "jurisdiction_level=county,program=minors_protection,region_code=140000,year=2020", 117},
		{"socsec_insured_persons", "program=basic_pension,region_code=140000,year=2020", 25840000},
		{"socsec_coverage_ratio", "program=newborn_medical,region_code=140000,year=2020", 1},
		{"socsec_coverage_ratio", "program=major_illness,region_code=140000,year=2020", 1},
		{"socsec_coverage_target_ratio", "program=basic_pension", 0.95},
		{"socsec_source_info", "authority=5,dataset=shanxi-2021-07-07,published=2021-07-07,publisher=China Daily,source=chinadaily-2021-07-07,title=Revamped social security system helps out folks in Shanxi,url=http://shanxi.chinadaily.com.cn/2021-07/07/c_645224.htm", 1},
		{"socsec_region_info", "parent_code=CN,region_code=140000,region_level=province,region_name=山西省,region_name_en=Shanxi", 1},
		{"socsec_config_last_reload_successful", "", 1},
		{"socsec_dataset_load_success", "file=embedded:default/shanxi-2021-07-07.yaml", 1},
		{"socsec_dataset_series", "dataset=shanxi-2021-07-07", 17},
	} {
		if got := family(t, fams, c.family).value(t, c.labels); got != c.want {
			t.Errorf("%s{%s} = %v, want %v", c.family, c.labels, got, c.want)
		}
	}
	for _, name := range []string{"socsec_build_info", "go_goroutines", "process_resident_memory_bytes"} {
		family(t, fams, name)
	}
}

func TestDisableExporterMetrics(t *testing.T) {
	_, base := testenv.StartExporter(t, "--web.disable-exporter-metrics")
	fams := parse(t, get(t, base+"/metrics"))
	for name := range fams {
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "promhttp_") {
			t.Errorf("%s served despite --web.disable-exporter-metrics", name)
		}
	}
	family(t, fams, "socsec_build_info")
	family(t, fams, "socsec_coverage_ratio")
}

func TestLandingPageListsDatasets(t *testing.T) {
	_, base := testenv.StartExporter(t)
	page := get(t, base+"/")
	for _, want := range []string{"shanxi-2021-07-07", "Revamped social security system helps out folks in Shanxi", "<td>17</td>", `href="/metrics"`, "2021-07-07"} {
		if !strings.Contains(page, want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	if got := get(t, base+"/-/healthy"); !strings.Contains(got, "Healthy") {
		t.Errorf("/-/healthy: %q", got)
	}
	resp, err := http.Get(base + "/-/reload")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload: %s, want 405", resp.Status)
	}
	// Reloading over HTTP is off unless --web.enable-lifecycle is given.
	if code, body := post(t, base+"/-/reload"); code != http.StatusForbidden || !strings.Contains(body, "--web.enable-lifecycle") {
		t.Errorf("POST /-/reload without --web.enable-lifecycle: %d %q, want 403 naming the flag", code, body)
	}
}

// writeDataset writes the dataset used by the reload tests with the given
// coverage value, or broken content when value is empty.
func writeDataset(t *testing.T, path, value string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "config/testdata/valid-dataset.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(data), "value: 0.932", "value: "+value, 1)
	if value == "" {
		body = strings.Replace(string(data), "value: 0.932", "value: 93.2", 1)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReloadGoodBadGoodKeepsServing(t *testing.T) {
	dir := t.TempDir()
	dataset := filepath.Join(dir, "dataset.yaml")
	writeDataset(t, dataset, "0.932")
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte("datasets: [dataset.yaml]\ncoverage_targets: [{program: basic_pension, ratio: 0.95}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	proc, base := testenv.StartExporter(t, "--config.file="+cfg, "--web.enable-lifecycle")
	series := "program=basic_pension,region_code=140000,year=2020"
	fileLabel := "file=" + dataset

	// Scrape without pause through the whole test: every scrape must succeed
	// and carry a coverage figure, whichever version it is.
	stop := make(chan struct{})
	var scrapes, failures atomic.Int64
	var firstFailure atomic.Value
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			scrapes.Add(1)
			resp, err := http.Get(base + "/metrics")
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`socsec_coverage_ratio{program="basic_pension",region_code="140000",year="2020"}`)) {
					err = fmt.Errorf("status %s, coverage present: %v", resp.Status, bytes.Contains(body, []byte("socsec_coverage_ratio{")))
				}
			}
			if err != nil {
				failures.Add(1)
				firstFailure.CompareAndSwap(nil, err.Error())
			}
		}
	}()

	fams := parse(t, get(t, base+"/metrics"))
	if v := family(t, fams, "socsec_coverage_ratio").value(t, series); v != 0.932 {
		t.Fatalf("before reload: %v", v)
	}

	// Bad: the reload fails over HTTP, the old figure stays, and metrics and log say so.
	writeDataset(t, dataset, "")
	code, body := post(t, base+"/-/reload")
	if code != http.StatusInternalServerError || !strings.Contains(body, dataset+":28:12: observations[0].value: ratio 93.2 is outside 0..1") {
		t.Errorf("bad reload answered %d:\n%s", code, body)
	}
	fams = parse(t, get(t, base+"/metrics"))
	if v := family(t, fams, "socsec_coverage_ratio").value(t, series); v != 0.932 {
		t.Errorf("after a bad reload the coverage is %v, want the last good 0.932", v)
	}
	if v := family(t, fams, "socsec_config_last_reload_successful").value(t, ""); v != 0 {
		t.Errorf("socsec_config_last_reload_successful = %v after a bad reload", v)
	}
	if v := family(t, fams, "socsec_dataset_load_success").value(t, fileLabel); v != 0 {
		t.Errorf("socsec_dataset_load_success = %v after a bad reload", v)
	}
	if !strings.Contains(proc.Output(), "still serving the last good data") || !strings.Contains(proc.Output(), "ratio 93.2 is outside 0..1") {
		t.Errorf("the log does not report the failed reload:\n%s", proc.Output())
	}

	// Good again, through SIGHUP this time.
	writeDataset(t, dataset, "0.94")
	proc.Signal(t, syscall.SIGHUP)
	testenv.WaitFor(t, "the SIGHUP reload", 10*time.Second, func() error {
		fams := parse(t, get(t, base+"/metrics"))
		if v := family(t, fams, "socsec_config_last_reload_successful").value(t, ""); v != 1 {
			return fmt.Errorf("reload successful = %v", v)
		}
		if v := family(t, fams, "socsec_coverage_ratio").value(t, series); v != 0.94 {
			return fmt.Errorf("coverage = %v", v)
		}
		if v := family(t, fams, "socsec_dataset_load_success").value(t, fileLabel); v != 1 {
			return fmt.Errorf("load success = %v", v)
		}
		return nil
	})
	if code, body := post(t, base+"/-/reload"); code != http.StatusOK {
		t.Errorf("good reload answered %d: %s", code, body)
	}

	// Enough scrapes to mean something, however busy the machine.
	testenv.WaitFor(t, "10 scrapes during the reloads", time.Minute, func() error {
		if n := scrapes.Load(); n < 10 {
			return fmt.Errorf("%d scrapes so far", n)
		}
		return nil
	})
	close(stop)
	wg.Wait()
	if failures.Load() > 0 || scrapes.Load() < 10 {
		t.Errorf("%d of %d scrapes during the reloads failed; first: %v", failures.Load(), scrapes.Load(), firstFailure.Load())
	}
}

func TestSIGTERMShutsDownGracefully(t *testing.T) {
	proc, _ := testenv.StartExporter(t)
	proc.Signal(t, syscall.SIGTERM)
	if err := proc.Wait(15 * time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if !strings.Contains(proc.Output(), "Shutting down") {
		t.Errorf("no shutdown message in the log:\n%s", proc.Output())
	}
}

func TestStartupFailsOnBadData(t *testing.T) {
	cmd := exec.Command(testenv.Exporter(t), "--web.listen-address="+testenv.FreeAddr(t), "--config.file=config/testdata/invalid-config-target-range.yml")
	cmd.Dir = testenv.RepoRoot(t)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errorsAs(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1\n%s", err, out)
	}
	if n := strings.Count(string(out), "invalid-config-target-range.yml:5:12: coverage_targets[0].ratio: ratio 95 is outside 0..1"); n != 1 {
		t.Errorf("the log names the problem %d times, want once:\n%s", n, out)
	}
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*target = e
	return ok
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "socsec_exporter test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, pool
}

// behindTLS starts the exporter with a web config of TLS and one basic-auth user, analyst with the password
// s3cret, checked by promtool when it is installed, and returns its address and a client of it that asks for a
// path as a user, "" for none.
func behindTLS(t *testing.T) (addr string, request func(path, user, password string) (int, string, error)) {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web.yml")
	body := fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  analyst: %s\n", certFile, keyFile, hash)
	if err := os.WriteFile(webConfig, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if promtool, err := exec.LookPath("promtool"); err == nil {
		if out, err := exec.Command(promtool, "check", "web-config", webConfig).CombinedOutput(); err != nil {
			t.Fatalf("promtool check web-config: %v\n%s", err, out)
		}
	}
	addr = testenv.FreeAddr(t)
	testenv.Start(t, testenv.RepoRoot(t), testenv.Exporter(t), "--web.listen-address="+addr, "--web.config.file="+webConfig)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second}
	return addr, func(path, user, password string) (int, string, error) {
		req, err := http.NewRequest(http.MethodGet, "https://"+addr+path, nil)
		if err != nil {
			return 0, "", err
		}
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
}

func TestTLSAndBasicAuth(t *testing.T) {
	addr, request := behindTLS(t)
	testenv.WaitFor(t, "the TLS listener", 30*time.Second, func() error {
		code, _, err := request("/-/ready", "analyst", "s3cret")
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("status %d", code)
		}
		return err
	})
	code, metrics, err := request("/metrics", "analyst", "s3cret")
	if err != nil || code != http.StatusOK || !strings.Contains(metrics, "socsec_coverage_ratio{") {
		t.Errorf("authorised scrape over TLS: %d %v", code, err)
	}
	for _, c := range []struct{ user, password string }{{"analyst", "wrong"}, {"", ""}, {"intruder", "s3cret"}} {
		if code, _, err := request("/metrics", c.user, c.password); err != nil || code != http.StatusUnauthorized {
			t.Errorf("user %q password %q: %d %v, want 401", c.user, c.password, code, err)
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP was served by the TLS listener")
		}
	}
}

// realStatistics are datasets that exercise every settlement rule and check
// of published figures: confirmation, revision by authority, by date and of
// an undated source, an unresolved conflict, periods, a change of basis,
// stated changes and declared totals.
var realStatistics = []string{"config/testdata/valid-settlement.yaml", "config/testdata/valid-periods.yaml", "internal/check/testdata/change.yaml", "internal/check/testdata/totals.yaml"}

// TestCheckCommand compares the check command's output and exit code with
// golden files, one per case.
func TestCheckCommand(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		exit int
	}{
		{"default", nil, 0},
		{"merged-config", []string{"--config.file=collector/testdata/merged/config.yml"}, 0},
		{"several-bad-files", []string{"config/testdata/invalid-unknown-region.yaml", "config/testdata/invalid-csv-bad-number.yaml", "config/testdata/invalid-reserved-indicator.yaml"}, 1},
		{"settlement", []string{"config/testdata/valid-settlement.yaml"}, 0},
		{"real-statistics", realStatistics, 0},
		{"real-statistics-json", append([]string{"--format=json"}, realStatistics...), 0},
		{"bad-config", []string{"--config.file=config/testdata/invalid-config-unknown-key.yml"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, exit := run(t, append([]string{"check"}, c.args...)...)
			if exit != c.exit {
				t.Errorf("exit code %d, want %d", exit, c.exit)
			}
			// The report on stdout, the errors on stderr: a golden each,
			// the errors' only where there are any.
			for _, out := range []struct{ golden, text string }{{"check-" + c.name + ".txt", stdout}, {"check-" + c.name + ".stderr.txt", stderr}} {
				golden := filepath.Join("testdata", out.golden)
				if *update {
					if err := os.Remove(golden); err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
					if out.text != "" || !strings.HasSuffix(out.golden, ".stderr.txt") {
						if err := os.WriteFile(golden, []byte(out.text), 0o644); err != nil {
							t.Fatal(err)
						}
					}
				}
				want, err := os.ReadFile(golden)
				if os.IsNotExist(err) && strings.HasSuffix(out.golden, ".stderr.txt") {
					err = nil
				}
				if err != nil {
					t.Fatal(err)
				}
				if out.text != string(want) {
					t.Errorf("check %s: output differs from %s (go test ./e2e -run TestCheckCommand -update to accept):\n%s", strings.Join(c.args, " "), golden, out.text)
				}
			}
		})
	}
}

// TestDocCoverageQuery runs the "latest coverage below target" query of
// docs/metrics.md against a real Prometheus scraping the embedded default.
func TestDocCoverageQuery(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "\n## Useful queries\n")
	_, block, ok2 := strings.Cut(after, "```promql\n")
	query, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/metrics.md has no promql block under Useful queries")
	}
	_, exporter := testenv.StartExporter(t)
	prom := testenv.StartPrometheus(t, fmt.Sprintf("global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: socsec\n    static_configs: [{targets: [%q]}]\n", strings.TrimPrefix(exporter, "http://")))
	var result struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	testenv.WaitFor(t, "the query to return Shanxi's pension coverage", 60*time.Second, func() error {
		resp, err := http.Get(prom + "/api/v1/query?query=" + url.QueryEscape(query))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&result); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || len(result.Data.Result) == 0 {
			return fmt.Errorf("status %s, %d series", resp.Status, len(result.Data.Result))
		}
		return nil
	})
	if len(result.Data.Result) != 1 {
		t.Fatalf("got %d series, want only Shanxi basic pension: %+v", len(result.Data.Result), result.Data.Result)
	}
	r := result.Data.Result[0]
	if r.Metric["region_code"] != "140000" || r.Metric["program"] != "basic_pension" || r.Metric["year"] != "2020" || r.Value[1] != "0.932" {
		t.Errorf("got %v = %v, want 140000 basic_pension 2020 = 0.932", r.Metric, r.Value[1])
	}
}
