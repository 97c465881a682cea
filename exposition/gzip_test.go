package exposition

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// gzipResponse is the gzip body of a response serving shard s of x in format
// f followed by tail; x nil is a response before any data is loaded.
func gzipResponse(t testing.TB, x *Exposition, f Format, s Shard, tail []byte) []byte {
	t.Helper()
	var data []byte
	if x != nil {
		data = x.Gzip(f, s)
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
				data := x.Gzip(f, s)
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
	if got := oneMember(t, empty.Gzip(Text, Shard{})); len(got) != 0 {
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
			wg.Go(func() { got[i] = x.Gzip(OpenMetrics, s) })
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
