package exposition

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// gz is x.Gzip for a caller that waits as long as it takes.
func gz(t testing.TB, x *Exposition, f Format, s Shard) []byte {
	t.Helper()
	b, err := x.Gzip(context.Background(), f, s)
	if err != nil {
		t.Errorf("Gzip(%v, %v) of a caller that waits: %v", f, s, err)
	}
	return b
}

// gzipResponse is the gzip body of a response serving shard s of x in format
// f followed by tail; x nil is a response before any data is loaded.
func gzipResponse(t testing.TB, x *Exposition, f Format, s Shard, tail []byte) []byte {
	t.Helper()
	var data []byte
	if x != nil {
		data = gz(t, x, f, s)
	}
	var buf, out bytes.Buffer
	body := NewGzipBody(data, tail, &buf)
	n, err := body.WriteTo(&out)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(body.Len()) || out.Len() != body.Len() {
		t.Fatalf("GzipBody.Len() = %d, but WriteTo wrote %d bytes and returned %d", body.Len(), out.Len(), n)
	}
	return out.Bytes()
}

// oneMember decompresses the first gzip member of b, as curl, browsers and
// Python's zlib do, and fails unless it is all of b.
func oneMember(t testing.TB, b []byte) []byte {
	t.Helper()
	r := bytes.NewReader(b)
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("reading the first gzip member: %v", err)
	}
	if rest := r.Len(); rest > 0 || !errors.Is(zr.Reset(r), io.EOF) {
		t.Fatalf("%d of %d bytes follow the first gzip member, want none", rest, len(b))
	}
	return out
}

// withPieceSize runs the test with pieces of n bytes, so that small data is
// compressed in many pieces.
func withPieceSize(t *testing.T, n int) {
	saved := pieceSize
	pieceSize = n
	t.Cleanup(func() { pieceSize = saved })
}

var selfTail = []byte("# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines 7\n# EOF\n")

// TestGzipOneMember proves that the data part compressed in many pieces,
// whole or one shard, in both formats, and a tail after it make one gzip
// member holding exactly the plain data and the tail.
func TestGzipOneMember(t *testing.T) {
	withPieceSize(t, 64)
	for name, snap := range snapshots(t) {
		x, err := Render(collector.Families(snap))
		if err != nil {
			t.Fatal(err)
		}
		for f := range formats {
			for _, s := range []Shard{{}, {Index: 0, Count: 3}, {Index: 2, Count: 3}, {Index: 5, Count: 7}} {
				want := plain(t, x, f, s)
				data := gz(t, x, f, s)
				// A sync flush ends every piece with 00 00 ff ff.
				if pieces := bytes.Count(data, []byte{0, 0, 0xff, 0xff}); pieces < len(want)/pieceSize {
					t.Errorf("%s %s %v: %d sync flushes for %d bytes in pieces of %d", name, formats[f], s, pieces, len(want), pieceSize)
				}
				if got := oneMember(t, data); !bytes.Equal(got, want) {
					t.Errorf("%s %s %v: Gzip decompresses to %d bytes that differ from the %d plain ones at byte %d", name, formats[f], s, len(got), len(want), testenv.Mismatch(got, want))
				}
				for _, tail := range [][]byte{selfTail, nil} {
					what := fmt.Sprintf("%s %s shard %v tail %d bytes", name, formats[f], s, len(tail))
					got := oneMember(t, gzipResponse(t, x, f, s, tail))
					if w := append(bytes.Clone(want), tail...); !bytes.Equal(got, w) {
						t.Errorf("%s: decompresses to %d bytes that differ from plain and tail (%d) at byte %d", what, len(got), len(w), testenv.Mismatch(got, w))
					}
				}
			}
		}
	}
}

// TestGzipEmptyData covers responses with no data: nothing loaded yet, and
// a loaded exposition (or shard) without series.
func TestGzipEmptyData(t *testing.T) {
	empty, err := Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*Exposition{nil, empty} {
		for _, tail := range [][]byte{selfTail, nil} {
			for _, s := range []Shard{{}, {Index: 1, Count: 2}} {
				if got := oneMember(t, gzipResponse(t, x, OpenMetrics, s, tail)); !bytes.Equal(got, tail) {
					t.Errorf("data %v, shard %v: decompresses to %q, want the tail %q", x != nil, s, got, tail)
				}
			}
		}
	}
	if got := oneMember(t, gz(t, empty, Text, Shard{})); len(got) != 0 {
		t.Errorf("Gzip of no series decompresses to %q, want nothing", got)
	}
}

// TestGzipOnce holds concurrent first requests of a part to one compression
// that all of them share, and CachedBytes to what is then held: nothing
// before the first request, since rendering does not compress.
func TestGzipOnce(t *testing.T) {
	res, err := config.Load(config.Options{Now: testenv.Now})
	if err != nil {
		t.Fatal(err)
	}
	x := mustRender(t, collector.Families(res.Snapshot))
	if n := x.CachedBytes(); n != 0 {
		t.Fatalf("CachedBytes after Render = %d, want 0", n)
	}
	held := 0
	// The shard first: its first request compresses the whole too.
	for _, s := range []Shard{{Index: 1, Count: 2}, {}} {
		got := make([][]byte, 8)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i] = gz(t, x, OpenMetrics, s) })
		}
		wg.Wait()
		for i, b := range got {
			// The same backing array, not only equal bytes: one compression.
			if len(b) == 0 || &b[0] != &got[0][0] || len(b) != len(got[0]) {
				t.Fatalf("shard %v: request %d got %d bytes at %p, request 0 %d at %p", s, i, len(b), b, len(got[0]), got[0])
			}
		}
		held += len(got[0])
	}
	if n := x.CachedBytes(); n != held {
		t.Errorf("CachedBytes = %d, want the %d bytes of the whole and the shard", n, held)
	}
}

// pieceGate holds compressions at their first piece, for tests that end
// their callers there.
type pieceGate struct {
	reached, release chan struct{}
	calls            atomic.Int64 // Pieces handed over, the held one included.
}

// holdPieces holds the next piece handed over to be compressed until
// release is closed, and counts pieces, until the test ends.
func holdPieces(t *testing.T) *pieceGate {
	g := &pieceGate{reached: make(chan struct{}), release: make(chan struct{})}
	pieceHook = func() {
		if g.calls.Add(1) == 1 {
			close(g.reached)
		}
		<-g.release
	}
	t.Cleanup(func() { pieceHook = nil })
	return g
}

// running returns the compression of the whole in format f under way.
func (x *Exposition) running(f Format) *compression {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.gzip[f].run
}

func waitClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(time.Minute):
		t.Fatalf("after a minute, still not: %s", what)
	}
}

// TestGzipStopsWhenNoOneWaits ends the only caller of a compression while
// the compression is held at its first piece: the caller gets its context's
// cause at once, the compression hands over no further piece and keeps
// nothing, and the next request compresses the part anew, whole. A caller
// whose context has ended starts nothing.
func TestGzipStopsWhenNoOneWaits(t *testing.T) {
	withPieceSize(t, 64)
	x := mustRender(t, collector.Families(testenv.Load(t, config.Options{})))
	gone, leave := context.WithCancel(context.Background())
	leave()
	if _, err := x.Gzip(gone, Text, Shard{Index: 1, Count: 2}); !errors.Is(err, context.Canceled) || x.running(Text) != nil {
		t.Fatalf("Gzip for a caller already gone: %v, compression under way %v; want context.Canceled and none started", err, x.running(Text) != nil)
	}

	gate := holdPieces(t)
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan error, 1)
	go func() {
		_, err := x.Gzip(ctx, Text, Shard{})
		ended <- err
	}()
	waitClosed(t, gate.reached, "the compression at its first piece")
	run := x.running(Text)
	cancel()
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the caller that left got %v, want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("a minute after its context ended, the caller still waits for the held compression")
	}
	close(gate.release)
	waitClosed(t, run.done, "the compression ended once released")
	if run.b != nil || gate.calls.Load() != 1 {
		t.Errorf("with no one waiting, the compression handed over %d pieces and kept %d bytes; want it stopped at the held piece, keeping nothing", gate.calls.Load(), len(run.b))
	}
	if n := x.CachedBytes(); n != 0 || x.running(Text) != nil {
		t.Errorf("after the stopped compression, CachedBytes = %d and a compression is under way: %v; want 0 and none", n, x.running(Text) != nil)
	}
	if got, want := oneMember(t, gz(t, x, Text, Shard{})), plain(t, x, Text, Shard{}); !bytes.Equal(got, want) {
		t.Errorf("the compression after a stopped one decompresses to %d bytes that differ from the %d plain ones at byte %d", len(got), len(want), testenv.Mismatch(got, want))
	}
}

// TestGzipSharedUntilTheLastLeaves holds a compression that two callers
// wait for and ends one of them: that one gets its context's cause at once,
// and the compression goes on for the other, which gets the whole gzip,
// kept for later requests.
func TestGzipSharedUntilTheLastLeaves(t *testing.T) {
	withPieceSize(t, 64)
	x := mustRender(t, collector.Families(testenv.Load(t, config.Options{})))
	gate := holdPieces(t)
	leaving, leave := context.WithCancel(context.Background())
	defer leave()
	left := make(chan error, 1)
	go func() {
		_, err := x.Gzip(leaving, OpenMetrics, Shard{})
		left <- err
	}()
	type result struct {
		b   []byte
		err error
	}
	stayed := make(chan result, 1)
	go func() {
		b, err := x.Gzip(context.Background(), OpenMetrics, Shard{})
		stayed <- result{b, err}
	}()
	waitClosed(t, gate.reached, "the compression at its first piece")
	run := x.running(OpenMetrics)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		x.mu.Lock()
		waiting := run.waiting
		x.mu.Unlock()
		if waiting == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute, %d callers wait for the compression, want 2", waiting)
		}
	}
	leave()
	select {
	case err := <-left:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the caller that left got %v, want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("a minute after its context ended, a caller still waits for the held compression")
	}
	close(gate.release)
	var r result
	select {
	case r = <-stayed:
	case <-time.After(time.Minute):
		t.Fatal("the caller that stayed got nothing within a minute of the compression's release")
	}
	if r.err != nil {
		t.Fatalf("the caller that stayed got %v, want the gzip", r.err)
	}
	if got, want := oneMember(t, r.b), plain(t, x, OpenMetrics, Shard{}); !bytes.Equal(got, want) {
		t.Errorf("the shared compression decompresses to %d bytes that differ from the %d plain ones at byte %d", len(got), len(want), testenv.Mismatch(got, want))
	}
	if n := x.CachedBytes(); n != len(r.b) || gate.calls.Load() < 2 {
		t.Errorf("CachedBytes = %d after %d pieces, want the %d bytes of the gzip, in more than one piece", n, gate.calls.Load(), len(r.b))
	}
}
