// Command reloadcheck scrapes the exporter with concurrent clients while it
// is reloaded between two versions of its data, and fails unless every
// scrape succeeds, arrives whole, and carries exactly one version's data.
//
//	reloadcheck --url http://127.0.0.1:10716 --switch ./switch.sh --duration 60s
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"
)

// selfStart marks where the self-metrics begin after the pre-rendered data.
var selfStart = []byte("\n# HELP go_")

func main() {
	base := flag.String("url", "http://127.0.0.1:10716", "exporter base URL")
	switchCmd := flag.String("switch", "", "command that switches the data to the other version (given 0 or 1 as its argument)")
	duration := flag.Duration("duration", 60*time.Second, "how long to scrape")
	every := flag.Duration("reload-every", 2*time.Second, "pause between reloads")
	scrapers := flag.Int("scrapers", 4, "concurrent scrapers")
	flag.Parse()
	if err := run(*base, *switchCmd, *duration, *every, *scrapers); err != nil {
		fmt.Fprintln(os.Stderr, "reloadcheck:", err)
		os.Exit(1)
	}
}

func run(base, switchCmd string, duration, every time.Duration, scrapers int) error {
	client := &http.Client{Timeout: 2 * time.Minute}
	// The digest of each version's data part, taken with no reload running.
	var versions [2][32]byte
	for v := range versions {
		if err := reload(client, base, switchCmd, v); err != nil {
			return err
		}
		d, err := scrape(client, base)
		if err != nil {
			return err
		}
		versions[v] = d
	}
	if versions[0] == versions[1] {
		return errors.New("the two versions serve the same data")
	}
	deadline := time.Now().Add(duration)
	var ok, failed atomic.Int64
	var seen [2]atomic.Int64
	var wg sync.WaitGroup
	for range scrapers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				d, err := scrape(client, base)
				switch {
				case err != nil:
					fmt.Fprintln(os.Stderr, "scrape failed:", err)
					failed.Add(1)
				case d == versions[0]:
					seen[0].Add(1)
					ok.Add(1)
				case d == versions[1]:
					seen[1].Add(1)
					ok.Add(1)
				default:
					fmt.Fprintln(os.Stderr, "scrape carried neither version whole")
					failed.Add(1)
				}
			}
		}()
	}
	reloads := 0
	for v := 1; time.Now().Before(deadline); v = 1 - v {
		time.Sleep(every)
		if err := reload(client, base, switchCmd, v); err != nil {
			return err
		}
		reloads++
	}
	wg.Wait()
	fmt.Printf("%d scrapes (%d of version 0, %d of version 1), %d failed or mixed, %d reloads\n",
		ok.Load()+failed.Load(), seen[0].Load(), seen[1].Load(), failed.Load(), reloads)
	if failed.Load() > 0 || seen[0].Load() == 0 || seen[1].Load() == 0 {
		return errors.New("reload under load failed")
	}
	return nil
}

func reload(client *http.Client, base, switchCmd string, v int) error {
	if out, err := exec.Command(switchCmd, fmt.Sprint(v)).CombinedOutput(); err != nil {
		return fmt.Errorf("switching to version %d: %w\n%s", v, err, out)
	}
	resp, err := client.Post(base+"/-/reload", "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("reload: %s: %s", resp.Status, body)
	}
	return nil
}

// scrape fetches /metrics as Prometheus does, gzipped, checks that the
// body is as long as announced, and returns the digest of the data part.
func scrape(client *http.Client, base string) ([32]byte, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return [32]byte{}, err
	}
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return [32]byte{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return [32]byte{}, fmt.Errorf("status %s", resp.Status)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return [32]byte{}, err
	}
	if resp.ContentLength >= 0 && int64(len(raw)) != resp.ContentLength {
		return [32]byte{}, fmt.Errorf("truncated: %d of %d bytes", len(raw), resp.ContentLength)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return [32]byte{}, err
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return [32]byte{}, err
	}
	if !bytes.HasSuffix(body, []byte("# EOF\n")) {
		return [32]byte{}, errors.New("no # EOF at the end")
	}
	i := bytes.Index(body, selfStart)
	if i < 0 {
		return [32]byte{}, errors.New("no self-metrics after the data")
	}
	return sha256.Sum256(body[:i]), nil
}
