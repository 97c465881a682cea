// Package exposition renders metric families once, when the data is loaded,
// into the bytes a scrape sends: the Prometheus text format 0.0.4 and
// OpenMetrics 1.0.0, plain and gzipped, for the whole snapshot or one shard
// of it. The output is byte for byte what expfmt writes for the same families
// gathered through a prometheus.Registry, so a scrape only copies bytes.
package exposition

import (
	"bytes"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/socsec-exporter/socsec_exporter/collector"
)

// Format is an exposition format.
type Format int

// The formats an Exposition is rendered in.
const (
	Text        Format = iota // Prometheus text format 0.0.4.
	OpenMetrics               // OpenMetrics 1.0.0, without the final # EOF.
)

// Shard selects part of an exposition: the series whose shard key hashes to
// Index modulo Count. The zero Shard, like Count 1, is the whole exposition.
type Shard struct {
	Index, Count int
}

func (s Shard) whole() bool { return s.Count <= 1 }

// Exposition is the pre-rendered data part of a scrape. It is immutable once
// rendered, apart from a cache of gzipped shards built on first use.
type Exposition struct {
	// text is every family in the text format, headers included.
	text     []byte
	families []renderedFamily
	// hashes holds the shard hash of every line, in order; 0 puts a line
	// in shard 0 whatever the count.
	hashes []uint32
	// om holds, in ascending order, the offsets in text of the line ends
	// (the '\n') before which OpenMetrics writes ".0": integral values.
	om    []uint32
	omLen int
	gzip  [2][]byte

	mu          sync.Mutex
	shardGzip   map[shardKey]*lazyGzip
	cachedBytes int
}

type renderedFamily struct {
	// start, body and end delimit the header and the lines in text.
	start, body, end int
	// omHeader is the header in OpenMetrics, which escapes quotes in HELP.
	omHeader  []byte
	firstLine int // Index of the family's first line in hashes.
}

// series is one line of a family before sorting, as offsets into scratch.
type series struct {
	keyStart, lineStart, lineEnd uint32
	hash                         uint32
	om                           bool
}

// ShardLabel is the label whose value decides a series' shard: all series of
// a region, its data, provenance, latest years and metadata, land in the
// same shard, so joins on region_code work within one shard. Series without
// it, or with it empty, are in shard 0.
const ShardLabel = "region_code"

// Render renders families, sorted as a prometheus.Registry gathers them: by
// family name, then by label values in the order of the sorted label names.
// Families without series are left out, as a registry leaves them out.
func Render(families []collector.Family) *Exposition {
	families = slices.Clone(families)
	slices.SortFunc(families, func(a, b collector.Family) int { return strings.Compare(a.Name, b.Name) })
	// A first pass sizes every buffer exactly: growing buffers of hundreds
	// of megabytes by appending would copy them over and over, and hold
	// the old and the new copy at once.
	plans := make([]plan, len(families))
	var text, lines, oms, scratch, most int
	for i, f := range families {
		plans[i] = newPlan(f)
		p := &plans[i]
		if p.series > 0 {
			text += len(appendHeader(nil, f, false)) + p.lineBytes
		}
		lines += p.series
		oms += p.oms
		scratch = max(scratch, p.keyBytes+p.lineBytes)
		most = max(most, p.series)
	}
	x := &Exposition{text: make([]byte, 0, text), hashes: make([]uint32, 0, lines), om: make([]uint32, 0, oms)}
	buf, rows := make([]byte, 0, scratch), make([]series, 0, most)
	for i, f := range families {
		if plans[i].series == 0 {
			continue
		}
		buf, rows = plans[i].render(f, buf[:0], rows[:0])
		slices.SortFunc(rows, func(a, b series) int {
			return bytes.Compare(buf[a.keyStart:a.lineStart], buf[b.keyStart:b.lineStart])
		})
		rf := renderedFamily{start: len(x.text), firstLine: len(x.hashes)}
		x.text = appendHeader(x.text, f, false)
		rf.omHeader = appendHeader(nil, f, true)
		rf.body = len(x.text)
		for _, s := range rows {
			x.text = append(x.text, buf[s.lineStart:s.lineEnd]...)
			if s.om {
				x.om = append(x.om, uint32(len(x.text)-1))
			}
			x.hashes = append(x.hashes, s.hash)
		}
		rf.end = len(x.text)
		x.omLen += len(rf.omHeader) + rf.end - rf.body
		x.families = append(x.families, rf)
	}
	x.omLen += 2 * len(x.om)
	for _, f := range []Format{Text, OpenMetrics} {
		x.gzip[f] = compress(func(w io.Writer) { _ = x.WritePlain(w, f, Shard{}) })
	}
	return x
}

// plan is how one family is laid out, and how many bytes it takes.
type plan struct {
	order                            []int // Label indexes in the order of sorted label names.
	shardBy                          int   // Index of ShardLabel, or -1.
	series, keyBytes, lineBytes, oms int
}

func newPlan(f collector.Family) plan {
	p := plan{order: make([]int, len(f.Labels)), shardBy: slices.Index(f.Labels, ShardLabel)}
	for i := range p.order {
		p.order[i] = i
	}
	slices.SortFunc(p.order, func(a, b int) int { return strings.Compare(f.Labels[a], f.Labels[b]) })
	var num [32]byte
	f.Series(func(value float64, values ...string) {
		p.series++
		v := appendTextFloat(num[:0], value)
		if integral(v) {
			p.oms++
		}
		p.lineBytes += len(f.Name) + 1 + len(v) + 1
		if len(values) > 0 {
			p.lineBytes += 2 + len(values) - 1
		}
		for i, val := range values {
			p.keyBytes += keyLen(val)
			p.lineBytes += len(f.Labels[i]) + 3 + escapedLen(val, true)
		}
	})
	return p
}

// render appends the family's series, unsorted, to buf and rows.
func (p *plan) render(f collector.Family, buf []byte, rows []series) ([]byte, []series) {
	f.Series(func(value float64, values ...string) {
		s := series{keyStart: uint32(len(buf))}
		for _, i := range p.order {
			buf = appendKey(buf, values[i])
		}
		s.lineStart = uint32(len(buf))
		buf = append(buf, f.Name...)
		for n, i := range p.order {
			if n == 0 {
				buf = append(buf, '{')
			} else {
				buf = append(buf, ',')
			}
			buf = append(buf, f.Labels[i]...)
			buf = append(buf, '=', '"')
			buf = appendEscaped(buf, values[i], true)
			buf = append(buf, '"')
		}
		if len(p.order) > 0 {
			buf = append(buf, '}')
		}
		buf = append(buf, ' ')
		valueStart := len(buf)
		buf = appendTextFloat(buf, value)
		s.om = integral(buf[valueStart:])
		buf = append(buf, '\n')
		s.lineEnd = uint32(len(buf))
		if p.shardBy >= 0 && values[p.shardBy] != "" {
			s.hash = hash(values[p.shardBy])
		}
		rows = append(rows, s)
	})
	return buf, rows
}

// keyLen is the length appendKey gives v.
func keyLen(v string) int {
	n := len(v) + 1
	for i := 0; i < len(v); i++ {
		if v[i] <= 1 {
			n++
		}
	}
	return n
}

// escapedLen is the length appendEscaped gives v.
func escapedLen(v string, quote bool) int {
	n := len(v)
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\\' || c == '\n' || c == '"' && quote {
			n++
		}
	}
	return n
}

// appendKey appends v so that comparing the concatenated keys of two series
// byte by byte compares their label values one by one: 0x00 ends a value and
// a 0x00 inside one becomes 0x01 0x01, which sorts after the end marker.
func appendKey(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] <= 1 {
			b = append(b, 1, v[i]+1)
		} else {
			b = append(b, v[i])
		}
	}
	return append(b, 0)
}

func appendHeader(b []byte, f collector.Family, openMetrics bool) []byte {
	b = append(b, "# HELP "...)
	b = append(b, f.Name...)
	b = append(b, ' ')
	b = appendEscaped(b, f.Help, openMetrics)
	b = append(b, "\n# TYPE "...)
	b = append(b, f.Name...)
	return append(b, " gauge\n"...)
}

// appendEscaped escapes as expfmt does: backslash and newline always, the
// double quote in label values and in OpenMetrics HELP.
func appendEscaped(b []byte, v string, quote bool) []byte {
	if !strings.ContainsAny(v, "\\\n\"") {
		return append(b, v...)
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '"' && quote:
			b = append(b, '\\', '"')
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendTextFloat formats v as the text format does.
func appendTextFloat(b []byte, v float64) []byte {
	switch {
	case v == 1:
		return append(b, '1')
	case v == 0:
		return append(b, '0')
	case v == -1:
		return append(b, "-1"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, +1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// integral reports whether a text-format value is written by OpenMetrics
// with ".0" appended: it has neither an exponent nor a fraction and is finite.
func integral(v []byte) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(v) > 0
}

// hash is the shard hash of a shard label value: 32-bit FNV-1a.
func hash(v string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(v))
	return h.Sum32()
}

// Size returns the size of the plain data part of shard s in format f, or
// -1 when it is only known by writing it out.
func (x *Exposition) Size(f Format, s Shard) int {
	switch {
	case !s.whole():
		return -1
	case f == OpenMetrics:
		return x.omLen
	}
	return len(x.text)
}

// Series returns how many series the exposition holds.
func (x *Exposition) Series() int {
	return len(x.hashes)
}

// inShard reports whether line i belongs to shard s.
func (x *Exposition) inShard(i int, s Shard) bool {
	return s.whole() || int(x.hashes[i]%uint32(s.Count)) == s.Index
}

// Validate says what is wrong with a shard selection, or returns "".
func (s Shard) Validate(maxCount int) string {
	switch {
	case s.Count < 1 || s.Count > maxCount:
		return "shards must be between 1 and " + strconv.Itoa(maxCount)
	case s.Index < 0 || s.Index >= s.Count:
		return "shard must be between 0 and shards-1"
	}
	return ""
}
