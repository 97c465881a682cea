package app

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/backfill"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// Backfill loads the config and datasets and writes every served series to
// the file output as OpenMetrics for promtool tsdb create-blocks-from
// openmetrics, with the constant labels given as name=value added to each.
// It reports to w and returns the exit code: 0, 1 when the config or a
// dataset is invalid or the file cannot be written, or 2 when a label is
// malformed.
// With output "-" the text goes to stdout, and the report to w.
func Backfill(w, stdout io.Writer, opts config.Options, output string, labels []string) int {
	extra, err := backfill.ParseLabels(labels)
	if err != nil {
		fmt.Fprintf(w, "backfill failed: %v\n", err)
		return 2
	}
	res, err := config.Load(opts)
	if err != nil {
		fmt.Fprintln(w, err)
		fmt.Fprintln(w, "backfill failed: the config or a dataset is invalid")
		return 1
	}
	if output == "-" {
		err = backfill.Write(stdout, res.Snapshot, extra...)
	} else {
		err = writeBackfill(output, res.Snapshot, extra)
	}
	if err != nil {
		fmt.Fprintf(w, "backfill failed: %v\n", err)
		return 1
	}
	first, last := res.Snapshot.Series[0].Year, res.Snapshot.Series[0].Year
	for _, o := range res.Snapshot.Series {
		first, last = min(first, o.Year), max(last, o.Year)
	}
	fmt.Fprintf(w, "wrote %d figures of the years %d-%d and the names of their regions and programmes to %s, each at 31 December 00:00:00 UTC of its year\n",
		len(res.Snapshot.Series), first, last, output)
	return 0
}

// writeBackfill writes the file whole or removes it, so that promtool never
// reads half a history.
func writeBackfill(output string, snap *dataset.Snapshot, extra []backfill.Label) error {
	f, err := os.Create(output)
	if err != nil {
		return err
	}
	err = backfill.Write(f, snap, extra...)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("writing %s: %w", output, err), os.Remove(output))
	}
	return nil
}
