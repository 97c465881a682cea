package app

import (
	"errors"
	"fmt"
	"io"

	"github.com/socsec-exporter/socsec_exporter/config"
)

// Check validates the config and datasets, writes every error and warning to
// w, and returns the process exit code: 0 when there are no errors.
func Check(w io.Writer, opts config.Options) int {
	res, err := config.Load(opts)
	for _, p := range res.Warnings {
		p.Message = "warning: " + p.Message
		fmt.Fprintln(w, p)
	}
	if err != nil {
		fmt.Fprintln(w, err)
		n := 1
		if cerr := (*config.Error)(nil); errors.As(err, &cerr) {
			n = len(cerr.Problems)
		}
		fmt.Fprintf(w, "check failed: %d error(s), %d warning(s)\n", n, len(res.Warnings))
		return 1
	}
	s := res.Snapshot
	fmt.Fprintf(w, "check passed: %d dataset(s), %d series, %d revision(s), %d warning(s)\n", len(s.Datasets), len(s.Series), len(s.Revisions), len(res.Warnings))
	return 0
}
