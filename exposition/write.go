package exposition

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/flate"
)

// WritePlain writes the uncompressed data part of shard s in format f to w.
func (x *Exposition) WritePlain(w io.Writer, f Format, s Shard) error {
	v := viewWriter{w: w, f: f}
	for i := range x.families {
		fam := &x.families[i]
		v.fam, v.cursor = fam, 0
		header := fam.header
		if f == OpenMetrics {
			header = fam.omHeader
		}
		if s.whole() {
			v.write(header)
			v.writeRange(0, len(fam.lines))
			continue
		}
		// Consecutive lines of the shard go out as one range; the header
		// only once the family turns out to have a line in the shard.
		lines := fam.lines
		wroteHeader, run := false, -1
		for line, pos := 0, 0; pos < len(lines); line++ {
			next := pos + bytes.IndexByte(lines[pos:], '\n') + 1
			switch in := int(fam.hashes[line]%uint32(s.Count)) == s.Index; {
			case in && !wroteHeader:
				v.write(header)
				wroteHeader, run = true, pos
			case in && run < 0:
				run = pos
			case !in && run >= 0:
				v.writeRange(run, pos)
				run = -1
			}
			pos = next
		}
		if run >= 0 {
			v.writeRange(run, len(lines))
		}
	}
	return v.err
}

// viewWriter writes ranges of a family's lines, turning them into
// OpenMetrics on the way when asked to; it keeps the first error.
type viewWriter struct {
	w      io.Writer
	f      Format
	fam    *renderedFamily
	cursor int // Next candidate in fam.om: ranges come in ascending order.
	err    error
}

var dotZero = []byte(".0")

func (v *viewWriter) write(b []byte) {
	if v.err == nil && len(b) > 0 {
		_, v.err = v.w.Write(b)
	}
}

func (v *viewWriter) writeRange(a, b int) {
	text := v.fam.lines
	if v.f == Text {
		v.write(text[a:b])
		return
	}
	om := v.fam.om
	for v.cursor < len(om) && int(om[v.cursor]) < a {
		v.cursor++
	}
	for ; v.cursor < len(om) && int(om[v.cursor]) < b; v.cursor++ {
		end := int(om[v.cursor])
		v.write(text[a:end])
		v.write(dotZero)
		a = end
	}
	v.write(text[a:b])
}

// Gzip returns the data part of shard s in format f as one gzip member. Its
// DEFLATE stream is pieces compressed in parallel, each ended by a sync
// flush, then an empty final block that NewGzipBody replaces with the tail
// of a response. Rendering does not compress: the whole exposition in a
// format is compressed on its first request, a shard on its first request,
// and both are then kept, the shards within a bound on the memory they
// take. Concurrent first requests wait for one compression and share it.
func (x *Exposition) Gzip(f Format, s Shard) []byte {
	if s.whole() {
		return x.gzip[f].get(x, f, s, func(n int) { x.gzipBytes += n })
	}
	// The bound is relative to the whole, which is compressed first so
	// that its size is known.
	x.Gzip(f, Shard{})
	key := shardKey{f, s}
	x.mu.Lock()
	l := x.shardGzip[key]
	if l == nil {
		// All shards of one count add up to a little more than the whole;
		// room for four counts in every format served covers every sane
		// setup, and a client cycling through counts only costs
		// recompression, not memory.
		if x.shardBytes > 5*x.gzipBytes || x.shardGzip == nil {
			x.shardGzip, x.shardBytes = map[shardKey]*lazyGzip{}, 0
		}
		l = &lazyGzip{}
		x.shardGzip[key] = l
	}
	x.mu.Unlock()
	return l.get(x, f, s, func(n int) {
		// A shard dropped from the cache while it was compressed is not held.
		if x.shardGzip[key] == l {
			x.shardBytes += n
		}
	})
}

// CachedBytes returns how many bytes the gzip of the whole and of shards,
// compressed so far and kept, take.
func (x *Exposition) CachedBytes() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.gzipBytes + x.shardBytes
}

type shardKey struct {
	f Format
	s Shard
}

// lazyGzip is the gzip of one part of an exposition, compressed once.
type lazyGzip struct {
	once sync.Once
	b    []byte
}

// get returns the gzip of shard s of x in format f, compressing it on the
// first call; count is told its size under x.mu.
func (l *lazyGzip) get(x *Exposition, f Format, s Shard, count func(n int)) []byte {
	l.once.Do(func() {
		l.b = compress(func(w io.Writer) { _ = x.WritePlain(w, f, s) })
		x.mu.Lock()
		count(len(l.b))
		x.mu.Unlock()
	})
	return l.b
}

// pieceSize is how much input goes into one piece of the DEFLATE stream.
// Pieces are compressed in parallel; each restarts the compression window,
// which at this size costs well under a percent of output. It is a variable
// so that tests can make it tiny and run the multi-piece paths on small data.
var pieceSize = 4 << 20

// Level is the compression level: the fastest, since it compresses this
// repetitive text nearly as well as the default level.
const Level = flate.BestSpeed

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, Level)
	return w
}}

// gzipHeader starts every gzip member written here: no name, no time, the
// fastest level (XFL 4), unknown OS, as compress/gzip writes it.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255}

// finalBlock is the empty stored block that a sync flush writes, marked
// final: it ends a stream of pieces on a byte boundary.
var finalBlock = []byte{1, 0, 0, 0xff, 0xff}

// compress runs write into a writer that cuts its input into pieces of
// pieceSize, compresses them on all CPUs, and returns one gzip member: the
// pieces in order, finalBlock and the trailer.
func compress(write func(io.Writer)) []byte {
	procs := runtime.GOMAXPROCS(0)
	p := &pieceWriter{sem: make(chan struct{}, procs), free: make(chan []byte, procs+1)}
	write(p)
	p.flush()
	parts := [][]byte{gzipHeader}
	for _, r := range p.results {
		parts = append(parts, <-r)
	}
	parts = append(parts, finalBlock, appendTrailer(nil, p.crc, uint32(p.size)))
	return bytes.Join(parts, nil)
}

// pieceWriter buffers input and hands each full piece to a goroutine; it
// keeps the CRC-32 and size of all its input for the trailer.
type pieceWriter struct {
	buf     []byte
	results []chan []byte
	sem     chan struct{}
	// free holds the input buffers of compressed pieces for the next ones:
	// one compression allocates only as many as are in flight at once,
	// not one per piece, which would make garbage of several times the
	// input for a collector that runs often between loads; and keeps none
	// once it returns.
	free chan []byte
	crc  uint32
	size int
}

func (p *pieceWriter) Write(b []byte) (int, error) {
	p.crc = crc32.Update(p.crc, crc32.IEEETable, b)
	p.size += len(b)
	n := len(b)
	for len(b) > 0 {
		if p.buf == nil {
			select {
			case b := <-p.free:
				p.buf = b[:0]
			default:
				p.buf = make([]byte, 0, pieceSize)
			}
		}
		room := min(pieceSize-len(p.buf), len(b))
		p.buf = append(p.buf, b[:room]...)
		b = b[room:]
		if len(p.buf) == pieceSize {
			p.flush()
		}
	}
	return n, nil
}

func (p *pieceWriter) flush() {
	if len(p.buf) == 0 {
		return
	}
	block := p.buf
	p.buf = nil
	res := make(chan []byte, 1)
	p.results = append(p.results, res)
	// Bounding the goroutines in flight bounds the input held at once.
	p.sem <- struct{}{}
	go func() {
		defer func() { <-p.sem }()
		var out bytes.Buffer
		out.Grow(len(block) / 8)
		zw := flateWriters.Get().(*flate.Writer)
		zw.Reset(&out)
		// Writes to a bytes.Buffer cannot fail. Flush, unlike Close, ends
		// the piece with a block that is not final, on a byte boundary,
		// so that the next piece can follow it in the same stream.
		_, _ = zw.Write(block)
		_ = zw.Flush()
		flateWriters.Put(zw)
		select {
		case p.free <- block:
		default:
		}
		res <- out.Bytes()
	}()
}

// appendTrailer appends a gzip trailer: the CRC-32 and the size modulo 2^32
// of the uncompressed bytes, little-endian.
func appendTrailer(b []byte, crc, size uint32) []byte {
	return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(b, crc), size)
}

// GzipBody is a response body: the data part compressed once and kept and a
// tail compressed per response, such as the self-metrics, in one gzip member.
// Several members would be valid gzip, but curl, browsers and Python's zlib
// stop after the first and silently drop the rest.
type GzipBody struct {
	head, end []byte
}

// NewGzipBody joins member, a data part from Exposition.Gzip or nil when
// there is none, and tail into one member. The compressed tail and the
// trailer go into buf, which the body uses until it is written.
func NewGzipBody(member, tail []byte, buf *bytes.Buffer) GzipBody {
	head, crc, size := gzipHeader, uint32(0), uint32(0)
	if member != nil {
		n := len(member) - len(finalBlock) - 8
		head = member[:n]
		crc = binary.LittleEndian.Uint32(member[n+len(finalBlock):])
		size = binary.LittleEndian.Uint32(member[n+len(finalBlock)+4:])
	}
	buf.Reset()
	zw := flateWriters.Get().(*flate.Writer)
	zw.Reset(buf)
	_, _ = zw.Write(tail)
	_ = zw.Close()
	flateWriters.Put(zw)
	// The size is modulo 2^32, which uint32 arithmetic keeps.
	buf.Write(appendTrailer(buf.AvailableBuffer(), crc32.Update(crc, crc32.IEEETable, tail), size+uint32(len(tail))))
	return GzipBody{head: head, end: buf.Bytes()}
}

// Len is the length of the body, for Content-Length.
func (b GzipBody) Len() int { return len(b.head) + len(b.end) }

// WriteTo writes the body to w.
func (b GzipBody) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(b.head)
	if err != nil {
		return int64(n), err
	}
	m, err := w.Write(b.end)
	return int64(n + m), err
}
