package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// Limits bound what one load reads and keeps, so that a hostile or mistaken
// input is refused with a message naming the file and the limit instead of
// running the process out of memory. Each limit stops the load where it is
// hit: what comes after is not read.
//
// The defaults are sized for the largest data the benchmarks load, the
// 1M-series exposition of socsec_datagen --series 1000000: 408,000 figures in
// 32 MB of CSV (its largest file 30 MB) and 200 KB of YAML.
type Limits struct {
	// MaxFileBytes refuses any file larger than this, before reading it.
	MaxFileBytes int64
	// MaxYAMLBytes refuses any config or dataset YAML file larger than
	// this, before reading it: its parse tree takes about 35 times its size.
	MaxYAMLBytes int64
	// MaxTotalBytes bounds the bytes of all files one load reads.
	MaxTotalBytes int64
	// MaxSeries bounds the figures (observations, inline and in CSV files)
	// one load reads; every data series served is one of them.
	MaxSeries int
	// MaxLabelBytes bounds every string that may be served as a label value
	// or help text: ids, codes, names, titles, URLs, dimension values, and
	// every other field of a figure except its quote, note and locator.
	MaxLabelBytes int
	// MaxDimensionValues bounds the distinct values of one dimension
	// (label name) across a load.
	MaxDimensionValues int
	// MaxTextBytes bounds free text that is never a label: a figure's
	// quote, note and locator, the notes of totals, targets and stated
	// figures. The pages show it, so a megabyte quote would make every
	// page that lists its figure a megabyte.
	MaxTextBytes int
}

// The defaults of Limits.
const (
	// DefaultMaxFileBytes is 4 times the largest file of the 1M-series benchmark.
	DefaultMaxFileBytes = 128 << 20
	// DefaultMaxYAMLBytes keeps a YAML parse tree under about 600 MB: some
	// 100,000 figures written inline. Larger tables belong in CSV files.
	DefaultMaxYAMLBytes = 16 << 20
	// DefaultMaxTotalBytes is 8 times the files of the 1M-series benchmark.
	DefaultMaxTotalBytes = 256 << 20
	// DefaultMaxSeries is 2.5 times the figures of the 1M-series benchmark.
	DefaultMaxSeries = 1_000_000
	// DefaultMaxLabelBytes is the label value length limit of Loki and Mimir.
	DefaultMaxLabelBytes = 2048
	// DefaultMaxDimensionValues: a dimension is a short list (sex, age
	// group, category); regions and years are not dimensions.
	DefaultMaxDimensionValues = 10_000
	// DefaultMaxTextBytes holds a paragraph of a bulletin several times.
	DefaultMaxTextBytes = 4096
)

// limitFlags names the command-line flag of each limit, for messages.
var limitFlags = []struct {
	flag  string
	value func(Limits) int64
}{
	{"--dataset.max-file-bytes", func(l Limits) int64 { return l.MaxFileBytes }},
	{"--dataset.max-yaml-bytes", func(l Limits) int64 { return l.MaxYAMLBytes }},
	{"--dataset.max-total-bytes", func(l Limits) int64 { return l.MaxTotalBytes }},
	{"--dataset.max-series", func(l Limits) int64 { return int64(l.MaxSeries) }},
	{"--dataset.max-label-bytes", func(l Limits) int64 { return int64(l.MaxLabelBytes) }},
	{"--dataset.max-dimension-values", func(l Limits) int64 { return int64(l.MaxDimensionValues) }},
	{"--dataset.max-text-bytes", func(l Limits) int64 { return int64(l.MaxTextBytes) }},
}

// Validate refuses limits given on the command line that are not positive:
// there 0 and negative numbers are mistakes, not "no limit" nor "the
// default". A limit is lifted by giving a large value.
func (l Limits) Validate() error {
	var errs []error
	for _, f := range limitFlags {
		if v := f.value(l); v < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1, got %d (there is no unlimited setting: give a large value instead)", f.flag, v))
		}
	}
	return errors.Join(errs...)
}

// withDefaults returns the limits with the default for each one that is 0,
// or an error naming each negative one.
func (l Limits) withDefaults() (Limits, error) {
	var bad []string
	for _, f := range limitFlags {
		if v := f.value(l); v < 0 {
			bad = append(bad, fmt.Sprintf("%s %d", f.flag, v))
		}
	}
	if len(bad) > 0 {
		return l, fmt.Errorf("negative limits: %s", strings.Join(bad, ", "))
	}
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxFileBytes, DefaultMaxFileBytes)
	def(&l.MaxYAMLBytes, DefaultMaxYAMLBytes)
	def(&l.MaxTotalBytes, DefaultMaxTotalBytes)
	defInt(&l.MaxSeries, DefaultMaxSeries)
	defInt(&l.MaxLabelBytes, DefaultMaxLabelBytes)
	defInt(&l.MaxDimensionValues, DefaultMaxDimensionValues)
	defInt(&l.MaxTextBytes, DefaultMaxTextBytes)
	return l, nil
}

// loadState counts what one load has read against its limits. A limit that
// is hit stops the load: stopped is set and nothing more is read.
type loadState struct {
	bytes     int64 // Read by the load so far, all files.
	figures   int   // Observations read so far, accepted or not.
	dimValues map[string]map[string]struct{}
	stopped   bool
}

// countFigure counts one more figure at pos and reports whether the load may
// go on.
func (ld *loader) countFigure(pos dataset.Position) bool {
	if ld.state.stopped {
		return false
	}
	ld.state.figures++
	if ld.state.figures > ld.opts.MaxSeries {
		ld.ps.errorf(pos, "", "over the limit of %d figures in one load (--dataset.max-series): the load stops here", ld.opts.MaxSeries)
		ld.state.stopped = true
		return false
	}
	return true
}

// countDimensionValue counts the value v of dimension dim and reports
// whether the load may go on.
func (ld *loader) countDimensionValue(pos dataset.Position, field, dim, v string) bool {
	if ld.state.dimValues == nil {
		ld.state.dimValues = map[string]map[string]struct{}{}
	}
	values := ld.state.dimValues[dim]
	if values == nil {
		values = map[string]struct{}{}
		ld.state.dimValues[dim] = values
	}
	if _, ok := values[v]; ok {
		return true
	}
	if len(values) >= ld.opts.MaxDimensionValues {
		ld.ps.errorf(pos, field, "dimension %q has more than %d distinct values in this load (--dataset.max-dimension-values): a dimension is a short list such as sex or age group; the load stops here",
			dim, ld.opts.MaxDimensionValues)
		ld.state.stopped = true
		return false
	}
	values[v] = struct{}{}
	return true
}

// labelTooLong says what is wrong with a string that may be served as a
// label value or help text and is longer than limit bytes, or returns "".
func labelTooLong(s string, limit int) string {
	if len(s) <= limit {
		return ""
	}
	return fmt.Sprintf("is %d bytes long, over the limit of %d bytes for a label value (--dataset.max-label-bytes)", len(s), limit)
}

// textTooLong says what is wrong with free text longer than limit bytes,
// or returns "".
func textTooLong(s string, limit int) string {
	if len(s) <= limit {
		return ""
	}
	return fmt.Sprintf("is %d bytes long, over the limit of %d bytes for free text (--dataset.max-text-bytes)", len(s), limit)
}

// shorten cuts a string that is too long to repeat in a message, such as a
// YAML key over the label limit, to its first bytes.
func shorten(s string) string {
	const keep = 40
	if len(s) <= keep {
		return s
	}
	i := keep
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
