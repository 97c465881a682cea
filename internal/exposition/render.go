// Package exposition renders metric families once, when the data is loaded,
// into the bytes a scrape sends: the Prometheus text format 0.0.4 and
// OpenMetrics 1.0.0, plain and gzipped, for the whole snapshot or one shard
// of it. The plain text is rendered at load; gzip is compressed on first
// request and kept, so that the data is served as soon as it is rendered.
// The output is byte for byte what expfmt writes for the same families
// gathered through a prometheus.Registry, so a scrape only copies bytes.
package exposition

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
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
// rendered, apart from its gzip, of the whole and of shards, compressed on
// first use.
type Exposition struct {
	// families holds every family with series, sorted by name.
	families []renderedFamily
	textLen  int
	omLen    int
	series   int
	gzip     [2]lazyGzip // The whole, by format.

	mu         sync.Mutex
	gzipBytes  int // Of the whole in the formats compressed so far.
	shardGzip  map[shardKey]*lazyGzip
	shardBytes int // Of the shards compressed in shardGzip.
}

// renderedFamily is one family in the text format, in a buffer of its own:
// a family is sized exactly once its series are rendered, so no buffer of
// the whole exposition is ever grown or sized in a separate pass.
type renderedFamily struct {
	// header is the HELP and TYPE lines in the text format; omHeader in
	// OpenMetrics, which escapes quotes in HELP.
	header, omHeader []byte
	// lines are the series, apart from the header so that they can be a
	// run of another exposition's lines (Share).
	lines []byte
	// om holds, in ascending order, the offsets in lines of the line ends
	// (the '\n') before which OpenMetrics writes ".0": integral values.
	om []uint32
	// hashes holds the shard hash of every line, in order; 0 puts a line
	// in shard 0 whatever the count.
	hashes []uint32
}

// ShardLabel is the label whose value decides a series' shard: all series of
// a region, its data, provenance, latest years and metadata, land in the
// same shard, so joins on region_code work within one shard. Series without
// it, or with it empty, are in shard 0.
const ShardLabel = "region_code"

// Render renders families, sorted as a prometheus.Registry gathers them: by
// family name, then by label values in the order of the sorted label names.
// It does not compress, so that the data can be served as soon as it is
// rendered: Gzip compresses on first request. Families without series are
// left out, as a registry leaves them out. It refuses what would make the
// scrape invalid, as a registry would: two families of one name, an invalid
// or reserved name, a label name twice in a family, and two series with the
// same labels.
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
		x.textLen += len(rf.header) + len(rf.lines)
		x.omLen += len(rf.omHeader) + len(rf.lines) + 2*len(rf.om)
		x.series += len(rf.hashes)
	}
	return x, nil
}

// scratch is where one goroutine renders families; it is reused from family
// to family. As a family's series are emitted, each label's values are
// interned and a series is kept as a row: the IDs of its label values and
// its sample value, formatted. Sorting compares the ranks of the values,
// packed into integers, rather than strings that share long prefixes, and
// each line is written once, in order, into the family's buffer.
type scratch struct {
	labels   []interner // One per label, in the order of sorted label names.
	ids      []uint32   // The value IDs of every row, len(labels) a row.
	values   []byte     // The sample values of every row, formatted, back to back.
	valueEnd []uint32   // Where each row's value ends in values.
	om       []bool     // Whether a row's value is integral: OpenMetrics appends ".0".
	// keys holds the sort key of every row, words a row: the ranks of its
	// label values, the first label in the most significant bits, then
	// its row number, which makes keys unique and says where a key came
	// from once sorted. It is one word for every family of the generated
	// data, so sorting is mostly sorting integers.
	keys   []uint64
	sorted []uint32 // Row numbers in sort order.
}

// interner numbers the distinct values of one label of a family in the order
// they come. Consecutive series often repeat a value, so the last one is
// looked at before the map.
type interner struct {
	ids    map[string]uint32
	values []string // By ID.
	counts []int    // Series by ID, to size the family's buffer.
	last   string
	lastID uint32
	// Once the series are in, by ID: the rank of the value among the
	// label's values in byte-wise order, the order a registry sorts label
	// values in; the value as the line writes it, `{name="value"` or
	// `,name="value"`; the shard hash, for the shard label only.
	rank   []uint32
	frag   []string
	hashes []uint32
	// Where the rank goes in a row's sort key: shifted left by shift, in
	// word word.
	word, shift int
}

func (in *interner) reset() {
	if in.ids == nil {
		in.ids = map[string]uint32{}
	}
	clear(in.ids)
	in.values, in.counts, in.hashes = in.values[:0], in.counts[:0], in.hashes[:0]
}

func (in *interner) id(v string) uint32 {
	if len(in.values) == 0 || v != in.last {
		id, ok := in.ids[v]
		if !ok {
			id = uint32(len(in.values))
			in.ids[v] = id
			in.values = append(in.values, v)
			in.counts = append(in.counts, 0)
		}
		in.last, in.lastID = v, id
	}
	in.counts[in.lastID]++
	return in.lastID
}

// finish ranks the values and writes their fragments for label name, first
// in the line or not, and their shard hashes when shard is set.
func (in *interner) finish(name string, first, shard bool) {
	byRank := make([]uint32, len(in.values))
	for id := range byRank {
		byRank[id] = uint32(id)
	}
	slices.SortFunc(byRank, func(a, b uint32) int { return strings.Compare(in.values[a], in.values[b]) })
	in.rank = slices.Grow(in.rank[:0], len(in.values))[:len(in.values)]
	for r, id := range byRank {
		in.rank[id] = uint32(r)
	}
	sep := byte(',')
	if first {
		sep = '{'
	}
	in.frag = in.frag[:0]
	var b []byte
	for _, v := range in.values {
		b = append(append(append(b[:0], sep), name...), '=', '"')
		b = append(appendEscaped(b, v, true), '"')
		in.frag = append(in.frag, string(b))
		if shard {
			h := uint32(0)
			if v != "" {
				h = hash(v)
			}
			in.hashes = append(in.hashes, h)
		}
	}
}

// keyWordBits is how many bits of a sort key word the ranks fill: a label
// whose rank does not fit in what is left of a word starts the next. It is
// a variable so that tests can make it tiny and run the multi-word paths
// on small data.
var keyWordBits = 64

// render renders one family: its series into scratch as rows, then the rows
// sorted into a buffer of exactly the family's size.
func (sc *scratch) render(f collector.Family) (renderedFamily, error) {
	order := make([]int, len(f.Labels)) // Label indexes in the order of sorted label names.
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(f.Labels[a], f.Labels[b]) })
	n := len(order)
	sc.labels = slices.Grow(sc.labels[:0], n)[:n]
	for k := range sc.labels {
		sc.labels[k].reset()
	}
	labels := sc.labels
	ids, values := slices.Grow(sc.ids[:0], f.Size*n), sc.values[:0]
	valueEnd, om := slices.Grow(sc.valueEnd[:0], f.Size), slices.Grow(sc.om[:0], f.Size)
	oms := 0
	f.Series(func(value float64, labelValues ...string) {
		for k, i := range order {
			ids = append(ids, labels[k].id(labelValues[i]))
		}
		start := len(values)
		values = appendTextFloat(values, value)
		valueEnd = append(valueEnd, uint32(len(values)))
		integral := integral(values[start:])
		if integral {
			oms++
		}
		om = append(om, integral)
	})
	sc.ids, sc.values, sc.valueEnd, sc.om = ids, values, valueEnd, om
	rows := len(om)
	if rows == 0 {
		return renderedFamily{}, nil
	}
	// Every line is the name, a fragment per label, a closing brace when
	// there are labels, a space, the value and a newline.
	lineBytes := rows*(len(f.Name)+2) + len(values)
	if n > 0 {
		lineBytes += rows
	}
	// Each label's rank, then the row number, goes into the first word
	// with room for it.
	words, used := 1, 0
	place := func(width int) (word, shift int) {
		if used > 0 && used+width > keyWordBits {
			words, used = words+1, 0
		}
		used += width
		return words - 1, 64 - used
	}
	for k, i := range order {
		in := &labels[k]
		in.finish(f.Labels[i], k == 0, f.Labels[i] == ShardLabel)
		for id, c := range in.counts {
			lineBytes += c * len(in.frag[id])
		}
		in.word, in.shift = place(bits.Len32(uint32(len(in.values) - 1)))
	}
	rowBits := bits.Len32(uint32(rows - 1))
	rowWord, rowShift := place(rowBits)
	keys := slices.Grow(sc.keys[:0], rows*words)[:rows*words]
	clear(keys)
	for r := range rows {
		key := keys[r*words : (r+1)*words]
		for k, id := range ids[r*n : (r+1)*n] {
			in := &labels[k]
			key[in.word] |= uint64(in.rank[id]) << in.shift
		}
		key[rowWord] |= uint64(r) << rowShift
	}
	sorted := slices.Grow(sc.sorted[:0], rows)[:rows]
	sc.keys, sc.sorted = keys, sorted
	if words == 1 {
		slices.Sort(keys)
		for j, key := range keys {
			sorted[j] = uint32(key>>rowShift) & (1<<rowBits - 1)
		}
	} else {
		for r := range sorted {
			sorted[r] = uint32(r)
		}
		slices.SortFunc(sorted, func(a, b uint32) int {
			return slices.Compare(keys[int(a)*words:][:words], keys[int(b)*words:][:words])
		})
	}
	// Sorted, two series with the same labels are neighbours.
	for j := 1; j < rows; j++ {
		a, b := int(sorted[j-1]), int(sorted[j])
		if slices.Equal(ids[a*n:(a+1)*n], ids[b*n:(b+1)*n]) {
			return renderedFamily{}, fmt.Errorf("metric family %s has the same series twice: %s", f.Name, bytes.TrimSpace(sc.appendLine(nil, f.Name, b)))
		}
	}
	shardBy := slices.IndexFunc(order, func(i int) bool { return f.Labels[i] == ShardLabel })
	rf := renderedFamily{
		header:   appendHeader(nil, f, false),
		omHeader: appendHeader(nil, f, true),
		lines:    make([]byte, 0, lineBytes),
		om:       make([]uint32, 0, oms),
		hashes:   make([]uint32, rows),
	}
	for j, r := range sorted {
		rf.lines = sc.appendLine(rf.lines, f.Name, int(r))
		if om[r] {
			rf.om = append(rf.om, uint32(len(rf.lines)-1))
		}
		if shardBy >= 0 {
			rf.hashes[j] = labels[shardBy].hashes[ids[int(r)*n+shardBy]]
		}
	}
	return rf, nil
}

// appendLine appends the line of row r of the family being rendered.
func (sc *scratch) appendLine(b []byte, name string, r int) []byte {
	n := len(sc.labels)
	b = append(b, name...)
	for k, id := range sc.ids[r*n : (r+1)*n] {
		b = append(b, sc.labels[k].frag[id]...)
	}
	if n > 0 {
		b = append(b, '}')
	}
	start := uint32(0)
	if r > 0 {
		start = sc.valueEnd[r-1]
	}
	b = append(append(b, ' '), sc.values[start:sc.valueEnd[r]]...)
	return append(b, '\n')
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

// Share makes x use the lines of base wherever a family of x holds the same
// family's lines in base or one run of them, and drops x's own copies. A
// dataset's own exposition is mostly such runs of the whole (its figures
// served the same, its provenance lines one block, the dataset being the
// second label), so the two are held almost once.
func (x *Exposition) Share(base *Exposition) {
	j := 0
	for i := range x.families {
		f := &x.families[i]
		for j < len(base.families) && bytes.Compare(base.families[j].header, f.header) < 0 {
			j++
		}
		if j == len(base.families) {
			return
		}
		g := &base.families[j]
		if !bytes.Equal(g.header, f.header) || !bytes.Equal(g.omHeader, f.omHeader) {
			continue
		}
		at := runAt(g.lines, f.lines)
		if at < 0 {
			continue
		}
		first := bytes.Count(g.lines[:at], []byte{'\n'})
		f.lines = g.lines[at : at+len(f.lines) : at+len(f.lines)]
		f.hashes = g.hashes[first : first+len(f.hashes) : first+len(f.hashes)]
	}
}

// runAt returns where lines, whole lines, are in all, starting at a line
// start, or -1. Lines of a family are distinct, so the first line of lines
// is found at most once.
func runAt(all, lines []byte) int {
	if len(lines) == 0 || len(lines) > len(all) {
		return -1
	}
	first := lines[:bytes.IndexByte(lines, '\n')+1]
	for from := 0; ; {
		i := bytes.Index(all[from:], first)
		if i < 0 {
			return -1
		}
		at := from + i
		if at == 0 || all[at-1] == '\n' {
			if at+len(lines) <= len(all) && bytes.Equal(all[at:at+len(lines)], lines) {
				return at
			}
			return -1
		}
		from = at + 1
	}
}
