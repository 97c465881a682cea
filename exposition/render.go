// Package exposition renders metric families once, when the data is loaded,
// into the bytes a scrape sends: the Prometheus text format 0.0.4 and
// OpenMetrics 1.0.0, plain and gzipped, for the whole snapshot or one shard
// of it. The output is byte for byte what expfmt writes for the same families
// gathered through a prometheus.Registry, so a scrape only copies bytes.
package exposition

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/schema"
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
	// families holds every family with series, sorted by name.
	families []renderedFamily
	textLen  int
	omLen    int
	series   int
	gzip     [2][]byte

	mu          sync.Mutex
	shardGzip   map[shardKey]*lazyGzip
	cachedBytes int
}

// renderedFamily is one family in the text format, in a buffer of its own:
// a family is sized exactly once its series are rendered, so no buffer of
// the whole exposition is ever grown or sized in a separate pass.
type renderedFamily struct {
	// text is the header, then the lines from offset body on.
	text []byte
	body int
	// omHeader is the header in OpenMetrics, which escapes quotes in HELP.
	omHeader []byte
	// om holds, in ascending order, the offsets in text of the line ends
	// (the '\n') before which OpenMetrics writes ".0": integral values.
	om []uint32
	// hashes holds the shard hash of every line, in order; 0 puts a line
	// in shard 0 whatever the count.
	hashes []uint32
}

// series is one line of a family before sorting: its sort key and line,
// back to back in a chunk of scratch.
type series struct {
	chunk, keyStart, lineStart, lineEnd uint32
	hash                                uint32
	om                                  bool
}

// ShardLabel is the label whose value decides a series' shard: all series of
// a region, its data, provenance, latest years and metadata, land in the
// same shard, so joins on region_code work within one shard. Series without
// it, or with it empty, are in shard 0.
const ShardLabel = "region_code"

// Render renders families, sorted as a prometheus.Registry gathers them: by
// family name, then by label values in the order of the sorted label names.
// Families without series are left out, as a registry leaves them out. It
// refuses what would make the scrape invalid, as a registry would: two
// families of one name, an invalid or reserved name, a label name twice in a
// family, and two series with the same labels.
func Render(families []collector.Family) (*Exposition, error) {
	families = slices.Clone(families)
	slices.SortFunc(families, func(a, b collector.Family) int { return strings.Compare(a.Name, b.Name) })
	for i, f := range families {
		if i > 0 && families[i-1].Name == f.Name {
			return nil, fmt.Errorf("metric family %s is defined twice", f.Name)
		}
		if err := schema.CheckFamily(f.Name, f.Labels); err != nil {
			return nil, err
		}
	}
	rendered := make([]renderedFamily, len(families))
	errs := make([]error, len(families))
	// Families are rendered on all CPUs, those with the most labels first:
	// that is the provenance family, by far the largest, and starting the
	// longest job first keeps the CPUs busy until the end.
	order := make([]int, len(families))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(families[b].Labels) - len(families[a].Labels) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(families)) {
		wg.Go(func() {
			var sc scratch
			for n := int(next.Add(1)) - 1; n < len(order); n = int(next.Add(1)) - 1 {
				rendered[order[n]], errs[order[n]] = sc.render(families[order[n]])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	x := &Exposition{}
	for _, rf := range rendered {
		if len(rf.hashes) == 0 {
			continue
		}
		x.families = append(x.families, rf)
		x.textLen += len(rf.text)
		x.omLen += len(rf.omHeader) + len(rf.text) - rf.body + 2*len(rf.om)
		x.series += len(rf.hashes)
	}
	for _, f := range []Format{Text, OpenMetrics} {
		x.gzip[f] = compress(func(w io.Writer) { _ = x.WritePlain(w, f, Shard{}) })
	}
	return x, nil
}

// scratch is where one goroutine renders families before sorting their
// lines; it is reused from family to family. The lines go into chunks of
// chunkSize rather than one buffer: growing a buffer of a hundred megabytes
// by appending copies it over and over and holds two copies at once.
type scratch struct {
	chunks [][]byte
	row    []byte
	rows   []series
}

// chunkSize is a variable so that tests can make it tiny and run the
// multi-chunk paths on small data.
var chunkSize = 4 << 20

// render renders one family: its series into scratch, unsorted, then sorted
// into a buffer of exactly the family's size.
func (sc *scratch) render(f collector.Family) (renderedFamily, error) {
	order := make([]int, len(f.Labels)) // Label indexes in the order of sorted label names.
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(f.Labels[a], f.Labels[b]) })
	shardBy := slices.Index(f.Labels, ShardLabel)
	for i := range sc.chunks {
		sc.chunks[i] = sc.chunks[i][:0]
	}
	chunk, rows := 0, sc.rows[:0]
	lineBytes, oms := 0, 0
	f.Series(func(value float64, values ...string) {
		row := sc.row[:0]
		for _, i := range order {
			row = AppendKey(row, values[i])
		}
		lineStart := len(row)
		row = append(row, f.Name...)
		for n, i := range order {
			if n == 0 {
				row = append(row, '{')
			} else {
				row = append(row, ',')
			}
			row = append(row, f.Labels[i]...)
			row = append(row, '=', '"')
			row = appendEscaped(row, values[i], true)
			row = append(row, '"')
		}
		if len(order) > 0 {
			row = append(row, '}')
		}
		row = append(row, ' ')
		valueStart := len(row)
		row = appendTextFloat(row, value)
		om := integral(row[valueStart:])
		row = append(row, '\n')
		sc.row = row
		for chunk < len(sc.chunks) && cap(sc.chunks[chunk])-len(sc.chunks[chunk]) < len(row) {
			chunk++
		}
		if chunk == len(sc.chunks) {
			sc.chunks = append(sc.chunks, make([]byte, 0, max(chunkSize, len(row))))
		}
		c := sc.chunks[chunk]
		s := series{chunk: uint32(chunk), keyStart: uint32(len(c)), om: om}
		s.lineStart, s.lineEnd = s.keyStart+uint32(lineStart), s.keyStart+uint32(len(row))
		sc.chunks[chunk] = append(c, row...)
		if om {
			oms++
		}
		lineBytes += len(row) - lineStart
		if shardBy >= 0 && values[shardBy] != "" {
			s.hash = hash(values[shardBy])
		}
		rows = append(rows, s)
	})
	sc.rows = rows
	if len(rows) == 0 {
		return renderedFamily{}, nil
	}
	chunks := sc.chunks
	key := func(s series) []byte { return chunks[s.chunk][s.keyStart:s.lineStart] }
	slices.SortFunc(rows, func(a, b series) int { return bytes.Compare(key(a), key(b)) })
	// Sorted, two series with the same labels are neighbours.
	for i := 1; i < len(rows); i++ {
		if bytes.Equal(key(rows[i-1]), key(rows[i])) {
			line := chunks[rows[i].chunk][rows[i].lineStart:rows[i].lineEnd]
			return renderedFamily{}, fmt.Errorf("metric family %s has the same series twice: %s", f.Name, bytes.TrimSpace(line))
		}
	}
	header := appendHeader(nil, f, false)
	rf := renderedFamily{
		text:     append(make([]byte, 0, len(header)+lineBytes), header...),
		body:     len(header),
		omHeader: appendHeader(nil, f, true),
		om:       make([]uint32, 0, oms),
		hashes:   make([]uint32, 0, len(rows)),
	}
	for _, s := range rows {
		rf.text = append(rf.text, chunks[s.chunk][s.lineStart:s.lineEnd]...)
		if s.om {
			rf.om = append(rf.om, uint32(len(rf.text)-1))
		}
		rf.hashes = append(rf.hashes, s.hash)
	}
	return rf, nil
}

// AppendKey appends v so that comparing the concatenated keys of two series
// byte by byte compares their label values one by one, in the order a
// registry sorts series: 0x00 ends a value, and a 0x00 or 0x01 inside one
// becomes 0x01 followed by it plus one, which sorts after the end marker.
func AppendKey(b []byte, v string) []byte {
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
	return x.textLen
}

// Series returns how many series the exposition holds.
func (x *Exposition) Series() int {
	return x.series
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
