package exposition

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/flate"
)

// WritePlain writes the uncompressed data part of shard s in format f to w,
// and stops at the first error of w.
func (x *Exposition) WritePlain(w io.Writer, f Format, s Shard) error {
	v := viewWriter{w: w, f: f}
	for i := range x.families {
		if v.err != nil {
			break
		}
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
// take. Concurrent requests wait for one compression and share it. A
// compression runs only while someone waits for it: a caller whose ctx
// ends gets its cause at once, and once none waits the compression stops,
// keeps nothing, and the next request starts it anew.
func (x *Exposition) Gzip(ctx context.Context, f Format, s Shard) ([]byte, error) {
	if s.whole() {
		return x.gzip[f].get(ctx, x, f, s, func(n int) { x.gzipBytes += n })
	}
	// The bound is relative to the whole, which is compressed first so
	// that its size is known.
	if _, err := x.Gzip(ctx, f, Shard{}); err != nil {
		return nil, err
	}
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
	return l.get(ctx, x, f, s, func(n int) {
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

// lazyGzip is the gzip of one part of an exposition, compressed while
// someone waits for it and then kept. Its fields are guarded by x.mu.
type lazyGzip struct {
	b   []byte       // Once compressed.
	run *compression // The compression under way, if any.
}

// compression is one run of compressing a part, shared by those waiting
// for it; it is stopped when the last of them stops waiting.
type compression struct {
	done    chan struct{} // Closed when it ends.
	stop    context.CancelFunc
	waiting int    // Guarded by x.mu.
	b       []byte // Set under x.mu when it ends with the whole gzip.
}

// get returns the gzip of shard s of x in format f, compressing it unless it
// is kept, or the cause of ctx once ctx ends first; count is told the size
// of what is kept, under x.mu.
func (l *lazyGzip) get(ctx context.Context, x *Exposition, f Format, s Shard, count func(n int)) ([]byte, error) {
	x.mu.Lock()
	if l.b != nil {
		x.mu.Unlock()
		return l.b, nil
	}
	if err := context.Cause(ctx); err != nil {
		// No one would wait for it.
		x.mu.Unlock()
		return nil, err
	}
	c := l.run
	if c == nil {
		c = &compression{done: make(chan struct{})}
		var stopped context.Context
		stopped, c.stop = context.WithCancel(context.Background())
		l.run = c
		go func() {
			defer close(c.done)
			b, err := compress(stopped.Done(), func(w io.Writer) error { return x.WritePlain(w, f, s) })
			x.mu.Lock()
			defer x.mu.Unlock()
			if l.run == c {
				l.run = nil
			}
			if err != nil {
				return
			}
			c.b = b
			if l.b == nil {
				l.b = b
				count(len(b))
			}
		}()
	}
	c.waiting++
	x.mu.Unlock()
	select {
	case <-c.done:
	case <-ctx.Done():
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	c.waiting--
	if c.b != nil {
		return c.b, nil
	}
	// Only this caller's end stops a compression, so ctx has ended.
	if c.waiting == 0 && l.run == c {
		l.run = nil
		c.stop()
	}
	return nil, context.Cause(ctx)
}

// errStopped is what a compression that no one waits for any more ends with.
var errStopped = errors.New("compression stopped: no one waits for it")

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
// pieces in order, finalBlock and the trailer. Once stop is closed it
// compresses no further piece, and returns errStopped.
func compress(stop <-chan struct{}, write func(io.Writer) error) ([]byte, error) {
	procs := runtime.GOMAXPROCS(0)
	p := &pieceWriter{sem: make(chan struct{}, procs), free: make(chan []byte, procs+1), stop: stop, hook: pieceHook}
	if err := write(p); err != nil {
		return nil, err
	}
	if p.flush(); p.err != nil {
		return nil, p.err
	}
	parts := [][]byte{gzipHeader}
	for _, r := range p.results {
		parts = append(parts, <-r)
	}
	parts = append(parts, finalBlock, appendTrailer(nil, p.crc, uint32(p.size)))
	return bytes.Join(parts, nil), nil
}

// pieceHook, when a test sets it, runs before each piece is handed over to
// be compressed, so that the test can hold a compression there.
var pieceHook func()

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
	// stop, once closed, stops the compression at the next piece, with
	// err set to errStopped.
	stop <-chan struct{}
	err  error
	hook func()
}

func (p *pieceWriter) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
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
			if p.flush(); p.err != nil {
				return n - len(b), p.err
			}
		}
	}
	return n, nil
}

func (p *pieceWriter) flush() {
	if len(p.buf) == 0 {
		return
	}
	if p.hook != nil {
		p.hook()
	}
	select {
	case <-p.stop:
		p.err = errStopped
		return
	default:
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
