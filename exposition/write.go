package exposition

import (
	"bytes"
	"compress/gzip"
	"io"
	"runtime"
	"sync"
)

// WritePlain writes the uncompressed data part of shard s in format f to w.
func (x *Exposition) WritePlain(w io.Writer, f Format, s Shard) error {
	v := viewWriter{w: w, f: f}
	for i := range x.families {
		fam := &x.families[i]
		v.fam, v.cursor = fam, 0
		header := fam.text[:fam.body]
		if f == OpenMetrics {
			header = fam.omHeader
		}
		if s.whole() {
			if f == Text {
				v.write(fam.text)
				continue
			}
			v.write(header)
			v.writeRange(fam.body, len(fam.text))
			continue
		}
		// Consecutive lines of the shard go out as one range; the header
		// only once the family turns out to have a line in the shard.
		wroteHeader, run, end := false, -1, len(fam.text)
		for line, pos := 0, fam.body; pos < end; line++ {
			next := pos + bytes.IndexByte(fam.text[pos:end], '\n') + 1
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
			v.writeRange(run, end)
		}
	}
	return v.err
}

// viewWriter writes ranges of a family's text rendering, turning them into
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
	text := v.fam.text
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

// Gzip returns the data part of shard s in format f as gzip members. The
// whole exposition is compressed when it is rendered; a shard on its first
// request, and then kept, within a bound on the memory the shards take.
func (x *Exposition) Gzip(f Format, s Shard) []byte {
	if s.whole() {
		return x.gzip[f]
	}
	key := shardKey{f, s}
	x.mu.Lock()
	l := x.shardGzip[key]
	if l == nil {
		// All shards of one count add up to the whole; room for two counts
		// in both formats covers every sane setup, and a client cycling
		// through counts only costs recompression, not memory.
		if x.cachedBytes > 2*(len(x.gzip[Text])+len(x.gzip[OpenMetrics])) || x.shardGzip == nil {
			x.shardGzip, x.cachedBytes = map[shardKey]*lazyGzip{}, 0
		}
		l = &lazyGzip{}
		x.shardGzip[key] = l
	}
	x.mu.Unlock()
	l.once.Do(func() {
		l.b = compress(func(w io.Writer) { _ = x.WritePlain(w, f, s) })
		x.mu.Lock()
		x.cachedBytes += len(l.b)
		x.mu.Unlock()
	})
	return l.b
}

type shardKey struct {
	f Format
	s Shard
}

type lazyGzip struct {
	once sync.Once
	b    []byte
}

// memberSize is how much input goes into one gzip member. Members are
// compressed in parallel; each restarts the compression window, which at
// this size costs well under a percent of output. It is a variable so that
// tests can make it tiny and run the multi-part paths on small data.
var memberSize = 4 << 20

// Level is the gzip level of the pre-rendered data: the fastest, since it
// compresses this repetitive text nearly as well as the default level.
const Level = gzip.BestSpeed

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, Level)
	return w
}}

// compress runs write into a writer that cuts its input into members of
// memberSize, compresses them on all CPUs, and returns the members in order.
func compress(write func(io.Writer)) []byte {
	m := &memberWriter{sem: make(chan struct{}, runtime.GOMAXPROCS(0))}
	write(m)
	if len(m.results) == 0 && len(m.buf) == 0 {
		// An empty shard is still a valid gzip stream: one empty member.
		m.buf = []byte{}
	}
	m.flush()
	parts := make([][]byte, len(m.results))
	for i, r := range m.results {
		parts[i] = <-r
	}
	return bytes.Join(parts, nil)
}

// memberWriter buffers input and hands each full member to a goroutine.
type memberWriter struct {
	buf     []byte
	results []chan []byte
	sem     chan struct{}
}

func (m *memberWriter) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		if m.buf == nil {
			m.buf = make([]byte, 0, memberSize)
		}
		room := min(memberSize-len(m.buf), len(b))
		m.buf = append(m.buf, b[:room]...)
		b = b[room:]
		if len(m.buf) == memberSize {
			m.flush()
		}
	}
	return n, nil
}

func (m *memberWriter) flush() {
	if m.buf == nil {
		return
	}
	block := m.buf
	m.buf = nil
	res := make(chan []byte, 1)
	m.results = append(m.results, res)
	// Bounding the goroutines in flight bounds the input held at once.
	m.sem <- struct{}{}
	go func() {
		defer func() { <-m.sem }()
		res <- GzipMember(block)
	}()
}

// GzipMember compresses b into one complete gzip member, which may follow
// other members in a response: gzip readers read concatenated members as
// one stream.
func GzipMember(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) / 8)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&out)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = zw.Write(b)
	_ = zw.Close()
	gzipWriters.Put(zw)
	return bytes.Clone(out.Bytes())
}
